//! Reports: `sitrep report` renders every chart and table a config defines;
//! `sitrep weekly` writes one folder per week ([`weekly`]) atomically
//! ([`folder`]) with a manifest of inputs and outputs.

pub mod folder;
pub mod weekly;

use std::path::{Path, PathBuf};

use polars::prelude::LazyFrame;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{ChartDef, Config};
use crate::error::Result;
use crate::ingest::FileSummary;
use crate::query;
use crate::render::chart::{self, Annotation, ChartData, ChartKind, ChartSize, Colours};
use crate::render::table::{render_table, OutputFormat};

/// Lower-case hexadecimal of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Draw one configured chart; returns (file name, bytes) per requested format.
/// `window` narrows the query to dates (for weekly charts).
pub fn render_chart_def(
    cfg: &Config,
    def: &ChartDef,
    lf: &LazyFrame,
    inputs: &[FileSummary],
    annotations: &[Annotation],
    colours: &mut Colours,
    window: Option<(Option<chrono::NaiveDate>, chrono::NaiveDate)>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let kind = ChartKind::parse(&def.kind)?;
    let mut q = cfg.query(&format!("chart {:?}", def.name), &def.query)?;
    if let Some((from, to)) = window {
        if let Some(from) = from {
            q.from = Some(q.from.map_or(from, |f| f.max(from)));
        }
        q.to = Some(q.to.map_or(to, |t| t.min(to)));
    }
    q.fill_zeros = true;
    if kind == ChartKind::Cumulative {
        q.cumulative = true;
    }
    let (agg, table) = query::run(lf.clone(), &q)?;
    let data = ChartData::from_table(&table, kind.value_column(), q.every)?;
    let text =
        chart::chart_text(&q, kind, &agg, inputs, &cfg.data.attribution, def.title.clone(), def.subtitle.clone(), None);
    let size = ChartSize {
        width: def.width.unwrap_or(1200),
        height: def.height.unwrap_or(675),
        scale: def.scale.unwrap_or(1.0),
    };
    let svg = chart::render_svg(kind, &data, &text, annotations, size, colours)?;
    let mut out = Vec::new();
    for f in &def.formats {
        match f.as_str() {
            "png" => out.push((format!("{}.png", def.name), chart::svg_to_png(&svg, size.scale)?)),
            _ => out.push((format!("{}.svg", def.name), svg.clone().into_bytes())),
        }
    }
    Ok(out)
}

/// Every chart and table of the config, as (file name, bytes).
pub fn render_report(cfg: &Config, lf: &LazyFrame, inputs: &[FileSummary]) -> Result<Vec<(String, Vec<u8>)>> {
    let annotations = match &cfg.data.annotations {
        Some(p) => chart::load_annotations(&cfg.resolve(p))?,
        None => Vec::new(),
    };
    let mut colours = Colours::default();
    let mut files = Vec::new();
    for def in &cfg.charts {
        files.extend(render_chart_def(cfg, def, lf, inputs, &annotations, &mut colours, None)?);
    }
    for t in &cfg.tables {
        let q = cfg.query(&format!("table {:?}", t.name), &t.query)?;
        let (_, table) = query::run(lf.clone(), &q)?;
        for f in &t.formats {
            let (format, ext) = match f.as_str() {
                "json" => (OutputFormat::Json, "json"),
                "md" => (OutputFormat::Markdown, "md"),
                _ => (OutputFormat::Csv, "csv"),
            };
            files.push((format!("{}.{ext}", t.name), render_table(&table, format).into_bytes()));
        }
    }
    Ok(files)
}

/// One input file in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct InputEntry {
    /// Path as given in the config.
    pub path: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Rows read, accepted, rejected.
    pub rows: (u64, u64, u64),
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Layout version.
    pub schema_version: u32,
    /// Tool name and version.
    pub tool: String,
    /// Report week label.
    pub week: String,
    /// Week dates.
    pub window: weekly::Week,
    /// Data cutoff (last date in the input).
    pub data_last_date: Option<chrono::NaiveDate>,
    /// Config path and hash.
    pub config: (String, String),
    /// Inputs.
    pub inputs: Vec<InputEntry>,
    /// Output files: name, SHA-256, bytes.
    pub files: Vec<(String, String, usize)>,
}

/// Hash inputs for the manifest (paths as configured, so manifests match across machines).
pub fn input_entries(cfg: &Config, inputs: &[FileSummary]) -> Result<Vec<InputEntry>> {
    cfg.data
        .files
        .iter()
        .zip(inputs)
        .map(|(given, f)| {
            Ok(InputEntry {
                path: given.display().to_string(),
                sha256: sha256_file(&f.path)?,
                rows: (f.read, f.accepted, f.rejected),
            })
        })
        .collect()
}

/// SHA-256 of a file, read in pieces (an input can be larger than memory).
pub fn sha256_file(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| crate::Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hex(&hash.finalize()))
}

/// Write a weekly report folder under `root`; returns its path.
#[allow(clippy::too_many_arguments)]
pub fn write_weekly(
    cfg: &Config,
    root: &Path,
    lf: &LazyFrame,
    inputs: &[FileSummary],
    week: weekly::Week,
) -> Result<(PathBuf, weekly::WeeklySummary)> {
    // Hash the inputs (hundreds of MB for a large store) while the queries run.
    std::thread::scope(|scope| {
        let hashing = scope.spawn(|| input_entries(cfg, inputs));
        let rendered = render_weekly(cfg, lf, inputs, week);
        let entries = hashing.join().map_err(|_| crate::Error::Invalid("internal: input hashing panicked".into()))?;
        let (summary, files) = rendered?;
        finish_weekly(cfg, root, week, summary, files, entries?)
    })
}

type Files = Vec<(String, Vec<u8>)>;

/// The summary and chart files of a weekly report.
fn render_weekly(
    cfg: &Config,
    lf: &LazyFrame,
    inputs: &[FileSummary],
    week: weekly::Week,
) -> Result<(weekly::WeeklySummary, Files)> {
    let week_start = cfg.week_start()?;
    let summary = weekly::summarise_week(lf, week, week_start, &cfg.anchors()?, cfg.weekly.top, &cfg.data.attribution)?;
    let mut files = vec![
        ("summary.md".to_string(), weekly::render_markdown(&summary).into_bytes()),
        ("summary.json".to_string(), weekly::render_json(&summary).into_bytes()),
    ];
    let annotations = match &cfg.data.annotations {
        Some(p) => chart::load_annotations(&cfg.resolve(p))?,
        None => Vec::new(),
    };
    let mut colours = Colours::default();
    for def in &cfg.weekly.charts {
        // `weeks` (capped at 100 years) ends the chart with the report week;
        // without it the chart keeps its own `from` and only stops at the week's end.
        let from = def.weeks.map(|n| week.start - chrono::Duration::days(7 * (i64::from(n.clamp(1, 5200)) - 1)));
        let window = Some((from, week.end));
        match render_chart_def(cfg, def, lf, inputs, &annotations, &mut colours, window) {
            Ok(f) => files.extend(f),
            // A quiet week can leave a chart with nothing to draw; the summary says so.
            Err(crate::Error::Invalid(m)) if m.contains("nothing to draw") => {}
            Err(e) => return Err(e),
        }
    }
    Ok((summary, files))
}

/// Add the manifest and write the folder.
fn finish_weekly(
    cfg: &Config,
    root: &Path,
    week: weekly::Week,
    summary: weekly::WeeklySummary,
    mut files: Files,
    inputs: Vec<InputEntry>,
) -> Result<(PathBuf, weekly::WeeklySummary)> {
    let config_bytes = std::fs::read(&cfg.path).map_err(|e| crate::Error::io(&cfg.path, e))?;
    let manifest = Manifest {
        schema_version: weekly::SCHEMA_VERSION,
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
