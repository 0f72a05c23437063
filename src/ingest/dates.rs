//! Dates as spreadsheets write them. ACLED and GTD exports are usually
//! opened and re-saved in Excel before they reach an analyst, which rewrites
//! `2020-05-09` as `9-May-20`, `5/9/2020`, `09/05/2020`, `2020-05-09 00:00:00`
//! or the serial number `43960`, depending on the machine's locale.
//!
//! * Month names (`9-May-20`, `05-May-2020`, `May 9, 2020`, `Saturday, May
//!   9, 2020`), `YYYY/MM/DD`, and Excel serial numbers (5 digits, day 1 =
//!   1900-01-01 with Excel's 1900 leap-year bug: 43960 is 2020-05-09) have
//!   one reading.
//! * All-number dates (`5/9/2020`, `31-12-19`, `31.12.2019`) are day-first
//!   or month-first depending on the locale that wrote them. Each is read
//!   both ways ([`DateRead::Ordered`]); the file's order is decided once,
//!   from all its values (see `convert` and `load`): a value whose first
//!   number is above 12 can only be day-first, one whose second is above 12
//!   month-first. A file is never read half one way and half the other.
//! * Two-digit years follow POSIX `%y`: 00–68 are 2000–2068, 69–99 are
//!   1969–1999 ([`year_of_two_digits`]). How many were read that way is counted.
//! * A time after the date (`0:00`, `12:00:00 AM`) is ignored.
//!
//! Tracker sheets also write approximate dates ([`read_approximate`]):
//! `2023-11`, `Nov 2023`, `November 2023` (month precision), `2023` (year),
//! `2023-Q4` (quarter), `early/mid/late Nov 2023` (month, the words kept in
//! `date_raw`), and ranges `2024-01-05/07`, `2024-01-05 to 2024-01-07` (the
//! first day, with the last as `date_end`).

use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate};

use crate::schema::DatePrecision;

/// Day-first or month-first, for all-number dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `31/12/2019`: day, month, year (most of the world).
    Dmy,
    /// `12/31/2019`: month, day, year (the United States).
    Mdy,
}

impl DateOrder {
    /// How the order is named on the command line and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
        }
    }

    /// The order in words, for notes.
    pub fn describe(self) -> &'static str {
        match self {
            DateOrder::Dmy => "day first (31/12/2019)",
            DateOrder::Mdy => "month first (12/31/2019)",
        }
    }
}

impl FromStr for DateOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "dmy" | "day-first" => Ok(DateOrder::Dmy),
            "mdy" | "month-first" => Ok(DateOrder::Mdy),
            other => Err(format!("unknown date order {other:?} (choose from dmy, mdy)")),
        }
    }
}

/// A date cell as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRead {
    /// One reading.
    Fixed(NaiveDate),
    /// An all-number date: its day-first and month-first readings (`None`
    /// where that reading is not a calendar date). At least one is `Some`.
    Ordered {
        /// Read day first.
        dmy: Option<NaiveDate>,
        /// Read month first.
        mdy: Option<NaiveDate>,
    },
    /// A month, quarter or year, or a range of days ([`read_approximate`]).
    Approx(Approximate),
}

/// An approximate date: its first day, how precisely it is known, and for a
/// range its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approximate {
    /// The first day (of the month, quarter, year or range).
    pub start: NaiveDate,
    /// The last day of a range of days.
    pub end: Option<NaiveDate>,
    /// Day for a range, else month, quarter or year.
    pub precision: DatePrecision,
    /// Words such as "early" or "late" qualified it (the text is kept).
    pub qualified: bool,
}

impl DateRead {
    /// The reading in `order` (a fixed date reads the same either way).
    pub fn in_order(self, order: DateOrder) -> Option<NaiveDate> {
        match (self, order) {
            (DateRead::Fixed(d), _) => Some(d),
            (DateRead::Approx(a), _) => Some(a.start),
            (DateRead::Ordered { dmy, .. }, DateOrder::Dmy) => dmy,
            (DateRead::Ordered { mdy, .. }, DateOrder::Mdy) => mdy,
        }
    }
}

/// The year of a two-digit year, as POSIX `%y`: 00–68 → 2000–2068, 69–99 → 1969–1999.
pub fn year_of_two_digits(yy: u32) -> i32 {
    if yy <= 68 {
        2000 + yy as i32
    } else {
        1900 + yy as i32
    }
}

/// An Excel serial date: days since 1899-12-30 (Excel counts a 1900-02-29
/// that never was, so every serial after it is one day on). Only 5-digit
/// serials (1927 to 2173) are taken, so a year (`2023`) or a count is never
/// read as one. A fraction (the time of day) is ignored.
pub fn excel_serial(s: &str) -> Option<NaiveDate> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.len() != 5 || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = whole.parse().ok()?;
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(n))
}

fn month_of(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let n = name.to_lowercase();
    if n == "sept" {
        return Some(9);
    }
    MONTHS.iter().position(|m| n == *m || (n.len() == 3 && m.starts_with(n.as_str()))).map(|i| i as u32 + 1)
}

fn is_weekday(name: &str) -> bool {
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let n = name.to_lowercase();
    DAYS.iter().any(|d| n == *d || (n.len() == 3 && d.starts_with(n.as_str())))
}

fn number(t: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
    (digits.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
}

/// A year token: four digits, or two read by [`year_of_two_digits`].
fn year(t: &str) -> Option<(i32, bool)> {
    match t.len() {
        4 => number(t, 4..=4).map(|y| (y as i32, false)),
        2 => number(t, 2..=2).map(|y| (year_of_two_digits(y), true)),
        _ => None,
    }
}

/// Whether `t` (and what follows it) is a time of day: `0:00`, `12:00:00`,
/// `7.30`, with an optional `AM`/`PM`.
fn is_time(rest: &[&str]) -> bool {
    let Some((first, more)) = rest.split_first() else { return true };
    let clock = first.contains(':') && first.bytes().all(|b| b.is_ascii_digit() || b == b':' || b == b'.');
    clock && more.iter().all(|t| matches!(t.to_lowercase().as_str(), "am" | "pm"))
}

/// A month written alone: `2023-11`, `2023/11`, `Nov 2023`, `Nov. 2023`, `November 2023`, `Nov-23`.
fn month_alone(s: &str) -> Option<NaiveDate> {
    let tokens: Vec<&str> = s.split([' ', '-', '/', '.', ',']).filter(|t| !t.is_empty()).collect();
    match tokens[..] {
        [y, m] if y.len() == 4 => NaiveDate::from_ymd_opt(number(y, 4..=4)? as i32, number(m, 1..=2)?, 1),
        [m, y] => NaiveDate::from_ymd_opt(year(y)?.0, month_of(m)?, 1),
        _ => None,
    }
}

/// Read an approximate date as trackers write it (see the module docs);
/// `None` when the value is not one.
pub fn read_approximate(s: &str) -> Option<Approximate> {
    let s = s.trim();
    let lower = s.to_lowercase();
    let approx = |start, precision, qualified| Some(Approximate { start, end: None, precision, qualified });
    for word in ["early", "mid", "late", "beginning of", "end of", "start of", "middle of"] {
        if let Some(rest) = lower.strip_prefix(word) {
            let rest = rest.trim_start_matches(['-', ' ']);
            return approx(month_alone(rest)?, DatePrecision::Month, true);
        }
    }
    if let Some(y) = number(s, 4..=4) {
        return approx(NaiveDate::from_ymd_opt(y as i32, 1, 1)?, DatePrecision::Year, false);
    }
    let quarter = |y: &str, q: &str| -> Option<NaiveDate> {
        let q = number(q.strip_prefix('q')?, 1..=1).filter(|q| (1..=4).contains(q))?;
        NaiveDate::from_ymd_opt(number(y, 4..=4)? as i32, 3 * q - 2, 1)
    };
    let parts: Vec<&str> = lower.split([' ', '-', '/']).filter(|t| !t.is_empty()).collect();
    if let [a, b] = parts[..] {
        if let Some(d) = quarter(a, b).or_else(|| quarter(b, a)) {
            return approx(d, DatePrecision::Quarter, false);
        }
    }
    if let Some(d) = month_alone(s) {
        return approx(d, DatePrecision::Month, false);
    }
    // Ranges of days: 2024-01-05/07, 2024-01-05/2024-01-07, 2024-01-05 to 2024-01-07.
    let day = |t: &str| match read_spreadsheet(t)?.0 {
        DateRead::Fixed(d) => Some(d),
        _ => None,
    };
    let (a, b) = lower.split_once(" to ").or_else(|| lower.split_once('/'))?;
    let start = day(a.trim())?;
    let end = match number(b.trim(), 1..=2) {
        Some(d) => NaiveDate::from_ymd_opt(start.year(), start.month(), d)?,
        None => day(b.trim())?,
    };
    (end >= start).then_some(Approximate { start, end: Some(end), precision: DatePrecision::Day, qualified: false })
}

/// Read a date written by a spreadsheet (see the module docs). Returns the
/// reading and whether the year had two digits; `None` when the value has
/// none of these forms or names no calendar date.
pub fn read_spreadsheet(s: &str) -> Option<(DateRead, bool)> {
    let s = s.trim();
    if let Some(d) = excel_serial(s) {
        return Some((DateRead::Fixed(d), false));
    }
    // The date's tokens, then (after a token with ':') an optional time.
    let tokens: Vec<&str> = s.split([' ', '-', '/', '.', ',']).filter(|t| !t.is_empty()).collect();
    let time_at = tokens.iter().position(|t| t.contains(':')).unwrap_or(tokens.len());
    let (date, time) = tokens.split_at(time_at);
    if !is_time(time) {
        return None;
    }
    let date = match date.split_first() {
        Some((first, rest)) if is_weekday(first) => rest,
        _ => date,
    };
    let [a, b, c] = date else { return None };
    let fixed = |y: i32, m: u32, d: u32, two: bool| NaiveDate::from_ymd_opt(y, m, d).map(|d| (DateRead::Fixed(d), two));
    if let (Some(y), Some(m), Some(d)) = (number(a, 4..=4), number(b, 1..=2), number(c, 1..=2)) {
        return fixed(y as i32, m, d, false);
    }
    if let (Some(d), Some(m), Some((y, two))) = (number(a, 1..=2), month_of(b), year(c)) {
        return fixed(y, m, d, two);
    }
    if let (Some(m), Some(d), Some((y, two))) = (month_of(a), number(b, 1..=2), year(c)) {
        return fixed(y, m, d, two);
    }
    let (Some(x), Some(z), Some((y, two))) = (number(a, 1..=2), number(b, 1..=2), year(c)) else { return None };
    let dmy = NaiveDate::from_ymd_opt(y, z, x);
    let mdy = NaiveDate::from_ymd_opt(y, x, z);
    (dmy.is_some() || mdy.is_some()).then_some((DateRead::Ordered { dmy, mdy }, two))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn fixed(s: &str) -> Option<NaiveDate> {
        match read_spreadsheet(s)?.0 {
            DateRead::Fixed(d) => Some(d),
            DateRead::Ordered { .. } | DateRead::Approx(_) => None,
        }
    }

    #[test]
    fn excel_forms_with_one_reading() {
        for s in [
            "9-May-20",
            "09-May-2020",
            "9 May 2020",
            "May 9, 2020",
            "Saturday, May 9, 2020",
            "2020/05/09",
            "43960",
            "43960.25",
            "9-may-20 0:00",
            "09-MAY-2020 12:00:00 AM",
            "9 Sept 2020",
        ] {
            let want = if s.contains("Sept") { ymd(2020, 9, 9) } else { ymd(2020, 5, 9) };
            assert_eq!(fixed(s), Some(want), "{s}");
        }
        assert!(read_spreadsheet("9-May-20").unwrap().1, "two-digit year noted");
        for s in ["2023", "12345678", "May 2020", "9 Mai 2020", "31-Feb-2020", "9/5", "tomorrow", "5/9/2020 noon"] {
            assert_eq!(read_spreadsheet(s), None, "{s}");
        }
    }

    #[test]
    fn all_number_dates_are_read_both_ways() {
        assert_eq!(
            read_spreadsheet("5/9/2020").unwrap().0,
            DateRead::Ordered { dmy: Some(ymd(2020, 9, 5)), mdy: Some(ymd(2020, 5, 9)) }
        );
        assert_eq!(
            read_spreadsheet("31-12-19").unwrap(),
            (DateRead::Ordered { dmy: Some(ymd(2019, 12, 31)), mdy: None }, true)
        );
        assert_eq!(
            read_spreadsheet("12/31/2019 0:00").unwrap().0,
            DateRead::Ordered { dmy: None, mdy: Some(ymd(2019, 12, 31)) }
        );
        assert_eq!(read_spreadsheet("31.12.2019").unwrap().0.in_order(DateOrder::Dmy), Some(ymd(2019, 12, 31)));
        assert_eq!(read_spreadsheet("13/13/2019"), None);
    }

    #[test]
    fn approximate_dates_of_tracker_sheets() {
        let a = |s: &str| read_approximate(s).map(|a| (a.start, a.end, a.precision, a.qualified));
        let nov = ymd(2023, 11, 1);
        for s in ["2023-11", "Nov 2023", "November 2023", "nov. 2023", "2023/11"] {
            assert_eq!(a(s), Some((nov, None, DatePrecision::Month, false)), "{s}");
        }
        assert_eq!(a("2023"), Some((ymd(2023, 1, 1), None, DatePrecision::Year, false)));
        assert_eq!(a("2023-Q4"), Some((ymd(2023, 10, 1), None, DatePrecision::Quarter, false)));
        assert_eq!(a("Q2 2024"), Some((ymd(2024, 4, 1), None, DatePrecision::Quarter, false)));
        assert_eq!(a("late Nov 2023"), Some((nov, None, DatePrecision::Month, true)));
        assert_eq!(a("early November 2023"), Some((nov, None, DatePrecision::Month, true)));
        let range = Some((ymd(2024, 1, 5), Some(ymd(2024, 1, 7)), DatePrecision::Day, false));
        assert_eq!(a("2024-01-05/07"), range);
        assert_eq!(a("2024-01-05 to 2024-01-07"), range);
        assert_eq!(a("2024-01-05/2024-01-07"), range);
        for s in ["2024-01-07/05", "Q5 2023", "sometime", "2023-13", "mid", "12345"] {
            assert_eq!(a(s), None, "{s}");
        }
    }

    #[test]
    fn two_digit_years_pivot_as_posix() {
        assert_eq!(year_of_two_digits(0), 2000);
        assert_eq!(year_of_two_digits(68), 2068);
        assert_eq!(year_of_two_digits(69), 1969);
        assert_eq!(year_of_two_digits(99), 1999);
        assert_eq!(excel_serial("43960"), Some(ymd(2020, 5, 9)));
        assert_eq!(excel_serial("2023"), None);
    }
}
