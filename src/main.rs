//! The `sitrep` command: parse arguments, run the subcommand, map errors to
//! exit codes (0 ok, 1 bad data or runtime error, 2 usage; a closed pipe is 0).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
