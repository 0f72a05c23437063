//! UCDP GED: the 49-column global layout, the 41-column country files
//! (e.g. GED Syria), and headerless files in either column order (candidate
//! event files). side_a → actor, side_b → target, best → fatalities with
//! low/high kept, date_prec → date precision.

use std::path::Path;

use super::layout::{Header, Layout, Recode, Rule};
use super::parse::DateFormat;
use crate::error::Result;
use crate::schema::{col, DatePrecision};

/// The 49 columns of GED Global (19.1 to 23.1), in file order.
pub const GED_GLOBAL: &[&str] = &[
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
];

/// The 41 columns of the GED country files (GED Syria 2016-2019), in file order.
pub const GED_COUNTRY: &[&str] = &[
    "id",
    "year",
    "active_year",
    "type_of_violence",
    "conflict_new_id",
    "conflict_name",
    "dyad_new_id",
    "dyad_name",
    "side_a_new_id",
    "side_a",
    "side_b_new_id",
    "gwnob",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "low",
    "best",
    "high",
];

/// GED writes ISO dates; a file re-saved by a spreadsheet has its forms.
fn formats() -> Vec<DateFormat> {
    vec![DateFormat::Iso, DateFormat::Spreadsheet]
}

/// Whether a header is UCDP GED.
pub fn recognise(h: &Header<'_>) -> bool {
    h.has_all(&["date_start", "side_a", "side_b"])
}

/// A headerless first record in one of the GED column orders: the known
/// number of fields with ISO dates where `date_start` and `date_end` stand.
pub fn headerless_columns(first: &[String]) -> Option<&'static [&'static str]> {
    [GED_GLOBAL, GED_COUNTRY].into_iter().find(|cols| {
        let at = |name: &str| cols.iter().position(|c| *c == name).and_then(|i| first.get(i));
        first.len() == cols.len()
            && [at("date_start"), at("date_end")]
                .iter()
                .all(|v| v.is_some_and(|v| super::parse::parse_date(v, &[DateFormat::Iso]).is_ok()))
    })
}

/// UCDP's `date_prec`: 1 exact day; 2 within 2-6 days; 3 within a week;
/// 4 within the month; 5 within the year (GED codebook 19.1, section 3.6).
pub fn precision_codes() -> Vec<(String, DatePrecision)> {
    use DatePrecision::*;
    [("1", Day), ("2", Week), ("3", Week), ("4", Month), ("5", Year)]
        .into_iter()
        .map(|(c, p)| (c.to_string(), p))
        .collect()
}

/// Build the layout; `columns` are the header fields, or a GED column list when headerless.
pub fn layout(path: &Path, columns: Vec<String>, has_header: bool) -> Result<Layout> {
    let h = Header::new(path, &columns);
    let p = "ucdp";
    let name = match columns.len() {
        49 => "ucdp (GED 49-column global layout)",
        41 => "ucdp (GED 41-column country layout)",
        _ => "ucdp (GED layout)",
    };
    let text = |i| Rule::Text { idx: i, recode: None };
    let mut l = Layout::new(
        if has_header { name.to_string() } else { format!("{name}, no header") },
        has_header,
        columns.clone(),
    );
    let violence: Recode = [("1", "state-based"), ("2", "non-state"), ("3", "one-sided")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect();
    l.rule(col::INCIDENT_ID, text(h.require(p, &["id"])?))
        .rule(col::DATE, Rule::Date { idx: h.require(p, &["date_start"])?, formats: formats() })
        .rule(col::ACTOR, text(h.require(p, &["side_a"])?))
        .rule(col::TARGET, text(h.require(p, &["side_b"])?))
        .rule(col::FATALITIES, Rule::Count { idx: h.require(p, &["best"])?, unknown: vec![], approx: false });
    if let Some(i) = h.find(&["date_end"]) {
        l.rule(col::DATE_END, Rule::Date { idx: i, formats: formats() });
    }
    if let Some(i) = h.find(&["date_prec"]) {
        l.rule(col::DATE_PRECISION, Rule::Precision { idx: i, codes: precision_codes() });
    }
    if let Some(i) = h.find(&["type_of_violence"]) {
        l.rule(col::EVENT_TYPE, Rule::Text { idx: i, recode: Some(violence) });
    }
    for (c, names) in [
        (col::COUNTRY, &["country"][..]),
        (col::ADMIN1, &["adm_1"]),
        (col::LOCATION, &["where_coordinates"]),
        (col::SOURCE, &["source_office"]),
        (col::NOTES, &["source_headline"]),
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
    for (c, name) in [(col::FATALITIES_LOW, "low"), (col::FATALITIES_HIGH, "high")] {
        if let Some(i) = h.find(&[name]) {
            l.rule(c, Rule::Count { idx: i, unknown: vec![], approx: false });
        }
    }
    Ok(l.finish())
}
