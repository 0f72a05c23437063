//! The day/month order of a file's all-number dates (`5/9/2020`), decided
//! once from all its values, never row by row: a date whose first number is
//! above 12 can only be day-first, one whose second is above 12 only
//! month-first. A file with evidence for one order is read entirely that
//! way; a file with evidence for both, or with none (every such date reads
//! either way), is refused with a message naming `--date-order dmy|mdy`.
//! So a file is never read half one way and half the other.

use std::path::Path;

use polars::prelude::*;

use super::convert::{LINE, PENDING, ROW};
use super::dates::DateOrder;
use super::loaded::Reject;
use crate::error::{Error, Result};
use crate::schema::col;
use crate::schema::dates::from_epoch_days;

/// What the values say about the order: gathered over a file's rows (in
/// file order, in one frame or batch by batch), then [`Evidence::decide`]d.
#[derive(Debug, Default, Clone)]
pub struct Evidence {
    /// Dates that read only day-first, with the first row.
    dmy: (u64, Option<(u64, i32)>),
    /// Dates that read only month-first, with the first row.
    mdy: (u64, Option<(u64, i32)>),
    /// Dates that read as two different days, with the first row.
    either: (u64, Option<(u64, i32, i32)>),
}

fn day(d: i32) -> String {
    from_epoch_days(d).map_or_else(String::new, |d| d.to_string())
}

/// The pending columns of a frame, when it has any.
fn pending_of(df: &DataFrame) -> Result<Option<Vec<Int32Chunked>>> {
    let names: Vec<&str> = PENDING.iter().flatten().copied().collect();
    if df.column(names[0]).is_err() {
        return Ok(None);
    }
    Ok(Some(names.iter().map(|n| Ok(df.column(n)?.i32()?.clone())).collect::<Result<_>>()?))
}

/// Whether no date of `df` waits for the file's day/month order (the
/// frame reads the same whatever order is decided).
pub fn settled(df: &DataFrame) -> Result<bool> {
    Ok(pending_of(df)?.is_none_or(|p| p.iter().all(|c| c.null_count() == c.len())))
}

impl Evidence {
    /// Add what the pending dates of `df` (rows later in the file than any added before) say.
    pub fn add(&mut self, df: &DataFrame) -> Result<()> {
        let Some(pending) = pending_of(df)? else { return Ok(()) };
        if pending.iter().all(|c| c.null_count() == c.len()) {
            return Ok(());
        }
        let rows = df.column(ROW)?.u64()?.clone();
        let ev = self;
        for slot in 0..2 {
            let (dmy, mdy) = (&pending[2 * slot], &pending[2 * slot + 1]);
            for (i, (a, b)) in dmy.iter().zip(mdy.iter()).enumerate() {
                let row = rows.get(i).unwrap_or(0);
                match (a, b) {
                    (Some(a), None) => {
                        ev.dmy.0 += 1;
                        ev.dmy.1.get_or_insert((row, a));
                    }
                    (None, Some(b)) => {
                        ev.mdy.0 += 1;
                        ev.mdy.1.get_or_insert((row, b));
                    }
                    (Some(a), Some(b)) if a != b => {
                        ev.either.0 += 1;
                        ev.either.1.get_or_insert((row, a, b));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The file's order, or an error naming `--date-order` when it cannot
    /// be told; `None` when no date's reading depends on it.
    pub fn decide(&self, path: &Path) -> Result<Option<DateOrder>> {
        let ev = self;
        Ok(Some(match (&ev.dmy, &ev.mdy) {
            ((n, Some((r, d))), (m, Some((s, e)))) => {
                return Err(Error::format(
                    path,
                    format!(
                        "the file's all-number dates mix both orders: {n} read only day first (row {r}: {}) and {m} \
                         only month first (row {s}: {}); fix the file, or pass --date-order dmy or --date-order mdy \
                         to read every date one way (the dates that are not dates that way are then rejected)",
                        day(*d),
                        day(*e)
                    ),
                ))
            }
            ((_, Some(_)), _) => DateOrder::Dmy,
            (_, (_, Some(_))) => DateOrder::Mdy,
            _ => match ev.either.1 {
                Some((r, a, b)) => {
                    return Err(Error::format(
                        path,
                        format!(
                            "all {} all-number dates read either day first or month first (row {r}: {} or {}), so \
                             the order cannot be told from the file; pass --date-order dmy (31/12/2019) or \
                             --date-order mdy (12/31/2019)",
                            ev.either.0,
                            day(a),
                            day(b)
                        ),
                    ))
                }
                // Every such date reads the same either way (5/5/2020).
                None => return Ok(None),
            },
        }))
    }
}

/// Place every pending all-number date of one file's frame in the file's
/// order, reject rows whose end date then falls before their start date
/// (`end_column` is the source column, for the reject), and drop the
/// internal columns. Returns the frame and the order used (`None` when the
/// file had no all-number date whose reading depends on it).
pub fn resolve(
    path: &Path,
    df: DataFrame,
    end_column: &str,
    rejects: &mut Vec<Reject>,
) -> Result<(DataFrame, Option<DateOrder>)> {
    let mut ev = Evidence::default();
    ev.add(&df)?;
    let order = ev.decide(path)?;
    Ok((apply(path, df, order, end_column, rejects)?, order))
}

/// Place the pending dates of `df` (the whole file, or one batch of it) in
/// `order`, decided from the whole file; see [`resolve`]. Rejects are added
/// to `rejects`, which is kept in row order.
pub fn apply(
    path: &Path,
    df: DataFrame,
    order: Option<DateOrder>,
    end_column: &str,
    rejects: &mut Vec<Reject>,
) -> Result<DataFrame> {
    let names: Vec<&str> = PENDING.iter().flatten().copied().collect();
    let drop = |df: DataFrame| df.drop_many(names.iter().copied());
    let Some(pending) = pending_of(&df)? else { return Ok(df) };
    let Some(order) = order else { return Ok(drop(df)) };
    if pending.iter().all(|c| c.null_count() == c.len()) {
        return Ok(drop(df));
    }
    let rows = df.column(ROW)?.u64()?.clone();
    let pick = |slot: usize, i: usize| -> Option<i32> {
        let (a, b) = (pending[2 * slot].get(i), pending[2 * slot + 1].get(i));
        match order {
            DateOrder::Dmy => a,
            DateOrder::Mdy => b,
        }
    };
    let mut df = df;
    for (slot, name) in [col::DATE, col::DATE_END].into_iter().enumerate() {
        let days = df.column(name)?.as_materialized_series().to_physical_repr().into_owned();
        let placed: Int32Chunked = days
            .i32()?
            .iter()
            .enumerate()
            .map(|(i, d)| {
                if pending[2 * slot].get(i).is_some() || pending[2 * slot + 1].get(i).is_some() {
                    pick(slot, i)
                } else {
                    d
                }
            })
            .collect();
        let placed = placed.into_series().cast(&DataType::Date)?.with_name(name.into());
        df.with_column(Column::from(placed))?;
    }
    // The end-before-start check, skipped for these rows while the order was open.
    let (start, end) =
        (df.column(col::DATE)?.date()?.physical().clone(), df.column(col::DATE_END)?.date()?.physical().clone());
    let lines = df.column(LINE)?.u64()?.clone();
    let mut keep = vec![true; df.height()];
    for (i, k) in keep.iter_mut().enumerate() {
        let was_pending = (0..4).any(|c| pending[c].get(i).is_some());
        if let (true, Some(s), Some(e)) = (was_pending, start.get(i), end.get(i)) {
            if e < s {
                *k = false;
                rejects.push(Reject {
                    file: path.to_path_buf(),
                    row: rows.get(i).unwrap_or(0),
                    line: lines.get(i).unwrap_or(0),
                    column: Some(end_column.to_string()),
                    value: day(e),
                    reason: format!("end date is before the start date {} (dates read {})", day(s), order.describe()),
                });
            }
        }
    }
    if keep.contains(&false) {
        df = df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
        rejects.sort_by_key(|r| r.row);
    }
    Ok(drop(df))
}
