//! `sitrep weekly` and `sitrep report`: headline numbers against figures
//! computed independently from the raw UCDP CSV (Python's csv module),
//! byte-identical re-runs, ISO week-year edges, and failure leaving the
//! previous report intact.

use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

use super::{fixture, repo};

fn weekly(week: &str, out: &Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["weekly", "--week", week, "--config"])
        .arg(repo("sitrep.toml"))
        .arg("--out")
        .arg(out)
        .assert()
}

/// Start `sitrep weekly` for 2019-W45 into `out` without waiting for it.
fn spawn_weekly(out: &Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("sitrep"))
        .args(["weekly", "--week", "2019-W45", "--config"])
        .arg(repo("sitrep.toml"))
        .arg("--out")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// `dir` holds the 2019-W45 report and nothing else: no temporary folder, old copy or lock.
fn assert_only_the_report(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("2019-W45")], "no temporary folder or lock left behind");
}

fn summary(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn weekly_headline_numbers_match_independent_figures() {
    let dir = tempfile::tempdir().unwrap();
    weekly("2019-W45", dir.path())
        .success()
        .stdout(contains("2019-W45: 55 incidents (2019-11-04 to 2019-11-10), last week 43"));
    let s = summary(&dir.path().join("2019-W45"));
    assert_eq!(s["schema_version"], 1);
    assert_eq!(s["incidents"], 55);
    assert_eq!(s["fatalities"], 185);
    assert_eq!(s["last_week"], 43);
    assert_eq!(s["mean_previous_4"], 61.75);
    assert_eq!(s["trend"], "stable");
    assert_eq!(
        s["since_anchors"],
        serde_json::json!([["2019", "2019-01-01", 1896], ["Peace Spring", "2019-10-09", 297]])
    );
    let top: Vec<(String, u64)> = s["top_actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r["this_week"].as_u64().unwrap()))
        .collect();
    assert_eq!(top, vec![("Government of Syria".into(), 35), ("SNA".into(), 19), ("IS".into(), 1)]);
    assert_eq!(s["most_casualties"][0]["fatalities"], 23);
    let md = std::fs::read_to_string(dir.path().join("2019-W45/summary.md")).unwrap();
    assert!(md.contains("| change vs last week | 12 (+27.9%) |"), "{md}");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("2019-W45/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"][0]["sha256"], "a6d1f1bd8163d8f48b01b3fe1e0523e20a5e16ffe7890edfeade68332414b534");
    assert_eq!(manifest["inputs"][0]["rows"], serde_json::json!([16566, 16566, 0]));
    let names: Vec<&str> = manifest["files"].as_array().unwrap().iter().map(|f| f[0].as_str().unwrap()).collect();
    assert!(names.contains(&"summary.md") && names.contains(&"last_26_weeks_by_actor.png"), "{names:?}");
}

#[test]
fn a_week_spanning_new_year_is_named_by_its_iso_week_year() {
    let dir = tempfile::tempdir().unwrap();
    weekly("2015-W53", dir.path()).success();
    let s = summary(&dir.path().join("2015-W53"));
    assert_eq!(s["window"], serde_json::json!({"start": "2015-12-28", "end": "2016-01-03"}));
    assert_eq!(s["incidents"], 56);
    assert_eq!(s["last_week"], Value::Null, "the week before the data starts is unknown, not zero");
    let as_of = tempfile::tempdir().unwrap();
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["weekly", "--as-of", "2016-01-03", "--quiet", "--config"])
        .arg(repo("sitrep.toml"))
        .arg("--out")
        .arg(as_of.path())
        .assert()
        .success()
        .stdout("");
    assert!(as_of.path().join("2015-W53/summary.md").exists());
}

#[test]
fn re_running_a_week_gives_byte_identical_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    weekly("2019-W45", a.path()).success();
    weekly("2019-W45", b.path()).success();
    let mut names: Vec<_> =
        std::fs::read_dir(a.path().join("2019-W45")).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    // Two charts (SVG, PNG, alt text), the summary twice, the page and the manifest.
    assert_eq!(names.len(), 10);
    for n in names {
        let x = std::fs::read(a.path().join("2019-W45").join(&n)).unwrap();
        let y = std::fs::read(b.path().join("2019-W45").join(&n)).unwrap();
        assert!(x == y, "{n:?} differs between runs");
    }
}

#[test]
fn a_failed_run_leaves_the_previous_report_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    weekly("2019-W45", dir.path()).success();
    let before = std::fs::read(dir.path().join("2019-W45/summary.md")).unwrap();
    // Another run holds the lock: this run must fail cleanly.
    std::fs::write(dir.path().join(".2019-W45.lock"), "1").unwrap();
    weekly("2019-W45", dir.path()).code(1).stderr(contains("another run is writing this report"));
    assert_eq!(std::fs::read(dir.path().join("2019-W45/summary.md")).unwrap(), before);
    std::fs::remove_file(dir.path().join(".2019-W45.lock")).unwrap();
    // Issue 15: usage errors exit 2.
    weekly("2019-W54", dir.path()).code(2).stderr(contains("not an ISO week"));
}

#[test]
fn weekly_on_a_tracker_fixture_reports_what_it_cannot_know() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sitrep.toml");
    std::fs::copy(fixture("militia_tracker.csv"), dir.path().join("t.csv")).unwrap();
    std::fs::write(&cfg, "[data]\nfiles = [\"t.csv\"]\n[time]\nanchors = { campaign = \"2023-10-17\" }\n").unwrap();
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["weekly", "--week", "2023-W43", "--config"])
        .arg(&cfg)
        .assert()
        .success();
    let s = summary(&dir.path().join("reports/2023-W43"));
    // M-07..M-13 fall in 23-29 October; M-01..M-06 in the week before.
    assert_eq!((s["incidents"].as_u64(), s["last_week"].as_u64()), (Some(7), Some(6)));
    assert_eq!(s["mean_previous_4"], Value::Null, "fewer than four weeks of data");
    assert_eq!(s["since_anchors"][0][2], 13);
    // M-07 rockets, M-08 drone, M-09 mortar shells, M-10 "Rocket landed…" in its notes,
    // M-11 ballistic missile, M-12 one-way attack drone, M-13 unknown (not ranked). Ties by name.
    let weapons: Vec<(String, u64)> = s["top_weapons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r["this_week"].as_u64().unwrap()))
        .collect();
    let expected: Vec<(String, u64)> = [("drone/UAV", 2), ("rocket", 2), ("ballistic missile", 1), ("mortar", 1)]
        .map(|(n, c)| (n.to_string(), c))
        .to_vec();
    assert_eq!(weapons, expected);
}

#[test]
fn report_renders_every_configured_chart_and_table_identically_twice() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Every [[chart]] in its default svg and png with its alt text, every [[table]] in its two formats, the page.
    let config = std::fs::read_to_string(repo("sitrep.toml")).unwrap();
    let files = 3 * config.matches("\n[[chart]]").count() + 2 * config.matches("\n[[table]]").count() + 1;
    for d in [&a, &b] {
        Command::cargo_bin("sitrep")
            .unwrap()
            .args(["report", "--config"])
            .arg(repo("sitrep.toml"))
            .arg("--out")
            .arg(d.path())
            .assert()
            .success()
            .stdout(contains(format!("report: {files} files from 16,566 incidents")));
    }
    assert_eq!(std::fs::read_dir(a.path()).unwrap().count(), files);
    for e in std::fs::read_dir(a.path()).unwrap() {
        let n = e.unwrap().file_name();
        assert!(std::fs::read(a.path().join(&n)).unwrap() == std::fs::read(b.path().join(&n)).unwrap(), "{n:?}");
    }
    let bad = a.path().join("bad.toml");
    std::fs::write(&bad, "[data]\nfiles = [\"x.csv\"]\n[[chart]]\nname = \"c\"\nkind = \"stacked\"\nevry = \"week\"\n")
        .unwrap();
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["report", "--config"])
        .arg(&bad)
        .assert()
        // Issue 15: a config error is a usage error (exit 2).
        .code(2)
        .stderr(contains("unknown field `evry`"));
}

#[test]
fn a_write_failing_midway_keeps_the_old_report_and_leaves_no_debris() {
    let dir = tempfile::tempdir().unwrap();
    weekly("2019-W45", dir.path()).success();
    let before = std::fs::read(dir.path().join("2019-W45/summary.md")).unwrap();
    // Files over 16 KiB now fail with EFBIG (SIGXFSZ ignored): summary.md fits,
    // the PNGs do not, so the run fails part-way through writing the folder.
    let bin = assert_cmd::cargo::cargo_bin("sitrep");
    let script = format!(
        "trap '' XFSZ; ulimit -f 16; exec '{}' weekly --week 2019-W45 --config '{}' --out '{}'",
        bin.display(),
        repo("sitrep.toml").display(),
        dir.path().display()
    );
    Command::new("bash").args(["-c", &script]).assert().code(1).stderr(contains("2019-W45"));
    assert_eq!(std::fs::read(dir.path().join("2019-W45/summary.md")).unwrap(), before);
    assert_only_the_report(dir.path());
}

#[cfg(unix)]
#[test]
fn sigint_during_weekly_exits_1_and_leaves_the_previous_report() {
    let dir = tempfile::tempdir().unwrap();
    weekly("2019-W45", dir.path()).success();
    let before = std::fs::read(dir.path().join("2019-W45/summary.md")).unwrap();
    // The signal must land while the run is under way; try a few delays.
    let mut interrupted = 0;
    for delay_ms in [60u64, 150, 300, 600] {
        let child = spawn_weekly(dir.path());
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(1) => {
                assert!(stderr.contains("interrupted"), "{stderr}");
                interrupted += 1;
            }
            Some(0) => {} // finished before the signal arrived
            other => panic!("exit {other:?}: {stderr}"),
        }
        assert_eq!(std::fs::read(dir.path().join("2019-W45/summary.md")).unwrap(), before);
        assert_only_the_report(dir.path());
    }
    assert!(interrupted > 0, "no run was interrupted; the test did not exercise the handler");
}

#[test]
fn an_unwritable_output_folder_or_a_vanished_input_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the output folder should be: nothing can be created under it.
    let blocker = dir.path().join("not_a_folder");
    std::fs::write(&blocker, "x").unwrap();
    weekly("2019-W45", &blocker).code(1).stderr(contains("not_a_folder"));
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["report", "--config"])
        .arg(repo("sitrep.toml"))
        .arg("--out")
        .arg(blocker.join("charts"))
        .assert()
        .code(1)
        .stderr(contains("not_a_folder"));
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
    // A file checked, then deleted before the query.
    let data = dir.path().join("t.csv");
    std::fs::copy(fixture("militia_tracker.csv"), &data).unwrap();
    Command::cargo_bin("sitrep").unwrap().arg("check").arg(&data).assert().success();
    std::fs::remove_file(&data).unwrap();
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--every", "week"])
        .arg(&data)
        .assert()
        .code(1)
        .stderr(contains("t.csv"))
        .stderr(contains("No such file"));
}

#[test]
fn two_weekly_runs_at_once_never_interleave() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (spawn_weekly(dir.path()), spawn_weekly(dir.path()));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for o in [&a, &b] {
        let code = o.status.code();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(code == Some(0) || (code == Some(1) && stderr.contains("another run")), "{code:?}: {stderr}");
    }
    assert!(a.status.success() || b.status.success());
    // Whatever won, the folder is one complete report: every file the manifest lists, with its hash.
    let folder = dir.path().join("2019-W45");
    let manifest: Value = serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), files.len() + 1);
    for f in files {
        let bytes = std::fs::read(folder.join(f[0].as_str().unwrap())).unwrap();
        assert_eq!(sitrep::text::sha256(&bytes), f[1].as_str().unwrap());
    }
    assert_only_the_report(dir.path());
}
