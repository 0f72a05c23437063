//! Date helpers shared by every layer: the physical value of a polars `Date`
//! (days since 1970-01-01) and dates given as arguments (`--from`, config
//! `from = "…"`).

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

/// Days since 1970-01-01, the physical value of a polars `Date`.
pub fn epoch_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

/// The inverse of [`epoch_days`].
pub fn from_epoch_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days + 719_163)
}

/// Parse a date argument (`YYYY-MM-DD`); `name` is how the user wrote the
/// option (`--from`, `chart "x": from`), so the message points at it.
pub fn parse_date_arg(name: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Usage(format!("{name}: {s:?} is not a date (expected YYYY-MM-DD)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn epoch_days_round_trip() {
        assert_eq!(epoch_days(ymd(1970, 1, 1)), 0);
        assert_eq!(epoch_days(ymd(2024, 1, 28)), 19_750);
        assert_eq!(from_epoch_days(19_750), Some(ymd(2024, 1, 28)));
    }

    #[test]
    fn date_arguments_name_the_option() {
        assert_eq!(parse_date_arg("--from", " 2024-01-28 ").unwrap(), ymd(2024, 1, 28));
        assert!(parse_date_arg("--from", "2024-13-01").unwrap_err().to_string().starts_with("--from:"));
    }
}
