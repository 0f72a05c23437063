//! Issue 19 (in part): the analyst's comparisons, each checked against a
//! naive model computed here from the generated rows: named periods against
//! the rest of the coverage, escalation flags, and actor concentration.

use std::collections::BTreeMap;

use assert_cmd::Command;
use chrono::{Datelike, Duration, NaiveDate};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A made-up tracker: (date, group) rows from a fixed pseudo-random sequence.
fn tracker(start: NaiveDate, days: i64, spike_from: i64, seed: u64) -> Vec<(NaiveDate, &'static str)> {
    let mut x = seed;
    let mut next = || {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) % 100
    };
    let mut rows = Vec::new();
    for i in 0..days {
        let d = start + Duration::days(i);
        let n = if i >= spike_from { 3 + next() % 3 } else { next() % 3 };
        for _ in 0..n {
            let who = match next() % 10 {
                0..=5 => "Alpha",
                6..=8 => "Bravo",
                _ => "Charlie",
            };
            rows.push((d, who));
        }
    }
    rows
}

fn write(dir: &std::path::Path, rows: &[(NaiveDate, &str)]) -> std::path::PathBuf {
    let path = dir.join("tracker.csv");
    let mut text = String::from("Date,Claimed by\n");
    for (d, who) in rows {
        text.push_str(&format!("{d},{who}\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// `sitrep agg … --format csv` as rows of named cells.
fn agg(args: &[&str], file: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .arg("agg")
        .args(args)
        .args(["--format", "csv"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let head: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records().map(|r| head.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect()).collect()
}

fn num(r: &BTreeMap<String, String>, k: &str) -> f64 {
    r[k].parse().unwrap_or_else(|_| panic!("{k} = {:?}", r[k]))
}

#[test]
fn issue_19_named_periods_against_the_rest_of_the_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let rows = tracker(ymd(2024, 1, 1), 91, 1000, 7);
    let file = write(dir.path(), &rows);
    let periods = dir.path().join("periods.csv");
    // A truce inside the data, a campaign running past its end.
    std::fs::write(&periods, "name,from,to\nTruce,2024-02-01,2024-02-07\nCampaign,2024-03-20,2024-04-15\n").unwrap();
    let t = agg(&["--periods", periods.to_str().unwrap(), "--by-period-name"], &file);
    let first = rows.iter().map(|r| r.0).min().unwrap();
    let last = rows.iter().map(|r| r.0).max().unwrap();
    let all_days = (last - first).num_days() + 1;
    for (name, from, to) in
        [("Truce", ymd(2024, 2, 1), ymd(2024, 2, 7)), ("Campaign", ymd(2024, 3, 20), ymd(2024, 4, 15))]
    {
        let r = t.iter().find(|r| r["period_name"] == name).unwrap();
        let (a, b) = (from.max(first), to.min(last));
        let days = (b - a).num_days() + 1;
        let inside = rows.iter().filter(|(d, _)| *d >= a && *d <= b).count() as f64;
        let outside = rows.len() as f64 - inside;
        let rest = (all_days - days) as f64;
        assert_eq!(num(r, "days"), days as f64, "{name}");
        assert_eq!(num(r, "incidents"), inside, "{name}");
        assert!((num(r, "incidents_per_day") - inside / days as f64).abs() < 0.006, "{name}");
        assert!((num(r, "rest_incidents_per_day") - outside / rest).abs() < 0.006, "{name}");
        assert!((num(r, "ratio_to_rest") - (inside / days as f64) / (outside / rest)).abs() < 0.006, "{name}");
    }
    // The periods come in date order.
    assert_eq!(t[0]["period_name"], "Truce");
    // Shapes do not apply, and a bad periods file names its line and column.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by-period-name", "--every", "week", "--periods"])
        .arg(&periods)
        .arg(&file)
        .assert()
        .code(2);
    std::fs::write(&periods, "name,from,to\nTruce,2024-02-01,1 Feb\n").unwrap();
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by-period-name", "--periods"])
        .arg(&periods)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("line 2, column to: \"1 Feb\" is not a date"));
}

#[test]
fn issue_19_escalation_flags_match_a_naive_model() {
    let dir = tempfile::tempdir().unwrap();
    // Two years of a low count, then a month-long surge at the end.
    let start = ymd(2022, 1, 3); // a Monday
    let days = 7 * 104;
    let rows = tracker(start, days, days - 30, 11);
    let file = write(dir.path(), &rows);
    let t = agg(&["--every", "week", "--escalation", "--alert-min", "20"], &file);
    // Naive model: weekly counts, then for each week the flags by their definitions.
    let mut weeks: BTreeMap<NaiveDate, u64> = (0..104).map(|k| (start + Duration::days(7 * k), 0)).collect();
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for (d, _) in &rows {
        *weeks.get_mut(&(start + Duration::days(7 * ((*d - start).num_days() / 7)))).unwrap() += 1;
        *per_day.entry(*d).or_insert(0) += 1;
    }
    let counts: Vec<(NaiveDate, u64)> = weeks.into_iter().collect();
    let sum30 =
        |end: NaiveDate| (0..30).map(|k| per_day.get(&(end - Duration::days(k))).copied().unwrap_or(0)).sum::<u64>();
    assert_eq!(t.len(), counts.len());
    let mut alerts = 0;
    for (i, (r, (week, n))) in t.iter().zip(&counts).enumerate() {
        assert_eq!(r["period"], week.to_string());
        assert_eq!(num(r, "incidents"), *n as f64);
        let before = &counts[..i];
        if before.is_empty() {
            assert_eq!(r["times_mean"], "");
        } else {
            let mean = before.iter().map(|x| x.1).sum::<u64>() as f64 / before.len() as f64;
            if mean > 0.0 {
                assert!((num(r, "times_mean") - *n as f64 / mean).abs() < 0.006, "{week}");
            }
        }
        let last_as_high = before.iter().rposition(|x| x.1 >= *n);
        assert_eq!(num(r, "highest_in"), (i - last_as_high.map_or(0, |h| h + 1) + 1) as f64, "{week}");
        assert_eq!(r["highest_since"], last_as_high.map_or(String::new(), |h| before[h].0.to_string()), "{week}");
        // The alert: a day of the week whose 30-day sum is at least 20 and at
        // least every 30-day sum of the 365 days before (with a full year behind it).
        let fired = (0..7).any(|k| {
            let d = *week + Duration::days(k);
            (d - start).num_days() >= 394
                && sum30(d) >= 20
                && (1..=365).all(|j| sum30(d - Duration::days(j)) <= sum30(d))
        });
        assert_eq!(r["alert"], fired.to_string(), "{week}");
        alerts += usize::from(fired);
    }
    assert!(alerts > 0, "the surge raises the alert");
    assert!(num(t.last().unwrap(), "times_mean") > 2.0, "the last weeks are well above the long-run mean");
}

#[test]
fn issue_19_actor_concentration_matches_a_naive_model() {
    let dir = tempfile::tempdir().unwrap();
    let rows = tracker(ymd(2024, 1, 1), 120, 1000, 3);
    let file = write(dir.path(), &rows);
    let t = agg(&["--every", "month", "--metric", "incidents,concentration"], &file);
    let mut by_month: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    for (d, who) in &rows {
        *by_month.entry(d.format("%Y-%m-01").to_string()).or_default().entry(who).or_insert(0) += 1;
    }
    assert_eq!(t.len(), by_month.len());
    for r in &t {
        let m = &by_month[&r["period"]];
        let total: u64 = m.values().sum();
        let simpson: f64 = m.values().map(|n| (*n as f64 / total as f64).powi(2)).sum();
        assert_eq!(num(r, "groups"), m.len() as f64);
        assert!((num(r, "effective_groups") - 1.0 / simpson).abs() < 0.006, "{r:?}");
    }
}

#[test]
fn issue_19_sources_side_by_side_keep_their_own_coverage() {
    let dir = tempfile::tempdir().unwrap();
    // The Pentagon's count from January to June, a tracker from April to September.
    let dod = tracker(ymd(2024, 1, 1), 182, 1000, 5);
    let mut tracker_rows = tracker(ymd(2024, 4, 1), 183, 1000, 9);
    tracker_rows.retain(|r| r.0 >= ymd(2024, 4, 1));
    let a = dir.path().join("dod.csv");
    let b = dir.path().join("tracker.csv");
    // Each source says who reported (rows of identical content in two files would share a hashed id).
    for (path, rows, by) in [(&a, &dod, "DoD"), (&b, &tracker_rows, "tracker")] {
        let mut text = String::from("Date,Claimed by,Source\n");
        for (d, who) in rows.iter() {
            text.push_str(&format!("{d},{who},{by}\n"));
        }
        std::fs::write(path, text).unwrap();
    }
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args([
            "agg",
            "--every",
            "month",
            "--by",
            "dataset",
            "--fill-zeros",
            "--format",
            "csv",
            "--dataset",
            "dod.csv=DoD",
        ])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut got: BTreeMap<(String, String), u64> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        got.insert((f[0].to_string(), f[1].to_string()), f[2].parse().unwrap());
    }
    // Naive model: per source, every month from its first to its last incident (zeros included), nothing outside.
    let mut want: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (name, rows) in [("DoD", &dod), ("tracker", &tracker_rows)] {
        let first = rows.iter().map(|r| r.0).min().unwrap();
        let last = rows.iter().map(|r| r.0).max().unwrap();
        let mut m = first.with_day(1).unwrap();
        while m <= last {
            want.insert((m.to_string(), name.to_string()), 0);
            m = m.checked_add_months(chrono::Months::new(1)).unwrap();
        }
        for (d, _) in rows.iter() {
            *want.get_mut(&(d.with_day(1).unwrap().to_string(), name.to_string())).unwrap() += 1;
        }
    }
    assert_eq!(got, want);
    // Without --by dataset, the sources are still counted over the dates both cover.
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--every", "month", "--fill-zeros", "--format", "csv"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("which all of them cover"));
}

#[test]
fn issue_19_charts_mark_exactly_the_periods_the_alert_flags() {
    let dir = tempfile::tempdir().unwrap();
    let start = ymd(2022, 1, 3);
    let days = 7 * 104;
    let file = write(dir.path(), &tracker(start, days, days - 30, 11));
    let flagged = agg(&["--every", "week", "--escalation", "--from", "2023-10-02"], &file)
        .iter()
        .filter(|r| r["alert"] == "true")
        .count();
    assert!(flagged > 0);
    let svg = dir.path().join("c.svg");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--kind", "bar", "--every", "week", "--from", "2023-10-02", "--alerts", "--out"])
        .arg(&svg)
        .arg(&file)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(text.matches("<polygon").count(), flagged);
    assert!(text.contains("30-day alert"), "the footer explains the marker");
}

#[test]
fn issue_19_flags_and_named_periods_match_where_values_as_queries_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &tracker(ymd(2023, 1, 2), 400, 370, 21));
    // `--where` ignores case for counts; the flags' own history must too.
    let exact = agg(&["--every", "week", "--where", "actor=Alpha", "--escalation"], &file);
    let folded = agg(&["--every", "week", "--where", "actor=alpha", "--escalation"], &file);
    assert_eq!(exact, folded);
    assert!(exact.iter().any(|r| !r["times_mean"].is_empty()));
    let periods = dir.path().join("p.csv");
    std::fs::write(&periods, "name,from,to\nP,2023-03-01,2023-03-31\n").unwrap();
    let p = periods.to_str().unwrap();
    assert_eq!(
        agg(&["--periods", p, "--by-period-name", "--where", "actor=Alpha"], &file),
        agg(&["--periods", p, "--by-period-name", "--where", "actor=ALPHA"], &file)
    );
}

#[test]
fn issue_19_a_filtered_series_counts_its_quiet_weeks_from_the_data_start() {
    let dir = tempfile::tempdir().unwrap();
    // Alpha acts from Monday 2 January 2023; Delta only in the last weeks.
    let start = ymd(2023, 1, 2);
    let mut rows: Vec<(NaiveDate, &str)> = (0..200).map(|i| (start + Duration::days(i), "Alpha")).collect();
    rows.extend((170..200).map(|i| (start + Duration::days(i), "Delta")));
    let file = write(dir.path(), &rows);
    let t = agg(&["--every", "week", "--where", "actor=Delta", "--escalation"], &file);
    let first = &t[0];
    // Delta's first week is week 25 of the data (day 170): the most in 25 weeks, over a mean of zero.
    let week = (170 / 7) as f64;
    assert_eq!(num(first, "highest_in"), week + 1.0, "{first:?}");
    assert_eq!(first["long_run_mean"], "0.00");
    // A named period before Delta's first incident is inside the data's coverage: 0 a day, not "outside".
    let periods = dir.path().join("p.csv");
    std::fs::write(&periods, "name,from,to\nEarly,2023-02-01,2023-02-28\n").unwrap();
    let p = agg(&["--periods", periods.to_str().unwrap(), "--by-period-name", "--where", "actor=Delta"], &file);
    assert_eq!((num(&p[0], "days"), num(&p[0], "incidents")), (28.0, 0.0));
    assert_eq!(num(&p[0], "rest_days"), 200.0 - 28.0);
}
