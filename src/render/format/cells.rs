//! Cells as text, shared by the writers: for machines (ISO dates, no
//! separators) and for people (labels, separators, "(unknown)" groups).

use crate::query::table::{Cell, Table};
use crate::text::{decimal, signed};

/// Text for machines (CSV, JSON): no thousands separators, ISO dates.
pub(crate) fn machine(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Int(v) => v.to_string(),
        Cell::Float(v, d) => decimal(*v, *d),
        Cell::Period(d, _) | Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::Bool(b) => b.to_string(),
    }
}

/// Text for people: separators, period labels, "(unknown)" for unknown groups.
pub(crate) fn human(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Int(v) => signed(*v),
        Cell::Float(v, d) => decimal(*v, *d),
        Cell::Period(_, label) => label.clone(),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::Bool(b) => if *b { "yes" } else { "" }.to_string(),
    }
}

pub(crate) fn is_number(c: &Cell) -> bool {
    matches!(c, Cell::Int(_) | Cell::Float(..))
}

pub(crate) fn group_columns(t: &Table) -> Vec<bool> {
    t.columns.iter().map(|c| t.group_columns.contains(c)).collect()
}

pub(crate) fn human_cells(t: &Table) -> Vec<Vec<String>> {
    let texty = group_columns(t);
    t.rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| if matches!(c, Cell::Null) && texty[i] { "(unknown)".into() } else { human(c) })
                .collect()
        })
        .collect()
}
