//! The library's error type. Every variant names the input it is about (file,
//! and where it applies row, column and value) and, where the user picked
//! something invalid, lists the valid choices.
//!
//! Each variant belongs to one [`ErrorKind`] (usage, data, io, internal,
//! interrupted), and [`Error::exit_code`] is the one place where kinds become
//! exit codes. This module is the lowest layer: it imports nothing else from
//! the crate.

use std::path::PathBuf;

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors that stop a whole operation. Problems with single rows are not
/// errors: they become [`crate::ingest::Reject`]s and the row is counted as rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened, read or written (the cause follows in the error chain).
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not in a format sitrep can read, or is damaged.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The requested preset does not exist.
    #[error("unknown preset {name:?} (choose from {choices})")]
    UnknownPreset {
        /// What the user asked for.
        name: String,
        /// The preset names, comma-separated.
        choices: String,
    },
    /// `--preset auto` could not tell which layout the file has.
    #[error(
        "{}: cannot recognise the layout from its header (columns found: {}); \
         pass --preset with one of {choices} or describe the columns with --mapping FILE.toml",
        path.display(), columns.join(", ")
    )]
    UnknownLayout {
        /// The file.
        path: PathBuf,
        /// The header fields that were found.
        columns: Vec<String>,
        /// The preset names, comma-separated.
        choices: String,
    },
    /// A column the preset needs is not in the file.
    #[error(
        "{}: missing required column {column:?} for the {preset} layout (columns found: {})",
        path.display(), found.join(", ")
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The layout that needs the column.
        preset: String,
        /// The missing column (or alternatives, "a or b").
        column: String,
        /// The header fields that were found.
        found: Vec<String>,
    },
    /// A mapping or configuration file is invalid.
    #[error("{}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key and the valid values.
        message: String,
    },
    /// An option or argument has an invalid value (the message names the
    /// option as the user wrote it and lists the valid choices).
    #[error("{0}")]
    Usage(String),
    /// Work only the incidents can do was asked of an engine's counts (`--aggregate`).
    #[error("{0} needs the incidents themselves, not an engine's counts: run it on the files or a store (without --aggregate)")]
    NeedsIncidents(String),
    /// A query names a column the incidents do not have.
    #[error("--{option}: unknown column {name:?}{} (columns: {})", did_you_mean(suggestion), columns.join(", "))]
    UnknownColumn {
        /// The query key naming it (`by`, `where`).
        option: &'static str,
        /// The column asked for.
        name: String,
        /// The columns there are.
        columns: Vec<String>,
        /// The column most like it, if one is.
        suggestion: Option<String>,
    },
    /// The data cannot give what was asked (a week outside the data, a
    /// query that matches no incident, a value `--strict` refuses).
    #[error("{0}")]
    Data(String),
    /// A query matched no incident, so a chart has nothing to draw.
    #[error("no incidents match the query: nothing to draw")]
    NothingToDraw,
    /// Another run holds the lock of the output being written.
    #[error("{}: another run is writing this report (remove the lock file if no sitrep is running)", lock.display())]
    Locked {
        /// The lock file.
        lock: PathBuf,
    },
    /// A bug in sitrep: an invariant did not hold.
    #[error("internal error (please report it): {0}")]
    Internal(String),
    /// SIGINT or SIGTERM arrived; nothing was replaced.
    #[error(
        "interrupted (SIGINT or SIGTERM): stopped before replacing any output, so the previous outputs are intact"
    )]
    Interrupted,
    /// polars failed while processing data that had already been validated.
    #[error("polars")]
    Polars(#[from] polars::error::PolarsError),
}

/// ` (did you mean "actor"?)`, or nothing.
pub fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion.as_ref().map_or_else(String::new, |s| format!(" (did you mean {s:?}?)"))
}

/// What an error is about, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user asked for something invalid (an option, a config value, a preset).
    Usage,
    /// The input data is unreadable or cannot give what was asked.
    Data,
    /// A file could not be read or written.
    Io,
    /// A bug in sitrep or a library it uses.
    Internal,
    /// Stopped by a signal before replacing any output.
    Interrupted,
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub(crate) fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Format { path: path.into(), message: message.into() }
    }

    /// The area the error belongs to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Usage(_)
            | Error::UnknownPreset { .. }
            | Error::Config { .. }
            | Error::UnknownColumn { .. }
            | Error::NeedsIncidents(_) => ErrorKind::Usage,
            Error::Format { .. }
            | Error::UnknownLayout { .. }
            | Error::MissingColumn { .. }
            | Error::Data(_)
            | Error::NothingToDraw => ErrorKind::Data,
            Error::Io { .. } | Error::Locked { .. } => ErrorKind::Io,
            Error::Internal(_) | Error::Polars(_) => ErrorKind::Internal,
            Error::Interrupted => ErrorKind::Interrupted,
        }
    }

    /// The process exit code for this error: 2 for a usage error (a refused
    /// option, config value or preset: fix the command), 1 for bad data, a
    /// failed read or write, an interruption or a bug (look at the data), so
    /// a scheduled run can tell the two apart.
    pub fn exit_code(&self) -> u8 {
        match self.kind() {
            ErrorKind::Usage => 2,
            ErrorKind::Data | ErrorKind::Io | ErrorKind::Internal | ErrorKind::Interrupted => 1,
        }
    }
}
