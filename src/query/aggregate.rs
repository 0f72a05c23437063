//! The polars half of a query: filter, place by date precision, bucket into
//! periods, group and aggregate; then collect into plain [`Aggregate`] rows.
//! Everything row-level runs lazily in polars; only the aggregated result
//! (periods × groups) comes back into Rust.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::Run;

use super::spec::Query;
use crate::error::{Error, Result};
use crate::schema::dates::{epoch_days, from_epoch_days};
use crate::schema::{col as c, DatePrecision};

/// Internal column holding each row's period start (days since 1970-01-01).
const PERIOD: &str = "__period";

/// Group values in `Query::by` order; `None` where a value is unknown.
pub type Group = Vec<Option<String>>;

/// One period × group cell of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct AggRow {
    /// First day of the period.
    pub period: NaiveDate,
    /// Group values in `Query::by` order; `None` where the value is unknown.
    pub group: Vec<Option<String>>,
    /// Whether this is the merged "Other" group of `--top`.
    pub is_other: bool,
    /// Incidents (actor rows with `--split-actors`).
    pub incidents: u64,
    /// Sum of known fatalities.
    pub fatalities: i64,
    /// Rows whose fatalities are unknown.
    pub fatalities_unknown: u64,
    /// Sum of known injured.
    pub injured: i64,
    /// Rows whose injured count is unknown.
    pub injured_unknown: u64,
}

impl AggRow {
    /// An all-zero row.
    pub fn zero(period: NaiveDate, group: Vec<Option<String>>, is_other: bool) -> Self {
        AggRow {
            period,
            group,
            is_other,
            incidents: 0,
            fatalities: 0,
            fatalities_unknown: 0,
            injured: 0,
            injured_unknown: 0,
        }
    }

    /// Add another row's counts to this one.
    pub fn add(&mut self, o: &AggRow) {
        self.incidents += o.incidents;
        self.fatalities += o.fatalities;
        self.fatalities_unknown += o.fatalities_unknown;
        self.injured += o.injured;
        self.injured_unknown += o.injured_unknown;
    }
}

/// The aggregated counts of a query, before shaping.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Non-empty cells, sorted by period then group.
    pub rows: Vec<AggRow>,
    /// The dates counted: the query's `--from`/`--to`, or the data's first and
    /// last placed incident; `None` when nothing matched.
    pub range: Option<(NaiveDate, NaiveDate)>,
    /// First and last incident date in the whole input (before filters).
    pub coverage: Option<(NaiveDate, NaiveDate)>,
    /// Incidents that matched the filters and were placed in a period.
    pub incidents: u64,
    /// Rows counted after splitting multi-actor cells (equals `incidents` without `--split-actors`).
    pub actor_rows: u64,
    /// Incidents that matched the filters but whose date is too coarse for the
    /// period, by precision. They are reported, never silently dropped.
    pub unplaced: Vec<(DatePrecision, u64)>,
}

impl Aggregate {
    /// The dates the result speaks for: the range, within the data's
    /// coverage (a `--from` before the data starts does not make the weeks
    /// before it zeros).
    pub fn counted(&self) -> Option<(NaiveDate, NaiveDate)> {
        match (self.range, self.coverage) {
            (Some((a, b)), Some((c0, c1))) if a.max(c0) <= b.min(c1) => Some((a.max(c0), b.min(c1))),
            (Some(_), Some(_)) => None,
            (range, None) => range,
            (None, _) => None,
        }
    }
}

/// The columns a query can name, for error messages.
fn columns_of(lf: &LazyFrame) -> Result<Vec<String>> {
    Ok(lf.clone().collect_schema()?.iter_names().map(|n| n.to_string()).collect())
}

fn check_column(option: &'static str, name: &str, available: &[String]) -> Result<()> {
    if available.iter().any(|a| a == name) {
        return Ok(());
    }
    let suggestion = crate::text::closest(name, available.iter().map(String::as_str), 1).first().map(|s| s.to_string());
    Err(Error::UnknownColumn { option, name: name.to_string(), columns: available.to_vec(), suggestion })
}

/// Rows matching the query's date range, `--where` filters and `--min-precision`.
pub fn filtered(lf: LazyFrame, q: &Query) -> Result<LazyFrame> {
    let pred = filter_expr(&lf, q)?;
    Ok(lf.filter(pred))
}

/// The predicate behind [`filtered`] (checks that the named columns exist).
pub fn filter_expr(lf: &LazyFrame, q: &Query) -> Result<Expr> {
    let available = columns_of(lf)?;
    for b in &q.by {
        check_column("by", b, &available)?;
    }
    let mut pred = lit(true);
    let days = || col(c::DATE).cast(DataType::Int32);
    if let Some(from) = q.from {
        pred = pred.and(days().gt_eq(lit(epoch_days(from))));
    }
    if let Some(to) = q.to {
        pred = pred.and(days().lt_eq(lit(epoch_days(to))));
    }
    for (column, values) in &q.filters {
        check_column("where", column, &available)?;
        if q.split_actors && column == c::ACTOR {
            // Matched against each actor after splitting (see `actor_filter`).
            continue;
        }
        let text = col(column.as_str()).cast(DataType::String);
        let any = values.iter().map(|v| value_matches(text.clone(), v)).reduce(|a, b| a.or(b));
        if let Some(any) = any {
            pred = pred.and(any);
        }
    }
    if let Some(min) = q.min_precision {
        pred = pred.and(precision_at_most(min));
    }
    Ok(pred)
}

/// A filter value as a predicate: equal, or empty for `(unknown)`.
fn value_matches(column: Expr, v: &str) -> Expr {
    if super::filters::is_unknown(v) {
        column.is_null()
    } else {
        column.eq(lit(v.to_string()))
    }
}

/// `--where actor=…` with `--split-actors`: applied to each actor after the split,
/// so "HTS" matches the incidents of "Ahrar al-Sham, HTS".
pub fn actor_filter(lf: LazyFrame, q: &Query) -> LazyFrame {
    let mut lf = lf;
    for (column, values) in q.filters.iter().filter(|(c, _)| q.split_actors && c == c::ACTOR) {
        let any = values.iter().map(|v| value_matches(col(column.as_str()), v)).reduce(|a, b| a.or(b));
        if let Some(any) = any {
            lf = lf.filter(any);
        }
    }
    lf
}

/// Rows whose precision is `max` or finer (unknown precision counts as day).
pub fn precision_at_most(max: DatePrecision) -> Expr {
    DatePrecision::ALL
        .into_iter()
        .filter(|p| *p <= max)
        .fold(col(c::DATE_PRECISION).is_null(), |acc, p| acc.or(col(c::DATE_PRECISION).eq(lit(p.as_str()))))
}

/// Split "A, B; C" actor cells into one row per actor (normalised cells
/// join the actors of a joint claim with ", ").
pub fn split_actors(lf: LazyFrame) -> LazyFrame {
    lf.with_column(col(c::ACTOR).str().replace_all(lit(";"), lit(","), true).str().split(lit(",")).alias(c::ACTOR))
        .explode(by_name([c::ACTOR], true, false), ExplodeOptions { empty_as_null: true, keep_nulls: true })
        .with_column(col(c::ACTOR).str().strip_chars(lit(NULL)).alias(c::ACTOR))
        .with_column(
            when(col(c::ACTOR).eq(lit("")))
                .then(lit(NULL).cast(DataType::String))
                .otherwise(col(c::ACTOR))
                .alias(c::ACTOR),
        )
}

/// First and last `date` of a frame (None when it has no rows).
pub fn date_bounds(lf: LazyFrame) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let df = lf
        .select([
            col(c::DATE).cast(DataType::Int32).min().alias("lo"),
            col(c::DATE).cast(DataType::Int32).max().alias("hi"),
        ])
        .run()?;
    let lo = df.column("lo")?.i32()?.get(0).and_then(from_epoch_days);
    let hi = df.column("hi")?.i32()?.get(0).and_then(from_epoch_days);
    Ok(lo.zip(hi))
}

/// Run the polars part of `q` over canonical incidents.
///
/// Two passes over the rows, whatever the query (three with
/// `--split-actors`): one for the data's coverage and the incidents too coarse
/// for the period, one for the grouped counts. Each is a single polars plan,
/// so a store is scanned for just the columns and row groups it needs.
pub fn aggregate(incidents: LazyFrame, q: &Query) -> Result<Aggregate> {
    let base = filtered(incidents.clone(), q)?;
    let coarse = q.every.and_then(|p| p.finest_unplaceable());
    let placeable = coarse.map(|c| precision_at_most(DatePrecision::ALL[c as usize - 1]));
    let day = || col(c::DATE).cast(DataType::Int32);

    // Pass 1: coverage (the date column of all incidents) and, without
    // splitting, the matching incidents too coarse for the period. The latter
    // is a filter, so a store scan evaluates it on Parquet dictionaries and
    // row-group statistics instead of on every row.
    let stats = incidents.clone().select([day().min().alias("lo"), day().max().alias("hi")]).run()?;
    let lo = stats.column("lo")?.i32()?.get(0).and_then(from_epoch_days);
    let hi = stats.column("hi")?.i32()?.get(0).and_then(from_epoch_days);
    let mut unplaced = Vec::new();
    if let (Some(c), false) = (coarse, q.split_actors) {
        let coarse_names: Vec<&str> = DatePrecision::ALL[c as usize..].iter().map(|p| p.as_str()).collect();
        let is_coarse = coarse_names
            .iter()
            .map(|p| col(c::DATE_PRECISION).eq(lit(*p)))
            .reduce(|a, b| a.or(b))
            .unwrap_or_else(|| lit(false));
        let counts = base
            .clone()
            .filter(is_coarse)
            .group_by([col(c::DATE_PRECISION)])
            .agg([len().cast(DataType::UInt64).alias("n")])
            .run()?;
        let names = counts.column(c::DATE_PRECISION)?.str()?;
        let ns = counts.column("n")?.u64()?;
        unplaced = names.iter().zip(ns.iter()).filter_map(|(p, n)| Some((p?.parse().ok()?, n?))).collect();
        unplaced.sort();
    }
    let placed = match &placeable {
        Some(placeable) => {
            if q.split_actors {
                let coarse_rows = actor_filter(split_actors(base.clone().filter(placeable.clone().not())), q);
                let counts = coarse_rows
                    .group_by([col(c::DATE_PRECISION)])
                    .agg([col(c::INCIDENT_ID).n_unique().cast(DataType::UInt64).alias("n")])
                    .run()?;
                let names = counts.column(c::DATE_PRECISION)?.str()?;
                let ns = counts.column("n")?.u64()?;
                unplaced = names.iter().zip(ns.iter()).filter_map(|(p, n)| Some((p?.parse().ok()?, n?))).collect();
                unplaced.sort();
            }
            base.filter(placeable.clone())
        }
        None => base,
    };
    let rows_lf = if q.split_actors { actor_filter(split_actors(placed), q) } else { placed };

    // Pass 2: the grouped counts, with each group's first and last date (for the range).
    let period_expr = match q.every {
        Some(p) => p.start_expr(col(c::DATE)),
        // One period; its start is only known once the range is.
        None => lit(0i32),
    };
    let mut keys = vec![col(PERIOD)];
    keys.extend(q.by.iter().map(|b| col(b.as_str()).cast(DataType::String)));
    let df = rows_lf
        .clone()
        .with_column(period_expr.alias(PERIOD))
        .group_by(keys)
        .agg([
            len().cast(DataType::UInt64).alias("incidents"),
            col(c::FATALITIES).sum().cast(DataType::Int64).alias("fatalities"),
            col(c::FATALITIES).null_count().cast(DataType::UInt64).alias("fatalities_unknown"),
            col(c::INJURED).sum().cast(DataType::Int64).alias("injured"),
            col(c::INJURED).null_count().cast(DataType::UInt64).alias("injured_unknown"),
            day().min().alias("__first"),
            day().max().alias("__last"),
        ])
        .run()?;
    let first = df.column("__first")?.i32()?.min().and_then(from_epoch_days);
    let last = df.column("__last")?.i32()?.max().and_then(from_epoch_days);
    let rows = collect_rows(&df, q)?;
    // Distinct incidents (after splitting, one incident can be several rows).
    let distinct = if q.split_actors {
        let n = rows_lf.select([col(c::INCIDENT_ID).n_unique().cast(DataType::UInt64).alias("n")]).run()?;
        Some(n.column("n")?.u64()?.get(0).unwrap_or(0))
    } else {
        None
    };
    Ok(assemble(q, Counted { data: lo.zip(hi), unplaced, rows, first, last, distinct }))
}

/// What the counting passes found, from polars or from an engine's base
/// aggregate ([`super::external`]): both become an [`Aggregate`] by [`assemble`].
#[derive(Debug, Clone, Default)]
pub struct Counted {
    /// First and last date of all incidents (before filters).
    pub data: Option<(NaiveDate, NaiveDate)>,
    /// Matching incidents too coarse for the period, by precision.
    pub unplaced: Vec<(DatePrecision, u64)>,
    /// The grouped counts; without `--every` their period is set by [`assemble`].
    pub rows: Vec<AggRow>,
    /// First and last date among the rows counted.
    pub first: Option<NaiveDate>,
    /// See `first`.
    pub last: Option<NaiveDate>,
    /// With `--split-actors`, the distinct incidents placed.
    pub distinct: Option<u64>,
}

/// The aggregate of `q` from its counts: coverage and range, the period of
/// a whole-range query, and the rows in order.
pub fn assemble(q: &Query, counted: Counted) -> Aggregate {
    let Counted { data, mut unplaced, mut rows, first, last, distinct } = counted;
    unplaced.sort();
    let coverage = q.coverage.widen(data);
    // Declared coverage carries the range past the first and last incident.
    let span = match first.zip(last) {
        Some(s) => q.coverage.widen(Some(s)),
        None => q.coverage.from.zip(q.coverage.to),
    };
    let range = match (q.from, q.to, span) {
        (Some(a), Some(b), _) => Some((a, b)),
        (a, b, Some((lo, hi))) => Some((a.unwrap_or(lo), b.unwrap_or(hi))),
        (_, _, None) => None,
    };
    let Some((range_start, _)) = range else {
        return Aggregate { rows: Vec::new(), range, coverage, incidents: 0, actor_rows: 0, unplaced };
    };
    if q.every.is_none() {
        for r in &mut rows {
            r.period = range_start;
        }
    }
    rows.sort_by(|a, b| a.period.cmp(&b.period).then_with(|| cmp_groups(&a.group, &b.group)));
    let actor_rows = rows.iter().map(|r| r.incidents).sum();
    let incidents = distinct.unwrap_or(actor_rows);
    Aggregate { rows, range, coverage, incidents, actor_rows, unplaced }
}

/// Order groups by label, unknown (`None`) last.
pub fn cmp_groups(a: &[Option<String>], b: &[Option<String>]) -> std::cmp::Ordering {
    let key = |g: &[Option<String>]| g.iter().map(|v| (v.is_none(), v.clone())).collect::<Vec<_>>();
    key(a).cmp(&key(b))
}

/// The grouped frame as rows; without `--every` the period is left for [`assemble`].
fn collect_rows(df: &DataFrame, q: &Query) -> Result<Vec<AggRow>> {
    let periods = df.column(PERIOD)?.as_materialized_series().cast(&DataType::Int32)?;
    let periods = periods.i32()?;
    let groups: Vec<StringChunked> = q.by.iter().map(|b| Ok(df.column(b)?.str()?.clone())).collect::<Result<_>>()?;
    let u = |name: &str| -> Result<UInt64Chunked> { Ok(df.column(name)?.u64()?.clone()) };
    let i = |name: &str| -> Result<Int64Chunked> { Ok(df.column(name)?.i64()?.clone()) };
    let (inc, fat, fat_u, inj, inj_u) =
        (u("incidents")?, i("fatalities")?, u("fatalities_unknown")?, i("injured")?, u("injured_unknown")?);
    let mut out = Vec::with_capacity(df.height());
    for r in 0..df.height() {
        let period = match q.every {
            None => NaiveDate::MIN,
            Some(_) => {
                periods.get(r).and_then(from_epoch_days).ok_or_else(|| Error::Internal("period out of range".into()))?
            }
        };
        out.push(AggRow {
            period,
            group: groups.iter().map(|g| g.get(r).map(str::to_string)).collect(),
            is_other: false,
            incidents: inc.get(r).unwrap_or(0),
            fatalities: fat.get(r).unwrap_or(0),
            fatalities_unknown: fat_u.get(r).unwrap_or(0),
            injured: inj.get(r).unwrap_or(0),
            injured_unknown: inj_u.get(r).unwrap_or(0),
        });
    }
    Ok(out)
}

/// Incidents per group over the whole result, for ranking.
pub fn group_totals(rows: &[AggRow]) -> BTreeMap<Vec<Option<String>>, u64> {
    let mut t = BTreeMap::new();
    for r in rows {
        *t.entry(r.group.clone()).or_insert(0) += r.incidents;
    }
    t
}
