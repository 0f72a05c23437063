//! `sitrep dedup`: merge the incidents several sources report, and list
//! every merge with the rule that matched.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use polars::prelude::*;
use sitrep::pipeline::Needs;

use super::InputArgs;

#[derive(Debug, Args)]
pub struct DedupArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write the incidents after merging (canonical columns with sources,
    /// source_ids and n_sources) to this CSV or Parquet file.
    #[arg(long, value_name = "F.csv|F.parquet")]
    pub out: Option<PathBuf>,
    /// Write the merges (cluster, incident kept, pair matched, rule) to this CSV instead of printing them.
    #[arg(long, value_name = "M.csv")]
    pub merges: Option<PathBuf>,
}

fn merges_csv(d: &sitrep::dedup::Deduped) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["cluster", "kept", "matched", "rule"]);
    for m in &d.merges {
        let _ = w.write_record([m.cluster.to_string(), m.kept.clone(), m.member.clone(), m.rule.clone()]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

pub fn run(args: &DedupArgs) -> anyhow::Result<ExitCode> {
    let mut inputs = args.input.inputs()?;
    if inputs.files.is_empty() {
        return Err(super::usage("no input: give the files of two or more sources"));
    }
    let rule = sitrep::dedup::Rule { days: args.input.dedup_days, km: args.input.dedup_km };
    inputs.dedup = Some(rule);
    if let Some(out) = &args.out {
        let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "csv" && ext != "parquet" {
            return Err(super::usage(format!("--out: {} must end in .csv or .parquet", out.display())));
        }
    }
    let bar = super::progress::attach(&mut inputs, false);
    let prepared = sitrep::pipeline::load(&inputs, &Needs::rows())?;
    drop(bar);
    super::warn_rejected(&prepared.loaded, inputs.rejects.as_ref());
    super::require_accepted(&prepared.loaded)?;
    let d = prepared.dedup.as_ref().context("deduplication did not run")?;
    let mut stdout = std::io::stdout().lock();
    match &args.merges {
        Some(p) => {
            sitrep::atomic::write_atomic(p, merges_csv(d).as_bytes())?;
            writeln!(stdout, "wrote {} ({} merges)", p.display(), sitrep::text::count(d.merges.len() as u64))?;
        }
        None => {
            for m in &d.merges {
                writeln!(stdout, "{}\t{}\t{}\t{}", m.cluster, m.kept, m.member, m.rule)?;
            }
        }
    }
    if let Some(out) = &args.out {
        // Rows in date, dataset and id order: the same file whatever the input order.
        let mut frame = prepared.loaded.frame.sort(
            [sitrep::schema::col::DATE, sitrep::ingest::DATASET, sitrep::schema::col::INCIDENT_ID],
            SortMultipleOptions::default(),
        )?;
        let mut bytes = Vec::new();
        if out.extension().is_some_and(|e| e == "parquet") {
            ParquetWriter::new(&mut bytes).finish(&mut frame)?;
        } else {
            CsvWriter::new(&mut bytes).include_header(true).finish(&mut frame)?;
        }
        sitrep::atomic::write_atomic(out, &bytes)?;
        writeln!(stdout, "wrote {} ({} incidents)", out.display(), sitrep::text::count(frame.height() as u64))?;
    }
    eprintln!("{}", d.summary(&rule));
    Ok(ExitCode::SUCCESS)
}
