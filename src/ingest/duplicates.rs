//! The duplicate-id check: a row whose `incident_id` repeats an earlier
//! row's (in the same file or an earlier one) is rejected, naming the first.

use polars::prelude::*;

use super::convert::{LINE, ROW};
use super::loaded::{FileSummary, Reject};
use crate::error::Result;
use crate::schema::col;

/// Reject rows whose `incident_id` repeats an earlier row's, naming the first.
pub fn reject_duplicates(frame: DataFrame, files: &[FileSummary]) -> Result<(DataFrame, Vec<(usize, Reject)>)> {
    let ids = frame.column(col::INCIDENT_ID)?.str()?.clone();
    let repeats = repeated_ids(&ids);
    if repeats.is_empty() {
        return Ok((frame, Vec::new()));
    }
    let file_idx = frame.column("__file")?.u32()?.clone();
    let rows = frame.column(ROW)?.u64()?.clone();
    let lines = frame.column(LINE)?.u64()?.clone();
    let data_cols: Vec<usize> =
        (0..frame.width()).filter(|&i| !frame.get_column_names()[i].starts_with("__")).collect();
    let mut rejects = Vec::new();
    let mut keep = vec![true; frame.height()];
    for &(i, j) in &repeats {
        keep[i] = false;
        let id = ids.get(i).unwrap_or_default();
        let same = data_cols.iter().all(|&c| {
            let column = &frame.columns()[c];
            matches!((column.get(i), column.get(j)), (Ok(a), Ok(b)) if a == b)
        });
        let first_file = &files[file_idx.get(j).unwrap_or(0) as usize].path;
        let fi = file_idx.get(i).unwrap_or(0) as usize;
        let reason = format!(
            "duplicate incident_id, first seen at {} row {}{}",
            first_file.display(),
            rows.get(j).unwrap_or(0),
            if same { " (identical row)" } else { " with different content; the first is kept" }
        );
        rejects.push((
            fi,
            Reject {
                file: files[fi].path.clone(),
                row: rows.get(i).unwrap_or(0),
                line: lines.get(i).unwrap_or(0),
                column: Some(col::INCIDENT_ID.to_string()),
                value: id.to_string(),
                reason,
            },
        ));
    }
    let frame = frame.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
    Ok((frame, rejects))
}

/// Rows whose id repeats an earlier row's, as (row, first row), in row order.
///
/// Each id is hashed (xxh3, in parallel over the frame's chunks) and the
/// (hash, row) pairs are sorted in parallel; rows sharing a hash are then
/// compared by their text, so a hash collision never makes two different ids
/// duplicates. About 10× faster than a hash map of 10 M strings, whose cost is
/// cache misses.
fn repeated_ids(ids: &StringChunked) -> Vec<(usize, usize)> {
    use rayon::prelude::*;
    let mut offsets = Vec::with_capacity(ids.chunks().len());
    let mut at = 0usize;
    for a in ids.downcast_iter() {
        offsets.push(at);
        at += a.len();
    }
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(at);
    let parts: Vec<Vec<(u64, u32)>> = ids
        .downcast_iter()
        .zip(offsets)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(a, off)| {
            a.iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (xxhash_rust::xxh3::xxh3_64(v.as_bytes()), (off + i) as u32)))
                .collect()
        })
        .collect();
    for p in parts {
        keyed.extend(p);
    }
    keyed.par_sort_unstable();
    let mut repeats = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        // Rows with one hash, in row order: each repeats the first earlier row with the same text.
        for k in start + 1..end {
            let i = keyed[k].1 as usize;
            let text = ids.get(i);
            if let Some(j) = keyed[start..k].iter().map(|e| e.1 as usize).find(|&j| ids.get(j) == text) {
                repeats.push((i, j));
            }
        }
        start = end;
    }
    repeats.sort_unstable();
    repeats
}
