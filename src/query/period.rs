//! Periods: day, week (any start day), month, quarter, year, and N-day
//! windows anchored at a date. Each period is identified by its first day.
//!
//! Week labels use the ISO week-year (`%G-W%V`): 2021-01-03 is in `2020-W53`,
//! never `2021-W01`. A week that starts on another day (ACLED's Saturday to
//! Friday) is labelled by the ISO week holding most of its days, i.e. the ISO
//! week of its fourth day, which for Monday weeks is the ISO week itself.

use std::fmt;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use polars::prelude::*;

use crate::schema::dates::epoch_days;
use crate::schema::DatePrecision;

/// A way of cutting time into consecutive periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar days.
    Day,
    /// Seven-day weeks starting on `start` (ISO weeks start on Monday).
    Week {
        /// First day of each week.
        start: Weekday,
    },
    /// Calendar months.
    Month,
    /// Calendar quarters (January, April, July, October).
    Quarter,
    /// Calendar years.
    Year,
    /// Windows of `n` days, one of which starts on `anchor`.
    Days {
        /// Window length in days.
        n: u32,
        /// A date on which a window starts.
        anchor: NaiveDate,
    },
}

/// Names accepted by `--every`.
pub const EVERY_CHOICES: &str = "day, week, month, quarter, year, or Nd (N-day windows, N from 1 to 36600, e.g. 14d)";

impl Period {
    /// Parse `--every`: `day`, `week`, `month`, `quarter`, `year` or `Nd`.
    /// `week_start` applies to weeks, `anchor` to N-day windows (default 1970-01-05, a Monday).
    /// An unknown name gives a message listing the choices (the caller names the option).
    pub fn parse(every: &str, week_start: Weekday, anchor: Option<NaiveDate>) -> std::result::Result<Self, String> {
        let e = every.trim().to_lowercase();
        Ok(match e.as_str() {
            "day" | "daily" | "1d" => Period::Day,
            "week" | "weekly" | "1w" => Period::Week { start: week_start },
            "month" | "monthly" => Period::Month,
            "quarter" | "quarterly" => Period::Quarter,
            "year" | "yearly" | "annual" => Period::Year,
            _ => {
                let n = e
                    .strip_suffix("days")
                    .or_else(|| e.strip_suffix('d'))
                    .and_then(|n| n.trim().parse::<u32>().ok())
                    .filter(|n| (1..=36_600).contains(n))
                    .ok_or_else(|| format!("unknown period {every:?} (choose from {EVERY_CHOICES})"))?;
                let anchor = anchor.unwrap_or(NaiveDate::from_ymd_opt(1970, 1, 5).unwrap_or_default());
                Period::Days { n, anchor }
            }
        })
    }

    /// The first day of the period holding `d`.
    pub fn start_of(&self, d: NaiveDate) -> NaiveDate {
        match *self {
            Period::Day => d,
            Period::Week { start } => {
                let back = (7 + d.weekday().num_days_from_monday() - start.num_days_from_monday()) % 7;
                d - Duration::days(i64::from(back))
            }
            Period::Month => d.with_day(1).unwrap_or(d),
            Period::Quarter => NaiveDate::from_ymd_opt(d.year(), (d.month0() / 3) * 3 + 1, 1).unwrap_or(d),
            Period::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
            Period::Days { n, anchor } => {
                let off = (d - anchor).num_days().rem_euclid(i64::from(n));
                d - Duration::days(off)
            }
        }
    }

    /// The first day of the period after the one starting on `start`.
    pub fn next(&self, start: NaiveDate) -> NaiveDate {
        match *self {
            Period::Day => start + Duration::days(1),
            Period::Week { .. } => start + Duration::days(7),
            Period::Month => start.checked_add_months(chrono::Months::new(1)).unwrap_or(start),
            Period::Quarter => start.checked_add_months(chrono::Months::new(3)).unwrap_or(start),
            Period::Year => start.checked_add_months(chrono::Months::new(12)).unwrap_or(start),
            Period::Days { n, .. } => start + Duration::days(i64::from(n)),
        }
    }

    /// The last day of the period starting on `start`.
    pub fn end_of(&self, start: NaiveDate) -> NaiveDate {
        self.next(start) - Duration::days(1)
    }

    /// Every period start from the one holding `from` to the one holding `to`.
    pub fn starts(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut p = self.start_of(from);
        while p <= to {
            out.push(p);
            p = self.next(p);
        }
        out
    }

    /// A label for people: `2024-01-28`, `2024-W05`, `2024-01`, `2024-Q1`, `2024`.
    pub fn label(&self, start: NaiveDate) -> String {
        match *self {
            Period::Day | Period::Days { .. } => start.format("%Y-%m-%d").to_string(),
            Period::Week { start: Weekday::Mon } => iso_week_label(start),
            Period::Week { .. } => {
                format!("{} ({})", start.format("%Y-%m-%d"), iso_week_label(start + Duration::days(3)))
            }
            Period::Month => start.format("%Y-%m").to_string(),
            Period::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Period::Year => start.year().to_string(),
        }
    }

    /// The coarsest date precision an incident can have and still be placed in
    /// one period. Week-precision incidents are placed by their date in months
    /// and longer periods (the window may straddle a boundary by a few days).
    pub fn finest_unplaceable(&self) -> Option<DatePrecision> {
        let placeable = match *self {
            Period::Day => DatePrecision::Day,
            Period::Week { .. } => DatePrecision::Week,
            Period::Month => DatePrecision::Month,
            Period::Quarter => DatePrecision::Quarter,
            Period::Year => DatePrecision::Year,
            Period::Days { n, .. } if n < 7 => DatePrecision::Day,
            Period::Days { n, .. } if n < 28 => DatePrecision::Week,
            Period::Days { n, .. } if n < 365 => DatePrecision::Month,
            Period::Days { .. } => DatePrecision::Year,
        };
        DatePrecision::ALL.into_iter().find(|p| *p > placeable)
    }

    /// A polars expression giving the period start (as days since 1970-01-01,
    /// `Int32`) of a `Date` expression.
    pub fn start_expr(&self, date: Expr) -> Expr {
        let days = date.clone().cast(DataType::Int32);
        // Offsets are made positive before `%` so dates before 1970 work too.
        const SHIFT: i32 = 7 * 200_000;
        match *self {
            Period::Day => days,
            Period::Week { start } => {
                // 1970-01-01 was a Thursday (3 days after Monday).
                let s = start.num_days_from_monday() as i32;
                days.clone() - ((days + lit(3 - s + SHIFT)) % lit(7))
            }
            Period::Days { n, anchor } => {
                let n = n as i32;
                let a = epoch_days(anchor);
                let shift = n * (SHIFT / n + 1);
                days.clone() - ((days - lit(a) + lit(shift)) % lit(n))
            }
            Period::Month => date.dt().truncate(lit("1mo")).cast(DataType::Int32),
            Period::Quarter => date.dt().truncate(lit("1q")).cast(DataType::Int32),
            Period::Year => date.dt().truncate(lit("1y")).cast(DataType::Int32),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Day => f.write_str("day"),
            Period::Week { start: Weekday::Mon } => f.write_str("ISO week (Monday to Sunday)"),
            Period::Week { start } => write!(f, "week ({start} to {})", start.pred()),
            Period::Month => f.write_str("month"),
            Period::Quarter => f.write_str("quarter"),
            Period::Year => f.write_str("year"),
            Period::Days { n, anchor } => write!(f, "{n}-day window (anchored at {anchor})"),
        }
    }
}

/// `2021-W53`-style ISO week-year label of a date.
pub fn iso_week_label(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// Parse a week start day: `mon`, `monday`, `sat`, …
pub fn parse_weekday(s: &str) -> std::result::Result<Weekday, String> {
    s.trim()
        .parse::<Weekday>()
        .map_err(|_| format!("unknown day {s:?} (choose from mon, tue, wed, thu, fri, sat, sun)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn iso_week_labels_use_the_week_year() {
        assert_eq!(iso_week_label(ymd(2021, 1, 3)), "2020-W53");
        assert_eq!(iso_week_label(ymd(2020, 12, 31)), "2020-W53");
        assert_eq!(iso_week_label(ymd(2021, 1, 4)), "2021-W01");
        assert_eq!(iso_week_label(ymd(2024, 12, 30)), "2025-W01");
        assert_eq!(iso_week_label(ymd(2026, 1, 1)), "2026-W01");
        let week = Period::Week { start: Weekday::Mon };
        assert_eq!(week.label(week.start_of(ymd(2021, 1, 3))), "2020-W53");
        assert_eq!(week.start_of(ymd(2021, 1, 3)), ymd(2020, 12, 28));
        assert_eq!(week.start_of(ymd(2025, 1, 1)), ymd(2024, 12, 30));
    }

    #[test]
    fn saturday_weeks_run_to_friday_and_take_the_majority_iso_week() {
        let acled = Period::Week { start: Weekday::Sat };
        assert_eq!(acled.start_of(ymd(2024, 2, 2)), ymd(2024, 1, 27)); // Friday
        assert_eq!(acled.start_of(ymd(2024, 2, 3)), ymd(2024, 2, 3)); // Saturday
        assert_eq!(acled.label(ymd(2024, 1, 27)), "2024-01-27 (2024-W05)");
        // A Saturday week spanning New Year: 2022-12-31 .. 2023-01-06.
        assert_eq!(acled.start_of(ymd(2023, 1, 1)), ymd(2022, 12, 31));
        assert_eq!(acled.label(ymd(2022, 12, 31)), "2022-12-31 (2023-W01)");
    }

    #[test]
    fn months_quarters_years_and_windows() {
        assert_eq!(Period::Quarter.start_of(ymd(2024, 8, 15)), ymd(2024, 7, 1));
        assert_eq!(Period::Quarter.label(ymd(2024, 7, 1)), "2024-Q3");
        assert_eq!(Period::Month.next(ymd(2024, 12, 1)), ymd(2025, 1, 1));
        assert_eq!(Period::Month.end_of(ymd(2024, 2, 1)), ymd(2024, 2, 29));
        let w = Period::Days { n: 10, anchor: ymd(2023, 10, 17) };
        assert_eq!(w.start_of(ymd(2023, 10, 26)), ymd(2023, 10, 17));
        assert_eq!(w.start_of(ymd(2023, 10, 27)), ymd(2023, 10, 27));
        assert_eq!(w.start_of(ymd(2023, 10, 16)), ymd(2023, 10, 7));
        assert_eq!(Period::Week { start: Weekday::Mon }.starts(ymd(2024, 1, 1), ymd(2024, 1, 15)).len(), 3);
    }

    #[test]
    fn parsing_every_and_week_start() {
        assert_eq!(Period::parse("week", Weekday::Sat, None).unwrap(), Period::Week { start: Weekday::Sat });
        assert_eq!(
            Period::parse("14d", Weekday::Mon, Some(ymd(2023, 10, 17))).unwrap(),
            Period::Days { n: 14, anchor: ymd(2023, 10, 17) }
        );
        assert!(Period::parse("fortnight", Weekday::Mon, None)
            .unwrap_err()
            .to_string()
            .contains("choose from day, week"));
        assert_eq!(parse_weekday("sat").unwrap(), Weekday::Sat);
        assert!(parse_weekday("caturday").is_err());
    }

    #[test]
    fn placement_depends_on_precision() {
        assert_eq!(Period::Day.finest_unplaceable(), Some(DatePrecision::Week));
        assert_eq!(Period::Week { start: Weekday::Mon }.finest_unplaceable(), Some(DatePrecision::Month));
        assert_eq!(Period::Quarter.finest_unplaceable(), Some(DatePrecision::Year));
        assert_eq!(Period::Year.finest_unplaceable(), None);
    }
}
