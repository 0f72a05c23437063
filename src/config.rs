//! `sitrep.toml`: data sources, normalisation files, week convention, anchor
//! dates, and named chart and table definitions for `report` and `weekly`.
//! Unknown keys are errors that name the key and list the valid ones (serde's
//! `deny_unknown_fields`); values are checked here, naming the entry and key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, NaiveDate};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::query::period::{parse_weekday, Period};
use crate::query::spec::{parse_date_flag, parse_filter, Metric, Query};
use crate::render::chart::ChartKind;
use crate::schema::DatePrecision;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Inputs and normalisation.
    pub data: DataConfig,
    /// Week convention, time zone, anchors.
    #[serde(default)]
    pub time: TimeConfig,
    /// `sitrep report` output.
    #[serde(default)]
    pub report: ReportConfig,
    /// Charts `report` draws.
    #[serde(default, rename = "chart")]
    pub charts: Vec<ChartDef>,
    /// Tables `report` writes.
    #[serde(default, rename = "table")]
    pub tables: Vec<TableDef>,
    /// `sitrep weekly` settings.
    #[serde(default)]
    pub weekly: WeeklyConfig,
    /// The file it was read from; relative paths in it are relative to its folder.
    #[serde(skip)]
    pub path: PathBuf,
}

/// `[data]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Incident files or stores.
    pub files: Vec<PathBuf>,
    /// Preset for all files (default auto).
    #[serde(default = "auto")]
    pub preset: String,
    /// Mapping file instead of a preset.
    pub mapping: Option<PathBuf>,
    /// Alias files on top of the shipped table.
    #[serde(default)]
    pub aliases: Vec<PathBuf>,
    /// Taxonomy files on top of the shipped ones.
    #[serde(default)]
    pub taxonomies: Vec<PathBuf>,
    /// Key events for charts.
    pub annotations: Option<PathBuf>,
    /// Attribution printed in chart footers and the weekly methodology line.
    #[serde(default)]
    pub attribution: String,
}

fn auto() -> String {
    "auto".into()
}

/// `[time]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeConfig {
    /// First day of the week (mon … sun).
    #[serde(default = "mon")]
    pub week_start: String,
    /// UTC offset of the data cutoff, e.g. "+03:00" (used only to pick today's date).
    #[serde(default = "utc")]
    pub utc_offset: String,
    /// Named anchor dates for running totals ("since the campaign began").
    #[serde(default)]
    pub anchors: BTreeMap<String, String>,
}

impl Default for TimeConfig {
    fn default() -> Self {
        TimeConfig { week_start: mon(), utc_offset: utc(), anchors: BTreeMap::new() }
    }
}

fn mon() -> String {
    "mon".into()
}

fn utc() -> String {
    "+00:00".into()
}

/// `[report]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// Output folder for charts and tables.
    #[serde(default = "charts_dir")]
    pub out: PathBuf,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig { out: charts_dir() }
    }
}

fn charts_dir() -> PathBuf {
    "charts".into()
}

/// The query keys shared by charts and tables.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryDef {
    /// Period (day, week, month, quarter, year, Nd).
    pub every: Option<String>,
    /// Group-by columns.
    #[serde(default)]
    pub by: Vec<String>,
    /// Metrics.
    #[serde(default)]
    pub metrics: Vec<String>,
    /// First date.
    pub from: Option<String>,
    /// Last date.
    pub to: Option<String>,
    /// `column=v1,v2` filters.
    #[serde(default, rename = "where")]
    pub filters: Vec<String>,
    /// Minimum date precision.
    pub min_precision: Option<String>,
    /// Top N groups.
    pub top: Option<usize>,
    /// Zero-filled grid.
    #[serde(default)]
    pub fill_zeros: bool,
    /// Rolling mean window.
    pub rolling: Option<usize>,
    /// Running total.
    #[serde(default)]
    pub cumulative: bool,
    /// Running total from this date, or from a named anchor.
    pub since: Option<String>,
    /// Compare with previous periods.
    pub compare: Option<usize>,
    /// Split multi-actor cells.
    #[serde(default)]
    pub split_actors: bool,
}

/// A `[[chart]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartDef {
    /// Output name (file stem); letters, digits, `-` and `_` only.
    pub name: String,
    /// Chart kind.
    pub kind: String,
    /// Title (default derived from the query).
    pub title: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Formats to write (default svg and png).
    #[serde(default = "both")]
    pub formats: Vec<String>,
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
    /// PNG scale.
    pub scale: Option<f32>,
    /// Only in `weekly`: the chart covers this many weeks up to the report week.
    pub weeks: Option<u32>,
    /// The query.
    #[serde(flatten)]
    pub query: QueryDef,
}

fn both() -> Vec<String> {
    vec!["svg".into(), "png".into()]
}

/// A `[[table]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    /// Output name (file stem).
    pub name: String,
    /// Formats: csv, json, md (default csv and md).
    #[serde(default = "csv_md")]
    pub formats: Vec<String>,
    /// The query.
    #[serde(flatten)]
    pub query: QueryDef,
}

fn csv_md() -> Vec<String> {
    vec!["csv".into(), "md".into()]
}

/// `[weekly]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyConfig {
    /// Output folder (one subfolder per ISO week).
    #[serde(default = "reports_dir")]
    pub out: PathBuf,
    /// How many top actors, target types and weapons to list.
    #[serde(default = "five")]
    pub top: usize,
    /// Charts in each weekly folder.
    #[serde(default, rename = "chart")]
    pub charts: Vec<ChartDef>,
}

impl Default for WeeklyConfig {
    fn default() -> Self {
        WeeklyConfig { out: reports_dir(), top: five(), charts: Vec::new() }
    }
}

fn reports_dir() -> PathBuf {
    "reports".into()
}

fn five() -> usize {
    5
}

impl Config {
    /// Read and check a configuration file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parse and check configuration text.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let mut c: Config =
            toml::from_str(text).map_err(|e| Error::Config { path: path.into(), message: e.to_string() })?;
        c.path = path.to_path_buf();
        c.validate()?;
        Ok(c)
    }

    fn err(&self, message: String) -> Error {
        Error::Config { path: self.path.clone(), message }
    }

    /// A path from the config, relative to the config file's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        match self.path.parent() {
            Some(dir) if p.is_relative() && !dir.as_os_str().is_empty() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    /// The week start day.
    pub fn week_start(&self) -> Result<chrono::Weekday> {
        parse_weekday(&self.time.week_start).map_err(|e| self.err(format!("time.week_start: {e}")))
    }

    /// The cutoff time zone as a fixed offset.
    pub fn utc_offset(&self) -> Result<FixedOffset> {
        let s = self.time.utc_offset.trim();
        let bad = || self.err(format!("time.utc_offset: {s:?} is not an offset like \"+03:00\" or \"-05:00\""));
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+') => (1, &s[1..]),
            Some(b'-') => (-1, &s[1..]),
            _ => return Err(bad()),
        };
        let (h, m) = rest.split_once(':').ok_or_else(bad)?;
        let secs = h.parse::<i32>().map_err(|_| bad())? * 3600 + m.parse::<i32>().map_err(|_| bad())? * 60;
        FixedOffset::east_opt(sign * secs).ok_or_else(bad)
    }

    /// Named anchors as dates.
    pub fn anchors(&self) -> Result<Vec<(String, NaiveDate)>> {
        self.time
            .anchors
            .iter()
            .map(|(k, v)| {
                Ok((k.clone(), parse_date_flag(&format!("time.anchors.{k}"), v).map_err(|e| self.err(e.to_string()))?))
            })
            .collect()
    }

    /// Build the query of a chart or table entry.
    pub fn query(&self, what: &str, d: &QueryDef) -> Result<Query> {
        let e = |key: &str, m: String| self.err(format!("{what}: {key}: {m}"));
        let week_start = self.week_start()?;
        let every = d
            .every
            .as_deref()
            .map(|s| Period::parse(s, week_start, None))
            .transpose()
            .map_err(|x| e("every", x.to_string()))?;
        let date = |key: &str, v: &Option<String>| -> Result<Option<NaiveDate>> {
            v.as_deref().map(|s| parse_date_flag(key, s).map_err(|x| e(key, x.to_string()))).transpose()
        };
        let since = match &d.since {
            None => None,
            Some(s) => match self.anchors()?.into_iter().find(|(k, _)| k == s) {
                Some((_, a)) => Some(a),
                None => Some(parse_date_flag("since", s).map_err(|_| {
                    let names: Vec<String> = self.time.anchors.keys().cloned().collect();
                    e("since", format!("{s:?} is neither a date nor an anchor (anchors: {})", names.join(", ")))
                })?),
            },
        };
        let metrics = if d.metrics.is_empty() {
            vec![Metric::Incidents]
        } else {
            Metric::parse_list(&d.metrics.join(",")).map_err(|x| e("metrics", x.to_string()))?
        };
        Ok(Query {
            from: date("from", &d.from)?,
            to: date("to", &d.to)?,
            filters: d
                .filters
                .iter()
                .map(|f| parse_filter(f))
                .collect::<Result<_>>()
                .map_err(|x| e("where", x.to_string()))?,
            min_precision: d
                .min_precision
                .as_deref()
                .map(|p| p.parse::<DatePrecision>())
                .transpose()
                .map_err(|x| e("min_precision", x))?,
            every,
            by: d.by.clone(),
            metrics,
            split_actors: d.split_actors,
            top: d.top,
            fill_zeros: d.fill_zeros,
            rolling: d.rolling,
            cumulative: d.cumulative || since.is_some(),
            since,
            compare: d.compare,
        })
    }

    fn validate(&self) -> Result<()> {
        self.week_start()?;
        self.utc_offset()?;
        self.anchors()?;
        crate::ingest::Preset::NAMES.iter().find(|n| n.eq_ignore_ascii_case(self.data.preset.trim())).ok_or_else(
            || {
                self.err(format!(
                    "data.preset: unknown preset {:?} (choose from {})",
                    self.data.preset,
                    crate::ingest::Preset::NAMES.join(", ")
                ))
            },
        )?;
        if self.data.files.is_empty() {
            return Err(self.err("data.files: give at least one input file".into()));
        }
        let mut names = std::collections::BTreeSet::new();
        let charts =
            self.charts.iter().map(|c| ("chart", c)).chain(self.weekly.charts.iter().map(|c| ("weekly.chart", c)));
        for (what, c) in charts {
            let label = format!("{what} {:?}", c.name);
            check_name(&c.name).map_err(|m| self.err(format!("{label}: name: {m}")))?;
            ChartKind::parse(&c.kind).map_err(|x| self.err(format!("{label}: kind: {x}")))?;
            for f in &c.formats {
                if !["svg", "png"].contains(&f.as_str()) {
                    return Err(self.err(format!("{label}: formats: {f:?} (choose from svg, png)")));
                }
            }
            let q = self.query(&label, &c.query)?;
            if q.every.is_none() {
                return Err(self.err(format!(
                    "{label}: every: charts need a period (choose from {})",
                    crate::query::period::EVERY_CHOICES
                )));
            }
            if !names.insert(format!("{what}/{}", c.name)) {
                return Err(self.err(format!("{label}: name used twice")));
            }
        }
        let charts: std::collections::BTreeSet<String> = self.charts.iter().map(|c| c.name.clone()).collect();
        for t in &self.tables {
            let label = format!("table {:?}", t.name);
            check_name(&t.name).map_err(|m| self.err(format!("{label}: name: {m}")))?;
            for f in &t.formats {
                if !["csv", "json", "md"].contains(&f.as_str()) {
                    return Err(self.err(format!("{label}: formats: {f:?} (choose from csv, json, md)")));
                }
            }
            self.query(&label, &t.query)?;
            if charts.contains(&t.name) || !names.insert(format!("table/{}", t.name)) {
                return Err(self.err(format!("{label}: name used twice")));
            }
        }
        Ok(())
    }
}

/// Output names become file names: no separators, no `..`, nothing hidden.
pub fn check_name(name: &str) -> std::result::Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok && !name.contains("..") {
        Ok(())
    } else {
        Err(format!("{name:?} must be letters, digits, '-', '_' or '.', not starting with '.'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_keys_and_values_are_named() {
        let p = Path::new("sitrep.toml");
        let err = Config::parse("[data]\nfiles = [\"a.csv\"]\nfilez = 1\n", p).unwrap_err().to_string();
        assert!(err.contains("unknown field `filez`"), "{err}");
        let err = Config::parse(
            "[data]\nfiles = [\"a.csv\"]\n[[chart]]\nname = \"x\"\nkind = \"pie\"\nevery = \"week\"\n",
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("chart \"x\": kind: --kind: unknown chart kind \"pie\""), "{err}");
        let err = Config::parse(
            "[data]\nfiles = [\"a.csv\"]\n[[chart]]\nname = \"../x\"\nkind = \"bar\"\nevery = \"week\"\n",
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("name: \"../x\" must be"), "{err}");
        let err = Config::parse("[data]\nfiles = [\"a.csv\"]\n[time]\nweek_start = \"caturday\"\n", p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("time.week_start"), "{err}");
        let ok = Config::parse("[data]\nfiles = [\"a.csv\"]\n[time]\nanchors = { campaign = \"2023-10-17\" }\n[[table]]\nname = \"t\"\nevery = \"week\"\nsince = \"campaign\"\n", p).unwrap();
        let q = ok.query("t", &ok.tables[0].query).unwrap();
        assert_eq!(q.since, NaiveDate::from_ymd_opt(2023, 10, 17));
        assert!(q.cumulative);
    }
}
