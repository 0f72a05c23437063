//! CLI tests: exit codes, summaries and error messages as a user sees them.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

use super::{fixture, repo};

fn sitrep() -> Command {
    Command::cargo_bin("sitrep").unwrap()
}

#[test]
fn check_summarises_the_real_ucdp_file() {
    sitrep()
        .args(["check", "--top", "3"])
        .arg(repo("data/ucdp_ged_syria_2016-2019.csv"))
        .assert()
        .success()
        .stdout(contains("layout       ucdp (GED 41-column country layout)"))
        .stdout(contains("rows         read 16,566, accepted 16,566, rejected 0"))
        .stdout(contains("dates          2016-01-01 to 2019-11-30"))
        .stdout(contains("precision      day 15,480, week 849, month 186, year 51"))
        .stdout(contains("fatalities     112,337 known; unknown on 0 rows"))
        .stdout(predicates::str::is_match(r"\n  Government of Syria +11,308\n").unwrap());
}

#[test]
fn check_exits_1_and_quotes_each_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("r.csv");
    sitrep()
        .arg("check")
        .arg(fixture("native_bad.csv"))
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .code(1)
        .stdout(contains("read 11, accepted 4, rejected 7"))
        .stderr(contains("row 4 (line 5), column \"date\", value \"2024-02-30\": not a valid date"))
        .stderr(contains("row 5 (line 6), column \"fatalities\", value \"-2\": negative count"))
        .stderr(contains("row 6 (line 7), value \"T-006,").and(contains("row has 13 fields, the header has 12")))
        .stderr(contains("check failed: 7 of 11 rows rejected"));
    assert_eq!(csv::Reader::from_path(&rejects).unwrap().records().count(), 7);
}

#[test]
fn fatal_input_problems_exit_1_with_a_message_not_a_panic() {
    for (file, message) in [("empty.csv", "file is empty"), ("header_only.csv", "no incidents")] {
        sitrep().arg("check").arg(fixture(file)).assert().code(1).stderr(contains(message));
    }
    // Issue 13: Windows-1252 rows are read by default (with a note); strict UTF-8 rejects them with a hint.
    sitrep()
        .args(["check", "--encoding", "utf8"])
        .arg(fixture("native_latin1.csv"))
        .assert()
        .code(1)
        .stderr(contains("--encoding latin1"));
    sitrep()
        .args(["check", "--preset", "acled"])
        .arg(fixture("acled_missing_column.csv"))
        .assert()
        .code(1)
        .stderr(contains("missing required column \"event_date\"").and(contains("columns found: event_id_cnty")));
    sitrep()
        .args(["check", "--preset", "acledd"])
        .arg(fixture("native.csv"))
        .assert()
        // Issue 15: usage errors exit 2.
        .code(2)
        .stderr(contains("choose from auto, acled, ucdp, gtd, gdelt, native"));
    sitrep().args(["check", "no/such/file.csv"]).assert().code(1).stderr(contains("no/such/file.csv"));
}

#[test]
fn usage_errors_exit_2() {
    sitrep().arg("check").assert().code(2);
    sitrep().args(["frobnicate"]).assert().code(2);
}

#[test]
fn ingest_upserts_into_the_store_and_reports_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.parquet");
    let run = || sitrep().arg("ingest").arg(fixture("gtd.csv")).arg("--store").arg(&store).assert().success();
    run()
        .stdout(contains("gtd (135-column layout): read 4, accepted 4, rejected 0"))
        .stdout(contains("4 added, 0 updated, 0 unchanged, 4 incidents in total"));
    run().stdout(contains("0 added, 0 updated, 4 unchanged, 4 incidents in total"));
    sitrep().arg("check").arg(&store).assert().success().stdout(contains("sitrep store (canonical Parquet)"));
}

#[test]
fn agg_writes_csv_with_period_groups_then_metrics() {
    let out = sitrep()
        .args(["agg", "--every", "month", "--by", "actor", "--metric", "incidents,fatalities", "--format", "csv"])
        .args(["--from", "2016-01-01", "--to", "2016-02-29", "--where", "actor=Government of Syria,IS"])
        .arg(repo("data/ucdp_ged_syria_2016-2019.csv"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "period,actor,incidents,fatalities,fatalities_unknown,partial");
    // Government of Syria in January and February 2016: 515 and 397 incidents,
    // 2526 and 2800 deaths (independent figures from the raw file).
    assert!(lines.contains(&"2016-01-01,Government of Syria,515,2526,0,false"), "{text}");
    assert!(lines.contains(&"2016-02-01,Government of Syria,397,2800,0,false"), "{text}");
    assert_eq!(lines.len(), 5);
}

#[test]
fn agg_json_and_markdown_carry_the_notes() {
    let json = sitrep()
        .args(["agg", "--every", "week", "--format", "json", "--from", "2016-01-01", "--to", "2016-01-31"])
        .arg(repo("data/ucdp_ged_syria_2016-2019.csv"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["columns"], serde_json::json!(["period", "incidents", "partial"]));
    assert_eq!(v["rows"][0]["period"], "2015-12-28");
    // The week of 2016-01-01 began on 2015-12-28, before --from: it is partial; the next is not.
    assert_eq!(v["rows"][0]["partial"], true);
    assert_eq!(v["rows"][1]["partial"], false);
    assert!(
        v["notes"][0].as_str().unwrap().contains("too coarse for the period (ISO week (Monday to Sunday))"),
        "{}",
        v["notes"][0]
    );
    sitrep()
        .args(["agg", "--by", "notes", "--format", "md"])
        .arg(fixture("native.csv"))
        .assert()
        .success()
        .stdout(contains("| period | notes | incidents |"))
        .stdout(contains("Drone hit a training area, \"Commandos\" academy."));
}

#[test]
fn agg_table_labels_iso_weeks_and_reports_lulls() {
    sitrep()
        .args(["agg", "--every", "week", "--from", "2020-12-28", "--to", "2021-01-10", "--fill-zeros"])
        .arg(fixture("native.csv"))
        .assert()
        .success()
        .stdout(contains("note: the data covers 2024-01-28 to 2024-02-04"));
    sitrep()
        .args(["agg", "--lull", "--by", "actor", "--as-of", "2024-02-10"])
        .arg(fixture("native.csv"))
        .assert()
        .success()
        .stdout(
            predicates::str::is_match(
                r"Islamic Resistance in Iraq\s+2\s+2024-01-28\s+2024-02-04\s+6\s+7\s+2024-01-28\s+2024-02-04",
            )
            .unwrap(),
        );
}

#[test]
fn agg_flag_errors_name_the_flag_and_the_choices() {
    for (args, msg) in [
        (vec!["--every", "fortnight"], "--every: unknown period \"fortnight\""),
        (vec!["--by", "actr"], "--by: unknown column \"actr\""),
        (vec!["--metric", "bodies"], "choose from incidents, fatalities, injured, share"),
        (vec!["--where", "actor"], "--where: expected COLUMN=VALUE"),
        (vec!["--week-start", "caturday"], "choose from mon, tue"),
        (vec!["--from", "2024-02-30"], "--from: \"2024-02-30\" is not a date"),
    ] {
        // Issue 15: usage errors exit 2.
        sitrep().arg("agg").args(&args).arg(fixture("native.csv")).assert().code(2).stderr(contains(msg));
    }
}

#[test]
fn a_store_query_equals_the_same_query_on_the_csv_whether_or_not_it_is_normalised_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.parquet");
    let data = repo("data/ucdp_ged_syria_2016-2019.csv");
    sitrep().arg("ingest").arg(&data).arg("--store").arg(&store).arg("--quiet").assert().success();
    let run = |extra: &[&str], source: &[std::ffi::OsString]| {
        let out = sitrep()
            .args(["agg", "--every", "month", "--by", "actor_parent", "--top", "5", "--format", "csv"])
            .args(extra)
            .args(source)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let csv = [data.clone().into_os_string()];
    let from_store = ["--store".into(), store.clone().into_os_string()];
    // Same tables: the store's rows are used as they are (lazy scan, no re-normalisation).
    assert_eq!(run(&[], &from_store), run(&[], &csv));
    // Other tables: the store's raw names are normalised again, as the CSV is.
    let aliases = dir.path().join("a.toml");
    std::fs::write(&aliases, "[[group]]\nname = \"Syrian government\"\naliases = [\"Government of Syria\"]\n").unwrap();
    let extra = ["--aliases", aliases.to_str().unwrap()];
    let renamed = run(&extra, &from_store);
    assert!(renamed.contains("Syrian government") && !renamed.contains("Government of Syria"), "{renamed}");
    assert_eq!(renamed, run(&extra, &csv));
}
