//! Parsers for single cells: dates, counts and coordinates. Pure functions,
//! so each rule (what is accepted, what is unknown, what is rejected and why)
//! is unit-tested here.

use chrono::{Datelike, NaiveDate, NaiveTime};

use super::dates::{read_approximate, read_spreadsheet, Approximate, DateRead};
use crate::schema::DatePrecision;

/// Earliest date accepted: before it a value is almost surely a typo or a sentinel.
pub const MIN_DATE: (i32, u32, u32) = (1800, 1, 1);
/// Latest date accepted (9999-12-31 and similar are "open end" sentinels, not dates).
pub const MAX_DATE: (i32, u32, u32) = (2100, 12, 31);
/// Largest death or injury count accepted for one incident; anything larger is
/// a unit or data-entry error (the largest single events in UCDP are far below).
pub const MAX_COUNT: i64 = 1_000_000;

/// Cell values read as "unknown" in numeric and date columns (R and pandas exports).
/// A lone dash is what spreadsheets and trackers write for "no value".
pub const NULL_TOKENS: &[&str] = &["NA", "N/A", "NaN", "nan", "null", "NULL", "None", "-", "–", "—"];

/// One accepted way of writing a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    /// `YYYY-MM-DD`, optionally followed by a time (`2017-07-31 00:00:00.000`,
    /// `2017-07-31T00:00:00Z`), which is ignored.
    Iso,
    /// `YYYYMMDD` (GDELT's SQLDATE).
    Compact,
    /// A chrono `strftime` pattern such as `%d %B %Y`; the whole cell must match.
    Pattern(String),
    /// What spreadsheets write: `9-May-20`, `5/9/2020` (day/month order
    /// decided per file), `31-12-19`, `May 9, 2020`, Excel serials (`43960`);
    /// see [`super::dates`].
    Spreadsheet,
}

impl DateFormat {
    /// How the format is shown in messages.
    pub fn describe(&self) -> String {
        match self {
            DateFormat::Iso => "YYYY-MM-DD".into(),
            DateFormat::Compact => "YYYYMMDD".into(),
            DateFormat::Pattern(p) => p.clone(),
            DateFormat::Spreadsheet => {
                "spreadsheet dates (9-May-20, 05-May-2020, 5/9/2020, 31-12-19, 43960) and approximate ones \
                 (Nov 2023, 2023-Q4, late Nov 2023, 2024-01-05/07)"
                    .into()
            }
        }
    }
}

/// Why a date cell was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The value has an accepted form but is not a usable date (the message says why).
    Invalid(String),
    /// No accepted form matches; `tried` lists them.
    NoMatch {
        /// The forms tried, comma-separated.
        tried: String,
    },
}

impl DateError {
    /// The message, naming the layout whose forms were tried.
    pub fn message(&self, layout: &str) -> String {
        match self {
            DateError::Invalid(m) => m.clone(),
            DateError::NoMatch { tried } => format!("no date format of the {layout} layout matches (tried {tried})"),
        }
    }
}

/// Read `s` with the first format that matches the whole cell. An
/// all-number spreadsheet date comes back with both its readings (the
/// caller decides the file's order); readings outside the accepted range
/// are dropped. The bool says whether the year had two digits.
pub fn read_date(s: &str, formats: &[DateFormat]) -> Result<(DateRead, bool), DateError> {
    let read = formats.iter().find_map(|f| match f {
        DateFormat::Iso => parse_iso(s).map(|d| (DateRead::Fixed(d), false)),
        DateFormat::Compact => parse_compact(s).map(|d| (DateRead::Fixed(d), false)),
        DateFormat::Pattern(p) => pattern_date(s, p).map(|d| (d, false)),
        DateFormat::Spreadsheet => read_spreadsheet(s),
    });
    // Lenient layouts also take a tracker's approximate dates.
    let read = read.or_else(|| {
        formats
            .contains(&DateFormat::Spreadsheet)
            .then(|| read_approximate(s))
            .flatten()
            .map(|a| (DateRead::Approx(a), false))
    });
    match read {
        Some((DateRead::Fixed(d), two)) => Ok((DateRead::Fixed(check_date_range(d).map_err(DateError::Invalid)?), two)),
        Some((DateRead::Approx(a), two)) => {
            let end = a.end.map(check_date_range).transpose().map_err(DateError::Invalid)?;
            let start = check_date_range(a.start).map_err(DateError::Invalid)?;
            Ok((DateRead::Approx(Approximate { start, end, ..a }), two))
        }
        Some((DateRead::Ordered { dmy, mdy }, two)) => {
            let (dmy, mdy) = (dmy.and_then(|d| check_date_range(d).ok()), mdy.and_then(|d| check_date_range(d).ok()));
            if dmy.is_none() && mdy.is_none() {
                return Err(DateError::Invalid(out_of_range()));
            }
            Ok((DateRead::Ordered { dmy, mdy }, two))
        }
        None if iso_shaped(s) => Err(DateError::Invalid("not a valid date (expected YYYY-MM-DD)".into())),
        None => {
            let tried: Vec<String> = formats.iter().map(DateFormat::describe).collect();
            Err(DateError::NoMatch { tried: tried.join(", ") })
        }
    }
}

/// A chrono pattern's date. A pattern without a day (`%Y-%m`, `%B %Y`) gives
/// the month's first day at month precision, one without a month the year's
/// (chrono itself refuses a date without a day). chrono's `%Y` takes "20" as
/// the year 20, so a year below 100 is no match: two-digit years are for the
/// spreadsheet forms.
fn pattern_date(s: &str, p: &str) -> Option<DateRead> {
    let plausible = |d: &NaiveDate| d.year() >= 100;
    if let Some(d) = NaiveDate::parse_from_str(s, p).ok().filter(plausible) {
        return Some(DateRead::Fixed(d));
    }
    let has = |specs: &[&str]| specs.iter().any(|x| p.contains(x));
    if has(&["%d", "%e", "%j", "%F", "%D", "%x", "%a", "%A"]) {
        return None;
    }
    let (text, pattern, precision) = if has(&["%m", "%b", "%B", "%h"]) {
        (format!("{s}|01"), format!("{p}|%d"), DatePrecision::Month)
    } else {
        (format!("{s}|01|01"), format!("{p}|%m|%d"), DatePrecision::Year)
    };
    let start = NaiveDate::parse_from_str(&text, &pattern).ok().filter(plausible)?;
    Some(DateRead::Approx(Approximate { start, end: None, precision, qualified: false }))
}

/// `dddd-dd-dd`: an ISO date whose month or day does not exist.
fn iso_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
}

/// Parse `s` to one date with the first format that matches the whole
/// cell (an all-number date must read the same way in either order).
pub fn parse_date(s: &str, formats: &[DateFormat]) -> Result<NaiveDate, String> {
    match read_date(s, formats).map_err(|e| e.message("given"))?.0 {
        DateRead::Fixed(d) => Ok(d),
        DateRead::Approx(a) => Ok(a.start),
        DateRead::Ordered { dmy, mdy } => match (dmy, mdy) {
            (Some(a), Some(b)) if a != b => Err("day and month could be either way round".into()),
            (a, b) => a.or(b).ok_or_else(|| "not a valid date".into()),
        },
    }
}

/// Reject dates outside [`MIN_DATE`, `MAX_DATE`].
pub fn check_date_range(d: NaiveDate) -> Result<NaiveDate, String> {
    let lo = NaiveDate::from_ymd_opt(MIN_DATE.0, MIN_DATE.1, MIN_DATE.2);
    let hi = NaiveDate::from_ymd_opt(MAX_DATE.0, MAX_DATE.1, MAX_DATE.2);
    if Some(d) < lo || Some(d) > hi {
        return Err(out_of_range());
    }
    Ok(d)
}

fn out_of_range() -> String {
    format!(
        "date outside the accepted range {:04}-{:02}-{:02} to {:04}-{:02}-{:02}",
        MIN_DATE.0, MIN_DATE.1, MIN_DATE.2, MAX_DATE.0, MAX_DATE.1, MAX_DATE.2
    )
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
}

fn parse_iso(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(&b[..4])? as i32, digits(&b[5..7])?, digits(&b[8..10])?)?;
    if b.len() == 10 {
        return Some(date);
    }
    // A time part is allowed and ignored, but it must be a real time.
    if b[10] != b' ' && b[10] != b'T' {
        return None;
    }
    let time = s[11..].trim_end_matches('Z');
    ["%H:%M:%S%.f", "%H:%M"].iter().any(|f| NaiveTime::parse_from_str(time, f).is_ok()).then_some(date)
}

fn parse_compact(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 8 {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&b[..4])? as i32, digits(&b[4..6])?, digits(&b[6..8])?)
}

/// A whole number written as a float by pandas or a spreadsheet (`1993.0`)
/// without its zero fraction; any other text as it is.
pub fn whole(s: &str) -> &str {
    match s.split_once('.') {
        Some((w, f)) if !w.is_empty() && f.bytes().all(|b| b == b'0') && w.bytes().all(|b| b.is_ascii_digit()) => w,
        _ => s,
    }
}

/// Parse a death or injury count. `unknown` lists source codes that mean
/// "unknown" (GTD writes -99 in some numeric fields); they give `Ok(None)`.
/// Whole numbers written as floats (`3.0`, as pandas exports) are accepted.
pub fn parse_count<U: AsRef<str>>(s: &str, unknown: &[U]) -> Result<Option<i64>, String> {
    if NULL_TOKENS.contains(&s) || unknown.iter().any(|u| u.as_ref() == s) {
        return Ok(None);
    }
    let value = match s.parse::<i64>() {
        Ok(v) => v,
        Err(_) => match s.parse::<f64>() {
            Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => f as i64,
            Ok(f) if f.is_finite() => return Err("not a whole number".into()),
            _ => return Err("not a number".into()),
        },
    };
    if value < 0 {
        return Err("negative count".into());
    }
    if value > MAX_COUNT {
        return Err(format!("implausibly large count (more than {MAX_COUNT} for one incident)"));
    }
    Ok(Some(value))
}

/// An approximate count as trackers write them: `40+`, `~12`, `about 12`,
/// `at least 3` (the lower bound), `more than 10`, `over 10` (one more), and
/// ranges `12-15`, `12–15`, `12 to 15` (the low end, and the high one).
/// `None` when the value is none of these.
pub fn parse_approx_count(s: &str) -> Option<(i64, Option<i64>)> {
    let t = s.trim().to_lowercase();
    let whole = |x: &str| -> Option<i64> {
        let x = x.trim();
        (!x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
            .then(|| x.parse().ok())
            .flatten()
            .filter(|v| *v <= MAX_COUNT)
    };
    if let Some(n) = t.strip_suffix('+').and_then(whole) {
        return Some((n, None));
    }
    for prefix in ["~", "≈", "c.", "ca.", "about ", "around ", "approx. ", "approx ", "approximately ", "at least "] {
        if let Some(n) = t.strip_prefix(prefix).and_then(whole) {
            return Some((n, None));
        }
    }
    for prefix in ["more than ", "over "] {
        if let Some(n) = t.strip_prefix(prefix).and_then(whole) {
            return Some((n + 1, None));
        }
    }
    for sep in ["-", "–", " to "] {
        if let Some((a, b)) = t.split_once(sep) {
            if let (Some(a), Some(b)) = (whole(a), whole(b)) {
                return (a <= b).then_some((a, Some(b)));
            }
        }
    }
    None
}

/// Parse a latitude (`limit` 90) or longitude (`limit` 180) in decimal degrees.
pub fn parse_coordinate(s: &str, limit: f64) -> Result<Option<f64>, String> {
    if NULL_TOKENS.contains(&s) {
        return Ok(None);
    }
    match decimal(s).map_or_else(|| s.parse::<f64>(), Ok) {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some(v)),
        Ok(_) => Err(format!("coordinate outside -{limit}..{limit}")),
        Err(_) => Err("not a number".into()),
    }
}

/// `s` read as `str::parse::<f64>` reads it, when it is a short plain
/// decimal (`-34.42042`: an optional minus, 1 to 15 digits with at most
/// one point between digits); `None` for anything else. Faster than the
/// general parser on coordinates, and the same value: the digits make an
/// integer below 2^53 and the power of ten is exact, so the one division
/// is correctly rounded, as the general parser is.
fn decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let (negative, digits) = match s.as_bytes().split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, s.as_bytes()),
    };
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(p) => (&digits[..p], &digits[p + 1..]),
        None => (digits, &[][..]),
    };
    let all_digits = |d: &[u8]| d.iter().all(u8::is_ascii_digit);
    let point = whole.len() < digits.len();
    if whole.is_empty() || (point && fraction.is_empty()) || whole.len() + fraction.len() > 15 {
        return None;
    }
    if !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let m = whole.iter().chain(fraction).fold(0u64, |m, &d| m * 10 + u64::from(d - b'0'));
    let v = m as f64 / POW10[fraction.len()];
    Some(if negative { -v } else { v })
}

/// Date and precision from separate year, month and day cells, where 0 (or an
/// empty cell) for month or day means unknown (GTD's `iyear`, `imonth`, `iday`).
/// Unknown parts are set to 1 and the precision says how much is known. An
/// error says which part is at fault (0 year, 1 month, 2 day) and why.
pub fn parse_date_parts(year: &str, month: &str, day: &str) -> Result<(NaiveDate, DatePrecision), (usize, String)> {
    let part = |i: usize, s: &str, what: &str| -> Result<u32, (usize, String)> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(0);
        }
        whole(s).parse::<u32>().map_err(|_| (i, format!("{what} is not a whole number")))
    };
    let y = part(0, year, "year")?;
    let (m, d) = (part(1, month, "month")?, part(2, day, "day")?);
    if m > 12 {
        return Err((1, format!("month {m} is not 0-12 (0 = unknown)")));
    }
    let precision = match (m, d) {
        (0, _) => DatePrecision::Year,
        (_, 0) => DatePrecision::Month,
        _ => DatePrecision::Day,
    };
    let date = NaiveDate::from_ymd_opt(y as i32, m.max(1), if m == 0 { 1 } else { d.max(1) })
        .ok_or_else(|| (2, format!("{y}-{m:02}-{d:02} is not a calendar date")))?;
    Ok((check_date_range(date).map_err(|e| (0, e))?, precision))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The short-decimal reader gives the general parser's value, bit for bit.
        #[test]
        fn short_decimals_read_as_the_general_parser_reads_them(
            s in "-?[0-9]{0,9}(\\.[0-9]{0,9})?|[-+.0-9eE]{1,12}|[0-9]{14,17}(\\.[0-9]{1,3})?"
        ) {
            if let Some(v) = decimal(&s) {
                let want: f64 = s.parse().unwrap();
                prop_assert_eq!(v.to_bits(), want.to_bits(), "{}", s);
            }
        }
    }

    #[test]
    fn short_decimals_are_read_and_other_numbers_left_to_the_general_parser() {
        assert_eq!(decimal("-34.42042"), Some(-34.42042));
        assert_eq!(decimal("40.8634"), Some(40.8634));
        assert_eq!(decimal("-0.0").map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(decimal("0.1"), Some(0.1));
        for other in ["", "-", ".5", "5.", "1e5", "+1.5", "1.2.3", " 1.5", "nan", "inf", "1234567890.123456"] {
            assert_eq!(decimal(other), None, "{other:?}");
        }
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn acled() -> Vec<DateFormat> {
        vec![DateFormat::Iso, DateFormat::Pattern("%d %B %Y".into()), DateFormat::Pattern("%d-%B-%Y".into())]
    }

    #[test]
    fn acled_date_variants_parse_to_the_same_day() {
        assert_eq!(parse_date("2022-12-28", &acled()), Ok(ymd(2022, 12, 28)));
        assert_eq!(parse_date("28 December 2022", &acled()), Ok(ymd(2022, 12, 28)));
        assert_eq!(parse_date("01-January-2015", &acled()), Ok(ymd(2015, 1, 1)));
    }

    #[test]
    fn ucdp_timestamps_keep_the_date_and_reject_garbage_after_it() {
        let f = [DateFormat::Iso];
        assert_eq!(parse_date("2017-07-31 00:00:00.000", &f), Ok(ymd(2017, 7, 31)));
        assert_eq!(parse_date("2017-07-31T12:30:00Z", &f), Ok(ymd(2017, 7, 31)));
        assert!(parse_date("2017-07-31garbage", &f).is_err());
        assert!(parse_date("2017-07-31 25:00:00", &f).is_err());
    }

    #[test]
    fn impossible_and_sentinel_dates_are_rejected_with_the_expected_formats() {
        let f = acled();
        let err = parse_date("2023-02-30", &f).unwrap_err();
        assert!(err.contains("not a valid date (expected YYYY-MM-DD)"), "{err}");
        let err = parse_date("28.12.2022", &f).unwrap_err();
        assert!(err.contains("tried YYYY-MM-DD, %d %B %Y, %d-%B-%Y"), "{err}");
        assert!(parse_date("2023-13-01", &f).is_err());
        assert!(parse_date("yesterday", &f).is_err());
        assert!(parse_date("9999-12-31", &f).unwrap_err().contains("accepted range"));
        assert!(parse_date("0025-01-01", &f).unwrap_err().contains("accepted range"));
    }

    #[test]
    fn compact_dates_are_gdelt_sqldate() {
        assert_eq!(parse_date("20240128", &[DateFormat::Compact]), Ok(ymd(2024, 1, 28)));
        assert!(parse_date("2024012", &[DateFormat::Compact]).is_err());
        assert!(parse_date("20240230", &[DateFormat::Compact]).is_err());
    }

    #[test]
    fn counts_keep_unknown_unknown_and_reject_bad_values() {
        assert_eq!(parse_count::<&str>("3", &[]), Ok(Some(3)));
        assert_eq!(parse_count::<&str>("3.0", &[]), Ok(Some(3)));
        assert_eq!(parse_count::<&str>("NA", &[]), Ok(None));
        assert_eq!(parse_count("-99", &["-99"]), Ok(None));
        assert_eq!(parse_count::<&str>("-2", &[]), Err("negative count".into()));
        assert_eq!(parse_count::<&str>("1.5", &[]), Err("not a whole number".into()));
        assert_eq!(parse_count::<&str>("many", &[]), Err("not a number".into()));
        assert!(parse_count::<&str>("1000000000000", &[]).unwrap_err().contains("implausibly"));
    }

    #[test]
    fn approximate_counts_give_their_lower_bound() {
        assert_eq!(parse_approx_count("40+"), Some((40, None)));
        assert_eq!(parse_approx_count("~12"), Some((12, None)));
        assert_eq!(parse_approx_count("At least 3"), Some((3, None)));
        assert_eq!(parse_approx_count("more than 10"), Some((11, None)));
        assert_eq!(parse_approx_count("12-15"), Some((12, Some(15))));
        assert_eq!(parse_approx_count("12 to 15"), Some((12, Some(15))));
        assert_eq!(parse_approx_count("15-12"), None);
        assert_eq!(parse_approx_count("-3"), None);
        assert_eq!(parse_approx_count("many"), None);
        assert_eq!(parse_approx_count("8-10KG"), None);
    }

    #[test]
    fn coordinates_are_range_checked() {
        assert_eq!(parse_coordinate("34.8", 90.0), Ok(Some(34.8)));
        assert!(parse_coordinate("91", 90.0).is_err());
        assert!(parse_coordinate("inf", 180.0).is_err());
        assert!(parse_coordinate("east", 180.0).is_err());
    }

    #[test]
    fn gtd_zero_month_or_day_sets_the_precision() {
        assert_eq!(parse_date_parts("2015", "6", "14"), Ok((ymd(2015, 6, 14), DatePrecision::Day)));
        assert_eq!(parse_date_parts("2015", "6", "0"), Ok((ymd(2015, 6, 1), DatePrecision::Month)));
        assert_eq!(parse_date_parts("2015", "0", "0"), Ok((ymd(2015, 1, 1), DatePrecision::Year)));
        assert_eq!(parse_date_parts("2015", "13", "1").unwrap_err().0, 1);
        assert_eq!(parse_date_parts("2015", "2", "30").unwrap_err().0, 2);
        assert_eq!(parse_date_parts("2015", "2", "x").unwrap_err().0, 2);
        assert_eq!(parse_date_parts("1200", "2", "3").unwrap_err().0, 0);
    }
}
