//! Aligned columns for a terminal: labels, thousands separators, numbers
//! right-aligned, notes below.

use std::fmt::Write as _;

use super::cells::{human_cells, is_number};
use super::Writer;
use crate::query::table::Table;

/// The terminal table writer.
pub struct Terminal;

impl Writer for Terminal {
    fn table(&self, t: &Table) -> String {
        terminal(t)
    }
}

fn terminal(t: &Table) -> String {
    let cells = human_cells(t);
    let widths: Vec<usize> = (0..t.columns.len())
        .map(|i| cells.iter().map(|r| r[i].chars().count()).chain([t.columns[i].chars().count()]).max().unwrap_or(0))
        .collect();
    let numeric: Vec<bool> = (0..t.columns.len()).map(|i| t.rows.iter().any(|r| is_number(&r[i]))).collect();
    let mut out = String::new();
    let line = |row: &[String], out: &mut String| {
        let parts: Vec<String> = row
            .iter()
            .enumerate()
            .map(
                |(i, v)| if numeric[i] { format!("{v:>w$}", w = widths[i]) } else { format!("{v:<w$}", w = widths[i]) },
            )
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(&t.columns, &mut out);
    line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(), &mut out);
    for r in &cells {
        line(r, &mut out);
    }
    for n in &t.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}
