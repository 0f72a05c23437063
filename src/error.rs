//! The library's error type. Every variant names the input it is about (file,
//! and where it applies row, column and value) and, where the user picked
//! something invalid, lists the valid choices.

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
    #[error("unknown preset {name:?} (choose from {})", crate::ingest::Preset::NAMES.join(", "))]
    UnknownPreset {
        /// What the user asked for.
        name: String,
    },
    /// `--preset auto` could not tell which layout the file has.
    #[error(
        "{}: cannot recognise the layout from its header (columns found: {}); \
         pass --preset with one of {} or describe the columns with --mapping FILE.toml",
        path.display(), columns.join(", "), crate::ingest::Preset::NAMES.join(", ")
    )]
    UnknownLayout {
        /// The file.
        path: PathBuf,
        /// The header fields that were found.
        columns: Vec<String>,
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
    /// An invalid argument to a library call (names the option).
    #[error("{0}")]
    Invalid(String),
    /// SIGINT or SIGTERM arrived; nothing was replaced.
    #[error(
        "interrupted (SIGINT or SIGTERM): stopped before replacing any output, so the previous outputs are intact"
    )]
    Interrupted,
    /// polars failed while processing data that had already been validated.
    #[error("polars")]
    Polars(#[from] polars::error::PolarsError),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub(crate) fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Format { path: path.into(), message: message.into() }
    }
}
