//! GDELT events: 1.0 (57 columns before April 2013, 58 with SOURCEURL) and 2.0
//! (61 columns: an ADM2 code after each ADM1 code). Tab-separated, no header
//! (a header row, as BigQuery exports have, is recognised too).
//! SQLDATE `YYYYMMDD` → date (day precision), Actor1 → actor and Actor2 →
//! target by their CAMEO codes and names ([`super::cameo`]; Actor2's role
//! codes → target type), EventCode (CAMEO) → event_type (and so
//! event_class), ActionGeo → place.
//! GDELT has no casualty counts: fatalities stay null (unknown), never 0.

use std::path::Path;

use super::layout::{Header, Layout, Rule};
use super::parse::DateFormat;
use crate::error::Result;
use crate::schema::{col, DatePrecision};

const ACTOR: &[&str] = &[
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
];
const EVENT: &[&str] = &[
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
];

/// GDELT column names for a file with `n` fields (57, 58 or 61).
pub fn columns(n: usize) -> Option<Vec<String>> {
    let v2 = match n {
        57 | 58 => false,
        61 => true,
        _ => return None,
    };
    let mut c: Vec<String> =
        ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"].iter().map(|s| s.to_string()).collect();
    for who in ["Actor1", "Actor2"] {
        c.extend(ACTOR.iter().map(|s| format!("{who}{s}")));
    }
    c.extend(EVENT.iter().map(|s| s.to_string()));
    for geo in ["Actor1Geo", "Actor2Geo", "ActionGeo"] {
        let mut parts = vec!["Type", "FullName", "CountryCode", "ADM1Code"];
        if v2 {
            parts.push("ADM2Code");
        }
        parts.extend(["Lat", "Long", "FeatureID"]);
        c.extend(parts.iter().map(|s| format!("{geo}_{s}")));
    }
    c.push("DATEADDED".into());
    if n >= 58 {
        c.push("SOURCEURL".into());
    }
    debug_assert_eq!(c.len(), n);
    Some(c)
}

/// Text read as unknown in GDELT's text columns: SQL exports write `NULL`.
pub const UNKNOWN_TEXT: &[&str] = &["NULL"];

/// Whether a header names GDELT columns.
pub fn recognise(h: &Header<'_>) -> bool {
    h.has_all(&["GLOBALEVENTID", "SQLDATE"])
}

/// Whether a headerless first record looks like a GDELT event: a known field
/// count, a numeric event id and an 8-digit SQLDATE.
pub fn looks_headerless(first: &[String]) -> bool {
    columns(first.len()).is_some()
        && first[0].bytes().all(|b| b.is_ascii_digit())
        && !first[0].is_empty()
        && super::parse::parse_date(&first[1], &[DateFormat::Compact]).is_ok()
}

/// Build the layout; `columns` are the header, or [`columns`] when headerless.
pub fn layout(path: &Path, columns: Vec<String>, has_header: bool) -> Result<Layout> {
    let h = Header::new(path, &columns);
    let p = "gdelt";
    let version = if columns.len() == 61 { "2.0" } else { "1.0" };
    let header = if has_header { "with header" } else { "no header" };
    // Events exported from BigQuery or another SQL client write NULL for an empty field.
    let text = |i| Rule::text_with_unknown(i, UNKNOWN_TEXT);
    let mut l =
        Layout::new(format!("gdelt {version} ({} columns, {header})", columns.len()), has_header, columns.clone());
    l.rule(col::INCIDENT_ID, text(h.require(p, &["GLOBALEVENTID"])?))
        .rule(col::DATE, Rule::Date { idx: h.require(p, &["SQLDATE"])?, formats: vec![DateFormat::Compact] })
        .rule(col::DATE_PRECISION, Rule::Const(DatePrecision::Day.as_str().into()));
    // Actors by their CAMEO codes where those say more than the name (see `cameo`).
    for (c, who) in [(col::ACTOR, "Actor1"), (col::TARGET, "Actor2")] {
        let idx = |part: &str| h.find(&[&format!("{who}{part}")]);
        match (idx("Code"), idx("KnownGroupCode"), idx("Name")) {
            (Some(code), Some(group), Some(name)) => {
                l.rule(c, Rule::Cameo { idxs: [code, group, name], as_target_type: false });
                if c == col::TARGET {
                    l.rule(col::TARGET_TYPE, Rule::Cameo { idxs: [code, group, name], as_target_type: true });
                }
            }
            (_, _, Some(name)) => {
                l.rule(c, text(name));
            }
            _ => {}
        }
    }
    for (c, name) in [
        (col::EVENT_TYPE, "EventCode"),
        (col::COUNTRY, "ActionGeo_CountryCode"),
        (col::ADMIN1, "ActionGeo_ADM1Code"),
        (col::LOCATION, "ActionGeo_FullName"),
        (col::SOURCE, "SOURCEURL"),
    ] {
        if let Some(i) = h.find(&[name]) {
            l.rule(c, text(i));
        }
    }
    for (c, name, limit) in [(col::LATITUDE, "ActionGeo_Lat", 90.0), (col::LONGITUDE, "ActionGeo_Long", 180.0)] {
        if let Some(i) = h.find(&[name]) {
            l.rule(c, Rule::Coord { idx: i, limit });
        }
    }
    // GDELT 1.0 back files mix rows of 57 fields (before SOURCEURL was added) and 58.
    if columns.len() == 58 && columns.last().is_some_and(|c| c == "SOURCEURL") {
        l.optional_trailing = 1;
    }
    Ok(l.finish())
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_lists_have_the_documented_lengths_and_names() {
        let v1 = super::columns(58).unwrap();
        assert_eq!(v1[26], "EventCode");
        assert_eq!(v1[57], "SOURCEURL");
        let v2 = super::columns(61).unwrap();
        assert_eq!(v2.len(), 61);
        assert_eq!(v2[52], "ActionGeo_FullName");
        assert_eq!(v2[60], "SOURCEURL");
        assert_eq!(super::columns(57).unwrap().last().unwrap(), "DATEADDED");
        assert!(super::columns(60).is_none());
    }
}
