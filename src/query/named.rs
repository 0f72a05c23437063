//! Named periods: a truce, a campaign, a deployment, each with its first and
//! last day (`[time.periods]` in sitrep.toml, or `--periods FILE`). Per named
//! period: its days within the data's coverage, incidents and incidents per
//! day, known deaths and deaths per day, and the same rates over the rest of
//! the coverage, with their ratio: "0.14 attacks a day during the truce, 1.67
//! outside it". Incidents are placed by day, so those dated only to the week
//! or coarser are counted out and said so.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::LazyFrame;
use serde::Deserialize;

use super::aggregate;
use super::period::Period;
use super::spec::{Metric, Query};
use super::table::{Cell, Table};
use crate::error::{Error, Result};
use crate::schema::dates::parse_date_arg;
use crate::text::count;

/// A named span of days (both ends included).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NamedPeriod {
    /// Name, as shown in tables and on charts.
    pub name: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl NamedPeriod {
    /// Days in the period within `range` (0 when they do not meet).
    pub fn days_within(&self, range: (NaiveDate, NaiveDate)) -> i64 {
        let (a, b) = (self.from.max(range.0), self.to.min(range.1));
        if a > b {
            0
        } else {
            (b - a).num_days() + 1
        }
    }
}

/// Check a list of named periods (a name once, `from` not after `to`), sorted by first day.
pub fn checked(mut periods: Vec<NamedPeriod>) -> std::result::Result<Vec<NamedPeriod>, String> {
    let mut seen = std::collections::BTreeSet::new();
    for p in &periods {
        if p.name.trim().is_empty() {
            return Err("a named period has no name".into());
        }
        if !seen.insert(p.name.clone()) {
            return Err(format!("the period {:?} is named twice", p.name));
        }
        if p.from > p.to {
            return Err(format!("the period {:?} starts on {} after it ends on {}", p.name, p.from, p.to));
        }
    }
    periods.sort_by(|a, b| (a.from, a.to, &a.name).cmp(&(b.from, b.to, &b.name)));
    Ok(periods)
}

/// Read named periods from a CSV file with the columns `name,from,to`; an
/// error names the file, line, column and value.
pub fn load(path: &Path) -> Result<Vec<NamedPeriod>> {
    let bad = |m: String| Error::Usage(format!("{}: {m}", path.display()));
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(path).map_err(|e| bad(e.to_string()))?;
    let headers: Vec<String> =
        rdr.headers().map_err(|e| bad(e.to_string()))?.iter().map(|h| h.to_lowercase()).collect();
    let at = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            bad(format!("no {name:?} column (the columns must be name,from,to; found {})", headers.join(",")))
        })
    };
    let (n, f, t) = (at("name")?, at("from")?, at("to")?);
    let mut out = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let line = i + 2;
        let r = r.map_err(|e| bad(format!("line {line}: {e}")))?;
        let date = |k: usize, col: &str| {
            let v = r.get(k).unwrap_or("");
            parse_date_arg(col, v)
                .map_err(|_| bad(format!("line {line}, column {col}: {v:?} is not a date (YYYY-MM-DD)")))
        };
        out.push(NamedPeriod { name: r.get(n).unwrap_or("").to_string(), from: date(f, "from")?, to: date(t, "to")? });
    }
    checked(out).map_err(bad)
}

/// Per-day counts: incidents, known deaths, incidents with unknown deaths.
type Days = BTreeMap<NaiveDate, (u64, i64, u64)>;

fn sums(days: &Days, keep: impl Fn(NaiveDate) -> bool) -> (u64, i64, u64) {
    days.iter().filter(|(d, _)| keep(**d)).fold((0, 0, 0), |a, (_, v)| (a.0 + v.0, a.1 + v.1, a.2 + v.2))
}

fn rate(n: f64, days: i64) -> Cell {
    if days > 0 {
        Cell::Float(n / days as f64, 2)
    } else {
        Cell::Null
    }
}

/// The table of `agg --by-period-name`: one row per named period, with the
/// query's filters applied.
pub fn by_period_name(lf: LazyFrame, q: &Query, periods: &[NamedPeriod]) -> Result<Table> {
    let (q, where_notes) = super::filters::resolve(&lf, q)?;
    let q = &q;
    let daily = Query {
        every: Some(Period::Day),
        by: Vec::new(),
        metrics: vec![Metric::Incidents, Metric::Fatalities],
        ..q.unshaped()
    };
    let agg = aggregate::aggregate(lf, &daily)?;
    let mut days: Days = BTreeMap::new();
    for r in &agg.rows {
        let e = days.entry(r.period).or_default();
        *e = (e.0 + r.incidents, e.1 + r.fatalities, e.2 + r.fatalities_unknown);
    }
    let columns = [
        "period_name",
        "from",
        "to",
        "days",
        "incidents",
        "incidents_per_day",
        "fatalities",
        "fatalities_unknown",
        "fatalities_per_day",
        "rest_days",
        "rest_incidents",
        "rest_incidents_per_day",
        "rest_fatalities_per_day",
        "ratio_to_rest",
    ];
    let mut t = Table {
        columns: columns.map(String::from).to_vec(),
        rows: Vec::new(),
        notes: Vec::new(),
        group_columns: vec!["period_name".into()],
    };
    t.notes.extend(where_notes);
    // Rates over the data's coverage (all incidents, not only those the
    // filters keep), narrowed by --from/--to.
    let narrowed = agg.coverage.map(|(a, b)| (q.from.map_or(a, |f| f.max(a)), q.to.map_or(b, |t| t.min(b))));
    let Some(covered) = narrowed.filter(|(a, b)| a <= b) else {
        t.notes.push("nothing to count: no incident matched in the data's coverage".into());
        return Ok(t);
    };
    let all_days = (covered.1 - covered.0).num_days() + 1;
    for p in periods {
        let inside = |d: NaiveDate| d >= p.from.max(covered.0) && d <= p.to.min(covered.1);
        let n = p.days_within(covered);
        let (i, f, fu) = sums(&days, inside);
        let (ri, rf, _) = sums(&days, |d| !inside(d));
        let rest = all_days - n;
        let ratio = match (n, rest) {
            (n, r) if n > 0 && r > 0 && ri > 0 => Cell::Float((i as f64 / n as f64) / (ri as f64 / r as f64), 2),
            _ => Cell::Null,
        };
        if n < (p.to - p.from).num_days() + 1 {
            t.notes.push(if n == 0 {
                format!(
                    "{:?} is outside the data's coverage ({} to {}): nothing to count",
                    p.name, covered.0, covered.1
                )
            } else {
                format!(
                    "{:?} counts only its {n} days within the data's coverage ({} to {})",
                    p.name, covered.0, covered.1
                )
            });
        }
        t.rows.push(vec![
            Cell::Text(p.name.clone()),
            Cell::Date(p.from),
            Cell::Date(p.to),
            Cell::Int(n),
            Cell::Int(i as i64),
            rate(i as f64, n),
            Cell::Int(f),
            Cell::Int(fu as i64),
            rate(f as f64, n),
            Cell::Int(rest),
            Cell::Int(ri as i64),
            rate(ri as f64, rest),
            rate(rf as f64, rest),
            ratio,
        ]);
    }
    t.notes.push(format!(
        "rates are per day of the data's coverage, {} to {} ({} days); the rest is the coverage outside each \
         named period; ratio_to_rest is incidents per day inside over outside; fatalities are known deaths",
        covered.0,
        covered.1,
        count(all_days as u64)
    ));
    let unplaced: u64 = agg.unplaced.iter().map(|(_, n)| n).sum();
    if unplaced > 0 {
        t.notes.push(format!(
            "{} incidents dated only to the week or coarser are not counted: they cannot be placed inside or \
             outside a named period",
            count(unplaced)
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, m, day).unwrap()
    }

    #[test]
    fn periods_are_checked_and_sorted() {
        let p = |n: &str, a, b| NamedPeriod { name: n.into(), from: a, to: b };
        let ok = checked(vec![p("b", d(12, 1), d(12, 5)), p("a", d(11, 24), d(11, 30))]).unwrap();
        assert_eq!(ok[0].name, "a");
        assert!(checked(vec![p("a", d(12, 5), d(12, 1))]).unwrap_err().contains("after it ends"));
        assert!(checked(vec![p("a", d(1, 1), d(1, 2)), p("a", d(2, 1), d(2, 2))]).unwrap_err().contains("twice"));
        assert_eq!(p("x", d(11, 24), d(11, 30)).days_within((d(11, 28), d(12, 31))), 3);
        assert_eq!(p("x", d(11, 24), d(11, 30)).days_within((d(12, 1), d(12, 31))), 0);
    }
}
