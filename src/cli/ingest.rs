//! `sitrep ingest`: load files, report what was accepted and rejected, and
//! upsert the accepted rows into the Parquet store.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use polars::prelude::DataFrame;
use sitrep::pipeline::Needs;
use sitrep::text::count;

use super::InputArgs;

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The Parquet store to create or update (a folder with --partition year).
    #[arg(long, value_name = "S.parquet", required = true)]
    pub store: PathBuf,
    /// Replace, as a whole, the rows an earlier ingest took from files of the
    /// same names: rows no longer in the file are removed (a tracker sheet
    /// corrected and re-ingested).
    #[arg(long)]
    pub replace_source: bool,
    /// Remove these incident ids from the store (events the source
    /// retracted): a file of one id per line, or a CSV with an
    /// `event_id_cnty` or `incident_id` column.
    #[arg(long, value_name = "IDS.csv")]
    pub delete: Option<PathBuf>,
    /// Write the store as a Hive-partitioned folder (`year=YYYY/part-00000.parquet`)
    /// that Spark, BigQuery external tables and DuckDB read and prune by year.
    #[arg(long, value_name = "year")]
    pub partition: Option<String>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Ingest in batches (memory bounded, the input spilled to disk beside
    /// the store) when the inputs add up to this many bytes or more
    /// (default 256 MB; 0: always).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub stream_above: Option<u64>,
}

/// Ids from a delete list: a CSV with an `event_id_cnty` or `incident_id`
/// column, or one id per line.
fn read_ids(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = rdr.records();
    let Some(first) = records.next().transpose()? else { return Ok(Vec::new()) };
    let column = first.iter().position(|h| {
        let h = h.trim().to_lowercase();
        h == "event_id_cnty" || h == "incident_id"
    });
    let mut ids = Vec::new();
    match column {
        Some(i) => {
            for r in records {
                ids.extend(r?.get(i).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()));
            }
        }
        None => {
            ids.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string));
        }
    }
    Ok(ids)
}

pub fn run(args: &IngestArgs) -> anyhow::Result<ExitCode> {
    if args.input.files.is_empty() && args.delete.is_none() {
        eprintln!("error: give at least one FILE, or --delete IDS.csv (see --help)");
        return Ok(ExitCode::from(2));
    }
    let delete_ids = match &args.delete {
        Some(p) => read_ids(p)?,
        None => Vec::new(),
    };
    anyhow::ensure!(
        args.delete.is_none() || !delete_ids.is_empty(),
        "--delete: no ids in {}",
        args.delete.as_ref().map_or(String::new(), |p| p.display().to_string())
    );
    let mut inputs = args.input.inputs()?;
    let replace_files: Vec<String> = if args.replace_source {
        inputs.files.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).collect()
    } else {
        Vec::new()
    };
    let partition = match args.partition.as_deref() {
        None => sitrep::store::Partition::None,
        Some("year") => sitrep::store::Partition::Year,
        Some(other) => return Err(super::usage(format!("--partition: {other:?}; the one partitioning is year"))),
    };
    let opts = sitrep::store::UpsertOptions { replace_files, delete_ids, partition };
    let streamed = !inputs.files.is_empty() && sitrep::pipeline::stream::streams(&inputs, args.stream_above);
    let (frame, normaliser, loaded, streamed) = if streamed {
        let bar = super::progress::attach(&mut inputs, args.quiet);
        let (change, loaded, _) = sitrep::pipeline::stream::ingest(&inputs, &args.store, &opts, Default::default())
            .with_context(|| format!("updating the store {}", args.store.display()))?;
        drop(bar);
        (DataFrame::empty(), None, Some(loaded), Some(change))
    } else if inputs.files.is_empty() {
        if !args.store.exists() {
            return Err(super::usage(format!("--delete: the store {} does not exist", args.store.display())));
        }
        let meta = sitrep::store::read_meta(&args.store)?;
        (sitrep::store::read_store(&args.store)?.clear(), meta.normaliser, None, None)
    } else {
        let bar = super::progress::attach(&mut inputs, args.quiet);
        let prepared = sitrep::pipeline::load(&inputs, &Needs::ingest())?;
        drop(bar);
        (prepared.loaded.frame.clone(), prepared.normaliser.clone(), Some(prepared.loaded), None)
    };
    if let Some(loaded) = &loaded {
        if !args.quiet && inputs.key.is_empty() && !args.replace_source {
            for f in loaded
                .files
                .iter()
                .filter(|f| !f.fed.is_empty() && !f.fed.iter().any(|(c, _)| c == sitrep::schema::col::INCIDENT_ID))
            {
                eprintln!(
                    "warning: {} has no id column: its rows get ids made from their content, so a row corrected \
                     and re-ingested is added as a second incident; give --key COL[,COL] or --replace-source",
                    f.path.display()
                );
            }
        }
    }
    let change = match streamed {
        Some(change) => change,
        None => sitrep::store::upsert_with(&args.store, &frame, normaliser.as_deref(), &opts)
            .with_context(|| format!("updating the store {}", args.store.display()))?,
    };
    if !args.quiet {
        let mut out = std::io::stdout().lock();
        for f in loaded.iter().flat_map(|l| &l.files) {
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
        let mut extra = String::new();
        if args.replace_source {
            extra.push_str(&format!(", {} removed (no longer in the re-ingested files)", count(change.removed)));
        }
        if args.delete.is_some() {
            extra.push_str(&format!(
                ", {} deleted ({} of the ids to delete were not in the store)",
                count(change.deleted),
                count(change.not_found)
            ));
        }
        writeln!(
            out,
            "store {}: {} added, {} updated, {} unchanged{extra}, {} incidents in total",
            args.store.display(),
            count(change.added),
            count(change.updated),
            count(change.unchanged),
            count(change.total)
        )?;
        if let Some(loaded) = &loaded {
            super::report_rejects(loaded, 10, args.input.rejects.as_ref());
        }
    }
    Ok(ExitCode::SUCCESS)
}
