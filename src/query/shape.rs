//! The Rust half of a query: shapes applied to the small aggregated result.
//! Top-N with "Other", the zero-filled grid, shares, rolling means, running
//! totals and period-over-period comparison with trend bands.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::aggregate::{cmp_groups, group_totals, AggRow, Aggregate, Group};
use super::period::Period;
use super::spec::{Metric, Query, Sort};
use super::table::{Cell, Table};
use crate::text::{count, counted};

/// Label of the merged group of `--top`.
pub const OTHER: &str = "Other";
/// Label used instead when a real group named "Other" is among the kept groups.
pub const ALL_OTHER: &str = "All other";

/// Below this baseline mean (incidents per period), no trend band is given:
/// a change from 1 to 3 is +200% but says little.
pub const MIN_BASELINE: f64 = 3.0;

/// Trend band of `current` against a baseline mean, by ratio: at least 2× is a
/// large increase, 1.5× moderate, 1.2× limited; the same ratios downwards
/// (½, ⅔, ⅚) are decreases; in between is stable.
pub fn trend_band(current: f64, baseline: f64) -> &'static str {
    if baseline < MIN_BASELINE {
        return "low baseline";
    }
    let r = current / baseline;
    match r {
        r if r >= 2.0 => "large increase",
        r if r >= 1.5 => "moderate increase",
        r if r >= 1.2 => "limited increase",
        r if r <= 0.5 => "large decrease",
        r if r <= 2.0 / 3.0 => "moderate decrease",
        r if r <= 1.0 / 1.2 => "limited decrease",
        _ => "stable",
    }
}

/// Keep the `n` largest groups over the whole range (ties by label) and merge
/// the rest, per period, into one "Other" group. A single leftover group is
/// kept as itself (no "Other" of one), and nothing is merged when nothing is left.
pub fn top_n(rows: Vec<AggRow>, n: usize) -> Vec<AggRow> {
    let totals = group_totals(&rows);
    let mut ranked: Vec<(&Vec<Option<String>>, &u64)> = totals.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1).then_with(|| cmp_groups(a.0, b.0)));
    if ranked.len() <= n + 1 {
        return rows;
    }
    let kept: BTreeSet<Vec<Option<String>>> = ranked[..n].iter().map(|(g, _)| (*g).clone()).collect();
    let width = rows.first().map_or(1, |r| r.group.len().max(1));
    let label = other_label(&kept);
    let mut out = Vec::new();
    let mut merged: BTreeMap<NaiveDate, AggRow> = BTreeMap::new();
    for r in rows {
        if kept.contains(&r.group) {
            out.push(r);
        } else {
            merged
                .entry(r.period)
                .or_insert_with(|| AggRow::zero(r.period, vec![Some(label.to_string()); width], true))
                .add(&r);
        }
    }
    out.extend(merged.into_values());
    sort_rows(&mut out);
    out
}

/// How a shaped table merged its groups with `--top`, so that an extra pass
/// (flags, concentration) merges its own groups the same way.
#[derive(Debug, Clone)]
pub struct Merged {
    kept: BTreeSet<Vec<Option<String>>>,
    other: Vec<Option<String>>,
}

impl Merged {
    /// The merge of a table grouped by `by`; `None` when it has no "Other" row.
    pub fn of_table(t: &Table, by: &[String]) -> Option<Merged> {
        let groups: Vec<Vec<Option<String>>> = t.rows.iter().map(|r| t.group_of(by, r)).collect();
        let is_other = |g: &Vec<Option<String>>| {
            !g.is_empty() && g.iter().all(|v| v.as_deref() == Some(OTHER) || v.as_deref() == Some(ALL_OTHER))
        };
        let other = groups.iter().find(|g| is_other(g))?.clone();
        let kept = groups.into_iter().filter(|g| *g != other).collect();
        Some(Merged { kept, other })
    }

    /// A group as the table shows it: itself when kept, else "Other".
    pub fn apply(merged: Option<&Merged>, g: &[Option<String>]) -> Vec<Option<String>> {
        match merged {
            Some(m) if !m.kept.iter().any(|k| k == g) => m.other.clone(),
            _ => g.to_vec(),
        }
    }
}

/// The label of the merged group: [`OTHER`], or [`ALL_OTHER`] when a kept
/// group is itself named "Other".
pub fn other_label(kept: &BTreeSet<Vec<Option<String>>>) -> &'static str {
    if kept.iter().any(|g| g.iter().any(|v| v.as_deref() == Some(OTHER))) {
        ALL_OTHER
    } else {
        OTHER
    }
}

/// Period, then group label, with "Other" last in each period.
pub fn sort_rows(rows: &mut [AggRow]) {
    rows.sort_by(|a, b| {
        a.period.cmp(&b.period).then(a.is_other.cmp(&b.is_other)).then_with(|| cmp_groups(&a.group, &b.group))
    });
}

/// The full grid: every period in `periods` × every group seen, zeros where
/// nothing happened.
pub fn fill_grid(rows: Vec<AggRow>, periods: &[NaiveDate]) -> Vec<AggRow> {
    let mut groups: Vec<(Vec<Option<String>>, bool)> = Vec::new();
    for r in &rows {
        if !groups.iter().any(|(g, _)| *g == r.group) {
            groups.push((r.group.clone(), r.is_other));
        }
    }
    let mut have: HashMap<(NaiveDate, Vec<Option<String>>), AggRow> =
        rows.into_iter().map(|r| ((r.period, r.group.clone()), r)).collect();
    let mut out = Vec::with_capacity(periods.len() * groups.len());
    for p in periods {
        for (g, other) in &groups {
            out.push(have.remove(&(*p, g.clone())).unwrap_or_else(|| AggRow::zero(*p, g.clone(), *other)));
        }
    }
    sort_rows(&mut out);
    out
}

/// Name of the column that flags periods the range cuts short.
pub const PARTIAL: &str = "partial";

/// The column of the number of groups active (`--metric concentration`).
pub const ACTIVE_GROUPS: &str = "groups";
/// The column of the effective number of groups (inverse Simpson).
pub const EFFECTIVE_GROUPS: &str = "effective_groups";

/// Whether the period starting on `start` is cut short by `range`: a week
/// that began before the data's coverage or `--from`, a month not yet over.
pub fn is_partial(p: Period, start: NaiveDate, range: (NaiveDate, NaiveDate)) -> bool {
    start < range.0 || p.end_of(start) > range.1
}

/// The periods of the range that overlap the data's coverage.
pub fn covered_periods(q: &Query, agg: &Aggregate) -> Vec<NaiveDate> {
    let (Some((from, to)), Some((c0, c1))) = (agg.range, agg.coverage) else { return Vec::new() };
    match q.every {
        None => vec![from],
        Some(p) => p.starts(from, to).into_iter().filter(|s| *s <= c1 && p.end_of(*s) >= c0).collect(),
    }
}

/// Counts of the periods before `--from` that `--compare` takes its
/// baseline from: the covered periods, and the cells that are not empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// Period starts, in order (those the data covers).
    pub periods: Vec<NaiveDate>,
    /// Non-empty cells, groups merged as the main result's.
    pub rows: Vec<AggRow>,
}

/// Shape an aggregate into the output table. `since_rows`, when given, are
/// the same query's cells counting only incidents on or after `--since`;
/// `history`, the periods before `--from` for `--compare`'s baseline.
pub fn shape(q: &Query, agg: &Aggregate, since_rows: Option<&[AggRow]>, history: Option<&History>) -> Table {
    let mut rows = agg.rows.clone();
    if let Some(n) = q.top {
        rows = top_n(rows, n);
    }
    let mut notes = Vec::new();
    if q.needs_grid() {
        let periods = covered_periods(q, agg);
        if q.by.is_empty() && rows.is_empty() && !periods.is_empty() {
            rows.push(AggRow::zero(periods[0], Vec::new(), false));
        }
        rows = fill_grid(rows, &periods);
        if let (Some(p), Some((from, to)), Some((c0, c1))) = (q.every, agg.range, agg.coverage) {
            if p.start_of(from) < p.start_of(c0) || p.end_of(p.start_of(to)) > p.end_of(p.start_of(c1)) {
                notes.push(format!(
                    "the data covers {c0} to {c1}: periods outside it are left out, not filled with zeros \
                     (if the data is complete to a later date, say so with --as-of DATE or [data] as_of)"
                ));
            }
        }
    }
    let period_totals: HashMap<NaiveDate, u64> = rows.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.period).or_insert(0) += r.incidents;
        m
    });
    let series = shape_series(q, &rows, since_rows, history);
    let mut t = Table { columns: vec!["period".into()], rows: Vec::new(), notes, group_columns: q.by.clone() };
    t.columns.extend(q.by.iter().cloned());
    for m in &q.metrics {
        match m {
            Metric::Incidents => t.columns.push("incidents".into()),
            Metric::Fatalities => t.columns.extend(["fatalities".into(), "fatalities_unknown".into()]),
            Metric::Injured => t.columns.extend(["injured".into(), "injured_unknown".into()]),
            Metric::Share => t.columns.push("share_pct".into()),
            Metric::Concentration => t.columns.extend([ACTIVE_GROUPS.into(), EFFECTIVE_GROUPS.into()]),
        }
    }
    if let Some(n) = q.rolling {
        t.columns.push(format!("rolling_mean_{n}"));
    }
    if q.cumulative {
        t.columns.push("cumulative".into());
    }
    if let Some(n) = q.compare {
        t.columns.extend(
            ["previous", "change", "change_pct", &format!("baseline_mean_{n}"), "baseline_change_pct", "trend"]
                .map(String::from),
        );
    }
    let partial_of = |start: NaiveDate| match (q.every, agg.counted()) {
        (Some(p), Some(span)) => Some(is_partial(p, start, span)),
        _ => None,
    };
    if q.every.is_some() {
        t.columns.push(PARTIAL.into());
    }
    for (r, s) in rows.iter().zip(series) {
        let label = q.every.map_or_else(
            || match agg.range {
                Some((a, b)) => format!("{a} to {b}"),
                None => r.period.to_string(),
            },
            |p| p.label(r.period),
        );
        let mut cells = vec![Cell::Period(r.period, label)];
        cells.extend(r.group.iter().map(|g| g.clone().map_or(Cell::Null, Cell::Text)));
        for m in &q.metrics {
            match m {
                Metric::Incidents => cells.push(Cell::Int(r.incidents as i64)),
                Metric::Fatalities => cells.extend([Cell::Int(r.fatalities), Cell::Int(r.fatalities_unknown as i64)]),
                Metric::Injured => cells.extend([Cell::Int(r.injured), Cell::Int(r.injured_unknown as i64)]),
                Metric::Share => {
                    let total = period_totals.get(&r.period).copied().unwrap_or(0);
                    cells.push(if total == 0 {
                        Cell::Null
                    } else {
                        Cell::Float(100.0 * r.incidents as f64 / total as f64, 1)
                    });
                }
                // Filled by `concentration::fill`, which needs the counts per group.
                Metric::Concentration => cells.extend([Cell::Null, Cell::Null]),
            }
        }
        if q.rolling.is_some() {
            cells.push(s.rolling.map_or(Cell::Null, |v| Cell::Float(v, 2)));
        }
        if q.cumulative {
            cells.push(s.cumulative.map_or(Cell::Null, |v| Cell::Int(v as i64)));
        }
        if q.compare.is_some() {
            cells.push(s.previous.map_or(Cell::Null, |v| Cell::Int(v as i64)));
            cells.push(s.previous.map_or(Cell::Null, |p| Cell::Int(r.incidents as i64 - p as i64)));
            cells.push(match s.previous {
                Some(p) if p > 0 => Cell::Float(100.0 * (r.incidents as f64 - p as f64) / p as f64, 1),
                _ => Cell::Null,
            });
            cells.push(s.baseline.map_or(Cell::Null, |b| Cell::Float(b, 2)));
            cells.push(match s.baseline {
                Some(b) if b > 0.0 => Cell::Float(100.0 * (r.incidents as f64 - b) / b, 1),
                _ => Cell::Null,
            });
            cells.push(s.baseline.map_or(Cell::Null, |b| Cell::Text(trend_band(r.incidents as f64, b).into())));
        }
        if q.every.is_some() {
            cells.push(partial_of(r.period).map_or(Cell::Null, Cell::Bool));
        }
        t.rows.push(cells);
    }
    sort_table(q.order(), &rows, &mut t.rows);
    t.notes.extend(notes_for(q, agg, &rows));
    t
}

/// Put a table's rows (built in period order, aligned with `rows`) in the
/// asked order. "Other" stays last within a period (by count) or overall (by name).
fn sort_table(order: Sort, rows: &[AggRow], cells: &mut Vec<Vec<Cell>>) {
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    match order {
        Sort::Period => return,
        Sort::Count => idx.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            a.period
                .cmp(&b.period)
                .then(a.is_other.cmp(&b.is_other))
                .then(b.incidents.cmp(&a.incidents))
                .then_with(|| cmp_groups(&a.group, &b.group))
        }),
        Sort::Name => idx.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            a.is_other.cmp(&b.is_other).then_with(|| cmp_groups(&a.group, &b.group)).then(a.period.cmp(&b.period))
        }),
    }
    let mut taken: Vec<Option<Vec<Cell>>> = std::mem::take(cells).into_iter().map(Some).collect();
    *cells = idx.into_iter().filter_map(|i| taken[i].take()).collect();
}

#[derive(Debug, Clone, Default)]
struct Series {
    rolling: Option<f64>,
    cumulative: Option<u64>,
    previous: Option<u64>,
    baseline: Option<f64>,
}

/// Per-group time-series values, aligned with `rows` (which are a full grid
/// sorted by period, so each group's rows are in period order).
fn shape_series(q: &Query, rows: &[AggRow], since_rows: Option<&[AggRow]>, history: Option<&History>) -> Vec<Series> {
    let before: HashMap<(NaiveDate, &Group), u64> = history.map_or_else(HashMap::new, |h| {
        h.rows.iter().fold(HashMap::new(), |mut m, r| {
            *m.entry((r.period, &r.group)).or_insert(0) += r.incidents;
            m
        })
    });
    // What --compare looks back on: the periods before --from, then the result's own.
    let mut compared: HashMap<&Group, Vec<u64>> = HashMap::new();
    let since_counts: Option<HashMap<(NaiveDate, &Group), u64>> = since_rows.map(|s| {
        s.iter().fold(HashMap::new(), |mut m, r| {
            *m.entry((r.period, &r.group)).or_insert(0) += r.incidents;
            m
        })
    });
    let since_start = q.since.map(|d| q.every.map_or(d, |p| p.start_of(d)));
    let mut past: HashMap<&Vec<Option<String>>, Vec<u64>> = HashMap::new();
    let mut running: HashMap<&Vec<Option<String>>, u64> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let h = past.entry(&r.group).or_default();
        let c = compared.entry(&r.group).or_insert_with(|| {
            history.map_or_else(Vec::new, |hs| {
                hs.periods.iter().map(|p| before.get(&(*p, &r.group)).copied().unwrap_or(0)).collect()
            })
        });
        let mut s = Series::default();
        if let Some(n) = q.rolling.filter(|n| *n > 0) {
            if h.len() + 1 >= n {
                let window: u64 = h[h.len() + 1 - n..].iter().sum::<u64>() + r.incidents;
                s.rolling = Some(window as f64 / n as f64);
            }
        }
        if q.cumulative {
            let add = match (&since_counts, since_start) {
                (Some(sc), Some(start)) if r.period >= start => {
                    Some(sc.get(&(r.period, &r.group)).copied().unwrap_or(0))
                }
                (Some(_), Some(_)) => None,
                _ => Some(r.incidents),
            };
            if let Some(add) = add {
                let total = running.entry(&r.group).or_insert(0);
                *total += add;
                s.cumulative = Some(*total);
            }
        }
        if let Some(n) = q.compare.filter(|n| *n > 0) {
            s.previous = c.last().copied();
            if c.len() >= n {
                s.baseline = Some(c[c.len() - n..].iter().sum::<u64>() as f64 / n as f64);
            }
        }
        h.push(r.incidents);
        c.push(r.incidents);
        out.push(s);
    }
    out
}

fn notes_for(q: &Query, agg: &Aggregate, rows: &[AggRow]) -> Vec<String> {
    let mut notes = Vec::new();
    if !agg.unplaced.is_empty() {
        let parts: Vec<String> =
            agg.unplaced.iter().map(|(p, n)| format!("{} with {} precision", count(*n), p.as_str())).collect();
        let total: u64 = agg.unplaced.iter().map(|(_, n)| n).sum();
        let period = q.every.map_or_else(String::new, |p| p.to_string());
        notes.push(format!(
            "{} not counted because {} too coarse for the period ({period}): {} \
             (use a longer --every, or --min-precision to exclude them explicitly)",
            counted(total, "incident"),
            if total == 1 { "its date is" } else { "their dates are" },
            parts.join(", ")
        ));
    }
    if q.split_actors && agg.actor_rows != agg.incidents {
        notes.push(format!(
            "multi-actor cells were split: per-actor counts add up to {} actor rows, more than the {} incidents",
            count(agg.actor_rows),
            count(agg.incidents)
        ));
    }
    let unknown: u64 = rows.iter().map(|r| r.fatalities_unknown).sum();
    if q.metrics.contains(&Metric::Fatalities) && unknown > 0 {
        notes.push(format!("fatalities are unknown for {} incidents; they are not counted as 0", count(unknown)));
    }
    if let (Some(n), Some(from)) = (q.compare, q.from.filter(|_| q.every.is_some())) {
        notes.push(format!("the first periods compare with the {n} before {from}, where the data covers them"));
    }
    if let Some(n) = q.compare {
        notes.push(format!(
            "trend bands compare each period with the mean of the previous {n}: ≥2× large, ≥1.5× moderate, \
             ≥1.2× limited increase (and the inverse ratios for decreases); no band when that mean is below {MIN_BASELINE}"
        ));
    }
    if let (Some(p), Some((from, to))) = (q.every, agg.range) {
        let (first, last) = (p.start_of(from), p.start_of(to));
        if first < from {
            notes.push(format!("the first period, {}, is partial: the range starts on {from}", p.label(first)));
        }
        if p.end_of(last) > to {
            notes.push(format!("the last period, {}, is partial: the range ends on {to}", p.label(last)));
        }
    }
    if let (true, Some(since)) = (q.cumulative, q.since) {
        notes.push(format!("the running total counts incidents from {since} on"));
    }
    if agg.range.is_none() || rows.is_empty() {
        notes.push("no incidents match the query".into());
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: u32, g: &str, n: u64) -> AggRow {
        let mut r = AggRow::zero(NaiveDate::from_ymd_opt(2024, 1, day).unwrap(), vec![Some(g.into())], false);
        r.incidents = n;
        r
    }

    #[test]
    fn top_n_merges_the_rest_but_never_an_other_of_one() {
        let rows = vec![row(1, "A", 5), row(1, "B", 3), row(1, "C", 1), row(2, "D", 1), row(2, "A", 1)];
        let t = top_n(rows.clone(), 2);
        let labels: Vec<_> = t.iter().map(|r| (r.period.day(), r.group[0].clone().unwrap(), r.incidents)).collect();
        assert_eq!(
            labels,
            vec![
                (1, "A".into(), 5),
                (1, "B".into(), 3),
                (1, "Other".into(), 1),
                (2, "A".into(), 1),
                (2, "Other".into(), 1)
            ]
        );
        assert_eq!(t.iter().map(|r| r.incidents).sum::<u64>(), 11);
        // Three groups left of four with top 3: the one leftover keeps its name.
        assert!(top_n(rows, 3).iter().all(|r| !r.is_other));
    }

    #[test]
    fn a_real_group_named_other_is_kept_apart() {
        let rows = vec![row(1, "Other", 9), row(1, "B", 3), row(1, "C", 1), row(1, "D", 1)];
        let t = top_n(rows, 2);
        let labels: Vec<_> = t.iter().map(|r| r.group[0].clone().unwrap()).collect();
        assert_eq!(labels, vec!["B", "Other", "All other"]);
    }

    #[test]
    fn trend_bands_and_the_low_baseline_guard() {
        assert_eq!(trend_band(10.0, 4.0), "large increase");
        assert_eq!(trend_band(6.0, 4.0), "moderate increase");
        assert_eq!(trend_band(5.0, 4.0), "limited increase");
        assert_eq!(trend_band(4.0, 4.0), "stable");
        assert_eq!(trend_band(3.3, 4.0), "limited decrease");
        assert_eq!(trend_band(2.5, 4.0), "moderate decrease");
        assert_eq!(trend_band(1.0, 4.0), "large decrease");
        assert_eq!(trend_band(3.0, 1.0), "low baseline");
    }

    use chrono::Datelike;
}
