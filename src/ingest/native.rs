//! The native tracker layout: the canonical column names themselves (any
//! case), for analysts who keep their own sheet. Only `date` is required;
//! `date_precision` (day/week/month/year) defaults to day when the column is absent.

use std::path::Path;

use super::layout::{Header, Layout, Rule};
use super::parse::DateFormat;
use crate::error::Result;
use crate::schema::{col, ColumnType, DatePrecision, CANONICAL};

/// Whether a header is the native layout: a `date` column and at least one
/// of the columns a tracker keeps.
pub fn recognise(h: &Header<'_>) -> bool {
    h.find(&[col::DATE]).is_some()
        && [col::ACTOR, col::TARGET_TYPE, col::WEAPON, col::FATALITIES, col::LOCATION]
            .iter()
            .any(|c| h.find(&[c]).is_some())
}

/// Precision names accepted in a native `date_precision` column.
pub fn precision_codes() -> Vec<(String, DatePrecision)> {
    DatePrecision::ALL.iter().map(|p| (p.as_str().to_string(), *p)).collect()
}

/// Build the layout from the header.
pub fn layout(path: &Path, columns: Vec<String>) -> Result<Layout> {
    let h = Header::new(path, &columns);
    let mut l = Layout::new("native (sitrep tracker layout)", true, columns.clone());
    h.require("native", &[col::DATE])?;
    for (c, ty) in CANONICAL {
        let Some(i) = h.find(&[c]) else { continue };
        let rule = match (*c, ty) {
            (col::DATE_PRECISION, _) => Rule::Precision { idx: i, codes: precision_codes() },
            (_, ColumnType::Date) => Rule::Date { idx: i, formats: vec![DateFormat::Iso, DateFormat::Spreadsheet] },
            (_, ColumnType::Int) => Rule::Count { idx: i, unknown: vec![] },
            (col::LATITUDE, _) => Rule::Coord { idx: i, limit: 90.0 },
            (_, ColumnType::Float) => Rule::Coord { idx: i, limit: 180.0 },
            (_, ColumnType::Text) => Rule::Text { idx: i, recode: None },
        };
        l.rule(c, rule);
    }
    if h.find(&[col::DATE_PRECISION]).is_none() {
        l.rule(col::DATE_PRECISION, Rule::Const(DatePrecision::Day.as_str().into()));
    }
    Ok(l.finish())
}
