//! The Parquet store: canonical incidents saved once, so repeated queries skip
//! CSV parsing. `ingest --store` upserts by `incident_id` (a re-ingested
//! export replaces the rows it contains and adds the new ones) and reports
//! what changed. Rows are sorted by date then id and written in row groups
//! with statistics, so a date-range query can skip most of a large file.

use std::path::Path;

use polars::prelude::*;

pub mod keys;
pub mod spill;

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

/// How `ingest` lays a store out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Partition {
    /// One Parquet file.
    #[default]
    None,
    /// A Hive-partitioned folder, `year=YYYY/part-00000.parquet`, that
    /// Spark, BigQuery external tables and DuckDB read and prune by year.
    Year,
}

pub use crate::ingest::source::{is_partitioned, PARTITION_COLUMN, PARTITION_MARKER};

/// The Parquet files of a partitioned store, in year order.
fn partition_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let list = |d: &Path| -> Result<Vec<std::path::PathBuf>> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .map_err(|e| Error::io(d, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(['.', '_'])))
            .collect();
        v.sort();
        Ok(v)
    };
    let mut files = Vec::new();
    for year in list(dir)? {
        files.extend(list(&year)?.into_iter().filter(|p| p.extension().is_some_and(|e| e == "parquet")));
    }
    Ok(files)
}

/// Read a store written by [`upsert`] (a file, or a partitioned folder).
pub fn read_store(path: &Path) -> Result<DataFrame> {
    if path.is_dir() {
        let parts = partition_files(path)?.iter().map(|f| read_store(f)).collect::<Result<Vec<_>>>()?;
        if parts.is_empty() {
            let columns: Vec<Column> =
                CANONICAL.iter().map(|(c, t)| Column::new_empty((*c).into(), &crate::schema::dtype_of(*t))).collect();
            return Ok(DataFrame::new_infer_height(columns)?);
        }
        return crate::ingest::concat_aligned(parts);
    }
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

/// Read a Parquet file's footer: row count and sitrep's keys. For a
/// partitioned store, what all its files say together.
pub fn read_meta(path: &Path) -> Result<StoreMeta> {
    if path.is_dir() {
        let metas = partition_files(path)?.iter().map(|f| read_meta(f)).collect::<Result<Vec<_>>>()?;
        let mut normalisers: Vec<Option<String>> = metas.iter().map(|m| m.normaliser.clone()).collect();
        normalisers.dedup();
        return Ok(StoreMeta {
            is_store: metas.iter().all(|m| m.is_store),
            normaliser: match &normalisers[..] {
                [] => None,
                [one] => one.clone(),
                _ => Some("mixed".into()),
            },
            rows: metas.iter().map(|m| m.rows).sum(),
        });
    }
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
    /// The layout of a new store (an existing one keeps its own).
    pub partition: Partition,
}

/// Whether the store at `path` is (or, new, will be) a partitioned folder;
/// an error when the path and `partition` do not agree.
fn layout_of(path: &Path, partition: Partition) -> Result<bool> {
    let partitioned = match (path.is_file(), partition) {
        (true, Partition::Year) => {
            return Err(Error::format(
                path,
                "is a store in one file; --partition year writes a folder: give a new folder name \
                 (ingest the file into it: `sitrep ingest --store DIR --partition year STORE.parquet`)",
            ))
        }
        (true, Partition::None) => false,
        (false, p) => path.is_dir() || p == Partition::Year,
    };
    let empty_folder = std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none());
    if path.is_dir() && !is_partitioned(path) && !empty_folder {
        return Err(Error::format(path, "is a folder that is not a partitioned store (it holds other files)"));
    }
    Ok(partitioned)
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
    let partitioned = layout_of(path, opts.partition)?;
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
    if partitioned {
        write_partitioned(path, &mut df, &fingerprint)?;
        return Ok(StoreChange { total, deleted, not_found, ..change });
    }
    write_atomic_with(path, |f| {
        let target = spill::SinkTarget::File(f.try_clone()?, path.to_path_buf());
        let mut sink = spill::Sink::new(target, df.schema().as_ref().clone(), fingerprint.clone());
        sink.add(df, None).and_then(|()| sink.finish_file()).map_err(std::io::Error::other)
    })?;
    Ok(StoreChange { total, deleted, not_found, ..change })
}

/// Write `df` (sorted by date) as a Hive-partitioned store, one
/// `year=YYYY/part-00000.parquet` per year. The new folder is written
/// beside the old one and swapped in by two renames, so a failure midway
/// leaves the old store as it was.
fn write_partitioned(dir: &Path, df: &mut DataFrame, fingerprint: &str) -> Result<()> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
    let staging = dir.with_file_name(format!(".{name}.new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    let years = df.column(col::DATE)?.as_materialized_series().date()?.physical().clone();
    let year_of =
        |i: usize| years.get(i).and_then(crate::schema::dates::from_epoch_days).map(|d| chrono::Datelike::year(&d));
    let mut sink =
        spill::Sink::new(spill::SinkTarget::Years(staging.clone()), df.schema().as_ref().clone(), fingerprint.into());
    let mut start = 0;
    while start < df.height() {
        let y = year_of(start);
        let mut end = start + 1;
        while end < df.height() && year_of(end) == y {
            end += 1;
        }
        if y.is_none() {
            return Err(Error::Internal("a store row without a date".into()));
        }
        sink.add(df.slice(start as i64, end - start), y)?;
        start = end;
    }
    sink.finish_file()?;
    // Marks the folder as a store even when every row was deleted (engines skip `_` files).
    let marker = staging.join(PARTITION_MARKER);
    std::fs::write(&marker, "sitrep store partitioned by year\n").map_err(|e| Error::io(&marker, e))?;
    swap_in(dir, &staging)
}

/// Put the folder `staging` in the place of the store folder `dir`: two
/// renames, so a failure midway leaves the old store as it was.
fn swap_in(dir: &Path, staging: &Path) -> Result<()> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
    let old = dir.with_file_name(format!(".{name}.old-{}", std::process::id()));
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::rename(staging, dir).map_err(|e| Error::io(dir, e))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// A Parquet writer for store files: full statistics and date-sized row
/// groups (so a date-range query skips most of a large file), and the
/// footer keys that mark the file as a store normalised with `normaliser`
/// (`none`: not normalised). [`upsert`] and the generator both write with it.
pub fn parquet_writer<W: std::io::Write>(file: W, normaliser: &str) -> ParquetWriter<W> {
    ParquetWriter::new(file)
        .with_statistics(StatisticsOptions::full())
        .with_row_group_size(Some(ROW_GROUP_ROWS))
        .with_key_value_metadata(Some(store_keys(normaliser)))
}

/// The footer keys of a store file normalised with `normaliser`.
fn store_keys(normaliser: &str) -> KeyValueMetadata {
    KeyValueMetadata::from_static(vec![
        (STORE_KEY.to_string(), "1".to_string()),
        (NORMALISER_KEY.to_string(), normaliser.to_string()),
    ])
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
    let summary = FileSummary::whole(path, "sitrep store (canonical Parquet)", Format::Parquet, meta.rows);
    Ok(Some(Loaded {
        frame: DataFrame::empty(),
        scan: Some(lf),
        normalised_with: meta.normaliser,
        rejects: Vec::new(),
        files: vec![summary],
    }))
}
