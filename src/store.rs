//! The Parquet store: canonical incidents saved once, so repeated queries skip
//! CSV parsing. `ingest --store` upserts by `incident_id` (a re-ingested
//! export replaces the rows it contains and adds the new ones) and reports
//! what changed. Rows are sorted by date then id and written in row groups
//! with statistics, so a date-range query can skip most of a large file.

use std::path::Path;

use polars::prelude::*;

use crate::atomic::write_atomic_with;
use crate::error::{Error, Result};
use crate::schema::{col, CANONICAL};

/// Rows per Parquet row group: small enough for date-range skipping, large
/// enough for good compression.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// What an upsert changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreChange {
    /// Ids not in the store before.
    pub added: u64,
    /// Ids already in the store whose row changed.
    pub updated: u64,
    /// Ids already in the store with an identical row.
    pub unchanged: u64,
    /// Rows in the store afterwards.
    pub total: u64,
}

/// Read a store written by [`upsert`].
pub fn read_store(path: &Path) -> Result<DataFrame> {
    let df = crate::ingest::source::read_parquet(path)?;
    for (c, _) in CANONICAL {
        if df.column(c).is_err() {
            return Err(Error::format(
                path,
                format!("is not a sitrep store: column {c:?} is missing (write stores with `sitrep ingest --store`)"),
            ));
        }
    }
    Ok(df)
}

/// Insert or replace `incoming` rows (by `incident_id`) into the store at `path`,
/// creating it if needed. The file is replaced atomically.
pub fn upsert(path: &Path, incoming: &DataFrame) -> Result<StoreChange> {
    let id = col::INCIDENT_ID;
    let canon: Vec<Expr> = CANONICAL.iter().map(|(c, _)| col(*c)).collect();
    let (merged, change) = if path.exists() {
        let old = read_store(path)?;
        let in_both = incoming
            .clone()
            .lazy()
            .join(old.clone().lazy(), [col(id)], [col(id)], JoinArgs::new(JoinType::Semi))
            .collect()?
            .height() as u64;
        let mut same_args = JoinArgs::new(JoinType::Inner);
        same_args.nulls_equal = true;
        let unchanged = incoming
            .clone()
            .lazy()
            .select(canon.clone())
            .join(old.clone().lazy().select(canon.clone()), canon.clone(), canon.clone(), same_args)
            .collect()?
            .height() as u64;
        let kept_old =
            old.lazy().join(incoming.clone().lazy(), [col(id)], [col(id)], JoinArgs::new(JoinType::Anti)).collect()?;
        let merged = crate::ingest::concat_aligned(vec![kept_old, incoming.clone()])?.lazy();
        let change = StoreChange {
            added: incoming.height() as u64 - in_both,
            updated: in_both - unchanged.min(in_both),
            unchanged: unchanged.min(in_both),
            total: 0,
        };
        (merged, change)
    } else {
        (incoming.clone().lazy(), StoreChange { added: incoming.height() as u64, ..Default::default() })
    };
    let mut df = merged.sort([col::DATE, id], SortMultipleOptions::default().with_maintain_order(true)).collect()?;
    let total = df.height() as u64;
    write_atomic_with(path, |f| {
        ParquetWriter::new(f)
            .with_compression(ParquetCompression::Zstd(None))
            .with_statistics(StatisticsOptions::full())
            .with_row_group_size(Some(ROW_GROUP_ROWS))
            .finish(&mut df)
            .map(|_| ())
            .map_err(std::io::Error::other)
    })?;
    Ok(StoreChange { total, ..change })
}
