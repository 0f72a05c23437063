//! Escalation flags: a period's count against the long-run mean ("4.5 times
//! the weekly average since October"), "highest in N weeks" and "highest
//! since DATE", and an HDX-Signals-style alert (the 30-day sum of incidents
//! reaching its highest in the previous year, and at least a threshold).
//! Each flag comes with its rule in words. Computed from a query's own
//! counts over the whole history before each period, per group.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use polars::prelude::LazyFrame;

use super::aggregate::{self, Group};
use super::period::Period;
use super::shape::{self, Merged};
use super::spec::{Metric, Query};
use super::table::{Cell, Table};
use crate::error::Result;
use crate::text::count;

/// Days in the alert's rolling sum.
pub const ALERT_WINDOW: i64 = 30;
/// Days of rolling sums the alert's maximum is taken over.
pub const ALERT_LOOKBACK: i64 = 365;

/// How the flags are computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The long-run mean counts periods from this date (default: the data's first period).
    pub mean_since: Option<NaiveDate>,
    /// Or only the previous N periods.
    pub mean_of: Option<usize>,
    /// The alert needs at least this many incidents in 30 days.
    pub alert_min: u64,
}

impl Default for Rule {
    fn default() -> Self {
        Rule { mean_since: None, mean_of: None, alert_min: 10 }
    }
}

/// The flags of one period of one group.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Flags {
    /// Mean incidents per period over the long-run window before this period (None: no earlier period).
    pub long_run_mean: Option<f64>,
    /// This period's incidents over that mean (None: no mean, or a mean of 0).
    pub times_mean: Option<f64>,
    /// The number of periods, this one included, of which this is the highest
    /// (ties with an earlier period end the run).
    pub highest_in: u64,
    /// The last earlier period with as many incidents or more (None: the most since the data begins).
    pub highest_since: Option<NaiveDate>,
    /// The alert fired on a day of this period.
    pub alert: bool,
}

/// Per group: counts per period start, in order.
type Series = BTreeMap<Group, BTreeMap<NaiveDate, u64>>;

/// The rules in words, for notes and reports.
pub fn rules_in_words(rule: &Rule, every: Period) -> Vec<String> {
    let unit = every.to_string();
    let window = match (rule.mean_of, rule.mean_since) {
        (Some(n), _) => format!("the {n} periods before it"),
        (None, Some(d)) => format!("the periods from {d} up to it"),
        (None, None) => "every period before it since the data begins".to_string(),
    };
    vec![
        format!("times_mean is a period's incidents over the mean of {window} ({unit})"),
        "highest_in N: the period has more incidents than each of the N-1 periods before it; highest_since \
         is the last earlier period with as many or more (blank: the most since the data begins)"
            .to_string(),
        format!(
            "alert: on some day of the period the sum of incidents over the previous {ALERT_WINDOW} days reached \
             its highest of the {ALERT_LOOKBACK} days before and at least {} (HDX Signals' rule; it needs \
             {ALERT_LOOKBACK} + {ALERT_WINDOW} days of data behind a day)",
            count(rule.alert_min)
        ),
    ]
}

/// Counts of `q`'s grouping per period (`every`) over all the data to `q.to`,
/// with leftover groups merged as the table merged them.
fn history(lf: &LazyFrame, q: &Query, every: Period, merged: Option<&Merged>) -> Result<(Series, Option<NaiveDate>)> {
    let hq = Query { from: None, every: Some(every), metrics: vec![Metric::Incidents], ..q.unshaped() };
    let agg = aggregate::aggregate(lf.clone(), &hq)?;
    // Every period from the data's first day (all incidents, not only those
    // the filters keep): a group's quiet weeks before its first incident are zeros.
    let periods: Vec<NaiveDate> =
        agg.coverage.map(|(c0, c1)| every.starts(c0, q.to.map_or(c1, |t| t.min(c1)))).unwrap_or_default();
    let mut out: Series = BTreeMap::new();
    for r in &agg.rows {
        *out.entry(Merged::apply(merged, &r.group)).or_default().entry(r.period).or_insert(0) += r.incidents;
    }
    // Periods the data covers and a group has nothing in are zeros.
    for s in out.values_mut() {
        for p in &periods {
            s.entry(*p).or_insert(0);
        }
    }
    Ok((out, agg.coverage.map(|c| c.0)))
}

/// Daily counts per group over `from..=to`, for the alert.
fn daily(lf: &LazyFrame, q: &Query, from: NaiveDate, merged: Option<&Merged>) -> Result<Series> {
    let dq = Query { from: Some(from), every: Some(Period::Day), metrics: vec![Metric::Incidents], ..q.unshaped() };
    let agg = aggregate::aggregate(lf.clone(), &dq)?;
    let mut out: Series = BTreeMap::new();
    for r in &agg.rows {
        *out.entry(Merged::apply(merged, &r.group)).or_default().entry(r.period).or_insert(0) += r.incidents;
    }
    Ok(out)
}

/// The days from `start` to `end` on which the alert fires for one group's
/// daily counts. Days before `covered_from` are not known to be zeros: a day
/// fires only with a full year of 30-day sums inside the coverage behind it.
pub fn alert_days(
    days: &BTreeMap<NaiveDate, u64>,
    covered_from: NaiveDate,
    start: NaiveDate,
    end: NaiveDate,
    min: u64,
) -> BTreeSet<NaiveDate> {
    let Some(first) = days.keys().next().copied() else { return BTreeSet::new() };
    let from = first.min(start - Duration::days(ALERT_LOOKBACK + ALERT_WINDOW));
    let earliest = covered_from + Duration::days(ALERT_LOOKBACK + ALERT_WINDOW - 1);
    let n = (end - from).num_days() + 1;
    let mut per_day = vec![0u64; n.max(0) as usize];
    for (d, v) in days.range(from..=end) {
        per_day[(*d - from).num_days() as usize] += v;
    }
    // Rolling 30-day sums ending on each day.
    let mut sums = vec![0u64; per_day.len()];
    let mut acc = 0u64;
    for i in 0..per_day.len() {
        acc += per_day[i];
        if i as i64 >= ALERT_WINDOW {
            acc -= per_day[i - ALERT_WINDOW as usize];
        }
        sums[i] = acc;
    }
    let mut out = BTreeSet::new();
    let mut d = start.max(from);
    while d <= end {
        let i = (d - from).num_days();
        let lo = (i - ALERT_LOOKBACK).max(0) as usize;
        let before = sums[lo..i as usize].iter().copied().max().unwrap_or(0);
        // The sum needs a full window behind it and a full year of sums before it.
        if d >= earliest && sums[i as usize] >= min.max(1) && sums[i as usize] >= before {
            out.insert(d);
        }
        d += Duration::days(1);
    }
    out
}

/// The flags of each period of one group's series, for the periods in `wanted`.
pub fn flags_of(
    series: &BTreeMap<NaiveDate, u64>,
    rule: &Rule,
    alerts: &BTreeSet<NaiveDate>,
    every: Period,
    wanted: &BTreeSet<NaiveDate>,
) -> BTreeMap<NaiveDate, Flags> {
    let points: Vec<(NaiveDate, u64)> = series.iter().map(|(d, v)| (*d, *v)).collect();
    let mut out = BTreeMap::new();
    for (i, (p, v)) in points.iter().enumerate() {
        if !wanted.contains(p) {
            continue;
        }
        let before = &points[..i];
        let window: Vec<u64> = match (rule.mean_of, rule.mean_since) {
            (Some(n), _) => before.iter().rev().take(n).map(|x| x.1).collect(),
            (None, Some(since)) => before.iter().filter(|x| every.end_of(x.0) >= since).map(|x| x.1).collect(),
            (None, None) => before.iter().map(|x| x.1).collect(),
        };
        let long_run_mean = (!window.is_empty()).then(|| window.iter().sum::<u64>() as f64 / window.len() as f64);
        let times_mean = long_run_mean.filter(|m| *m > 0.0).map(|m| *v as f64 / m);
        let higher = before.iter().rposition(|x| x.1 >= *v);
        let highest_in = (i - higher.map_or(0, |h| h + 1)) as u64 + 1;
        let end = every.end_of(*p);
        let alert = alerts.range(*p..=end).next().is_some();
        out.insert(
            *p,
            Flags { long_run_mean, times_mean, highest_in, highest_since: higher.map(|h| before[h].0), alert },
        );
    }
    out
}

/// The flags of one period of an ungrouped query (`q.every` set, `q.to` the
/// period's end): the weekly summary's escalation.
pub fn period_flags(lf: &LazyFrame, q: &Query, start: NaiveDate, rule: &Rule) -> Result<Option<Flags>> {
    let Some(every) = q.every else { return Ok(None) };
    let q = Query { by: Vec::new(), ..super::filters::resolve(lf, q)?.0 };
    let (series, covered_from) = history(lf, &q, every, None)?;
    let (Some(s), Some(covered_from)) = (series.get(&Vec::new()), covered_from) else { return Ok(None) };
    let end = every.end_of(start);
    let days = daily(lf, &q, start - Duration::days(ALERT_LOOKBACK + ALERT_WINDOW), None)?;
    let alerts =
        days.get(&Vec::new()).map_or_else(BTreeSet::new, |d| alert_days(d, covered_from, start, end, rule.alert_min));
    Ok(flags_of(s, rule, &alerts, every, &BTreeSet::from([start])).remove(&start))
}

/// The periods of an ungrouped query (`q.every` set) from `first` to `last`
/// (period starts) in which the 30-day alert fires: the markers of a chart.
pub fn alert_periods(
    lf: &LazyFrame,
    q: &Query,
    first: NaiveDate,
    last: NaiveDate,
    rule: &Rule,
) -> Result<BTreeSet<NaiveDate>> {
    let Some(every) = q.every else { return Ok(BTreeSet::new()) };
    // `--where` values as the query matched them (case, accents, aliases).
    let q = Query { by: Vec::new(), ..super::filters::resolve(lf, q)?.0 };
    // Only the data's first day is needed, not the per-period history.
    let Some((covered_from, _)) = q.coverage.widen(aggregate::date_bounds(lf.clone())?) else {
        return Ok(BTreeSet::new());
    };
    let days = daily(lf, &q, first - Duration::days(ALERT_LOOKBACK + ALERT_WINDOW), None)?;
    let Some(d) = days.get(&Vec::new()) else { return Ok(BTreeSet::new()) };
    Ok(alert_days(d, covered_from, first, every.end_of(last), rule.alert_min)
        .into_iter()
        .map(|d| every.start_of(d))
        .collect())
}

/// Add the escalation columns to a shaped table of `q` (`--every` required):
/// `long_run_mean`, `times_mean`, `highest_in`, `highest_since`, `alert`,
/// before `partial`, and the rules as notes.
pub fn add_flags(lf: &LazyFrame, q: &Query, rule: &Rule, t: &mut Table) -> Result<()> {
    let Some(every) = q.every else { return Ok(()) };
    // `--where` values as the query matched them (case, accents, aliases).
    let (q, _) = super::filters::resolve(lf, q)?;
    let q = &q;
    let merged = Merged::of_table(t, &q.by);
    let (series, covered_from) = history(lf, q, every, merged.as_ref())?;
    let starts: BTreeSet<NaiveDate> = t
        .rows
        .iter()
        .filter_map(|r| match r[0] {
            Cell::Period(d, _) => Some(d),
            _ => None,
        })
        .collect();
    let (Some(first), Some(last)) = (starts.first().copied(), starts.last().copied()) else { return Ok(()) };
    let last_day = every.end_of(last);
    let days = daily(lf, q, first - Duration::days(ALERT_LOOKBACK + ALERT_WINDOW), merged.as_ref())?;
    let mut flags: BTreeMap<Group, BTreeMap<NaiveDate, Flags>> = BTreeMap::new();
    for (g, s) in &series {
        let alerts = match (days.get(g), covered_from) {
            (Some(d), Some(c)) => alert_days(d, c, first, last_day, rule.alert_min),
            _ => BTreeSet::new(),
        };
        flags.insert(g.clone(), flags_of(s, rule, &alerts, every, &starts));
    }
    let groups: Vec<Group> = t.rows.iter().map(|r| t.group_of(&q.by, r)).collect();
    let at = t.index(shape::PARTIAL).unwrap_or(t.columns.len());
    for (k, name) in ["long_run_mean", "times_mean", "highest_in", "highest_since", "alert"].iter().enumerate() {
        t.columns.insert(at + k, name.to_string());
    }
    for (r, g) in t.rows.iter_mut().zip(groups) {
        let f = match r[0] {
            Cell::Period(d, _) => flags.get(&g).and_then(|m| m.get(&d)).cloned(),
            _ => None,
        };
        let cells = match f {
            Some(f) => vec![
                f.long_run_mean.map_or(Cell::Null, |m| Cell::Float(m, 2)),
                f.times_mean.map_or(Cell::Null, |m| Cell::Float(m, 2)),
                Cell::Int(f.highest_in as i64),
                f.highest_since.map_or(Cell::Null, Cell::Date),
                Cell::Bool(f.alert),
            ],
            None => vec![Cell::Null; 5],
        };
        for (k, c) in cells.into_iter().enumerate() {
            r.insert(at + k, c);
        }
    }
    t.notes.extend(rules_in_words(rule, every));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    #[test]
    fn highest_in_and_since_count_back_to_the_last_period_as_high() {
        let every = Period::Week { start: chrono::Weekday::Mon };
        let weeks: Vec<NaiveDate> = (0..6).map(|i| d(1, 1) + Duration::days(7 * i)).collect();
        let series: BTreeMap<NaiveDate, u64> = weeks.iter().copied().zip([5, 1, 2, 5, 3, 9]).collect();
        let wanted = weeks.iter().copied().collect();
        let f = flags_of(&series, &Rule::default(), &BTreeSet::new(), every, &wanted);
        // Week 4 (5) ties week 1 (5): highest in 3 weeks, since week 1.
        assert_eq!((f[&weeks[3]].highest_in, f[&weeks[3]].highest_since), (3, Some(weeks[0])));
        // Week 6 (9) is the most on record; the mean of the five before is 3.2, so 2.81 times it.
        assert_eq!((f[&weeks[5]].highest_in, f[&weeks[5]].highest_since), (6, None));
        assert!((f[&weeks[5]].times_mean.unwrap() - 9.0 / 3.2).abs() < 1e-9);
        let of2 = Rule { mean_of: Some(2), ..Rule::default() };
        assert_eq!(flags_of(&series, &of2, &BTreeSet::new(), every, &wanted)[&weeks[5]].long_run_mean, Some(4.0));
    }
}
