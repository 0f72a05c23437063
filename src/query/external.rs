//! A base aggregate written by an engine ([`crate::sql::base::statement`]),
//! read back (`--aggregate`): a CSV or Parquet file, or a folder of them. A folder's `part-*`
//! files (what Spark and BigQuery's `EXPORT DATA` write) are the pieces of
//! one result; its other `.csv` and `.parquet` files and sub-folders are
//! results of their own, so one folder can hold a whole report's queries.
//! Each result says what it counts (its `coverage` row's `query`), and a
//! query takes the one that counts what it asks ([`find`]).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, Result};
use chrono::Weekday;

use super::aggregate::{AggRow, Counted};
use super::{Aggregate, Period, Query};
use crate::schema::DatePrecision;

/// The columns of a base aggregate before and after the groups.
pub const LEAD: [&str; 2] = ["row_kind", "period_start"];
/// The columns after the groups.
pub const TAIL: [&str; 9] = [
    "date_precision",
    "incidents",
    "fatalities",
    "fatalities_unknown",
    "injured",
    "injured_unknown",
    "first_date",
    "last_date",
    "query",
];

/// Follows the description in the `query` cell: the table the engine read
/// (the source a chart's footer names).
pub const TABLE_KEY: &str = ";table=";

/// Version tag of the base aggregate layout, first in every description.
const LAYOUT: &str = "sitrep-base-1";

/// What a base aggregate counts: the parts of a query an engine computes.
/// Shapes (top-N, zero fill, rolling, running totals, comparisons, sort),
/// metrics and declared coverage are applied by sitrep afterwards and are
/// not part of it.
pub fn describe(q: &Query) -> String {
    let date = |d: Option<chrono::NaiveDate>| d.map_or_else(String::new, |d| d.to_string());
    let every = match q.every {
        None => "none".to_string(),
        Some(Period::Week { start }) => format!("week:{}", weekday(start)),
        Some(Period::Days { n, anchor }) => format!("{n}d@{anchor}"),
        Some(p) => p.to_string(),
    };
    let filters: Vec<String> = q.filters.iter().map(|(col, v)| format!("{col}={}", v.join("|"))).collect();
    format!(
        "{LAYOUT};every={every};by={};from={};to={};where={};min_precision={};split_actors={}",
        q.by.join(","),
        date(q.from),
        date(q.to),
        filters.join("&"),
        q.min_precision.map_or("", |p| p.as_str()),
        q.split_actors
    )
}

fn weekday(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// One engine result.
#[derive(Debug, Clone)]
pub struct BaseAggregate {
    /// The file or folder it was read from.
    pub path: PathBuf,
    /// What it counts ([`describe`]).
    pub query: String,
    /// The table the engine read.
    pub table: String,
    /// Rows in that table.
    pub table_rows: u64,
    /// Its group columns.
    pub by: Vec<String>,
    /// Its counts; without `--every` the rows' period is set when assembled.
    pub counted: Counted,
    /// Each group's counts over the whole table (no dates, no filters), for
    /// ranking groups as a local run does (a chart's colours).
    pub ranking: Counted,
}

impl BaseAggregate {
    /// The aggregate of `q`, which must count what this result counts.
    pub fn aggregate(&self, q: &Query) -> Aggregate {
        crate::query::aggregate::assemble(q, self.counted.clone())
    }

    /// The engine's table as an input, for what a chart's footer and a page
    /// say the counts come from (named as a local run names its file).
    pub fn summary(&self) -> crate::ingest::FileSummary {
        let name = self.table.trim_end_matches('/').rsplit(['/', '\\']).next().unwrap_or(&self.table);
        let name = if name.is_empty() { self.path.display().to_string() } else { name.trim_matches('`').to_string() };
        crate::ingest::FileSummary::whole(
            name,
            format!("base aggregate of {} computed by an engine", self.table),
            crate::ingest::Format::Parquet,
            self.table_rows,
        )
    }

    /// The groups' counts over the whole table as the aggregate of `all`
    /// (the query's grouping and split without dates, filters or period).
    pub fn ranking(&self, all: &Query) -> Aggregate {
        crate::query::aggregate::assemble(all, Counted { data: self.counted.data, ..self.ranking.clone() })
    }
}

/// Every result under `paths` (files or folders).
pub fn read_all(paths: &[PathBuf]) -> Result<Vec<BaseAggregate>> {
    let mut out = Vec::new();
    for p in paths {
        collect(p, &mut out)?;
    }
    Ok(out)
}

/// The result that counts what `q` asks, or an error saying what is there
/// and how to make the missing one.
pub fn find<'a>(results: &'a [BaseAggregate], q: &Query) -> Result<&'a BaseAggregate> {
    let want = describe(q);
    if let Some(r) = results.iter().find(|r| r.query == want) {
        return Ok(r);
    }
    let have: Vec<String> = results.iter().map(|r| format!("{} ({})", r.path.display(), r.query)).collect();
    Err(Error::Usage(format!(
        "--aggregate: no result counts {want}; there {}: {}. Run `sitrep sql` with this query's flags \
         (--every, --week-start, --anchor, --by, --from, --to, --where, --min-precision, --split-actors) \
         on the engine and pass its result",
        if have.len() == 1 { "is" } else { "are" },
        if have.is_empty() { "none".to_string() } else { have.join("; ") }
    )))
}

fn is_data(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "parquet"))
}

fn collect(path: &Path, out: &mut Vec<BaseAggregate>) -> Result<()> {
    if !path.is_dir() {
        if !path.exists() {
            return Err(Error::Usage(format!("--aggregate: {} does not exist", path.display())));
        }
        out.push(read_parts(path, &[path.to_path_buf()])?);
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::format(path, format!("cannot list the folder: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| !n.starts_with(['.', '_'])))
        .collect();
    entries.sort();
    let is_part = |p: &PathBuf| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("part-"));
    let parts: Vec<PathBuf> = entries.iter().filter(|p| p.is_file() && is_part(p)).cloned().collect();
    if !parts.is_empty() {
        out.push(read_parts(path, &parts)?);
    }
    for e in entries.iter().filter(|p| !is_part(p)) {
        if e.is_dir() || is_data(e) {
            collect(e, out)?;
        }
    }
    if out.is_empty() {
        return Err(Error::Usage(format!(
            "--aggregate: {} holds no result (CSV or Parquet files written by the engine)",
            path.display()
        )));
    }
    Ok(())
}

/// A file's rows as text (header first), with the line or row each came from.
fn records(path: &Path) -> Result<Vec<(u64, Vec<String>)>> {
    if path.extension().and_then(|e| e.to_str()) == Some("parquet") {
        let df = crate::ingest::source::read_parquet(path)?;
        let recs = crate::ingest::source::parquet_records(path, &df)?;
        return recs
            .into_iter()
            .map(|(line, r)| {
                let r = r.map_err(|_| Error::format(path, format!("row {line} cannot be read")))?;
                Ok((line, r.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()))
            })
            .collect();
    }
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .map_err(|e| Error::format(path, format!("cannot be read: {e}")))?;
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| Error::format(path, format!("is not valid CSV: {e}")))?;
        let line = rec.position().map_or(0, |p| p.line());
        out.push((line, rec.iter().map(str::to_string).collect()));
    }
    Ok(out)
}

/// One result from its pieces (each with its header).
fn read_parts(path: &Path, parts: &[PathBuf]) -> Result<BaseAggregate> {
    let mut header: Option<Vec<String>> = None;
    let mut counted = Counted::default();
    let mut query: Option<String> = None;
    let mut by: Vec<String> = Vec::new();
    let mut distinct: Option<u64> = None;
    let mut ranking = Counted::default();
    let mut table_rows = 0;
    for part in parts {
        let recs = records(part)?;
        let Some(((_, head), rows)) = recs.split_first() else { continue };
        match &header {
            Some(h) if h != head => {
                return Err(Error::format(part, format!("has columns {head:?}, other pieces of the result {h:?}")))
            }
            Some(_) => {}
            None => {
                by = check_header(part, head)?;
                header = Some(head.clone());
            }
        }
        for (line, r) in rows {
            let row = Row { path: part, line: *line, head, r };
            let kind = row.text("row_kind")?.unwrap_or_default();
            match kind.as_str() {
                "placed" | "rank" => {
                    let into = if kind == "placed" { &mut counted } else { &mut ranking };
                    let first = row.date("first_date")?;
                    let last = row.date("last_date")?;
                    into.first = min_opt(into.first, first);
                    into.last = max_opt(into.last, last);
                    into.rows.push(AggRow {
                        period: row.date("period_start")?.unwrap_or(NaiveDate::MIN),
                        group: by.iter().map(|b| row.text(b)).collect::<Result<_>>()?,
                        is_other: false,
                        incidents: row.count("incidents")?,
                        fatalities: row.int("fatalities")?,
                        fatalities_unknown: row.count("fatalities_unknown")?,
                        injured: row.int("injured")?,
                        injured_unknown: row.count("injured_unknown")?,
                    });
                }
                "unplaced" => {
                    let p = row.text("date_precision")?.unwrap_or_default();
                    let p: DatePrecision = p.parse().map_err(|_| row.bad("date_precision", &p, "a date precision"))?;
                    counted.unplaced.push((p, row.count("incidents")?));
                }
                "incidents" => distinct = Some(distinct.unwrap_or(0) + row.count("incidents")?),
                "coverage" => {
                    counted.data = row.date("first_date")?.zip(row.date("last_date")?);
                    query = row.text("query")?;
                    table_rows = row.count("incidents")?;
                }
                other => return Err(row.bad("row_kind", other, "placed, unplaced, incidents, rank or coverage")),
            }
        }
    }
    let Some(query) = query else {
        return Err(Error::format(
            path,
            "has no coverage row: it is not a whole result of `sitrep sql` (every piece of the engine's output is needed)",
        ));
    };
    if query.contains("split_actors=true") && distinct.is_none() {
        return Err(Error::format(path, "counts split actors but has no incidents row"));
    }
    counted.distinct = distinct;
    let (query, table) = match query.split_once(TABLE_KEY) {
        Some((q, t)) => (q.to_string(), t.to_string()),
        None => (query, String::new()),
    };
    Ok(BaseAggregate { path: path.to_path_buf(), query, table, table_rows, by, counted, ranking })
}

/// The group columns of a header (those between the lead and the tail).
fn check_header(path: &Path, head: &[String]) -> Result<Vec<String>> {
    let n = head.len();
    let ok = n >= LEAD.len() + TAIL.len()
        && head[..LEAD.len()].iter().zip(LEAD).all(|(a, b)| a == b)
        && head[n - TAIL.len()..].iter().zip(TAIL).all(|(a, b)| a == b);
    if !ok {
        return Err(Error::format(
            path,
            format!(
                "is not a base aggregate of `sitrep sql`: its columns are {head:?}; expected {}, the group columns, {}",
                LEAD.join(", "),
                TAIL.join(", ")
            ),
        ));
    }
    Ok(head[LEAD.len()..n - TAIL.len()].to_vec())
}

fn min_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// One row of a result, for typed reads with errors naming file, line, column and value.
struct Row<'a> {
    path: &'a Path,
    line: u64,
    head: &'a [String],
    r: &'a [String],
}

impl Row<'_> {
    fn bad(&self, column: &str, value: &str, expected: &str) -> Error {
        Error::format(self.path, format!("line {}, column {column}: {value:?} is not {expected}", self.line))
    }

    /// The cell, `None` when empty (engines write NULL as an empty field).
    fn text(&self, column: &str) -> Result<Option<String>> {
        let k = self.head.iter().position(|h| h == column).ok_or_else(|| {
            Error::format(self.path, format!("has no column {column:?} (its columns: {})", self.head.join(", ")))
        })?;
        let v = self.r.get(k).map(String::as_str).unwrap_or("");
        Ok((!v.is_empty()).then(|| v.to_string()))
    }

    fn date(&self, column: &str) -> Result<Option<NaiveDate>> {
        match self.text(column)? {
            None => Ok(None),
            // Engines may write a DATE as a timestamp at midnight.
            Some(v) => NaiveDate::parse_from_str(v.get(..10).unwrap_or(&v), "%Y-%m-%d")
                .map(Some)
                .map_err(|_| self.bad(column, &v, "a date (YYYY-MM-DD)")),
        }
    }

    fn count(&self, column: &str) -> Result<u64> {
        let v = self.text(column)?.unwrap_or_default();
        v.parse().map_err(|_| self.bad(column, &v, "a count"))
    }

    fn int(&self, column: &str) -> Result<i64> {
        let v = self.text(column)?.unwrap_or_default();
        v.parse().map_err(|_| self.bad(column, &v, "a whole number"))
    }
}
