//! `sitrep.toml`: data sources, normalisation files, week convention, anchor
//! dates, and named chart and table definitions for `report` and `weekly`.
//!
//! Two stages (as ripgrep's low and high arguments): the file is read into
//! [`ConfigFile`] (serde; unknown keys are errors that name the key and list
//! the valid ones), then every value is checked and turned into typed
//! settings, [`Config`], at load. Queries go through the same
//! [`QueryDef::to_query`] as command-line flags, so the two cannot drift;
//! errors name the entry and key as written in the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, NaiveDate, Weekday};
use serde::Deserialize;

use crate::atomic::check_name;
use crate::error::{Error, Result};
use crate::ingest::{DateOrder, Mapping, Preset};
use crate::pipeline::Inputs;
use crate::query::def::{Origin, QueryDef};
use crate::query::named::NamedPeriod;
use crate::query::period::parse_weekday;
use crate::query::weekly::CasualtyRank;
use crate::query::{Coverage, Query};
use crate::render::chart::{ChartFormat, ChartKind, ChartOptions, ChartSize, YScale};
use crate::render::format::OutputFormat;
use crate::schema::dates::parse_date_arg;

/// The configuration file as written (values not yet checked).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
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
    /// Colours of groups by name, in every chart: `"Kataib Hezbollah" = "#882255"`.
    #[serde(default)]
    pub colors: BTreeMap<String, String>,
}

/// `[data]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Incident files or stores.
    #[serde(default)]
    pub files: Vec<PathBuf>,
    /// Instead of incidents: results of `sitrep sql` an engine computed
    /// (files or folders), one per query the report runs.
    #[serde(default)]
    pub aggregate: Vec<PathBuf>,
    /// Preset for all files (default auto).
    #[serde(default = "auto")]
    pub preset: String,
    /// Mapping file instead of a preset.
    pub mapping: Option<PathBuf>,
    /// Order of all-number dates: "dmy" or "mdy" (default: decided per file).
    pub date_order: Option<String>,
    /// The data is complete through this date ("YYYY-MM-DD" or "today").
    pub as_of: Option<String>,
    /// The data is complete from this date (before its first incident).
    pub covers_from: Option<String>,
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
    /// Merge cross-source duplicates before counting (see `sitrep dedup`).
    #[serde(default)]
    pub dedup: bool,
    /// Most days apart for `dedup` (default 1).
    pub dedup_days: Option<i64>,
    /// Most kilometres apart for `dedup` (default 5).
    pub dedup_km: Option<f64>,
    /// Dataset names by file, for comparing sources (`--by dataset`): `sources = { "data/dod.csv" = "DoD" }`.
    #[serde(default)]
    pub sources: BTreeMap<PathBuf, String>,
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
    /// Named periods: `"Gaza truce" = { from = "2023-11-24", to = "2023-11-30" }`.
    #[serde(default)]
    pub periods: BTreeMap<String, PeriodSpan>,
    /// Named periods from a CSV file (name,from,to), relative to this file.
    pub periods_file: Option<PathBuf>,
}

/// The days of a named period, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodSpan {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
}

impl Default for TimeConfig {
    fn default() -> Self {
        TimeConfig {
            week_start: mon(),
            utc_offset: utc(),
            anchors: BTreeMap::new(),
            periods: BTreeMap::new(),
            periods_file: None,
        }
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
    /// Chart labels for group values: `labels = { "Unclaimed" = "No claim yet" }`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The title of the report page (`index.html`).
    #[serde(default = "report_title")]
    pub title: String,
    /// Words for columns in chart titles: `words = { location = "base" }`.
    #[serde(default)]
    pub words: BTreeMap<String, String>,
}

fn report_title() -> String {
    "Report".into()
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig { out: charts_dir(), labels: BTreeMap::new(), title: report_title(), words: BTreeMap::new() }
    }
}

fn charts_dir() -> PathBuf {
    "charts".into()
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
    /// Small multiples: "shared" (default) or "free" y scales.
    pub y_scale: Option<String>,
    /// Heatmap: write each cell's count in it.
    pub values: Option<bool>,
    /// Bar, stacked and line charts: mark periods where the 30-day alert fired.
    pub alerts: Option<bool>,
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
    /// One row per named period (`[time.periods]`) instead of counts by period.
    #[serde(default)]
    pub by_period_name: bool,
    /// Escalation flags per period (times the long-run mean, highest in N, highest since, alert).
    #[serde(default)]
    pub escalation: bool,
    /// The long-run mean counts periods from this date or anchor.
    pub mean_since: Option<String>,
    /// The long-run mean counts only the previous N periods.
    pub mean_of: Option<usize>,
    /// The alert needs at least this many incidents in 30 days (default 10).
    pub alert_min: Option<u64>,
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
    /// How the incidents with the most casualties are ranked: "killed+wounded" (default) or "killed".
    pub rank_casualties: Option<String>,
    /// The long-run mean of the escalation flags counts weeks from this date or anchor (default: all).
    pub mean_since: Option<String>,
    /// The escalation alert needs at least this many incidents in 30 days (default 10).
    pub alert_min: Option<u64>,
}

impl Default for WeeklyConfig {
    fn default() -> Self {
        WeeklyConfig {
            out: reports_dir(),
            top: five(),
            charts: Vec::new(),
            rank_casualties: None,
            mean_since: None,
            alert_min: None,
        }
    }
}

fn reports_dir() -> PathBuf {
    "reports".into()
}

fn five() -> usize {
    5
}

/// `[data] as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// The data is kept up to date: complete through the day of the run.
    Today,
    /// Complete through this date.
    Date(NaiveDate),
}

/// A checked `[[chart]]` or `[[weekly.chart]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartEntry {
    /// Output name (file stem).
    pub name: String,
    /// Chart kind.
    pub kind: ChartKind,
    /// Title (default derived from the query).
    pub title: Option<String>,
    /// Subtitle (default the date range).
    pub subtitle: Option<String>,
    /// Formats to write, in order.
    pub formats: Vec<ChartFormat>,
    /// Size and PNG scale.
    pub size: ChartSize,
    /// Only in `weekly`: the chart covers this many weeks up to the report week.
    pub weeks: Option<u32>,
    /// Options of some kinds (small multiples' scale, heatmap values).
    pub options: ChartOptions,
    /// The query, prepared for the kind.
    pub query: Query,
}

/// A checked `[[table]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TableEntry {
    /// Output name (file stem).
    pub name: String,
    /// Formats to write, in order.
    pub formats: Vec<OutputFormat>,
    /// One row per named period.
    pub by_period_name: bool,
    /// Escalation flags, by this rule.
    pub escalation: Option<crate::query::escalation::Rule>,
    /// The query.
    pub query: Query,
}

/// Checked settings of a configuration file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from; relative paths in it are relative to its folder.
    pub path: PathBuf,
    /// `[data]` as written (paths as given, for the weekly manifest).
    pub data: DataConfig,
    /// The preset of `[data]`.
    pub preset: Preset,
    /// The date order of `[data]`.
    pub date_order: Option<DateOrder>,
    /// `[data] as_of`: the data is complete through this date.
    pub as_of: Option<AsOf>,
    /// `[data] covers_from`: the data is complete from this date.
    pub covers_from: Option<NaiveDate>,
    /// First day of the week.
    pub week_start: Weekday,
    /// The cutoff time zone (used only to pick today's date).
    pub utc_offset: FixedOffset,
    /// Named anchor dates, by name.
    pub anchors: Vec<(String, NaiveDate)>,
    /// Named periods (`[time.periods]`, `[time] periods_file`), by first day.
    pub named_periods: Vec<NamedPeriod>,
    /// `report` output folder (resolved).
    pub report_out: PathBuf,
    /// The title of the report page (`[report] title`).
    pub report_title: String,
    /// Words for columns in chart titles (`[report] words`).
    pub chart_words: Vec<(String, String)>,
    /// The rule of the weekly escalation flags (`[weekly] mean_since`, `alert_min`).
    pub weekly_escalation: crate::query::escalation::Rule,
    /// Colours of groups by name (`[colors]`).
    pub chart_colours: Vec<(String, plotters::style::RGBColor)>,
    /// Chart labels for group values (`[report] labels`), in report and weekly charts.
    pub chart_labels: Vec<(String, String)>,
    /// Charts `report` draws.
    pub charts: Vec<ChartEntry>,
    /// Tables `report` writes.
    pub tables: Vec<TableEntry>,
    /// `weekly` output folder (resolved; one subfolder per ISO week).
    pub weekly_out: PathBuf,
    /// How many top actors, target types and weapons `weekly` lists.
    pub weekly_top: usize,
    /// Charts in each weekly folder.
    pub weekly_charts: Vec<ChartEntry>,
    /// How `weekly` ranks the incidents with the most casualties.
    pub weekly_rank: CasualtyRank,
}

impl Config {
    /// Read and check a configuration file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parse and check configuration text.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let file: ConfigFile = toml::from_str(text)
            .map_err(|e| Error::Config { path: path.into(), message: explain_toml_error(text, &e.to_string()) })?;
        // Every message names the file; usage errors from shared checks are given its path.
        file.check(path).map_err(|e| match e {
            Error::Usage(message) => Error::Config { path: path.into(), message },
            other => other,
        })
    }

    /// A path from the config, relative to the config file's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        resolve(&self.path, p)
    }

    /// `[data] aggregate`, resolved against the config's folder.
    pub fn aggregates(&self) -> Vec<PathBuf> {
        self.data.aggregate.iter().map(|f| self.resolve(f)).collect()
    }

    /// The inputs of `[data]`, for the pipeline (a mapping file is read here).
    pub fn inputs(&self) -> Result<Inputs> {
        let d = &self.data;
        Ok(Inputs {
            files: d.files.iter().map(|f| self.resolve(f)).collect(),
            preset: self.preset,
            date_order: self.date_order,
            mapping: d.mapping.as_ref().map(|m| Mapping::load(&self.resolve(m))).transpose()?,
            aliases: d.aliases.iter().map(|a| self.resolve(a)).collect(),
            taxonomies: d.taxonomies.iter().map(|t| self.resolve(t)).collect(),
            dataset_names: d.sources.iter().map(|(f, n)| (self.resolve(f).display().to_string(), n.clone())).collect(),
            dedup: d.dedup.then(|| {
                let default = crate::dedup::Rule::default();
                crate::dedup::Rule { days: d.dedup_days.unwrap_or(default.days), km: d.dedup_km.unwrap_or(default.km) }
            }),
            ..Default::default()
        })
    }

    /// What the data is declared complete for; `today` is the caller's
    /// (the library reads no clock), and `as_of` (a flag) wins over `[data] as_of`.
    pub fn coverage(&self, as_of: Option<NaiveDate>, today: NaiveDate) -> Coverage {
        let configured = self.as_of.map(|a| match a {
            AsOf::Today => today,
            AsOf::Date(d) => d,
        });
        Coverage { from: self.covers_from, to: as_of.or(configured) }
    }

    /// The annotations file of `[data]`, resolved.
    pub fn annotations(&self) -> Option<PathBuf> {
        self.data.annotations.as_ref().map(|p| self.resolve(p))
    }
}

fn resolve(config: &Path, p: &Path) -> PathBuf {
    match config.parent() {
        Some(dir) if p.is_relative() && !dir.as_os_str().is_empty() => dir.join(p),
        _ => p.to_path_buf(),
    }
}

impl ConfigFile {
    /// Check every value and build the typed settings.
    fn check(self, path: &Path) -> Result<Config> {
        let usage = |m: String| Error::Usage(m);
        let week_start = parse_weekday(&self.time.week_start).map_err(|m| usage(format!("time.week_start: {m}")))?;
        let utc_offset = parse_offset(&self.time.utc_offset).map_err(|m| usage(format!("time.utc_offset: {m}")))?;
        let anchors = self
            .time
            .anchors
            .iter()
            .map(|(k, v)| Ok((k.clone(), parse_date_arg(&format!("time.anchors.{k}"), v)?)))
            .collect::<Result<Vec<_>>>()?;
        let mut named = self
            .time
            .periods
            .iter()
            .map(|(k, v)| {
                Ok(NamedPeriod {
                    name: k.clone(),
                    from: parse_date_arg(&format!("time.periods.{k}.from"), &v.from)?,
                    to: parse_date_arg(&format!("time.periods.{k}.to"), &v.to)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(f) = &self.time.periods_file {
            named.extend(crate::query::named::load(&resolve(path, f))?);
        }
        let named_periods = crate::query::named::checked(named).map_err(|m| usage(format!("time.periods: {m}")))?;
        let preset = self.data.preset.parse::<Preset>().map_err(|e| usage(format!("data.preset: {e}")))?;
        let date_order = self
            .data
            .date_order
            .as_deref()
            .map(str::parse::<DateOrder>)
            .transpose()
            .map_err(|e| usage(format!("data.date_order: {e}")))?;
        let as_of = match self.data.as_of.as_deref().map(str::trim) {
            None => None,
            Some("today") => Some(AsOf::Today),
            Some(d) => Some(AsOf::Date(
                parse_date_arg("data.as_of", d)
                    .map_err(|_| usage(format!("data.as_of: {d:?} is neither a date (YYYY-MM-DD) nor \"today\"")))?,
            )),
        };
        let covers_from =
            self.data.covers_from.as_deref().map(|d| parse_date_arg("data.covers_from", d)).transpose()?;
        if self.data.files.is_empty() && self.data.aggregate.is_empty() {
            return Err(usage(
                "data.files: give at least one input file (or data.aggregate: the results of `sitrep sql`)".into(),
            ));
        }
        if self.data.dedup_days.is_some_and(|d| d < 0) || self.data.dedup_km.is_some_and(|k| k.is_nan() || k < 0.0) {
            return Err(usage("data.dedup_days and data.dedup_km must be 0 or more".into()));
        }
        if !self.data.dedup && (self.data.dedup_days.is_some() || self.data.dedup_km.is_some()) {
            return Err(usage("data.dedup_days and data.dedup_km go with dedup = true".into()));
        }
        for f in self.data.sources.keys() {
            if !self.data.files.contains(f) {
                return Err(usage(format!("data.sources: {:?} is not one of data.files", f.display().to_string())));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        let mut chart = |what: &str, c: &ChartDef| -> Result<ChartEntry> {
            let label = format!("{what} {:?}", c.name);
            let origin = Origin::Config(&label);
            check_name(&c.name).map_err(|m| origin.error("name", m))?;
            let kind = ChartKind::parse(&c.kind).map_err(|m| origin.error("kind", m))?;
            let formats = c
                .formats
                .iter()
                .map(|f| ChartFormat::parse(f))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|m| origin.error("formats", m))?;
            let size = ChartSize {
                width: c.width.unwrap_or(1200),
                height: c.height.unwrap_or(675),
                scale: c.scale.unwrap_or(1.0),
            };
            size.check().map_err(|m| origin.error("width/height/scale", m))?;
            let options = ChartOptions {
                y_scale: match &c.y_scale {
                    Some(_) if kind != ChartKind::SmallMultiples => {
                        return Err(origin.error("y_scale", "applies only to kind = \"small-multiples\""))
                    }
                    Some(v) => YScale::parse(v).map_err(|m| origin.error("y_scale", m))?,
                    None => YScale::Shared,
                },
                values: match c.values {
                    Some(_) if kind != ChartKind::Heatmap => {
                        return Err(origin.error("values", "applies only to kind = \"heatmap\""))
                    }
                    v => v.unwrap_or(false),
                },
                alerts: match c.alerts {
                    Some(true) if !matches!(kind, ChartKind::Bar | ChartKind::Stacked | ChartKind::Line) => {
                        return Err(origin.error("alerts", "applies only to bar, stacked and line charts"))
                    }
                    v => v.unwrap_or(false),
                },
            };
            let mut query = c.query.clone();
            kind.prepare(&mut query, origin)?;
            let query = query.to_query(origin, week_start, &anchors)?;
            if !names.insert(format!("{what}/{}", c.name)) {
                return Err(origin.message("name used twice"));
            }
            Ok(ChartEntry {
                name: c.name.clone(),
                kind,
                title: c.title.clone(),
                subtitle: c.subtitle.clone(),
                formats,
                size,
                weeks: c.weeks,
                options,
                query,
            })
        };
        let charts = self.charts.iter().map(|c| chart("chart", c)).collect::<Result<Vec<_>>>()?;
        let weekly_charts = self.weekly.charts.iter().map(|c| chart("weekly.chart", c)).collect::<Result<Vec<_>>>()?;
        let chart_colours = self
            .colors
            .iter()
            .map(|(name, c)| {
                crate::render::chart::parse_colour(c)
                    .map(|c| (name.clone(), c))
                    .map_err(|m| Error::Usage(format!("[colors] {name:?}: {m}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let weekly_escalation = crate::query::escalation::Rule {
            mean_since: match self.weekly.mean_since.as_deref() {
                None => None,
                Some(s) => Some(match anchors.iter().find(|(k, _)| k == s) {
                    Some((_, d)) => *d,
                    None => parse_date_arg("weekly.mean_since", s)
                        .map_err(|_| usage(format!("weekly.mean_since: {s:?} is neither a date nor an anchor")))?,
                }),
            },
            mean_of: None,
            alert_min: self.weekly.alert_min.unwrap_or(crate::query::escalation::Rule::default().alert_min),
        };
        let weekly_rank = match &self.weekly.rank_casualties {
            Some(r) => CasualtyRank::parse(r).map_err(|m| Error::Usage(format!("[weekly] rank_casualties: {m}")))?,
            None => CasualtyRank::default(),
        };
        let mut tables = Vec::new();
        for t in &self.tables {
            let label = format!("table {:?}", t.name);
            let origin = Origin::Config(&label);
            check_name(&t.name).map_err(|m| origin.error("name", m))?;
            let formats = t
                .formats
                .iter()
                .map(|f| OutputFormat::parse_file(f))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|m| origin.error("formats", m))?;
            let query = t.query.to_query(origin, week_start, &anchors)?;
            if charts.iter().any(|c| c.name == t.name) || !names.insert(format!("table/{}", t.name)) {
                return Err(origin.message("name used twice"));
            }
            if t.by_period_name {
                if named_periods.is_empty() {
                    return Err(origin.error("by_period_name", "needs named periods ([time.periods])"));
                }
                if query.every.is_some() || !query.by.is_empty() || query.compare.is_some() || query.cumulative {
                    return Err(origin.error(
                        "by_period_name",
                        "counts per named period: every, by, compare and cumulative do not apply",
                    ));
                }
            }
            let set = t.mean_since.is_some() || t.mean_of.is_some() || t.alert_min.is_some();
            let escalation = if t.escalation {
                if query.every.is_none() || t.by_period_name {
                    return Err(origin.error("escalation", "flags periods: it needs every (and not by_period_name)"));
                }
                if t.mean_of == Some(0) {
                    return Err(origin.error("mean_of", "must be at least 1 period"));
                }
                let mean_since = match t.mean_since.as_deref() {
                    None => None,
                    Some(s) => Some(match anchors.iter().find(|(k, _)| k == s) {
                        Some((_, d)) => *d,
                        None => parse_date_arg("mean_since", s).map_err(|_| {
                            origin.error("mean_since", format!("{s:?} is neither a date nor an anchor"))
                        })?,
                    }),
                };
                Some(crate::query::escalation::Rule {
                    mean_since,
                    mean_of: t.mean_of,
                    alert_min: t.alert_min.unwrap_or(crate::query::escalation::Rule::default().alert_min),
                })
            } else if set {
                return Err(origin.message("mean_since, mean_of and alert_min go with escalation = true"));
            } else {
                None
            };
            tables.push(TableEntry {
                name: t.name.clone(),
                formats,
                by_period_name: t.by_period_name,
                escalation,
                query,
            });
        }
        Ok(Config {
            path: path.to_path_buf(),
            preset,
            date_order,
            as_of,
            covers_from,
            week_start,
            utc_offset,
            anchors,
            named_periods,
            report_out: resolve(path, &self.report.out),
            report_title: self.report.title.clone(),
            chart_words: self.report.words.clone().into_iter().collect(),
            chart_colours,
            weekly_escalation,
            chart_labels: self.report.labels.clone().into_iter().collect(),
            charts,
            tables,
            weekly_out: resolve(path, &self.weekly.out),
            weekly_top: self.weekly.top,
            weekly_rank,
            weekly_charts,
            data: self.data,
        })
    }
}

/// Keys a `[[chart]]` or `[[table]]` entry takes (serde cannot list them
/// through the flattened query keys).
const CHART_KEYS: &str = "name, kind, title, subtitle, formats, width, height, scale, weeks";
const TABLE_KEYS: &str = "name, formats";
const QUERY_KEYS: &str = "every, anchor, by, metrics, from, to, where, min_precision, top, fill_zeros, rolling, \
                          cumulative, since, compare, split_actors, sort";

/// An unknown key inside a `[[chart]]` or `[[table]]` entry: say on which
/// line it is and list the valid keys (the TOML error points at the entry's
/// header, because the query keys are flattened into it).
fn explain_toml_error(text: &str, message: &str) -> String {
    if message.contains("invalid type") || message.contains("invalid value") {
        if let Some(m) = explain_entry_value(text) {
            return m;
        }
    }
    let Some(key) = message.split("unknown field `").nth(1).and_then(|r| r.split('`').next()) else {
        return message.to_string();
    };
    let mut section = "";
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            section = t;
        } else if t.split('=').next().is_some_and(|k| k.trim() == key) {
            let valid = match section {
                "[[chart]]" | "[[weekly.chart]]" => format!("{CHART_KEYS}, {QUERY_KEYS}"),
                "[[table]]" => format!("{TABLE_KEYS}, {QUERY_KEYS}"),
                _ => return message.to_string(),
            };
            return format!("line {}: unknown field `{key}` in {section} (valid keys: {valid})", i + 1);
        }
    }
    message.to_string()
}

/// What a key of a `[[chart]]`, `[[table]]` or `[[weekly.chart]]` entry
/// holds, for messages in the config's own words.
fn expected(key: &str) -> Option<&'static str> {
    Some(match key {
        "top" | "rolling" | "compare" | "weeks" | "width" | "height" => "a whole number",
        "scale" => "a number",
        "fill_zeros" | "cumulative" | "split_actors" => "true or false",
        "by" | "metrics" | "where" | "formats" => "a list of texts, like [\"a\", \"b\"]",
        "name" | "kind" | "title" | "subtitle" | "every" | "anchor" | "from" | "to" | "since" | "min_precision"
        | "sort" => "a text in quotes",
        _ => return None,
    })
}

/// A value as a reader would name it.
fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the text {s:?}"),
        toml::Value::Integer(i) => format!("the number {i}"),
        toml::Value::Float(f) => format!("the number {f}"),
        toml::Value::Boolean(b) => format!("{b}"),
        toml::Value::Datetime(d) => format!("the date {d} (dates go in quotes)"),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

/// The first key of a chart or table entry whose value has the wrong type,
/// named with its entry and line: "line 7: chart \"x\": top must be a whole
/// number, not the text \"5\"". (The TOML parser points at the entry's header.)
fn explain_entry_value(text: &str) -> Option<String> {
    let doc: toml::Table = text.parse().ok()?;
    let arrays = [
        ("[[chart]]", "chart", doc.get("chart")),
        ("[[table]]", "table", doc.get("table")),
        ("[[weekly.chart]]", "chart", doc.get("weekly").and_then(|w| w.get("chart"))),
    ];
    for (header, what, entries) in arrays {
        let Some(entries) = entries.and_then(|e| e.as_array()) else { continue };
        for (k, entry) in entries.iter().enumerate() {
            let Some(entry) = entry.as_table() else { continue };
            for (key, value) in entry {
                let Some(want) = expected(key) else { continue };
                let ok = match want {
                    "a whole number" => value.as_integer().is_some_and(|i| i >= 0),
                    "a number" => value.is_float() || value.is_integer(),
                    "true or false" => value.is_bool(),
                    "a text in quotes" => value.is_str(),
                    _ => value.as_array().is_some_and(|a| a.iter().all(toml::Value::is_str)) || value.is_str(),
                };
                if ok {
                    continue;
                }
                let name = entry.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                let line = key_line(text, header, k, key).map_or(String::new(), |l| format!("line {l}: "));
                return Some(format!("{line}{what} {name:?}: {key} must be {want}, not {}", describe(value)));
            }
        }
    }
    None
}

/// The line (1-based) of `key` inside the `k`-th `header` entry.
fn key_line(text: &str, header: &str, k: usize, key: &str) -> Option<usize> {
    let (mut count, mut inside) = (0, None);
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = (t == header).then_some(count);
            count += usize::from(t == header);
            continue;
        }
        if inside == Some(k) && t.split('=').next().is_some_and(|x| x.trim() == key) {
            return Some(i + 1);
        }
    }
    None
}

/// A UTC offset like `+03:00`.
fn parse_offset(s: &str) -> std::result::Result<FixedOffset, String> {
    let s = s.trim();
    let bad = || format!("{s:?} is not an offset like \"+03:00\" or \"-05:00\"");
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    let secs = h.parse::<i32>().map_err(|_| bad())? * 3600 + m.parse::<i32>().map_err(|_| bad())? * 60;
    FixedOffset::east_opt(sign * secs).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_the_wrong_type_name_their_key_line_and_entry() {
        let p = Path::new("sitrep.toml");
        let base = "[data]\nfiles = [\"a.csv\"]\n[[chart]]\nname = \"w\"\nkind = \"bar\"\nevery = \"week\"\n";
        let err = Config::parse(&format!("{base}[[chart]]\nname = \"x\"\nkind = \"bar\"\ntop = \"5\"\n"), p)
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("line 10: chart \"x\": top must be a whole number, not the text \"5\""), "{err}");
        let err = Config::parse("[data]\nfiles = []\n[[weekly.chart]]\nname = \"y\"\nkind = \"bar\"\nevery = 7\n", p)
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("line 6: chart \"y\": every must be a text in quotes, not the number 7"), "{err}");
        let err =
            Config::parse("[data]\nfiles = []\n[[table]]\nname = \"t\"\nrolling = -2\n", p).unwrap_err().to_string();
        assert!(err.contains("line 5: table \"t\": rolling must be a whole number, not the number -2"), "{err}");
        let err = Config::parse("[data]\nfiles = [\"a.csv\"]\n[weekly]\nrank_casualties = \"wounded\"\n", p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("[weekly] rank_casualties: unknown ranking \"wounded\""), "{err}");
    }

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
        assert!(err.contains("chart \"x\": kind: unknown chart kind \"pie\""), "{err}");
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
        let ok = Config::parse("[data]\nfiles = [\"a.csv\"]\n[time]\nanchors = { campaign = \"2023-10-17\" }\n[[table]]\nname = \"t\"\nevery = \"week\"\ncumulative = true\nsince = \"campaign\"\n", p).unwrap();
        let q = &ok.tables[0].query;
        assert_eq!(q.since, NaiveDate::from_ymd_opt(2023, 10, 17));
        assert!(q.cumulative);
    }

    #[test]
    fn a_misspelt_key_in_a_chart_names_its_line_and_the_valid_keys() {
        let text = "[data]\nfiles = [\"a.csv\"]\n[[chart]]\nname = \"c\"\nkind = \"bar\"\nevry = \"week\"\n";
        let err = Config::parse(text, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("line 6: unknown field `evry` in [[chart]] (valid keys: name, kind"), "{err}");
        assert!(err.contains("every, anchor, by"), "{err}");
    }

    #[test]
    fn config_and_flags_share_one_query_check() {
        let p = Path::new("sitrep.toml");
        let parse = |entry: &str| Config::parse(&format!("[data]\nfiles = [\"a.csv\"]\n{entry}"), p);
        // Refused on the command line, and now in a config too.
        let err = parse("[[table]]\nname = \"t\"\nfrom = \"2024-02-01\"\nto = \"2024-01-01\"\n").unwrap_err();
        assert_eq!(err.to_string(), "sitrep.toml: table \"t\": from 2024-02-01 is after to 2024-01-01");
        let err = parse("[[table]]\nname = \"t\"\nsince = \"2024-01-01\"\n").unwrap_err();
        assert!(err.to_string().ends_with("table \"t\": since goes with cumulative = true"), "{err}");
        // Preset aliases the command line accepts.
        let c = Config::parse("[data]\nfiles = [\"a.csv\"]\npreset = \"ged\"\n", p).unwrap();
        assert_eq!(c.preset, Preset::Ucdp);
        // A cumulative chart is a running total; `since` belongs to it only.
        let c = parse("[[chart]]\nname = \"c\"\nkind = \"cumulative\"\nevery = \"week\"\nsince = \"2024-01-01\"\n")
            .unwrap();
        assert!(c.charts[0].query.cumulative && c.charts[0].query.fill_zeros);
        let err =
            parse("[[chart]]\nname = \"b\"\nkind = \"bar\"\nevery = \"week\"\nsince = \"2024-01-01\"\n").unwrap_err();
        assert!(err.to_string().contains("chart \"b\": since goes with kind = \"cumulative\""), "{err}");
        let err = parse("[[chart]]\nname = \"b\"\nkind = \"bar\"\n").unwrap_err();
        assert!(err.to_string().contains("chart \"b\": every: charts need a period"), "{err}");
    }
}
