//! Output formats for tables and the weekly summary: aligned text for the
//! terminal, CSV, JSON and Markdown, one file each behind one small trait,
//! [`Writer`] (as hyperfine's `Exporter`). Every format writes the same
//! cells; numbers go through [`crate::text`]. Adding a format (HTML) is one
//! file implementing [`Writer`] and one [`OutputFormat`] variant.
//!
//! CSV and JSON write a period as the ISO date of its first day; the terminal
//! and Markdown show its label (`2024-W05`). Notes travel with the table: below
//! it in the terminal and Markdown, under `"notes"` in JSON; CSV has none
//! (the caller prints them to stderr so the CSV stays machine-readable).

pub mod cells;
pub mod csv;
pub mod json;
pub mod markdown;
pub mod terminal;

use crate::query::table::Table;
use crate::query::weekly::WeeklySummary;

/// An output format for tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned columns for a terminal.
    Table,
    /// Comma-separated values; text cells a spreadsheet would run as a
    /// formula are neutralised (see [`crate::text::neutralise`]).
    Csv,
    /// Comma-separated values exactly as the data has them (`--no-csv-escape`).
    CsvRaw,
    /// A JSON object with `columns`, `rows` and `notes`.
    Json,
    /// A GitHub-flavoured Markdown table.
    Markdown,
}

/// The names of the file formats a config's `[[table]]` can write.
pub const FILE_CHOICES: &str = "csv, json, md";

impl OutputFormat {
    /// A file format by its name in a config (`csv`, `json`, `md`).
    pub fn parse_file(name: &str) -> Result<Self, String> {
        match name {
            "csv" => Ok(OutputFormat::Csv),
            "json" => Ok(OutputFormat::Json),
            "md" => Ok(OutputFormat::Markdown),
            other => Err(format!("{other:?} (choose from {FILE_CHOICES})")),
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Table => "txt",
            OutputFormat::Csv | OutputFormat::CsvRaw => "csv",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "md",
        }
    }

    /// The writer of this format.
    pub fn writer(self) -> &'static dyn Writer {
        match self {
            OutputFormat::Table => &terminal::Terminal,
            OutputFormat::Csv => &csv::Csv { safe: true },
            OutputFormat::CsvRaw => &csv::Csv { safe: false },
            OutputFormat::Json => &json::Json,
            OutputFormat::Markdown => &markdown::Markdown,
        }
    }
}

/// One output format.
pub trait Writer: Sync {
    /// A result table with its notes.
    fn table(&self, t: &Table) -> String;

    /// The weekly summary; `None` when the format has none (only Markdown
    /// and JSON do: `summary.md`, `summary.json`).
    fn weekly(&self, _summary: &WeeklySummary) -> Option<String> {
        None
    }
}

/// Render `t` in `format`.
pub fn render_table(t: &Table, format: OutputFormat) -> String {
    format.writer().table(t)
}
