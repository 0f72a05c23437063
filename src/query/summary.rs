//! The data summary `sitrep check` prints: rows, date range, precision mix,
//! nulls per canonical column, top actors and the fatality total with the
//! number of rows whose fatalities are unknown.

use std::collections::HashMap;

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
    let mut s = Summariser::default();
    s.add(frame)?;
    Ok(s.finish(top))
}

/// A [`DataSummary`] gathered batch by batch (a streamed `check`): the same
/// figures whether the rows come at once or in pieces.
#[derive(Debug, Clone, Default)]
pub struct Summariser {
    rows: u64,
    span: Option<(i32, i32)>,
    precision: HashMap<Option<String>, u64>,
    nulls: Vec<u64>,
    actors: HashMap<String, u64>,
    fatalities: i64,
    fatalities_unknown: u64,
}

impl Summariser {
    /// Count the rows of `frame` (canonical schema).
    pub fn add(&mut self, frame: &DataFrame) -> Result<()> {
        self.rows += frame.height() as u64;
        let dates = frame.column(col::DATE)?.as_materialized_series().to_physical_repr().into_owned();
        let days = dates.i32()?;
        if let (Some(a), Some(b)) = (days.min(), days.max()) {
            self.span = Some(self.span.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
        }
        let fatalities = frame.column(col::FATALITIES)?.i64()?;
        self.fatalities += fatalities.sum().unwrap_or(0);
        self.fatalities_unknown += fatalities.null_count() as u64;
        self.nulls.resize(CANONICAL.len(), 0);
        for (n, (c, _)) in self.nulls.iter_mut().zip(CANONICAL) {
            *n += frame.column(c)?.null_count() as u64;
        }
        for (p, n) in counts(frame, col::DATE_PRECISION, false)? {
            *self.precision.entry(p).or_insert(0) += n;
        }
        for (a, n) in counts(frame, col::ACTOR, true)? {
            *self.actors.entry(a.unwrap_or_default()).or_insert(0) += n;
        }
        Ok(())
    }

    /// The summary, with the `top` most frequent actors (ties by name).
    pub fn finish(self, top: usize) -> DataSummary {
        let mut precision: Vec<(Option<String>, u64)> = self.precision.into_iter().collect();
        let rank = |p: &Option<String>| {
            p.as_deref().and_then(|s| s.parse::<crate::schema::DatePrecision>().ok()).map_or(u8::MAX, |p| p as u8)
        };
        precision.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
        let mut actors: Vec<(String, u64)> = self.actors.into_iter().collect();
        actors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        actors.truncate(top);
        let mut nulls = self.nulls;
        nulls.resize(CANONICAL.len(), 0);
        DataSummary {
            rows: self.rows,
            first_date: self.span.and_then(|s| from_epoch_days(s.0)),
            last_date: self.span.and_then(|s| from_epoch_days(s.1)),
            precision,
            nulls: CANONICAL.iter().map(|(c, _)| *c).zip(nulls).collect(),
            top_actors: actors,
            fatalities: self.fatalities,
            fatalities_unknown: self.fatalities_unknown,
        }
    }
}

/// Rows per value of the text column `column` (nulls left out when `skip_null`).
fn counts(frame: &DataFrame, column: &str, skip_null: bool) -> Result<Vec<(Option<String>, u64)>> {
    let mut lf = frame.clone().lazy();
    if skip_null {
        lf = lf.filter(col(column).is_not_null());
    }
    let counts = lf.group_by([col(column)]).agg([len().cast(DataType::UInt64).alias("n")]).run()?;
    let names = counts.column(column)?.str()?;
    let ns = counts.column("n")?.u64()?;
    Ok(names.iter().zip(ns.iter()).map(|(p, n)| (p.map(str::to_string), n.unwrap_or(0))).collect())
}
