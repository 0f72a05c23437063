//! Loading files: detect the format and layout of each, convert every
//! record (in parallel for large delimited files), reject duplicate ids, and
//! stack the files into one canonical frame.
//!
//! Invariant: for every file, `read == accepted + rejected`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use polars::prelude::*;

use super::convert::{self, Converter, HASHED, LINE, ROW};
use super::dates::DateOrder;
use super::duplicates::reject_duplicates;
use super::layout;
use super::layout::Layout;
use super::loaded::{dataset_name, FileSummary, LoadOptions, Loaded, ReadCounts, Reject, DATASET, SOURCE_FILE};
use super::mapping::Mapping;
use super::order;
use super::parallel;
use super::preset;
use super::source::{self, Encoding, Format};
use crate::error::{Error, Result};
use crate::schema::{always_loaded, col, dtype_of, is_canonical, CANONICAL};
use crate::Run;

/// Load incident files into the canonical schema.
///
/// Each file's layout is chosen separately (so `auto` can mix sources). Rows
/// whose `incident_id` was already seen (in this file or an earlier one) are
/// rejected as duplicates, keeping the first.
pub fn load_incidents(paths: &[PathBuf], opts: &LoadOptions) -> Result<Loaded> {
    if paths.is_empty() {
        return Err(Error::Usage("no input files given".into()));
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
    let frame = tag_rows(frame, paths, opts)?;
    Ok(Loaded { frame, scan: None, normalised_with: None, rejects, files })
}

/// The last step of a load, on rows whose `__file` column is their index
/// in `paths`: name each row's file and dataset (as `opts` asks) and drop
/// the internal columns.
pub fn tag_rows(mut frame: DataFrame, paths: &[PathBuf], opts: &LoadOptions) -> Result<DataFrame> {
    if opts.source_file {
        // Each row's file name, for `ingest --replace-source`.
        let names: Vec<String> = paths
            .iter()
            .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()))
            .collect();
        tag_per_file(&mut frame, SOURCE_FILE, &names)?;
    }
    if opts.columns.as_ref().is_none_or(|c| c.iter().any(|c| c == DATASET)) {
        let names: Vec<String> = paths.iter().map(|p| dataset_name(p, &opts.dataset_names)).collect();
        tag_per_file(&mut frame, DATASET, &names)?;
    }
    Ok(frame.drop_many(["__file", ROW, LINE, HASHED]))
}

/// Name each row's file in `column` (`names` by file index); rows that
/// already name one (from a store given as input) keep it.
fn tag_per_file(frame: &mut DataFrame, column: &str, names: &[String]) -> Result<()> {
    let file = frame.column("__file")?.u32()?.clone();
    let mut tagged: StringChunked =
        file.iter().map(|i| i.and_then(|i| names.get(i as usize)).map(String::as_str)).collect();
    if let Ok(existing) = frame.column(column).and_then(|c| c.str().cloned()) {
        tagged = existing.iter().zip(tagged.iter()).map(|(a, b)| a.or(b)).collect();
    }
    frame.with_column(Column::from(tagged.with_name(column.into()).into_series()))?;
    Ok(())
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

/// The first record of a file (the header, or the first data row), its
/// line, and its fields as text.
fn first_record(
    path: &Path,
    reader: &mut source::RecordReader,
    opts: &LoadOptions,
) -> Result<(ByteRecord, u64, Vec<String>)> {
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
            source::decode(f, opts.encoding_for(path))
                .map(|s| s.trim().to_string())
                .map_err(|e| Error::format(path, format!("first line, field {}: {e}", i + 1)))
        })
        .collect::<Result<_>>()?;
    Ok((rec, first_line, first))
}

/// The layout a text file is read with, from its first record (for
/// `check --emit-mapping`), and its format.
pub fn detect_layout(path: &Path, opts: &LoadOptions) -> Result<(Layout, Format)> {
    let mut format = source::detect_format(path)?;
    if let (Format::Delimited { delimiter, .. }, Some(d)) =
        (&mut format, opts.mapping.as_ref().and_then(Mapping::delimiter_byte))
    {
        *delimiter = d;
    }
    if format == Format::Parquet {
        return Err(Error::format(path, "is a Parquet file: a mapping describes text files (CSV, TSV, NDJSON)"));
    }
    let mut reader = source::RecordReader::open(path, format, opts.encoding_for(path))?;
    let (_, _, first) = first_record(path, &mut reader, opts)?;
    let mut layout = preset::choose_layout(path, first, opts.preset, opts.mapping.as_ref())?;
    if opts.date_order.is_some() {
        layout.date_order = opts.date_order;
    }
    Ok((layout, format))
}

/// Load one file: detect its format and layout, convert every record.
pub fn load_file(path: &Path, opts: &LoadOptions) -> Result<(DataFrame, Vec<Reject>, FileSummary)> {
    check_memory(path, opts)?;
    let (mut frames, mut rejects) = (Vec::new(), Vec::new());
    let raw = read_batches(path, opts, u64::MAX, &mut |df, rj| {
        frames.push(df);
        rejects.extend(rj);
        Ok(())
    })?;
    let df = if frames.len() == 1 { frames.pop().unwrap_or_default() } else { concat_aligned(frames)? };
    let (df, date_order) = order::resolve(path, df, &raw.layout.source_name(col::DATE_END), &mut rejects)?;
    let df = convert::number_repeated_hashes(df)?;
    let summary = raw.summary(path, df.height() as u64, rejects.len() as u64, date_order, date_span(&df)?);
    Ok((df, rejects, summary))
}

/// A file read by [`read_batches`]: how, and what reading counted.
#[derive(Debug, Clone)]
pub struct RawFile {
    /// The layout it was read with.
    pub layout: Layout,
    /// Its physical format.
    pub format: Format,
    /// Data records read.
    pub read: u64,
    /// What the converters counted.
    pub counts: ReadCounts,
    /// A sitrep store (its summary gives no dates).
    pub is_store: bool,
}

impl RawFile {
    /// The file's summary once its whole-file steps are done.
    pub fn summary(
        &self,
        path: &Path,
        accepted: u64,
        rejected: u64,
        date_order: Option<DateOrder>,
        dates: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    ) -> FileSummary {
        let summary = FileSummary {
            path: path.to_path_buf(),
            layout: self.layout.description.clone(),
            format: self.format,
            has_header: self.layout.has_header,
            read: self.read,
            accepted,
            rejected,
            date_order: date_order.or(self.layout.date_order),
            counts: self.counts,
            fed: self.layout.fed(),
            unused: self.layout.unused(),
            dates: if self.is_store { None } else { dates },
        };
        debug_assert_eq!(summary.read, summary.accepted + summary.rejected);
        summary
    }
}

/// Read one file in batches of about `batch_bytes` of its text (an
/// uncompressed delimited file of [`parallel::MIN_PARALLEL_BYTES`] or more;
/// any other file is one batch), calling `on_batch` with each batch's
/// converted rows and rejects in file order. The rows are not yet through
/// the file's whole-file steps: dates whose day/month order is open keep
/// their pending columns ([`order::resolve`]) and hashed ids are not yet
/// numbered ([`convert::number_repeated_hashes`]).
pub fn read_batches(
    path: &Path,
    opts: &LoadOptions,
    batch_bytes: u64,
    on_batch: &mut dyn FnMut(DataFrame, Vec<Reject>) -> Result<()>,
) -> Result<RawFile> {
    let mut format = source::detect_format(path)?;
    if let (Format::Delimited { delimiter, .. }, Some(d)) =
        (&mut format, opts.mapping.as_ref().and_then(Mapping::delimiter_byte))
    {
        *delimiter = d;
    }
    let mut reader = match format {
        Format::Parquet => {
            if let Some(df) = scan_store(path, opts.columns.as_deref())? {
                let n = df.height() as u64;
                opts.progress.add(std::fs::metadata(path).map_or(0, |m| m.len()), n);
                let layout = Layout::new("sitrep store (canonical Parquet)", true, Vec::new());
                on_batch(df, Vec::new())?;
                return Ok(RawFile { layout, format, read: n, counts: ReadCounts::default(), is_store: true });
            }
            let df = source::read_parquet(path)?;
            source::RecordReader::from_records(path, source::parquet_records(path, &df)?)
        }
        _ => source::RecordReader::open(path, format, opts.encoding_for(path))?,
    };
    let (rec, first_line, first) = first_record(path, &mut reader, opts)?;
    let mut rec = rec;
    let mut layout = preset::choose_layout(path, first, opts.preset, opts.mapping.as_ref())?;
    if opts.date_order.is_some() {
        layout.date_order = opts.date_order;
    }
    if !opts.key.is_empty() {
        let h = layout::Header::new(path, &layout.columns);
        let idxs = opts
            .key
            .iter()
            .map(|k| {
                h.find(&[k.trim()]).ok_or_else(|| {
                    Error::format(path, format!("--key: no column {k:?} (columns: {})", layout.columns.join(", ")))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        layout.rule(col::INCIDENT_ID, layout::Rule::Key { idxs });
    }
    check_ambiguous_columns(path, &layout)?;
    // NDJSON lines were decoded when read, and Parquet text is UTF-8 by definition.
    let encoding = if matches!(format, Format::Delimited { .. }) { opts.encoding_for(path) } else { Encoding::Utf8 };
    let size = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    // The last batch is held back until the next with a record comes (or the
    // file ends), so that an unterminated last record can be rejected in it.
    let mut held: Option<(DataFrame, Vec<Reject>)> = None;
    let (read, open, counts) = match format {
        Format::Delimited { delimiter, gzip: false }
            if opts.range_bytes.is_some() || size >= parallel::MIN_PARALLEL_BYTES =>
        {
            drop(reader);
            let start = parallel::data_start(path, delimiter, layout.has_header)?;
            let ranges = parallel::Ranges {
                path,
                layout: &layout,
                delimiter,
                encoding,
                keep: opts.columns.as_deref(),
                start,
                range_bytes: opts.range_bytes.unwrap_or(parallel::RANGE_BYTES),
                batch_bytes,
                precise: opts.precise_reader,
            };
            // The header, before the first range.
            opts.progress.add(start.byte, 0);
            let (read, last, counts) = ranges.convert(&opts.progress, &mut |frames, rejects| {
                let has_records = !rejects.is_empty() || frames.iter().any(|f| f.height() > 0);
                // Ranges with a qualified date have a `date_raw` column the others lack.
                let df = stack(frames)?;
                match held.take() {
                    Some(prev) if has_records => {
                        on_batch(prev.0, prev.1)?;
                        held = Some((df, rejects));
                    }
                    Some((prev, mut prev_rejects)) => {
                        prev_rejects.extend(rejects);
                        held = Some((stack(vec![prev, df])?, prev_rejects));
                    }
                    None => held = Some((df, rejects)),
                }
                Ok(())
            })?;
            let open = match last {
                Some(at) => {
                    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(at)).map_err(|e| Error::io(path, e))?;
                    parallel::open_quote_at_end(std::io::BufReader::new(f), delimiter)
                        .map_err(|e| Error::io(path, e))?
                }
                None => None,
            };
            (read, open, counts)
        }
        _ => {
            // Read whole (compressed, NDJSON, Parquet, small): it must fit, streamed or not.
            check_memory(path, opts)?;
            let mut conv = Converter::new(&layout, path, encoding, opts.columns.as_deref());
            let mut row = 0u64;
            let mut last = None;
            if !layout.has_header {
                row += 1;
                last = rec.position().map(|p| p.byte());
                conv.push(&rec, row, first_line, None);
            }
            // Progress every 64k rows: bytes by record position (uncompressed
            // text only; a gzip file's bytes are told when it ends).
            let plain = matches!(format, Format::Delimited { gzip: false, .. });
            let (mut told_bytes, mut told_rows) = (0u64, row);
            while let Some((line, problem)) = reader.next(&mut rec)? {
                row += 1;
                last = rec.position().map(|p| p.byte());
                conv.push(&rec, row, line, problem);
                if row - told_rows >= 1 << 16 {
                    let at = if plain { last.unwrap_or(told_bytes).max(told_bytes) } else { 0 };
                    opts.progress.add(at.saturating_sub(told_bytes), row - told_rows);
                    (told_bytes, told_rows) = (at.max(told_bytes), row);
                }
            }
            opts.progress.add(size.saturating_sub(told_bytes), row - told_rows);
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
            let counts = conv.counts;
            held = Some((conv.finish()?, rejects));
            (read, open, counts)
        }
    };
    if let Some((df, rejects)) = held {
        let (df, rejects) = match open {
            Some(lines) => unterminated_last_record(path, df, rejects, read, lines)?,
            None => (df, rejects),
        };
        on_batch(df, rejects)?;
    }
    Ok(RawFile { layout, format, read, counts, is_store: false })
}

/// One frame from a batch's ranges (which differ in width when only some
/// have a qualified date's `date_raw` column).
fn stack(frames: Vec<DataFrame>) -> Result<DataFrame> {
    if frames.windows(2).all(|w| w[0].width() == w[1].width()) {
        let mut frames = frames.into_iter();
        let mut df = frames.next().unwrap_or_default();
        for f in frames {
            df.vstack_mut_owned(f)?;
        }
        Ok(df)
    } else {
        concat_aligned(frames)
    }
}

/// First and last date of a canonical frame's incidents.
fn date_span(df: &DataFrame) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>> {
    let days = df.column(col::DATE)?.as_materialized_series().cast(&DataType::Int32)?;
    let days = days.i32()?;
    let day = |d: Option<i32>| d.and_then(crate::schema::dates::from_epoch_days);
    Ok(day(days.min()).zip(day(days.max())))
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
        return Err(Error::Internal(format!("{} row {row} is neither accepted nor rejected", path.display())));
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
fn check_memory(path: &Path, opts: &LoadOptions) -> Result<()> {
    let format = source::detect_format(path)?;
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

/// A Parquet file already in the canonical schema (a sitrep store) is scanned
/// lazily, reading only the columns needed (see [`LoadOptions::columns`]).
/// `None` when the file is not in the canonical schema.
fn scan_store(path: &Path, columns: Option<&[String]>) -> Result<Option<DataFrame>> {
    let bad = |e: PolarsError| source::parquet_error(path, e);
    let Some(lf) = canonical_scan(path, columns)? else { return Ok(None) };
    let mut df = lf.run().map_err(bad)?;
    let n = df.height();
    df.with_column(Column::new(ROW.into(), (1..=n as u64).collect::<Vec<_>>()))?;
    df.with_column(Column::new_scalar(LINE.into(), Scalar::from(0u64), n))?;
    df.with_column(Column::new_scalar(HASHED.into(), Scalar::from(false), n))?;
    Ok(Some(df))
}

/// The lazy scan behind [`scan_store`], reading only `columns` (all when
/// `None`) besides those always loaded; `None` when the file is not in the
/// canonical schema.
pub fn canonical_scan(path: &Path, columns: Option<&[String]>) -> Result<Option<LazyFrame>> {
    let bad = |e: PolarsError| source::parquet_error(path, e);
    let name = path.to_str().ok_or_else(|| Error::format(path, "path is not valid UTF-8"))?;
    // A partitioned store: every year's files, each pruned by its date statistics.
    let name = if path.is_dir() { format!("{}/**/*.parquet", name.trim_end_matches('/')) } else { name.to_string() };
    let lf = LazyFrame::scan_parquet(PlRefPath::new(&name), ScanArgsParquet::default()).map_err(bad)?;
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
