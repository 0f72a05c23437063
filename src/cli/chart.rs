//! `sitrep chart`: the query flags of `agg`, drawn as SVG or PNG.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use sitrep::query::Origin;
use sitrep::render::chart::{
    self, Annotation, ChartFormat, ChartKind, ChartOptions, ChartSize, Colours, Look, Provenance, YScale,
};

use super::agg::{counts_for_query, QueryArgs, SourceArgs};

#[derive(Debug, Args)]
pub struct ChartArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub query: QueryArgs,
    /// bar, stacked, line, cumulative, heatmap, small-multiples, gap (days
    /// since the previous incident). Bar without --every ranks groups.
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
    /// Named periods (name,from,to), shaded behind the data with their names.
    #[arg(long, value_name = "F.csv")]
    pub periods: Option<PathBuf>,
    /// Width in pixels.
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 675)]
    pub height: u32,
    /// PNG scale (2 for 2x or print); text scales with it.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// Show a group value under another label: --label "Unclaimed=No claim yet" (repeatable).
    #[arg(long = "label", value_name = "VALUE=LABEL")]
    pub labels: Vec<String>,
    /// Small multiples: one y scale for every panel (shared) or one per panel (free).
    #[arg(long, value_name = "shared|free")]
    pub y_scale: Option<String>,
    /// Heatmap: write each cell's count in it.
    #[arg(long)]
    pub values: bool,
    /// Bar, stacked and line charts: mark periods where the 30-day alert fired (HDX Signals' rule, at least 10).
    #[arg(long)]
    pub alerts: bool,
    /// A group's colour: --color "Kataib Hezbollah=#882255" (repeatable; as `[colors]` in sitrep.toml).
    #[arg(long = "color", value_name = "NAME=#RRGGBB")]
    pub colors: Vec<String>,
    /// The word for a column in the default title: --word "location=base" (repeatable).
    #[arg(long = "word", value_name = "COLUMN=WORD")]
    pub words: Vec<String>,
}

/// `A=B` pairs of a repeatable flag.
fn pairs(flag: &str, values: &[String], what: &str) -> anyhow::Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|l| {
            l.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .ok_or_else(|| super::usage(format!("{flag}: expected {what}, got {l:?}")))
        })
        .collect()
}

pub fn run(args: &ChartArgs) -> anyhow::Result<ExitCode> {
    let kind = ChartKind::parse(&args.kind).map_err(|e| Origin::Flags.error("kind", e))?;
    let mut def = args.query.to_def();
    kind.prepare(&mut def, Origin::Flags)?;
    let mut q = args.query.query(&def)?;
    let extension = args.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = ChartFormat::parse(extension)
        .map_err(|_| super::usage(format!("--out: {} must end in .svg or .png", args.out.display())))?;
    // A mistyped folder is an error, not a new folder made in the wrong place.
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
        return Err(super::usage(format!("--out: the folder {} does not exist", dir.display())));
    }
    let size = ChartSize { width: args.width, height: args.height, scale: args.scale };
    size.check().map_err(|e| super::usage(format!("--width/--height/--scale: {e}")))?;
    let counts = counts_for_query(&args.source, &q)?;
    let mut notes: Vec<Annotation> = match &args.annotations {
        Some(p) => chart::load_annotations(p)?,
        None => Vec::new(),
    };
    if let Some(p) = &args.periods {
        notes.extend(chart::period_bands(&sitrep::query::named::load(p)?));
    }
    let look = Look {
        kind,
        title: args.title.clone(),
        subtitle: args.subtitle.clone(),
        note: args.note.clone(),
        size,
        days_since: false,
        labels: pairs("--label", &args.labels, "VALUE=LABEL")?,
        words: pairs("--word", &args.words, "COLUMN=WORD")?,
        options: ChartOptions {
            y_scale: match &args.y_scale {
                Some(_) if kind != ChartKind::SmallMultiples => {
                    return Err(super::usage("--y-scale applies only to --kind small-multiples"))
                }
                Some(v) => YScale::parse(v).map_err(|m| super::usage(format!("--y-scale: {m}")))?,
                None => YScale::Shared,
            },
            values: match args.values {
                true if kind != ChartKind::Heatmap => {
                    return Err(super::usage("--values applies only to --kind heatmap"))
                }
                v => v,
            },
            alerts: match args.alerts {
                true if !matches!(kind, ChartKind::Bar | ChartKind::Stacked | ChartKind::Line) => {
                    return Err(super::usage("--alerts applies only to --kind bar, stacked or line"))
                }
                v => v,
            },
        },
    };
    let ctx = Provenance { inputs: &counts.files, attribution: "", annotations: &notes };
    let narrowed = match &counts.prepared {
        Some(prepared) => sitrep::pipeline::common_coverage(&prepared.lazy(), &prepared.loaded.files, &mut q)?,
        None => None,
    };
    let fixed = pairs("--color", &args.colors, "NAME=#RRGGBB")?
        .into_iter()
        .map(|(n, c)| chart::parse_colour(&c).map(|c| (n, c)).map_err(|m| super::usage(format!("--color: {m}"))))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut drawn = chart::draw_query(&counts.source, &q, &look, ctx, &mut Colours::with_fixed(fixed))?;
    drawn.notes.splice(0..0, narrowed);
    let svg = drawn.svg;
    let bytes = format.encode(&svg, size)?;
    sitrep::atomic::write_atomic(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!("wrote {} ({} bytes)", args.out.display(), sitrep::text::count(bytes.len() as u64));
    // What the chart shows, in words, beside it: alt text for a page or a screen reader.
    let alt_path = args.out.with_extension("txt");
    let alt = format!("{}\n", drawn.alt);
    sitrep::atomic::write_atomic(&alt_path, alt.as_bytes())
        .with_context(|| format!("writing {}", alt_path.display()))?;
    println!("wrote {} ({} bytes)", alt_path.display(), sitrep::text::count(alt.len() as u64));
    for n in &drawn.notes {
        eprintln!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
