//! Tables as text: aligned for the terminal, CSV, JSON and Markdown. Every
//! format writes the same cells; numbers go through [`super::fmt`].
//!
//! CSV and JSON write a period as the ISO date of its first day; the terminal
//! and Markdown show its label (`2024-W05`). Notes travel with the table: below
//! it in the terminal and Markdown, under `"notes"` in JSON; CSV has none
//! (the caller prints them to stderr so the CSV stays machine-readable).

use std::fmt::Write as _;

use crate::query::table::{Cell, Table};

use super::fmt::{decimal, signed};

/// An output format for tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned columns for a terminal.
    Table,
    /// Comma-separated values; text cells a spreadsheet would run as a
    /// formula are neutralised (see [`neutralise`]).
    Csv,
    /// Comma-separated values exactly as the data has them (`--no-csv-escape`).
    CsvRaw,
    /// A JSON object with `columns`, `rows` and `notes`.
    Json,
    /// A GitHub-flavoured Markdown table.
    Markdown,
}

/// Text for machines (CSV, JSON): no thousands separators, ISO dates.
fn machine(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Int(v) => v.to_string(),
        Cell::Float(v, d) => decimal(*v, *d),
        Cell::Period(d, _) | Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// Text for people: separators, period labels, "(unknown)" for unknown groups.
fn human(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Int(v) => signed(*v),
        Cell::Float(v, d) => decimal(*v, *d),
        Cell::Period(_, label) => label.clone(),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

fn is_number(c: &Cell) -> bool {
    matches!(c, Cell::Int(_) | Cell::Float(..))
}

/// Render `t` in `format`.
pub fn render_table(t: &Table, format: OutputFormat) -> String {
    match format {
        OutputFormat::Table => terminal(t),
        OutputFormat::Csv => csv_text(t, true),
        OutputFormat::CsvRaw => csv_text(t, false),
        OutputFormat::Json => json_text(t),
        OutputFormat::Markdown => markdown(t),
    }
}

fn group_columns(t: &Table) -> Vec<bool> {
    t.columns.iter().map(|c| t.group_columns.contains(c)).collect()
}

fn human_cells(t: &Table) -> Vec<Vec<String>> {
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

/// Defuse a text cell for spreadsheets (OWASP, CSV injection): a value that
/// starts with `=`, `+`, `-`, `@`, tab or carriage return would be run as a
/// formula by Excel, LibreOffice or Sheets, so it gets a leading `'`, which
/// they show as text. Numbers are never text cells, so `-3` stays a number.
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
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

fn json_value(c: &Cell) -> serde_json::Value {
    use serde_json::Value;
    match c {
        Cell::Null => Value::Null,
        Cell::Int(v) => Value::from(*v),
        // Rounded as shown, so JSON and CSV carry the same number.
        Cell::Float(v, d) => decimal(*v, *d).parse::<f64>().map_or(Value::Null, Value::from),
        other => Value::from(machine(other)),
    }
}

fn json_text(t: &Table) -> String {
    let rows: Vec<serde_json::Value> = t
        .rows
        .iter()
        .map(|r| {
            let obj: serde_json::Map<String, serde_json::Value> =
                t.columns.iter().cloned().zip(r.iter().map(json_value)).collect();
            serde_json::Value::Object(obj)
        })
        .collect();
    let doc = serde_json::json!({ "columns": t.columns, "rows": rows, "notes": t.notes });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Escape a cell for a Markdown table: pipes, newlines and HTML cannot break out.
pub fn escape_markdown(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", " ")
        .replace(['\n', '\r'], " ")
}

fn markdown(t: &Table) -> String {
    let cells = human_cells(t);
    let numeric: Vec<bool> = (0..t.columns.len()).map(|i| t.rows.iter().any(|r| is_number(&r[i]))).collect();
    let mut out = String::new();
    let head: Vec<String> = t.columns.iter().map(|c| escape_markdown(c)).collect();
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let rule: Vec<&str> = numeric.iter().map(|n| if *n { "---:" } else { "---" }).collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for r in &cells {
        let row: Vec<String> = r.iter().map(|c| escape_markdown(c)).collect();
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    if !t.notes.is_empty() {
        out.push('\n');
        for n in &t.notes {
            let _ = writeln!(out, "> {}", escape_markdown(n));
        }
    }
    out
}
