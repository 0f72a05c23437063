//! The integration test binary: library-level ingest tests and CLI tests.

mod charts;
mod classification;
mod cli;
mod comparisons;
mod dedup;
mod engines;
mod fuzz;
mod hostile;
mod ingest;
mod ingest_props;
mod layers;
mod normalise;
mod page;
mod parallel;
mod publication;
mod query;
mod query_props;
mod quiet_weeks;
mod real_files;
mod regressions;
mod stream;
mod weekly;

use std::path::PathBuf;

/// A file under the repository root.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A fixture under tests/data.
pub fn fixture(name: &str) -> PathBuf {
    repo("tests/data").join(name)
}
