//! `manifest.json` of a weekly report: the tool, the week, the config's and
//! every input's SHA-256 with its row counts, and every output file's
//! SHA-256 and size, so a report can be checked and reproduced.

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::error::Result;
use crate::ingest::FileSummary;
use crate::query::weekly::Week;
use crate::text::hex;

/// One input file in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct InputEntry {
    /// Path as given in the config.
    pub path: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Rows read, accepted, rejected.
    pub rows: (u64, u64, u64),
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Layout version.
    pub schema_version: u32,
    /// Tool name and version.
    pub tool: String,
    /// Report week label.
    pub week: String,
    /// Week dates.
    pub window: Week,
    /// Data cutoff (last date in the input).
    pub data_last_date: Option<chrono::NaiveDate>,
    /// Config path and hash.
    pub config: (String, String),
    /// Inputs.
    pub inputs: Vec<InputEntry>,
    /// Output files: name, SHA-256, bytes.
    pub files: Vec<(String, String, usize)>,
}

/// Hash inputs for the manifest (paths as configured, so manifests match across machines).
pub fn input_entries(cfg: &Config, inputs: &[FileSummary]) -> Result<Vec<InputEntry>> {
    cfg.data
        .files
        .iter()
        .zip(inputs)
        .map(|(given, f)| {
            Ok(InputEntry {
                path: given.display().to_string(),
                sha256: sha256_file(&f.path)?,
                rows: (f.read, f.accepted, f.rejected),
            })
        })
        .collect()
}

/// SHA-256 of a file, read in pieces (an input can be larger than memory).
pub fn sha256_file(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| crate::Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hex(&hash.finalize()))
}
