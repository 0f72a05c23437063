//! `sitrep chart`: the query flags of `agg`, drawn as SVG or PNG.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use sitrep::query;
use sitrep::render::chart::{self, Annotation, ChartData, ChartKind, ChartSize, Colours};

use super::agg::{load_for_query, QueryArgs, SourceArgs};

#[derive(Debug, Args)]
pub struct ChartArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub query: QueryArgs,
    /// bar, stacked, line, cumulative, heatmap, small-multiples.
    #[arg(long, default_value = "stacked", value_name = "KIND")]
    pub kind: String,
    /// Output file; the extension (.svg or .png) sets the format.
    #[arg(long, value_name = "F.svg|F.png")]
    pub out: PathBuf,
    /// Title (default: derived from the query).
    #[arg(long)]
    pub title: Option<String>,
    /// Subtitle (default: the date range).
    #[arg(long)]
    pub subtitle: Option<String>,
    /// Footer note (default: the input files and their date range).
    #[arg(long)]
    pub note: Option<String>,
    /// CSV of key events: date, optional end_date, label.
    #[arg(long, value_name = "F.csv")]
    pub annotations: Option<PathBuf>,
    /// Width in pixels.
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 675)]
    pub height: u32,
    /// PNG scale (2 for 2x or print); text scales with it.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
}

pub fn run(args: &ChartArgs) -> anyhow::Result<ExitCode> {
    let kind = ChartKind::parse(&args.kind)?;
    let mut q = args.query.to_query()?;
    anyhow::ensure!(q.every.is_some(), "charts need --every (day, week, month, quarter, year or Nd)");
    q.fill_zeros = true;
    anyhow::ensure!(q.since.is_none() || kind == ChartKind::Cumulative, "--since goes with --kind cumulative");
    if kind == ChartKind::Cumulative {
        q.cumulative = true;
    }
    let format_png = match args.out.extension().and_then(|e| e.to_str()).map(str::to_lowercase).as_deref() {
        Some("svg") => false,
        Some("png") => true,
        _ => anyhow::bail!("--out: {} must end in .svg or .png", args.out.display()),
    };
    anyhow::ensure!(args.width >= 200 && args.height >= 150, "--width/--height: at least 200×150 pixels");
    anyhow::ensure!(args.scale > 0.0 && args.scale <= 8.0, "--scale: between 0 and 8");
    let (loaded, _) = load_for_query(&args.source, &q)?;
    let (agg, table) = query::run(loaded.lazy(), &q)?;
    let data = ChartData::from_table(&table, kind.value_column(), q.every)?;
    let notes: Vec<Annotation> = match &args.annotations {
        Some(p) => chart::load_annotations(p)?,
        None => Vec::new(),
    };
    let text = chart::chart_text(
        &q,
        kind,
        &agg,
        &loaded.files,
        "",
        args.title.clone(),
        args.subtitle.clone(),
        args.note.clone(),
    );
    let size = ChartSize { width: args.width, height: args.height, scale: args.scale };
    let svg = chart::render_svg(kind, &data, &text, &notes, size, &mut Colours::default())?;
    let bytes = if format_png { chart::svg_to_png(&svg, args.scale)? } else { svg.into_bytes() };
    sitrep::atomic::write_atomic(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    for n in &table.notes {
        eprintln!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
