//! Regression tests for defects found in review (one test per finding).

use assert_cmd::Command;
use predicates::str::contains;
use sitrep::ingest::{load_incidents, Encoding, LoadOptions};
use sitrep::normalise::Normaliser;
use sitrep::schema::col;

use super::{fixture, repo};

fn strs(df: &polars::prelude::DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
}

#[test]
fn review_store_plus_new_export_keeps_normalising_the_new_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.parquet");
    let n = Normaliser::load(&[], &[]).unwrap();
    let first = load_incidents(&[fixture("native.csv")], &LoadOptions::default()).unwrap();
    sitrep::store::upsert(&store, &n.apply(first.frame).unwrap().0, Some(&n.fingerprint)).unwrap();
    let both = load_incidents(&[store, fixture("militia_tracker.csv")], &LoadOptions::default()).unwrap();
    let (df, _) = n.apply(both.frame).unwrap();
    let actors = strs(&df, col::ACTOR);
    // Rows 4.. come from the CSV: "Kata'ib Hizballah" must still become Kataib Hezbollah.
    assert_eq!(actors[4].as_deref(), Some("Kataib Hezbollah"));
    assert_eq!(strs(&df, "actor_raw")[4].as_deref(), Some("Kata'ib Hizballah"));
    assert_eq!(strs(&df, col::WEAPON)[4].as_deref(), Some("rocket"));
}

#[test]
fn review_weekly_chart_without_weeks_and_weeks_outside_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sitrep.toml");
    std::fs::copy(fixture("militia_tracker.csv"), dir.path().join("t.csv")).unwrap();
    std::fs::write(
        &cfg,
        "[data]\nfiles = [\"t.csv\"]\n[[weekly.chart]]\nname = \"all\"\nkind = \"bar\"\nevery = \"day\"\n",
    )
    .unwrap();
    let run = |week: &str| {
        Command::cargo_bin("sitrep").unwrap().args(["weekly", "--week", week, "--config"]).arg(&cfg).assert()
    };
    run("2023-W43").success();
    assert!(dir.path().join("reports/2023-W43/all.svg").exists());
    run("2024-W10").code(1).stderr(contains("is outside the data, which covers 2023-10-17 to 2023-10-30"));
    // 2023-W44 (30 Oct - 5 Nov) is only partly covered: flagged, no trend band.
    run("2023-W44").success();
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("reports/2023-W44/summary.json")).unwrap()).unwrap();
    assert_eq!((s["complete"].as_bool(), s["trend"].is_null()), (Some(false), true));
}

#[test]
fn review_gzipped_and_latin1_ndjson_read_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("i.ndjson.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::default());
    std::io::copy(&mut std::fs::File::open(fixture("incidents.ndjson")).unwrap(), &mut enc).unwrap();
    enc.finish().unwrap();
    let l = load_incidents(&[gz], &LoadOptions::default()).unwrap();
    assert_eq!((l.read(), l.accepted()), (4, 2));
    // A Latin-1 NDJSON file is decoded once: decoding twice would give "MaÃ¢la".
    let p = dir.path().join("l.ndjson");
    std::fs::write(&p, b"{\"date\": \"2024-01-01\", \"actor\": \"KH\", \"location\": \"Ma\xe2la\"}\n").unwrap();
    let l = load_incidents(&[p], &LoadOptions { encoding: Encoding::Latin1, ..Default::default() }).unwrap();
    assert_eq!(strs(&l.frame, col::LOCATION), vec![Some("Maâla".to_string())]);
}

#[test]
fn review_na_in_date_end_and_precision_is_unknown_not_a_reject() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.csv");
    std::fs::write(&p, "date,date_end,date_precision,actor\n2024-01-01,NA,NA,KH\n2024-01-02,2024-01-03,day,KH\n")
        .unwrap();
    let l = load_incidents(&[p], &LoadOptions::default()).unwrap();
    assert_eq!((l.accepted(), l.rejected()), (2, 0));
    assert_eq!(strs(&l.frame, col::DATE_PRECISION), vec![None, Some("day".to_string())]);
}

#[test]
fn compare_without_a_value_does_not_swallow_the_file() {
    // `--compare FILE` once parsed FILE as N; the value now needs `=`.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--every", "week", "--compare"])
        .arg(fixture("militia_tracker.csv"))
        .assert()
        .success()
        .stdout(contains("baseline_mean_4"));
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--every", "day", "--compare=2"])
        .arg(fixture("militia_tracker.csv"))
        .assert()
        .success()
        .stdout(contains("baseline_mean_2"));
}

#[test]
fn review_split_actors_filters_each_actor_and_huge_windows_are_refused() {
    // "Sham Legion" appears alone and inside multi-actor cells: 184 day- or
    // week-precision incidents name it (Python over the raw file).
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--split-actors", "--where", "actor=Sham Legion", "--min-precision", "week", "--format", "csv"])
        .arg(repo("data/ucdp_ged_syria_2016-2019.csv"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().nth(1).unwrap().split(',').nth(1), Some("184"), "{text}");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--every", "100000000d"])
        .arg(fixture("native.csv"))
        .assert()
        // Issue 15: usage errors exit 2.
        .code(2)
        .stderr(contains("N from 1 to 36600"));
}
