//! ACLED: the current 31-column export (`event_id_cnty,event_date,…,timestamp`)
//! and older upper-case exports (`EVENT_ID_CNTY,…,FATALITIES`), with dates as
//! `2022-12-28`, `28 December 2022` or `01-January-2015`.
//! actor1 → actor, actor2 → target, inter2 → target type (the target's kind;
//! the taxonomy refines it by the notes and the target's alias),
//! sub_event_type → weapon (the taxonomy refines air strikes and shelling by
//! the notes), event_type → event_type (and so event_class),
//! time_precision → date precision.

use std::path::Path;

use super::layout::{Header, Layout, Rule};
use super::parse::DateFormat;
use crate::error::Result;
use crate::schema::{col, DatePrecision};

/// Whether a header is an ACLED export (any case).
pub fn recognise(h: &Header<'_>) -> bool {
    h.has_all(&["event_id_cnty", "event_date"]) || h.has_all(&["event_date", "actor1", "fatalities"])
}

/// Date formats seen in ACLED exports, most common first, then what a
/// spreadsheet writes when the export is re-saved (`9-May-20`, `5/9/2020`,
/// `31/12/2019`: the day/month order is decided per file from its values).
pub fn date_formats() -> Vec<DateFormat> {
    vec![
        DateFormat::Iso,
        DateFormat::Pattern("%d %B %Y".into()),
        DateFormat::Pattern("%d-%B-%Y".into()),
        DateFormat::Spreadsheet,
    ]
}

/// ACLED `time_precision`: 1 day, 2 week, 3 month.
pub fn precision_codes() -> Vec<(String, DatePrecision)> {
    [("1", DatePrecision::Day), ("2", DatePrecision::Week), ("3", DatePrecision::Month)]
        .into_iter()
        .map(|(c, p)| (c.to_string(), p))
        .collect()
}

/// ACLED `inter1`/`inter2` codes as the names current exports write (0: no actor).
pub fn inter_codes() -> super::layout::Recode {
    [
        ("0", None),
        ("1", Some("State forces")),
        ("2", Some("Rebel group")),
        ("3", Some("Political militia")),
        ("4", Some("Identity militia")),
        ("5", Some("Rioters")),
        ("6", Some("Protesters")),
        ("7", Some("Civilians")),
        ("8", Some("External/Other forces")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
    .collect()
}

/// Build the layout from the header.
pub fn layout(path: &Path, columns: Vec<String>) -> Result<Layout> {
    let h = Header::new(path, &columns);
    let p = "acled";
    let upper = columns.iter().any(|c| c == "EVENT_DATE");
    let name = match (upper, columns.len()) {
        (true, _) => "acled (older upper-case export)".to_string(),
        (false, 31) => "acled (31-column export)".to_string(),
        (false, n) => format!("acled ({n}-column export)"),
    };
    let text = |i| Rule::Text { idx: i, recode: None };
    let mut l = Layout::new(name, true, columns.clone());
    l.rule(col::DATE, Rule::Date { idx: h.require(p, &["event_date"])?, formats: date_formats() })
        .rule(col::ACTOR, text(h.require(p, &["actor1"])?))
        .rule(col::FATALITIES, Rule::Count { idx: h.require(p, &["fatalities"])?, unknown: vec![], approx: false });
    if let Some(i) = h.find(&["time_precision"]) {
        l.rule(col::DATE_PRECISION, Rule::Precision { idx: i, codes: precision_codes() });
    } else {
        l.rule(col::DATE_PRECISION, Rule::Const(DatePrecision::Day.as_str().into()));
    }
    // The target's kind: `inter2` as a code (older exports) or as text.
    if let Some(i) = h.find(&["inter2"]) {
        l.rule(col::TARGET_TYPE, Rule::Text { idx: i, recode: Some(inter_codes()) });
    }
    for (c, names) in [
        (col::INCIDENT_ID, &["event_id_cnty"][..]),
        (col::TARGET, &["actor2"]),
        (col::EVENT_TYPE, &["event_type"]),
        (col::WEAPON, &["sub_event_type"]),
        (col::COUNTRY, &["country"]),
        (col::ADMIN1, &["admin1"]),
        (col::LOCATION, &["location"]),
        (col::SOURCE, &["source"]),
        (col::NOTES, &["notes"]),
    ] {
        if let Some(i) = h.find(names) {
            l.rule(c, text(i));
        }
    }
    for (c, name, limit) in [(col::LATITUDE, "latitude", 90.0), (col::LONGITUDE, "longitude", 180.0)] {
        if let Some(i) = h.find(&[name]) {
            l.rule(c, Rule::Coord { idx: i, limit });
        }
    }
    Ok(l.finish())
}
