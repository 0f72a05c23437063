//! Canonical views over big sources and the mapping table they join.

use super::Dialect;
use crate::error::{Error, Result};
use crate::ingest::Preset;

/// `CREATE VIEW view AS SELECT …` mapping a source table in `preset`'s own
/// layout (GDELT events, ACLED, UCDP GED) to sitrep's canonical schema, as
/// the preset maps a file locally.
pub fn view_sql(preset: Preset, dialect: Dialect, source_table: &str, view: &str) -> Result<String> {
    let _ = (dialect, source_table, view);
    Err(Error::Usage(format!("no canonical view for {preset:?} yet")))
}

/// The alias and taxonomy tables as `CREATE TABLE` + `INSERT … VALUES`.
pub fn mapping_table_sql(dialect: Dialect, table: &str) -> Result<String> {
    let _ = (dialect, table);
    Err(Error::Usage("no mapping table yet".into()))
}

/// The alias and taxonomy tables as CSV (to load into a table).
pub fn mapping_table_csv() -> Result<String> {
    Err(Error::Usage("no mapping table yet".into()))
}
