//! A small owned result table: what every renderer (terminal, CSV, JSON,
//! Markdown, charts) consumes. No polars types cross this boundary.

use chrono::NaiveDate;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Unknown or not applicable (blank in CSV, null in JSON).
    Null,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A decimal, shown with this many decimals.
    Float(f64, usize),
    /// A period: its first day (CSV/JSON) and a label for people (`2024-W05`).
    Period(NaiveDate, String),
    /// A date.
    Date(NaiveDate),
    /// Yes or no (`true`/`false` in CSV and JSON, "yes" or blank for people).
    Bool(bool),
}

/// A result table with notes that must travel with it (what was not counted, and why).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
    /// Sentences a reader needs to interpret the numbers.
    pub notes: Vec<String>,
    /// Names of the group columns (an empty cell there means an unknown value).
    pub group_columns: Vec<String>,
}

impl Table {
    /// Index of a column by name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The group of a row: its values in the `by` columns, `None` where unknown.
    pub fn group_of(&self, by: &[String], row: &[Cell]) -> Vec<Option<String>> {
        by.iter()
            .filter_map(|b| self.index(b))
            .map(|i| match &row[i] {
                Cell::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    /// The integer values of a column (`None` for nulls and non-integers).
    pub fn ints(&self, name: &str) -> Vec<Option<i64>> {
        let Some(i) = self.index(name) else { return Vec::new() };
        self.rows.iter().map(|r| if let Cell::Int(v) = r[i] { Some(v) } else { None }).collect()
    }
}
