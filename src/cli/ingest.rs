//! `sitrep ingest`: load files, report what was accepted and rejected, and
//! upsert the accepted rows into the Parquet store.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use sitrep::pipeline::Needs;
use sitrep::text::count;

use super::InputArgs;

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The Parquet store to create or update.
    #[arg(long, value_name = "S.parquet", required = true)]
    pub store: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: &IngestArgs) -> anyhow::Result<ExitCode> {
    if args.input.files.is_empty() {
        eprintln!("error: give at least one FILE (see --help)");
        return Ok(ExitCode::from(2));
    }
    let prepared = sitrep::pipeline::load(&args.input.inputs()?, &Needs::rows())?;
    let loaded = &prepared.loaded;
    let change = sitrep::store::upsert(&args.store, &loaded.frame, prepared.normaliser.as_deref())
        .with_context(|| format!("updating the store {}", args.store.display()))?;
    if !args.quiet {
        let mut out = std::io::stdout().lock();
        for f in &loaded.files {
            writeln!(
                out,
                "{}: {}: read {}, accepted {}, rejected {}",
                f.path.display(),
                f.layout,
                count(f.read),
                count(f.accepted),
                count(f.rejected)
            )?;
        }
        writeln!(
            out,
            "store {}: {} added, {} updated, {} unchanged, {} incidents in total",
            args.store.display(),
            count(change.added),
            count(change.updated),
            count(change.unchanged),
            count(change.total)
        )?;
        super::report_rejects(loaded, 10, args.input.rejects.as_ref());
    }
    Ok(ExitCode::SUCCESS)
}
