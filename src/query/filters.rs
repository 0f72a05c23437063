//! `--where` as people type it. A value matches the data's values ignoring
//! case, accents and punctuation (as aliases match), and for actor and target
//! columns through the alias table too (`--where actor=KH` finds "Kataib
//! Hezbollah"); `(unknown)` selects rows where the column is empty. A value
//! that matches nothing is said in a note naming the closest values there
//! are, and the query still runs (it counts nothing for that value).

use std::collections::HashMap;
use std::sync::OnceLock;

use polars::prelude::*;

use super::spec::Query;
use crate::error::Result;
use crate::normalise::{fold, AliasTable, DEFAULT_ALIASES};
use crate::schema::col as c;
use crate::Run;

/// The value that selects rows where a column is empty.
pub const UNKNOWN: &str = "(unknown)";

/// Columns whose values are names the alias table knows.
const NAME_COLUMNS: &[&str] = &[c::ACTOR, c::ACTOR_PARENT, c::ACTOR_UMBRELLA, c::TARGET];

fn aliases() -> &'static AliasTable {
    static TABLE: OnceLock<AliasTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        AliasTable::from_toml(DEFAULT_ALIASES, std::path::Path::new("data/aliases.toml")).unwrap_or_default()
    })
}

/// Whether a filter value asks for empty cells.
pub fn is_unknown(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case(UNKNOWN)
}

/// The alias table's name for a `--where` value of a name column (`KH` →
/// "Kata'ib Hezbollah"), for engines that cannot fold and look up as
/// [`resolve`] does.
pub fn alias_name(column: &str, value: &str) -> Option<String> {
    if !NAME_COLUMNS.contains(&column) {
        return None;
    }
    aliases().resolve_one(value).map(|r| r.name).filter(|n| n != value)
}

/// The query with each `--where` value replaced by the values of the data
/// it matches, and a note for each value that matches none.
pub fn resolve(lf: &LazyFrame, q: &Query) -> Result<(Query, Vec<String>)> {
    if q.filters.is_empty() {
        return Ok((q.clone(), Vec::new()));
    }
    let schema = lf.clone().collect_schema()?;
    let mut out = q.clone();
    let mut notes = Vec::new();
    for (column, values) in &mut out.filters {
        if schema.get(column.as_str()).is_none() {
            continue; // reported as an unknown column by the query
        }
        let df = lf
            .clone()
            .select([col(column.as_str()).cast(DataType::String)])
            .filter(col(column.as_str()).is_not_null())
            .unique(None, UniqueKeepStrategy::First)
            .run()?;
        let mut candidates: Vec<String> = df.column(column)?.str()?.iter().flatten().map(str::to_string).collect();
        // With --split-actors an actor is matched against each actor of a cell.
        if q.split_actors && column == c::ACTOR {
            candidates = candidates
                .iter()
                .flat_map(|v| v.split([',', ';']).map(|p| p.trim().to_string()).collect::<Vec<_>>())
                .filter(|p| !p.is_empty())
                .collect();
        }
        candidates.sort();
        candidates.dedup();
        let mut index: HashMap<String, Vec<&String>> = HashMap::new();
        for v in &candidates {
            index.entry(fold(v)).or_default().push(v);
        }
        let mut matched: Vec<String> = Vec::new();
        for v in values.iter() {
            if is_unknown(v) {
                matched.push(UNKNOWN.to_string());
                continue;
            }
            let mut keys = vec![fold(v)];
            if NAME_COLUMNS.contains(&column.as_str()) {
                keys.extend(aliases().resolve_one(v).map(|r| fold(&r.name)));
            }
            let found: Vec<String> =
                keys.iter().filter_map(|k| index.get(k)).flatten().map(|s| s.to_string()).collect();
            if found.is_empty() {
                let near = crate::text::closest(v, candidates.iter().map(String::as_str), 3);
                notes.push(format!(
                    "--where {column}={v} matches no value{}",
                    if near.is_empty() { String::new() } else { format!("; closest: {}", near.join(", ")) }
                ));
            }
            matched.extend(found);
        }
        matched.sort();
        matched.dedup();
        // Nothing matched: keep the values as given, so the filter still selects nothing.
        if !matched.is_empty() {
            *values = matched;
        }
    }
    Ok((out, notes))
}
