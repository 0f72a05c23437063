//! `ingest` of inputs larger than memory (issue 17): the steps of [`super::load`]
//! and [`crate::store::upsert_with`], batch by batch, with memory bounded by
//! a batch and a date bucket rather than the whole input.
//!
//! 1. Each file is read in batches of about `batch_bytes` of text
//!    ([`read_batches`]); each batch is spilled to disk as read, and what the
//!    file's dates say about their day/month order is gathered.
//! 2. With the order decided, a light pass over the spilled id and date
//!    columns numbers repeated hashed ids, finds repeated ids (a sort of
//!    128-bit id hashes), and counts incidents per day.
//! 3. Each batch is then read back, its dates placed, repeated ids rejected,
//!    rows tagged and normalised, and spilled again by date bucket.
//! 4. [`upsert_spilled`] merges the buckets with the store, in date order.
//!
//! Rows, rejects (row, line, column, value, reason), counts and the store
//! written are those of the in-memory path (`tests/it/stream.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{Inputs, Needs};
use crate::error::{Error, Result};
use crate::ingest::convert::{Numbering, HASHED, LINE, PENDING, ROW};
use crate::ingest::order::{self, Evidence};
use crate::ingest::{
    read_batches, tag_rows, write_rejects, DateOrder, FileSummary, LoadOptions, Loaded, Progress, Reject, DATASET,
    SOURCE_FILE,
};
use crate::normalise::{Normaliser, Unmapped};
use crate::query::summary::{DataSummary, Summariser};
use crate::schema::col;
use crate::store::spill::{self, id_key, read_spill, write_spill, Spill};
use crate::store::{Partition, StoreChange, UpsertOptions};
use crate::Run;

/// Inputs from this many bytes up are ingested in batches.
pub const STREAM_BYTES: u64 = 256 << 20;
/// Text bytes per batch.
pub const BATCH_BYTES: u64 = 64 << 20;

/// Whether `ingest` streams these inputs (`--stream-above` or [`STREAM_BYTES`]):
/// they are large, and nothing asks for all rows at once (`--strict` lists
/// every unmapped value first; `--dedup` compares incidents across sources).
pub fn streams(inputs: &Inputs, above: Option<u64>) -> bool {
    let size: u64 = inputs.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    !inputs.strict && inputs.dedup.is_none() && size >= above.unwrap_or(STREAM_BYTES)
}

/// How a streaming ingest cuts its input.
#[derive(Debug, Clone, Copy)]
pub struct Batching {
    /// Text bytes per batch.
    pub batch_bytes: u64,
    /// Bytes per range read by one thread (`None`: the reader's own; set,
    /// small files are read in ranges too, as tests do).
    pub range_bytes: Option<u64>,
    /// Rows a date bucket of the merge aims at.
    pub bucket_rows: u64,
}

impl Default for Batching {
    fn default() -> Self {
        Batching { batch_bytes: BATCH_BYTES, range_bytes: None, bucket_rows: spill::BUCKET_ROWS }
    }
}

/// A working folder removed when dropped.
struct Work(PathBuf);

impl Drop for Work {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One file after the first pass.
struct FileState {
    raw: crate::ingest::RawFile,
    batches: Vec<PathBuf>,
    order: Option<DateOrder>,
    rejects: Vec<Reject>,
    span: Option<(i32, i32)>,
}

/// A row's place in the input: file index and row.
fn seq(file: usize, row: u64) -> u64 {
    ((file as u64) << 40) | row
}

/// What the first two passes leave: each file read and spilled, its rows'
/// ids sorted on disk, and incidents per day.
struct Read {
    files: Vec<FileState>,
    rows: u64,
    /// The sorted ids (for marking store rows that come in again).
    keys: Option<crate::store::keys::Keys>,
    /// Rows whose id repeats an earlier row's: seq → the first's seq.
    repeat_of: HashMap<u64, u64>,
    /// The first rows of repeated ids.
    firsts: HashSet<u64>,
    days: BTreeMap<i32, u64>,
}

/// Passes 1 and 2: read and spill each file in batches, decide its date
/// order, then place its dates, number its hashed ids and sort all ids.
fn read_and_key(inputs: &Inputs, lopts: &LoadOptions, batch_bytes: u64, work: &Path) -> Result<Read> {
    // 1. Read and spill each file, gathering what its dates say.
    let mut files: Vec<FileState> = Vec::with_capacity(inputs.files.len());
    for (i, path) in inputs.files.iter().enumerate() {
        let (mut evidence, mut batches, mut rejects) = (Evidence::default(), Vec::new(), Vec::new());
        let raw = read_batches(path, lopts, batch_bytes, &mut |mut df, rj| {
            crate::atomic::check_cancelled()?;
            evidence.add(&df)?;
            let p = work.join(format!("raw-{i:05}-{:06}.parquet", batches.len()));
            write_spill(&p, &mut df)?;
            batches.push(p);
            rejects.extend(rj);
            Ok(())
        })?;
        let order = evidence.decide(path)?;
        files.push(FileState { raw, batches, order, rejects, span: None });
    }

    // 2. Ids and days, with the dates placed and hashed ids numbered.
    let rows: u64 = files.iter().map(|f| f.raw.read).sum();
    let mut keyed = crate::store::keys::KeyWriter::new(work, rows)?;
    let mut days: BTreeMap<i32, u64> = BTreeMap::new();
    for (i, f) in files.iter_mut().enumerate() {
        let path = &inputs.files[i];
        let end_column = f.raw.layout.source_name(col::DATE_END);
        let mut numbering = Numbering::default();
        for b in &f.batches {
            let df = read_columns(b, &[col::INCIDENT_ID, col::DATE, col::DATE_END, ROW, LINE, HASHED])?;
            let df = order::apply(path, df, f.order, &end_column, &mut f.rejects)?;
            let df = numbering.number(df)?;
            push_ids(&mut keyed, &df, i)?;
            let d = df.column(col::DATE)?.as_materialized_series().to_physical_repr().into_owned();
            for d in d.i32()?.iter().flatten() {
                *days.entry(d).or_insert(0) += 1;
                f.span = Some(f.span.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
            }
        }
        f.rejects.sort_by_key(|r| r.row);
    }
    // Repeated ids: the first of each is kept, the others rejected.
    let mut keys = keyed.finish()?;
    let (repeat_of, firsts) = (std::mem::take(&mut keys.repeat_of), std::mem::take(&mut keys.firsts));
    Ok(Read { files, rows, keys: Some(keys), repeat_of, firsts, days })
}

/// What the third pass found besides the rows it handed on.
struct Passed {
    /// Column order as a load in memory gives it: the files' own, the tags, what normalising adds.
    columns: Vec<String>,
    /// Rows rejected as repeated ids, by file index.
    repeats: Vec<(usize, Reject)>,
    /// Values no rule mapped, over all batches.
    unmapped: Unmapped,
}

/// Pass 3: each batch read back, its dates placed, repeated ids rejected,
/// rows tagged and normalised, and handed to `on_batch` in input order.
fn each_batch(
    inputs: &Inputs,
    lopts: &LoadOptions,
    read: &Read,
    normaliser: Option<&Normaliser>,
    list_unmapped: bool,
    on_batch: &mut dyn FnMut(DataFrame) -> Result<()>,
) -> Result<Passed> {
    let (repeat_of, firsts) = (&read.repeat_of, &read.firsts);
    lopts.progress.stage("checking and normalising", read.rows);
    let (mut own, mut added): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut first_rows: HashMap<u64, u64> = HashMap::new();
    let mut repeats: Vec<(usize, Reject)> = Vec::new();
    let mut unmapped = UnmappedCounts::default();
    for (i, f) in read.files.iter().enumerate() {
        let path = &inputs.files[i];
        let end_column = f.raw.layout.source_name(col::DATE_END);
        let mut numbering = Numbering::default();
        for b in &f.batches {
            crate::atomic::check_cancelled()?;
            let df = read_spill(b, None)?;
            let _ = std::fs::remove_file(b);
            lopts.progress.add(df.height() as u64, df.height() as u64);
            let df = order::apply(path, df, f.order, &end_column, &mut Vec::new())?;
            let mut df = numbering.number(df)?;
            if !repeat_of.is_empty() {
                df = reject_repeats(df, i, &inputs.files, repeat_of, firsts, &mut first_rows, &mut repeats)?;
            }
            note_columns(&mut own, &df, &[]);
            let df = tag(df, i, inputs, lopts)?;
            let tagged: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
            let df = normalise(df, normaliser, list_unmapped, &mut unmapped)?;
            note_columns(&mut added, &df, &tagged);
            on_batch(df)?;
        }
    }
    for name in [SOURCE_FILE, DATASET].into_iter().map(String::from).chain(added) {
        if !own.contains(&name) {
            own.push(name);
        }
    }
    Ok(Passed { columns: own, repeats, unmapped: unmapped.finish() })
}

/// The load's account: every row accepted or rejected, file by file.
fn account(inputs: &Inputs, files: Vec<FileState>, repeats: &[(usize, Reject)]) -> Loaded {
    let mut rejects = Vec::new();
    let mut summaries: Vec<FileSummary> = Vec::with_capacity(files.len());
    for (i, f) in files.into_iter().enumerate() {
        let mut rj = f.rejects;
        rj.extend(repeats.iter().filter(|(fi, _)| *fi == i).map(|(_, r)| r.clone()));
        rj.sort_by_key(|r| r.row);
        let span = f
            .span
            .and_then(|(a, b)| crate::schema::dates::from_epoch_days(a).zip(crate::schema::dates::from_epoch_days(b)));
        let rejected = rj.len() as u64;
        summaries.push(f.raw.summary(&inputs.files[i], f.raw.read - rejected, rejected, f.order, span));
        rejects.extend(rj);
    }
    Loaded { frame: DataFrame::empty(), scan: None, normalised_with: None, rejects, files: summaries }
}

/// A working folder, emptied.
fn work_folder(path: PathBuf) -> Result<Work> {
    let work = Work(path);
    work.empty()?;
    Ok(work)
}

impl Work {
    /// Empty the folder for another pass.
    fn empty(&self) -> Result<()> {
        let _ = std::fs::remove_dir_all(&self.0);
        std::fs::create_dir_all(&self.0).map_err(|e| Error::io(&self.0, e))
    }
}

/// The load options and normaliser a streamed read uses.
fn setup(inputs: &Inputs, needs: &Needs, batching: Batching) -> Result<(LoadOptions, Option<Normaliser>)> {
    let mut lopts = inputs.load_options(needs);
    if batching.range_bytes.is_some() {
        lopts.range_bytes = batching.range_bytes;
    }
    let normaliser = if inputs.normalise { Some(Normaliser::load(&inputs.aliases, &inputs.taxonomies)?) } else { None };
    Ok((lopts, normaliser))
}

/// Ingest `inputs` into the store at `store` in batches, as `ingest` does in memory: returns what changed,
/// the load's files and rejects (its frame empty), and the normaliser's
/// fingerprint. The rejects file, if asked for, is written.
pub fn ingest(
    inputs: &Inputs,
    store: &Path,
    opts: &UpsertOptions,
    batching: Batching,
) -> Result<(StoreChange, Loaded, Option<String>)> {
    let (lopts, normaliser) = setup(inputs, &Needs::ingest(), batching)?;
    let name = store.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
    let work = work_folder(store.with_file_name(format!(".{name}.read-{}", std::process::id())))?;
    let mut read = read_and_key(inputs, &lopts, batching.batch_bytes, &work.0)?;
    for (d, n) in spill::day_counts(store)? {
        *read.days.entry(d).or_insert(0) += n;
    }
    let by_year = store.is_dir() || opts.partition == Partition::Year;
    let bounds = spill::plan_buckets(&read.days, batching.bucket_rows, by_year);
    let keys = read.keys.take().ok_or_else(|| Error::Internal("the ids were taken twice".into()))?;
    let mut spill = Spill::new(store, bounds, keys)?;
    let passed = each_batch(inputs, &lopts, &read, normaliser.as_ref(), false, &mut |df| spill.push(df))?;
    spill.set_order(passed.columns);
    let loaded = account(inputs, read.files, &passed.repeats);
    if let Some(path) = &inputs.rejects {
        write_rejects(path, &loaded, &lopts, inputs.csv_escape)?;
    }
    let fingerprint = normaliser.map(|n| n.fingerprint);
    let change = spill::upsert_spilled(store, spill, fingerprint.as_deref(), opts, &lopts.progress)?;
    drop(work);
    Ok((change, loaded, fingerprint))
}

/// `check` in batches, as it runs in memory: the load's files and rejects
/// (its frame empty), the summary of the accepted rows with the `top` actors,
/// and (when `list_unmapped`) the values no rule maps. Most files are
/// checked in one pass ([`check_in_one_pass`]); a file whose day/month order
/// is open or whose ids repeat takes the three passes of [`ingest`], its
/// batches spilled to the system's temporary folder (`TMPDIR`, about the
/// input's size, removed at the end). The rejects file, if asked for, is written.
pub fn check(
    inputs: &Inputs,
    batching: Batching,
    top: usize,
    list_unmapped: bool,
) -> Result<(Loaded, DataSummary, Unmapped)> {
    let (lopts, normaliser) = setup(inputs, &Needs::rows(), batching)?;
    let work = work_folder(std::env::temp_dir().join(format!("sitrep-check-{}", std::process::id())))?;
    let one = check_in_one_pass(inputs, &lopts, batching, normaliser.as_ref(), list_unmapped, &work.0)?;
    let (loaded, summary, unmapped) = match one {
        Ok((loaded, summary, unmapped)) => (loaded, summary, unmapped),
        Err(rows_seen) => {
            work.empty()?;
            // The read again counts rows (of as many as the first read saw, when it got to the end).
            lopts.progress.stage("reading again (ids repeat, or dates wait for the day/month order)", rows_seen);
            let outer = lopts.progress.clone();
            let again = LoadOptions { progress: Progress::new(move |_, n| outer.add(n, n)), ..lopts.clone() };
            let read = read_and_key(inputs, &again, batching.batch_bytes, &work.0)?;
            let mut summary = Summariser::default();
            let passed =
                each_batch(inputs, &lopts, &read, normaliser.as_ref(), list_unmapped, &mut |df| summary.add(&df))?;
            (account(inputs, read.files, &passed.repeats), summary, passed.unmapped)
        }
    };
    if let Some(path) = &inputs.rejects {
        write_rejects(path, &loaded, &lopts, inputs.csv_escape)?;
    }
    drop(work);
    Ok((loaded, summary.finish(top), unmapped))
}

/// `check` in one pass over each file, each batch normalised and summarised
/// as it is read, when nothing whole-file changes a batch: no all-number
/// date waits for the file's day/month order, and no id repeats (the ids'
/// hashes are sorted on disk in `work`). As soon as either fails, the rows
/// it read (the whole input's when ids repeat, else 0): the caller then
/// takes the three passes.
fn check_in_one_pass(
    inputs: &Inputs,
    lopts: &LoadOptions,
    batching: Batching,
    normaliser: Option<&Normaliser>,
    list_unmapped: bool,
    work: &Path,
) -> Result<std::result::Result<(Loaded, Summariser, Unmapped), u64>> {
    // Partitions of about 2 M ids for rows of 64 bytes or more.
    let bytes: u64 = inputs.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let mut keyed = crate::store::keys::KeyWriter::new(work, bytes / 64)?;
    let mut files: Vec<FileState> = Vec::with_capacity(inputs.files.len());
    let mut waits = false;
    // Batches are tagged, normalised and summarised on a thread of their own
    // while the next is read.
    let (mut summary, mut unmapped) = (Summariser::default(), UnmappedCounts::default());
    let summarise = |(i, df): (usize, DataFrame)| -> Result<()> {
        let df = tag(df, i, inputs, lopts)?;
        summary.add(&normalise(df, normaliser, list_unmapped, &mut unmapped)?)
    };
    let read = |send: &mut dyn FnMut((usize, DataFrame)) -> Result<()>| -> Result<()> {
        for (i, path) in inputs.files.iter().enumerate() {
            let (mut rejects, mut span) = (Vec::new(), None);
            let mut numbering = Numbering::default();
            let raw = read_batches(path, lopts, batching.batch_bytes, &mut |df, rj| {
                crate::atomic::check_cancelled()?;
                if !order::settled(&df)? {
                    waits = true;
                    return Err(Error::Internal("a date waits for the file's order".into()));
                }
                rejects.extend(rj);
                let df = order::apply(path, df, None, "", &mut Vec::new())?;
                let df = numbering.number(df)?;
                push_ids(&mut keyed, &df, i)?;
                let days = df.column(col::DATE)?.as_materialized_series().to_physical_repr().into_owned();
                let days = days.i32()?;
                if let (Some(a), Some(b)) = (days.min(), days.max()) {
                    span = Some(span.map_or((a, b), |(x, y): (i32, i32)| (x.min(a), y.max(b))));
                }
                send((i, df))
            })?;
            rejects.sort_by_key(|r| r.row);
            files.push(FileState { raw, batches: Vec::new(), order: None, rejects, span });
        }
        Ok(())
    };
    match pipelined(read, summarise) {
        // (An error summarising an earlier batch comes back in the three passes.)
        Err(_) if waits => return Ok(Err(0)),
        other => other?,
    }
    if !keyed.finish()?.repeat_of.is_empty() {
        return Ok(Err(files.iter().map(|f| f.raw.read).sum()));
    }
    Ok(Ok((account(inputs, files, &[]), summary, unmapped.finish())))
}

/// Run `produce`, handing each item it sends to `consume` on a thread of its
/// own while `produce` goes on (in order; none queued, so one item is in
/// each hand at most). An error of `consume` wins: it is why a send failed.
fn pipelined<T: Send, R>(
    produce: impl FnOnce(&mut dyn FnMut(T) -> Result<()>) -> Result<R>,
    mut consume: impl FnMut(T) -> Result<()> + Send,
) -> Result<R> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<T>(0);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || -> Result<()> {
            for item in rx {
                consume(item)?;
            }
            Ok(())
        });
        let produced =
            produce(&mut |item| tx.send(item).map_err(|_| Error::Internal("a worker thread stopped".into())));
        drop(tx);
        worker.join().map_err(|_| Error::Internal("a worker thread panicked".into()))??;
        produced
    })
}

/// Note the ids of a batch of file `file` (dates placed, hashed ids numbered).
fn push_ids(keyed: &mut crate::store::keys::KeyWriter, df: &DataFrame, file: usize) -> Result<()> {
    let ids = df.column(col::INCIDENT_ID)?.str()?;
    let rows = df.column(ROW)?.u64()?;
    for (id, r) in ids.iter().zip(rows.iter()) {
        keyed.push(id_key(id.unwrap_or("")), seq(file, r.unwrap_or(0)))?;
    }
    Ok(())
}

/// A batch of file `file` tagged with its file and dataset (as the load in memory tags rows).
fn tag(mut df: DataFrame, file: usize, inputs: &Inputs, lopts: &LoadOptions) -> Result<DataFrame> {
    df.with_column(Column::new_scalar("__file".into(), Scalar::from(file as u32), df.height()))?;
    tag_rows(df, &inputs.files, lopts)
}

/// A batch normalised (unless `--no-normalise`), its unmapped values counted.
fn normalise(
    df: DataFrame,
    normaliser: Option<&Normaliser>,
    list_unmapped: bool,
    unmapped: &mut UnmappedCounts,
) -> Result<DataFrame> {
    let Some(n) = normaliser else { return Ok(df) };
    let (lf, missing) = n.apply_lazy(df.lazy(), None, list_unmapped)?;
    unmapped.add(missing);
    Ok(lf.run()?)
}

/// Unmapped values counted over batches.
#[derive(Default)]
struct UnmappedCounts(Vec<(String, HashMap<String, u64>)>);

impl UnmappedCounts {
    fn add(&mut self, batch: Unmapped) {
        for (k, (column, values)) in batch.columns.into_iter().enumerate() {
            if self.0.len() <= k {
                self.0.push((column, HashMap::new()));
            }
            for (v, n) in values {
                *self.0[k].1.entry(v).or_insert(0) += n;
            }
        }
    }

    /// Each column's values, most rows first, then by value (as [`Normaliser::apply_lazy`] lists them).
    fn finish(self) -> Unmapped {
        let columns =
            self.0.into_iter().map(|(c, values)| (c, crate::normalise::sorted(values.into_iter().collect()))).collect();
        Unmapped { columns }
    }
}

/// Add the data columns of `df` not in `before` to `names`, in order, each once.
fn note_columns(names: &mut Vec<String>, df: &DataFrame, before: &[String]) {
    for n in df.get_column_names() {
        if !n.starts_with("__") && !before.iter().any(|b| b == n.as_str()) && !names.iter().any(|m| m == n.as_str()) {
            names.push(n.to_string());
        }
    }
}

/// The `wanted` columns a spilled batch has.
fn read_columns(path: &Path, wanted: &[&str]) -> Result<DataFrame> {
    let mut names: Vec<&str> = wanted.to_vec();
    names.extend(PENDING.iter().flatten());
    let name = path.to_str().ok_or_else(|| Error::format(path, "path is not valid UTF-8"))?;
    let schema = LazyFrame::scan_parquet(PlRefPath::new(name), ScanArgsParquet::default())?.collect_schema()?;
    let present: Vec<&str> = names.into_iter().filter(|n| schema.get(n).is_some()).collect();
    read_spill(path, Some(&present))
}

/// Reject the rows of `df` (file `file`) whose id repeats an earlier row's,
/// naming the first, as [`crate::ingest::duplicates`] does for a load in memory.
fn reject_repeats(
    df: DataFrame,
    file: usize,
    paths: &[PathBuf],
    repeat_of: &HashMap<u64, u64>,
    firsts: &HashSet<u64>,
    first_rows: &mut HashMap<u64, u64>,
    rejects: &mut Vec<(usize, Reject)>,
) -> Result<DataFrame> {
    let rows = df.column(ROW)?.u64()?.clone();
    let lines = df.column(LINE)?.u64()?.clone();
    let ids = df.column(col::INCIDENT_ID)?.str()?.clone();
    let mut keep = vec![true; df.height()];
    for (k, r) in rows.iter().enumerate() {
        let s = seq(file, r.unwrap_or(0));
        if firsts.contains(&s) {
            first_rows.insert(s, row_content(&df, k));
        }
        let Some(&first) = repeat_of.get(&s) else { continue };
        keep[k] = false;
        let same = first_rows.get(&first) == Some(&row_content(&df, k));
        let (first_file, first_row) = ((first >> 40) as usize, first & ((1 << 40) - 1));
        rejects.push((
            file,
            Reject {
                file: paths[file].clone(),
                row: r.unwrap_or(0),
                line: lines.get(k).unwrap_or(0),
                column: Some(col::INCIDENT_ID.to_string()),
                value: ids.get(k).unwrap_or_default().to_string(),
                reason: format!(
                    "duplicate incident_id, first seen at {} row {first_row}{}",
                    paths[first_file].display(),
                    if same { " (identical row)" } else { " with different content; the first is kept" }
                ),
            },
        ));
    }
    Ok(df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?)
}

/// A hash of a row's data cells (internal columns and empty cells left out,
/// so rows of files with different columns compare as a load in memory
/// aligns them).
fn row_content(df: &DataFrame, k: usize) -> u64 {
    let mut cells: Vec<(String, String)> = df
        .columns()
        .iter()
        .filter(|c| !c.name().starts_with("__"))
        .filter_map(|c| match c.get(k) {
            Ok(AnyValue::Null) | Err(_) => None,
            Ok(v) => Some((c.name().to_string(), format!("{}\u{1f}{v}", v.dtype()))),
        })
        .collect();
    cells.sort();
    let text: String = cells.into_iter().map(|(n, v)| format!("{n}\u{1e}{v}\u{1d}")).collect();
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file with unique ids and ISO dates is checked in one pass; a repeated
    /// id or a day-first date sends it to the three passes.
    #[test]
    fn one_pass_check_only_when_nothing_whole_file_changes_a_batch() {
        let dir = tempfile::tempdir().unwrap();
        let run = |text: &str| {
            let path = dir.path().join("t.csv");
            std::fs::write(&path, text).unwrap();
            let inputs = Inputs { files: vec![path], ..Default::default() };
            let batching = Batching { batch_bytes: 64, range_bytes: Some(40), bucket_rows: 10 };
            let (lopts, n) = setup(&inputs, &Needs::rows(), batching).unwrap();
            let work = work_folder(dir.path().join("work")).unwrap();
            check_in_one_pass(&inputs, &lopts, batching, n.as_ref(), false, &work.0).unwrap().map(|(l, s, _)| {
                assert_eq!(l.accepted(), s.finish(5).rows);
                l.accepted()
            })
        };
        let head = "incident_id,date,actor,fatalities\n";
        let rows: String = (1..=30).map(|i| format!("A-{i},2024-01-{:02},KH,1\n", i % 28 + 1)).collect();
        assert_eq!(run(&format!("{head}{rows}")), Ok(30));
        assert_eq!(run(&format!("{head}{rows}A-3,2024-02-01,KH,1\n")), Err(31));
        assert_eq!(run(&format!("{head}{rows}A-99,13/02/2024,KH,1\n")), Err(0));
    }
}
