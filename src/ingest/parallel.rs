//! Converting a large uncompressed delimited file on every core.
//!
//! The file is cut into byte ranges at guessed record boundaries (just after
//! a newline); each range is parsed and converted by its own [`Converter`]
//! on a worker thread. A guess can be wrong (the newline was inside a quoted
//! field), so the ranges are then checked in order: range `k` is right when
//! range `k - 1`, parsed from a true boundary, stopped exactly where `k`
//! began. A wrong range is parsed again from the true boundary. The result
//! is exactly what reading the file from start to end gives: the same rows,
//! rejects, row numbers and line numbers.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use csv::ByteRecord;
use polars::prelude::*;

use super::convert::{Converter, Line, LINE, ROW};
use super::layout::Layout;
use super::lines::Counting;
use super::loaded::{ReadCounts, Reject};
use super::plain;
use super::source::Encoding;
use crate::error::{Error, Result};

/// Files smaller than this are read by one thread.
pub const MIN_PARALLEL_BYTES: u64 = 16 << 20;
/// Target size of one range.
pub const RANGE_BYTES: u64 = 32 << 20;

/// Where the data records of a delimited file start.
#[derive(Debug, Clone, Copy)]
pub struct DataStart {
    /// Byte offset of the first data record.
    pub byte: u64,
    /// Lines before it (the header's lines, 0 without a header).
    pub lines_before: u64,
    /// Where a front-to-back read starts (after a leading BOM).
    pub input: u64,
}

/// Find the first data record: after the BOM and, if `has_header`, the header record.
pub fn data_start(path: &Path, delimiter: u8, has_header: bool) -> Result<DataStart> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bom = [0u8; 3];
    let n = read_up_to(&mut file, &mut bom).map_err(|e| Error::io(path, e))?;
    let skip = if n == 3 && bom == *b"\xEF\xBB\xBF" { 3 } else { 0 };
    if !has_header {
        return Ok(DataStart { byte: skip, lines_before: 0, input: skip });
    }
    file.seek(SeekFrom::Start(skip)).map_err(|e| Error::io(path, e))?;
    let (counting, lines) = Counting::new(BufReader::new(file));
    let mut reader = reader_for(counting, delimiter);
    let mut rec = ByteRecord::new();
    reader.read_byte_record(&mut rec).map_err(|e| Error::format(path, format!("read error: {e}")))?;
    // Read on to the next record, so the terminator bytes after the header have passed.
    let more = reader.read_byte_record(&mut rec).unwrap_or(false);
    let (start, line) = match rec.position() {
        Some(p) if more => lines.locate(p.byte()),
        _ => (reader.position().byte(), lines.total() + 1),
    };
    Ok(DataStart { byte: skip + start, lines_before: line.saturating_sub(1), input: skip })
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn reader_for<R: Read>(r: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 20)
        .from_reader(r)
}

/// One converted range.
struct Part {
    /// Where it started.
    start: u64,
    /// Where the first record at or after its nominal end starts (or the file's end).
    end: u64,
    /// Newlines from `start` to `end`.
    lines: u64,
    /// Records read.
    read: u64,
    /// Byte offset of its last record, if any.
    last: Option<u64>,
    /// What the converter counted.
    counts: ReadCounts,
    frame: DataFrame,
    rejects: Vec<Reject>,
}

/// Everything the workers share.
struct Job<'a> {
    path: &'a Path,
    layout: &'a Layout,
    delimiter: u8,
    encoding: Encoding,
    keep: Option<&'a [String]>,
    /// Where a front-to-back read starts (see [`DataStart::input`]).
    input: u64,
    /// The file's length.
    len: u64,
    /// Read every range with the csv crate (no [`plain`] splitting).
    precise: bool,
}

impl Job<'_> {
    /// Convert the records starting at `start` (a record boundary, or a guess)
    /// up to the first record starting at or after `stop`. Row and line
    /// numbers are local (1-based within the range).
    fn convert(&self, start: u64, stop: u64) -> Result<Part> {
        if !self.precise {
            if let Some(part) = self.convert_plain(start, stop)? {
                return Ok(part);
            }
        }
        self.convert_precise(start, stop)
    }

    /// [`Job::convert`] for a range of plain text ([`plain`]); `None` as soon
    /// as the text is found not to be plain (what was converted is dropped).
    fn convert_plain(&self, start: u64, stop: u64) -> Result<Option<Part>> {
        // Text is read in windows of this size; a record left over at a
        // window's end moves to the front of the next. (4 MB windows held
        // 0.3 GB more at the peak of a 10 M-row query than 1 MB ones, at the
        // same speed: freed per range, they stayed in malloc's heap.)
        const WINDOW: u64 = 1 << 20;
        let (path, len) = (self.path, self.len);
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        file.seek(SeekFrom::Start(start)).map_err(|e| Error::io(path, e))?;
        let mut text = Vec::with_capacity(WINDOW as usize);
        (&mut file).take(WINDOW).read_to_end(&mut text).map_err(|e| Error::io(path, e))?;
        let mut base = start;
        let mut eof = base + text.len() as u64 >= len;
        // The csv crate drops a byte order mark at the start of its input (see `convert_precise`).
        if start == self.input && text.starts_with(b"\xEF\xBB\xBF") || !plain::crs_paired(&text, !eof) {
            return Ok(None);
        }
        let end = stop.min(len);
        let cap = (end.saturating_sub(start) / 100).clamp(1024, 1 << 20) as usize;
        let mut conv = Converter::with_capacity(self.layout, path, self.encoding, self.keep, cap);
        let (mut rec, mut scratch, mut ends) = (ByteRecord::new(), Vec::new(), Vec::new());
        let (mut at, mut row, mut line, mut last) = (0usize, 0u64, 1u64, None);
        while base + (at as u64) < end {
            let mut out = plain::Out { ends: &mut ends, rec: &mut rec, scratch: &mut scratch };
            match plain::split(&text, at, eof, self.delimiter, &mut out) {
                plain::Step::Line { len, next } => {
                    row += 1;
                    last = Some(base + at as u64);
                    let bytes = &text[at..at + len];
                    match simdutf8::basic::from_utf8(bytes) {
                        // Fields are converted where they lie in the text.
                        Ok(text) if self.encoding != Encoding::Latin1 => {
                            conv.push(&Line { text, ends: &ends }, row, line, None)
                        }
                        // Decoded field by field, as the csv crate's record would be.
                        _ => {
                            rec.clear();
                            rec.extend((0..ends.len()).filter_map(|i| plain::span(&ends, i)).map(|r| &bytes[r]));
                            conv.push(&rec, row, line, None);
                        }
                    }
                    line += 1;
                    at = next;
                }
                plain::Step::Record { next, breaks } => {
                    row += 1;
                    last = Some(base + at as u64);
                    conv.push(&rec, row, line, None);
                    line += breaks;
                    at = next;
                }
                plain::Step::More => {
                    text.drain(..at);
                    base += at as u64;
                    at = 0;
                    let from = text.len().saturating_sub(1);
                    let got = (&mut file).take(WINDOW).read_to_end(&mut text).map_err(|e| Error::io(path, e))?;
                    eof = base + text.len() as u64 >= len;
                    // Nothing more to read before the length it had (it shrank): the csv crate's turn.
                    if got == 0 && !eof || !plain::crs_paired(&text[from..], !eof) {
                        return Ok(None);
                    }
                }
                plain::Step::Bail => return Ok(None),
            }
        }
        // The next range starts at the next record; blank lines before it are the csv crate's to skip.
        if at == text.len() && !eof {
            (&mut file).take(1).read_to_end(&mut text).map_err(|e| Error::io(path, e))?;
        }
        if matches!(text.get(at), Some(b'\n' | b'\r')) {
            return Ok(None);
        }
        let (read, counts) = (conv.read, conv.counts);
        let rejects = std::mem::take(&mut conv.rejects);
        let end = base + at as u64;
        Ok(Some(Part { start, end, lines: line - 1, read, last, counts, frame: conv.finish()?, rejects }))
    }

    /// [`Job::convert`] with the csv crate: any text.
    fn convert_precise(&self, start: u64, stop: u64) -> Result<Part> {
        let path = self.path;
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        file.seek(SeekFrom::Start(start)).map_err(|e| Error::io(path, e))?;
        // The csv reader drops a byte order mark at the start of its input. A
        // front-to-back read only does that at the file's start, so a range
        // starting elsewhere is fed behind a one-line dummy record (read and
        // dropped here), keeping a BOM that starts a later line as data.
        let prefixed = start != self.input;
        let prefix: &[u8] = if prefixed { b"x\n" } else { b"" };
        let (shift_bytes, shift_lines) = if prefixed { (2, 1) } else { (0, 0) };
        let (counting, lines) = Counting::new(prefix.chain(file));
        let mut reader = reader_for(counting, self.delimiter);
        let mut rec = ByteRecord::new();
        if prefixed {
            reader.read_byte_record(&mut rec).map_err(|e| Error::format(path, format!("read error: {e}")))?;
        }
        // Room for the rows of a range of short records (about 100 bytes each).
        let cap = (stop.saturating_sub(start) / 100).clamp(1024, 1 << 20) as usize;
        let mut conv = Converter::with_capacity(self.layout, path, self.encoding, self.keep, cap);
        let mut row = 0u64;
        let mut last = None;
        let (end, lines) = loop {
            let more =
                reader.read_byte_record(&mut rec).map_err(|e| Error::format(path, format!("read error: {e}")))?;
            let (at, line) = if more {
                let pos = rec.position().cloned().unwrap_or_else(csv::Position::new);
                let (first, line) = lines.locate(pos.byte());
                (start + first - shift_bytes, line - shift_lines)
            } else {
                let pos = reader.position();
                (start + pos.byte() - shift_bytes, lines.total() + 1 - shift_lines)
            };
            if !more || at >= stop {
                break (at, line.saturating_sub(1));
            }
            row += 1;
            last = Some(at);
            conv.push(&rec, row, line, None);
        };
        let (read, counts) = (conv.read, conv.counts);
        let rejects = std::mem::take(&mut conv.rejects);
        Ok(Part { start, end, lines, read, last, counts, frame: conv.finish()?, rejects })
    }
}

/// A whole file, converted.
pub struct Converted {
    /// Accepted rows, one frame per range, `__row`/`__line` numbered over the file.
    pub frames: Vec<DataFrame>,
    /// Rejects in row order.
    pub rejects: Vec<Reject>,
    /// Records read.
    pub read: u64,
    /// Byte offset of the last record (to check for an unterminated quote).
    pub last_record: Option<u64>,
    /// What the converters counted.
    pub counts: ReadCounts,
}

/// Guessed range starts: `first`, then the byte after the first newline at or
/// after each multiple of the range size.
fn guess_starts(path: &Path, first: u64, len: u64, ranges: u64) -> Result<Vec<u64>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut starts = vec![first];
    let step = (len - first) / ranges;
    let mut buf = vec![0u8; 64 * 1024];
    for k in 1..ranges {
        let mut at = first + k * step;
        if at <= *starts.last().unwrap_or(&0) {
            continue;
        }
        file.seek(SeekFrom::Start(at)).map_err(|e| Error::io(path, e))?;
        let found = loop {
            let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
            if n == 0 {
                break None;
            }
            if let Some(i) = buf[..n].iter().position(|&b| b == b'\n') {
                break Some(at + i as u64 + 1);
            }
            at += n as u64;
        };
        match found {
            Some(s) if s < len && s > *starts.last().unwrap_or(&0) => starts.push(s),
            _ => {}
        }
    }
    Ok(starts)
}

/// Convert the data records of an uncompressed delimited file on all cores,
/// in ranges of about `range_bytes`, telling `progress` of each range done.
/// Returns the accepted rows (with `__row`/`__line` numbered over the whole
/// file), the rejects in row order, and the number of records read.
#[allow(clippy::too_many_arguments)]
pub fn convert_file(
    path: &Path,
    layout: &Layout,
    delimiter: u8,
    encoding: Encoding,
    keep: Option<&[String]>,
    start: DataStart,
    range_bytes: u64,
    progress: &super::Progress,
) -> Result<Converted> {
    let (mut frames, mut rejects) = (Vec::new(), Vec::new());
    let whole =
        Ranges { path, layout, delimiter, encoding, keep, start, range_bytes, batch_bytes: u64::MAX, precise: false };
    let (read, last_record, counts) = whole.convert(progress, &mut |f, r| {
        frames.extend(f);
        rejects.extend(r);
        Ok(())
    })?;
    Ok(Converted { frames, rejects, read, last_record, counts })
}

/// An uncompressed delimited file read in byte ranges on all cores, handed
/// on in batches of ranges of about `batch_bytes` (a streaming ingest holds
/// one batch at a time).
pub struct Ranges<'a> {
    /// The file.
    pub path: &'a Path,
    /// How its records are converted.
    pub layout: &'a Layout,
    /// Its field delimiter.
    pub delimiter: u8,
    /// Its text encoding.
    pub encoding: Encoding,
    /// The columns kept (`None`: all).
    pub keep: Option<&'a [String]>,
    /// Where its data records start.
    pub start: DataStart,
    /// Bytes per range (one thread's piece).
    pub range_bytes: u64,
    /// Bytes per batch handed on (`u64::MAX`: the whole file in one).
    pub batch_bytes: u64,
    /// Read with the csv crate only, never [`plain`] splitting (to compare the two).
    pub precise: bool,
}

impl Ranges<'_> {
    /// Convert the file, calling `on_batch` with each batch's accepted rows
    /// (one frame per range, `__row`/`__line` numbered over the whole file)
    /// and rejects, in file order. Returns the records read, the byte offset
    /// of the last record and what the converters counted.
    pub fn convert(
        &self,
        progress: &super::Progress,
        on_batch: &mut dyn FnMut(Vec<DataFrame>, Vec<Reject>) -> Result<()>,
    ) -> Result<(u64, Option<u64>, ReadCounts)> {
        let (path, start) = (self.path, self.start);
        let len = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 16);
        let range_bytes = self.range_bytes.max(1);
        let ranges = ((len.saturating_sub(start.byte)) / range_bytes).max(threads as u64 * 2);
        let starts = guess_starts(path, start.byte, len, ranges)?;
        let stops: Vec<u64> = starts.iter().skip(1).copied().chain([u64::MAX]).collect();
        let job = Job {
            path,
            layout: self.layout,
            delimiter: self.delimiter,
            encoding: self.encoding,
            keep: self.keep,
            input: start.input,
            len,
            precise: self.precise,
        };
        // Ranges per batch: at least one per thread.
        let step = (len.saturating_sub(start.byte) / ranges.max(1)).max(1);
        let per_batch = ((self.batch_bytes / step) as usize).max(threads).min(starts.len().max(1));
        let (mut read, mut last_record, mut counts) = (0u64, None, ReadCounts::default());
        let (mut boundary, mut lines) = (start.byte, start.lines_before);
        let mut first = 0;
        // At least one batch, so a file without data rows still gives its (empty) frame.
        while first < starts.len() && (first == 0 || boundary < len) {
            let batch = first..(first + per_batch).min(starts.len());
            let next = AtomicUsize::new(batch.start);
            let results: Mutex<Vec<Option<Result<Part>>>> = Mutex::new(batch.clone().map(|_| None).collect());
            std::thread::scope(|scope| {
                for _ in 0..threads.min(batch.len()) {
                    scope.spawn(|| loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= batch.end {
                            break;
                        }
                        let part = job.convert(starts[k], stops[k]);
                        if let Ok(p) = &part {
                            progress.add(p.end.min(len).saturating_sub(p.start), p.read);
                        }
                        let failed = part.is_err();
                        if let Ok(mut r) = results.lock() {
                            r[k - batch.start] = Some(part);
                        }
                        if failed {
                            // Let the others finish their range; the error is reported in order below.
                            next.store(batch.end, Ordering::Relaxed);
                        }
                    });
                }
            });
            let results = results.into_inner().map_err(|_| Error::Internal("a reader thread panicked".into()))?;
            let (mut frames, mut rejects) = (Vec::with_capacity(batch.len()), Vec::new());
            for (k, part) in batch.clone().zip(results) {
                let part = match part {
                    Some(Ok(p)) if p.start == boundary => p,
                    // The guess was inside a quoted field, or the range was not reached
                    // (an earlier one failed): parse it from the true boundary.
                    Some(Ok(_)) | None => job.convert(boundary, stops[k])?,
                    Some(Err(e)) => return Err(e),
                };
                if part.start != boundary {
                    return Err(Error::Internal("parallel reader lost a record boundary".into()));
                }
                let mut frame = part.frame;
                let rows = frame.column(ROW)?.u64()?.clone() + read;
                let line_no = frame.column(LINE)?.u64()?.clone() + lines;
                frame.with_column(Column::from(rows.into_series()))?;
                frame.with_column(Column::from(line_no.into_series()))?;
                for mut r in part.rejects {
                    r.row += read;
                    r.line += lines;
                    rejects.push(r);
                }
                frames.push(frame);
                last_record = part.last.or(last_record);
                counts += part.counts;
                read += part.read;
                lines += part.lines;
                boundary = part.end;
                if boundary >= len {
                    break;
                }
            }
            on_batch(frames, rejects)?;
            first = batch.end;
        }
        Ok((read, last_record, counts))
    }
}

/// Whether text from `start` (a record's first byte) to the end of `reader`
/// ends inside a quoted field, following the csv crate's rules (a quote opens
/// only at a field's start; `""` inside quotes is a quote). Returns the number
/// of line breaks inside that open field when it does.
pub fn open_quote_at_end(mut reader: impl Read, delimiter: u8) -> std::io::Result<Option<u64>> {
    #[derive(PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = S::FieldStart;
    let mut lines_in_quote = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    let mut last_byte = 0u8;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        last_byte = buf[n - 1];
        for &b in &buf[..n] {
            let end_of_field = b == delimiter || b == b'\n' || b == b'\r';
            state = match state {
                S::FieldStart if b == b'"' => {
                    lines_in_quote = 0;
                    S::Quoted
                }
                S::FieldStart | S::Unquoted | S::QuoteInQuoted if end_of_field => S::FieldStart,
                S::FieldStart | S::Unquoted => S::Unquoted,
                S::Quoted if b == b'"' => S::QuoteInQuoted,
                S::Quoted => {
                    lines_in_quote += u64::from(b == b'\n');
                    S::Quoted
                }
                S::QuoteInQuoted if b == b'"' => S::Quoted,
                S::QuoteInQuoted => S::Unquoted,
            };
        }
    }
    // The file's final line break ends the last swallowed line; it is not one more.
    let lines = lines_in_quote - u64::from(last_byte == b'\n' && lines_in_quote > 0);
    Ok((state == S::Quoted).then_some(lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "incident_id,date,actor,fatalities,notes";
    /// Cells, plain and not: quoted with breaks and doubled quotes, empty
    /// and quoted-empty, bad UTF-8, a quote inside an unquoted cell, text
    /// after a closing quote, Latin-1.
    const CELLS: &[&[u8]] = &[
        b"A-1",
        b"",
        b"2024-01-28",
        b"2023-02-30",
        b"Kataib Hezbollah",
        b"3",
        b"x",
        b"\"two\nlines, a comma\"",
        b"\"a \"\"quoted\"\"\r\nword\n\n\"",
        b"\"\"",
        b"\xef\xbb\xbfA-2",
        b"Kata\xefib",
        b"caf\xc3\xa9",
        b"5\" shell",
        b"\"closed\" then text",
    ];
    /// Indexes of the cells whose rows are plain text.
    const PLAIN: std::ops::Range<usize> = 0..11;
    /// Line ends: plain, and not (a lone `\r`, a blank line).
    const ENDS: &[&[u8]] = &[b"\n", b"\r\n", b"\r", b"\n\n", b"\r\n\r\n"];

    #[derive(Debug, Clone)]
    struct Row {
        cells: Vec<usize>,
        end: usize,
    }

    fn rows(plain: bool) -> impl Strategy<Value = Vec<Row>> {
        let (cells, ends) = if plain { (PLAIN.end, 2) } else { (CELLS.len(), ENDS.len()) };
        let row = (prop::collection::vec(0..cells, 4..=6), 0..ends).prop_map(|(cells, end)| Row { cells, end });
        prop::collection::vec(row, 0..60)
    }

    fn text(rows: &[Row], last_end: bool) -> Vec<u8> {
        let mut out = format!("{HEADER}\n").into_bytes();
        for (k, r) in rows.iter().enumerate() {
            let cells: Vec<&[u8]> = r.cells.iter().map(|&c| CELLS[c]).collect();
            out.extend(cells.join(&b","[..]));
            if last_end || k + 1 < rows.len() {
                out.extend(ENDS[r.end]);
            }
        }
        out
    }

    /// Convert `start..stop` of `bytes` both ways; the plain result, if any,
    /// must be the precise one.
    fn both(bytes: &[u8], cuts: &[u64], encoding: Encoding) -> std::result::Result<Vec<bool>, TestCaseError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let names: Vec<String> = HEADER.split(',').map(str::to_string).collect();
        let layout = super::super::native::layout(&path, names).unwrap();
        let start = data_start(&path, b',', true).unwrap();
        let len = bytes.len() as u64;
        let job = Job {
            path: &path,
            layout: &layout,
            delimiter: b',',
            encoding,
            keep: None,
            input: start.input,
            len,
            precise: false,
        };
        let mut plain_used = Vec::new();
        // The true start, then guessed starts (after some `\n`, perhaps inside a quoted cell).
        let starts = std::iter::once(start.byte).chain(cuts.iter().filter_map(|&c| {
            let at = start.byte + c % (len - start.byte + 1);
            bytes[at as usize..].iter().position(|&b| b == b'\n').map(|i| at + i as u64 + 1)
        }));
        for (k, s) in starts.enumerate() {
            let stop = cuts.get(k).map_or(u64::MAX, |c| s + c % 200);
            let precise = job.convert_precise(s, stop).unwrap();
            let Some(plain) = job.convert_plain(s, stop).unwrap() else {
                plain_used.push(false);
                continue;
            };
            plain_used.push(true);
            let at = format!("{s}..{stop} of {:?}", String::from_utf8_lossy(bytes));
            prop_assert_eq!(
                (plain.start, plain.end, plain.lines),
                (precise.start, precise.end, precise.lines),
                "{}",
                at
            );
            prop_assert_eq!((plain.read, plain.last), (precise.read, precise.last), "{}", at);
            prop_assert_eq!(plain.counts, precise.counts, "{}", at);
            prop_assert_eq!(&plain.rejects, &precise.rejects, "{}", at);
            prop_assert!(plain.frame.equals_missing(&precise.frame), "{}\n{}\n{}", at, plain.frame, precise.frame);
        }
        Ok(plain_used)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Wherever the plain splitter answers, it gives what the csv crate does.
        #[test]
        fn plain_ranges_convert_as_the_csv_crate_does(
            rows in rows(false),
            last_end in any::<bool>(),
            cuts in prop::collection::vec(any::<u64>(), 0..4),
            encoding in prop::sample::select(vec![Encoding::Utf8, Encoding::Auto, Encoding::Latin1]),
        ) {
            both(&text(&rows, last_end), &cuts, encoding)?;
        }

        /// And it does answer on plain text, from the true start of the data.
        #[test]
        fn plain_text_is_split_without_the_csv_crate(rows in rows(true), last_end in any::<bool>()) {
            let used = both(&text(&rows, last_end), &[], Encoding::Utf8)?;
            prop_assert_eq!(used, vec![true]);
        }
    }
}
