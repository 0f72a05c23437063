//! Cross-source duplicates: one attack reported by two sources (the
//! Pentagon's count and a tracker, ACLED and GDELT) is one incident. Two
//! incidents of different datasets are the same when all of these hold:
//!
//! 1. their dates are at most `days` apart (default 1; a week-precision
//!    date spans its week; incidents dated only to the month or coarser are
//!    never merged);
//! 2. their places are at most `km` apart (default 5) by coordinates, or,
//!    without coordinates on both, they name the same location (else the same
//!    admin1) after folding case, accents and punctuation;
//! 3. their actor group, target type and weapon are compatible: equal after
//!    folding, or unknown on either side.
//!
//! Candidate pairs are taken closest first (fewest days apart, then nearest);
//! a pair joins two clusters only if the result still has at most one
//! incident per dataset, so two reports of one source are never merged. The
//! order is fixed by the incidents' contents and ids, so the result is the
//! same whatever the input order. A merged incident is its most precisely
//! dated member (ties: earliest, then dataset and id) with the highest known
//! fatalities and injured of its members; it lists every member in
//! `sources` and `source_ids` and counts them in `n_sources`. Every merge is
//! reported with the rule that matched.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::ingest::DATASET;
use crate::normalise::aliases::fold;
use crate::schema::{col as c, DatePrecision};

/// Column listing the datasets of a merged incident ("DoD; tracker").
pub const SOURCES: &str = "sources";
/// Column listing the members as dataset:incident_id.
pub const SOURCE_IDS: &str = "source_ids";
/// Column counting the members (1 for an incident reported once).
pub const N_SOURCES: &str = "n_sources";

/// The columns deduplication reads besides ids, dates and coordinates (always loaded).
pub const READS: [&str; 6] = [c::LOCATION, c::ADMIN1, c::ACTOR_PARENT, c::TARGET_TYPE, c::WEAPON, DATASET];

/// When two incidents are one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Most days apart.
    pub days: i64,
    /// Most kilometres apart (by coordinates).
    pub km: f64,
}

impl Default for Rule {
    fn default() -> Self {
        Rule { days: 1, km: 5.0 }
    }
}

/// One merge: the incident kept and a member merged into it, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// Cluster number, from 1.
    pub cluster: usize,
    /// The incident kept, as dataset:incident_id.
    pub kept: String,
    /// The pair matched, as "dataset:id = dataset:id".
    pub member: String,
    /// Why the two are the same incident.
    pub rule: String,
}

/// The outcome of a deduplication.
#[derive(Debug, Clone)]
pub struct Deduped {
    /// Incidents after merging, with `sources`, `source_ids` and `n_sources`.
    pub frame: DataFrame,
    /// Every member merged, cluster by cluster.
    pub merges: Vec<Merge>,
    /// Incidents in, clusters of more than one, incidents out.
    pub counts: (usize, usize, usize),
    /// Merged incidents whose members disagree on fatalities (the highest known was kept).
    pub fatalities_differ: usize,
    /// Incidents dated only to the month or coarser, never merged.
    pub too_coarse: usize,
}

struct Row {
    id: String,
    dataset: String,
    /// First and last day the date may be (days since 1970).
    day: (i32, i32),
    precision: DatePrecision,
    coords: Option<(f64, f64)>,
    location: Option<String>,
    admin1: Option<String>,
    traits: [Option<String>; 3],
}

fn strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(match df.column(name) {
        Ok(c) => c.cast(&DataType::String)?.str()?.iter().map(|v| v.map(String::from)).collect(),
        Err(_) => vec![None; df.height()],
    })
}

fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(match df.column(name) {
        Ok(c) => c.cast(&DataType::Float64)?.f64()?.iter().collect(),
        Err(_) => vec![None; df.height()],
    })
}

fn ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    Ok(match df.column(name) {
        Ok(c) => c.cast(&DataType::Int64)?.i64()?.iter().collect(),
        Err(_) => vec![None; df.height()],
    })
}

/// Great-circle distance in km.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Days between two date spans (0 when they overlap).
fn days_apart(a: (i32, i32), b: (i32, i32)) -> i64 {
    i64::from((a.0 - b.1).max(b.0 - a.1).max(0))
}

/// Why two rows are one incident, with the pair's sort key; `None` when they are not.
fn matches(a: &Row, b: &Row, rule: &Rule) -> Option<((i64, u64), String)> {
    if a.dataset == b.dataset {
        return None;
    }
    let apart = days_apart(a.day, b.day);
    if apart > rule.days {
        return None;
    }
    let (place, dist) = match (a.coords, b.coords) {
        (Some(p), Some(q)) => {
            let km = haversine_km(p, q);
            if km > rule.km {
                return None;
            }
            (format!("{km:.1} km apart (at most {})", rule.km), km)
        }
        _ => match (&a.location, &b.location, &a.admin1, &b.admin1) {
            (Some(x), Some(y), _, _) if x == y => (format!("same location ({x})"), 0.0),
            (Some(_), Some(_), _, _) => return None,
            (_, _, Some(x), Some(y)) if x == y => (format!("same admin1 ({x}), no location on one side"), rule.km),
            _ => return None,
        },
    };
    for t in 0..3 {
        if let (Some(x), Some(y)) = (&a.traits[t], &b.traits[t]) {
            if x != y {
                return None;
            }
        }
    }
    let when = match apart {
        0 => "same day".to_string(),
        1 => "1 day apart".to_string(),
        n => format!("{n} days apart"),
    };
    let why = format!("{when} (at most {}); {place}; actor group, target type and weapon compatible", rule.days);
    Some(((apart, (dist * 1000.0).round() as u64), why))
}

fn span(day: i32, p: DatePrecision) -> Option<(i32, i32)> {
    match p {
        DatePrecision::Day => Some((day, day)),
        DatePrecision::Week => Some((day, day + 6)),
        _ => None,
    }
}

/// The pairs (i < j) of rows sorted by first day that may match: within the
/// day window, and either in neighbouring latitude bands as wide as the
/// distance (both with coordinates) or sharing a location or admin1 (one
/// without). Every pair [`matches`] can accept is here, with far fewer than
/// all pairs of the window.
fn candidates(rows: &[&Row], rule: &Rule) -> Vec<(usize, usize)> {
    use std::collections::{BTreeSet, HashMap};
    // Within the window when j starts no later than N days after i ends (rows sorted by start).
    let in_window = |i: usize, j: usize| i64::from(rows[j].day.0 - rows[i].day.1) <= rule.days;
    let mut out: BTreeSet<(usize, usize)> = BTreeSet::new();
    // 1. Both with coordinates: latitude bands at least `km` wide; two points
    //    closer than `km` are in the same band or the next.
    let band_deg = (rule.km / 111.0).max(1e-6) * 1.01;
    let mut bands: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some((lat, _)) = r.coords {
            bands.entry((lat / band_deg).floor() as i64).or_default().push(i);
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let Some((lat, _)) = r.coords else { continue };
        let b = (lat / band_deg).floor() as i64;
        for near in [b - 1, b, b + 1] {
            let Some(list) = bands.get(&near) else { continue };
            let from = list.partition_point(|&j| j <= i);
            for &j in &list[from..] {
                if !in_window(i, j) {
                    break;
                }
                out.insert((i, j));
            }
        }
    }
    // 2. One side without coordinates: the same location, or the same admin1.
    let mut by_key: HashMap<(u8, &str), Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(l) = &r.location {
            by_key.entry((0, l.as_str())).or_default().push(i);
        }
        if let Some(a) = &r.admin1 {
            by_key.entry((1, a.as_str())).or_default().push(i);
        }
    }
    // Only rows without coordinates look up their place keys, over the days
    // that can be in the window (a week-dated row spans at most 6 days more).
    for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.coords.is_none()) {
        let keys = [r.location.as_deref().map(|l| (0u8, l)), r.admin1.as_deref().map(|a| (1u8, a))];
        for list in keys.into_iter().flatten().filter_map(|k| by_key.get(&k)) {
            let earliest = r.day.0 - rule.days.min(i64::from(i32::MAX / 2)) as i32 - 6;
            let from = list.partition_point(|&j| rows[j].day.0 < earliest);
            for &j in &list[from..] {
                if i64::from(rows[j].day.0 - r.day.1) > rule.days {
                    break;
                }
                if j != i {
                    out.insert((i.min(j), i.max(j)));
                }
            }
        }
    }
    out.into_iter().collect()
}

struct Clusters {
    parent: Vec<usize>,
    /// Members of each cluster, at its root.
    members: Vec<Vec<usize>>,
}

impl Clusters {
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.parent[r] != r {
            r = self.parent[r];
        }
        let mut i = i;
        while self.parent[i] != r {
            let next = self.parent[i];
            self.parent[i] = r;
            i = next;
        }
        r
    }

    /// Join the clusters of `a` and `b` when every member of one is the same
    /// incident as every member of the other (`same`, which also refuses two
    /// of one dataset): a merge never chains two incidents that fail the rule.
    fn join(&mut self, a: usize, b: usize, same: impl Fn(usize, usize) -> bool) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let ok = self.members[ra].iter().all(|&x| self.members[rb].iter().all(|&y| same(x, y)));
        if !ok {
            return false;
        }
        let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[gone] = keep;
        let moved = std::mem::take(&mut self.members[gone]);
        self.members[keep].extend(moved);
        true
    }
}

/// Weapon and target values that say nothing: the taxonomies' catch-alls
/// and fallbacks ("Unknown" becomes "other/unknown"), compatible with anything.
fn says_nothing(folded: &str) -> bool {
    matches!(folded, "unknown" | "other unknown" | "other" | "unspecified" | "not known")
}

/// Merge the cross-source duplicates of canonical incidents (which carry a `dataset` column).
pub fn dedup(df: &DataFrame, rule: &Rule) -> Result<Deduped> {
    if df.column(DATASET).is_err() {
        return Err(Error::Usage(
            "dedup needs each incident's dataset: give the sources as files (a store written before datasets \
             were kept has none)"
                .into(),
        ));
    }
    let n = df.height();
    let ids = strings(df, c::INCIDENT_ID)?;
    let datasets = strings(df, DATASET)?;
    let days: Vec<Option<i32>> = df.column(c::DATE)?.cast(&DataType::Int32)?.i32()?.iter().collect();
    let precision = strings(df, c::DATE_PRECISION)?;
    let (lat, lon) = (floats(df, c::LATITUDE)?, floats(df, c::LONGITUDE)?);
    let folded = |v: Vec<Option<String>>| -> Vec<Option<String>> {
        v.into_iter().map(|s| s.map(|s| fold(&s)).filter(|s| !s.is_empty())).collect()
    };
    let (location, admin1) = (folded(strings(df, c::LOCATION)?), folded(strings(df, c::ADMIN1)?));
    let vague = |v: Vec<Option<String>>| -> Vec<Option<String>> {
        folded(v).into_iter().map(|s| s.filter(|s| !says_nothing(s))).collect()
    };
    let traits =
        [vague(strings(df, c::ACTOR_PARENT)?), vague(strings(df, c::TARGET_TYPE)?), vague(strings(df, c::WEAPON)?)];
    let mut rows: Vec<(usize, Row)> = Vec::with_capacity(n);
    let mut too_coarse = 0;
    for i in 0..n {
        let p = precision[i].as_deref().and_then(|p| p.parse().ok()).unwrap_or(DatePrecision::Day);
        let Some(day) = days[i].and_then(|d| span(d, p)) else {
            too_coarse += 1;
            continue;
        };
        rows.push((
            i,
            Row {
                id: ids[i].clone().unwrap_or_default(),
                dataset: datasets[i].clone().unwrap_or_else(|| "(unknown dataset)".into()),
                day,
                precision: p,
                coords: lat[i].zip(lon[i]),
                location: location[i].clone(),
                admin1: admin1[i].clone(),
                traits: [traits[0][i].clone(), traits[1][i].clone(), traits[2][i].clone()],
            },
        ));
    }
    // A fixed order from the contents, whatever the input order.
    let order = |r: &Row| {
        let bits = r.coords.map(|(a, b)| (a.to_bits(), b.to_bits()));
        (r.day, r.dataset.clone(), r.id.clone(), r.location.clone(), r.admin1.clone(), r.traits.clone(), bits)
    };
    rows.sort_by_cached_key(|r| order(&r.1));
    let sorted: Vec<&Row> = rows.iter().map(|r| &r.1).collect();
    let mut pairs: Vec<((i64, u64), usize, usize, String)> = candidates(&sorted, rule)
        .into_iter()
        .filter_map(|(i, j)| matches(sorted[i], sorted[j], rule).map(|(key, why)| (key, i, j, why)))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut clusters =
        Clusters { parent: (0..rows.len()).collect(), members: (0..rows.len()).map(|i| vec![i]).collect() };
    let mut joins: Vec<(usize, usize, String)> = Vec::new();
    for (_, i, j, reason) in pairs {
        if clusters.join(i, j, |x, y| matches(&rows[x].1, &rows[y].1, rule).is_some()) {
            joins.push((i, j, reason));
        }
    }
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for k in 0..rows.len() {
        let r = clusters.find(k);
        members.entry(r).or_default().push(k);
    }
    let (fat, inj) = (ints(df, c::FATALITIES)?, ints(df, c::INJURED)?);
    let mut keep = vec![true; n];
    let mut sources: Vec<String> = (0..n).map(|i| datasets[i].clone().unwrap_or_default()).collect();
    let mut source_ids: Vec<String> = (0..n)
        .map(|i| format!("{}:{}", datasets[i].as_deref().unwrap_or(""), ids[i].as_deref().unwrap_or("")))
        .collect();
    let mut n_sources = vec![1u32; n];
    let (mut new_fat, mut new_inj) = (fat.clone(), inj.clone());
    let mut merges = Vec::new();
    let (mut clustered, mut fatalities_differ) = (0, 0);
    let label = |k: usize| format!("{}:{}", rows[k].1.dataset, rows[k].1.id);
    for group in members.values().filter(|g| g.len() > 1) {
        clustered += 1;
        let rep = *group
            .iter()
            .min_by(|a, b| {
                let (x, y) = (&rows[**a].1, &rows[**b].1);
                (x.precision, x.day, &x.dataset, &x.id).cmp(&(y.precision, y.day, &y.dataset, &y.id))
            })
            .unwrap_or(&group[0]);
        let at = rows[rep].0;
        let mut sorted = group.clone();
        sorted.sort_by(|a, b| (&rows[*a].1.dataset, &rows[*a].1.id).cmp(&(&rows[*b].1.dataset, &rows[*b].1.id)));
        let known: Vec<i64> = group.iter().filter_map(|k| fat[rows[*k].0]).collect();
        if known.iter().any(|v| Some(v) != known.first()) {
            fatalities_differ += 1;
        }
        new_fat[at] = known.iter().copied().max();
        new_inj[at] = group.iter().filter_map(|k| inj[rows[*k].0]).max();
        sources[at] = sorted.iter().map(|k| rows[*k].1.dataset.clone()).collect::<Vec<_>>().join("; ");
        source_ids[at] = sorted.iter().map(|k| label(*k)).collect::<Vec<_>>().join("; ");
        n_sources[at] = group.len() as u32;
        for k in &sorted {
            if *k != rep {
                keep[rows[*k].0] = false;
            }
        }
        // Each pair that joined this cluster, with the rule it met.
        for (i, j, reason) in joins.iter().filter(|(i, _, _)| group.contains(i)) {
            merges.push(Merge {
                cluster: clustered,
                kept: label(rep),
                member: format!("{} = {}", label(*i), label(*j)),
                rule: reason.clone(),
            });
        }
    }
    let mut out = df.clone();
    out.with_column(Column::new(c::FATALITIES.into(), new_fat))?;
    out.with_column(Column::new(c::INJURED.into(), new_inj))?;
    out.with_column(Column::new(SOURCES.into(), sources))?;
    out.with_column(Column::new(SOURCE_IDS.into(), source_ids))?;
    out.with_column(Column::new(N_SOURCES.into(), n_sources))?;
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    let out = out.filter(&mask)?;
    let left = out.height();
    Ok(Deduped { frame: out, merges, counts: (n, clustered, left), fatalities_differ, too_coarse })
}

impl Deduped {
    /// One sentence for the user: what was merged and how.
    pub fn summary(&self, rule: &Rule) -> String {
        let (n, k, left) = self.counts;
        let mut s = format!(
            "dedup: {} incidents in, {} merged into {} (same incident when at most {} day(s) and {} km apart \
             with compatible actor group, target type and weapon, from different datasets), {} out",
            crate::text::count(n as u64),
            crate::text::count((n - left + k) as u64),
            crate::text::count(k as u64),
            rule.days,
            rule.km,
            crate::text::count(left as u64)
        );
        if self.fatalities_differ > 0 {
            s.push_str(&format!(
                "; {} merged incidents whose sources give different fatalities keep the highest known",
                crate::text::count(self.fatalities_differ as u64)
            ));
        }
        if self.too_coarse > 0 {
            s.push_str(&format!(
                "; {} incidents dated only to the month or coarser were not compared",
                crate::text::count(self.too_coarse as u64)
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows from a fixed generator: a small box of coordinates (some missing), few places.
    fn random_rows(n: usize, seed: u64) -> Vec<Row> {
        let mut x = seed;
        let mut next = |m: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let mut rows: Vec<Row> = (0..n)
            .map(|i| {
                let day = next(40) as i32;
                let week = next(10) == 0;
                let coords =
                    (next(5) != 0).then(|| (33.0 + next(1000) as f64 / 2000.0, 44.0 + next(1000) as f64 / 2000.0));
                Row {
                    id: format!("{i}"),
                    dataset: ["a", "b", "c"][next(3) as usize].into(),
                    day: if week { (day, day + 6) } else { (day, day) },
                    precision: if week { DatePrecision::Week } else { DatePrecision::Day },
                    coords,
                    location: (next(3) != 0).then(|| format!("place {}", next(6))),
                    admin1: (next(2) != 0).then(|| format!("province {}", next(2))),
                    traits: [None, (next(2) == 0).then(|| "base".into()), None],
                }
            })
            .collect();
        rows.sort_by(|a, b| (a.day, &a.dataset, &a.id).cmp(&(b.day, &b.dataset, &b.id)));
        rows
    }

    #[test]
    fn blocked_candidates_find_every_pair_all_pairs_would() {
        for seed in 0..5 {
            let rows = random_rows(600, seed);
            let refs: Vec<&Row> = rows.iter().collect();
            let rule = Rule::default();
            let all: Vec<(usize, usize)> = (0..refs.len())
                .flat_map(|i| (i + 1..refs.len()).map(move |j| (i, j)))
                .filter(|(i, j)| matches(refs[*i], refs[*j], &rule).is_some())
                .collect();
            let blocked: Vec<(usize, usize)> = candidates(&refs, &rule)
                .into_iter()
                .filter(|(i, j)| matches(refs[*i], refs[*j], &rule).is_some())
                .collect();
            assert!(!all.is_empty());
            assert_eq!(blocked, all, "seed {seed}");
        }
    }

    #[test]
    fn a_merge_never_chains_incidents_that_fail_the_rule_and_unknown_is_compatible() {
        // Day 0 rocket (DoD), day 1 no weapon (tracker), day 2 drone (ACLED), one place:
        // DoD-tracker and tracker-ACLED match, DoD-ACLED does not (2 days, two weapons).
        let df = df! {
            "incident_id" => ["A", "B", "C", "D"],
            "dataset" => ["dod", "tracker", "acled", "gtd"],
            "date" => [19000i32, 19001, 19002, 19000],
            "date_precision" => ["day", "day", "day", "day"],
            "location" => ["Ain al-Asad", "Ain al-Asad", "Ain al-Asad", "Ain al-Asad"],
            "weapon" => [Some("rocket"), None, Some("drone"), Some("other/unknown")],
        }
        .unwrap()
        .lazy()
        .with_column(col("date").cast(DataType::Date))
        .collect()
        .unwrap();
        let d = dedup(&df, &Rule::default()).unwrap();
        let mut ids: Vec<String> =
            d.frame.column(SOURCE_IDS).unwrap().str().unwrap().iter().map(|s| s.unwrap().to_string()).collect();
        ids.sort();
        // GTD's "Unknown" weapon (the taxonomy's other/unknown) is compatible: it joins DoD's day-0 report.
        assert_eq!(ids, ["acled:C", "dod:A; gtd:D; tracker:B"]);
    }

    #[test]
    fn distances_and_date_spans() {
        // Baghdad to Erbil is about 320 km.
        let d = haversine_km((33.3152, 44.3661), (36.1911, 44.0092));
        assert!((d - 321.0).abs() < 5.0, "{d}");
        assert_eq!(days_apart((10, 10), (11, 11)), 1);
        assert_eq!(days_apart((10, 16), (12, 12)), 0, "inside a week span");
        assert_eq!(days_apart((20, 20), (10, 16)), 4);
    }
}
