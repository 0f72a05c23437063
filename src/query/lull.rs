//! Lull statistics: days since the last incident as of a date, and the
//! longest gap between incidents, overall or per group. Only incidents dated
//! to the day count (a month-precision incident has no last day to count
//! from); how many were left out is said in a note.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::Run;

use super::aggregate::{cmp_groups, filtered};
use super::spec::Query;
use super::table::{Cell, Table};
use crate::error::Result;
use crate::schema::dates::from_epoch_days;
use crate::schema::{col as c, DatePrecision};
use crate::text::count;

/// Lull figures for one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lull {
    /// Group values (empty without `--by`).
    pub group: Vec<Option<String>>,
    /// Day-precision incidents counted.
    pub incidents: u64,
    /// First incident date in range.
    pub first: NaiveDate,
    /// Last incident date on or before `as_of`.
    pub last: NaiveDate,
    /// Days from the last incident to `as_of`.
    pub days_since: i64,
    /// Longest gap in days between consecutive incident dates (or from the last
    /// one to `as_of`, when that is longer), with its start and end.
    pub longest_gap: (i64, NaiveDate, NaiveDate),
    /// The distinct incident dates counted, in order (what a gap chart draws).
    pub dates: Vec<NaiveDate>,
}

/// Gap figures from sorted distinct incident dates.
pub fn gaps(dates: &[NaiveDate], as_of: NaiveDate) -> Option<(i64, (i64, NaiveDate, NaiveDate))> {
    let last = *dates.last()?;
    let mut longest = (0, dates[0], dates[0]);
    for w in dates.windows(2) {
        let gap = (w[1] - w[0]).num_days();
        if gap > longest.0 {
            longest = (gap, w[0], w[1]);
        }
    }
    let since = (as_of - last).num_days();
    if since > longest.0 {
        longest = (since, last, as_of);
    }
    Some((since, longest))
}

/// Lull figures per group, as of `as_of` (incidents after it are ignored).
pub fn lulls(incidents: LazyFrame, q: &Query, as_of: NaiveDate) -> Result<(Vec<Lull>, Table)> {
    let to = Some(q.to.map_or(as_of, |t| t.min(as_of)));
    let (resolved, where_notes) = super::filters::resolve(&incidents, q)?;
    let q = &resolved;
    let lq = Query { to, ..q.clone() };
    let base = filtered(incidents, &lq)?;
    // `--split-actors`: each actor of a joint claim has its own last attack.
    let base =
        if q.split_actors { super::aggregate::actor_filter(super::aggregate::split_actors(base), q) } else { base };
    let day_only = super::aggregate::precision_at_most(DatePrecision::Day);
    let skipped =
        base.clone().filter(day_only.clone().not()).select([len().cast(DataType::UInt64).alias("n")]).run()?;
    let skipped = skipped.column("n")?.u64()?.get(0).unwrap_or(0);
    let mut keys: Vec<Expr> = q.by.iter().map(|b| col(b.as_str()).cast(DataType::String)).collect();
    keys.push(col(c::DATE).cast(DataType::Int32).alias("__day"));
    let df = base.filter(day_only).group_by(keys).agg([len().cast(DataType::UInt64).alias("n")]).run()?;
    let days = df.column("__day")?.i32()?;
    let ns = df.column("n")?.u64()?;
    let groups: Vec<StringChunked> = q.by.iter().map(|b| Ok(df.column(b)?.str()?.clone())).collect::<Result<_>>()?;
    let mut per: BTreeMap<Vec<Option<String>>, (u64, Vec<NaiveDate>)> = BTreeMap::new();
    for i in 0..df.height() {
        let g: Vec<Option<String>> = groups.iter().map(|s| s.get(i).map(str::to_string)).collect();
        let e = per.entry(g).or_default();
        e.0 += ns.get(i).unwrap_or(0);
        e.1.extend(days.get(i).and_then(from_epoch_days));
    }
    let mut out = Vec::new();
    for (group, (n, mut dates)) in per {
        dates.sort_unstable();
        dates.dedup();
        if let Some((since, longest)) = gaps(&dates, as_of) {
            out.push(Lull {
                group,
                incidents: n,
                first: dates[0],
                last: *dates.last().unwrap_or(&dates[0]),
                days_since: since,
                longest_gap: longest,
                dates,
            });
        }
    }
    // `--top N`: the lulls of the N groups with the most incidents.
    let mut hidden = 0;
    if let Some(n) = q.top.filter(|n| out.len() > *n) {
        let mut ranked: Vec<&Lull> = out.iter().collect();
        ranked.sort_by(|a, b| b.incidents.cmp(&a.incidents).then_with(|| cmp_groups(&a.group, &b.group)));
        let keep: std::collections::BTreeSet<Vec<Option<String>>> =
            ranked[..n].iter().map(|l| l.group.clone()).collect();
        hidden = out.len() - n;
        out.retain(|l| keep.contains(&l.group));
    }
    out.sort_by(|a, b| a.days_since.cmp(&b.days_since).then_with(|| cmp_groups(&a.group, &b.group)));
    let mut t = Table { columns: q.by.clone(), rows: Vec::new(), notes: Vec::new(), group_columns: q.by.clone() };
    t.columns.extend(
        ["incidents", "first_incident", "last_incident", "days_since", "longest_gap_days", "gap_start", "gap_end"]
            .map(String::from),
    );
    for l in &out {
        let mut row: Vec<Cell> = l.group.iter().map(|g| g.clone().map_or(Cell::Null, Cell::Text)).collect();
        row.extend([
            Cell::Int(l.incidents as i64),
            Cell::Date(l.first),
            Cell::Date(l.last),
            Cell::Int(l.days_since),
            Cell::Int(l.longest_gap.0),
            Cell::Date(l.longest_gap.1),
            Cell::Date(l.longest_gap.2),
        ]);
        t.rows.push(row);
    }
    t.notes.extend(where_notes);
    t.notes.push(format!(
        "as of {as_of}; gaps are days between consecutive incident dates, or from the last incident to {as_of}"
    ));
    if hidden > 0 {
        t.notes.push(format!(
            "{} with fewer incidents not shown (--top {})",
            crate::text::counted(hidden as u64, "group"),
            q.top.unwrap_or(0)
        ));
    }
    if skipped > 0 {
        t.notes
            .push(format!("{} incidents dated only to the week, month or year are not used for lulls", count(skipped)));
    }
    Ok((out, t))
}

/// The date a chart's lulls are counted to: the declared coverage's end,
/// else the input's last incident (a lull past the data is not known), in
/// either case no later than `--to`.
pub fn default_as_of(incidents: LazyFrame, q: &Query) -> Result<Option<NaiveDate>> {
    let end = match q.coverage.to {
        Some(a) => Some(a),
        None => super::aggregate::date_bounds(incidents)?.map(|b| b.1),
    };
    Ok(match (end, q.to) {
        (Some(e), Some(t)) => Some(e.min(t)),
        (e, t) => e.or(t),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    #[test]
    fn gaps_include_the_open_lull_up_to_as_of() {
        let dates = [d(1, 1), d(1, 3), d(1, 20), d(1, 22)];
        assert_eq!(gaps(&dates, d(1, 25)), Some((3, (17, d(1, 3), d(1, 20)))));
        assert_eq!(gaps(&dates, d(3, 1)), Some((39, (39, d(1, 22), d(3, 1)))));
        assert_eq!(gaps(&[], d(1, 1)), None);
    }
}
