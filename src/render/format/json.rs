//! JSON: a table as `columns`, `rows` and `notes`; the weekly summary as
//! its fields (`summary.json`, layout version in `schema_version`).

use super::cells::machine;
use super::Writer;
use crate::query::table::{Cell, Table};
use crate::query::weekly::WeeklySummary;
use crate::text::decimal;

/// The JSON writer.
pub struct Json;

impl Writer for Json {
    fn table(&self, t: &Table) -> String {
        json_text(t)
    }

    fn weekly(&self, s: &WeeklySummary) -> Option<String> {
        let mut t = serde_json::to_string_pretty(s).unwrap_or_default();
        t.push('\n');
        Some(t)
    }
}

fn json_value(c: &Cell) -> serde_json::Value {
    use serde_json::Value;
    match c {
        Cell::Null => Value::Null,
        Cell::Int(v) => Value::from(*v),
        Cell::Bool(b) => Value::Bool(*b),
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
