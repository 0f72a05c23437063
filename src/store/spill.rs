//! The upsert of an input larger than memory (issue 17). Incoming rows,
//! already checked and normalised, are spilled to disk in date buckets as
//! they come ([`Spill::push`]); [`upsert_spilled`] then walks the buckets in
//! date order, merges each with the store's rows of the same dates, and
//! writes the new store one row group at a time. Only one bucket (about
//! [`BUCKET_ROWS`] rows) and the incoming ids (16 bytes each) are in memory
//! at once, so memory does not grow with the file.
//!
//! The result is the store [`super::upsert_with`] writes from the same rows
//! in memory: the same rows in the same order, the same row groups and keys,
//! and the same counts (`tests/it/stream.rs` compares them).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::keys::{Bits, Keys};
use super::{
    is_partitioned, parquet_writer, partition_files, read_meta, StoreChange, UpsertOptions, PARTITION_COLUMN,
    PARTITION_MARKER, ROW_GROUP_ROWS,
};
use crate::error::{Error, Result};
use crate::ingest::concat_aligned;
use crate::schema::{col, CANONICAL};
use crate::Run;

/// Rows a bucket aims at: a bucket and its share of the old store are what
/// the merge holds in memory.
pub const BUCKET_ROWS: u64 = 200_000;

/// The key an id is matched by while streaming: a 128-bit hash of its text
/// (two different ids share one with odds of about 1 in 10^29 for 10 M ids).
pub fn id_key(id: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(id.as_bytes())
}

/// The days of the store's incidents, with how many each (empty when there is no store).
pub fn day_counts(path: &Path) -> Result<BTreeMap<i32, u64>> {
    let mut days = BTreeMap::new();
    if !path.exists() {
        return Ok(days);
    }
    for file in store_files(path)? {
        let lf = scan_file(&file)?.select([col(col::DATE).cast(DataType::Int32)]);
        let df = lf.group_by([col(col::DATE)]).agg([len().alias("n")]).run()?;
        let (d, n) = (df.column(col::DATE)?.i32()?.clone(), df.column("n")?.idx()?.clone());
        for (d, n) in d.iter().zip(n.iter()) {
            if let (Some(d), Some(n)) = (d, n) {
                *days.entry(d).or_insert(0) += n as u64;
            }
        }
    }
    Ok(days)
}

/// Bucket bounds over `days` (incidents per day): each bucket holds about
/// `target` rows (a single day is never split), and with `by_year` no
/// bucket spans two years. Bucket `b` holds the days before `bounds[b]`
/// and from `bounds[b - 1]` on.
pub fn plan_buckets(days: &BTreeMap<i32, u64>, target: u64, by_year: bool) -> Vec<i32> {
    let year = |d: i32| crate::schema::dates::from_epoch_days(d).map(|d| chrono::Datelike::year(&d));
    let mut bounds = Vec::new();
    let (mut rows, mut last_year) = (0u64, None);
    for (&d, &n) in days {
        let y = year(d);
        if rows > 0 && (rows + n > target || (by_year && y != last_year)) {
            bounds.push(d);
            rows = 0;
        }
        rows += n;
        last_year = y;
    }
    bounds
}

/// Incoming rows spilled to disk by date bucket, and their ids.
pub struct Spill {
    dir: PathBuf,
    bounds: Vec<i32>,
    /// Each bucket's files, in the order written.
    files: Vec<Vec<PathBuf>>,
    /// The incoming ids.
    keys: Keys,
    /// Incoming columns in first-seen order (tags last, as a load in memory has them).
    schema: Vec<(PlSmallStr, DataType)>,
    order: Vec<String>,
    rows: u64,
    written: usize,
}

impl Spill {
    /// A spill for the store at `store` (its folder gets a hidden working
    /// folder, removed when the spill is dropped), with buckets `bounds`
    /// ([`plan_buckets`]) and the incoming ids.
    pub fn new(store: &Path, bounds: Vec<i32>, keys: Keys) -> Result<Spill> {
        let name = store.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
        let dir = store.with_file_name(format!(".{name}.spill-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let files = vec![Vec::new(); bounds.len() + 1];
        Ok(Spill { dir, bounds, files, keys, schema: Vec::new(), order: Vec::new(), rows: 0, written: 0 })
    }

    /// The working folder (a caller may keep its own files there).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Spill the next incoming rows (canonical, checked and normalised).
    pub fn push(&mut self, df: DataFrame) -> Result<()> {
        for c in df.columns() {
            if !self.schema.iter().any(|(n, _)| n == c.name()) {
                self.schema.push((c.name().clone(), c.dtype().clone()));
            }
        }
        self.rows += df.height() as u64;
        if df.height() == 0 {
            return Ok(());
        }
        let days = df.column(col::DATE)?.as_materialized_series().to_physical_repr().into_owned();
        let days = days.i32()?;
        let bucket: Vec<u32> =
            days.iter().map(|d| d.map_or(0, |d| self.bounds.partition_point(|&b| b <= d)) as u32).collect();
        let mut df = df;
        df.with_column(Column::new("__bucket".into(), bucket))?;
        for part in df.partition_by_stable(["__bucket"], true)? {
            let b = part.column("__bucket")?.u32()?.get(0).unwrap_or(0) as usize;
            let mut part = part.drop("__bucket")?;
            let path = self.dir.join(format!("in-{b:05}-{:06}.parquet", self.written));
            self.written += 1;
            write_spill(&path, &mut part)?;
            self.files[b].push(path);
        }
        Ok(())
    }

    /// The order of the incoming columns (as a load in memory has them);
    /// columns not named follow in first-seen order.
    pub fn set_order(&mut self, names: Vec<String>) {
        self.order = names;
    }

    /// Incoming rows spilled so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The incoming columns, in [`Spill::set_order`]'s order.
    fn incoming_schema(&self) -> Vec<(PlSmallStr, DataType)> {
        let mut cols: Vec<_> =
            self.order.iter().filter_map(|n| self.schema.iter().find(|(m, _)| m.as_str() == n)).cloned().collect();
        cols.extend(self.schema.iter().filter(|(n, _)| !self.order.iter().any(|o| o == n.as_str())).cloned());
        cols
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Write a working file: fast (LZ4, no statistics), read back once.
pub fn write_spill(path: &Path, df: &mut DataFrame) -> Result<()> {
    let mut f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    ParquetWriter::new(&mut f)
        .with_compression(ParquetCompression::Lz4Raw)
        .with_statistics(StatisticsOptions::empty())
        .finish(df)
        .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    Ok(())
}

/// Read a working file back, or the `columns` of it.
pub fn read_spill(path: &Path, columns: Option<&[&str]>) -> Result<DataFrame> {
    let mut lf = scan_file(path)?;
    if let Some(c) = columns {
        lf = lf.select(c.iter().map(|c| col(*c)).collect::<Vec<_>>());
    }
    Ok(lf.run()?)
}

fn scan_file(path: &Path) -> Result<LazyFrame> {
    let name = path.to_str().ok_or_else(|| Error::format(path, "path is not valid UTF-8"))?;
    // A partitioned store's `year=` folder is not a column of its rows.
    let mut args = ScanArgsParquet::default();
    args.hive_options.enabled = Some(false);
    LazyFrame::scan_parquet(PlRefPath::new(name), args).map_err(|e| crate::ingest::source::parquet_error(path, e))
}

/// The Parquet files of a store, in date order.
fn store_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_dir() {
        partition_files(path)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

/// Row groups of [`ROW_GROUP_ROWS`] rows written as rows come, one file at a
/// time (one per year in a partitioned store).
pub(super) struct Sink {
    fingerprint: String,
    schema: Schema,
    /// The open file: its year (partitioned) and writer.
    open: Option<(Option<i32>, std::fs::File, PathBuf)>,
    writer: Option<polars::io::parquet::write::BatchedWriter<std::fs::File>>,
    pending: Option<DataFrame>,
    /// Where year files go (partitioned), or the one file.
    target: SinkTarget,
}

pub(super) enum SinkTarget {
    File(std::fs::File, PathBuf),
    Years(PathBuf),
    Done,
}

impl Sink {
    /// A sink writing `schema` to one file or to year folders under a folder.
    pub(super) fn new(target: SinkTarget, schema: Schema, fingerprint: String) -> Sink {
        Sink { fingerprint, schema, open: None, writer: None, pending: None, target }
    }

    /// Whether a file is open.
    pub(super) fn is_open(&self) -> bool {
        self.open.is_some()
    }

    pub(super) fn start(&mut self, year: Option<i32>) -> Result<()> {
        let (file, path) = match std::mem::replace(&mut self.target, SinkTarget::Done) {
            SinkTarget::File(f, p) => (f, p),
            SinkTarget::Years(dir) => {
                let y = year.ok_or_else(|| Error::Internal("a store row without a date".into()))?;
                let folder = dir.join(format!("{PARTITION_COLUMN}={y}"));
                std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
                let path = folder.join("part-00000.parquet");
                let f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
                self.target = SinkTarget::Years(dir);
                (f, path)
            }
            SinkTarget::Done => return Err(Error::Internal("store sink reopened".into())),
        };
        let handle = file.try_clone().map_err(|e| Error::io(&path, e))?;
        let writer = parquet_writer(file, &self.fingerprint).with_compression(ParquetCompression::Zstd(None));
        self.writer = Some(writer.batched(&self.schema).map_err(|e| Error::io(&path, std::io::Error::other(e)))?);
        self.open = Some((year, handle, path));
        Ok(())
    }

    /// Add rows (sorted, after all rows added before); whole row groups are written.
    pub(super) fn add(&mut self, df: DataFrame, year: Option<i32>) -> Result<()> {
        if self.open.as_ref().is_some_and(|o| o.0 != year) {
            self.finish_file()?;
        }
        if self.open.is_none() {
            self.start(year)?;
        }
        let mut all = match self.pending.take() {
            Some(mut p) => {
                p.vstack_mut_owned(df)?;
                p
            }
            None => df,
        };
        while all.height() >= ROW_GROUP_ROWS {
            let group = all.slice(0, ROW_GROUP_ROWS);
            all = all.slice(ROW_GROUP_ROWS as i64, all.height() - ROW_GROUP_ROWS);
            self.write(group)?;
        }
        self.pending = Some(all);
        Ok(())
    }

    fn write(&mut self, mut group: DataFrame) -> Result<()> {
        if group.height() == 0 {
            return Ok(());
        }
        group.rechunk_mut();
        let (Some(w), Some((_, _, path))) = (self.writer.as_mut(), self.open.as_ref()) else {
            return Err(Error::Internal("store sink not open".into()));
        };
        w.write_batch(&group).map_err(|e| Error::io(path, std::io::Error::other(e)))
    }

    pub(super) fn finish_file(&mut self) -> Result<()> {
        if let Some(p) = self.pending.take() {
            self.write(p)?;
        }
        if let (Some(w), Some((_, f, path))) = (self.writer.take(), self.open.take()) {
            w.finish().map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
            f.sync_all().map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }
}

/// Merge the spilled incoming rows into the store at `path` (created if
/// needed), as [`super::upsert_with`] does in memory.
pub fn upsert_spilled(
    path: &Path,
    spill: Spill,
    normaliser: Option<&str>,
    opts: &UpsertOptions,
    progress: &crate::ingest::Progress,
) -> Result<StoreChange> {
    let id = col::INCIDENT_ID;
    let new_fp = normaliser.unwrap_or("none").to_string();
    let partitioned = super::layout_of(path, opts.partition)?;
    let exists = path.exists() && !std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none());
    let old_files = if exists { store_files(path)? } else { Vec::new() };
    let old_meta = if exists { read_meta(path)? } else { Default::default() };
    let old_schema: Vec<(PlSmallStr, DataType)> = match old_files.first() {
        Some(f) => scan_file(f)?.collect_schema()?.iter().map(|(n, t)| (n.clone(), t.clone())).collect(),
        None if exists && is_partitioned(path) => {
            CANONICAL.iter().map(|(c, t)| ((*c).into(), crate::schema::dtype_of(*t))).collect()
        }
        None => Vec::new(),
    };
    let old_lf = |lo: Option<i32>, hi: Option<i32>| -> Result<Option<LazyFrame>> {
        if old_files.is_empty() {
            return Ok(None);
        }
        let scans = old_files.iter().map(|f| scan_file(f)).collect::<Result<Vec<_>>>()?;
        let lf = concat(scans, UnionArgs::default())?;
        let day = col(col::DATE).cast(DataType::Int32);
        let mut keep = lit(true);
        if let Some(lo) = lo {
            keep = keep.and(day.clone().gt_eq(lit(lo)));
        }
        if let Some(hi) = hi {
            keep = keep.and(day.lt(lit(hi)));
        }
        Ok(Some(lf.filter(keep)))
    };
    let replace: HashSet<&str> = opts.replace_files.iter().map(String::as_str).collect();
    let has_source = old_schema.iter().any(|(n, _)| n == crate::ingest::SOURCE_FILE);
    let buckets = spill.bounds.len() + 1;
    let range = |b: usize| (b.checked_sub(1).map(|i| spill.bounds[i]), spill.bounds.get(b).copied());
    // The store's rows in storage order, bucket by bucket: which come in again
    // (`hits`), which came from a re-ingested file (`replaced`), and where each bucket starts.
    let (mut hits, mut replaced, mut offsets) = (Bits::default(), Bits::default(), vec![0u64; buckets]);
    let mut removed = 0u64;
    if !old_files.is_empty() {
        let mut old_keys = spill.keys.old()?;
        let mut ordinal = 0u64;
        for (b, offset) in offsets.iter_mut().enumerate() {
            *offset = ordinal;
            let (lo, hi) = range(b);
            let Some(lf) = old_lf(lo, hi)? else { continue };
            let mut cols = vec![col(id)];
            if has_source && !replace.is_empty() {
                cols.push(col(crate::ingest::SOURCE_FILE));
            }
            let df = lf.select(cols).run()?;
            for v in df.column(id)?.str()?.iter() {
                old_keys.push(id_key(v.unwrap_or("")), ordinal)?;
                ordinal += 1;
            }
            if let Ok(c) = df.column(crate::ingest::SOURCE_FILE) {
                for (k, v) in c.str()?.iter().enumerate() {
                    if v.is_some_and(|v| replace.contains(v)) {
                        replaced.set(*offset + k as u64);
                    }
                }
            }
        }
        hits = old_keys.finish()?;
        removed = (0..ordinal).filter(|&i| replaced.get(i) && !hits.get(i)).count() as u64;
    }
    progress.stage("writing the store", spill.rows + old_meta.rows);
    let fingerprint = if old_meta.rows > removed && old_meta.normaliser.as_deref() != Some(new_fp.as_str()) {
        "mixed".to_string()
    } else {
        new_fp
    };
    // The output columns: the store's, then the incoming ones it lacks.
    let mut schema = old_schema.clone();
    for (n, t) in spill.incoming_schema() {
        if !schema.iter().any(|(m, _)| *m == n) {
            schema.push((n, t));
        }
    }
    let out_schema = Schema::from_iter(schema.iter().map(|(n, t)| Field::new(n.clone(), t.clone())));
    let align = |df: DataFrame| -> Result<DataFrame> {
        let n = df.height();
        let cols = schema
            .iter()
            .map(|(name, t)| match df.column(name) {
                Ok(c) => Ok(c.cast(t)?),
                Err(_) => Ok(Column::full_null(name.clone(), n, t)),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(DataFrame::new(n, cols)?)
    };
    let mut delete: HashSet<&str> = opts.delete_ids.iter().map(String::as_str).collect();
    let canon: Vec<Expr> = CANONICAL.iter().map(|(c, _)| col(*c)).collect();
    let (mut in_both, mut unchanged, mut deleted, mut total) = (0u64, 0u64, 0u64, 0u64);

    let staging = if partitioned {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
        let staging = path.with_file_name(format!(".{name}.new-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        Some(staging)
    } else {
        None
    };
    let tmp = crate::atomic::temp_path(path);
    let target = match &staging {
        Some(dir) => SinkTarget::Years(dir.clone()),
        None => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
            SinkTarget::File(f, tmp.clone())
        }
    };
    let mut sink = Sink::new(target, out_schema, fingerprint);
    let year_of = |d: i32| crate::schema::dates::from_epoch_days(d).map(|d| chrono::Datelike::year(&d));

    let result = (|| -> Result<()> {
        for (b, offset) in offsets.iter().enumerate() {
            crate::atomic::check_cancelled()?;
            let (lo, hi) = range(b);
            let incoming = spill.files[b].iter().map(|f| read_spill(f, None)).collect::<Result<Vec<_>>>()?;
            let incoming = concat_aligned(incoming)?;
            progress.add(incoming.height() as u64, incoming.height() as u64);
            let mut parts = Vec::new();
            if let Some(lf) = old_lf(lo, hi)? {
                let old = lf.run()?;
                progress.add(old.height() as u64, old.height() as u64);
                let at = |k: usize| offset + k as u64;
                let hit: Vec<bool> = (0..old.height()).map(|k| hits.get(at(k))).collect();
                let from_replaced: Vec<bool> = (0..old.height()).map(|k| replaced.get(at(k))).collect();
                let matched = old.filter(&BooleanChunked::from_slice("m".into(), &hit))?;
                in_both += matched.height() as u64;
                if matched.height() > 0 && incoming.height() > 0 {
                    let mut same = JoinArgs::new(JoinType::Inner);
                    same.nulls_equal = true;
                    let both = matched
                        .lazy()
                        .select(canon.clone())
                        .join(incoming.clone().lazy().select(canon.clone()), canon.clone(), canon.clone(), same)
                        .run()?;
                    unchanged += both.height() as u64;
                }
                let keep: Vec<bool> = hit.iter().zip(&from_replaced).map(|(h, r)| !h && !r).collect();
                parts.push(old.filter(&BooleanChunked::from_slice("k".into(), &keep))?);
            }
            if incoming.height() > 0 {
                parts.push(incoming);
            }
            if parts.iter().all(|p| p.height() == 0) {
                continue;
            }
            let merged = concat_aligned(parts.into_iter().map(&align).collect::<Result<Vec<_>>>()?)?;
            let mut merged =
                merged.lazy().sort([col::DATE, id], SortMultipleOptions::default().with_maintain_order(true)).run()?;
            if !delete.is_empty() {
                let hit: Vec<bool> =
                    merged.column(id)?.str()?.iter().map(|v| v.is_some_and(|v| delete.contains(v))).collect();
                let n = hit.iter().filter(|h| **h).count();
                if n > 0 {
                    for v in merged.column(id)?.str()?.iter().zip(&hit).filter(|(_, h)| **h).filter_map(|(v, _)| v) {
                        delete.remove(v);
                    }
                    deleted += n as u64;
                    let keep: Vec<bool> = hit.iter().map(|h| !h).collect();
                    merged = merged.filter(&BooleanChunked::from_slice("k".into(), &keep))?;
                }
            }
            total += merged.height() as u64;
            if !partitioned {
                sink.add(merged, None)?;
                continue;
            }
            // One year per bucket (the plan splits at years), but be exact.
            let days = merged.column(col::DATE)?.as_materialized_series().to_physical_repr().into_owned();
            let days = days.i32()?.clone();
            let mut start = 0;
            while start < merged.height() {
                let y = days.get(start).and_then(year_of);
                let mut end = start + 1;
                while end < merged.height() && days.get(end).and_then(year_of) == y {
                    end += 1;
                }
                sink.add(merged.slice(start as i64, end - start), y)?;
                start = end;
            }
        }
        if !partitioned && !sink.is_open() {
            // No rows at all: a store with the columns and no row group.
            sink.start(None)?;
        }
        sink.finish_file()
    })();
    let finish = result.and_then(|()| match &staging {
        Some(dir) => {
            let marker = dir.join(PARTITION_MARKER);
            std::fs::write(&marker, "sitrep store partitioned by year\n").map_err(|e| Error::io(&marker, e))?;
            super::swap_in(path, dir)
        }
        None => {
            crate::atomic::check_cancelled()?;
            std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
        }
    });
    if let Err(e) = finish {
        let _ = std::fs::remove_file(&tmp);
        if let Some(dir) = &staging {
            let _ = std::fs::remove_dir_all(dir);
        }
        return Err(e);
    }
    let incoming_rows = spill.rows;
    let unchanged = unchanged.min(in_both);
    Ok(StoreChange {
        added: incoming_rows - in_both,
        updated: in_both - unchanged,
        unchanged,
        removed,
        deleted,
        not_found: opts.delete_ids.iter().collect::<HashSet<_>>().len() as u64 - deleted,
        total,
    })
}
