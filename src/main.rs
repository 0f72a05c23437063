//! The `sitrep` command: parse arguments, run the subcommand, map errors to
//! exit codes (0 ok, 1 bad data or runtime error, 2 usage; a closed pipe is 0).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    limit_malloc_arenas();
    cli::main()
}

/// polars allocates and frees large buffers from many threads, and glibc's
/// malloc keeps what is freed in up to 8 arenas per core. A streaming ingest
/// of 10 M rows peaked at 1.27 GB that way, and at 708 MB with one arena per
/// core, at the same speed (a weekly query on a 1 M-row CSV: 257 MB → 215 MB).
/// mimalloc gave 716 MB for the ingest but doubled the queries' memory.
/// Set before any thread starts.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: mallopt only sets a malloc parameter; called once, before any thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, cores.clamp(1, 64) as libc::c_int);
        }
    }
}
