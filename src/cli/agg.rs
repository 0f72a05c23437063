//! `sitrep agg`: counts by period and group, with the shapes analysts publish.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sitrep::pipeline::{Needs, Prepared};
use sitrep::query::def::{week_start, Origin, QueryDef};
use sitrep::query::{Query, Source};
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
    /// Instead of incidents: the counts an engine computed with `sitrep sql`
    /// (CSV, Parquet, or a folder of results, e.g. Spark's part-* files); repeatable.
    #[arg(long, value_name = "F", conflicts_with = "store")]
    pub aggregate: Vec<PathBuf>,
}

/// What a query command counts, and the inputs its output names.
pub struct Counts {
    /// Incidents, or engine results.
    pub source: Source,
    /// The input files (or the engine's table).
    pub files: Vec<sitrep::ingest::FileSummary>,
    /// The loaded incidents, when read from files or a store.
    pub prepared: Option<Prepared>,
}

/// The incidents a query command reads, or the engine results it was given.
pub fn counts_for_query(source: &SourceArgs, q: &Query) -> anyhow::Result<Counts> {
    if source.aggregate.is_empty() {
        let prepared = load_for_query(source, q)?;
        return Ok(Counts {
            source: Source::Incidents(prepared.lazy()),
            files: prepared.loaded.files.clone(),
            prepared: Some(prepared),
        });
    }
    if !source.input.files.is_empty() {
        return Err(super::usage("--aggregate replaces the incidents: give either data files or --aggregate"));
    }
    let results = sitrep::query::external::read_all(&source.aggregate)?;
    let files = sitrep::query::external::find(&results, q)?.summary();
    Ok(Counts { source: Source::Aggregates(std::sync::Arc::new(results)), files: vec![files], prepared: None })
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
    /// Escalation flags per period: times the long-run mean, highest in N
    /// periods, highest since, and the 30-day alert (needs --every).
    #[arg(long)]
    pub escalation: bool,
    /// The long-run mean counts periods from this date (default: all before each period).
    #[arg(long, value_name = "DATE", requires = "escalation")]
    pub mean_since: Option<String>,
    /// The long-run mean counts only the previous N periods.
    #[arg(long, value_name = "N", requires = "escalation", conflicts_with = "mean_since")]
    pub mean_of: Option<usize>,
    /// The alert needs at least this many incidents in 30 days.
    #[arg(long, value_name = "N", default_value_t = 10, requires = "escalation")]
    pub alert_min: u64,
    /// Named periods (a truce, a campaign): a CSV with name,from,to.
    #[arg(long, value_name = "F.csv")]
    pub periods: Option<PathBuf>,
    /// Instead of counts by period: per named period (--periods), its days,
    /// incidents and deaths per day, and the ratio to the rest of the coverage.
    #[arg(long, requires = "periods")]
    pub by_period_name: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
}

/// `--by-period-name` takes the filters, dates and precision of a query, not its shapes.
fn check_named(q: &Query, lull: bool) -> anyhow::Result<()> {
    let clash = [
        ("--lull", lull),
        ("--every", q.every.is_some()),
        ("--by", !q.by.is_empty()),
        ("--top", q.top.is_some()),
        ("--rolling", q.rolling.is_some()),
        ("--cumulative", q.cumulative),
        ("--compare", q.compare.is_some()),
    ];
    match clash.iter().find(|(_, set)| *set) {
        Some((flag, _)) => Err(super::usage(format!(
            "--by-period-name counts per named period; {flag} does not apply (filters, --from/--to and --min-precision do)"
        ))),
        None => Ok(()),
    }
}

/// Load the inputs of a query command, keeping only the columns it reads.
pub fn load_for_query(source: &SourceArgs, q: &Query) -> anyhow::Result<Prepared> {
    let mut inputs = source.input.inputs()?;
    inputs.files.extend(source.store.clone());
    if inputs.files.is_empty() {
        return Err(super::usage("no input: give data files or --store S.parquet"));
    }
    let bar = super::progress::attach(&mut inputs, false);
    let prepared = sitrep::pipeline::load(&inputs, &Needs::query(q))?;
    drop(bar);
    super::warn_rejected(&prepared.loaded, inputs.rejects.as_ref());
    super::note_dedup(&prepared, inputs.dedup.as_ref());
    super::require_accepted(&prepared.loaded)?;
    Ok(prepared)
}

pub fn run(args: &AggArgs) -> anyhow::Result<ExitCode> {
    let mut q = args.query.query(&args.query.to_def())?;
    if args.by_period_name {
        check_named(&q, args.lull)?;
    }
    if args.escalation && (q.every.is_none() || args.lull || args.by_period_name) {
        return Err(super::usage("--escalation flags periods: it needs --every (and not --lull or --by-period-name)"));
    }
    if args.mean_of == Some(0) {
        return Err(super::usage("--mean-of: must be at least 1 period"));
    }
    let rule = sitrep::query::escalation::Rule {
        mean_since: args.mean_since.as_deref().map(|d| parse_date_arg("--mean-since", d)).transpose()?,
        mean_of: args.mean_of,
        alert_min: args.alert_min,
    };
    let counts = counts_for_query(&args.source, &q)?;
    let narrowed = match &counts.prepared {
        Some(prepared) if !args.lull => {
            sitrep::pipeline::common_coverage(&prepared.lazy(), &prepared.loaded.files, &mut q)?
        }
        _ => None,
    };
    let incidents = |what: &str| counts.source.incidents(what).cloned();
    let table = if args.by_period_name {
        let periods = sitrep::query::named::load(args.periods.as_deref().unwrap_or(std::path::Path::new("")))?;
        sitrep::query::named::by_period_name(incidents("--by-period-name")?, &q, &periods)?
    } else if args.lull {
        let as_of = match (q.coverage.to, q.to) {
            (Some(a), _) => a,
            (None, Some(to)) => to,
            (None, None) => chrono::Local::now().date_naive(),
        };
        sitrep::query::lull::lulls(incidents("--lull")?, &q, as_of)?.1
    } else {
        let mut t = sitrep::query::run_on(&counts.source, &q)?.1;
        if args.escalation {
            sitrep::query::escalation::add_flags(&incidents("--escalation")?, &q, &rule, &mut t)?;
        }
        t
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
