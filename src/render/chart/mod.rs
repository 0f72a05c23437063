//! Charts: publication-quality SVG and PNG from a query table.
//!
//! Drawing is done once, with plotters, onto an SVG string; PNG is that SVG
//! rasterised by resvg with the same bundled font (DejaVu Sans), so PNG and
//! SVG are the same picture and the bytes do not depend on the machine's
//! fonts. Layout (title, subtitle, plot, legend, footer) is computed here in
//! pixels, so tick labels never overlap and long names are shortened.
//!
//! [`frame`] draws what every chart shares (titles, axes, legend,
//! annotations); one file per chart kind: [`bars`] (bar, stacked, ranked), [`lines`] (line,
//! cumulative), [`heatmap`], [`multiples`] (small multiples), [`gaps`] (gap).
//! [`make`] runs a chart's query and draws it: the one path of `chart`,
//! `report` and `weekly`.

pub mod alt;
pub mod bars;
pub mod frame;
pub mod gaps;
pub mod heatmap;
pub mod lines;
pub mod make;
pub mod multiples;

pub use gaps::GapData;
pub use make::{draw_query, Drawn, Look, Provenance};

use std::collections::BTreeMap;
use std::sync::Once;

use chrono::NaiveDate;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::error::{Error, Result};
use crate::ingest::FileSummary;
use crate::query::def::{Origin, QueryDef};
use crate::query::period::{Period, EVERY_CHOICES};
use crate::query::shape::{ALL_OTHER, OTHER};
use crate::query::table::{Cell, Table};
use crate::query::Query;

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// One bar per period (all groups summed).
    Bar,
    /// Bars stacked by group.
    Stacked,
    /// One line per group.
    Line,
    /// Running total, one line per group.
    Cumulative,
    /// Period × group colour grid.
    Heatmap,
    /// One small panel per group on a shared scale.
    SmallMultiples,
    /// Days since the previous incident at each incident, and the current
    /// lull to the as-of date (per group with `by`).
    Gap,
}

impl ChartKind {
    /// Names accepted by `--kind`.
    pub const CHOICES: &'static str = "bar, stacked, line, cumulative, heatmap, small-multiples, gap";

    /// Parse a kind's name (an unknown name gives a message listing the
    /// choices; the caller names the option).
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.trim().to_lowercase().as_str() {
            "bar" | "bars" => ChartKind::Bar,
            "stacked" | "stacked-bar" => ChartKind::Stacked,
            "line" | "lines" => ChartKind::Line,
            "cumulative" => ChartKind::Cumulative,
            "heatmap" => ChartKind::Heatmap,
            "small-multiples" | "multiples" => ChartKind::SmallMultiples,
            "gap" | "gaps" | "lull" | "lulls" => ChartKind::Gap,
            _ => return Err(format!("unknown chart kind {s:?} (choose from {})", Self::CHOICES)),
        })
    }
}

impl ChartKind {
    /// Make a query definition what this kind draws: charts need a period
    /// and every period of the range (zeros included); a cumulative chart
    /// draws the running total, and only it takes `since`.
    pub fn prepare(self, def: &mut QueryDef, origin: Origin<'_>) -> Result<()> {
        if self == ChartKind::Gap {
            // Each incident is drawn at its own date: periods do not apply.
            for (key, set) in [
                ("every", def.every.is_some()),
                ("since", def.since.is_some()),
                ("rolling", def.rolling.is_some()),
                ("compare", def.compare.is_some()),
            ] {
                if set {
                    let kind = match origin {
                        Origin::Flags => "--kind gap",
                        Origin::Config(_) => "kind = \"gap\"",
                    };
                    return Err(
                        origin.error(key, format!("does not apply to {kind}, which draws each incident's date"))
                    );
                }
            }
            return Ok(());
        }
        if def.every.is_none() {
            // Without a period, a bar chart ranks groups (attacks by base, by weapon).
            if self == ChartKind::Bar && !def.by.is_empty() {
                return Ok(());
            }
            let ranked = match origin {
                Origin::Flags => "--kind bar with --by",
                Origin::Config(_) => "kind = \"bar\" with by",
            };
            return Err(origin.error(
                "every",
                format!("charts need a period (choose from {EVERY_CHOICES}), except {ranked}, which ranks groups"),
            ));
        }
        def.fill_zeros = true;
        if self == ChartKind::Cumulative {
            def.cumulative = true;
        } else if def.since.is_some() {
            let kind = match origin {
                Origin::Flags => "--kind cumulative",
                Origin::Config(_) => "kind = \"cumulative\"",
            };
            return Err(origin.message(format!("{} goes with {kind}", origin.bare("since"))));
        }
        Ok(())
    }

    /// The query column a kind draws.
    pub fn value_column(self) -> &'static str {
        if self == ChartKind::Cumulative {
            "cumulative"
        } else {
            "incidents"
        }
    }
}

/// Chart texts for a query result: the given title, subtitle and note, or
/// defaults (title from the query, the date range, and a footer naming the
/// source — `attribution`, else the input file names — and the data cutoff).
#[allow(clippy::too_many_arguments)]
pub fn chart_text(
    q: &Query,
    kind: ChartKind,
    range: Option<(NaiveDate, NaiveDate)>,
    cutoff: Option<NaiveDate>,
    inputs: &[FileSummary],
    attribution: &str,
    title: Option<String>,
    subtitle: Option<String>,
    note: Option<String>,
) -> ChartText {
    let source = if attribution.is_empty() {
        let names: Vec<String> = inputs
            .iter()
            .map(|f| f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            .collect();
        names.join(", ")
    } else {
        attribution.to_string()
    };
    let cutoff = cutoff.map(|b| format!("; data to {b}")).unwrap_or_default();
    ChartText {
        title: title.unwrap_or_else(|| default_title(q, kind, &[])),
        subtitle: Some(subtitle.unwrap_or_else(|| range.map(|(a, b)| format!("{a} to {b}")).unwrap_or_default())),
        note: note.unwrap_or_else(|| format!("Source: {source}{cutoff}. Made with sitrep.")),
        y_label: match kind {
            ChartKind::Cumulative => "incidents, running total".into(),
            ChartKind::Gap => "days since the previous incident".into(),
            _ => "incidents".into(),
        },
    }
}

/// Words for columns in default titles ("by group", not "by actor
/// parent"); `[report] words` and `--word` add to and override them.
pub const COLUMN_WORDS: [(&str, &str); 8] = [
    ("actor_parent", "group"),
    ("target_type", "target type"),
    ("admin1", "region"),
    ("admin2", "district"),
    ("event_class", "event type"),
    ("claimed", "claim status"),
    ("date_precision", "date precision"),
    ("incident_id", "incident"),
];

/// The word for a column in a title: the user's, else the shipped one, else the name with spaces.
pub fn column_word(column: &str, words: &[(String, String)]) -> String {
    words
        .iter()
        .find(|(c, _)| c == column)
        .map(|(_, w)| w.clone())
        .or_else(|| COLUMN_WORDS.iter().find(|(c, _)| *c == column).map(|(_, w)| w.to_string()))
        .unwrap_or_else(|| column.replace('_', " "))
}

/// The default title: "Incidents per week by group", in the words given for columns.
pub fn default_title(q: &Query, kind: ChartKind, words: &[(String, String)]) -> String {
    let what = match kind {
        ChartKind::Cumulative => "Cumulative incidents",
        ChartKind::Gap => "Days since the previous incident",
        _ => "Incidents",
    };
    let per = match q.every {
        Some(Period::Day) => " per day",
        Some(Period::Week { .. }) => " per week",
        Some(Period::Month) => " per month",
        Some(Period::Quarter) => " per quarter",
        Some(Period::Year) => " per year",
        Some(Period::Days { .. }) | None => "",
    };
    let by = if q.by.is_empty() {
        String::new()
    } else {
        format!(" by {}", q.by.iter().map(|c| column_word(c, words)).collect::<Vec<_>>().join(" and "))
    };
    format!("{what}{per}{by}")
}

/// One series: a group's values per period.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    /// Group label.
    pub name: String,
    /// One value per period (NaN where there is none, e.g. before `--since`).
    pub values: Vec<f64>,
    /// The merged "Other" group: drawn last, in grey.
    pub is_other: bool,
    /// The value the series stands for, before any label replaced `name`
    /// (unknown and unclaimed stay grey under any label).
    pub key: String,
}

impl ChartSeries {
    /// Show the series under the label given for its value, if one is.
    pub fn relabel(&mut self, labels: &[(String, String)]) {
        // "(unknown)", "unknown" and "Unknown" name the same group.
        let same = |from: &str| {
            from.eq_ignore_ascii_case(&self.name)
                || quiet_grey(from).is_some() && quiet_grey(from) == quiet_grey(&self.key)
        };
        if let Some((_, to)) = labels.iter().find(|(from, _)| same(from)) {
            self.name = to.clone();
        }
    }

    /// A series whose label is its value.
    pub fn new(name: String, values: Vec<f64>, is_other: bool) -> Self {
        ChartSeries { key: name.clone(), name, values, is_other }
    }
}

/// What to draw: periods on the x axis, one series per group.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// Period starts and labels.
    pub periods: Vec<(NaiveDate, String)>,
    /// Series, largest total first, "Other" last.
    pub series: Vec<ChartSeries>,
    /// The period kind (for tick labels and annotation placement).
    pub every: Option<Period>,
    /// Per period: whether the range cuts it short (drawn lighter).
    pub partial: Vec<bool>,
    /// Days since the last incident at each period's end, drawn as a line on
    /// a second axis (NaN before the first incident).
    pub overlay: Option<Vec<f64>>,
    /// Per period: the 30-day alert fired in it (a marker above the period; empty: none drawn).
    pub alerts: Vec<bool>,
}

impl ChartData {
    /// Series from a query table's `period`, group columns and `value` column.
    /// The query fills the grid, so a missing cell is a period a group's
    /// source does not cover: NaN, drawn as a gap.
    pub fn from_table(t: &Table, value: &str, every: Option<Period>) -> Result<Self> {
        let vi = t.index(value).ok_or_else(|| Error::Internal(format!("the result has no {value:?} column")))?;
        let gi: Vec<usize> = t.group_columns.iter().filter_map(|g| t.index(g)).collect();
        let pi = t.index(crate::query::shape::PARTIAL);
        let mut partial: BTreeMap<NaiveDate, bool> = BTreeMap::new();
        let mut periods: Vec<(NaiveDate, String)> = Vec::new();
        let mut values: BTreeMap<(String, bool), BTreeMap<NaiveDate, f64>> = BTreeMap::new();
        for r in &t.rows {
            let Cell::Period(d, label) = &r[0] else { continue };
            if periods.last().map(|p| p.0) != Some(*d) && !periods.iter().any(|p| p.0 == *d) {
                periods.push((*d, label.clone()));
            }
            if let Some(Cell::Bool(true)) = pi.map(|i| &r[i]) {
                partial.insert(*d, true);
            }
            let name = if gi.is_empty() {
                value.to_string()
            } else {
                gi.iter()
                    .map(|&i| match &r[i] {
                        // Claim statuses read as words on a chart ("Unclaimed").
                        Cell::Text(s) if t.columns[i] == crate::schema::col::CLAIMED => capitalise(s),
                        Cell::Text(s) => s.clone(),
                        _ => UNKNOWN_LABEL.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(" / ")
            };
            let is_other = name == OTHER || name == ALL_OTHER;
            // A blank cell (a running total before --since) is a gap, not a zero.
            let v = match &r[vi] {
                Cell::Int(v) => *v as f64,
                Cell::Float(v, _) => *v,
                _ => f64::NAN,
            };
            let e = values.entry((name, is_other)).or_default().entry(*d).or_insert(f64::NAN);
            *e = if e.is_nan() {
                v
            } else if v.is_nan() {
                *e
            } else {
                *e + v
            };
        }
        periods.sort();
        let mut series: Vec<ChartSeries> = values
            .into_iter()
            .map(|((name, is_other), by)| {
                ChartSeries::new(
                    name,
                    // A period missing for a group is one its source does not cover (`--by dataset`): a gap.
                    periods.iter().map(|(d, _)| by.get(d).copied().unwrap_or(f64::NAN)).collect(),
                    is_other,
                )
            })
            .collect();
        // Largest first (by total; ties by name); unknown, then "Other", last.
        series.sort_by(|a, b| {
            let total = |s: &ChartSeries| s.values.iter().filter(|v| !v.is_nan()).sum::<f64>();
            let unknown = |s: &ChartSeries| quiet_grey(&s.key).is_some();
            a.is_other
                .cmp(&b.is_other)
                .then(unknown(a).cmp(&unknown(b)))
                .then(total(b).total_cmp(&total(a)))
                .then_with(|| a.name.cmp(&b.name))
        });
        let partial = periods.iter().map(|(d, _)| partial.contains_key(d)).collect();
        Ok(ChartData { periods, series, every, partial, overlay: None, alerts: Vec::new() })
    }

    /// Show series under the labels given for their values (`[report]
    /// labels`, `--label`): "Unclaimed" as "No claim yet".
    pub fn relabel(&mut self, labels: &[(String, String)]) {
        for s in &mut self.series {
            s.relabel(labels);
        }
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.periods.is_empty() || self.series.iter().all(|s| s.values.iter().all(|v| v.is_nan() || *v == 0.0))
    }

    /// Whether period `i` is partial.
    pub fn is_partial(&self, i: usize) -> bool {
        self.partial.get(i).copied().unwrap_or(false)
    }

    /// The footer sentence naming the partial periods, if any.
    pub fn partial_note(&self) -> Option<String> {
        let names: Vec<&str> =
            self.periods.iter().enumerate().filter(|(i, _)| self.is_partial(*i)).map(|(_, p)| p.1.as_str()).collect();
        match names.len() {
            0 => None,
            1 => Some(format!("Lighter: {} is a partial period.", names[0])),
            _ => Some(format!("Lighter: {} are partial periods.", names.join(" and "))),
        }
    }

    /// The sum over series per period.
    pub fn totals(&self) -> Vec<f64> {
        (0..self.periods.len()).map(|i| self.series.iter().map(|s| s.values[i]).filter(|v| !v.is_nan()).sum()).collect()
    }
}

/// "unclaimed" → "Unclaimed".
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// The footer sentence of alert markers.
pub const ALERT_NOTE: &str = "▼ 30-day alert: the 30-day sum of incidents reached its highest in a year.";

/// The colour of alert markers.
pub const ALERT: RGBColor = RGBColor(0xB2, 0x18, 0x2B);

/// How small multiples scale their panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum YScale {
    /// One scale for every panel: panels compare at a glance.
    #[default]
    Shared,
    /// Each panel its own scale: small groups' shapes read.
    Free,
}

impl YScale {
    /// Names accepted by `y_scale` and `--y-scale`.
    pub const CHOICES: &'static str = "shared, free";

    /// Parse a scale's name (the caller names the option).
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "shared" | "same" => Ok(YScale::Shared),
            "free" | "own" => Ok(YScale::Free),
            _ => Err(format!("unknown scale {s:?} (choose from {})", Self::CHOICES)),
        }
    }
}

/// Options of some kinds: the y scale of small multiples, counts in heatmap cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChartOptions {
    /// Small multiples: one scale or one per panel.
    pub y_scale: YScale,
    /// Heatmap: write each cell's count in it.
    pub values: bool,
    /// Bar, stacked and line charts: mark the periods where the 30-day alert fired.
    pub alerts: bool,
}

/// A dated event to mark on a chart: a line at `date`, or a band to `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The date (start of a span).
    pub date: NaiveDate,
    /// The end of a span.
    pub end: Option<NaiveDate>,
    /// Label.
    pub label: String,
}

/// Named periods as shaded bands with their names.
pub fn period_bands(periods: &[crate::query::named::NamedPeriod]) -> Vec<Annotation> {
    periods.iter().map(|p| Annotation { date: p.from, end: Some(p.to), label: p.name.clone() }).collect()
}

/// Read annotations from a CSV with columns `date`, optional `end_date`, `label`.
pub fn load_annotations(path: &std::path::Path) -> Result<Vec<Annotation>> {
    let bad = |row: usize, m: String| Error::Config { path: path.into(), message: format!("row {row}: {m}") };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    let headers = rdr.headers().map_err(|e| Error::io(path, std::io::Error::other(e)))?.clone();
    let at = |n: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(n));
    let (Some(di), Some(li)) = (at("date"), at("label")) else {
        return Err(Error::Config {
            path: path.into(),
            message: "needs columns date, label (and optionally end_date)".into(),
        });
    };
    let ei = at("end_date");
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| bad(i + 1, e.to_string()))?;
        let date = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| bad(i + 1, format!("{s:?} is not a date (YYYY-MM-DD)")))
        };
        let end = match ei.and_then(|e| rec.get(e)).filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(date(s)?),
            None => None,
        };
        out.push(Annotation {
            date: date(rec.get(di).unwrap_or(""))?,
            end,
            label: rec.get(li).unwrap_or("").trim().to_string(),
        });
    }
    Ok(out)
}

/// Titles and notes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChartText {
    /// Title (bold, top).
    pub title: String,
    /// Subtitle under the title.
    pub subtitle: Option<String>,
    /// Footer: source and data cutoff.
    pub note: String,
    /// Y axis label.
    pub y_label: String,
}

/// Size: the SVG is `width` × `height`; PNG is that times `scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartSize {
    /// Width in pixels (at scale 1).
    pub width: u32,
    /// Height in pixels (at scale 1).
    pub height: u32,
    /// PNG scale factor (2 for 2x / print); text scales with it.
    pub scale: f32,
}

impl ChartSize {
    /// Check the size (the caller names the option).
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.width < 200 || self.height < 150 {
            return Err("at least 200×150 pixels".into());
        }
        if !(self.scale > 0.0 && self.scale <= 8.0) {
            return Err("scale between 0 and 8".into());
        }
        Ok(())
    }
}

/// An image format of charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    /// SVG text (what is drawn).
    Svg,
    /// The SVG rasterised (at the size's scale).
    Png,
}

impl ChartFormat {
    /// A format by name or file extension, any case (`svg`, `png`).
    pub fn parse(name: &str) -> std::result::Result<Self, String> {
        match name.to_lowercase().as_str() {
            "svg" => Ok(ChartFormat::Svg),
            "png" => Ok(ChartFormat::Png),
            _ => Err(format!("{name:?} (choose from svg, png)")),
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            ChartFormat::Svg => "svg",
            ChartFormat::Png => "png",
        }
    }

    /// The chart's bytes in this format.
    pub fn encode(self, svg: &str, size: ChartSize) -> Result<Vec<u8>> {
        match self {
            ChartFormat::Svg => Ok(svg.as_bytes().to_vec()),
            ChartFormat::Png => svg_to_png(svg, size.scale),
        }
    }
}

impl Default for ChartSize {
    fn default() -> Self {
        ChartSize { width: 1200, height: 675, scale: 1.0 }
    }
}

/// Okabe–Ito colour-blind-safe palette (yellow last: weak on white), with
/// Paul Tol's wine in place of black, which reads as text or an axis.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x88, 0x22, 0x55),
    RGBColor(0xF0, 0xE4, 0x42),
];
/// The colour of "Other".
pub const OTHER_GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// The colour of an unknown group.
pub const UNKNOWN_GREY: RGBColor = RGBColor(0xC4, 0xC4, 0xC4);
/// The colour of unclaimed incidents.
pub const UNCLAIMED_GREY: RGBColor = RGBColor(0x7A, 0x7A, 0x7A);

/// How a chart names a group whose value is unknown (`[report] labels` and `--label` rename it).
pub const UNKNOWN_LABEL: &str = "Unknown";

/// The grey of a series that is not a group: unknown values and unclaimed incidents.
fn quiet_grey(name: &str) -> Option<RGBColor> {
    match name.to_lowercase().as_str() {
        "(unknown)" | "unknown" => Some(UNKNOWN_GREY),
        "unclaimed" => Some(UNCLAIMED_GREY),
        _ => None,
    }
}
const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);

/// Colours of groups, the same for a group in every chart of every command
/// over the same data: first the colours given by name (`[colors]`,
/// `--color`); then the palette slot of the group's rank among all incidents
/// of the data (its `order`, set per chart for the chart's grouping), moved
/// to the next free slot only when another group of the same chart has it.
/// "Other", unknown and unclaimed are greys; an ungrouped series is the first colour.
#[derive(Debug, Clone, Default)]
pub struct Colours {
    fixed: BTreeMap<String, RGBColor>,
    order: Vec<String>,
    orders: BTreeMap<String, Vec<String>>,
    assigned: BTreeMap<String, RGBColor>,
}

/// Parse a colour written `#rrggbb`.
pub fn parse_colour(s: &str) -> std::result::Result<RGBColor, String> {
    let hex = s.trim().strip_prefix('#').unwrap_or("");
    let byte = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
    match (hex.len(), byte(0), byte(2), byte(4)) {
        (6, Some(r), Some(g), Some(b)) => Ok(RGBColor(r, g, b)),
        _ => Err(format!("{s:?} is not a colour like \"#0072b2\"")),
    }
}

impl Colours {
    /// Colours with these fixed by group name.
    pub fn with_fixed(fixed: impl IntoIterator<Item = (String, RGBColor)>) -> Self {
        Colours { fixed: fixed.into_iter().collect(), ..Default::default() }
    }

    /// The groups of the next chart's grouping, most incidents first over
    /// all the data; computed once per grouping (`key`) in a run.
    pub fn set_order(&mut self, key: &str, names: impl FnOnce() -> Result<Vec<String>>) -> Result<()> {
        if !self.orders.contains_key(key) {
            self.orders.insert(key.to_string(), names()?);
        }
        self.order = self.orders.get(key).cloned().unwrap_or_default();
        Ok(())
    }

    /// Assign colours to the series of one chart (in the chart's order).
    pub fn begin<'a>(&mut self, series: impl IntoIterator<Item = &'a ChartSeries>) {
        self.assigned.clear();
        let series: Vec<&ChartSeries> = series.into_iter().collect();
        let mut used = [false; PALETTE.len()];
        let mut open = Vec::new();
        for s in &series {
            if let Some(c) = self.quiet(s).or_else(|| self.fixed.get(&s.name).copied()) {
                if let Some(i) = PALETTE.iter().position(|p| *p == c) {
                    used[i] = true;
                }
                self.assigned.insert(s.name.clone(), c);
            } else {
                open.push(s.name.clone());
            }
        }
        for name in open {
            let preferred = self.order.iter().position(|n| *n == name).map(|i| i % PALETTE.len());
            let slot = preferred
                .filter(|p| !used[*p])
                .or_else(|| used.iter().position(|u| !u))
                .unwrap_or_else(|| preferred.unwrap_or(0));
            used[slot] = true;
            self.assigned.insert(name, PALETTE[slot]);
        }
    }

    fn quiet(&self, s: &ChartSeries) -> Option<RGBColor> {
        if s.is_other {
            Some(OTHER_GREY)
        } else {
            quiet_grey(&s.key)
        }
    }

    /// The colour of a series of the chart begun last.
    pub fn of(&mut self, s: &ChartSeries) -> RGBColor {
        if let Some(c) = self.quiet(s) {
            return c;
        }
        if let Some(c) = self.assigned.get(&s.name) {
            return *c;
        }
        // A series the chart did not announce: the first free colour.
        let c = PALETTE.iter().find(|p| !self.assigned.values().any(|a| a == *p)).copied().unwrap_or(PALETTE[0]);
        self.assigned.insert(s.name.clone(), c);
        c
    }
}

/// Opacity of the marks of a partial period.
const PARTIAL_ALPHA: f64 = 0.4;

/// A filled style in `c`, lighter for a partial period.
pub(crate) fn fill(c: RGBColor, partial: bool) -> ShapeStyle {
    if partial {
        c.mix(PARTIAL_ALPHA).filled()
    } else {
        c.filled()
    }
}

const FONT: &str = "sans-serif";

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font cannot fail to parse; if it did, text would be
        // missing and the chart tests would fail.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

pub use crate::text::ellipsis;

/// The names of series as drawn: shortened in the middle to `max`
/// characters, never two alike.
pub(crate) fn short_names<'a>(series: impl IntoIterator<Item = &'a ChartSeries>, max: usize) -> Vec<String> {
    let names: Vec<&str> = series.into_iter().map(|s| s.name.as_str()).collect();
    crate::text::distinct_labels(&names, max)
}

fn draw_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Internal(format!("drawing the chart failed: {e:?}"))
}

/// Draw a chart as SVG text.
pub fn render_svg(
    kind: ChartKind,
    data: &ChartData,
    text: &ChartText,
    notes: &[Annotation],
    size: ChartSize,
    options: ChartOptions,
    colours: &mut Colours,
) -> Result<String> {
    if kind == ChartKind::Gap {
        return Err(Error::Internal("a gap chart is drawn from lulls (gaps::render_svg)".into()));
    }
    if data.is_empty() {
        return Err(Error::NothingToDraw);
    }
    colours.begin(&data.series);
    // The footer explains lighter marks and alert markers, whatever note was given.
    let with_notes;
    let alert_note = data.alerts.iter().any(|a| *a).then_some(ALERT_NOTE);
    let text = match [data.partial_note().as_deref(), alert_note].into_iter().flatten().collect::<Vec<_>>() {
        notes if notes.is_empty() => text,
        notes => {
            with_notes = ChartText { note: format!("{} {}", notes.join(" "), text.note), ..text.clone() };
            &with_notes
        }
    };
    draw_svg(size, |area| match kind {
        ChartKind::Bar if data.every.is_none() => bars::draw_ranked(area, data, text, size, colours),
        ChartKind::Bar | ChartKind::Stacked => bars::draw(area, kind, data, text, notes, size, colours),
        ChartKind::Line | ChartKind::Cumulative => {
            lines::draw(area, data, text, notes, size, colours, kind == ChartKind::Cumulative)
        }
        ChartKind::Heatmap => heatmap::draw(area, data, text, size, options.values),
        ChartKind::SmallMultiples => multiples::draw(area, data, text, size, options.y_scale, colours),
        ChartKind::Gap => Ok(()),
    })
}

/// Draw onto an SVG of `size` with the bundled fonts.
fn draw_svg(size: ChartSize, draw: impl FnOnce(&frame::Area<'_>) -> frame::DrawResult<()>) -> Result<String> {
    register_fonts();
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        draw(&area).map_err(draw_err)?;
        area.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Rasterise SVG to PNG with the bundled font, at `scale` (text scales too).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(dejavu::sans::regular().to_vec());
    db.load_font_data(dejavu::sans::bold().to_vec());
    db.set_sans_serif_family("DejaVu Sans");
    let opts =
        usvg::Options { font_family: "DejaVu Sans".into(), fontdb: std::sync::Arc::new(db), ..Default::default() };
    let tree = usvg::Tree::from_str(svg, &opts).map_err(|e| Error::Internal(format!("SVG did not parse: {e}")))?;
    let (w, h) = ((tree.size().width() * scale).ceil() as u32, (tree.size().height() * scale).ceil() as u32);
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| Error::Internal(format!("cannot make a {w}×{h} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| Error::Internal(format!("PNG encoding failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::frame::{nice_axis, x_ticks};
    use super::*;

    #[test]
    fn nice_axes_and_ellipses() {
        assert_eq!(nice_axis(73.0), (80.0, 20.0));
        assert_eq!(nice_axis(4.0), (4.0, 1.0));
        assert_eq!(nice_axis(0.0), (1.0, 1.0));
        assert_eq!(ellipsis("National Front for Liberation", 12), "National Fr…");
    }

    #[test]
    fn tick_labels_never_overlap_from_two_weeks_of_days_to_twenty_years_of_months() {
        let days: Vec<(NaiveDate, String)> = (0..14)
            .map(|i| {
                let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(i);
                (d, d.to_string())
            })
            .collect();
        let t = x_ticks(&days, Some(Period::Day), 900.0, 7.6);
        assert!(t.len() >= 7, "{t:?}");
        let months: Vec<(NaiveDate, String)> = (0..240)
            .map(|i| {
                let d = NaiveDate::from_ymd_opt(2004 + i / 12, (i % 12) as u32 + 1, 1).unwrap();
                (d, d.format("%Y-%m").to_string())
            })
            .collect();
        let t = x_ticks(&months, Some(Period::Month), 900.0, 7.6);
        assert!(t.iter().all(|(_, l)| l.len() == 4), "{t:?}");
        assert!(t.len() >= 4 && t.len() <= 20, "{t:?}");
        let slot = 900.0 / 240.0;
        assert!(t.windows(2).all(|w| (w[1].0 - w[0].0) as f64 * slot >= 4.0 * 7.6 + 10.0));
    }
}
