//! Rendering: turning plain query results into text and pictures for people
//! and machines. [`format`] writes tables and the weekly summary (terminal,
//! CSV, JSON, Markdown); [`chart`] draws charts (SVG, PNG); [`page`] lays
//! out the HTML page of a report. No polars types are used here.

pub mod chart;
pub mod format;
pub mod page;
