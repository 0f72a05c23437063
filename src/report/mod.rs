//! Orchestration of whole runs, above the query and render layers:
//! `sitrep report` renders every chart and table a config defines
//! ([`render_report`]); `sitrep weekly` writes one folder per week
//! ([`weekly`]) atomically ([`folder`]) with a manifest of inputs and
//! outputs ([`manifest`]).

pub mod folder;
pub mod manifest;
pub mod weekly;

use chrono::NaiveDate;
use polars::prelude::LazyFrame;

use crate::config::{ChartEntry, Config};
use crate::error::{Error, Result};
use crate::ingest::FileSummary;
use crate::query::{self, Coverage, Origin};
use crate::render::chart::{self, Annotation, ChartData, Colours};

/// Output files of a run: (file name, bytes), in the order written.
pub type Files = Vec<(String, Vec<u8>)>;

/// A query of a config entry failed: name the entry and key as written in
/// the file (an unknown column is found only when the data is read).
fn entry_error(cfg: &Config, label: &str, e: Error) -> Error {
    match e {
        Error::UnknownColumn { option, name, columns } => Error::Config {
            path: cfg.path.clone(),
            message: Origin::Config(label)
                .error(option, format!("unknown column {name:?} (columns: {})", columns.join(", ")))
                .to_string(),
        },
        other => other,
    }
}

/// The annotations of `[data]` (none when not configured).
pub fn annotations(cfg: &Config) -> Result<Vec<Annotation>> {
    match cfg.annotations() {
        Some(p) => chart::load_annotations(&p),
        None => Ok(Vec::new()),
    }
}

/// Draw one configured chart in each of its formats. `window` narrows the
/// query to dates (a weekly chart ends with the report week); `coverage` is
/// what the data is declared complete for.
#[allow(clippy::too_many_arguments)]
pub fn render_chart(
    cfg: &Config,
    entry: &ChartEntry,
    lf: &LazyFrame,
    inputs: &[FileSummary],
    annotations: &[Annotation],
    colours: &mut Colours,
    window: Option<(Option<NaiveDate>, NaiveDate)>,
    coverage: Coverage,
) -> Result<Files> {
    let mut q = entry.query.clone();
    q.coverage = coverage;
    if let Some((from, to)) = window {
        if let Some(from) = from {
            q.from = Some(q.from.map_or(from, |f| f.max(from)));
        }
        q.to = Some(q.to.map_or(to, |t| t.min(to)));
    }
    let label = format!("chart {:?}", entry.name);
    let (agg, table) = query::run(lf.clone(), &q).map_err(|e| entry_error(cfg, &label, e))?;
    let data = ChartData::from_table(&table, entry.kind.value_column(), q.every)?;
    let text = chart::chart_text(
        &q,
        entry.kind,
        &agg,
        inputs,
        &cfg.data.attribution,
        entry.title.clone(),
        entry.subtitle.clone(),
        None,
    );
    let svg = chart::render_svg(entry.kind, &data, &text, annotations, entry.size, colours)?;
    entry
        .formats
        .iter()
        .map(|f| Ok((format!("{}.{}", entry.name, f.extension()), f.encode(&svg, entry.size)?)))
        .collect()
}

/// Every chart and table of the config; `coverage` is what the data is
/// declared complete for (`[data] as_of`, `covers_from`, `--as-of`).
pub fn render_report(cfg: &Config, lf: &LazyFrame, inputs: &[FileSummary], coverage: Coverage) -> Result<Files> {
    let annotations = annotations(cfg)?;
    let mut colours = Colours::default();
    let mut files = Vec::new();
    for entry in &cfg.charts {
        files.extend(render_chart(cfg, entry, lf, inputs, &annotations, &mut colours, None, coverage)?);
    }
    for t in &cfg.tables {
        let label = format!("table {:?}", t.name);
        let q = query::Query { coverage, ..t.query.clone() };
        let (_, table) = query::run(lf.clone(), &q).map_err(|e| entry_error(cfg, &label, e))?;
        for f in &t.formats {
            files.push((format!("{}.{}", t.name, f.extension()), f.writer().table(&table).into_bytes()));
        }
    }
    Ok(files)
}
