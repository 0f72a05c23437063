//! `sitrep check`: validate files and summarise them. Exits 1 when any row
//! is rejected or nothing could be loaded, so it can gate a scheduled run.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use sitrep::pipeline::Needs;
use sitrep::query::summary::summarise;
use sitrep::text::{count, ellipsis, signed};

use super::InputArgs;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// How many top actors to list.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// How many rejected rows to print (all are in --rejects).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub show: usize,
    /// List actor, target, weapon and target type values no alias or taxonomy rule maps, with counts.
    #[arg(long)]
    pub unmapped: bool,
    /// Print a commented mapping TOML for the (first) file as it is read, to
    /// edit and pass back with --mapping, instead of the summary.
    #[arg(long)]
    pub emit_mapping: bool,
    /// Check in batches (memory bounded, working files in the temporary
    /// folder) when the inputs add up to this many bytes or more (default
    /// 256 MB; 0: always).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub stream_above: Option<u64>,
}

/// Words in a column name that suggest casualties or a perpetrator, which
/// an analyst would expect to be counted.
fn looks_like_count_or_actor(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "killed",
        "kia",
        "dead",
        "death",
        "deaths",
        "fatalities",
        "casualties",
        "wounded",
        "injured",
        "injuries",
        "wia",
        "died",
        "civilians",
        "victims",
        "actor",
        "group",
        "claim",
        "claimed",
        "perpetrator",
        "attacker",
        "militia",
        "responsible",
    ];
    sitrep::ingest::native::normalise_name(name).split(' ').any(|w| WORDS.contains(&w))
}

fn count_rows(n: u64) -> String {
    sitrep::text::counted(n, "row")
}

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    if args.input.files.is_empty() {
        eprintln!("error: give at least one FILE (see --help)");
        return Ok(ExitCode::from(2));
    }
    let mut inputs = args.input.inputs()?;
    if args.emit_mapping {
        let path = &inputs.files[0];
        let opts = inputs.load_options(&Needs::rows());
        let (layout, format) = match sitrep::ingest::load::detect_layout(path, &opts) {
            // No preset knows the file: start the mapping from what the header names.
            Err(sitrep::Error::UnknownLayout { columns, .. }) => {
                eprintln!(
                    "note: no preset recognises {}; the mapping guesses from the header names: check [columns] \
                     (a date column is required)",
                    path.display()
                );
                let layout = sitrep::ingest::native::guess("unrecognised", columns);
                (layout, sitrep::ingest::source::detect_format(path)?)
            }
            other => other?,
        };
        let delimiter = match format {
            sitrep::ingest::Format::Delimited { delimiter, .. } => Some(delimiter),
            _ => None,
        };
        write!(std::io::stdout().lock(), "{}", sitrep::ingest::mapping::emit(path, &layout, delimiter))?;
        return Ok(ExitCode::SUCCESS);
    }
    let bar = super::progress::attach(&mut inputs, false);
    // Listing unmapped values is a pass per column: only when asked.
    let (loaded, s, unmapped) = if sitrep::pipeline::stream::streams(&inputs, args.stream_above) {
        sitrep::pipeline::stream::check(&inputs, Default::default(), args.top, args.unmapped)?
    } else {
        let needs = if args.unmapped { Needs::rows().listing_unmapped() } else { Needs::rows() };
        let prepared = sitrep::pipeline::load(&inputs, &needs)?;
        let s = summarise(&prepared.loaded.frame, args.top)?;
        (prepared.loaded, s, prepared.unmapped)
    };
    drop(bar);
    let (loaded, unmapped) = (&loaded, &unmapped);
    let mut out = std::io::stdout().lock();
    for f in &loaded.files {
        writeln!(out, "{}", f.path.display())?;
        writeln!(out, "  layout       {}", f.layout)?;
        writeln!(
            out,
            "  rows         read {}, accepted {}, rejected {}",
            count(f.read),
            count(f.accepted),
            count(f.rejected)
        )?;
        if let Some(order) = f.date_order {
            writeln!(out, "  date order   {} (all-number dates such as 5/9/2020)", order.describe())?;
        }
        if !f.fed.is_empty() {
            let fed: Vec<String> = f.fed.iter().map(|(c, s)| format!("{c} <- {s}")).collect();
            writeln!(out, "  columns      {}", fed.join(", "))?;
            let unused = if f.unused.is_empty() { "none".to_string() } else { f.unused.join(", ") };
            writeln!(out, "  fed nothing  {unused}")?;
            for name in f.unused.iter().filter(|n| looks_like_count_or_actor(n)) {
                writeln!(
                    out,
                    "  note         column {name:?} looks like a count or an actor but feeds no canonical field; \
                     describe it with --mapping (`sitrep check FILE --emit-mapping > m.toml` writes one to edit)"
                )?;
            }
        }
        if f.counts.approx_counts > 0 {
            writeln!(
                out,
                "  note         {} read as a lower bound (40+ as 40, ~12 as 12, 12-15 as 12 with \
                 fatalities_high 15); strict_counts = true in a mapping rejects them",
                sitrep::text::counted(f.counts.approx_counts, "count")
            )?;
        }
        if f.counts.approx_dates > 0 {
            writeln!(
                out,
                "  note         {} approximate: a month, quarter or year (placed only in periods that long) or \
                 a range of days (date to date_end)",
                match f.counts.approx_dates {
                    1 => "1 date is".to_string(),
                    n => format!("{} dates are", count(n)),
                }
            )?;
        }
        if f.counts.latin1_rows > 0 {
            writeln!(out, "  note         {}", super::latin1_note(f.counts.latin1_rows))?;
        }
        if f.counts.two_digit_years > 0 {
            writeln!(
                out,
                "  note         {} read with a two-digit year: 00-68 as 2000-2068, 69-99 as 1969-1999",
                count_rows(f.counts.two_digit_years)
            )?;
        }
    }
    if loaded.files.len() > 1 {
        writeln!(
            out,
            "all files      read {}, accepted {}, rejected {}",
            count(loaded.read()),
            count(loaded.accepted()),
            count(loaded.rejected())
        )?;
    }
    match (s.first_date, s.last_date) {
        (Some(a), Some(b)) => writeln!(out, "dates          {a} to {b}")?,
        _ => writeln!(out, "dates          (no incidents)")?,
    }
    let mix: Vec<String> =
        s.precision.iter().map(|(p, n)| format!("{} {}", p.as_deref().unwrap_or("unknown"), count(*n))).collect();
    writeln!(out, "precision      {}", mix.join(", "))?;
    writeln!(
        out,
        "fatalities     {} known; unknown on {} rows (not counted as 0)",
        signed(s.fatalities),
        count(s.fatalities_unknown)
    )?;
    let nulls: Vec<String> = s
        .nulls
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(c, n)| if *n == s.rows { format!("{c} (all)") } else { format!("{c} {}", count(*n)) })
        .collect();
    writeln!(out, "empty cells    {}", if nulls.is_empty() { "none".into() } else { nulls.join(", ") })?;
    writeln!(out, "top actors")?;
    let names: Vec<String> = s.top_actors.iter().map(|(a, _)| ellipsis(a, 48)).collect();
    let width = names.iter().map(|a| a.chars().count()).max().unwrap_or(0);
    for (a, (_, n)) in names.iter().zip(&s.top_actors) {
        writeln!(out, "  {a:<width$}  {:>8}", count(*n))?;
    }
    if args.unmapped {
        for (column, values) in &unmapped.columns {
            let rows: u64 = values.iter().map(|(_, n)| n).sum();
            writeln!(out, "unmapped {column}: {} values on {} rows", count(values.len() as u64), count(rows))?;
            for (v, n) in values {
                writeln!(out, "  {:>8}  {v}", count(*n))?;
            }
        }
    }
    drop(out);
    super::report_rejects(loaded, args.show, args.input.rejects.as_ref());
    if loaded.rejected() > 0 {
        eprintln!("check failed: {} of {} rows rejected", count(loaded.rejected()), count(loaded.read()));
        return Ok(ExitCode::from(1));
    }
    if loaded.accepted() == 0 {
        eprintln!("check failed: no incidents (the files have a header but no data rows)");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
