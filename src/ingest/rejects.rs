//! The rejects file (`--rejects R.csv`): every rejected row with where it
//! came from, why, and its original record re-read from the source.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use csv::ByteRecord;

use super::loaded::{FileSummary, LoadOptions, Loaded};
use super::source::{self, Format};
use crate::error::{Error, Result};

/// Write rejected rows to a CSV file: where each came from, why it was
/// rejected, and the original record (re-read from the source, so nothing
/// of the row is lost). Written to a temporary name, then renamed. With
/// `safe`, text a spreadsheet would run as a formula gets a leading `'`
/// ([`crate::text::neutralise`]).
pub fn write_rejects(out: &Path, loaded: &Loaded, opts: &LoadOptions, safe: bool) -> Result<()> {
    let mut wanted: HashMap<&Path, BTreeSet<u64>> = HashMap::new();
    for r in &loaded.rejects {
        wanted.entry(r.file.as_path()).or_default().insert(r.row);
    }
    let mut records: HashMap<(&Path, u64), String> = HashMap::new();
    for f in &loaded.files {
        let Some(rows) = wanted.get(f.path.as_path()) else { continue };
        for (row, text) in raw_records(f, rows, opts)? {
            records.insert((f.path.as_path(), row), text);
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::io(out, std::io::Error::other(e));
    w.write_record(["file", "row", "line", "column", "value", "reason", "record"]).map_err(io)?;
    for r in &loaded.rejects {
        let record = records.get(&(r.file.as_path(), r.row)).cloned().unwrap_or_else(|| r.value.clone());
        let text = |s: String| if safe { crate::text::neutralise(&s).into_owned() } else { s };
        w.write_record([
            text(r.file.display().to_string()),
            r.row.to_string(),
            r.line.to_string(),
            text(r.column.clone().unwrap_or_default()),
            text(r.value.clone()),
            r.reason.clone(),
            text(record),
        ])
        .map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::io(out, std::io::Error::other(e.to_string())))?;
    crate::atomic::write_atomic(out, &bytes)
}

/// The original records of `rows` in one file, each re-serialised as one CSV line.
fn raw_records(f: &FileSummary, rows: &BTreeSet<u64>, opts: &LoadOptions) -> Result<Vec<(u64, String)>> {
    let mut reader = match f.format {
        Format::Parquet => {
            let df = source::read_parquet(&f.path)?;
            source::RecordReader::from_records(&f.path, source::parquet_records(&f.path, &df)?)
        }
        fmt => source::RecordReader::open(&f.path, fmt, opts.encoding_for(&f.path))?,
    };
    let mut rec = ByteRecord::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut row = if f.has_header { -1i64 } else { 0 };
    let last = rows.last().copied().unwrap_or(0);
    while let Some((_, problem)) = reader.next(&mut rec)? {
        row += 1;
        if row > last as i64 {
            break;
        }
        if row < 1 || problem.is_some() || !rows.contains(&(row as u64)) {
            continue;
        }
        let mut w =
            csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        let fields: Vec<String> = rec.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
        if w.write_record(&fields).is_ok() {
            let bytes = w.into_inner().unwrap_or_default();
            out.push((row as u64, String::from_utf8_lossy(&bytes).trim_end_matches('\n').to_string()));
        }
    }
    Ok(out)
}
