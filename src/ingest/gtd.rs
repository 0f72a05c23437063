//! Global Terrorism Database: the 135-column layout (`eventid,iyear,imonth,iday,…`).
//! `imonth`/`iday` of 0 mean unknown: the date is set to the first of the
//! month (or year) and `date_precision` says month (or year), so the row is
//! neither dropped nor given an invented day.
//! gname → actor, target1 → target, targtype1_txt → target_type,
//! weaptype1_txt → weapon, attacktype1_txt → event_type, nkill → fatalities,
//! nwound → injured, claimed (1/0/-9) → claimed/unclaimed/unknown.

use std::path::Path;

use super::layout::{Header, Layout, Recode, Rule};
use crate::error::Result;
use crate::schema::col;

/// Whether a header is GTD: the date parts with the event id, or (a subset
/// saved without the id) with the group name.
pub fn recognise(h: &Header<'_>) -> bool {
    h.has_all(&["iyear", "imonth", "iday"]) && (h.has_all(&["eventid"]) || h.has_all(&["gname"]))
}

/// GTD writes -99 (and -9) for "unknown" in numeric fields.
const UNKNOWN: [&str; 4] = ["-99", "-9", "-99.0", "-9.0"];

/// GTD's `gname` for an attack no group is known for: the unknown actor,
/// not a group called "Unknown" (the largest "group" of real GTD files).
pub const UNKNOWN_GROUP: &[&str] = &["Unknown"];

/// Build the layout from the header.
pub fn layout(path: &Path, columns: Vec<String>) -> Result<Layout> {
    let h = Header::new(path, &columns);
    let p = "gtd";
    let parts = [h.require(p, &["iyear"])?, h.require(p, &["imonth"])?, h.require(p, &["iday"])?];
    let text = |i| Rule::Text { idx: i, recode: None };
    let unknown: Vec<String> = UNKNOWN.iter().map(|s| s.to_string()).collect();
    let mut l = Layout::new(format!("gtd ({}-column layout)", columns.len()), true, columns.clone());
    // A subset without eventid gets ids from each row's content (as any file without ids).
    if let Some(i) = h.find(&["eventid"]) {
        l.rule(col::INCIDENT_ID, text(i));
    }
    l.rule(col::DATE, Rule::DateParts { parts })
        .rule(col::DATE_PRECISION, Rule::PartsPrecision { parts })
        .rule(col::ACTOR, Rule::text_with_unknown(h.require(p, &["gname"])?, UNKNOWN_GROUP));
    for (c, names) in [
        (col::COUNTRY, &["country_txt"][..]),
        (col::ADMIN1, &["provstate"]),
        (col::LOCATION, &["city"]),
        (col::TARGET, &["target1"]),
        (col::TARGET_TYPE, &["targtype1_txt"]),
        (col::EVENT_TYPE, &["attacktype1_txt"]),
        (col::SOURCE, &["scite1"]),
        (col::NOTES, &["summary"]),
    ] {
        if let Some(i) = h.find(names) {
            l.rule(c, text(i));
        }
    }
    // The weapon subtype where given ("Projectile (rockets, mortars, RPGs, etc.)"), else the type.
    let weapon: Vec<usize> = ["weapsubtype1_txt", "weaptype1_txt"].iter().filter_map(|n| h.find(&[*n])).collect();
    match weapon[..] {
        [] => {}
        [one] => {
            l.rule(col::WEAPON, text(one));
        }
        _ => {
            l.rule(col::WEAPON, Rule::FirstOf { idxs: weapon });
        }
    }
    for (c, name) in [(col::FATALITIES, "nkill"), (col::INJURED, "nwound")] {
        if let Some(i) = h.find(&[name]) {
            l.rule(c, Rule::Count { idx: i, unknown: unknown.clone(), approx: false });
        }
    }
    for (c, name, limit) in [(col::LATITUDE, "latitude", 90.0), (col::LONGITUDE, "longitude", 180.0)] {
        if let Some(i) = h.find(&[name]) {
            l.rule(c, Rule::Coord { idx: i, limit });
        }
    }
    if let Some(i) = h.find(&["claimed"]) {
        let recode: Recode = [
            ("1", Some("claimed")),
            ("0", Some("unclaimed")),
            ("-9", None),
            ("1.0", Some("claimed")),
            ("0.0", Some("unclaimed")),
            ("-9.0", None),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect();
        l.rule(col::CLAIMED, Rule::Text { idx: i, recode: Some(recode) });
    }
    Ok(l.finish())
}
