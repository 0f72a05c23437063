//! Queries over canonical incidents. Results are collected into plain Rust
//! values so renderers and tests never depend on how polars prints a frame.

pub mod summary;
