//! Orchestration of whole runs, above the query and render layers:
//! `sitrep report` renders every chart and table a config defines
//! ([`render_report`]); `sitrep weekly` writes one folder per week
//! ([`weekly`]) atomically ([`folder`]) with a manifest of inputs and
//! outputs ([`manifest`]).

pub mod folder;
pub mod manifest;
pub mod weekly;

use chrono::NaiveDate;

use crate::config::{ChartEntry, Config};
use crate::error::{Error, Result};
use crate::ingest::FileSummary;
use crate::pipeline::common_coverage;
use crate::query::{self, Coverage, Origin, Source};
use crate::render::chart::{self, Annotation, Colours, Look, Provenance};
use crate::render::page::{table_block, Block, Page, PageChart, PageTable};
use crate::text::{count, counted};

/// The file name of a report's HTML page.
pub const INDEX: &str = "index.html";

/// Output files of a run: (file name, bytes), in the order written.
pub type Files = Vec<(String, Vec<u8>)>;

/// A query of a config entry failed: name the entry and key as written in
/// the file (an unknown column is found only when the data is read).
fn entry_error(cfg: &Config, label: &str, e: Error) -> Error {
    match e {
        Error::UnknownColumn { option, name, columns, suggestion } => Error::Config {
            path: cfg.path.clone(),
            message: Origin::Config(label)
                .error(
                    option,
                    format!(
                        "unknown column {name:?}{} (columns: {})",
                        crate::error::did_you_mean(&suggestion),
                        columns.join(", ")
                    ),
                )
                .to_string(),
        },
        other => other,
    }
}

/// The annotations of `[data]` and the named periods of `[time]`, drawn as
/// shaded bands with their names.
pub fn annotations(cfg: &Config) -> Result<Vec<Annotation>> {
    let mut notes = match cfg.annotations() {
        Some(p) => chart::load_annotations(&p)?,
        None => Vec::new(),
    };
    notes.extend(chart::period_bands(&cfg.named_periods));
    Ok(notes)
}

/// How a configured chart is drawn in one run: `window` narrows the query
/// to dates (a weekly chart ends with the report week); `coverage` is what the
/// data is declared complete for; `days_since` adds the days since the last
/// incident on a second axis (the weekly report's first chart).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChartRun {
    /// First and last date drawn.
    pub window: Option<(Option<NaiveDate>, NaiveDate)>,
    /// Declared coverage.
    pub coverage: Coverage,
    /// Draw days since the last incident.
    pub days_since: bool,
}

/// Draw one configured chart in each of its formats, with its alt text
/// (`NAME.txt`); with the files, the chart as the page shows it. A note a
/// user must see goes to `notes`.
#[allow(clippy::too_many_arguments)]
pub fn render_chart(
    cfg: &Config,
    entry: &ChartEntry,
    source: &Source,
    inputs: &[FileSummary],
    annotations: &[Annotation],
    colours: &mut Colours,
    run: ChartRun,
    notes: &mut Vec<String>,
) -> Result<(Files, PageChart)> {
    let mut q = entry.query.clone();
    q.coverage = run.coverage;
    if let Some((from, to)) = run.window {
        if let Some(from) = from {
            q.from = Some(q.from.map_or(from, |f| f.max(from)));
        }
        q.to = Some(q.to.map_or(to, |t| t.min(to)));
    }
    let label = format!("chart {:?}", entry.name);
    if let Source::Incidents(lf) = source {
        if let Some(n) = common_coverage(lf, inputs, &mut q)? {
            notes.push(format!("{label}: {n}"));
        }
    }
    let look = Look {
        kind: entry.kind,
        title: entry.title.clone(),
        subtitle: entry.subtitle.clone(),
        note: None,
        size: entry.size,
        days_since: run.days_since,
        labels: cfg.chart_labels.clone(),
        words: cfg.chart_words.clone(),
        options: entry.options,
    };
    let ctx = Provenance { inputs, attribution: &cfg.data.attribution, annotations };
    let drawn = chart::draw_query(source, &q, &look, ctx, colours).map_err(|e| entry_error(cfg, &label, e))?;
    let mut files = entry
        .formats
        .iter()
        .map(|f| Ok((format!("{}.{}", entry.name, f.extension()), f.encode(&drawn.svg, entry.size)?)))
        .collect::<Result<Files>>()?;
    files.push((format!("{}.txt", entry.name), format!("{}\n", drawn.alt).into_bytes()));
    let page = PageChart {
        title: drawn.title,
        svg: drawn.svg,
        alt: drawn.alt,
        files: files.iter().map(|(n, _)| n.clone()).collect(),
    };
    Ok((files, page))
}

/// What a file beside a report page is, for its list of files.
pub fn describe_file(name: &str) -> &'static str {
    match name.rsplit_once('.').map_or("", |(_, e)| e) {
        "svg" => "chart (SVG)",
        "png" => "chart (PNG)",
        "txt" => "chart description (alt text)",
        "csv" => "table (CSV)",
        "json" => "machine-readable (JSON)",
        "md" => "Markdown",
        _ => "file",
    }
}

/// The page of a `sitrep report` run: its charts and tables, the incidents
/// counted, and the sources.
fn report_page(
    cfg: &Config,
    inputs: &[FileSummary],
    charts: Vec<PageChart>,
    tables: Vec<PageTable>,
    files: &Files,
    notes: &[String],
) -> Page {
    let accepted: u64 = inputs.iter().map(|f| f.accepted).sum();
    let rejected: u64 = inputs.iter().map(|f| f.rejected).sum();
    let first = inputs.iter().filter_map(|f| f.dates.map(|d| d.0)).min();
    let last = inputs.iter().filter_map(|f| f.dates.map(|d| d.1)).max();
    let mut headline = format!("{} in {}", counted(accepted, "incident"), counted(inputs.len() as u64, "input file"));
    if let (Some(a), Some(b)) = (first, last) {
        headline.push_str(&format!(", dated {a} to {b}"));
    }
    headline.push_str(&format!("; {} rejected.", counted(rejected, "row")));
    let mut blocks = Vec::new();
    if !charts.is_empty() {
        blocks.push(Block::Heading("Charts".into()));
        blocks.extend(charts.into_iter().map(Block::Chart));
    }
    if !tables.is_empty() {
        blocks.push(Block::Heading("Tables".into()));
        blocks.extend(tables.into_iter().map(Block::Table));
    }
    let mut methodology = Vec::new();
    if !cfg.data.attribution.is_empty() {
        methodology.push(format!("Source: {}.", cfg.data.attribution));
    }
    let names: Vec<String> = inputs
        .iter()
        .map(|f| {
            format!(
                "{} ({} layout, {} rows read, {} accepted)",
                f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                f.layout,
                count(f.read),
                count(f.accepted)
            )
        })
        .collect();
    methodology.push(format!("Input: {}.", names.join("; ")));
    methodology.push(
        "Counts are incidents in the input after validation and alias and taxonomy normalisation; \
         unknown fatalities are not treated as zero, and every rejected row is reported by sitrep check."
            .into(),
    );
    methodology.extend(notes.iter().cloned());
    Page {
        title: cfg.report_title.clone(),
        headline,
        blocks,
        files: files.iter().map(|(n, _)| (n.clone(), describe_file(n).to_string())).collect(),
        methodology,
    }
}

/// The note for an entry an engine's counts cannot give.
fn left_out(what: &str, name: &str, needs: &str) -> String {
    format!("{what} {name:?} left out: {needs} needs the incidents themselves, not an engine's counts")
}

/// Every chart and table of the config; `coverage` is what the data is
/// declared complete for (`[data] as_of`, `covers_from`, `--as-of`). With the
/// files, the notes a user must see (entries narrowed to the dates all sources cover).
pub fn render_report(
    cfg: &Config,
    source: &Source,
    inputs: &[FileSummary],
    coverage: Coverage,
) -> Result<(Files, Vec<String>)> {
    let annotations = annotations(cfg)?;
    let mut colours = Colours::with_fixed(cfg.chart_colours.clone());
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let mut charts = Vec::new();
    let mut tables = Vec::new();
    for entry in &cfg.charts {
        let run = ChartRun { coverage, ..Default::default() };
        match render_chart(cfg, entry, source, inputs, &annotations, &mut colours, run, &mut notes) {
            Ok((f, page)) => {
                files.extend(f);
                charts.push(page);
            }
            // An engine's counts cannot give it: said, not silently skipped.
            Err(Error::NeedsIncidents(what)) => notes.push(left_out("chart", &entry.name, &what)),
            Err(e) => return Err(e),
        }
    }
    for t in &cfg.tables {
        let label = format!("table {:?}", t.name);
        let mut q = query::Query { coverage, ..t.query.clone() };
        let narrowed = match source {
            Source::Incidents(lf) => common_coverage(lf, inputs, &mut q)?,
            Source::Aggregates(_) => None,
        };
        let needs = match (t.by_period_name, &t.escalation) {
            (true, _) => Some("a table by named period"),
            (false, Some(_)) => Some("escalation flags"),
            (false, None) => None,
        };
        if let (Some(what), Source::Aggregates(_)) = (needs, source) {
            notes.push(left_out("table", &t.name, what));
            continue;
        }
        let table = if t.by_period_name {
            source
                .incidents("a table by named period")
                .and_then(|lf| query::named::by_period_name(lf.clone(), &q, &cfg.named_periods))
        } else {
            query::run_on(source, &q).map(|(_, table)| table)
        }
        .map_err(|e| entry_error(cfg, &label, e));
        let mut table = match table {
            Ok(table) => table,
            Err(Error::NeedsIncidents(what)) => {
                notes.push(left_out("table", &t.name, &what));
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(rule) = &t.escalation {
            query::escalation::add_flags(source.incidents("escalation flags")?, &q, rule, &mut table)?;
        }
        if let Some(n) = narrowed {
            notes.push(format!("{label}: {n}"));
            table.notes.insert(0, n);
        }
        let names: Vec<String> = t.formats.iter().map(|f| format!("{}.{}", t.name, f.extension())).collect();
        for (f, name) in t.formats.iter().zip(&names) {
            files.push((name.clone(), f.writer().table(&table).into_bytes()));
        }
        tables.push(table_block(&t.name, &table, names));
    }
    let page = report_page(cfg, inputs, charts, tables, &files, &notes);
    files.push((INDEX.to_string(), page.html().into_bytes()));
    Ok((files, notes))
}
