//! Queries over canonical incidents: [`spec::Query`] says what to count
//! ([`def`] builds it from flags or a config entry); [`run`] filters,
//! buckets and groups lazily in polars, collects the small aggregate into
//! plain rows, and shapes it into a [`table::Table`]. Results never depend
//! on how polars prints a frame. [`lull`], [`summary`] and [`weekly`] compute
//! the figures of lulls, `sitrep check` and the weekly summary.

pub mod aggregate;
pub mod concentration;
pub mod datasets;
pub mod def;
pub mod escalation;
pub mod external;
pub mod filters;
pub mod lull;
pub mod named;
pub mod period;
pub mod shape;
pub mod spec;
pub mod summary;
pub mod table;
pub mod weekly;

use std::collections::BTreeSet;

use polars::prelude::LazyFrame;

use crate::error::Result;
use aggregate::Group;
pub use aggregate::{AggRow, Aggregate};
pub use def::{Origin, QueryDef};
pub use period::Period;
pub use spec::{Coverage, Metric, Query, Sort};
pub use table::{Cell, Table};

/// What queries count: incidents (files or a store), or the base
/// aggregates an engine computed from them (`--aggregate`, [`crate::sql`]).
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // one per command run, passed by reference
pub enum Source {
    /// Canonical incidents.
    Incidents(LazyFrame),
    /// Engine results, each counting one query's filters, periods and groups.
    Aggregates(std::sync::Arc<Vec<crate::query::external::BaseAggregate>>),
}

impl Source {
    /// The incidents, for the work only they can do (`what` says which, for the error).
    pub fn incidents(&self, what: &str) -> Result<&LazyFrame> {
        match self {
            Source::Incidents(lf) => Ok(lf),
            Source::Aggregates(_) => Err(crate::error::Error::NeedsIncidents(what.to_string())),
        }
    }
}

/// What in `q` needs more than its own counts (so the incidents, not an
/// engine's base aggregate): a running total `--since` a date, `--compare`
/// with `--from`, concentration, `--by dataset` per-source coverage.
pub fn needs_incidents(q: &Query) -> Option<&'static str> {
    let extra = [
        ("--cumulative with --since", q.cumulative && q.since.is_some()),
        ("--compare with --from (its baseline periods)", baseline_query(q).is_some()),
        ("--metric concentration", q.metrics.contains(&Metric::Concentration)),
        (
            "--by dataset (each source's coverage)",
            q.every.is_some() && q.by.iter().any(|b| b == crate::ingest::DATASET),
        ),
    ];
    extra.into_iter().find(|(_, needed)| *needed).map(|(what, _)| what)
}

/// Run a query over a [`Source`] and shape the result. On engine results,
/// the shapes that need more than the query's own counts (a running total
/// `--since` a date, `--compare` with `--from`, concentration, `--by
/// dataset` per-source coverage) are refused with a message saying so.
pub fn run_on(source: &Source, q: &Query) -> Result<(Aggregate, Table)> {
    let results = match source {
        Source::Incidents(lf) => return run(lf.clone(), q),
        Source::Aggregates(results) => results,
    };
    if let Some(what) = needs_incidents(q) {
        source.incidents(what)?;
    }
    let agg = crate::query::external::find(results, q)?.aggregate(q);
    let table = shape::shape(q, &agg, None, None);
    Ok((agg, table))
}

/// Run a query over canonical incidents and shape the result.
pub fn run(incidents: LazyFrame, q: &Query) -> Result<(Aggregate, Table)> {
    let (resolved, where_notes) = filters::resolve(&incidents, q)?;
    let q = &resolved;
    let agg = aggregate::aggregate(incidents.clone(), q)?;
    let incidents_for_metrics = incidents.clone();
    // The groups `--top` keeps, so that extra passes merge the same leftovers.
    let kept: Option<BTreeSet<Group>> =
        q.top.map(|n| shape::top_n(agg.rows.clone(), n).into_iter().filter(|r| !r.is_other).map(|r| r.group).collect());
    let merge = |mut rows: Vec<AggRow>| {
        if let Some(kept) = &kept {
            let width = q.by.len().max(1);
            let label = shape::other_label(kept);
            for r in &mut rows {
                if !kept.contains(&r.group) {
                    r.group = vec![Some(label.to_string()); width];
                    r.is_other = true;
                }
            }
        }
        rows
    };
    let since_rows = match (q.cumulative, q.since) {
        (true, Some(since)) => {
            let from = Some(q.from.map_or(since, |f| f.max(since)));
            let sq = Query { from, top: None, fill_zeros: false, ..q.clone() };
            Some(merge(aggregate::aggregate(incidents.clone(), &sq)?.rows))
        }
        _ => None,
    };
    let history = match baseline_query(q) {
        Some(hq) => {
            let hagg = aggregate::aggregate(incidents, &hq)?;
            let periods = shape::covered_periods(&hq, &hagg);
            Some(shape::History { periods, rows: merge(hagg.rows) })
        }
        None => None,
    };
    let mut table = shape::shape(q, &agg, since_rows.as_deref(), history.as_ref());
    if q.every.is_some() && q.by.iter().any(|b| b == crate::ingest::DATASET) {
        datasets::keep_covered(&incidents_for_metrics, q, &mut table)?;
    }
    if q.metrics.contains(&Metric::Concentration) {
        concentration::fill(&incidents_for_metrics, q, &mut table)?;
    }
    table.notes.splice(0..0, where_notes);
    Ok((agg, table))
}

/// `--compare N` with `--from`: the N periods before the first one, whose
/// counts make the first periods' baseline (instead of leaving it blank).
fn baseline_query(q: &Query) -> Option<Query> {
    let (n, from, p) = (q.compare.filter(|n| *n > 0)?, q.from?, q.every?);
    let start = p.start_of(from);
    let mut first = start;
    for _ in 0..n {
        first = p.start_of(first.pred_opt()?);
    }
    Some(Query { from: Some(first), to: Some(start.pred_opt()?), ..q.unshaped() })
}
