//! `sitrep agg`: counts by period and group, with the shapes analysts publish.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sitrep::pipeline::{Needs, Prepared};
use sitrep::query::def::{week_start, Origin, QueryDef};
use sitrep::query::Query;
use sitrep::render::format::{render_table, OutputFormat};
use sitrep::schema::dates::parse_date_arg;

use super::InputArgs;

/// The query flags shared by `agg` and `chart`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Period: day, week, month, quarter, year, or Nd (N-day windows). Omit to count the whole range.
    #[arg(long, value_name = "PERIOD")]
    pub every: Option<String>,
    /// First day of the week: mon (ISO, default) … sun; sat gives ACLED's Saturday–Friday week.
    #[arg(long, default_value = "mon", value_name = "DAY")]
    pub week_start: String,
    /// A date on which an N-day window starts (with --every Nd).
    #[arg(long, value_name = "DATE")]
    pub anchor: Option<String>,
    /// Columns to group by, comma-separated (any canonical or kept source column).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub by: Vec<String>,
    /// Metrics, comma-separated: incidents, fatalities, injured, share.
    #[arg(long, default_value = "incidents", value_name = "LIST")]
    pub metric: String,
    /// First date included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last date included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Keep rows where COLUMN is one of the values; repeat for more columns.
    #[arg(long = "where", value_name = "COL=V1,V2")]
    pub filters: Vec<String>,
    /// Keep only incidents dated at least this precisely: day, week, month, quarter, year.
    #[arg(long, value_name = "P")]
    pub min_precision: Option<String>,
    /// Split multi-actor cells ("A, B, C") into one row per actor.
    #[arg(long)]
    pub split_actors: bool,
    /// Keep the N largest groups over the range; merge the rest into "Other".
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Every period in range × every group, with zeros where nothing happened.
    #[arg(long)]
    pub fill_zeros: bool,
    /// Mean incidents over the last N periods (blank until N periods are in).
    #[arg(long, value_name = "N")]
    pub rolling: Option<usize>,
    /// Running total of incidents.
    #[arg(long)]
    pub cumulative: bool,
    /// Start the running total on this date (counts only incidents from it on).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// The data is complete through this date: zero-filled grids, running
    /// totals and lulls run to it, past the last incident (lulls default to --to, or today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The data is complete from this date (grids start there, before the first incident).
    #[arg(long, value_name = "DATE")]
    pub covers_from: Option<String>,
    /// Change against the previous period and the mean of the previous N (default 4; --compare=N), with trend bands.
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "4")]
    pub compare: Option<usize>,
    /// Row order: count (largest group first in each period), name, or period.
    /// Default: period with --every, count without.
    #[arg(long, value_name = "ORDER")]
    pub sort: Option<String>,
}

impl QueryArgs {
    /// The flags as a query definition, the form a config entry has too.
    pub fn to_def(&self) -> QueryDef {
        QueryDef {
            every: self.every.clone(),
            anchor: self.anchor.clone(),
            by: self.by.clone(),
            metrics: vec![self.metric.clone()],
            from: self.from.clone(),
            to: self.to.clone(),
            filters: self.filters.clone(),
            min_precision: self.min_precision.clone(),
            top: self.top,
            fill_zeros: self.fill_zeros,
            rolling: self.rolling,
            cumulative: self.cumulative,
            since: self.since.clone(),
            compare: self.compare,
            split_actors: self.split_actors,
            sort: self.sort.clone(),
        }
    }

    /// Validate a definition made from these flags into a query, with the
    /// declared coverage.
    pub fn query(&self, def: &QueryDef) -> anyhow::Result<Query> {
        let start = week_start(Origin::Flags, "week_start", &self.week_start)?;
        let mut q = def.to_query(Origin::Flags, start, &[])?;
        q.coverage.to = self.as_of.as_deref().map(|a| parse_date_arg("--as-of", a)).transpose()?;
        q.coverage.from = self.covers_from.as_deref().map(|a| parse_date_arg("--covers-from", a)).transpose()?;
        Ok(q)
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Table,
    Csv,
    Json,
    Md,
}

/// Where a query reads incidents: files, a store, or both.
#[derive(Debug, Args)]
pub struct SourceArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Read incidents from this Parquet store (written by `sitrep ingest`).
    #[arg(long, value_name = "S.parquet")]
    pub store: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AggArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub query: QueryArgs,
    /// Instead of counts: days since the last incident and the longest gap, per group.
    #[arg(long)]
    pub lull: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
}

/// Load the inputs of a query command, keeping only the columns it reads.
pub fn load_for_query(source: &SourceArgs, q: &Query) -> anyhow::Result<Prepared> {
    let mut inputs = source.input.inputs()?;
    inputs.files.extend(source.store.clone());
    if inputs.files.is_empty() {
        return Err(super::usage("no input: give data files or --store S.parquet"));
    }
    let prepared = sitrep::pipeline::load(&inputs, &Needs::query(q))?;
    super::warn_rejected(&prepared.loaded, inputs.rejects.as_ref());
    super::require_accepted(&prepared.loaded)?;
    Ok(prepared)
}

pub fn run(args: &AggArgs) -> anyhow::Result<ExitCode> {
    let mut q = args.query.query(&args.query.to_def())?;
    let prepared = load_for_query(&args.source, &q)?;
    let narrowed = if args.lull {
        None
    } else {
        sitrep::pipeline::common_coverage(&prepared.lazy(), &prepared.loaded.files, &mut q)?
    };
    let table = if args.lull {
        let as_of = match (q.coverage.to, q.to) {
            (Some(a), _) => a,
            (None, Some(to)) => to,
            (None, None) => chrono::Local::now().date_naive(),
        };
        sitrep::query::lull::lulls(prepared.lazy(), &q, as_of)?.1
    } else {
        sitrep::query::run(prepared.lazy(), &q)?.1
    };
    let mut table = table;
    table.notes.splice(0..0, narrowed);
    let format = match args.format {
        FormatArg::Table => OutputFormat::Table,
        FormatArg::Csv if args.source.input.no_csv_escape => OutputFormat::CsvRaw,
        FormatArg::Csv => OutputFormat::Csv,
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Md => OutputFormat::Markdown,
    };
    std::io::stdout().lock().write_all(render_table(&table, format).as_bytes())?;
    if matches!(format, OutputFormat::Csv | OutputFormat::CsvRaw) {
        for n in &table.notes {
            eprintln!("note: {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
