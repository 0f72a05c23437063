//! `sitrep agg`: counts by period and group, with the shapes analysts publish.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{NaiveDate, Weekday};
use clap::{Args, ValueEnum};
use sitrep::ingest::{load_incidents, write_rejects, LoadOptions};
use sitrep::query::period::{parse_weekday, Period};
use sitrep::query::spec::{parse_date_flag, parse_filter, Metric, Query};
use sitrep::render::table::{render_table, OutputFormat};
use sitrep::schema::DatePrecision;

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
    /// Keep only incidents dated at least this precisely: day, week, month, year.
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
    /// Change against the previous period and the mean of the previous N (default 4; --compare=N), with trend bands.
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "4")]
    pub compare: Option<usize>,
}

impl QueryArgs {
    /// Validate the flags into a query.
    pub fn to_query(&self) -> anyhow::Result<Query> {
        let week_start: Weekday = parse_weekday(&self.week_start)?;
        let anchor = self.anchor.as_deref().map(|a| parse_date_flag("--anchor", a)).transpose()?;
        let every = self.every.as_deref().map(|e| Period::parse(e, week_start, anchor)).transpose()?;
        let date = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<NaiveDate>> {
            Ok(v.as_deref().map(|s| parse_date_flag(flag, s)).transpose()?)
        };
        let (from, to) = (date("--from", &self.from)?, date("--to", &self.to)?);
        if let (Some(a), Some(b)) = (from, to) {
            anyhow::ensure!(a <= b, "--from {a} is after --to {b}");
        }
        let min_precision = self
            .min_precision
            .as_deref()
            .map(|p| p.parse::<DatePrecision>().map_err(|e| anyhow::anyhow!("--min-precision: {e}")))
            .transpose()?;
        Ok(Query {
            from,
            to,
            filters: self.filters.iter().map(|f| parse_filter(f)).collect::<Result<_, _>>()?,
            min_precision,
            every,
            by: self.by.iter().map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect(),
            metrics: Metric::parse_list(&self.metric)?,
            split_actors: self.split_actors,
            top: self.top,
            fill_zeros: self.fill_zeros,
            rolling: self.rolling,
            cumulative: self.cumulative,
            since: date("--since", &self.since)?,
            compare: self.compare,
        })
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
    /// The date lulls are measured to (default: --to, or today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
}

/// Load the inputs of a query command, keeping only the source columns it names.
pub fn load_for_query(source: &SourceArgs, q: &Query) -> anyhow::Result<(sitrep::ingest::Loaded, LoadOptions)> {
    let input = &source.input;
    let mut files = input.files.clone();
    files.extend(source.store.clone());
    anyhow::ensure!(!files.is_empty(), "no input: give data files or --store S.parquet");
    let mut opts = input.load_options()?;
    let mut columns: Vec<String> = q.by.iter().chain(q.filters.iter().map(|(c, _)| c)).cloned().collect();
    if q.split_actors {
        columns.push(sitrep::schema::col::ACTOR.to_string());
    }
    // Normalisation reads related columns: actors for parents and umbrellas,
    // free text for weapon and target type keywords.
    use sitrep::schema::col as c;
    let extra: Vec<&str> = columns
        .iter()
        .flat_map(|name| match name.as_str() {
            c::ACTOR_PARENT | c::ACTOR_UMBRELLA => vec![c::ACTOR],
            c::WEAPON => vec![c::NOTES],
            c::TARGET_TYPE => vec![c::TARGET, c::LOCATION, c::NOTES],
            _ => vec![],
        })
        .collect();
    columns.extend(extra.into_iter().map(String::from));
    columns.sort();
    columns.dedup();
    opts.columns = Some(columns);
    opts.lazy = true;
    let mut loaded = load_incidents(&files, &opts)?;
    let how = super::NormaliseFor { columns: opts.columns.as_deref(), lazy: true, list_unmapped: false };
    super::normalise(input, &mut loaded, how)?;
    if let Some(path) = &input.rejects {
        write_rejects(path, &loaded, &opts, !input.no_csv_escape)
            .with_context(|| format!("writing rejects to {}", path.display()))?;
    }
    super::warn_rejected(&loaded, input.rejects.as_ref());
    Ok((loaded, opts))
}

pub fn run(args: &AggArgs) -> anyhow::Result<ExitCode> {
    let q = args.query.to_query()?;
    anyhow::ensure!(q.since.is_none() || q.cumulative, "--since goes with --cumulative");
    let (loaded, _) = load_for_query(&args.source, &q)?;
    let table = if args.lull {
        let as_of = match (&args.as_of, q.to) {
            (Some(a), _) => parse_date_flag("--as-of", a)?,
            (None, Some(to)) => to,
            (None, None) => chrono::Local::now().date_naive(),
        };
        sitrep::query::lull::lulls(loaded.lazy(), &q, as_of)?.1
    } else {
        sitrep::query::run(loaded.lazy(), &q)?.1
    };
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
