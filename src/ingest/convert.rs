//! The [`Converter`] applies a [`Layout`] to raw records, one row at a time,
//! and either appends the typed row or records one [`Reject`] for it. Nothing
//! is dropped silently: every record read ends up in exactly one of the two.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use polars::prelude::*;

use super::dates::{Approximate, DateRead};
use super::layout::{Layout, Recode, Rule};
use super::loaded::{ReadCounts, Reject};
use super::parse;
use super::source::{decode, Encoding, RecordProblem};
use crate::error::Result;
use crate::schema::dates::{epoch_days, from_epoch_days};
use crate::schema::{always_loaded, col, dtype_of, ColumnType, DatePrecision, CANONICAL};

/// Number of canonical columns.
const N: usize = CANONICAL.len();

/// A raw record's fields: the csv crate's [`ByteRecord`], or a [`Line`] of
/// text split in place.
pub trait Fields {
    /// How many fields.
    fn count(&self) -> usize;
    /// Field `i`'s bytes.
    fn field(&self, i: usize) -> Option<&[u8]>;
    /// Where field `i` lies in [`Fields::bytes`].
    fn span(&self, i: usize) -> Option<std::ops::Range<usize>>;
    /// The record's bytes, holding every field at its [`Fields::span`].
    fn bytes(&self) -> &[u8];
    /// [`Fields::bytes`] as text, when they are UTF-8 (the record is read as UTF-8 if so).
    fn utf8(&self) -> Option<&str> {
        simdutf8::basic::from_utf8(self.bytes()).ok()
    }
}

impl Fields for ByteRecord {
    fn count(&self) -> usize {
        self.len()
    }
    fn field(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }
    fn span(&self, i: usize) -> Option<std::ops::Range<usize>> {
        self.range(i)
    }
    fn bytes(&self) -> &[u8] {
        self.as_slice()
    }
}

/// A record that is one line of UTF-8 text without quotes: its fields are
/// the text between delimiters. [`Fields::bytes`] holds the delimiters
/// too, which changes nothing: text cut at ASCII bytes is UTF-8 exactly
/// when the whole is.
pub struct Line<'t> {
    /// The line, without its terminator.
    pub text: &'t str,
    /// Where each field ends (its delimiter, or the end of the line).
    pub ends: &'t [usize],
}

impl Fields for Line<'_> {
    fn count(&self) -> usize {
        self.ends.len()
    }
    fn field(&self, i: usize) -> Option<&[u8]> {
        self.span(i).map(|r| &self.text.as_bytes()[r])
    }
    fn span(&self, i: usize) -> Option<std::ops::Range<usize>> {
        super::plain::span(self.ends, i)
    }
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }
    fn utf8(&self) -> Option<&str> {
        Some(self.text)
    }
}

enum Parsed<'r> {
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

    fn push(&mut self, cell: &Parsed<'_>) {
        match (self, cell) {
            (Builder::Text(b), Parsed::Text(s)) => b.append_value(s.as_ref()),
            (Builder::Date(b), Parsed::Date(d)) => b.append_value(*d),
            (Builder::Int(b), Parsed::Int(v)) => b.append_value(*v),
            (Builder::Float(b), Parsed::Float(v)) => b.append_value(*v),
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
/// Internal columns holding, for rows whose `date` / `date_end` is an
/// all-number date still to be placed in the file's order, its day-first and
/// month-first readings (epoch days; null where not a date). `load` decides
/// the order from all rows and drops them.
pub const PENDING: [[&str; 2]; 2] = [["__dmy_date", "__mdy_date"], ["__dmy_date_end", "__mdy_date_end"]];

/// Readings of an all-number date: day-first and month-first (epoch days).
type Pending = [Option<(Option<i32>, Option<i32>)>; 2];

/// What converting one row found besides its cells.
#[derive(Default)]
struct RowNotes {
    /// All-number dates whose order is pending (date, date_end).
    pending: Pending,
    /// A date had a two-digit year.
    two_digit: bool,
    /// Count cells read as a lower bound (`40+`, `12-15`).
    approx: u64,
    /// The high end of an approximate fatality range (`12-15` → 15).
    fatalities_high: Option<i64>,
    /// The start date was approximate (a month, quarter, year, or a range of days).
    approx_date: Option<Approximate>,
    /// Its text, when words such as "early" qualified it.
    date_raw: Option<String>,
}

/// Column keeping the text of a date that words qualified (`late Nov 2023`).
pub const DATE_RAW: &str = "date_raw";

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
    /// Positions of `date`, `date_end`, `fatalities` and `fatalities_high` in [`CANONICAL`].
    date_pos: usize,
    end_pos: usize,
    actor_pos: usize,
    fatalities_pos: usize,
    high_pos: usize,
    precision_pos: usize,
    kept: Vec<(usize, StringChunkedBuilder)>,
    rows: PrimitiveChunkedBuilder<UInt64Type>,
    lines: PrimitiveChunkedBuilder<UInt64Type>,
    hashed: BooleanChunkedBuilder,
    /// Accepted rows whose date order is pending: (row index, readings).
    pending: Vec<(usize, Pending)>,
    /// Two-digit years and approximate counts (accepted rows), rows read as
    /// Windows-1252 (`Encoding::Auto`).
    pub counts: ReadCounts,
    /// High ends of approximate fatality ranges, by row index (when the
    /// layout has no `fatalities_high` column of its own).
    highs: Vec<(usize, i64)>,
    /// Last days of ranges of days, by row index (when the layout has no `date_end` column).
    ends: Vec<(usize, i32)>,
    /// Texts of qualified dates (`late Nov 2023`), by row index.
    raws: Vec<(usize, String)>,
    /// Rows that failed, one reject each.
    pub rejects: Vec<Reject>,
    /// Rows offered to [`Converter::push`].
    pub read: u64,
    /// The last date cell read and its reading, by canonical column: dates
    /// come in runs (exports are sorted by date), and the run's later cells
    /// are not parsed again.
    last_dates: std::cell::RefCell<Vec<Option<(String, DateRead, bool)>>>,
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
            // The attribution column decides an unclaimed incident's claim status.
            .filter(|(name, _)| wanted(name) || (wanted(col::CLAIMED) && super::native::is_attribution(name)))
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
            actor_pos: CANONICAL.iter().position(|(n, _)| *n == col::ACTOR).unwrap_or(0),
            fatalities_pos: CANONICAL.iter().position(|(n, _)| *n == col::FATALITIES).unwrap_or(0),
            high_pos: CANONICAL.iter().position(|(n, _)| *n == col::FATALITIES_HIGH).unwrap_or(0),
            precision_pos: CANONICAL.iter().position(|(n, _)| *n == col::DATE_PRECISION).unwrap_or(0),
            kept,
            rows: PrimitiveChunkedBuilder::new(ROW.into(), cap),
            lines: PrimitiveChunkedBuilder::new(LINE.into(), cap),
            hashed: BooleanChunkedBuilder::new(HASHED.into(), cap),
            pending: Vec::new(),
            counts: ReadCounts::default(),
            highs: Vec::new(),
            ends: Vec::new(),
            raws: Vec::new(),
            rejects: Vec::new(),
            read: 0,
            last_dates: std::cell::RefCell::new(vec![None; N]),
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
    pub fn push(&mut self, rec: &impl Fields, row: u64, line: u64, problem: Option<RecordProblem>) {
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
        // A layout's optional last fields may be missing (GDELT 1.0 rows without SOURCEURL).
        let short_ok = rec.count() < expected && expected - rec.count() <= self.layout.optional_trailing;
        if rec.count() != expected && !short_ok {
            let joined = fields(rec).map(String::from_utf8_lossy).collect::<Vec<_>>().join(",");
            let has = if self.layout.has_header { "the header has" } else { "the layout has" };
            let reason = format!("row has {} fields, {has} {expected}", rec.count());
            self.reject(row, line, None, joined.as_bytes(), reason);
            return;
        }
        // The record's text, checked once: its fields are slices of it.
        let whole = match self.encoding {
            Encoding::Utf8 | Encoding::Auto => rec.utf8(),
            Encoding::Latin1 => None,
        };
        let encoding = self.encoding.resolve(whole.is_some());
        if self.encoding == Encoding::Auto && encoding == Encoding::Latin1 {
            self.counts.latin1_rows += 1;
        }
        if self.encoding == Encoding::Utf8 && whole.is_none() {
            // Name the leftmost bad cell, as a person reading the file would find it.
            if let Some((i, e)) =
                fields(rec).enumerate().find_map(|(i, f)| decode(f, self.encoding).err().map(|e| (i, e)))
            {
                let name = self.layout.columns.get(i).cloned();
                self.reject(row, line, name.as_deref(), rec.field(i).unwrap_or_default(), e);
                return;
            }
        }
        // Filled in place: the cells are not moved from call to call (a copy of
        // every row's cells was 5 % of a CSV query).
        let mut cells: [Parsed<'_>; N] = std::array::from_fn(|_| Parsed::Null);
        match self.convert(rec, encoding, whole, &mut cells) {
            Ok((kept, notes)) => {
                if notes.pending.iter().any(Option::is_some) {
                    self.pending.push((self.accepted, notes.pending));
                }
                self.counts.two_digit_years += u64::from(notes.two_digit);
                self.counts.approx_counts += notes.approx;
                if let Some(high) = notes.fatalities_high {
                    self.highs.push((self.accepted, high));
                }
                if let Some(a) = notes.approx_date {
                    self.counts.approx_dates += 1;
                    if let (Some(end), None) = (a.end, &self.builders[self.end_pos]) {
                        self.ends.push((self.accepted, epoch_days(end)));
                    }
                }
                if let Some(raw) = notes.date_raw {
                    self.raws.push((self.accepted, raw));
                }
                let hashed = matches!(cells[0], Parsed::Null);
                if hashed {
                    cells[0] = Parsed::Text(self.row_hash(rec).into());
                }
                for (b, c) in self.builders.iter_mut().zip(&cells) {
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
                    Some(i) => (Some(self.layout.columns[i].as_str()), rec.field(i).unwrap_or_default()),
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
    fn row_hash(&self, rec: &impl Fields) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for f in fields(rec) {
            h.update(f);
            h.update(&[0x1f]);
        }
        format!("h{:016x}", h.digest())
    }

    /// [`parse::read_date`] of canonical column `k`'s cell `v`, remembering
    /// the last reading (only successful ones: a rejected cell is rare).
    fn read_date(
        &self,
        k: usize,
        v: &str,
        formats: &[parse::DateFormat],
    ) -> std::result::Result<(DateRead, bool), String> {
        let mut last = self.last_dates.borrow_mut();
        if let Some((text, read, two)) = &last[k] {
            if text == v {
                return Ok((*read, *two));
            }
        }
        let (read, two) = parse::read_date(v, formats).map_err(|e| e.message(self.layout_name()))?;
        last[k] = Some((v.to_string(), read, two));
        Ok((read, two))
    }

    /// The layout's name in messages ("acled", "gtd", "mapping"…).
    fn layout_name(&self) -> &str {
        self.layout.description.split([' ', '(']).next().unwrap_or("")
    }

    /// Typed cells, kept text, pending date readings, and whether a year had two digits.
    #[allow(clippy::type_complexity)]
    fn convert<'r>(
        &self,
        rec: &'r impl Fields,
        encoding: Encoding,
        whole: Option<&'r str>,
        cells: &mut [Parsed<'r>; N],
    ) -> std::result::Result<(Vec<Option<Cow<'r, str>>>, RowNotes), (Option<usize>, String)> {
        let mut notes = RowNotes::default();
        let text = |i: usize| -> std::result::Result<Cow<'r, str>, (Option<usize>, String)> {
            // A field of a record that is valid UTF-8 as a whole, without checking it again.
            if let Some(s) = whole.zip(rec.span(i)).and_then(|(w, r)| w.get(r)) {
                return Ok(Cow::Borrowed(s));
            }
            decode(rec.field(i).unwrap_or_default(), encoding).map_err(|e| (Some(i), e))
        };
        // On the stack: no allocation per row.
        for (k, rule) in self.rules.iter().enumerate() {
            let cell = match rule {
                None => Parsed::Null,
                Some(Rule::Const(v)) => Parsed::Text(Cow::Owned(v.clone())),
                Some(Rule::Key { idxs }) => {
                    let parts: Vec<Cow<'r, str>> =
                        idxs.iter().map(|&i| text(i)).collect::<std::result::Result<_, _>>()?;
                    let parts: Vec<&str> = parts.iter().map(|p| p.trim()).collect();
                    if parts.iter().all(|p| p.is_empty()) {
                        Parsed::Null
                    } else {
                        Parsed::Text(Cow::Owned(parts.join(" | ")))
                    }
                }
                Some(Rule::Cameo { idxs, as_target_type }) => {
                    let parts: Vec<Cow<'r, str>> =
                        idxs.iter().map(|&i| text(i)).collect::<std::result::Result<_, _>>()?;
                    // SQL exports write NULL for an empty field.
                    let part = |i: usize| if parts[i].trim().eq_ignore_ascii_case("null") { "" } else { &parts[i] };
                    let value = if *as_target_type {
                        super::cameo::target_type(part(0)).map(str::to_string)
                    } else {
                        super::cameo::actor(part(0), part(1), part(2))
                    };
                    value.map_or(Parsed::Null, |v| Parsed::Text(Cow::Owned(v)))
                }
                Some(Rule::FirstOf { idxs }) => {
                    let mut first = Parsed::Null;
                    for &i in idxs {
                        if let Some(v) = trim_cow(text(i)?).filter(|v| !super::parse::NULL_TOKENS.contains(&v.as_ref()))
                        {
                            first = Parsed::Text(v);
                            break;
                        }
                    }
                    first
                }
                Some(Rule::ClaimedBy { idx }) => {
                    let v = text(*idx)?;
                    let v = v.trim();
                    let none = v.is_empty() || super::native::NO_CLAIM.iter().any(|n| v.eq_ignore_ascii_case(n));
                    Parsed::Text(Cow::Borrowed(if none { "unclaimed" } else { "claimed" }))
                }
                Some(Rule::Text { idx, recode }) => match trim_cow(text(*idx)?) {
                    None => Parsed::Null,
                    Some(v) => match recode.as_ref().and_then(|r| lookup(r, &v)) {
                        Some(Some(mapped)) => Parsed::Text(Cow::Owned(mapped.clone())),
                        Some(None) => Parsed::Null,
                        None => Parsed::Text(v),
                    },
                },
                Some(Rule::Date { idx, formats }) => match known(&text(*idx)?) {
                    None => Parsed::Null,
                    Some(v) => {
                        let (read, two) = self.read_date(k, v, formats).map_err(|e| (Some(*idx), e))?;
                        notes.two_digit |= two;
                        let date = match (read, self.layout.date_order) {
                            (DateRead::Fixed(d), _) => d,
                            (DateRead::Approx(a), _) => {
                                if k == self.date_pos {
                                    notes.approx_date = Some(a);
                                    notes.date_raw = a.qualified.then(|| v.to_string());
                                }
                                a.start
                            }
                            (DateRead::Ordered { .. }, Some(order)) => read.in_order(order).ok_or_else(|| {
                                (Some(*idx), format!("not a date when read {} (--date-order)", order.describe()))
                            })?,
                            (DateRead::Ordered { dmy, mdy }, None) => {
                                // Placed once the whole file is read; day-first for now.
                                let slot = usize::from(k == self.end_pos);
                                notes.pending[slot] = Some((dmy.map(epoch_days), mdy.map(epoch_days)));
                                match dmy.or(mdy) {
                                    Some(d) => d,
                                    None => return Err((Some(*idx), "not a valid date".into())),
                                }
                            }
                        };
                        Parsed::Date(epoch_days(date))
                    }
                },
                Some(Rule::DateParts { parts }) | Some(Rule::PartsPrecision { parts }) => {
                    let [y, m, d] = [text(parts[0])?, text(parts[1])?, text(parts[2])?];
                    if y.trim().is_empty() {
                        Parsed::Null
                    } else {
                        let (date, prec) =
                            parse::parse_date_parts(&y, &m, &d).map_err(|(part, e)| (Some(parts[part]), e))?;
                        match rule {
                            Some(Rule::DateParts { .. }) => Parsed::Date(epoch_days(date)),
                            _ => Parsed::Text(prec.as_str().into()),
                        }
                    }
                }
                Some(Rule::Precision { idx, codes }) => match known(&text(*idx)?) {
                    None => Parsed::Null,
                    // A code re-saved as a float by pandas or a spreadsheet (`1.0`) is the code `1`.
                    Some(v) => match codes.iter().find(|(c, _)| c.eq_ignore_ascii_case(v) || c == parse::whole(v)) {
                        Some((_, p)) => Parsed::Text(p.as_str().into()),
                        None => {
                            let valid: Vec<&str> = codes.iter().map(|(c, _)| c.as_str()).collect();
                            return Err((
                                Some(*idx),
                                format!("unknown date precision code (expected {})", valid.join(", ")),
                            ));
                        }
                    },
                },
                Some(Rule::Count { idx, unknown, approx }) => match nonempty(&text(*idx)?) {
                    None => Parsed::Null,
                    Some(v) => match parse::parse_count(v, unknown) {
                        Ok(Some(n)) => Parsed::Int(n),
                        Ok(None) => Parsed::Null,
                        Err(e) => match parse::parse_approx_count(v).filter(|_| *approx) {
                            Some((low, high)) => {
                                notes.approx += 1;
                                if k == self.fatalities_pos {
                                    notes.fatalities_high = high;
                                }
                                Parsed::Int(low)
                            }
                            None => return Err((Some(*idx), e)),
                        },
                    },
                },
                Some(Rule::Coord { idx, limit }) => match nonempty(&text(*idx)?) {
                    None => Parsed::Null,
                    Some(v) => match parse::parse_coordinate(v, *limit).map_err(|e| (Some(*idx), e))? {
                        Some(x) => Parsed::Float(x),
                        None => Parsed::Null,
                    },
                },
            };
            cells[k] = cell;
        }
        if let Some(a) = notes.approx_date {
            // The date says how precisely it is known, when that is coarser than the layout's precision.
            let given = match &cells[self.precision_pos] {
                Parsed::Text(p) => p.parse::<DatePrecision>().ok(),
                _ => None,
            };
            if given.is_none_or(|g| a.precision > g) {
                cells[self.precision_pos] = Parsed::Text(Cow::Borrowed(a.precision.as_str()));
            }
            if let (Some(end), Parsed::Null) = (a.end, &cells[self.end_pos]) {
                cells[self.end_pos] = Parsed::Date(epoch_days(end));
            }
        }
        if !self.layout.actor_separators.is_empty() {
            if let Parsed::Text(v) = &cells[self.actor_pos] {
                let mut joined = v.to_string();
                for sep in &self.layout.actor_separators {
                    joined = joined.replace(sep.as_str(), ", ");
                }
                cells[self.actor_pos] = Parsed::Text(Cow::Owned(joined));
            }
        }
        self.check_row(&cells[..], notes.pending.iter().any(Option::is_some))?;
        let mut kept = Vec::with_capacity(self.kept.len());
        for (idx, _) in &self.kept {
            let v = text(*idx)?;
            kept.push(if v.is_empty() { None } else { Some(v) });
        }
        Ok((kept, notes))
    }

    /// Checks across columns: a date is required, and an end date cannot
    /// precede it (checked once the order is known when a date is `pending`).
    fn check_row(&self, cells: &[Parsed<'_>], pending: bool) -> std::result::Result<(), (Option<usize>, String)> {
        let source_idx = |c: &str| self.layout.rule_for(c).and_then(|r| r.sources().first().copied());
        let (date, end) = (&cells[self.date_pos], &cells[self.end_pos]);
        match (date, end) {
            (Parsed::Null, _) => Err((source_idx(col::DATE), "missing date".into())),
            (Parsed::Date(s), Parsed::Date(e)) if e < s && !pending => {
                let start = from_epoch_days(*s).map(|d| d.to_string()).unwrap_or_default();
                Err((source_idx(col::DATE_END), format!("end date is before the start date {start}")))
            }
            _ => Ok(()),
        }
    }

    /// The accepted rows as a frame: canonical columns, kept columns, then the
    /// internal `__row`, `__line` and `__hashed` columns.
    pub fn finish(mut self) -> Result<DataFrame> {
        let n = self.accepted;
        let (high_pos, highs) = (self.high_pos, std::mem::take(&mut self.highs));
        let (end_pos, ends) = (self.end_pos, std::mem::take(&mut self.ends));
        let raws = std::mem::take(&mut self.raws);
        let mut cols: Vec<Column> = self
            .builders
            .into_iter()
            .zip(CANONICAL)
            .enumerate()
            .map(|(k, (b, (name, ty)))| match b {
                Some(b) => b.finish(),
                // The high ends of approximate fatality ranges, when the layout has no column of its own.
                None if k == high_pos && !highs.is_empty() => {
                    Column::new((*name).into(), sparse(n, highs.iter().map(|(i, h)| (*i, Some(*h)))))
                }
                // The last days of ranges (`2024-01-05/07`), when the layout has no column of its own.
                None if k == end_pos && !ends.is_empty() => {
                    let days = sparse(n, ends.iter().map(|(i, d)| (*i, Some(*d))));
                    Int32Chunked::from_iter(days).into_date().into_series().with_name((*name).into()).into()
                }
                None => Column::full_null((*name).into(), n, &dtype_of(*ty)),
            })
            .collect();
        cols.extend(self.kept.into_iter().map(|(_, b)| b.finish().into_series().into()));
        cols.push(self.rows.finish().into_series().into());
        cols.push(self.lines.finish().into_series().into());
        cols.push(self.hashed.finish().into_series().into());
        for (slot, names) in PENDING.iter().enumerate() {
            for (which, name) in names.iter().enumerate() {
                let values = self.pending.iter().filter_map(|(i, p)| p[slot].map(|r| (*i, [r.0, r.1][which])));
                cols.push(pending_column(name, n, values));
            }
        }
        // Last, so frames of ranges with and without it line up the same way when stacked.
        if !raws.is_empty() {
            cols.push(Column::new(DATE_RAW.into(), sparse(n, raws.into_iter().map(|(i, r)| (i, Some(r))))));
        }
        Ok(DataFrame::new_infer_height(cols)?)
    }
}

/// A record's fields in order.
fn fields(rec: &impl Fields) -> impl Iterator<Item = &[u8]> {
    (0..rec.count()).map(|i| rec.field(i).unwrap_or_default())
}

/// An internal date column: null except at the given rows (a constant null
/// column, which costs nothing, when there are none).
fn pending_column(name: &str, n: usize, values: impl Iterator<Item = (usize, Option<i32>)>) -> Column {
    let mut values = values.peekable();
    if values.peek().is_none() {
        return Column::full_null(name.into(), n, &DataType::Int32);
    }
    Column::new(name.into(), sparse(n, values))
}

/// `n` values, null but at the given rows: the columns a few rows fill
/// (approximate ranges, qualified dates, pending date orders).
fn sparse<T: Clone>(n: usize, values: impl Iterator<Item = (usize, Option<T>)>) -> Vec<Option<T>> {
    let mut v: Vec<Option<T>> = vec![None; n];
    for (i, x) in values {
        v[i] = x;
    }
    v
}

fn nonempty(s: &str) -> Option<&str> {
    let t = trim(s);
    (!t.is_empty()).then_some(t)
}

/// `s.trim()`, without walking characters when `s` starts and ends with an
/// ASCII byte that is not white space (nearly every cell), since then
/// there is nothing to trim.
fn trim(s: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !matches!(b, b' ' | b'\t'..=b'\r'));
    if solid(s.as_bytes().first()) && solid(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
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
pub fn number_repeated_hashes(df: DataFrame) -> Result<DataFrame> {
    Numbering::default().number(df)
}

/// [`number_repeated_hashes`] over a file read in batches: the count of each
/// hashed id so far (keyed by a 128-bit hash of it, so memory stays small).
#[derive(Debug, Default)]
pub struct Numbering(HashMap<u128, u32>);

impl Numbering {
    /// Number the repeated hashed ids of `df`, the file's next rows.
    pub fn number(&mut self, mut df: DataFrame) -> Result<DataFrame> {
        let hashed = df.column(HASHED)?.bool()?.clone();
        if !hashed.any() {
            return Ok(df);
        }
        let ids = df.column(col::INCIDENT_ID)?.str()?.clone();
        let mut repeats = false;
        let numbered: StringChunked = ids
            .iter()
            .zip(hashed.iter())
            .map(|(id, h)| match (id, h) {
                (Some(id), Some(true)) => {
                    let n = self.0.entry(xxhash_rust::xxh3::xxh3_128(id.as_bytes())).or_insert(0);
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
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The quick trim is `str::trim`, on any text.
        #[test]
        fn trim_is_str_trim(s in "[ \\t\\n\\r\\x0b\\x0c\\x1c\\x1f\\u{85}\\u{a0}\\u{2000}\\u{3000}a-c,é]{0,6}") {
            prop_assert_eq!(super::trim(&s), s.trim());
        }
    }
}
