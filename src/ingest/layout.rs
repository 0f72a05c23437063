//! A [`Layout`] says how each canonical column is built from a source's
//! columns; the [`Converter`] applies it to raw records, one row at a time,
//! and either appends the typed row or records one [`Reject`] for it. Nothing
//! is dropped silently: every record read ends up in exactly one of the two.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use polars::prelude::*;

use super::parse::{self, DateFormat};
use super::source::{decode, Encoding, RecordProblem};
use super::Reject;
use crate::error::{Error, Result};
use crate::schema::{always_loaded, col, is_canonical, ColumnType, DatePrecision, CANONICAL};

/// How one canonical column gets its value.
#[derive(Debug, Clone)]
pub enum Rule {
    /// Trimmed text; empty is null. `recode` maps source codes to values
    /// (exact match first, then case-insensitive); a code mapped to `None` is null.
    Text {
        /// Source column index.
        idx: usize,
        /// Optional value recoding.
        recode: Option<Recode>,
    },
    /// The same text on every row.
    Const(String),
    /// A date in one of `formats`.
    Date {
        /// Source column index.
        idx: usize,
        /// Accepted formats, tried in order.
        formats: Vec<DateFormat>,
    },
    /// A date from year, month, day columns where 0 means unknown (GTD).
    DateParts {
        /// Year, month and day column indexes.
        parts: [usize; 3],
    },
    /// The precision implied by [`Rule::DateParts`].
    PartsPrecision {
        /// Year, month and day column indexes.
        parts: [usize; 3],
    },
    /// A source code for date precision (ACLED `time_precision`, UCDP `date_prec`).
    Precision {
        /// Source column index.
        idx: usize,
        /// Code to precision.
        codes: Vec<(String, DatePrecision)>,
    },
    /// A non-negative whole count; `unknown` lists codes that mean unknown.
    Count {
        /// Source column index.
        idx: usize,
        /// Source codes read as unknown.
        unknown: Vec<String>,
    },
    /// Latitude (`limit` 90) or longitude (`limit` 180).
    Coord {
        /// Source column index.
        idx: usize,
        /// Largest absolute value.
        limit: f64,
    },
}

/// Source value → canonical value (`None`: the code means unknown).
pub type Recode = std::collections::BTreeMap<String, Option<String>>;

impl Rule {
    /// The source columns the rule reads.
    fn sources(&self) -> Vec<usize> {
        match self {
            Rule::Text { idx, .. }
            | Rule::Date { idx, .. }
            | Rule::Precision { idx, .. }
            | Rule::Count { idx, .. }
            | Rule::Coord { idx, .. } => vec![*idx],
            Rule::DateParts { parts } | Rule::PartsPrecision { parts } => parts.to_vec(),
            Rule::Const(_) => vec![],
        }
    }
}

/// A source layout resolved against a file's header.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Human-readable name, e.g. "ucdp (GED 41-column country layout)".
    pub description: String,
    /// Whether the first record is a header.
    pub has_header: bool,
    /// Source column names (from the header, or supplied by the preset).
    pub columns: Vec<String>,
    /// Rules by canonical column name; canonical columns without a rule are null.
    pub rules: Vec<(&'static str, Rule)>,
    /// Other source columns kept as text: output name and source index.
    pub kept: Vec<(String, usize)>,
}

impl Layout {
    /// Start a layout for `columns`; add rules with [`Layout::rule`], then call [`Layout::finish`].
    pub fn new(description: impl Into<String>, has_header: bool, columns: Vec<String>) -> Self {
        Layout { description: description.into(), has_header, columns, rules: Vec::new(), kept: Vec::new() }
    }

    /// Set the rule for a canonical column.
    pub fn rule(&mut self, column: &'static str, rule: Rule) -> &mut Self {
        self.rules.retain(|(c, _)| *c != column);
        self.rules.push((column, rule));
        self
    }

    /// Keep every source column not named like a canonical column it feeds.
    /// A source column whose lower-cased name is canonical but which feeds a
    /// different column (GTD's numeric `country`) is kept as `<name>_raw`.
    pub fn finish(mut self) -> Self {
        let mut used: HashMap<usize, Vec<&str>> = HashMap::new();
        for (c, r) in &self.rules {
            for i in r.sources() {
                used.entry(i).or_default().push(c);
            }
        }
        let mut taken: std::collections::HashSet<String> = CANONICAL.iter().map(|(c, _)| c.to_string()).collect();
        let mut kept = Vec::new();
        for (i, name) in self.columns.iter().enumerate() {
            let lower = name.to_lowercase();
            if is_canonical(&lower) && used.get(&i).is_some_and(|cs| cs.contains(&lower.as_str())) {
                continue;
            }
            let mut out = if is_canonical(name) { format!("{name}_raw") } else { name.clone() };
            let base = out.clone();
            let mut n = 2;
            while !taken.insert(out.clone()) {
                out = format!("{base}_{n}");
                n += 1;
            }
            kept.push((out, i));
        }
        self.kept = kept;
        self
    }

    fn rule_for(&self, column: &str) -> Option<&Rule> {
        self.rules.iter().find(|(c, _)| *c == column).map(|(_, r)| r)
    }

    /// The source column a canonical column is read from (for messages).
    pub fn source_name(&self, column: &str) -> String {
        match self.rule_for(column).map(Rule::sources) {
            Some(s) if !s.is_empty() => s.iter().map(|&i| self.columns[i].as_str()).collect::<Vec<_>>().join("/"),
            _ => column.to_string(),
        }
    }
}

/// Case-insensitive lookup of source columns by name.
pub struct Header<'a> {
    path: &'a Path,
    names: &'a [String],
    lower: Vec<String>,
}

impl<'a> Header<'a> {
    /// Wrap a file's column names.
    pub fn new(path: &'a Path, names: &'a [String]) -> Self {
        Header { path, names, lower: names.iter().map(|n| n.trim().to_lowercase()).collect() }
    }

    /// The first of `candidates` present (case-insensitive).
    pub fn find(&self, candidates: &[&str]) -> Option<usize> {
        candidates.iter().find_map(|c| self.lower.iter().position(|n| n == &c.to_lowercase()))
    }

    /// Like [`Header::find`], but a missing column is an error naming the layout.
    pub fn require(&self, preset: &str, candidates: &[&str]) -> Result<usize> {
        self.find(candidates).ok_or_else(|| Error::MissingColumn {
            path: self.path.to_path_buf(),
            preset: preset.to_string(),
            column: candidates.join(" or "),
            found: self.names.to_vec(),
        })
    }

    /// Whether every one of `names` is present.
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.find(&[n]).is_some())
    }
}

/// Number of canonical columns.
const N: usize = CANONICAL.len();

enum Cell<'r> {
    Null,
    Text(Cow<'r, str>),
    Date(i32),
    Int(i64),
    Float(f64),
}

enum Builder {
    Text(StringChunkedBuilder),
    Date(PrimitiveChunkedBuilder<Int32Type>),
    Int(PrimitiveChunkedBuilder<Int64Type>),
    Float(PrimitiveChunkedBuilder<Float64Type>),
}

impl Builder {
    fn new(name: &str, ty: ColumnType, cap: usize) -> Self {
        let name = PlSmallStr::from(name);
        match ty {
            ColumnType::Text => Builder::Text(StringChunkedBuilder::new(name, cap)),
            ColumnType::Date => Builder::Date(PrimitiveChunkedBuilder::new(name, cap)),
            ColumnType::Int => Builder::Int(PrimitiveChunkedBuilder::new(name, cap)),
            ColumnType::Float => Builder::Float(PrimitiveChunkedBuilder::new(name, cap)),
        }
    }

    fn push(&mut self, cell: Cell<'_>) {
        match (self, cell) {
            (Builder::Text(b), Cell::Text(s)) => b.append_value(s.as_ref()),
            (Builder::Date(b), Cell::Date(d)) => b.append_value(d),
            (Builder::Int(b), Cell::Int(v)) => b.append_value(v),
            (Builder::Float(b), Cell::Float(v)) => b.append_value(v),
            (Builder::Text(b), _) => b.append_null(),
            (Builder::Date(b), _) => b.append_null(),
            (Builder::Int(b), _) => b.append_null(),
            (Builder::Float(b), _) => b.append_null(),
        }
    }

    fn finish(self) -> Column {
        match self {
            Builder::Text(b) => b.finish().into_series().into(),
            Builder::Date(b) => b.finish().into_date().into_series().into(),
            Builder::Int(b) => b.finish().into_series().into(),
            Builder::Float(b) => b.finish().into_series().into(),
        }
    }
}

/// Internal column holding each accepted row's 1-based row number in its file.
pub const ROW: &str = "__row";
/// Internal column holding the line each accepted row starts on.
pub const LINE: &str = "__line";
/// Internal column: whether `incident_id` is a hash of the row (no source id).
pub const HASHED: &str = "__hashed";

/// Applies a [`Layout`] to records and accumulates typed columns and rejects.
pub struct Converter<'a> {
    layout: &'a Layout,
    path: PathBuf,
    encoding: Encoding,
    rules: Vec<Option<Rule>>,
    /// One per canonical column; `None` where the column has no rule (or is
    /// not wanted): it is all null, so nothing is built for it.
    builders: Vec<Option<Builder>>,
    accepted: usize,
    /// Positions of `date` and `date_end` in [`CANONICAL`].
    date_pos: usize,
    end_pos: usize,
    kept: Vec<(usize, StringChunkedBuilder)>,
    rows: PrimitiveChunkedBuilder<UInt64Type>,
    lines: PrimitiveChunkedBuilder<UInt64Type>,
    hashed: BooleanChunkedBuilder,
    /// Rows that failed, one reject each.
    pub rejects: Vec<Reject>,
    /// Rows offered to [`Converter::push`].
    pub read: u64,
}

impl<'a> Converter<'a> {
    /// A converter that builds the columns named in `keep` (all when `None`);
    /// canonical columns that are validated are always built.
    pub fn new(layout: &'a Layout, path: &Path, encoding: Encoding, keep: Option<&[String]>) -> Self {
        Self::with_capacity(layout, path, encoding, keep, 1024)
    }

    /// Like [`Converter::new`], with room for about `cap` rows (saves regrowing the columns).
    pub fn with_capacity(
        layout: &'a Layout,
        path: &Path,
        encoding: Encoding,
        keep: Option<&[String]>,
        cap: usize,
    ) -> Self {
        let wanted = |c: &str| keep.is_none_or(|k| k.iter().any(|n| n == c));
        let rules = CANONICAL
            .iter()
            .map(|(c, _)| {
                let rule = layout.rule_for(c).cloned();
                match rule {
                    Some(_) if !always_loaded(c) && !wanted(c) => None,
                    other => other,
                }
            })
            .collect();
        let builders = CANONICAL
            .iter()
            .zip(&rules)
            // incident_id is always built: rows without one get a hash.
            .map(|((c, t), r): (&(&str, ColumnType), &Option<Rule>)| {
                (r.is_some() || *c == col::INCIDENT_ID).then(|| Builder::new(c, *t, cap))
            })
            .collect();
        let kept = layout
            .kept
            .iter()
            .filter(|(name, _)| wanted(name))
            .map(|(name, idx)| (*idx, StringChunkedBuilder::new(name.as_str().into(), cap)))
            .collect();
        Converter {
            layout,
            path: path.to_path_buf(),
            encoding,
            rules,
            builders,
            accepted: 0,
            date_pos: CANONICAL.iter().position(|(n, _)| *n == col::DATE).unwrap_or(0),
            end_pos: CANONICAL.iter().position(|(n, _)| *n == col::DATE_END).unwrap_or(0),
            kept,
            rows: PrimitiveChunkedBuilder::new(ROW.into(), cap),
            lines: PrimitiveChunkedBuilder::new(LINE.into(), cap),
            hashed: BooleanChunkedBuilder::new(HASHED.into(), cap),
            rejects: Vec::new(),
            read: 0,
        }
    }

    fn reject(&mut self, row: u64, line: u64, column: Option<&str>, value: &[u8], reason: String) {
        self.rejects.push(Reject {
            file: self.path.clone(),
            row,
            line,
            column: column.map(str::to_string),
            value: String::from_utf8_lossy(value).into_owned(),
            reason,
        });
    }

    /// Take one raw record (row numbers are 1-based over data rows).
    pub fn push(&mut self, rec: &ByteRecord, row: u64, line: u64, problem: Option<RecordProblem>) {
        self.read += 1;
        if let Some(p) = problem {
            self.rejects.push(Reject {
                file: self.path.clone(),
                row,
                line,
                column: p.column,
                value: p.value,
                reason: p.reason,
            });
            return;
        }
        let expected = self.layout.columns.len();
        if rec.len() != expected {
            let joined = rec.iter().map(String::from_utf8_lossy).collect::<Vec<_>>().join(",");
            let reason = format!("row has {} fields, the header has {expected}", rec.len());
            self.reject(row, line, None, joined.as_bytes(), reason);
            return;
        }
        if self.encoding == Encoding::Utf8 && std::str::from_utf8(rec.as_slice()).is_err() {
            // Name the leftmost bad cell, as a person reading the file would find it.
            if let Some((i, e)) =
                rec.iter().enumerate().find_map(|(i, f)| decode(f, self.encoding).err().map(|e| (i, e)))
            {
                let name = self.layout.columns.get(i).cloned();
                self.reject(row, line, name.as_deref(), rec.get(i).unwrap_or_default(), e);
                return;
            }
        }
        match self.convert(rec) {
            Ok((cells, kept)) => {
                let hashed = matches!(cells[0], Cell::Null);
                let mut cells = cells;
                if hashed {
                    cells[0] = Cell::Text(self.row_hash(rec).into());
                }
                for (b, c) in self.builders.iter_mut().zip(cells) {
                    if let Some(b) = b {
                        b.push(c);
                    }
                }
                self.accepted += 1;
                for ((_, b), v) in self.kept.iter_mut().zip(kept) {
                    b.append_option(v.as_deref());
                }
                self.rows.append_value(row);
                self.lines.append_value(line);
                self.hashed.append_value(hashed);
            }
            Err((idx, reason)) => {
                let (name, value) = match idx {
                    Some(i) => (Some(self.layout.columns[i].as_str()), rec.get(i).unwrap_or_default()),
                    None => (None, &b""[..]),
                };
                let name = name.map(str::to_string);
                self.reject(row, line, name.as_deref(), value, reason);
            }
        }
    }

    /// A stable id for a row without one: a hash of its fields. Later rows
    /// identical to an earlier one get `-2`, `-3`… from [`number_repeated_hashes`]
    /// once the whole file is read (they are separate incidents as far as the
    /// file says, so none is dropped as a duplicate).
    fn row_hash(&self, rec: &ByteRecord) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for f in rec {
            h.update(f);
            h.update(&[0x1f]);
        }
        format!("h{:016x}", h.digest())
    }

    #[allow(clippy::type_complexity)]
    fn convert<'r>(
        &self,
        rec: &'r ByteRecord,
    ) -> std::result::Result<([Cell<'r>; N], Vec<Option<Cow<'r, str>>>), (Option<usize>, String)> {
        let text = |i: usize| -> std::result::Result<Cow<'r, str>, (Option<usize>, String)> {
            decode(rec.get(i).unwrap_or_default(), self.encoding).map_err(|e| (Some(i), e))
        };
        // On the stack: no allocation per row.
        let mut cells: [Cell<'r>; N] = std::array::from_fn(|_| Cell::Null);
        for (k, rule) in self.rules.iter().enumerate() {
            let cell = match rule {
                None => Cell::Null,
                Some(Rule::Const(v)) => Cell::Text(Cow::Owned(v.clone())),
                Some(Rule::Text { idx, recode }) => match trim_cow(text(*idx)?) {
                    None => Cell::Null,
                    Some(v) => match recode.as_ref().and_then(|r| lookup(r, &v)) {
                        Some(Some(mapped)) => Cell::Text(Cow::Owned(mapped.clone())),
                        Some(None) => Cell::Null,
                        None => Cell::Text(v),
                    },
                },
                Some(Rule::Date { idx, formats }) => match known(&text(*idx)?) {
                    None => Cell::Null,
                    Some(v) => {
                        Cell::Date(parse::epoch_days(parse::parse_date(v, formats).map_err(|e| (Some(*idx), e))?))
                    }
                },
                Some(Rule::DateParts { parts }) | Some(Rule::PartsPrecision { parts }) => {
                    let [y, m, d] = [text(parts[0])?, text(parts[1])?, text(parts[2])?];
                    if y.trim().is_empty() {
                        Cell::Null
                    } else {
                        let (date, prec) = parse::parse_date_parts(&y, &m, &d).map_err(|e| {
                            let part = if e.starts_with("month") {
                                1
                            } else if e.starts_with("day") || e.contains("calendar date") {
                                2
                            } else {
                                0
                            };
                            (Some(parts[part]), e)
                        })?;
                        match rule {
                            Some(Rule::DateParts { .. }) => Cell::Date(parse::epoch_days(date)),
                            _ => Cell::Text(prec.as_str().into()),
                        }
                    }
                }
                Some(Rule::Precision { idx, codes }) => match known(&text(*idx)?) {
                    None => Cell::Null,
                    Some(v) => match codes.iter().find(|(c, _)| c.eq_ignore_ascii_case(v)) {
                        Some((_, p)) => Cell::Text(p.as_str().into()),
                        None => {
                            let valid: Vec<&str> = codes.iter().map(|(c, _)| c.as_str()).collect();
                            return Err((
                                Some(*idx),
                                format!("unknown date precision code (expected {})", valid.join(", ")),
                            ));
                        }
                    },
                },
                Some(Rule::Count { idx, unknown }) => match nonempty(&text(*idx)?) {
                    None => Cell::Null,
                    Some(v) => {
                        let unknown: Vec<&str> = unknown.iter().map(String::as_str).collect();
                        match parse::parse_count(v, &unknown).map_err(|e| (Some(*idx), e))? {
                            Some(n) => Cell::Int(n),
                            None => Cell::Null,
                        }
                    }
                },
                Some(Rule::Coord { idx, limit }) => match nonempty(&text(*idx)?) {
                    None => Cell::Null,
                    Some(v) => match parse::parse_coordinate(v, *limit).map_err(|e| (Some(*idx), e))? {
                        Some(x) => Cell::Float(x),
                        None => Cell::Null,
                    },
                },
            };
            cells[k] = cell;
        }
        self.check_row(&cells)?;
        let mut kept = Vec::with_capacity(self.kept.len());
        for (idx, _) in &self.kept {
            let v = text(*idx)?;
            kept.push(if v.is_empty() { None } else { Some(v) });
        }
        Ok((cells, kept))
    }

    /// Checks across columns: a date is required, and an end date cannot precede it.
    fn check_row(&self, cells: &[Cell<'_>]) -> std::result::Result<(), (Option<usize>, String)> {
        let source_idx = |c: &str| self.layout.rule_for(c).and_then(|r| r.sources().first().copied());
        let (date, end) = (&cells[self.date_pos], &cells[self.end_pos]);
        match (date, end) {
            (Cell::Null, _) => Err((source_idx(col::DATE), "missing date".into())),
            (Cell::Date(s), Cell::Date(e)) if e < s => {
                let start = parse::from_epoch_days(*s).map(|d| d.to_string()).unwrap_or_default();
                Err((source_idx(col::DATE_END), format!("end date is before the start date {start}")))
            }
            _ => Ok(()),
        }
    }

    /// The accepted rows as a frame: canonical columns, kept columns, then the
    /// internal `__row`, `__line` and `__hashed` columns.
    pub fn finish(self) -> Result<DataFrame> {
        let n = self.accepted;
        let mut cols: Vec<Column> = self
            .builders
            .into_iter()
            .zip(CANONICAL)
            .map(|(b, (name, ty))| match b {
                Some(b) => b.finish(),
                None => Column::full_null((*name).into(), n, &super::dtype_of(*ty)),
            })
            .collect();
        cols.extend(self.kept.into_iter().map(|(_, b)| b.finish().into_series().into()));
        cols.push(self.rows.finish().into_series().into());
        cols.push(self.lines.finish().into_series().into());
        cols.push(self.hashed.finish().into_series().into());
        Ok(DataFrame::new_infer_height(cols)?)
    }
}

fn nonempty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// Like [`nonempty`], and R/pandas missing-value tokens (`NA`, `NaN`…) are empty too.
fn known(s: &str) -> Option<&str> {
    nonempty(s).filter(|t| !parse::NULL_TOKENS.contains(t))
}

fn trim_cow(s: Cow<'_, str>) -> Option<Cow<'_, str>> {
    match s {
        Cow::Borrowed(b) => nonempty(b).map(Cow::Borrowed),
        Cow::Owned(o) => nonempty(&o).map(|t| Cow::Owned(t.to_string())),
    }
}

fn lookup<'m>(recode: &'m Recode, value: &str) -> Option<&'m Option<String>> {
    recode.get(value).or_else(|| {
        let lower = value.to_lowercase();
        recode.iter().find(|(k, _)| k.to_lowercase() == lower).map(|(_, v)| v)
    })
}

/// Give the second, third… row with the same hashed id the suffix `-2`, `-3`…
/// in file order (rows with a source id are left alone).
pub fn number_repeated_hashes(mut df: DataFrame) -> Result<DataFrame> {
    let hashed = df.column(HASHED)?.bool()?.clone();
    if !hashed.any() {
        return Ok(df);
    }
    let ids = df.column(col::INCIDENT_ID)?.str()?.clone();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut repeats = false;
    let numbered: StringChunked = ids
        .iter()
        .zip(hashed.iter())
        .map(|(id, h)| match (id, h) {
            (Some(id), Some(true)) => {
                let n = seen.entry(id).or_insert(0);
                *n += 1;
                if *n > 1 {
                    repeats = true;
                    Some(Cow::Owned(format!("{id}-{n}")))
                } else {
                    Some(Cow::Borrowed(id))
                }
            }
            (id, _) => id.map(Cow::Borrowed),
        })
        .collect::<Vec<_>>()
        .iter()
        .map(|v| v.as_deref())
        .collect();
    if repeats {
        df.with_column(Column::from(numbered.with_name(col::INCIDENT_ID.into()).into_series()))?;
    }
    Ok(df)
}
