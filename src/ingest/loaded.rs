//! What loading gives: canonical incidents ([`Loaded`]), what happened to
//! each file ([`FileSummary`]) and every rejected row ([`Reject`]), and the
//! options that say how to read ([`LoadOptions`]).

use std::fmt;
use std::path::PathBuf;

use polars::prelude::*;

use super::dates::DateOrder;
use super::mapping::Mapping;
use super::preset::Preset;
use super::source::{Encoding, Format};
use crate::error::Result;
use crate::Run;

/// How to read the input files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The layout (ignored when `mapping` is set).
    pub preset: Preset,
    /// A mapping file describing the layout.
    pub mapping: Option<Mapping>,
    /// Text encoding of delimited and NDJSON files.
    pub encoding: Encoding,
    /// Encodings of single files, by the file's path as given or its name
    /// (`--encoding gtd.csv=latin1`); the others have `encoding`.
    pub file_encodings: Vec<(String, Encoding)>,
    /// The columns the caller needs (`None`: all). Canonical text columns
    /// not named are left null and other source columns not named are not
    /// kept. Validated columns (id, dates, precision, counts, coordinates) are
    /// always read, so which rows are accepted never depends on this.
    pub columns: Option<Vec<String>>,
    /// Read uncompressed delimited files on all cores in byte ranges of this
    /// size (`None`: files from 16 MB up, in ranges of 32 MB). For tuning and
    /// for tests that compare the parallel reader with the sequential one.
    pub range_bytes: Option<u64>,
    /// Read every record with the csv crate, never the faster splitting of
    /// plain text ([`super::plain`]); the two give the same rows. For tests and
    /// measurements.
    pub precise_reader: bool,
    /// The order of all-number dates (`5/9/2020`); `None`: decided per file
    /// from its values, and a file that does not tell is refused.
    pub date_order: Option<DateOrder>,
    /// Source columns whose values make the id of a row (`--key`), for
    /// files without an id column; empty: the layout's own id (or a hash of the row).
    pub key: Vec<String>,
    /// Add a [`SOURCE_FILE`] column naming the file each row came from (for
    /// `ingest --replace-source`).
    pub source_file: bool,
    /// Names of datasets by file (path as given or file name): the
    /// [`DATASET`] column; a file not named is its file stem.
    pub dataset_names: Vec<(String, String)>,
    /// Told how many bytes and rows have been read, as reading goes.
    pub progress: Progress,
}

/// A hook told of reading as it goes: bytes of the input files (compressed
/// bytes for gzip) and rows, as increments. Over a load, the bytes add up to
/// the files' sizes. The library never draws anything; the command line
/// turns this into a progress bar.
///
/// A job with passes after the read (a streaming ingest) names each with
/// [`Progress::stage`]; from then on, the increments count rows of that pass.
#[derive(Clone, Default)]
pub struct Progress {
    hook: Option<std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>>,
    stage: Option<StageHook>,
}

/// Told of each pass after the read: its name and rows.
type StageHook = std::sync::Arc<dyn Fn(&str, u64) + Send + Sync>;

impl Progress {
    /// A hook called with (bytes, rows) increments, from any thread.
    pub fn new(hook: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        Progress { hook: Some(std::sync::Arc::new(hook)), stage: None }
    }

    /// Also tell `stage` of each pass after the read: its name and how many rows it covers.
    pub fn with_stages(mut self, stage: impl Fn(&str, u64) + Send + Sync + 'static) -> Self {
        self.stage = Some(std::sync::Arc::new(stage));
        self
    }

    /// Report `bytes` and `rows` more.
    pub fn add(&self, bytes: u64, rows: u64) {
        if let Some(h) = &self.hook {
            if bytes > 0 || rows > 0 {
                h(bytes, rows);
            }
        }
    }

    /// A new pass begins, over `rows` rows (told with [`Progress::add`]`(rows, rows)`).
    pub fn stage(&self, name: &str, rows: u64) {
        if let Some(s) = &self.stage {
            s(name, rows);
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.hook.is_some() { "Progress(hook)" } else { "Progress(none)" })
    }
}

/// Column naming the dataset a row came from (`[data.sources]`, else the
/// file stem), so several sources can be compared side by side (`--by dataset`).
pub const DATASET: &str = "dataset";

/// The dataset name of a file: its name in `names`, else its file stem.
pub fn dataset_name(path: &std::path::Path, names: &[(String, String)]) -> String {
    names.iter().find(|(f, _)| names_file(f, path)).map(|(_, n)| n.clone()).unwrap_or_else(|| {
        path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned())
    })
}

/// Column naming the file a row was ingested from (its file name).
pub const SOURCE_FILE: &str = "source_file";

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

impl LoadOptions {
    /// The encoding of one file: its own, else the global one.
    pub fn encoding_for(&self, path: &std::path::Path) -> Encoding {
        self.file_encodings.iter().find(|(name, _)| names_file(name, path)).map_or(self.encoding, |(_, e)| *e)
    }
}

/// Whether `name` (as a user wrote it in an option) names `path`: the path
/// as given, or its file name.
pub fn names_file(name: &str, path: &std::path::Path) -> bool {
    std::path::Path::new(name) == path || path.file_name().is_some_and(|f| f.to_string_lossy() == name)
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

/// Values read in a way the user is told about (`check` prints them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// Rows whose date had a two-digit year (`9-May-20`: 00–68 → 2000s, 69–99 → 1900s).
    pub two_digit_years: u64,
    /// Count cells read as a lower bound (`40+`, `~12`, `12-15`).
    pub approx_counts: u64,
    /// Rows that were not valid UTF-8 and were read as Windows-1252.
    pub latin1_rows: u64,
    /// Approximate dates read (`Nov 2023`, `2023-Q4`, `2024-01-05/07`).
    pub approx_dates: u64,
}

impl std::ops::AddAssign for ReadCounts {
    fn add_assign(&mut self, o: Self) {
        self.two_digit_years += o.two_digit_years;
        self.approx_counts += o.approx_counts;
        self.latin1_rows += o.latin1_rows;
        self.approx_dates += o.approx_dates;
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
    /// The order its all-number dates were read in, when it had any whose
    /// reading depends on it (decided from the values, or `--date-order`).
    pub date_order: Option<DateOrder>,
    /// What reading found that the user is told about, besides rejects.
    pub counts: ReadCounts,
    /// Which source column fed each canonical column: (canonical, source).
    pub fed: Vec<(String, String)>,
    /// Source columns that fed no canonical column (kept under their own names).
    pub unused: Vec<String>,
    /// First and last date of its accepted incidents (`None` for a store, or no rows).
    pub dates: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

impl FileSummary {
    /// A source read whole, every row accepted (a sitrep store, an engine's table).
    pub fn whole(path: impl Into<std::path::PathBuf>, layout: impl Into<String>, format: Format, rows: u64) -> Self {
        FileSummary {
            path: path.into(),
            layout: layout.into(),
            format,
            has_header: true,
            read: rows,
            accepted: rows,
            rejected: 0,
            date_order: None,
            counts: Default::default(),
            fed: Vec::new(),
            unused: Vec::new(),
            dates: None,
        }
    }
}

/// Canonical incidents from one or more files, and what was rejected.
#[derive(Clone)]
pub struct Loaded {
    /// Canonical columns first (schema order), then kept source columns.
    /// Empty when the incidents are in `scan`.
    pub frame: DataFrame,
    /// A sitrep store left unread (see `crate::store::scan`); `frame` is empty then.
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
