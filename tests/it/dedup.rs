//! Issue 19: cross-source duplicates. Two sources report the same 20
//! attacks with dates shifted by up to a day and coordinates by up to 2 km;
//! three near-misses must stay apart, two reports of one source are never
//! merged, and the result does not depend on the input order.

use std::collections::BTreeMap;

use assert_cmd::Command;
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use sitrep::dedup::{dedup, Rule, N_SOURCES, SOURCE_IDS};
use sitrep::ingest::{load_incidents, LoadOptions};
use sitrep::normalise::Normaliser;

const HEAD: &str = "incident_id,date,date_precision,actor,target_type,weapon,country,location,latitude,longitude,fatalities,injured,source\n";

/// Bases (name, latitude, longitude), made-up coordinates near real ones.
const BASES: [(&str, f64, f64); 5] = [
    ("Ain al-Asad", 33.80, 42.44),
    ("Al-Tanf", 33.50, 38.62),
    ("Erbil Air Base", 36.24, 43.96),
    ("Victory Base", 33.26, 44.23),
    ("Shaddadi", 36.06, 40.73),
];

struct Attack {
    day: NaiveDate,
    base: usize,
    weapon: &'static str,
    killed: Option<i64>,
}

/// 20 attacks: each base every 10 days, so no two at one base are within a week and a day.
fn attacks() -> Vec<Attack> {
    (0..20)
        .map(|i| Attack {
            day: NaiveDate::from_ymd_opt(2023, 10, 18).unwrap() + Duration::days(10 * (i / 5) + (i % 5)),
            base: (i % 5) as usize,
            weapon: if i % 3 == 0 { "drone" } else { "rocket" },
            killed: if i % 7 == 0 { Some(1) } else { Some(0) },
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn row(
    id: &str,
    day: NaiveDate,
    precision: &str,
    actor: &str,
    weapon: &str,
    base: usize,
    dlat: f64,
    killed: Option<i64>,
    source: &str,
) -> String {
    let (name, lat, lon) = BASES[base];
    format!(
        "{id},{day},{precision},{actor},military base,{weapon},Iraq,{name},{:.5},{lon:.5},{},0,{source}\n",
        lat + dlat,
        killed.map_or(String::new(), |k| k.to_string())
    )
}

/// The two sources' files: (DoD rows, tracker rows), one row per line after the header.
fn sources() -> (Vec<String>, Vec<String>) {
    let mut dod = Vec::new();
    let mut tracker = Vec::new();
    for (i, a) in attacks().iter().enumerate() {
        // DoD dates some attacks only to the week; the tracker has the day, up to a day off.
        let (dod_day, dod_precision) = if i % 4 == 0 { (a.day, "week") } else { (a.day, "day") };
        dod.push(row(
            &format!("D-{i:02}"),
            dod_day,
            dod_precision,
            "Islamic Resistance in Iraq",
            a.weapon,
            a.base,
            0.0,
            a.killed,
            "DoD",
        ));
        let shift = [0, 1, -1][i % 3];
        // 0.018° of latitude is 2 km; the tracker sometimes does not know the group.
        let actor = if i % 5 == 0 { "" } else { "Islamic Resistance in Iraq" };
        let killed = if i % 7 == 0 { Some(2) } else { a.killed };
        tracker.push(row(
            &format!("T-{i:02}"),
            a.day + Duration::days(shift),
            "day",
            actor,
            a.weapon,
            a.base,
            0.018,
            killed,
            "tracker",
        ));
    }
    let a = attacks();
    // Near-misses: two days after attack 3 at its base; the same day as attack 4 but 8 km away (0.072°);
    // the same day and place as attack 6 with another weapon.
    tracker.push(row(
        "T-N1",
        a[3].day + Duration::days(2),
        "day",
        "Islamic Resistance in Iraq",
        a[3].weapon,
        a[3].base,
        0.0,
        Some(0),
        "tracker",
    ));
    tracker.push(row(
        "T-N2",
        a[4].day,
        "day",
        "Islamic Resistance in Iraq",
        a[4].weapon,
        a[4].base,
        0.072,
        Some(0),
        "tracker",
    ));
    let other = if a[6].weapon == "drone" { "rocket" } else { "drone" };
    tracker.push(row("T-N3", a[6].day, "day", "Islamic Resistance in Iraq", other, a[6].base, 0.0, Some(0), "tracker"));
    // A second DoD report of attack 1 (same day, same base): one source's two reports stay two.
    // It is 3 km from the tracker's report, the first DoD report 2 km: the nearer one is the match.
    dod.push(row("D-1b", a[1].day, "day", "Islamic Resistance in Iraq", a[1].weapon, a[1].base, -0.01, Some(0), "DoD"));
    (dod, tracker)
}

fn frame(dir: &std::path::Path, dod: &[String], tracker: &[String]) -> polars::prelude::DataFrame {
    let (a, b) = (dir.join("dod.csv"), dir.join("tracker.csv"));
    std::fs::write(&a, format!("{HEAD}{}", dod.concat())).unwrap();
    std::fs::write(&b, format!("{HEAD}{}", tracker.concat())).unwrap();
    let l = load_incidents(&[a, b], &LoadOptions::default()).unwrap();
    assert_eq!(l.rejected(), 0, "{:?}", l.rejects);
    Normaliser::load(&[], &[]).unwrap().apply(l.frame).unwrap().0
}

/// source_ids of the merged incidents, sorted (the clusters, as text).
fn clusters(df: &polars::prelude::DataFrame) -> Vec<String> {
    let mut v: Vec<String> =
        df.column(SOURCE_IDS).unwrap().str().unwrap().iter().map(|s| s.unwrap().to_string()).collect();
    v.sort();
    v
}

#[test]
fn issue_19_two_sources_of_the_same_20_attacks_merge_and_near_misses_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let (dod, tracker) = sources();
    let df = frame(dir.path(), &dod, &tracker);
    let d = dedup(&df, &Rule::default()).unwrap();
    // Naive model: attack i of DoD is attack i of the tracker; nothing else merges.
    let mut want: Vec<String> = (0..20).map(|i| format!("dod:D-{i:02}; tracker:T-{i:02}")).collect();
    want.extend(["dod:D-1b", "tracker:T-N1", "tracker:T-N2", "tracker:T-N3"].map(String::from));
    want.sort();
    assert_eq!(clusters(&d.frame), want);
    assert_eq!(d.counts, (44, 20, 24));
    assert_eq!(d.merges.len(), 20, "every merge is reported");
    assert!(d.merges.iter().all(|m| m.rule.contains("km apart (at most 5)") && m.rule.contains("(at most 1)")));
    // A merged incident keeps the most precise date (the tracker's day where DoD has only the week)
    // and the highest known fatalities.
    let ids: Vec<String> = clusters(&d.frame);
    let a = attacks();
    let get = |col: &str| -> BTreeMap<String, String> {
        let c = d.frame.column(col).unwrap().cast(&polars::prelude::DataType::String).unwrap();
        let keys = d.frame.column(SOURCE_IDS).unwrap().str().unwrap().clone();
        keys.iter()
            .zip(c.str().unwrap().iter())
            .map(|(k, v)| (k.unwrap().to_string(), v.unwrap_or("").to_string()))
            .collect()
    };
    let (dates, killed, n) = (get("date"), get("fatalities"), get(N_SOURCES));
    for (i, at) in a.iter().enumerate() {
        let key = format!("dod:D-{i:02}; tracker:T-{i:02}");
        assert!(ids.contains(&key));
        assert_eq!(n[&key], "2");
        let tracker_day = at.day + Duration::days([0, 1, -1][i % 3]);
        let want_day = if i % 4 == 0 { tracker_day } else { at.day.min(tracker_day) };
        assert_eq!(dates[&key], want_day.to_string(), "attack {i}");
        assert_eq!(killed[&key], if i % 7 == 0 { "2" } else { "0" }, "attack {i}");
    }
    assert_eq!(d.fatalities_differ, 3, "attacks 0, 7 and 14: DoD 1, the tracker 2");
}

#[test]
fn issue_19_dedup_command_and_option_report_what_they_merged() {
    let dir = tempfile::tempdir().unwrap();
    let (dod, tracker) = sources();
    frame(dir.path(), &dod, &tracker);
    let merges = dir.path().join("merges.csv");
    let out = dir.path().join("deduped.csv");
    Command::cargo_bin("sitrep")
        .unwrap()
        .arg("dedup")
        .arg(dir.path().join("dod.csv"))
        .arg(dir.path().join("tracker.csv"))
        .arg("--merges")
        .arg(&merges)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains("44 incidents in, 40 merged into 20"))
        .stderr(predicates::str::contains("24 out"));
    assert_eq!(std::fs::read_to_string(&merges).unwrap().lines().count(), 21);
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 25);
    // The files in the other order write the same bytes.
    let (merges2, out2) = (dir.path().join("merges2.csv"), dir.path().join("deduped2.csv"));
    Command::cargo_bin("sitrep")
        .unwrap()
        .arg("dedup")
        .arg(dir.path().join("tracker.csv"))
        .arg(dir.path().join("dod.csv"))
        .arg("--merges")
        .arg(&merges2)
        .arg("--out")
        .arg(&out2)
        .assert()
        .success();
    assert_eq!(std::fs::read(&merges).unwrap(), std::fs::read(&merges2).unwrap());
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&out2).unwrap());
    // As an option of a query: 24 incidents counted, and the note says why.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--dedup", "--format", "csv"])
        .arg(dir.path().join("dod.csv"))
        .arg(dir.path().join("tracker.csv"))
        .assert()
        .success()
        .stdout(predicates::str::contains(",24\n"))
        .stderr(predicates::str::contains("note: dedup: 44 incidents in"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn issue_19_dedup_does_not_depend_on_the_input_order(seed in any::<u64>(), swap in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let (mut dod, mut tracker) = sources();
        let reference = clusters(&dedup(&frame(dir.path(), &dod, &tracker), &Rule::default()).unwrap().frame);
        // Shuffle both files' rows (Fisher-Yates on a fixed generator), and the file order.
        let mut x = seed;
        let mut shuffle = |v: &mut Vec<String>| {
            for i in (1..v.len()).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                v.swap(i, (x >> 33) as usize % (i + 1));
            }
        };
        shuffle(&mut dod);
        shuffle(&mut tracker);
        let df = if swap { frame(dir.path(), &tracker, &dod) } else { frame(dir.path(), &dod, &tracker) };
        // With the files swapped, "dod.csv" holds the tracker's rows: compare clusters by incident ids.
        let strip = |v: Vec<String>| -> Vec<String> {
            let mut out: Vec<String> = v
                .into_iter()
                .map(|c| {
                    let mut ids: Vec<&str> = c.split("; ").map(|m| m.split_once(':').unwrap().1).collect();
                    ids.sort();
                    ids.join("+")
                })
                .collect();
            out.sort();
            out
        };
        prop_assert_eq!(strip(clusters(&dedup(&df, &Rule::default()).unwrap().frame)), strip(reference));
    }
}
