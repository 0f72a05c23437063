//! The data summary `sitrep check` prints: rows, date range, precision mix,
//! nulls per canonical column, top actors and the fatality total with the
//! number of rows whose fatalities are unknown.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::Run;

use crate::error::Result;
use crate::schema::dates::from_epoch_days;
use crate::schema::{col, CANONICAL};

/// Summary of a canonical incident frame.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSummary {
    /// Incidents.
    pub rows: u64,
    /// Earliest `date`.
    pub first_date: Option<NaiveDate>,
    /// Latest `date`.
    pub last_date: Option<NaiveDate>,
    /// Rows per date precision, finest first; `None` is unknown precision.
    pub precision: Vec<(Option<String>, u64)>,
    /// Null cells per canonical column, in schema order.
    pub nulls: Vec<(&'static str, u64)>,
    /// Most frequent actors with their incident counts (ties by name).
    pub top_actors: Vec<(String, u64)>,
    /// Sum of known fatalities.
    pub fatalities: i64,
    /// Rows whose fatalities are unknown (null), not counted in the sum.
    pub fatalities_unknown: u64,
}

/// Summarise `frame` (canonical schema), listing the `top` most frequent actors.
pub fn summarise(frame: &DataFrame, top: usize) -> Result<DataSummary> {
    let dates = frame.column(col::DATE)?.as_materialized_series().to_physical_repr().into_owned();
    let days = dates.i32()?;
    let fatalities = frame.column(col::FATALITIES)?.i64()?;
    let nulls =
        CANONICAL.iter().map(|(c, _)| Ok((*c, frame.column(c)?.null_count() as u64))).collect::<Result<Vec<_>>>()?;
    Ok(DataSummary {
        rows: frame.height() as u64,
        first_date: days.min().and_then(from_epoch_days),
        last_date: days.max().and_then(from_epoch_days),
        precision: precision_mix(frame)?,
        nulls,
        top_actors: count_by(frame, col::ACTOR, top)?,
        fatalities: fatalities.sum().unwrap_or(0),
        fatalities_unknown: fatalities.null_count() as u64,
    })
}

fn precision_mix(frame: &DataFrame) -> Result<Vec<(Option<String>, u64)>> {
    let counts = frame
        .clone()
        .lazy()
        .group_by([col(col::DATE_PRECISION)])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .run()?;
    let names = counts.column(col::DATE_PRECISION)?.str()?;
    let ns = counts.column("n")?.u64()?;
    let mut out: Vec<(Option<String>, u64)> =
        names.iter().zip(ns.iter()).map(|(p, n)| (p.map(str::to_string), n.unwrap_or(0))).collect();
    let rank = |p: &Option<String>| {
        p.as_deref().and_then(|s| s.parse::<crate::schema::DatePrecision>().ok()).map_or(u8::MAX, |p| p as u8)
    };
    out.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// The `top` most frequent non-null values of `column`, count descending, then by value.
pub fn count_by(frame: &DataFrame, column: &str, top: usize) -> Result<Vec<(String, u64)>> {
    let counts = frame
        .clone()
        .lazy()
        .filter(col(column).is_not_null())
        .group_by([col(column)])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .sort(["n", column], SortMultipleOptions::default().with_order_descending_multi([true, false]))
        .limit(top as IdxSize)
        .run()?;
    let names = counts.column(column)?.str()?;
    let ns = counts.column("n")?.u64()?;
    Ok(names.iter().zip(ns.iter()).map(|(a, n)| (a.unwrap_or_default().to_string(), n.unwrap_or(0))).collect())
}
