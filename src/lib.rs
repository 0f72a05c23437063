//! sitrep: time-series statistics on conflict incident data.
//!
//! The pipeline runs **ingest → normalise → store → query → render**. Ingest
//! reads source files (ACLED, UCDP GED, GTD, GDELT, the native tracker
//! layout, or any table described by a TOML mapping) into a typed polars frame
//! in the canonical schema of [`schema`], and accounts for every row: each
//! is accepted or rejected with its file, row, column, value and reason.
//! The store keeps canonical incidents as Parquet; queries collect into plain
//! Rust values; renderers format them.
//!
//! Layers, lowest first; each imports only from layers below it:
//!
//! 1. shared helpers: [`error`], [`schema`] (columns, dtypes, dates),
//!    [`text`] (number formatting, escaping, hex), [`atomic`] (safe writes
//!    and names);
//! 2. [`ingest`] → [`normalise`] → [`store`] (and [`dedup`]) → [`query`] (and [`gen`]) →
//!    [`render`] (tables and charts; no polars);
//! 3. [`pipeline`] (inputs → prepared incidents, the steps every command
//!    runs), [`config`] (`sitrep.toml` as typed settings), [`report`]
//!    (`report` and `weekly` runs).
//!
//! The `sitrep` binary's `cli` module only turns flags into the same typed
//! values a config gives ([`pipeline::Inputs`], [`query::QueryDef`]) and
//! calls these.
//!
//! ```
//! use sitrep::ingest::{load_incidents, LoadOptions};
//! use sitrep::schema::col;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("tracker.csv");
//! std::fs::write(&path, "date,actor,weapon,fatalities\n\
//!     2024-01-28,Islamic Resistance in Iraq,drone,3\n\
//!     2024-01-29,Kataib Hezbollah,rocket,\n\
//!     2024-02-30,Kataib Hezbollah,rocket,0\n").unwrap();
//! let loaded = load_incidents(&[path], &LoadOptions::default()).unwrap();
//! assert_eq!((loaded.read(), loaded.accepted(), loaded.rejected()), (3, 2, 1));
//! assert_eq!(loaded.rejects[0].row, 3);              // 2024-02-30 is not a date
//! let fatalities = loaded.frame.column(col::FATALITIES).unwrap().i64().unwrap();
//! assert_eq!(fatalities.get(1), None);                // unknown stays unknown
//! ```
#![warn(missing_docs)]

pub mod atomic;
pub mod config;
pub mod dedup;
pub mod error;
pub mod gen;
pub mod ingest;
pub mod normalise;
pub mod pipeline;
pub mod query;
pub mod render;
pub mod report;
pub mod schema;
pub mod sql;
pub mod store;
pub mod text;

pub use error::{Error, ErrorKind, Result};

/// Running lazy polars queries.
pub(crate) trait Run {
    /// Collect on polars' streaming engine: it reads Parquet and in-memory
    /// frames in batches, so a query over a large store needs memory for its
    /// result and working set only, and it measured 2× faster than the
    /// in-memory engine on sitrep's queries (see README, Performance).
    fn run(self) -> polars::prelude::PolarsResult<polars::prelude::DataFrame>;
}

impl Run for polars::prelude::LazyFrame {
    fn run(self) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
        use polars::prelude::Engine;
        use polars_core::query_result::QueryResult;
        match self.collect_with_engine(Engine::Streaming)? {
            QueryResult::Single(df) => Ok(df),
            QueryResult::Multiple(_) => {
                Err(polars::prelude::polars_err!(ComputeError: "internal: one query gave several results"))
            }
        }
    }
}
