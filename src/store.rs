//! The Parquet store: canonical incidents saved once, so repeated queries skip
//! CSV parsing. `ingest --store` upserts by `incident_id` (a re-ingested
//! export replaces the rows it contains and adds the new ones) and reports
//! what changed. Rows are sorted by date then id and written in row groups
//! with statistics, so a date-range query can skip most of a large file.

use std::path::Path;

use polars::prelude::*;

use crate::Run;

use crate::atomic::write_atomic_with;
use crate::error::{Error, Result};
use crate::ingest::{source, FileSummary, Format, Loaded};
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
    /// Rows that came from a file of the same name as an input and are not
    /// in it any more (`--replace-source`).
    pub removed: u64,
    /// Ids of the delete list found in the store and removed (`--delete`).
    pub deleted: u64,
    /// Ids of the delete list not in the store.
    pub not_found: u64,
    /// Rows in the store afterwards.
    pub total: u64,
}

/// Read a store written by [`upsert`].
pub fn read_store(path: &Path) -> Result<DataFrame> {
    let df = source::read_parquet(path)?;
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

/// Parquet key marking a file written by [`upsert`]: its ids are unique.
pub const STORE_KEY: &str = "sitrep.store";
/// Parquet key holding the [`crate::normalise::Normaliser::fingerprint`] the
/// rows were normalised with (`none`: not normalised; `mixed`: rows from runs
/// with different tables).
pub const NORMALISER_KEY: &str = "sitrep.normaliser";

/// What a store file says about itself (its Parquet key-value metadata).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreMeta {
    /// Written by sitrep's [`upsert`] (so `incident_id` is unique).
    pub is_store: bool,
    /// The normaliser fingerprint of its rows, if recorded.
    pub normaliser: Option<String>,
    /// Rows in the file.
    pub rows: u64,
}

/// Read a Parquet file's footer: row count and sitrep's keys.
pub fn read_meta(path: &Path) -> Result<StoreMeta> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = ParquetReader::new(file);
    let bad = |e: PolarsError| source::parquet_error(path, e);
    let meta = reader.get_metadata().map_err(bad)?.clone();
    let value = |key: &str| {
        meta.key_value_metadata().as_ref().and_then(|kv| kv.iter().find(|k| k.key == key)).and_then(|k| k.value.clone())
    };
    Ok(StoreMeta {
        is_store: value(STORE_KEY).is_some(),
        normaliser: value(NORMALISER_KEY),
        rows: meta.num_rows as u64,
    })
}

/// What else an upsert does besides inserting and replacing rows by id.
#[derive(Debug, Clone, Default)]
pub struct UpsertOptions {
    /// File names whose earlier rows are replaced as a whole: a row of the
    /// store whose `source_file` is one of these and whose id is not in
    /// `incoming` is removed (a tracker re-ingested after a correction).
    pub replace_files: Vec<String>,
    /// Ids to remove (events the source retracted).
    pub delete_ids: Vec<String>,
}

/// Insert or replace `incoming` rows (by `incident_id`) into the store at `path`,
/// creating it if needed. The file is replaced atomically. `normaliser` is the
/// fingerprint of the tables `incoming` was normalised with (`None`: not normalised).
pub fn upsert(path: &Path, incoming: &DataFrame, normaliser: Option<&str>) -> Result<StoreChange> {
    upsert_with(path, incoming, normaliser, &UpsertOptions::default())
}

/// [`upsert`], replacing the rows of re-ingested files and deleting ids as `opts` says.
pub fn upsert_with(
    path: &Path,
    incoming: &DataFrame,
    normaliser: Option<&str>,
    opts: &UpsertOptions,
) -> Result<StoreChange> {
    let id = col::INCIDENT_ID;
    let canon: Vec<Expr> = CANONICAL.iter().map(|(c, _)| col(*c)).collect();
    let new_fp = normaliser.unwrap_or("none").to_string();
    let mut fingerprint = new_fp.clone();
    let (merged, change) = if path.exists() {
        let old_meta = read_meta(path)?;
        let mut old = read_store(path)?;
        let mut removed = 0;
        if !opts.replace_files.is_empty() && old.column(crate::ingest::SOURCE_FILE).is_ok() {
            let files = Series::new("files".into(), opts.replace_files.clone());
            let from_them = col(crate::ingest::SOURCE_FILE).is_in(lit(files).implode(false), false);
            let gone = old.clone().lazy().filter(from_them.clone()).join(
                incoming.clone().lazy(),
                [col(id)],
                [col(id)],
                JoinArgs::new(JoinType::Anti),
            );
            let gone_ids = gone.select([col(id)]).run()?;
            removed = gone_ids.height() as u64;
            if removed > 0 {
                old = old.lazy().join(gone_ids.lazy(), [col(id)], [col(id)], JoinArgs::new(JoinType::Anti)).run()?;
            }
        }
        if old.height() > 0 && old_meta.normaliser.as_deref() != Some(new_fp.as_str()) {
            fingerprint = "mixed".into();
        }
        let in_both = incoming
            .clone()
            .lazy()
            .join(old.clone().lazy(), [col(id)], [col(id)], JoinArgs::new(JoinType::Semi))
            .run()?
            .height() as u64;
        let mut same_args = JoinArgs::new(JoinType::Inner);
        same_args.nulls_equal = true;
        let unchanged = incoming
            .clone()
            .lazy()
            .select(canon.clone())
            .join(old.clone().lazy().select(canon.clone()), canon.clone(), canon.clone(), same_args)
            .run()?
            .height() as u64;
        let kept_old =
            old.lazy().join(incoming.clone().lazy(), [col(id)], [col(id)], JoinArgs::new(JoinType::Anti)).run()?;
        let merged = crate::ingest::concat_aligned(vec![kept_old, incoming.clone()])?.lazy();
        let change = StoreChange {
            added: incoming.height() as u64 - in_both,
            updated: in_both - unchanged.min(in_both),
            unchanged: unchanged.min(in_both),
            removed,
            ..Default::default()
        };
        (merged, change)
    } else {
        (incoming.clone().lazy(), StoreChange { added: incoming.height() as u64, ..Default::default() })
    };
    let mut df = merged.sort([col::DATE, id], SortMultipleOptions::default().with_maintain_order(true)).run()?;
    let (mut deleted, mut not_found) = (0, 0);
    if !opts.delete_ids.is_empty() {
        let mut ids = opts.delete_ids.clone();
        ids.sort();
        ids.dedup();
        let list = Series::new("ids".into(), ids.clone());
        let hit = col(id).is_in(lit(list).implode(false), false);
        deleted = df.clone().lazy().filter(hit.clone()).select([col(id)]).run()?.height() as u64;
        not_found = ids.len() as u64 - deleted;
        df = df.lazy().filter(hit.not()).run()?;
    }
    let total = df.height() as u64;
    write_atomic_with(path, |f| {
        parquet_writer(f, &fingerprint)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut df)
            .map(|_| ())
            .map_err(std::io::Error::other)
    })?;
    Ok(StoreChange { total, deleted, not_found, ..change })
}

/// A Parquet writer for store files: full statistics and date-sized row
/// groups (so a date-range query skips most of a large file), and the
/// footer keys that mark the file as a store normalised with `normaliser`
/// (`none`: not normalised). [`upsert`] and the generator both write with it.
pub fn parquet_writer<'f>(file: &'f mut std::fs::File, normaliser: &str) -> ParquetWriter<&'f mut std::fs::File> {
    ParquetWriter::new(file)
        .with_statistics(StatisticsOptions::full())
        .with_row_group_size(Some(ROW_GROUP_ROWS))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![
            (STORE_KEY.to_string(), "1".to_string()),
            (NORMALISER_KEY.to_string(), normaliser.to_string()),
        ])))
}

/// A lone store written by sitrep (ids unique by construction, rows already
/// validated) as a lazy scan of the `columns` a query reads (all when
/// `None`): nothing is read until a query collects, and then only the
/// columns and row groups it needs. `None` for any other file.
pub fn scan(path: &Path, columns: Option<&[String]>) -> Result<Option<Loaded>> {
    if source::detect_format(path)? != Format::Parquet {
        return Ok(None);
    }
    let meta = read_meta(path)?;
    if !meta.is_store {
        return Ok(None);
    }
    let Some(lf) = crate::ingest::canonical_scan(path, columns)? else { return Ok(None) };
    let summary = FileSummary {
        path: path.to_path_buf(),
        layout: "sitrep store (canonical Parquet)".into(),
        format: Format::Parquet,
        has_header: true,
        read: meta.rows,
        accepted: meta.rows,
        rejected: 0,
        date_order: None,
        counts: Default::default(),
        fed: Vec::new(),
        unused: Vec::new(),
        dates: None,
    };
    Ok(Some(Loaded {
        frame: DataFrame::empty(),
        scan: Some(lf),
        normalised_with: meta.normaliser,
        rejects: Vec::new(),
        files: vec![summary],
    }))
}
