//! The base aggregate as one SQL statement.
