//! Sources side by side (`--by dataset`): each dataset keeps its own
//! coverage, so a period before a source starts or after it ends is left
//! out for that source, not counted as zero. A line chart of a Pentagon
//! count, a tracker and ACLED then stops where each source stops.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::spec::Query;
use super::table::{Cell, Table};
use crate::error::Result;
use crate::ingest::DATASET;
use crate::schema::col as c;
use crate::schema::dates::from_epoch_days;
use crate::Run;

/// First and last incident date of each dataset.
pub fn spans(lf: &LazyFrame) -> Result<BTreeMap<String, (NaiveDate, NaiveDate)>> {
    let day = || col(c::DATE).cast(DataType::Int32);
    let df = lf
        .clone()
        .filter(col(DATASET).is_not_null())
        .group_by([col(DATASET)])
        .agg([day().min().alias("lo"), day().max().alias("hi")])
        .run()?;
    let names = df.column(DATASET)?.str()?.clone();
    let lo = df.column("lo")?.i32()?.clone();
    let hi = df.column("hi")?.i32()?.clone();
    let mut out = BTreeMap::new();
    for ((n, a), b) in names.iter().zip(lo.iter()).zip(hi.iter()) {
        if let (Some(n), Some(a), Some(b)) = (n, a.and_then(from_epoch_days), b.and_then(from_epoch_days)) {
            out.insert(n.to_string(), (a, b));
        }
    }
    Ok(out)
}

/// Drop the rows of periods a dataset does not cover (its own first to last
/// incident, widened by the declared coverage), and say so.
pub fn keep_covered(lf: &LazyFrame, q: &Query, t: &mut Table) -> Result<()> {
    let (Some(every), Some(di)) = (q.every, t.index(DATASET)) else { return Ok(()) };
    let spans = spans(lf)?;
    let before = t.rows.len();
    t.rows.retain(|r| {
        let (Cell::Period(p, _), Cell::Text(name)) = (&r[0], &r[di]) else { return true };
        match spans.get(name).map(|s| q.coverage.widen(Some(*s)).unwrap_or(*s)) {
            Some((a, b)) => every.end_of(*p) >= a && *p <= b,
            None => true,
        }
    });
    if spans.len() > 1 {
        let listed: Vec<String> = spans.iter().map(|(n, (a, b))| format!("{n}: {a} to {b}")).collect();
        let dropped = before - t.rows.len();
        t.notes.push(format!(
            "each dataset counts only the periods it covers ({}){}: a source's periods outside its own dates are \
             left out, not zeros",
            listed.join("; "),
            if dropped > 0 {
                format!("; {} rows outside them left out", crate::text::count(dropped as u64))
            } else {
                String::new()
            }
        ));
    }
    Ok(())
}
