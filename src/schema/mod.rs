//! The canonical incident schema: column names, their types, and date precision.
//!
//! Every loader produces a frame whose first columns are exactly
//! [`CANONICAL`] in this order and with these types (nulls where the source has
//! no such field), followed by the source's other columns, kept by name as
//! text. Column names are used through the [`col`] constants, never as scattered
//! string literals. [`dates`] holds the date helpers every layer shares.

pub mod dates;

use std::fmt;
use std::str::FromStr;

/// Canonical column names.
pub mod col {
    /// The source's id, or a stable hash of the row when the source has none.
    pub const INCIDENT_ID: &str = "incident_id";
    /// Start date of the incident.
    pub const DATE: &str = "date";
    /// End date for multi-day events.
    pub const DATE_END: &str = "date_end";
    /// How precisely `date` is known: day, week, month or year.
    pub const DATE_PRECISION: &str = "date_precision";
    /// Country name.
    pub const COUNTRY: &str = "country";
    /// First-level administrative unit (province, governorate).
    pub const ADMIN1: &str = "admin1";
    /// Place name.
    pub const LOCATION: &str = "location";
    /// Latitude in degrees.
    pub const LATITUDE: &str = "latitude";
    /// Longitude in degrees.
    pub const LONGITUDE: &str = "longitude";
    /// Perpetrator or claimant.
    pub const ACTOR: &str = "actor";
    /// Parent group of the actor (the actor itself when it has none).
    pub const ACTOR_PARENT: &str = "actor_parent";
    /// Umbrella or front the actor belongs to ("Islamic Resistance in Iraq").
    pub const ACTOR_UMBRELLA: &str = "actor_umbrella";
    /// The actor or object attacked.
    pub const TARGET: &str = "target";
    /// Category of the target (base, embassy, convoy...).
    pub const TARGET_TYPE: &str = "target_type";
    /// Category of the weapon (rocket, drone, IED...).
    pub const WEAPON: &str = "weapon";
    /// The source's own event or attack type.
    pub const EVENT_TYPE: &str = "event_type";
    /// Deaths; null means unknown, never 0.
    pub const FATALITIES: &str = "fatalities";
    /// Low estimate of deaths where the source gives a range (UCDP `low`).
    pub const FATALITIES_LOW: &str = "fatalities_low";
    /// High estimate of deaths where the source gives a range (UCDP `high`).
    pub const FATALITIES_HIGH: &str = "fatalities_high";
    /// Wounded; null means unknown, never 0.
    pub const INJURED: &str = "injured";
    /// claimed / unclaimed / attributed / unverified.
    pub const CLAIMED: &str = "claimed";
    /// Provenance: where the report came from.
    pub const SOURCE: &str = "source";
    /// Free text.
    pub const NOTES: &str = "notes";
}

/// Storage type of a canonical column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    Text,
    /// Calendar date.
    Date,
    /// 64-bit signed integer.
    Int,
    /// 64-bit float.
    Float,
}

/// The canonical columns, in output order, with their types.
pub const CANONICAL: &[(&str, ColumnType)] = &[
    (col::INCIDENT_ID, ColumnType::Text),
    (col::DATE, ColumnType::Date),
    (col::DATE_END, ColumnType::Date),
    (col::DATE_PRECISION, ColumnType::Text),
    (col::COUNTRY, ColumnType::Text),
    (col::ADMIN1, ColumnType::Text),
    (col::LOCATION, ColumnType::Text),
    (col::LATITUDE, ColumnType::Float),
    (col::LONGITUDE, ColumnType::Float),
    (col::ACTOR, ColumnType::Text),
    (col::ACTOR_PARENT, ColumnType::Text),
    (col::ACTOR_UMBRELLA, ColumnType::Text),
    (col::TARGET, ColumnType::Text),
    (col::TARGET_TYPE, ColumnType::Text),
    (col::WEAPON, ColumnType::Text),
    (col::EVENT_TYPE, ColumnType::Text),
    (col::FATALITIES, ColumnType::Int),
    (col::FATALITIES_LOW, ColumnType::Int),
    (col::FATALITIES_HIGH, ColumnType::Int),
    (col::INJURED, ColumnType::Int),
    (col::CLAIMED, ColumnType::Text),
    (col::SOURCE, ColumnType::Text),
    (col::NOTES, ColumnType::Text),
];

/// Whether `name` is one of the canonical columns.
pub fn is_canonical(name: &str) -> bool {
    CANONICAL.iter().any(|(c, _)| *c == name)
}

/// Whether a canonical column is always loaded, whatever columns a caller asks
/// for: the id (for duplicate checks) and every column that is parsed and
/// validated (dates, precision, counts, coordinates), so that the set of
/// accepted rows never depends on the columns a query uses.
pub fn always_loaded(name: &str) -> bool {
    name == col::INCIDENT_ID
        || name == col::DATE_PRECISION
        || CANONICAL.iter().any(|(c, t)| *c == name && *t != ColumnType::Text)
}

/// The polars type of a canonical column type.
pub fn dtype_of(t: ColumnType) -> polars::prelude::DataType {
    use polars::prelude::DataType;
    match t {
        ColumnType::Text => DataType::String,
        ColumnType::Date => DataType::Date,
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
    }
}

/// How precisely an incident's date is known.
///
/// Ordered from finest to coarsest, so `Day < Year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DatePrecision {
    /// The exact day is known.
    Day,
    /// Known to within a week.
    Week,
    /// Only the month is known.
    Month,
    /// Only the quarter is known (`2023-Q4`): counted in quarters and years.
    Quarter,
    /// Only the year is known.
    Year,
}

impl DatePrecision {
    /// All precisions, finest first.
    pub const ALL: [DatePrecision; 5] = [Self::Day, Self::Week, Self::Month, Self::Quarter, Self::Year];

    /// The name stored in the `date_precision` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }
}

impl fmt::Display for DatePrecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DatePrecision {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown date precision {s:?} (choose from day, week, month, year, or quarter)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_orders_finest_first_and_round_trips() {
        assert!(DatePrecision::Day < DatePrecision::Week);
        assert!(DatePrecision::Month < DatePrecision::Year);
        for p in DatePrecision::ALL {
            assert_eq!(p.as_str().parse::<DatePrecision>().unwrap(), p);
        }
        assert!("fortnight".parse::<DatePrecision>().unwrap_err().contains("day, week"));
    }

    #[test]
    fn canonical_names_are_unique() {
        let mut names: Vec<_> = CANONICAL.iter().map(|(c, _)| *c).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CANONICAL.len());
    }
}
