//! Queries over canonical incidents: [`spec::Query`] says what to count
//! ([`def`] builds it from flags or a config entry); [`run`] filters,
//! buckets and groups lazily in polars, collects the small aggregate into
//! plain rows, and shapes it into a [`table::Table`]. Results never depend
//! on how polars prints a frame. [`lull`], [`summary`] and [`weekly`] compute
//! the figures of lulls, `sitrep check` and the weekly summary.

pub mod aggregate;
pub mod def;
pub mod lull;
pub mod period;
pub mod shape;
pub mod spec;
pub mod summary;
pub mod table;
pub mod weekly;

use polars::prelude::LazyFrame;

use crate::error::Result;
pub use aggregate::{AggRow, Aggregate};
pub use def::{Origin, QueryDef};
pub use period::Period;
pub use spec::{Coverage, Metric, Query, Sort};
pub use table::{Cell, Table};

/// Run a query over canonical incidents and shape the result.
pub fn run(incidents: LazyFrame, q: &Query) -> Result<(Aggregate, Table)> {
    let agg = aggregate::aggregate(incidents.clone(), q)?;
    let since_rows = match (q.cumulative, q.since) {
        (true, Some(since)) => {
            let from = Some(q.from.map_or(since, |f| f.max(since)));
            let mut sq = Query { from, top: None, ..q.clone() };
            sq.fill_zeros = false;
            let mut rows = aggregate::aggregate(incidents, &sq)?.rows;
            if let Some(n) = q.top {
                // Same groups as the main result: merge the same leftovers.
                let kept: std::collections::BTreeSet<_> =
                    shape::top_n(agg.rows.clone(), n).into_iter().filter(|r| !r.is_other).map(|r| r.group).collect();
                let width = q.by.len().max(1);
                let label = shape::other_label(&kept);
                for r in &mut rows {
                    if !kept.contains(&r.group) {
                        r.group = vec![Some(label.to_string()); width];
                        r.is_other = true;
                    }
                }
            }
            Some(rows)
        }
        _ => None,
    };
    let table = shape::shape(q, &agg, since_rows.as_deref());
    Ok((agg, table))
}
