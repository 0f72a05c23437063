//! `sitrep weekly`: the weekly summary folder, for cron. Exit 0 written,
//! 1 bad data or failure (the previous report stays), 2 usage.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sitrep::config::Config;
use sitrep::query::weekly::Week;
use sitrep::schema::dates::parse_date_arg;

#[derive(Debug, Args)]
pub struct WeeklyArgs {
    /// The ISO week to report, e.g. 2024-W05.
    #[arg(long, value_name = "YYYY-Www", conflicts_with = "as_of")]
    pub week: Option<String>,
    /// The data is complete through this date: report the last complete week on or before it, a week
    /// with no incident included (default: [data] as_of, else today in time.utc_offset).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The configuration file.
    #[arg(long, default_value = "sitrep.toml", value_name = "F")]
    pub config: PathBuf,
    /// Output folder (overrides weekly.out); the report goes in OUT/YYYY-Www/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors (for cron).
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: &WeeklyArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(&args.config)?;
    let start = cfg.week_start;
    let today = super::report::today(&cfg);
    let as_of = args.as_of.as_deref().map(|d| parse_date_arg("--as-of", d)).transpose()?;
    // --as-of (or [data] as_of) says the data is complete through that date:
    // it picks the week, and a quiet week in it is reported, not refused.
    let coverage = cfg.coverage(as_of, today);
    let week = match (&args.week, coverage.to) {
        (Some(w), _) => Week::parse(w, start).map_err(|e| super::usage(format!("--week: {e}")))?,
        (None, Some(d)) => Week::last_complete(d, start),
        (None, None) => Week::last_complete(today, start),
    };
    let prepared = super::report::load_config_inputs(&cfg, args.quiet)?;
    let root = args.out.clone().unwrap_or_else(|| cfg.weekly_out.clone());
    let (path, s) =
        sitrep::report::weekly::write_weekly(&cfg, &root, &prepared.lazy(), &prepared.loaded.files, week, coverage)?;
    if !args.quiet {
        writeln!(
            std::io::stdout().lock(),
            "{}: {} incidents ({} to {}), last week {}, trend {}; wrote {}",
            s.week,
            sitrep::text::count(s.incidents),
            s.window.start,
            s.window.end,
            s.last_week.map_or("n/a".into(), sitrep::text::count),
            s.trend.as_deref().unwrap_or("n/a"),
            path.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
