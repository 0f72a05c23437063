//! A `sitrep weekly` run: the summary of one week (computed by
//! [`crate::query::weekly`], written as `summary.md` and `summary.json` by
//! the Markdown and JSON writers), the configured weekly charts, and the
//! manifest, written as one folder.

use std::path::{Path, PathBuf};

use chrono::Duration;
use polars::prelude::LazyFrame;

use super::manifest::{input_entries, InputEntry, Manifest};
use super::{annotations, folder, render_chart, ChartRun, Files};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::FileSummary;
use crate::query::weekly::{summarise_week, Week, WeeklySummary, SCHEMA_VERSION};
use crate::query::{escalation, Coverage, Period, Query};
use crate::render::chart::Colours;
use crate::render::format::OutputFormat;
use crate::render::page::weekly_page;
use crate::text::sha256;

/// The formats of the weekly summary, written as `summary.<extension>`.
pub const SUMMARY_FORMATS: [OutputFormat; 2] = [OutputFormat::Markdown, OutputFormat::Json];

/// Write a weekly report folder under `root`; returns its path.
pub fn write_weekly(
    cfg: &Config,
    root: &Path,
    lf: &LazyFrame,
    inputs: &[FileSummary],
    week: Week,
    coverage: Coverage,
) -> Result<(PathBuf, WeeklySummary)> {
    // Hash the inputs (hundreds of MB for a large store) while the queries run.
    std::thread::scope(|scope| {
        let hashing = scope.spawn(|| input_entries(cfg, inputs));
        let rendered = render_weekly(cfg, lf, inputs, week, coverage);
        let entries = hashing.join().map_err(|_| Error::Internal("input hashing panicked".into()))?;
        let (summary, files) = rendered?;
        finish_weekly(cfg, root, week, summary, files, entries?)
    })
}

/// The summary and chart files of a weekly report.
fn render_weekly(
    cfg: &Config,
    lf: &LazyFrame,
    inputs: &[FileSummary],
    week: Week,
    coverage: Coverage,
) -> Result<(WeeklySummary, Files)> {
    let summary = summarise_week(
        lf,
        week,
        cfg.week_start,
        &cfg.anchors,
        cfg.weekly_top,
        &cfg.data.attribution,
        coverage,
        cfg.weekly_rank,
    )?;
    let mut summary = summary;
    let period = Period::Week { start: cfg.week_start };
    let q = Query { every: Some(period), to: Some(week.end), coverage, ..Default::default() };
    summary.escalation = escalation::period_flags(lf, &q, week.start, &cfg.weekly_escalation)?;
    summary.escalation_rules = escalation::rules_in_words(&cfg.weekly_escalation, period);
    let mut files = Vec::new();
    for format in SUMMARY_FORMATS {
        if let Some(text) = format.writer().weekly(&summary) {
            files.push((format!("summary.{}", format.extension()), text.into_bytes()));
        }
    }
    let annotations = annotations(cfg)?;
    let mut colours = Colours::with_fixed(cfg.chart_colours.clone());
    let mut charts = Vec::new();
    let source = crate::query::Source::Incidents(lf.clone());
    for (i, entry) in cfg.weekly_charts.iter().enumerate() {
        // `weeks` (capped at 100 years) ends the chart with the report week;
        // without it the chart keeps its own `from` and only stops at the week's end.
        let from = entry.weeks.map(|n| week.start - Duration::days(7 * (i64::from(n.clamp(1, 5200)) - 1)));
        let window = Some((from, week.end));
        // The first chart also shows the days since the last incident: a lull reads at a glance.
        let run = ChartRun { window, coverage, days_since: i == 0 };
        // Weekly runs declare coverage or end with the report week, so a chart is not narrowed: no notes.
        match render_chart(cfg, entry, &source, inputs, &annotations, &mut colours, run, &mut Vec::new()) {
            Ok((f, page)) => {
                files.extend(f);
                charts.push(page);
            }
            // A quiet week can leave a chart with nothing to draw; the summary says so.
            Err(Error::NothingToDraw) => {}
            Err(e) => return Err(e),
        }
    }
    // The page lists what is beside it, and the manifest that is written last.
    let mut listed: Vec<(String, String)> =
        files.iter().map(|(n, _)| (n.clone(), super::describe_file(n).to_string())).collect();
    listed.push(("manifest.json".into(), "inputs and outputs with their SHA-256 (JSON)".into()));
    let page = weekly_page(&summary, charts, listed);
    files.push((super::INDEX.to_string(), page.html().into_bytes()));
    Ok((summary, files))
}

/// Add the manifest and write the folder.
fn finish_weekly(
    cfg: &Config,
    root: &Path,
    week: Week,
    summary: WeeklySummary,
    mut files: Files,
    inputs: Vec<InputEntry>,
) -> Result<(PathBuf, WeeklySummary)> {
    let config_bytes = std::fs::read(&cfg.path).map_err(|e| Error::io(&cfg.path, e))?;
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        tool: format!("sitrep {}", env!("CARGO_PKG_VERSION")),
        week: summary.week.clone(),
        window: week,
        data_last_date: summary.data_last_date,
        config: (cfg.path.display().to_string(), sha256(&config_bytes)),
        inputs,
        files: files.iter().map(|(n, b)| (n.clone(), sha256(b), b.len())).collect(),
    };
    let mut m = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    m.push('\n');
    files.push(("manifest.json".to_string(), m.into_bytes()));
    let path = folder::write_folder(root, &summary.week, &files)?;
    Ok((path, summary))
}
