//! Aligned columns for a terminal: labels, thousands separators, numbers
//! right-aligned, notes below.

use std::fmt::Write as _;

use super::cells::{group_columns, human_cells, is_number};
use super::Writer;
use crate::query::table::Table;
use crate::text::ellipsis;

/// The terminal table writer.
pub struct Terminal;

impl Writer for Terminal {
    fn table(&self, t: &Table) -> String {
        terminal(t)
    }
}

/// Longest name shown in a terminal table; longer names end in "…" (as on
/// charts), so one long actor name does not push every number off screen.
pub const NAME_WIDTH: usize = 40;

fn terminal(t: &Table) -> String {
    let mut cells = human_cells(t);
    let groups = group_columns(t);
    let mut shortened = false;
    for row in &mut cells {
        for (i, v) in row.iter_mut().enumerate() {
            if groups[i] && v.chars().count() > NAME_WIDTH {
                *v = ellipsis(v, NAME_WIDTH);
                shortened = true;
            }
        }
    }
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
    if shortened {
        let _ = writeln!(
            out,
            "note: names longer than {NAME_WIDTH} characters are shortened with …; --format csv, json or md keeps them whole"
        );
    }
    out
}
