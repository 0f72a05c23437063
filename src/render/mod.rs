//! Rendering: turning plain query results into text for people and machines.

pub mod chart;
pub mod fmt;
pub mod report;
pub mod table;
