//! Ingest: source files → canonical incidents (a typed polars frame) plus
//! the rows that were rejected and why.
//!
//! Invariant: for every file, `read == accepted + rejected`. A row is never
//! dropped without a [`Reject`] naming its file, row, line, column and value,
//! and unknown values stay null (never 0).
//!
//! Files by job: [`preset`] (the ordered preset table), one file per preset
//! ([`acled`], [`ucdp`], [`gtd`], [`gdelt`], [`native`], [`mapping`]),
//! [`layout`] (column rules), [`convert`] (records → typed rows or rejects),
//! [`dates`] and [`order`] (dates as spreadsheets write them, and the
//! day/month order of a file),
//! [`source`] (formats and records), [`lines`] (physical line numbers), [`parallel`] (large files on every
//! core), [`plain`] (splitting well-formed text fast), [`load`] (files → one frame), [`duplicates`], [`rejects`] (the
//! rejects file) and [`loaded`] (the result types).

pub mod acled;
pub mod cameo;
pub mod convert;
pub mod dates;
pub mod duplicates;
pub mod gdelt;
pub mod gtd;
pub mod layout;
pub mod lines;
pub mod load;
pub mod loaded;
pub mod mapping;
pub mod native;
pub mod order;
pub mod parallel;
pub mod parse;
pub mod plain;
pub mod preset;
pub mod rejects;
pub mod source;
pub mod ucdp;

pub use dates::DateOrder;
pub use load::{canonical_scan, concat_aligned, load_file, load_incidents, read_batches, tag_rows, RawFile};
pub use loaded::{dataset_name, FileSummary, LoadOptions, Loaded, Progress, ReadCounts, Reject, DATASET, SOURCE_FILE};
pub use mapping::Mapping;
pub use preset::Preset;
pub use rejects::write_rejects;
pub use source::{Encoding, Format};
