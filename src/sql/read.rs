//! A base aggregate written by an engine, read back.
