//! Beyond one machine: the counting half of a query as one SQL statement for
//! Spark, BigQuery or DuckDB ([`base`]), the canonical views that map a
//! big source's own columns to sitrep's schema ([`view`]). The base
//! aggregate such an engine returns is read back by
//! [`crate::query::external`], so that shaping, charts and reports run in
//! sitrep on the small result.

pub mod base;
pub mod view;

use std::fmt;
use std::str::FromStr;

/// The SQL engines sitrep writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Spark SQL (`spark-sql -f`, `spark.sql(…)`).
    Spark,
    /// BigQuery Standard SQL.
    BigQuery,
    /// DuckDB.
    DuckDb,
}

impl Dialect {
    /// Names accepted by `--dialect`.
    pub const CHOICES: &'static str = "spark, bigquery, duckdb";

    /// The text type (`STRING` or `VARCHAR`).
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::Spark | Dialect::BigQuery => "STRING",
            Dialect::DuckDb => "VARCHAR",
        }
    }

    /// The 64-bit integer type.
    pub fn int_type(self) -> &'static str {
        match self {
            Dialect::Spark | Dialect::DuckDb => "BIGINT",
            Dialect::BigQuery => "INT64",
        }
    }

    /// A column name quoted for this dialect.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark | Dialect::BigQuery => format!("`{}`", name.replace('`', "``")),
            Dialect::DuckDb => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A text literal.
    pub fn string(self, s: &str) -> String {
        match self {
            // Spark and BigQuery read backslash escapes inside quotes.
            Dialect::Spark | Dialect::BigQuery => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Dialect::DuckDb => format!("'{}'", s.replace('\'', "''")),
        }
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "spark" | "sparksql" | "spark-sql" => Ok(Dialect::Spark),
            "bigquery" | "bq" => Ok(Dialect::BigQuery),
            "duckdb" => Ok(Dialect::DuckDb),
            _ => Err(format!("unknown SQL dialect {s:?} (choose from {})", Dialect::CHOICES)),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Spark => "spark",
            Dialect::BigQuery => "bigquery",
            Dialect::DuckDb => "duckdb",
        })
    }
}
