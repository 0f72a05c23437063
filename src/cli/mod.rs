//! Command-line interface: clap lives here only. Each subcommand has its own
//! file; the library does the work and never prints.

mod agg;
mod chart;
mod check;
mod dedup;
mod gen;
mod ingest;
mod progress;
mod report;
mod sql;
mod weekly;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use sitrep::ingest::{Encoding, Mapping, Preset};
use sitrep::pipeline::Inputs;

/// Time-series statistics, charts and weekly summaries for conflict incident data.
#[derive(Debug, Parser)]
#[command(name = "sitrep", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load incident files into the Parquet store (upsert by incident id).
    Ingest(ingest::IngestArgs),
    /// Validate incident files and summarise them; exit 1 if any row is rejected.
    Check(check::CheckArgs),
    /// Count incidents by period and group (filters, top-N, zero-fill, rolling, cumulative, compare, lulls).
    Agg(Box<agg::AggArgs>),
    /// Draw a query as a chart (SVG or PNG).
    Chart(Box<chart::ChartArgs>),
    /// Render every chart and table the config defines (the main job).
    Report(report::ReportArgs),
    /// Write the weekly summary folder for one ISO week.
    Weekly(weekly::WeeklyArgs),
    /// Merge incidents that several sources report (±N days, K km, compatible group, target and weapon) and list every merge.
    Dedup(dedup::DedupArgs),
    /// Print the SQL that counts a query on Spark, BigQuery or DuckDB (read the result with --aggregate),
    /// a canonical view over a big source, or the mapping table it joins.
    Sql(Box<sql::SqlArgs>),
    /// Generate a synthetic incident table (CSV or Parquet) for benchmarks.
    Gen(gen::GenArgs),
    /// Print shell completions: bash, zsh, fish, powershell or elvish.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `sitrep man > sitrep.1`.
    Man,
}

/// How input files are read; shared by every subcommand that reads incidents.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Incident files: CSV, TSV (optionally .gz), NDJSON or Parquet.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[arg(long, default_value = "auto", value_name = "P", help = format!("Source layout: {}", Preset::choices()))]
    pub preset: String,
    /// TOML file mapping another table's columns to the canonical schema.
    #[arg(long, value_name = "M.toml")]
    pub mapping: Option<PathBuf>,
    /// Text encoding: auto (UTF-8, and rows that are not valid UTF-8 read as
    /// Windows-1252, with a note), utf8 (reject such rows) or latin1; for one
    /// file, FILE=ENCODING (repeat for more).
    #[arg(long, value_name = "[FILE=]ENC")]
    pub encoding: Vec<String>,
    /// Order of all-number dates such as 5/9/2020: dmy (day first) or mdy
    /// (month first). Default: decided per file from its values; a file whose
    /// values do not tell is refused.
    #[arg(long, value_name = "dmy|mdy")]
    pub date_order: Option<String>,
    /// Make each row's id from these columns (for sheets without an id
    /// column), so a corrected row replaces its earlier version on re-ingest.
    #[arg(long, value_delimiter = ',', value_name = "COL[,COL]")]
    pub key: Vec<String>,
    /// Write rejected rows (with file, row, column, value and reason) to this CSV.
    #[arg(long, value_name = "R.csv")]
    pub rejects: Option<PathBuf>,
    /// Alias file(s) on top of the shipped data/aliases.toml (later files win).
    #[arg(long = "aliases", value_name = "A.toml")]
    pub aliases: Vec<PathBuf>,
    /// Taxonomy file(s) on top of the shipped data/taxonomy.toml (later files win).
    #[arg(long = "taxonomy", value_name = "T.toml")]
    pub taxonomies: Vec<PathBuf>,
    /// Keep actor, target, weapon and target type exactly as the source has them.
    #[arg(long)]
    pub no_normalise: bool,
    /// Fail (exit 1) if any actor, target, weapon or target type value is not in the alias table or taxonomy.
    #[arg(long)]
    pub strict: bool,
    /// Write CSV cells exactly as the data has them: no leading ' on text
    /// starting with = + - @ tab or CR (which spreadsheets would run as formulas).
    #[arg(long)]
    pub no_csv_escape: bool,
    /// Merge cross-source duplicates first: incidents of different datasets
    /// at most --dedup-days apart and --dedup-km apart with compatible group,
    /// target type and weapon are one incident (see `sitrep dedup`).
    #[arg(long)]
    pub dedup: bool,
    /// Most days apart for --dedup.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub dedup_days: i64,
    /// Most kilometres apart for --dedup (by coordinates; without them, the same location or admin1).
    #[arg(long, default_value_t = 5.0, value_name = "KM")]
    pub dedup_km: f64,
    /// Name a file's dataset (the `dataset` column, for --by dataset): --dataset tracker.csv=Tracker (repeatable; default: the file stem).
    #[arg(long = "dataset", value_name = "FILE=NAME")]
    pub datasets: Vec<String>,
}

impl InputArgs {
    /// The validated inputs (a bad preset or mapping is an error here).
    pub fn inputs(&self) -> anyhow::Result<Inputs> {
        let dataset_names = self
            .datasets
            .iter()
            .map(|d| {
                d.split_once('=')
                    .map(|(f, n)| (f.trim().to_string(), n.trim().to_string()))
                    .filter(|(f, n)| !f.is_empty() && !n.is_empty())
                    .ok_or_else(|| usage(format!("--dataset: expected FILE=NAME, got {d:?}")))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for (f, _) in &dataset_names {
            if !self.files.iter().any(|p| sitrep::ingest::loaded::names_file(f, p)) {
                return Err(usage(format!("--dataset {f}=…: no input file is named {f:?}")));
            }
        }
        if self.dedup_days < 0 || self.dedup_km.is_nan() || self.dedup_km < 0.0 {
            return Err(usage("--dedup-days and --dedup-km must be 0 or more"));
        }
        Ok(Inputs {
            progress: Default::default(),
            dedup: self.dedup.then_some(sitrep::dedup::Rule { days: self.dedup_days, km: self.dedup_km }),
            dataset_names,
            files: self.files.clone(),
            preset: self.preset.parse()?,
            mapping: self.mapping.as_deref().map(Mapping::load).transpose()?,
            encoding: self
                .encoding
                .iter()
                .rfind(|e| !e.contains('='))
                .map(|e| e.parse::<Encoding>())
                .transpose()
                .map_err(|e| usage(format!("--encoding: {e}")))?
                .unwrap_or_default(),
            file_encodings: self
                .encoding
                .iter()
                .filter_map(|e| e.split_once('='))
                .map(|(file, enc)| {
                    Ok((
                        file.to_string(),
                        enc.parse::<Encoding>().map_err(|e| usage(format!("--encoding {file}=: {e}")))?,
                    ))
                })
                .collect::<anyhow::Result<_>>()?,
            date_order: self
                .date_order
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: String| usage(format!("--date-order: {e}")))?,
            key: self.key.clone(),
            aliases: self.aliases.clone(),
            taxonomies: self.taxonomies.clone(),
            normalise: !self.no_normalise,
            strict: self.strict,
            rejects: self.rejects.clone(),
            csv_escape: !self.no_csv_escape,
        })
    }
}

/// A query or report counts only accepted rows: say how many were rejected,
/// show the first few (file, row, column, value, reason), and where the rest are.
/// What merging duplicates did, as a note (and where its merges are listed).
pub fn note_dedup(prepared: &sitrep::pipeline::Prepared, rule: Option<&sitrep::dedup::Rule>) {
    if let (Some(d), Some(rule)) = (&prepared.dedup, rule) {
        eprintln!("note: {} (`sitrep dedup` lists every merge)", d.summary(rule));
    }
}

pub fn warn_rejected(loaded: &sitrep::ingest::Loaded, rejects_file: Option<&PathBuf>) {
    warn_read(loaded);
    if loaded.rejected() == 0 {
        return;
    }
    eprintln!(
        "warning: {} of {} input rows were rejected and are not counted (see `sitrep check`{})",
        sitrep::text::count(loaded.rejected()),
        sitrep::text::count(loaded.read()),
        if rejects_file.is_some() { " or the rejects file" } else { " or --rejects FILE" }
    );
    for r in loaded.rejects.iter().take(3) {
        eprintln!("rejected: {r}");
    }
}

/// A usage error (exit 2): an option's value is refused after clap parsed it.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    sitrep::Error::Usage(message.into()).into()
}

/// The note for rows read as Windows-1252 because they were not UTF-8.
pub fn latin1_note(rows: u64) -> String {
    format!(
        "{} not valid UTF-8 and read as Windows-1252 (Latin-1); --encoding utf8 rejects them instead",
        if rows == 1 { "1 row is".to_string() } else { format!("{} rows are", sitrep::text::count(rows)) }
    )
}

/// Notes a query or report gives about how its files were read.
pub fn warn_read(loaded: &sitrep::ingest::Loaded) {
    for f in &loaded.files {
        if f.counts.latin1_rows > 0 {
            eprintln!("note: {}: {}", f.path.display(), latin1_note(f.counts.latin1_rows));
        }
    }
}

/// Nothing to count when every input row was rejected: that is a failure
/// (exit 1), not an empty table. The first rejects were shown by [`warn_rejected`].
pub fn require_accepted(loaded: &sitrep::ingest::Loaded) -> anyhow::Result<()> {
    if loaded.read() > 0 && loaded.accepted() == 0 {
        anyhow::bail!(
            "all {} input rows were rejected: nothing to count (the first rejects are above; `sitrep check` lists them)",
            sitrep::text::count(loaded.read())
        );
    }
    Ok(())
}

/// Print up to `limit` rejects to stderr, and how to get the rest.
pub fn report_rejects(loaded: &sitrep::ingest::Loaded, limit: usize, rejects_file: Option<&PathBuf>) {
    let mut err = std::io::stderr().lock();
    for r in loaded.rejects.iter().take(limit) {
        let _ = writeln!(err, "rejected: {r}");
    }
    let more = loaded.rejects.len().saturating_sub(limit);
    if more > 0 {
        let hint = match rejects_file {
            Some(p) => format!("all are in {}", p.display()),
            None => "write them all with --rejects FILE".into(),
        };
        let _ = writeln!(err, "… and {} more rejected rows ({hint})", sitrep::text::count(more as u64));
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if matches!(cli.command, Command::Ingest(_) | Command::Report(_) | Command::Weekly(_)) {
        // Writers stop cleanly on the first SIGINT/SIGTERM (previous outputs
        // intact, exit 1); a second signal ends the process at once.
        let flag = sitrep::atomic::cancel_flag();
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, std::sync::Arc::clone(&flag));
            let _ = signal_hook::flag::register(sig, std::sync::Arc::clone(&flag));
        }
    }
    let result = match &cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Check(a) => check::run(a),
        Command::Agg(a) => agg::run(a),
        Command::Gen(a) => gen::run(a),
        Command::Sql(a) => sql::run(a),
        Command::Dedup(a) => dedup::run(a),
        Command::Chart(a) => chart::run(a),
        Command::Report(a) => report::run(a),
        Command::Weekly(a) => weekly::run(a),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "sitrep", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout()).map(|_| ExitCode::SUCCESS).map_err(Into::into)
        }
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit_code(&err)
        }
    }
}

/// The one place errors become exit codes: a library error by its kind
/// ([`sitrep::Error::exit_code`]: 2 for usage, 1 for data, io and internal
/// errors), anything else (writing to stdout) 1. clap's own usage errors
/// exit 2 before a command runs.
fn exit_code(err: &anyhow::Error) -> ExitCode {
    let code = err.chain().find_map(|e| e.downcast_ref::<sitrep::Error>()).map_or(1, sitrep::Error::exit_code);
    ExitCode::from(code)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
