//! Reading a source file into raw records: format detection (delimited text,
//! gzip, NDJSON, Parquet), BOM handling and text encodings. Every record
//! carries its row number (1-based, data rows only) and the line it starts on,
//! so later stages can point at it.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use polars::prelude::*;

use super::lines::{Counting, Lines};
use crate::error::{Error, Result};

/// How text bytes in the file are decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, and a row that is not valid UTF-8 is read as Windows-1252
    /// (what Excel on Windows saves), counted so the user is told.
    #[default]
    Auto,
    /// UTF-8 only; invalid bytes reject the row and name the encoding option.
    Utf8,
    /// Latin-1, read as Windows-1252 (what spreadsheets on Windows write).
    Latin1,
}

impl std::str::FromStr for Encoding {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_lowercase().replace(['-', '_'], "").as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf8" => Ok(Encoding::Utf8),
            "latin1" | "cp1252" | "windows1252" | "iso88591" => Ok(Encoding::Latin1),
            _ => Err(format!("unknown encoding {s:?} (choose from auto, utf8, latin1)")),
        }
    }
}

impl Encoding {
    /// How a row of `bytes` is decoded: `Auto` becomes UTF-8 when the bytes
    /// are valid UTF-8 and Windows-1252 otherwise.
    pub fn for_bytes(self, bytes: &[u8]) -> Encoding {
        self.resolve(std::str::from_utf8(bytes).is_ok())
    }

    /// How a row is decoded when it is known whether its bytes are UTF-8.
    pub fn resolve(self, utf8: bool) -> Encoding {
        match self {
            Encoding::Auto if !utf8 => Encoding::Latin1,
            Encoding::Auto => Encoding::Utf8,
            other => other,
        }
    }
}

/// The physical format of a source file, detected from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text (CSV, TSV, semicolon), optionally gzip-compressed.
    Delimited {
        /// Field separator.
        delimiter: u8,
        /// Whether the bytes are gzip-compressed.
        gzip: bool,
    },
    /// One JSON object per line, optionally gzip-compressed.
    Ndjson {
        /// Whether the bytes are gzip-compressed.
        gzip: bool,
    },
    /// Apache Parquet.
    Parquet,
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const PARQUET_MAGIC: &[u8] = b"PAR1";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The partition column of a store partitioned by year (`ingest --partition year`).
pub const PARTITION_COLUMN: &str = "year";
/// The file that marks a folder as a partitioned store.
pub const PARTITION_MARKER: &str = "_sitrep_store";

/// Whether `path` is a partitioned store: a folder with sitrep's marker
/// file, or `year=YYYY` folders and nothing else but hidden files.
pub fn is_partitioned(path: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(path) else { return false };
    let names: Vec<String> =
        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    let year = |n: &String| n.starts_with(&format!("{PARTITION_COLUMN}="));
    names.iter().any(|n| n == PARTITION_MARKER)
        || (names.iter().any(year) && names.iter().all(|n| year(n) || n.starts_with(['.', '_'])))
}

/// Look at the first bytes (decompressed if gzip) and the extension.
pub fn detect_format(path: &Path) -> Result<Format> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        if is_partitioned(path) {
            return Ok(Format::Parquet);
        }
        return Err(Error::format(
            path,
            "is a directory, not a data file (a partitioned store holds year=YYYY folders of Parquet files)",
        ));
    }
    let mut head = Vec::with_capacity(8192);
    open_file(path)?.take(4).read_to_end(&mut head).map_err(|e| Error::io(path, e))?;
    if head.starts_with(PARQUET_MAGIC) {
        return Ok(Format::Parquet);
    }
    if head.starts_with(ZIP_MAGIC) {
        return Err(Error::format(
            path,
            "is a zip archive (or an XLSX workbook), which sitrep does not read: \
             unzip it, or export the sheet as CSV",
        ));
    }
    let gzip = head.starts_with(GZIP_MAGIC);
    let mut head = Vec::with_capacity(8192);
    open_text(path, gzip)?.take(64 * 1024).read_to_end(&mut head).map_err(|e| read_error(path, gzip, e))?;
    let text = head.strip_prefix(BOM).unwrap_or(&head);
    let ext = extension(path);
    if ext == "ndjson" || ext == "jsonl" || text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(Format::Ndjson { gzip });
    }
    Ok(Format::Delimited { delimiter: sniff_delimiter(text, &ext), gzip })
}

fn extension(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.rsplit_once('.').map(|(_, e)| e.to_string()).unwrap_or_default()
}

/// The delimiter is the most frequent of `,` `\t` `;` in the first line
/// outside quotes; `.tsv` files default to tab. GDELT's `.CSV` files are tab-separated.
fn sniff_delimiter(text: &[u8], ext: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b'\t' if !quoted => counts[1] += 1,
            b';' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    if counts == [0, 0, 0] {
        return if ext == "tsv" { b'\t' } else { b',' };
    }
    let best = (0..3).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
    [b',', b'\t', b';'][best]
}

fn open_file(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::io(path, e))
}

fn open_text(path: &Path, gzip: bool) -> Result<Box<dyn Read + Send>> {
    let file = BufReader::with_capacity(1 << 20, open_file(path)?);
    Ok(if gzip { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { Box::new(file) })
}

fn read_error(path: &Path, gzip: bool, e: std::io::Error) -> Error {
    let hint = if gzip { " (the gzip stream is damaged or truncated)" } else { "" };
    Error::format(path, format!("read error{hint}: {e}"))
}

/// A reader that skips a leading UTF-8 byte order mark.
fn skip_bom(inner: Box<dyn Read + Send>) -> Result<BufReader<Box<dyn Read + Send>>, std::io::Error> {
    let mut r = BufReader::with_capacity(1 << 20, inner);
    let buf = r.fill_buf()?;
    if buf.starts_with(BOM) {
        r.consume(BOM.len());
    }
    Ok(r)
}

/// The text of a delimited file after any gzip layer and BOM, as the record
/// reader sees it (byte positions of records count from here).
pub fn open_text_skipping_bom(path: &Path, gzip: bool) -> Result<impl Read> {
    skip_bom(open_text(path, gzip)?).map_err(|e| read_error(path, gzip, e))
}

/// Decode one field's bytes.
pub fn decode(bytes: &[u8], encoding: Encoding) -> std::result::Result<std::borrow::Cow<'_, str>, String> {
    match encoding.for_bytes(bytes) {
        Encoding::Utf8 | Encoding::Auto => std::str::from_utf8(bytes).map(Into::into).map_err(|e| {
            let bad = bytes[e.valid_up_to()];
            format!(
                "invalid UTF-8 (byte 0x{bad:02X} at offset {}); if the file is Latin-1 or \
                 Windows-1252, re-run with --encoding latin1 (or --encoding auto)",
                e.valid_up_to()
            )
        }),
        Encoding::Latin1 => Ok(if bytes.is_ascii() {
            std::str::from_utf8(bytes).unwrap_or_default().into()
        } else {
            bytes.iter().map(|&b| windows_1252(b)).collect::<String>().into()
        }),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// A problem with one record found while reading (before any column is parsed).
#[derive(Debug, Clone)]
pub struct RecordProblem {
    /// Column the problem is in, or `None` for the whole record.
    pub column: Option<String>,
    /// The offending value (shown shortened in messages).
    pub value: String,
    /// What is wrong.
    pub reason: String,
}

/// One raw record: its fields as bytes, or the problem that makes it unreadable.
pub type RawRecord = std::result::Result<ByteRecord, RecordProblem>;

/// Raw records of one file with their positions. The first record is returned
/// separately by [`RecordReader::first`] so layout detection can decide whether
/// it is a header.
pub struct RecordReader {
    path: PathBuf,
    inner: Inner,
    next_row: u64,
}

enum Inner {
    Csv { reader: csv::Reader<Counting<BufReader<Box<dyn Read + Send>>>>, lines: Lines, gzip: bool },
    Buffered(std::vec::IntoIter<(u64, RawRecord)>),
}

impl RecordReader {
    /// Open delimited text or NDJSON. (Parquet goes through [`read_parquet`].)
    pub fn open(path: &Path, format: Format, encoding: Encoding) -> Result<Self> {
        let inner = match format {
            Format::Delimited { delimiter, gzip } => {
                let text = skip_bom(open_text(path, gzip)?).map_err(|e| read_error(path, gzip, e))?;
                let (text, lines) = Counting::new(text);
                let reader =
                    csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text);
                Inner::Csv { reader, lines, gzip }
            }
            Format::Ndjson { gzip } => Inner::Buffered(read_ndjson(path, encoding, gzip)?.into_iter()),
            Format::Parquet => return Err(Error::Internal("parquet files are read with read_parquet".into())),
        };
        Ok(RecordReader { path: path.to_path_buf(), inner, next_row: 0 })
    }

    /// Build a reader over records already in memory (Parquet converted to text).
    pub fn from_records(path: &Path, records: Vec<(u64, RawRecord)>) -> Self {
        RecordReader { path: path.to_path_buf(), inner: Inner::Buffered(records.into_iter()), next_row: 0 }
    }

    /// Read the next record into `out`. Returns its line number, or `None` at the end.
    /// A record that cannot be read as fields comes back as `Err(problem)` in `out`'s place.
    pub fn next(&mut self, out: &mut ByteRecord) -> Result<Option<(u64, Option<RecordProblem>)>> {
        match &mut self.inner {
            Inner::Csv { reader, lines, gzip } => match reader.read_byte_record(out) {
                Ok(false) => Ok(None),
                Ok(true) => {
                    self.next_row += 1;
                    let line = out.position().map_or(0, |p| lines.locate(p.byte()).1);
                    Ok(Some((line, None)))
                }
                Err(e) => Err(read_error(&self.path, *gzip, std::io::Error::other(e.to_string()))),
            },
            Inner::Buffered(it) => Ok(it.next().map(|(line, rec)| {
                self.next_row += 1;
                match rec {
                    Ok(r) => {
                        *out = r;
                        (line, None)
                    }
                    Err(p) => {
                        out.clear();
                        (line, Some(p))
                    }
                }
            })),
        }
    }
}

/// NDJSON: one object per line; the columns are the union of keys in order of
/// first appearance. Numbers and booleans become their JSON text, nested values
/// their JSON, `null` an empty cell.
fn read_ndjson(path: &Path, encoding: Encoding, gzip: bool) -> Result<Vec<(u64, RawRecord)>> {
    use serde_json::{Map, Value};
    let mut reader = skip_bom(open_text(path, gzip)?).map_err(|e| read_error(path, gzip, e))?;
    type Parsed = std::result::Result<Map<String, Value>, RecordProblem>;
    let mut objects: Vec<(u64, Parsed)> = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| read_error(path, gzip, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        let text = match decode(trim_ascii(&buf), encoding) {
            Ok(t) => t,
            Err(reason) => {
                let value = String::from_utf8_lossy(&buf).into_owned();
                objects.push((line, Err(RecordProblem { column: None, value, reason })));
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => {
                for k in map.keys() {
                    if seen.insert(k.clone()) {
                        columns.push(k.clone());
                    }
                }
                objects.push((line, Ok(map)));
            }
            Ok(_) => objects.push((line, Err(problem(&text, "line is JSON but not an object")))),
            Err(e) => objects.push((line, Err(problem(&text, &format!("not valid JSON: {e}"))))),
        }
    }
    let mut out = Vec::with_capacity(objects.len() + 1);
    out.push((0, Ok(columns.iter().map(String::as_bytes).collect::<ByteRecord>())));
    for (line, obj) in objects {
        let rec = obj.map(|map| {
            columns
                .iter()
                .map(|c| match map.get(c) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                })
                .collect::<ByteRecord>()
        });
        out.push((line, rec));
    }
    Ok(out)
}

fn problem(text: &str, reason: &str) -> RecordProblem {
    RecordProblem { column: None, value: text.to_string(), reason: reason.to_string() }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

/// A Parquet file polars cannot read, named.
pub fn parquet_error(path: &Path, e: PolarsError) -> Error {
    Error::format(path, format!("cannot read as Parquet (damaged or truncated file?): {e}"))
}

/// Read a whole Parquet file.
pub fn read_parquet(path: &Path) -> Result<DataFrame> {
    let file = open_file(path)?;
    ParquetReader::new(file).finish().map_err(|e| parquet_error(path, e))
}

/// Turn a foreign Parquet frame into text records (header first), so presets
/// and validation treat it exactly like a CSV with the same columns.
pub fn parquet_records(path: &Path, df: &DataFrame) -> Result<Vec<(u64, RawRecord)>> {
    let mut text_cols = Vec::with_capacity(df.width());
    for c in df.columns() {
        let s = c.as_materialized_series().cast(&DataType::String).map_err(|e| {
            Error::format(path, format!("column {:?} of type {} cannot be read as text: {e}", c.name(), c.dtype()))
        })?;
        text_cols.push(s.str()?.clone());
    }
    let mut out = Vec::with_capacity(df.height() + 1);
    out.push((0, Ok(df.get_column_names().iter().map(|n| n.as_bytes()).collect::<ByteRecord>())));
    let mut iters: Vec<_> = text_cols.iter().map(|c| c.iter()).collect();
    for row in 0..df.height() {
        let rec: ByteRecord = iters.iter_mut().map(|it| it.next().flatten().unwrap_or("").as_bytes()).collect();
        out.push((row as u64 + 2, Ok(rec)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3", "csv"), b',');
        assert_eq!(sniff_delimiter(b"1\t20240101\t202401\n", "csv"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a,b,c\";d;e\n", "csv"), b';');
        assert_eq!(sniff_delimiter(b"single", "tsv"), b'\t');
    }

    #[test]
    fn latin1_decodes_and_utf8_errors_name_the_option() {
        assert_eq!(decode(b"Ma\xe2la", Encoding::Latin1).unwrap(), "Maâla");
        assert_eq!(decode(b"\x93KH\x94", Encoding::Latin1).unwrap(), "“KH”");
        let err = decode(b"Ma\xe2la", Encoding::Utf8).unwrap_err();
        assert!(err.contains("0xE2") && err.contains("--encoding latin1"), "{err}");
    }
}
