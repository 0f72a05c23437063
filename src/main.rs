//! The `sitrep` command: parse arguments, run the subcommand, map errors to
//! exit codes (0 ok, 1 bad data or runtime error, 2 usage; a closed pipe is 0).

mod cli;

use std::process::ExitCode;

// polars allocates and frees large buffers from many threads: glibc's malloc
// keeps them in per-thread arenas (a streaming ingest of 10 M rows peaked at
// 1.85 GB, most of it freed memory not given back); mimalloc returns it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
