//! Ingest: source files → canonical incidents (a typed polars frame) plus
//! the rows that were rejected and why.
//!
//! Invariant: for every file, `read == accepted + rejected`. A row is never
//! dropped without a [`Reject`] naming its file, row, line, column and value,
//! and unknown values stay null (never 0).

pub mod acled;
pub mod gdelt;
pub mod gtd;
pub mod layout;
pub mod mapping;
pub mod native;
pub mod parallel;
pub mod parse;
pub mod source;
pub mod ucdp;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use csv::ByteRecord;
use polars::prelude::*;

use crate::Run;

use crate::error::{Error, Result};
use crate::schema::{always_loaded, col, is_canonical, ColumnType, CANONICAL};
use layout::{Converter, Header, Layout, HASHED, LINE, ROW};
pub use mapping::Mapping;
pub use source::{Encoding, Format};

/// A known source layout, or `Auto` to recognise it from the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Preset {
    /// Recognise the layout from the header (or its absence).
    #[default]
    Auto,
    /// ACLED exports.
    Acled,
    /// UCDP GED.
    Ucdp,
    /// Global Terrorism Database.
    Gtd,
    /// GDELT 1.0 / 2.0 events.
    Gdelt,
    /// sitrep's own tracker layout (canonical column names).
    Native,
}

impl Preset {
    /// Names accepted on the command line, in the order shown in messages.
    pub const NAMES: [&'static str; 6] = ["auto", "acled", "ucdp", "gtd", "gdelt", "native"];
}

impl FromStr for Preset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim().to_lowercase().as_str() {
            "auto" => Preset::Auto,
            "acled" => Preset::Acled,
            "ucdp" | "ged" | "ucdp-ged" => Preset::Ucdp,
            "gtd" => Preset::Gtd,
            "gdelt" => Preset::Gdelt,
            "native" => Preset::Native,
            _ => return Err(Error::UnknownPreset { name: s.to_string() }),
        })
    }
}

/// How to read the input files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The layout (ignored when `mapping` is set).
    pub preset: Preset,
    /// A mapping file describing the layout.
    pub mapping: Option<Mapping>,
    /// Text encoding of delimited and NDJSON files.
    pub encoding: Encoding,
    /// The columns the caller needs (`None`: all). Canonical text columns
    /// not named are left null and other source columns not named are not
    /// kept. Validated columns (id, dates, precision, counts, coordinates) are
    /// always read, so which rows are accepted never depends on this.
    pub columns: Option<Vec<String>>,
    /// Leave a lone sitrep store unread: [`Loaded::lazy`] scans it, so a
    /// query reads only the columns and row groups it needs. Query commands
    /// set this; `check` and `ingest` need the rows in memory.
    pub lazy: bool,
    /// Read uncompressed delimited files on all cores in byte ranges of this
    /// size (`None`: files from 16 MB up, in ranges of 32 MB). For tuning and
    /// for tests that compare the parallel reader with the sequential one.
    pub range_bytes: Option<u64>,
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The file it came from.
    pub file: PathBuf,
    /// 1-based data row (the header is not counted).
    pub row: u64,
    /// Line the row starts on (1-based; 0 when the format has no lines).
    pub line: u64,
    /// Source column at fault, or `None` when the whole row is.
    pub column: Option<String>,
    /// The offending value.
    pub value: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: row {}", self.file.display(), self.row)?;
        if self.line > 0 {
            write!(f, " (line {})", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c:?}")?;
        }
        let mut value: String = self.value.chars().take(80).collect();
        if value.len() < self.value.len() {
            value.push('…');
        }
        write!(f, ", value {value:?}: {}", self.reason)
    }
}

/// What happened to one input file.
#[derive(Debug, Clone)]
pub struct FileSummary {
    /// The file.
    pub path: PathBuf,
    /// The layout it was read with.
    pub layout: String,
    /// Physical format.
    pub format: Format,
    /// Whether the first record was a header.
    pub has_header: bool,
    /// Data rows read.
    pub read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// Canonical incidents from one or more files, and what was rejected.
#[derive(Clone)]
pub struct Loaded {
    /// Canonical columns first (schema order), then kept source columns.
    /// Empty when the incidents are in `scan`.
    pub frame: DataFrame,
    /// A sitrep store left unread (see [`LoadOptions::lazy`]); `frame` is empty then.
    pub scan: Option<LazyFrame>,
    /// For `scan`: the normaliser fingerprint the store's rows carry.
    pub normalised_with: Option<String>,
    /// Rejected rows, in file and row order.
    pub rejects: Vec<Reject>,
    /// Per-file counts.
    pub files: Vec<FileSummary>,
}

impl fmt::Debug for Loaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loaded")
            .field("frame", &self.frame)
            .field("scan", &self.scan.as_ref().map(|_| "LazyFrame"))
            .field("rejects", &self.rejects)
            .field("files", &self.files)
            .finish()
    }
}

impl Loaded {
    /// The incidents as a lazy frame for queries.
    pub fn lazy(&self) -> LazyFrame {
        match &self.scan {
            Some(lf) => lf.clone(),
            None => self.frame.clone().lazy(),
        }
    }

    /// Read a `scan` into `frame` (a no-op when the rows are in memory).
    pub fn materialise(&mut self) -> Result<()> {
        if let Some(lf) = self.scan.take() {
            self.frame = lf.run()?;
            self.normalised_with = None;
        }
        Ok(())
    }

    /// Rows read over all files.
    pub fn read(&self) -> u64 {
        self.files.iter().map(|f| f.read).sum()
    }

    /// Rows accepted over all files.
    pub fn accepted(&self) -> u64 {
        self.files.iter().map(|f| f.accepted).sum()
    }

    /// Rows rejected over all files.
    pub fn rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }
}

/// Load incident files into the canonical schema.
///
/// Each file's layout is chosen separately (so `auto` can mix sources). Rows
/// whose `incident_id` was already seen (in this file or an earlier one) are
/// rejected as duplicates, keeping the first.
pub fn load_incidents(paths: &[PathBuf], opts: &LoadOptions) -> Result<Loaded> {
    if paths.is_empty() {
        return Err(Error::Invalid("no input files given".into()));
    }
    if let [path] = paths {
        if opts.lazy {
            if let Some(loaded) = lazy_store(path, opts)? {
                return Ok(loaded);
            }
        }
    }
    let mut frames = Vec::with_capacity(paths.len());
    let mut rejects = Vec::new();
    let mut files = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        let (df, rj, summary) = load_file(path, opts)?;
        let idx = Column::new_scalar("__file".into(), Scalar::from(i as u32), df.height());
        let mut df = df;
        df.with_column(idx)?;
        frames.push(df);
        rejects.extend(rj);
        files.push(summary);
    }
    let frame = concat_aligned(frames)?;
    let (frame, dups) = reject_duplicates(frame, &files)?;
    for (fi, r) in dups {
        files[fi].accepted -= 1;
        files[fi].rejected += 1;
        rejects.push(r);
    }
    let order: HashMap<&Path, usize> = paths.iter().enumerate().map(|(i, p)| (p.as_path(), i)).collect();
    rejects.sort_by_key(|r| (order.get(r.file.as_path()).copied().unwrap_or(usize::MAX), r.row));
    let frame = frame.drop_many(["__file", ROW, LINE, HASHED]);
    Ok(Loaded { frame, scan: None, normalised_with: None, rejects, files })
}

/// A lone store written by sitrep (ids unique by construction, rows already
/// validated) as a lazy scan: nothing is read until a query collects, and then
/// only the columns and row groups it needs. `None` for any other file.
fn lazy_store(path: &Path, opts: &LoadOptions) -> Result<Option<Loaded>> {
    if source::detect_format(path)? != Format::Parquet {
        return Ok(None);
    }
    let meta = crate::store::read_meta(path)?;
    if !meta.is_store {
        return Ok(None);
    }
    let Some(lf) = store_scan(path, opts.columns.as_deref())? else { return Ok(None) };
    let summary = FileSummary {
        path: path.to_path_buf(),
        layout: "sitrep store (canonical Parquet)".into(),
        format: Format::Parquet,
        has_header: true,
        read: meta.rows,
        accepted: meta.rows,
        rejected: 0,
    };
    Ok(Some(Loaded {
        frame: DataFrame::empty(),
        scan: Some(lf),
        normalised_with: meta.normaliser,
        rejects: Vec::new(),
        files: vec![summary],
    }))
}

/// Stack frames whose kept columns differ: a column missing from a frame is
/// added as nulls of the type it has elsewhere, in first-seen column order.
pub fn concat_aligned(mut frames: Vec<DataFrame>) -> Result<DataFrame> {
    if frames.len() <= 1 {
        return Ok(frames.pop().unwrap_or_default());
    }
    let mut order: Vec<(PlSmallStr, DataType)> = Vec::new();
    for f in &frames {
        for c in f.columns() {
            if !order.iter().any(|(n, _)| n == c.name()) {
                order.push((c.name().clone(), c.dtype().clone()));
            }
        }
    }
    let mut out: Option<DataFrame> = None;
    for f in frames {
        let n = f.height();
        let cols: Vec<Column> = order
            .iter()
            .map(|(name, dtype)| match f.column(name) {
                Ok(c) => c.clone(),
                Err(_) => Column::full_null(name.clone(), n, dtype),
            })
            .collect();
        let aligned = DataFrame::new(n, cols)?;
        match &mut out {
            None => out = Some(aligned),
            Some(acc) => {
                acc.vstack_mut_owned(aligned)?;
            }
        }
    }
    let mut df = out.unwrap_or_default();
    df.rechunk_mut();
    Ok(df)
}

/// Reject rows whose `incident_id` repeats an earlier row's, naming the first.
fn reject_duplicates(frame: DataFrame, files: &[FileSummary]) -> Result<(DataFrame, Vec<(usize, Reject)>)> {
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

/// Load one file: detect its format and layout, convert every record.
pub fn load_file(path: &Path, opts: &LoadOptions) -> Result<(DataFrame, Vec<Reject>, FileSummary)> {
    let mut format = source::detect_format(path)?;
    if let (Format::Delimited { delimiter, .. }, Some(d)) =
        (&mut format, opts.mapping.as_ref().and_then(Mapping::delimiter_byte))
    {
        *delimiter = d;
    }
    check_memory(path, format, opts)?;
    let mut reader = match format {
        Format::Parquet => {
            if let Some(df) = scan_store(path, opts.columns.as_deref())? {
                let n = df.height() as u64;
                let summary = FileSummary {
                    path: path.to_path_buf(),
                    layout: "sitrep store (canonical Parquet)".into(),
                    format,
                    has_header: true,
                    read: n,
                    accepted: n,
                    rejected: 0,
                };
                return Ok((df, Vec::new(), summary));
            }
            let df = source::read_parquet(path)?;
            source::RecordReader::from_records(path, source::parquet_records(path, &df)?)
        }
        _ => source::RecordReader::open(path, format, opts.encoding)?,
    };
    let mut rec = ByteRecord::new();
    let Some((first_line, problem)) = reader.next(&mut rec)? else {
        return Err(Error::format(path, "file is empty: no header and no rows"));
    };
    if let Some(p) = problem {
        return Err(Error::format(path, format!("cannot read the first line: {}", p.reason)));
    }
    let first: Vec<String> = rec
        .iter()
        .enumerate()
        .map(|(i, f)| {
            source::decode(f, opts.encoding)
                .map(|s| s.trim().to_string())
                .map_err(|e| Error::format(path, format!("first line, field {}: {e}", i + 1)))
        })
        .collect::<Result<_>>()?;
    let layout = choose_layout(path, first, opts)?;
    check_ambiguous_columns(path, &layout)?;
    // NDJSON lines were decoded when read, and Parquet text is UTF-8 by definition.
    let encoding = if matches!(format, Format::Delimited { .. }) { opts.encoding } else { Encoding::Utf8 };
    let size = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    let (df, rejects, read, open) = match format {
        Format::Delimited { delimiter, gzip: false }
            if opts.range_bytes.is_some() || size >= parallel::MIN_PARALLEL_BYTES =>
        {
            drop(reader);
            let start = parallel::data_start(path, delimiter, layout.has_header)?;
            let keep = opts.columns.as_deref();
            let range = opts.range_bytes.unwrap_or(parallel::RANGE_BYTES).max(1);
            let parallel::Converted { frames, rejects, read, last_record: last } =
                parallel::convert_file(path, &layout, delimiter, encoding, keep, start, range)?;
            let mut frames = frames.into_iter();
            let mut df = frames.next().unwrap_or_default();
            for f in frames {
                df.vstack_mut_owned(f)?;
            }
            let open = match last {
                Some(at) => {
                    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(at)).map_err(|e| Error::io(path, e))?;
                    parallel::open_quote_at_end(std::io::BufReader::new(f), delimiter)
                        .map_err(|e| Error::io(path, e))?
                }
                None => None,
            };
            (df, rejects, read, open)
        }
        _ => {
            let mut conv = Converter::new(&layout, path, encoding, opts.columns.as_deref());
            let mut row = 0u64;
            let mut last = None;
            if !layout.has_header {
                row += 1;
                last = rec.position().map(|p| p.byte());
                conv.push(&rec, row, first_line, None);
            }
            while let Some((line, problem)) = reader.next(&mut rec)? {
                row += 1;
                last = rec.position().map(|p| p.byte());
                conv.push(&rec, row, line, problem);
            }
            let (read, rejects) = (conv.read, std::mem::take(&mut conv.rejects));
            let open = match (format, last) {
                // Positions count from after a BOM, in the decompressed text.
                (Format::Delimited { delimiter, gzip }, Some(at)) => {
                    use std::io::Read;
                    let mut text = source::open_text_skipping_bom(path, gzip)?;
                    // Skipped by reading, which works for gzip too (files read here are small or compressed).
                    std::io::copy(&mut (&mut text).take(at), &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
                    parallel::open_quote_at_end(text, delimiter).map_err(|e| Error::io(path, e))?
                }
                _ => None,
            };
            (conv.finish()?, rejects, read, open)
        }
    };
    let (df, rejects) = match open {
        Some(lines) => unterminated_last_record(path, df, rejects, read, lines)?,
        None => (df, rejects),
    };
    let df = layout::number_repeated_hashes(df)?;
    let summary = FileSummary {
        path: path.to_path_buf(),
        layout: layout.description.clone(),
        format,
        has_header: layout.has_header,
        read,
        accepted: df.height() as u64,
        rejected: rejects.len() as u64,
    };
    debug_assert_eq!(summary.read, summary.accepted + summary.rejected);
    Ok((df, rejects, summary))
}

/// The file's last record opened a quoted field that is never closed: the
/// csv reader ran it to the end of the file, swallowing every later line
/// into one cell. That record is rejected (whether or not its fields looked
/// valid), saying how many lines it took in.
fn unterminated_last_record(
    path: &Path,
    df: DataFrame,
    mut rejects: Vec<Reject>,
    row: u64,
    lines: u64,
) -> Result<(DataFrame, Vec<Reject>)> {
    let reason = format!(
        "unterminated quote: a quoted field in this row is never closed, so the rest of the file \
         ({lines} more line{}) was read into it; close the quote",
        if lines == 1 { "" } else { "s" }
    );
    if let Some(r) = rejects.iter_mut().find(|r| r.row == row) {
        r.reason = format!("{}; {reason}", r.reason);
        return Ok((df, rejects));
    }
    let h = df.height();
    let rows = df.column(ROW)?.u64()?.clone();
    if h == 0 || rows.get(h - 1) != Some(row) {
        return Err(Error::Invalid(format!("internal: {} row {row} is neither accepted nor rejected", path.display())));
    }
    let line = df.column(LINE)?.u64()?.get(h - 1).unwrap_or(0);
    let id = df.column(col::INCIDENT_ID)?.str()?.get(h - 1).unwrap_or_default().to_string();
    rejects.push(Reject { file: path.to_path_buf(), row, line, column: None, value: id, reason });
    Ok((df.slice(0, h - 1), rejects))
}

/// Refuse a text file whose validated rows would not fit in memory, with a
/// clear message, rather than be killed by the kernel's OOM killer halfway.
/// Measured peaks (README, Performance): a query's load needs about 0.7× the
/// CSV's size, a full load for `check` or `ingest` up to 6×; gzip is counted
/// as 5× its compressed size. Linux only (`MemAvailable` in /proc/meminfo);
/// `SITREP_MEMORY_BYTES` overrides the available figure (for tests and for
/// containers whose limit /proc does not show).
fn check_memory(path: &Path, format: Format, opts: &LoadOptions) -> Result<()> {
    let (compressed, gzip) = match format {
        Format::Delimited { gzip, .. } | Format::Ndjson { gzip } => {
            (std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len(), gzip)
        }
        Format::Parquet => return Ok(()),
    };
    let size = if gzip { compressed.saturating_mul(5) } else { compressed };
    let factor: u64 = if opts.columns.is_some() { 1 } else { 6 };
    let Some(available) = available_memory() else { return Ok(()) };
    let needed = size.saturating_mul(factor);
    if needed > available {
        let gb = |b: u64| format!("{:.1} GB", b as f64 / 1e9);
        return Err(Error::format(
            path,
            format!(
                "is too large to load here: its rows need about {} of memory and {} is available; \
                 split it (by year, say) and run on the parts",
                gb(needed),
                gb(available)
            ),
        ));
    }
    Ok(())
}

fn available_memory() -> Option<u64> {
    if let Some(v) = std::env::var("SITREP_MEMORY_BYTES").ok().and_then(|v| v.parse().ok()) {
        return Some(v);
    }
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The polars type of a canonical column type.
pub fn dtype_of(t: ColumnType) -> DataType {
    match t {
        ColumnType::Text => DataType::String,
        ColumnType::Date => DataType::Date,
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
    }
}

/// A Parquet file already in the canonical schema (a sitrep store) is scanned
/// lazily, reading only the columns needed (see [`LoadOptions::columns`]).
/// `None` when the file is not in the canonical schema.
fn scan_store(path: &Path, columns: Option<&[String]>) -> Result<Option<DataFrame>> {
    let bad = |e: PolarsError| crate::ingest::source::parquet_error(path, e);
    let Some(lf) = store_scan(path, columns)? else { return Ok(None) };
    let mut df = lf.run().map_err(bad)?;
    let n = df.height();
    df.with_column(Column::new(ROW.into(), (1..=n as u64).collect::<Vec<_>>()))?;
    df.with_column(Column::new_scalar(LINE.into(), Scalar::from(0u64), n))?;
    df.with_column(Column::new_scalar(HASHED.into(), Scalar::from(false), n))?;
    Ok(Some(df))
}

/// The lazy scan behind [`scan_store`]; `None` when the file is not in the canonical schema.
fn store_scan(path: &Path, columns: Option<&[String]>) -> Result<Option<LazyFrame>> {
    let bad = |e: PolarsError| crate::ingest::source::parquet_error(path, e);
    let name = path.to_str().ok_or_else(|| Error::format(path, "path is not valid UTF-8"))?;
    let lf = LazyFrame::scan_parquet(PlRefPath::new(name), ScanArgsParquet::default()).map_err(bad)?;
    let schema = lf.clone().collect_schema().map_err(bad)?;
    if !CANONICAL.iter().all(|(c, t)| schema.get(c).is_some_and(|d| *d == dtype_of(*t))) {
        return Ok(None);
    }
    let wanted = |c: &str| columns.is_none_or(|k| k.iter().any(|n| n == c));
    let mut exprs: Vec<Expr> = CANONICAL
        .iter()
        .map(|(c, t)| if always_loaded(c) || wanted(c) { col(*c) } else { lit(NULL).cast(dtype_of(*t)).alias(*c) })
        .collect();
    exprs.extend(schema.iter_names().filter(|n| !is_canonical(n) && wanted(n)).map(|n| col(n.clone())));
    Ok(Some(lf.select(exprs)))
}

/// A column a rule reads must not appear twice in the header (which one would it be?).
fn check_ambiguous_columns(path: &Path, layout: &Layout) -> Result<()> {
    let lower: Vec<String> = layout.columns.iter().map(|c| c.to_lowercase()).collect();
    for (canonical, _) in &layout.rules {
        let source = layout.source_name(canonical);
        for name in source.split('/') {
            let at: Vec<usize> = (0..lower.len()).filter(|&i| lower[i] == name.to_lowercase()).collect();
            if at.len() > 1 && layout.has_header {
                let positions: Vec<String> = at.iter().map(|i| (i + 1).to_string()).collect();
                return Err(Error::format(
                    path,
                    format!(
                        "column {name:?} appears {} times in the header (columns {}); rename all but one",
                        at.len(),
                        positions.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn positional(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("column_{i}")).collect()
}

/// Pick the layout: the mapping if given, else the preset, else recognise it.
fn choose_layout(path: &Path, first: Vec<String>, opts: &LoadOptions) -> Result<Layout> {
    if let Some(m) = &opts.mapping {
        let cols = if m.header { name_columns(first) } else { positional(first.len()) };
        return m.layout(path, cols);
    }
    let h = Header::new(path, &first);
    let headerless_gdelt = gdelt::looks_headerless(&first);
    let headerless_ucdp = ucdp::headerless_columns(&first);
    let as_strings = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match opts.preset {
        Preset::Acled => acled::layout(path, name_columns(first)),
        Preset::Gtd => gtd::layout(path, name_columns(first)),
        Preset::Native => native::layout(path, name_columns(first)),
        Preset::Ucdp => match headerless_ucdp {
            Some(cols) if !ucdp::recognise(&h) => ucdp::layout(path, as_strings(cols), false),
            _ => ucdp::layout(path, name_columns(first), true),
        },
        Preset::Gdelt => {
            if gdelt::recognise(&h) {
                gdelt::layout(path, name_columns(first), true)
            } else if let Some(cols) = gdelt::columns(first.len()) {
                gdelt::layout(path, cols, false)
            } else {
                Err(Error::format(
                    path,
                    format!(
                        "GDELT event files have 57, 58 (1.0) or 61 (2.0) tab-separated fields; the first row has {}",
                        first.len()
                    ),
                ))
            }
        }
        Preset::Auto => {
            if acled::recognise(&h) {
                acled::layout(path, name_columns(first))
            } else if ucdp::recognise(&h) {
                ucdp::layout(path, name_columns(first), true)
            } else if gtd::recognise(&h) {
                gtd::layout(path, name_columns(first))
            } else if gdelt::recognise(&h) {
                gdelt::layout(path, name_columns(first), true)
            } else if native::recognise(&h) {
                native::layout(path, name_columns(first))
            } else if headerless_gdelt {
                gdelt::layout(path, gdelt::columns(first.len()).unwrap_or_default(), false)
            } else if let Some(cols) = headerless_ucdp {
                ucdp::layout(path, as_strings(cols), false)
            } else {
                Err(Error::UnknownLayout { path: path.to_path_buf(), columns: first })
            }
        }
    }
}

/// Header names as given, with empty names replaced by `column_N`.
fn name_columns(first: Vec<String>) -> Vec<String> {
    first.into_iter().enumerate().map(|(i, n)| if n.is_empty() { format!("column_{}", i + 1) } else { n }).collect()
}

/// Write rejected rows to a CSV file: where each came from, why it was
/// rejected, and the original record (re-read from the source, so nothing
/// of the row is lost). Written to a temporary name, then renamed. With
/// `safe`, text a spreadsheet would run as a formula gets a leading `'`
/// ([`crate::render::table::neutralise`]).
pub fn write_rejects(out: &Path, loaded: &Loaded, opts: &LoadOptions, safe: bool) -> Result<()> {
    let mut wanted: HashMap<&Path, BTreeSet<u64>> = HashMap::new();
    for r in &loaded.rejects {
        wanted.entry(r.file.as_path()).or_default().insert(r.row);
    }
    let mut records: HashMap<(&Path, u64), String> = HashMap::new();
    for f in &loaded.files {
        let Some(rows) = wanted.get(f.path.as_path()) else { continue };
        for (row, text) in raw_records(f, rows, opts)? {
            records.insert((f.path.as_path(), row), text);
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::io(out, std::io::Error::other(e));
    w.write_record(["file", "row", "line", "column", "value", "reason", "record"]).map_err(io)?;
    for r in &loaded.rejects {
        let record = records.get(&(r.file.as_path(), r.row)).cloned().unwrap_or_else(|| r.value.clone());
        let text = |s: String| if safe { crate::render::table::neutralise(&s).into_owned() } else { s };
        w.write_record([
            text(r.file.display().to_string()),
            r.row.to_string(),
            r.line.to_string(),
            text(r.column.clone().unwrap_or_default()),
            text(r.value.clone()),
            r.reason.clone(),
            text(record),
        ])
        .map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::io(out, std::io::Error::other(e.to_string())))?;
    crate::atomic::write_atomic(out, &bytes)
}

/// The original records of `rows` in one file, each re-serialised as one CSV line.
fn raw_records(f: &FileSummary, rows: &BTreeSet<u64>, opts: &LoadOptions) -> Result<Vec<(u64, String)>> {
    let mut reader = match f.format {
        Format::Parquet => {
            let df = source::read_parquet(&f.path)?;
            source::RecordReader::from_records(&f.path, source::parquet_records(&f.path, &df)?)
        }
        fmt => source::RecordReader::open(&f.path, fmt, opts.encoding)?,
    };
    let mut rec = ByteRecord::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut row = if f.has_header { -1i64 } else { 0 };
    let last = rows.last().copied().unwrap_or(0);
    while let Some((_, problem)) = reader.next(&mut rec)? {
        row += 1;
        if row > last as i64 {
            break;
        }
        if row < 1 || problem.is_some() || !rows.contains(&(row as u64)) {
            continue;
        }
        let mut w =
            csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        let fields: Vec<String> = rec.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
        if w.write_record(&fields).is_ok() {
            let bytes = w.into_inner().unwrap_or_default();
            out.push((row as u64, String::from_utf8_lossy(&bytes).trim_end_matches('\n').to_string()));
        }
    }
    Ok(out)
}
