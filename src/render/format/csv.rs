//! Comma-separated values for machines: ISO dates, no separators, and
//! (unless `safe` is off) text a spreadsheet would run as a formula defused.

use super::cells::machine;
use super::Writer;
use crate::query::table::{Cell, Table};
use crate::text::neutralise;

/// The CSV writer.
pub struct Csv {
    /// Give text cells starting with `=`, `+`, `-`, `@`, tab or CR a leading `'`.
    pub safe: bool,
}

impl Writer for Csv {
    fn table(&self, t: &Table) -> String {
        csv_text(t, self.safe)
    }
}

fn csv_text(t: &Table, safe: bool) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let header: Vec<String> =
        t.columns.iter().map(|c| if safe { neutralise(c).into_owned() } else { c.clone() }).collect();
    let _ = w.write_record(&header);
    for r in &t.rows {
        let _ = w.write_record(r.iter().map(|c| match c {
            Cell::Text(s) if safe => neutralise(s).into_owned(),
            other => machine(other),
        }));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
