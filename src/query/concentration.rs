//! Actor concentration (`--metric concentration`): per period and group,
//! the number of armed groups (`actor_parent`) with at least one incident,
//! and the effective number of groups, the inverse Simpson index 1 / Σ pᵢ²
//! of their shares of the incidents (acledR's concentration measure): 1
//! when one group acts alone, n when n groups act equally. Incidents of an
//! unknown group are left out of both and counted in a note.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::LazyFrame;

use super::aggregate::{self, Group};
use super::shape::{self, ACTIVE_GROUPS, EFFECTIVE_GROUPS};
use super::spec::{Metric, Query};
use super::table::{Cell, Table};
use crate::error::Result;
use crate::schema::col as c;
use crate::text::count;

/// Groups active and the effective number of groups, from incidents per group.
pub fn concentration(counts: &[u64]) -> (u64, Option<f64>) {
    let total: u64 = counts.iter().sum();
    let active = counts.iter().filter(|n| **n > 0).count() as u64;
    if total == 0 {
        return (0, None);
    }
    let simpson: f64 = counts.iter().map(|n| (*n as f64 / total as f64).powi(2)).sum();
    (active, Some(1.0 / simpson))
}

/// Fill the concentration columns of a table shaped from `q`.
pub fn fill(lf: &LazyFrame, q: &Query, t: &mut Table) -> Result<()> {
    let (Some(ai), Some(ei)) = (t.index(ACTIVE_GROUPS), t.index(EFFECTIVE_GROUPS)) else { return Ok(()) };
    let mut by = q.by.clone();
    // Grouped by actor_parent already: each row is one group (the same column twice would not group).
    let own = q.by.iter().position(|b| b == c::ACTOR_PARENT);
    if own.is_none() {
        by.push(c::ACTOR_PARENT.to_string());
    }
    let cq = Query { by, metrics: vec![Metric::Incidents], ..q.unshaped() };
    let agg = aggregate::aggregate(lf.clone(), &cq)?;
    let groups: Vec<Group> = t.rows.iter().map(|r| t.group_of(&q.by, r)).collect();
    let merged = shape::Merged::of_table(t, &q.by);
    // (period, row group) -> incidents per actor group.
    let mut per: BTreeMap<(NaiveDate, Group), BTreeMap<String, u64>> = BTreeMap::new();
    let mut unknown = 0u64;
    for r in &agg.rows {
        let (head, actor) = match own {
            Some(k) => (&r.group[..], &r.group[k..=k]),
            None => r.group.split_at(q.by.len()),
        };
        let row = shape::Merged::apply(merged.as_ref(), head);
        match actor.first().cloned().flatten() {
            Some(a) => *per.entry((r.period, row)).or_default().entry(a).or_insert(0) += r.incidents,
            None => unknown += r.incidents,
        }
    }
    for (r, g) in t.rows.iter_mut().zip(groups) {
        let Cell::Period(p, _) = r[0] else { continue };
        let counts: Vec<u64> = per.get(&(p, g)).map(|m| m.values().copied().collect()).unwrap_or_default();
        let (active, effective) = concentration(&counts);
        r[ai] = Cell::Int(active as i64);
        r[ei] = effective.map_or(Cell::Null, |e| Cell::Float(e, 2));
    }
    t.notes.push(format!(
        "groups is the number of armed groups (actor_parent) with an incident in the period; effective_groups is \
         1 / sum of their squared shares of its incidents (1: one group acts alone; n: n groups act equally){}",
        if unknown > 0 {
            format!("; {} incidents of an unknown group are left out of both", count(unknown))
        } else {
            String::new()
        }
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_effective_number_of_groups_is_the_inverse_simpson_index() {
        assert_eq!(concentration(&[5]), (1, Some(1.0)));
        assert_eq!(concentration(&[3, 3, 3, 0]), (3, Some(3.0)));
        // Shares 0.5, 0.25, 0.25: 1 / (0.25 + 0.0625 + 0.0625) = 2.67.
        let (n, e) = concentration(&[2, 1, 1]);
        assert_eq!(n, 3);
        assert!((e.unwrap() - 1.0 / 0.375).abs() < 1e-12);
        assert_eq!(concentration(&[]), (0, None));
    }
}
