//! `sitrep report`: every chart and table the config defines. With no
//! arguments, on the bundled data and config, this is the project's main job.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sitrep::config::Config;
use sitrep::query::Source;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The configuration file.
    #[arg(long, default_value = "sitrep.toml", value_name = "F")]
    pub config: PathBuf,
    /// Output folder (overrides report.out).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The data is complete through this date (overrides `[data] as_of`):
    /// grids, running totals and charts run to it, past the last incident.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Instead of the config's data: results of `sitrep sql` an engine
    /// computed, one per chart and table query (files or folders; repeatable).
    #[arg(long, value_name = "F")]
    pub aggregate: Vec<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// Today where the data's cutoff is kept (`time.utc_offset`): the only wall-clock read.
pub fn today(cfg: &Config) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&cfg.utc_offset).date_naive()
}

/// Load the config's inputs for a run of several queries, saying how many rows were rejected.
pub fn load_config_inputs(cfg: &Config, quiet: bool) -> anyhow::Result<sitrep::pipeline::Prepared> {
    let mut inputs = cfg.inputs()?;
    let bar = super::progress::attach(&mut inputs, quiet);
    let prepared = sitrep::pipeline::load(&inputs, &sitrep::pipeline::Needs::queries())?;
    drop(bar);
    super::warn_rejected(&prepared.loaded, None);
    super::note_dedup(&prepared, inputs.dedup.as_ref());
    super::require_accepted(&prepared.loaded)?;
    Ok(prepared)
}

pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(&args.config)?;
    let as_of = args.as_of.as_deref().map(|a| sitrep::schema::dates::parse_date_arg("--as-of", a)).transpose()?;
    let coverage = cfg.coverage(as_of, today(&cfg));
    let aggregates = if args.aggregate.is_empty() { cfg.aggregates() } else { args.aggregate.clone() };
    let mut results_read = 0;
    let (source, inputs, prepared) = if aggregates.is_empty() {
        let prepared = load_config_inputs(&cfg, args.quiet)?;
        (Source::Incidents(prepared.lazy()), prepared.loaded.files.clone(), Some(prepared))
    } else {
        let results = sitrep::query::external::read_all(&aggregates)?;
        let mut inputs: Vec<sitrep::ingest::FileSummary> = Vec::new();
        for r in &results {
            let s = r.summary();
            if !inputs.iter().any(|i| i.path == s.path) {
                inputs.push(s);
            }
        }
        results_read = results.len();
        (Source::Aggregates(std::sync::Arc::new(results)), inputs, None)
    };
    let (files, notes) = sitrep::report::render_report(&cfg, &source, &inputs, coverage)?;
    for n in &notes {
        eprintln!("note: {n}");
    }
    let out = args.out.clone().unwrap_or_else(|| cfg.report_out.clone());
    let mut stdout = std::io::stdout().lock();
    for (name, bytes) in &files {
        let path = out.join(name);
        sitrep::atomic::write_atomic(&path, bytes)?;
        if !args.quiet {
            writeln!(stdout, "wrote {} ({} bytes)", path.display(), sitrep::text::count(bytes.len() as u64))?;
        }
    }
    match (&prepared, args.quiet) {
        (_, true) => {}
        (Some(prepared), false) => writeln!(
            stdout,
            "report: {} files from {} incidents ({} input rows, {} rejected)",
            files.len(),
            sitrep::text::count(prepared.loaded.accepted()),
            sitrep::text::count(prepared.loaded.read()),
            sitrep::text::count(prepared.loaded.rejected())
        )?,
        (None, false) => writeln!(stdout, "report: {} files from {} engine results", files.len(), results_read)?,
    }
    Ok(ExitCode::SUCCESS)
}
