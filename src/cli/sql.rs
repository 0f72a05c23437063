//! `sitrep sql`: the counting half of a query as one statement for Spark,
//! BigQuery or DuckDB (the engine's result goes back with `--aggregate`),
//! a canonical view over a big source, or the mapping table such a view joins.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use sitrep::ingest::Preset;
use sitrep::sql::Dialect;

use super::agg::QueryArgs;

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The engine: spark, bigquery or duckdb.
    #[arg(long, value_name = "ENGINE")]
    pub dialect: Option<String>,
    /// The table, view or Parquet path (file, or a Hive-partitioned folder)
    /// the statement reads: sitrep's canonical schema, or with --view the source's own.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// The table is partitioned by year (a store written with `ingest
    /// --partition year`; implied when --table is such a folder): --from/--to also select years.
    #[arg(long, value_name = "year")]
    pub partition: Option<String>,
    /// Instead of a query: CREATE VIEW mapping a source's columns (--preset
    /// gdelt, acled, ucdp) to the canonical schema.
    #[arg(long, requires = "preset")]
    pub view: bool,
    /// The source layout of --view: gdelt, acled or ucdp.
    #[arg(long, value_name = "P")]
    pub preset: Option<String>,
    /// With --view: the mapping table it joins (written by --mapping-table;
    /// BigQuery views need it qualified, project.dataset.sitrep_mapping).
    #[arg(long, value_name = "TABLE", default_value = "sitrep_mapping")]
    pub mapping: String,
    /// The name of the view.
    #[arg(long, value_name = "VIEW", default_value = "incidents")]
    pub name: String,
    /// Instead of a query: the alias and taxonomy tables a view joins, as
    /// CREATE TABLE + INSERT (with --dialect) or CSV (--format csv).
    #[arg(long, conflicts_with = "view")]
    pub mapping_table: bool,
    /// With --mapping-table: sql or csv.
    #[arg(long, value_name = "F", default_value = "sql")]
    pub format: String,
    /// Instead of one query: every chart and table of this config (one
    /// statement per distinct counting), for `sitrep report --aggregate`.
    #[arg(long, value_name = "F", conflicts_with_all = ["view", "mapping_table"])]
    pub config: Option<std::path::PathBuf>,
    /// With --config: have the engine write each result into this folder
    /// (a gs:// prefix for BigQuery), named after its chart or table.
    #[arg(long, value_name = "DIR", requires = "config")]
    pub into: Option<String>,
    #[command(flatten)]
    pub query: QueryArgs,
}

fn dialect(args: &SqlArgs) -> anyhow::Result<Dialect> {
    let d = args.dialect.as_deref().ok_or_else(|| super::usage(format!("--dialect: choose {}", Dialect::CHOICES)))?;
    d.parse().map_err(|m: String| super::usage(format!("--dialect: {m}")))
}

fn table(args: &SqlArgs) -> anyhow::Result<&str> {
    args.table.as_deref().ok_or_else(|| super::usage("--table: name the table, view or Parquet path to read"))
}

/// Whether the table is partitioned by year: `--partition year`, or a partitioned store's folder.
fn by_year(args: &SqlArgs, table: &str) -> anyhow::Result<bool> {
    match args.partition.as_deref() {
        Some("year") => Ok(true),
        Some(other) => Err(super::usage(format!("--partition: {other:?}; the one partitioning is year"))),
        None => {
            let p = std::path::Path::new(table);
            Ok(p.is_dir() && sitrep::store::is_partitioned(p))
        }
    }
}

pub fn run(args: &SqlArgs) -> anyhow::Result<ExitCode> {
    let text = if args.mapping_table {
        match args.format.as_str() {
            "csv" => sitrep::sql::view::mapping_table_csv()?,
            "sql" => {
                sitrep::sql::view::mapping_table_sql(dialect(args)?, args.table.as_deref().unwrap_or("sitrep_mapping"))?
            }
            other => return Err(super::usage(format!("--format: {other:?}; choose sql or csv"))),
        }
    } else if args.view {
        let name = args.preset.as_deref().unwrap_or("");
        let preset: Preset = name.parse()?;
        if matches!(preset, Preset::Auto | Preset::Native) {
            return Err(super::usage("--view maps a source's own layout: --preset gdelt, acled, ucdp or gtd"));
        }
        sitrep::sql::view::view_with_mapping(preset, dialect(args)?, table(args)?, &args.name, &args.mapping)?
    } else if let Some(path) = &args.config {
        let cfg = sitrep::config::Config::load(path)?;
        dialect(args)?;
        let table = table(args)?;
        let into = args.into.as_deref().map(|folder| sitrep::sql::base::Into { folder });
        let (text, notes) = sitrep::sql::base::script(&cfg, dialect(args)?, table, by_year(args, table)?, into)?;
        for n in notes {
            eprintln!("note: {n}");
        }
        text
    } else {
        let q = args.query.query(&args.query.to_def())?;
        dialect(args)?;
        let table = table(args)?;
        sitrep::sql::base::statement(&q, dialect(args)?, table, by_year(args, table)?)?
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
