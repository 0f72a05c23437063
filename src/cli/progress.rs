//! Progress bars on long reads: when stderr is a terminal, `--quiet` is not
//! given, and the inputs are at least 100 MB, a bar shows bytes read, rows,
//! rate and time left while the files load. The library only reports
//! (bytes, rows) through `sitrep::ingest::Progress`; drawing is here.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sitrep::ingest::Progress;
use sitrep::pipeline::Inputs;

/// Inputs smaller than this load without a bar.
pub const MIN_BYTES: u64 = 100 << 20;

/// The bar of one load; cleared when dropped.
pub struct Bar(Option<ProgressBar>);

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Give `inputs` a progress hook drawing a bar, when one is wanted.
pub fn attach(inputs: &mut Inputs, quiet: bool) -> Bar {
    let total: u64 = inputs.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    if quiet || total < MIN_BYTES || !std::io::stderr().is_terminal() {
        return Bar(None);
    }
    bar(inputs, &inputs.files.clone(), total, ProgressDrawTarget::stderr())
}

fn bar(inputs: &mut Inputs, _files: &[PathBuf], total: u64, target: ProgressDrawTarget) -> Bar {
    let pb = ProgressBar::with_draw_target(Some(total), target);
    pb.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {msg} {bytes_per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let rows = Arc::new(AtomicU64::new(0));
    let (hook_bar, hook_rows) = (pb.clone(), Arc::clone(&rows));
    let stage_bar = pb.clone();
    inputs.progress = Progress::new(move |bytes, n| {
        let seen = hook_rows.fetch_add(n, Ordering::Relaxed) + n;
        hook_bar.inc(bytes);
        hook_bar.set_message(format!("{} rows", sitrep::text::count(seen)));
    })
    .with_stages(move |name, total| {
        // Later passes count rows: "normalising [=====>    ] 4,200,000/10,000,000 rows".
        stage_bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} {prefix} [{bar:30}] {human_pos}/{human_len} rows, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        stage_bar.set_prefix(name.to_string());
        stage_bar.set_length(total);
        stage_bar.set_position(0);
        stage_bar.reset_eta();
    });
    Bar(Some(pb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_follows_the_hook_and_only_large_terminal_reads_get_one() {
        let mut inputs = Inputs::default();
        // Small inputs, or not a terminal (as under `cargo test`), get no bar.
        assert!(attach(&mut inputs, false).0.is_none());
        let b = bar(&mut inputs, &[], 1000, ProgressDrawTarget::hidden());
        inputs.progress.add(600, 10);
        inputs.progress.add(400, 5);
        let pb = b.0.as_ref().unwrap();
        assert_eq!(pb.position(), 1000);
        assert_eq!(pb.message(), "15 rows");
        // A later pass counts its rows from zero.
        inputs.progress.stage("normalising", 40);
        inputs.progress.add(10, 10);
        assert_eq!((pb.position(), pb.length(), pb.prefix()), (10, Some(40), "normalising".to_string()));
    }
}
