//! `sitrep gen`: write a synthetic incident table for benchmarks and scale tests.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct GenArgs {
    /// Number of incidents.
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    pub rows: u64,
    /// Random seed (the same seed gives the same file).
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Output: F.csv (native layout) or F.parquet (canonical store).
    #[arg(long, value_name = "F")]
    pub out: PathBuf,
}

pub fn run(args: &GenArgs) -> anyhow::Result<ExitCode> {
    sitrep::gen::generate(&args.out, args.rows, args.seed)?;
    Ok(ExitCode::SUCCESS)
}
