//! The native tracker layout: the canonical column names themselves, or the
//! names analysts give them in their own sheets ([`SYNONYMS`]: `Claimed by`,
//! `Killed`, `Target/Base`…), matched case- and punctuation-insensitively.
//! Only `date` is required; `date_precision` (day/week/month/year) defaults
//! to day when the column is absent.

use std::path::Path;

use super::layout::{Header, Layout, Rule};
use super::parse::DateFormat;
use crate::error::Result;
use crate::schema::{col, ColumnType, DatePrecision, CANONICAL};

/// Header names a tracker sheet uses for canonical columns, besides the
/// canonical name itself, in order of preference.
pub const SYNONYMS: &[(&str, &[&str])] = &[
    (col::DATE, &["event date", "incident date", "attack date"]),
    (col::ACTOR, &["claimed by", "claimant", "perpetrator", "group", "attacker", "responsible"]),
    (col::TARGET, &["target", "base", "facility", "target base"]),
    (col::TARGET_TYPE, &["target type"]),
    (col::FATALITIES, &["killed", "deaths", "dead", "fatalities"]),
    (col::INJURED, &["wounded", "injured", "injuries"]),
    (col::ADMIN1, &["province", "governorate", "region", "state"]),
    (col::SOURCE, &["source", "source url", "link", "url"]),
    (col::LOCATION, &["location", "place", "site", "city"]),
    (col::WEAPON, &["weapon", "means", "method", "munition"]),
    (col::NOTES, &["notes", "description", "details"]),
    (col::CLAIMED, &["claim", "claim status", "responsibility claimed"]),
];

/// What a tracker writes in its "Claimed by" column for no claim: no group.
pub const NO_CLAIM: &[&str] =
    &["unclaimed", "none", "no claim", "not claimed", "no one", "nobody", "n/a", "-", "unknown"];

/// Header names (as [`normalise_name`] gives them) of a column saying who
/// is blamed for an unclaimed attack ("they have not been claimed, but the
/// United States has blamed Iranian-backed groups"). Kept beside `actor`
/// under its own name; it makes an unclaimed incident `attributed`.
pub const ATTRIBUTION: &[&str] = &["attributed to", "attributed", "blamed on", "attribution", "blamed"];

/// Whether a source column says who is blamed ([`ATTRIBUTION`]).
pub fn is_attribution(name: &str) -> bool {
    ATTRIBUTION.contains(&normalise_name(name).as_str())
}

/// Header names (as [`normalise_name`] gives them) of a column naming the claimant.
const CLAIMANT: &[&str] = &["claimed by", "claimant"];

/// A header name as matched: lower case, punctuation as spaces, one space between words.
pub fn normalise_name(name: &str) -> String {
    name.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The source column feeding canonical column `c`: its own name, else the
/// first synonym present (both compared as [`normalise_name`] gives them).
pub fn find(columns: &[String], c: &str) -> Option<usize> {
    let names: Vec<String> = columns.iter().map(|n| normalise_name(n)).collect();
    let synonyms = SYNONYMS.iter().find(|(k, _)| *k == c).map_or(&[][..], |(_, s)| *s);
    std::iter::once(normalise_name(c))
        .chain(synonyms.iter().map(|s| s.to_string()))
        .find_map(|want| names.iter().position(|n| *n == want))
}

/// Whether a header is the native layout: a `date` column and at least one
/// of the columns a tracker keeps (by name or synonym).
pub fn recognise(h: &Header<'_>) -> bool {
    let columns = h.names();
    find(columns, col::DATE).is_some()
        && [col::ACTOR, col::TARGET, col::TARGET_TYPE, col::WEAPON, col::FATALITIES, col::LOCATION]
            .iter()
            .any(|c| find(columns, c).is_some())
}

/// Precision names accepted in a native `date_precision` column.
pub fn precision_codes() -> Vec<(String, DatePrecision)> {
    DatePrecision::ALL.iter().map(|p| (p.as_str().to_string(), *p)).collect()
}

/// Build the layout from the header.
pub fn layout(path: &Path, columns: Vec<String>) -> Result<Layout> {
    let h = Header::new(path, &columns);
    if find(&columns, col::DATE).is_none() {
        h.require("native", &[col::DATE])?;
    }
    Ok(guess("native (sitrep tracker layout)", columns))
}

/// The native rules for whichever columns a header names (by canonical name
/// or synonym), with no column required: the starting point of a mapping
/// for a file no preset recognises (`check --emit-mapping`).
pub fn guess(description: &str, columns: Vec<String>) -> Layout {
    let mut l = Layout::new(description, true, columns.clone());
    let mut used = Vec::new();
    for (c, ty) in CANONICAL {
        // A column feeds one canonical field (the first that names it).
        let Some(i) = find(&columns, c).filter(|i| !used.contains(i)) else { continue };
        used.push(i);
        let rule = match (*c, ty) {
            (col::DATE_PRECISION, _) => Rule::Precision { idx: i, codes: precision_codes() },
            (_, ColumnType::Date) => Rule::Date { idx: i, formats: vec![DateFormat::Iso, DateFormat::Spreadsheet] },
            (_, ColumnType::Int) => Rule::Count { idx: i, unknown: vec![], approx: true },
            (col::LATITUDE, _) => Rule::Coord { idx: i, limit: 90.0 },
            (_, ColumnType::Float) => Rule::Coord { idx: i, limit: 180.0 },
            (_, ColumnType::Text) => Rule::Text { idx: i, recode: None },
        };
        l.rule(c, rule);
    }
    if find(&columns, col::DATE_PRECISION).is_none() {
        l.rule(col::DATE_PRECISION, Rule::Const(DatePrecision::Day.as_str().into()));
    }
    // A "Claimed by" column: its group is the actor, and whether it names one is the claim.
    let claimant = columns.iter().position(|n| CLAIMANT.contains(&normalise_name(n).as_str()));
    if let Some(i) = claimant.filter(|i| l.rule_for(col::ACTOR).is_some_and(|r| r.sources() == [*i])) {
        let recode: super::layout::Recode = NO_CLAIM.iter().map(|n| (n.to_string(), None)).collect();
        l.rule(col::ACTOR, Rule::Text { idx: i, recode: Some(recode) });
        if l.rule_for(col::CLAIMED).is_none() {
            l.rule(col::CLAIMED, Rule::ClaimedBy { idx: i });
        }
    }
    l.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_headers_match_by_synonym_whatever_the_case_and_punctuation() {
        let cols: Vec<String> = [
            "Date",
            "Location",
            "Province",
            "Country",
            "Target/Base",
            "Weapon",
            "Claimed by",
            "Killed",
            "Wounded",
            "Source URL",
            "Notes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let at = |c: &str| find(&cols, c).map(|i| cols[i].as_str());
        assert_eq!(at(col::ACTOR), Some("Claimed by"));
        assert_eq!(at(col::TARGET), Some("Target/Base"));
        assert_eq!(at(col::FATALITIES), Some("Killed"));
        assert_eq!(at(col::INJURED), Some("Wounded"));
        assert_eq!(at(col::ADMIN1), Some("Province"));
        assert_eq!(at(col::SOURCE), Some("Source URL"));
        assert_eq!(at(col::TARGET_TYPE), None);
        assert_eq!(normalise_name("  Target / BASE "), "target base");
    }
}
