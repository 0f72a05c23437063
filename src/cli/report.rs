//! `sitrep report`: every chart and table the config defines. With no
//! arguments, on the bundled data and config, this is the project's main job.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sitrep::config::Config;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The configuration file.
    #[arg(long, default_value = "sitrep.toml", value_name = "F")]
    pub config: PathBuf,
    /// Output folder (overrides report.out).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// Load the config's inputs, normalised, as the CLI does everywhere.
pub fn load_config_inputs(cfg: &Config) -> anyhow::Result<sitrep::ingest::Loaded> {
    let input = super::InputArgs {
        files: cfg.data.files.iter().map(|f| cfg.resolve(f)).collect(),
        preset: cfg.data.preset.clone(),
        mapping: cfg.data.mapping.as_ref().map(|m| cfg.resolve(m)),
        encoding: super::EncodingArg::Utf8,
        rejects: None,
        aliases: cfg.data.aliases.iter().map(|a| cfg.resolve(a)).collect(),
        taxonomies: cfg.data.taxonomies.iter().map(|t| cfg.resolve(t)).collect(),
        no_normalise: false,
        strict: false,
        no_csv_escape: false,
    };
    let mut opts = input.load_options()?;
    opts.lazy = true;
    let mut loaded = sitrep::ingest::load_incidents(&input.files, &opts)?;
    super::normalise(&input, &mut loaded, Default::default())?;
    super::warn_rejected(&loaded, None);
    Ok(loaded)
}

pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(&args.config)?;
    let loaded = load_config_inputs(&cfg)?;
    let files = sitrep::render::report::render_report(&cfg, &loaded.lazy(), &loaded.files)?;
    let out = args.out.clone().unwrap_or_else(|| cfg.resolve(&cfg.report.out));
    let mut stdout = std::io::stdout().lock();
    for (name, bytes) in &files {
        let path = out.join(name);
        sitrep::atomic::write_atomic(&path, bytes)?;
        if !args.quiet {
            writeln!(stdout, "wrote {} ({} bytes)", path.display(), sitrep::render::fmt::count(bytes.len() as u64))?;
        }
    }
    if !args.quiet {
        writeln!(
            stdout,
            "report: {} files from {} incidents ({} input rows, {} rejected)",
            files.len(),
            sitrep::render::fmt::count(loaded.accepted()),
            sitrep::render::fmt::count(loaded.read()),
            sitrep::render::fmt::count(loaded.rejected())
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
