//! Issue 15 (in part): declared coverage. A tracker of attacks on US forces
//! (made-up rows: 120 incidents from October 2023, none after 4 February
//! 2024) kept up to 31 March 2024: the weekly grid runs to the declared date
//! with zeros, and the weekly report for a quiet week is written, not refused.

use assert_cmd::Command;
use chrono::NaiveDate;
use sitrep::ingest::{load_incidents, LoadOptions};
use sitrep::query::{self, Coverage, Period, Query};

use super::fixture;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn issue_15_declared_coverage_runs_the_grid_past_the_last_incident() {
    let l = load_incidents(&[fixture("tracker_lull.csv")], &LoadOptions::default()).unwrap();
    let week = Period::Week { start: chrono::Weekday::Mon };
    let grid = |coverage| {
        let q = Query { every: Some(week), fill_zeros: true, coverage, ..Default::default() };
        query::run(l.lazy(), &q).unwrap().1
    };
    // Without a declaration the grid stops at the last incident's week, and the note says how to declare more.
    let t = grid(Coverage::default());
    let last = |t: &sitrep::query::Table| match &t.rows.last().unwrap()[0] {
        sitrep::query::Cell::Period(d, _) => *d,
        other => panic!("{other:?}"),
    };
    assert_eq!(last(&t), ymd(2024, 1, 29));
    // Declared complete to 31 March: every week to 2024-W13, the eight after the lull began at zero.
    let t = grid(Coverage { from: None, to: Some(ymd(2024, 3, 31)) });
    assert_eq!(last(&t), ymd(2024, 3, 25));
    let counts: Vec<i64> = t.ints("incidents").into_iter().map(Option::unwrap).collect();
    assert_eq!(counts.iter().sum::<i64>(), 120, "every incident counted once");
    assert_eq!(counts.len() as i64, (ymd(2024, 3, 25) - ymd(2023, 10, 16)).num_days() / 7 + 1);
    assert!(counts[counts.len() - 8..].iter().all(|n| *n == 0), "{counts:?}");
    // Partial weeks are flagged: the first (the data starts on Saturday 21
    // October, the week on Monday 16th), and no other when coverage ends on a Sunday.
    let flags = |t: &sitrep::query::Table| -> Vec<bool> {
        let i = t.index("partial").expect("a partial column");
        t.rows.iter().map(|r| r[i] == sitrep::query::Cell::Bool(true)).collect()
    };
    let f = flags(&t);
    assert!(f[0] && f[1..].iter().all(|p| !p), "{f:?}");
    // Coverage to Saturday 30 March cuts the last week short.
    let f = flags(&grid(Coverage { from: None, to: Some(ymd(2024, 3, 30)) }));
    assert!(f[0] && f[f.len() - 1] && f[1..f.len() - 1].iter().all(|p| !p), "{f:?}");
    // Coverage can also start before the first incident.
    let t = grid(Coverage { from: Some(ymd(2023, 10, 2)), to: None });
    assert_eq!(t.ints("incidents")[..2], [Some(0), Some(0)]);
}

#[test]
fn issue_15_a_quiet_week_gets_a_full_weekly_report() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sitrep.toml");
    std::fs::write(
        &config,
        format!(
            "[data]\nfiles = [{:?}]\nas_of = \"2024-03-31\"\n[time]\nanchors = {{ campaign = \"2023-10-17\" }}\n\
             [[weekly.chart]]\nname = \"weeks\"\nkind = \"bar\"\nevery = \"week\"\nweeks = 26\nformats = [\"svg\"]\n",
            fixture("tracker_lull.csv")
        ),
    )
    .unwrap();
    let out = dir.path().join("reports");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["weekly", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("2024-W13: 0 incidents"));
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("2024-W13/summary.json")).unwrap()).unwrap();
    assert_eq!(s["incidents"], 0);
    assert_eq!(s["last_week"], 0);
    assert_eq!(s["complete"], true);
    assert_eq!(s["days_since_last_incident"], 56);
    assert_eq!(s["last_incident"], "2024-02-04");
    assert_eq!(s["since_anchors"][0][2], 120);
    let md = std::fs::read_to_string(out.join("2024-W13/summary.md")).unwrap();
    assert!(md.contains("| days since last incident | 56 (last on 2024-02-04) |"), "{md}");
    // The chart runs through the report week.
    let svg = std::fs::read_to_string(out.join("2024-W13/weeks.svg")).unwrap();
    assert!(svg.contains("2024-W12") && svg.contains("data to 2024-03-31"), "the axis reaches the quiet weeks");
    // The first weekly chart carries the days since the last incident, to 56 on its own axis.
    assert!(svg.contains("days since the last incident (right axis)"), "{svg}");
    assert!(svg.contains(">\n60\n<"), "the right axis reaches the 56-day lull");
    // A week after the declared coverage is still refused.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["weekly", "--week", "2024-W15", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("outside the data, which covers 2023-10-21 to 2024-03-31"));
}

#[test]
fn issue_15_usage_errors_exit_2_and_data_errors_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let native = fixture("native.csv");
    let out = dir.path().join("c.svg");
    let usage: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["agg".into(), "--from".into(), "2024-02-30".into(), native.clone().into()],
        vec!["agg".into(), "--every".into(), "fortnight".into(), native.clone().into()],
        vec!["check".into(), "--preset".into(), "acledd".into(), native.clone().into()],
        vec![
            "agg".into(),
            "--from".into(),
            "2024-03-01".into(),
            "--to".into(),
            "2024-02-01".into(),
            native.clone().into(),
        ],
        vec!["agg".into(), "--since".into(), "2024-01-01".into(), native.clone().into()],
        vec![
            "chart".into(),
            "--every".into(),
            "week".into(),
            "--out".into(),
            dir.path().join("x.jpg").into(),
            native.clone().into(),
        ],
        vec!["agg".into()],
        vec!["weekly".into(), "--week".into(), "2024-05".into(), "--config".into(), super::repo("sitrep.toml").into()],
    ];
    for args in usage {
        Command::cargo_bin("sitrep").unwrap().args(&args).assert().code(2);
    }
    // Bad data and run-time failures stay 1.
    Command::cargo_bin("sitrep").unwrap().arg("check").arg(fixture("native_bad.csv")).assert().code(1);
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--every", "week", "--from", "2030-01-01", "--out"])
        .arg(&out)
        .arg(&native)
        .assert()
        .code(1);
}

#[test]
fn issue_15_completions_and_man_page_come_from_the_same_definitions() {
    let out = Command::cargo_bin("sitrep").unwrap().args(["completions", "bash"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success() && text.contains("_sitrep") && text.contains("weekly") && text.contains("--as-of"));
    let out = Command::cargo_bin("sitrep").unwrap().arg("man").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success() && text.contains(".TH sitrep 1") && text.contains("weekly"), "{text}");
    Command::cargo_bin("sitrep").unwrap().args(["completions", "tcsh"]).assert().code(2);
    // `--top 0` would merge every group into Other: refused.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by", "actor", "--top", "0"])
        .arg(fixture("native.csv"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--top: must be at least 1"));
}

#[test]
fn issue_15_lulls_honour_top() {
    let l = load_incidents(&[super::repo("data/ucdp_ged_syria_2016-2019.csv")], &LoadOptions::default()).unwrap();
    let q = Query { by: vec!["actor".into()], ..Default::default() };
    let (all, _) = query::lull::lulls(l.lazy(), &q, ymd(2019, 12, 31)).unwrap();
    let (top, table) = query::lull::lulls(l.lazy(), &Query { top: Some(3), ..q }, ymd(2019, 12, 31)).unwrap();
    // Independently: the three groups with the most incidents among all lulls.
    let mut ranked: Vec<(u64, Vec<Option<String>>)> = all.iter().map(|x| (x.incidents, x.group.clone())).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut want: Vec<Vec<Option<String>>> = ranked[..3].iter().map(|(_, g)| g.clone()).collect();
    let mut got: Vec<Vec<Option<String>>> = top.iter().map(|x| x.group.clone()).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(table
        .notes
        .iter()
        .any(|n| n.contains(&format!("{} groups with fewer incidents not shown", all.len() - 3))));
}

#[test]
fn issue_15_running_totals_say_what_they_leave_out() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("t.csv");
    std::fs::write(&data, "Date,Claimed by\n2024-01-08,A\n2024-01-09,B\nJan 2024,C\n2024-01-15,A\n").unwrap();
    let config = dir.path().join("s.toml");
    std::fs::write(
        &config,
        format!(
            "[data]\nfiles = [{data:?}]\nas_of = \"2024-01-21\"\n[time]\nanchors = {{ Soleimani = \"2020-01-03\", new_year = \"2024-01-01\" }}\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("r");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["weekly", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("2024-W03/summary.json")).unwrap()).unwrap();
    // The running totals count the day-dated incidents (3); the month-dated one is named, not silently left out.
    assert_eq!(s["since_anchors"][0][2], 3);
    let m = s["methodology"].as_str().unwrap();
    assert!(m.contains("The data starts on 2024-01-01, after the anchor Soleimani (2020-01-03)"), "{m}");
    assert!(m.contains("1 since new_year dated only to the month or year is not in its running total"), "{m}");
}

/// Incidents per value of column `i` of a simple CSV (no quoted commas), largest first, ties by name.
fn ranked_by_hand(path: &std::path::Path, i: usize) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    for line in text.lines().skip(1) {
        *counts.entry(line.split(',').nth(i).unwrap().to_string()).or_default() += 1;
    }
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

#[test]
fn issue_15_ranked_bars_and_tables_sorted_by_count_name_or_period() {
    let data = fixture("tracker_lull.csv");
    let want = ranked_by_hand(&data, 1);
    let agg = |extra: &[&str]| -> Vec<String> {
        let out = Command::cargo_bin("sitrep")
            .unwrap()
            .args(["agg", "--by", "Target/Base", "--format", "csv"])
            .args(extra)
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().to_string())
            .collect()
    };
    // Without --every a table is ranked: the largest group first.
    let names: Vec<String> = want.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(agg(&[]), names);
    let mut alphabetical = names.clone();
    alphabetical.sort();
    assert_eq!(agg(&["--sort", "name"]), alphabetical);
    // With --every, count ranks the groups inside each period.
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by", "Target/Base", "--every", "month", "--sort", "count", "--format", "csv"])
        .arg(&data)
        .output()
        .unwrap();
    let rows: Vec<(String, u64)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[2].parse().unwrap())
        })
        .collect();
    assert!(rows.windows(2).all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1)), "{rows:?}");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--sort", "size", "--by", "Weapon"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--sort: unknown sort \"size\" (choose from count, name, period)"));

    // A bar chart without --every draws one horizontal bar per group, largest first.
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("bases.svg");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--kind", "bar", "--by", "Target/Base", "--out"])
        .arg(&svg)
        .arg(&data)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg).unwrap();
    let at: Vec<usize> =
        names.iter().map(|n| text.find(&format!(">\n{n}\n<")).unwrap_or_else(|| panic!("{n}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "bars are drawn largest first");
    for (n, c) in &want {
        let at = text.find(&format!(">\n{n}\n<")).unwrap();
        // The value label is the next text drawn after the name.
        let after = &text[at..(at + 400).min(text.len())];
        assert!(after.contains(&format!(">\n{c}\n<")), "{n} is labelled with its count {c}");
    }
    // Other kinds still need a period, and say which kind does not.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--kind", "line", "--by", "Weapon", "--out"])
        .arg(&svg)
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("except --kind bar with --by"));
}

#[test]
fn issue_15_long_names_are_shortened_in_terminal_tables_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("long.csv");
    let long = "Unnamed gunmen on motorcycles who fired at the convoy near the river bridge before dawn";
    std::fs::write(&data, format!("Date,Claimed by\n2024-01-08,{long}\n2024-01-09,KH\n")).unwrap();
    let run = |format: &str| {
        let out = Command::cargo_bin("sitrep")
            .unwrap()
            .args(["agg", "--by", "actor", "--format", format])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let table = run("table");
    assert!(!table.contains(long) && table.contains("Unnamed gunmen on motorcycles who fired…"), "{table}");
    assert!(table.lines().filter(|l| !l.starts_with("note:")).all(|l| l.chars().count() < 90), "{table}");
    assert!(table.contains("names longer than 40 characters are shortened"), "{table}");
    assert!(run("csv").contains(long));
}

/// Distinct dates of the first column of a CSV, in order.
fn dates_by_hand(path: &std::path::Path) -> Vec<NaiveDate> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut d: Vec<NaiveDate> = text
        .lines()
        .skip(1)
        .map(|l| NaiveDate::parse_from_str(l.split(',').next().unwrap(), "%Y-%m-%d").unwrap())
        .collect();
    d.sort();
    d.dedup();
    d
}

#[test]
fn issue_15_gap_chart_draws_each_gap_and_the_current_lull_to_as_of() {
    let data = fixture("tracker_lull.csv");
    let dates = dates_by_hand(&data);
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("gap.svg");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--kind", "gap", "--as-of", "2024-03-31", "--out"])
        .arg(&svg)
        .arg(&data)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg).unwrap();
    // One dot per incident date after the first (the gap it ended), and the current lull labelled.
    assert_eq!(text.matches("<circle").count(), dates.len() - 1);
    let lull = (ymd(2024, 3, 31) - *dates.last().unwrap()).num_days();
    assert_eq!(lull, 56);
    assert!(text.contains(&format!(">\n{lull} days\n<")), "the current lull is labelled");
    assert!(text.contains("as of 2024-03-31"));
    // The sawtooth peaks are the gaps between consecutive dates, computed here by hand.
    let l = load_incidents(std::slice::from_ref(&data), &LoadOptions::default()).unwrap();
    let (lulls, _) = query::lull::lulls(l.lazy(), &Query::default(), ymd(2024, 3, 31)).unwrap();
    let g = sitrep::render::chart::GapData::from_lulls(&lulls, ymd(2024, 3, 31));
    let peaks: Vec<i64> = g.sawtooth(&g.lines[0]).windows(2).filter(|w| w[0].0 == w[1].0).map(|w| w[0].1).collect();
    let want: Vec<i64> = dates.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    assert_eq!(peaks, want);
    assert_eq!(g.sawtooth(&g.lines[0]).last(), Some(&(ymd(2024, 3, 31), 56)));
    // Without a declaration the lull stops at the data's last incident, even with a later --to:
    // whether anything happened after it is not known.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--kind", "gap", "--to", "2024-03-31", "--out"])
        .arg(&svg)
        .arg(&data)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("as of 2024-02-04") && !text.contains("56 days"), "{text}");
    // Periods do not apply to a gap chart.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--kind", "gap", "--every", "week", "--out"])
        .arg(&svg)
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--every: does not apply to --kind gap"));
}

#[test]
fn issue_15_cumulative_ends_flat_at_the_total_and_says_it() {
    let data = fixture("tracker_lull.csv");
    let total = std::fs::read_to_string(&data).unwrap().lines().count() - 1;
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--every", "week", "--cumulative", "--as-of", "2024-03-31", "--format", "csv"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<String>> = text.lines().skip(1).map(|l| l.split(',').map(String::from).collect()).collect();
    assert_eq!(rows.last().unwrap()[0], "2024-03-25");
    // Eight quiet weeks after 4 February: the running total stays at the total.
    assert!(rows[rows.len() - 8..].iter().all(|r| r[2] == total.to_string()), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("cum.svg");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--kind", "cumulative", "--every", "week", "--as-of", "2024-03-31", "--out"])
        .arg(&svg)
        .arg(&data)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains(&format!(">\n{total}\n<")), "the end value is labelled");
    assert!(text.contains("Lighter: 2023-W42 is a partial period."), "the partial first week is explained");
    assert!(text.contains("opacity=\"0.4\""), "and drawn lighter");
}

#[test]
fn issue_15_compare_takes_its_baseline_from_the_periods_before_from() {
    let data = fixture("tracker_lull.csv");
    let dates = std::fs::read_to_string(&data).unwrap();
    // Incidents per ISO week, by hand.
    let mut weeks: std::collections::BTreeMap<NaiveDate, i64> = Default::default();
    for l in dates.lines().skip(1) {
        let d = NaiveDate::parse_from_str(l.split(',').next().unwrap(), "%Y-%m-%d").unwrap();
        let monday = d - chrono::Duration::days(i64::from(chrono::Datelike::weekday(&d).num_days_from_monday()));
        *weeks.entry(monday).or_default() += 1;
    }
    let count = |d: NaiveDate| weeks.get(&d).copied().unwrap_or(0);
    let from = ymd(2023, 12, 4);
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--every", "week", "--compare=4", "--from", "2023-12-04", "--format", "json"])
        .arg(&data)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["rows"][0];
    assert_eq!(first["period"], "2023-12-04");
    assert_eq!(first["previous"], count(from - chrono::Duration::days(7)));
    let base: i64 = (1..=4).map(|k| count(from - chrono::Duration::days(7 * k))).sum();
    assert_eq!(first["baseline_mean_4"].as_f64().unwrap(), base as f64 / 4.0);
    let second = &v["rows"][1];
    let base: i64 = (0..=3).map(|k| count(from - chrono::Duration::days(7 * k))).sum();
    assert_eq!(second["baseline_mean_4"].as_f64().unwrap(), base as f64 / 4.0);
    // Before the data starts there is nothing to compare with: no baseline rather than zeros.
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--every", "week", "--compare=4", "--from", "2023-10-30", "--format", "json"])
        .arg(&data)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"][0]["previous"], count(ymd(2023, 10, 23)));
    assert!(v["rows"][0]["baseline_mean_4"].is_null(), "only two weeks of data before 30 October");
}

#[test]
fn issue_15_weekly_ranks_casualties_by_killed_plus_wounded_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("t.csv");
    std::fs::write(
        &data,
        "Date,Target/Base,Claimed by,Killed,Wounded\n\
         2024-01-08,Tower 22,A,1,0\n2024-01-09,Al-Tanf Garrison,B,0,10\n\
         2024-01-10,Erbil Air Base,C,,3\n2024-01-11,Green Village,D,0,0\n",
    )
    .unwrap();
    let run = |rank: &str| -> serde_json::Value {
        let config = dir.path().join(format!("s{}.toml", rank.len()));
        std::fs::write(&config, format!("[data]\nfiles = [{data:?}]\nas_of = \"2024-01-14\"\n[weekly]\n{rank}\n"))
            .unwrap();
        let out = dir.path().join(format!("r{}", rank.len()));
        Command::cargo_bin("sitrep")
            .unwrap()
            .args(["weekly", "--week", "2024-W02", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let md = std::fs::read_to_string(out.join("2024-W02/summary.md")).unwrap();
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("2024-W02/summary.json")).unwrap()).unwrap();
        assert!(
            md.contains(&format!(
                "## Incidents with the most {}",
                if rank.is_empty() { "casualties (killed + wounded)" } else { "deaths" }
            )),
            "{md}"
        );
        s
    };
    let targets = |s: &serde_json::Value| -> Vec<String> {
        s["most_casualties"].as_array().unwrap().iter().map(|k| k["target"].as_str().unwrap().to_string()).collect()
    };
    // By default: 10 wounded, then 3 wounded (deaths unknown, shown as unknown), then 1 killed; none for no casualties.
    let s = run("");
    assert_eq!(targets(&s), ["Al-Tanf Garrison", "Erbil Air Base", "Tower 22"]);
    assert_eq!(s["casualties_ranked_by"], "killed_and_wounded");
    assert!(s["most_casualties"][1]["fatalities"].is_null());
    // Deaths only, when asked.
    let s = run("rank_casualties = \"killed\"");
    assert_eq!(targets(&s), ["Tower 22"]);
}

#[test]
fn issue_15_sources_covering_different_dates_fill_only_what_all_cover() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("second_tracker.csv");
    std::fs::write(&other, "incident_id,date,actor,country\nx1,2024-01-02,KH,Iraq\nx2,2024-03-20,KH,Iraq\n").unwrap();
    let data = fixture("tracker_lull.csv");
    let rows_in = |lo: NaiveDate, hi: NaiveDate| -> i64 {
        let text = std::fs::read_to_string(&data).unwrap();
        let mut n = 0;
        for l in text.lines().skip(1) {
            let d = NaiveDate::parse_from_str(l.split(',').next().unwrap(), "%Y-%m-%d").unwrap();
            n += i64::from(d >= lo && d <= hi);
        }
        n + i64::from(ymd(2024, 1, 2) >= lo && ymd(2024, 1, 2) <= hi)
            + i64::from(ymd(2024, 3, 20) <= hi && ymd(2024, 3, 20) >= lo)
    };
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("sitrep")
            .unwrap()
            .args(["agg", "--every", "week", "--fill-zeros", "--format", "csv"])
            .args(extra)
            .arg(&data)
            .arg(&other)
            .output()
            .unwrap();
        assert!(out.status.success());
        let sum: i64 = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap())
            .sum();
        (sum, String::from_utf8(out.stderr).unwrap())
    };
    // The tracker ends on 4 February, the second sheet runs to 20 March: only 2 January to 4 February is filled.
    let (sum, notes) = run(&[]);
    assert_eq!(sum, rows_in(ymd(2024, 1, 2), ymd(2024, 2, 4)));
    let total = rows_in(ymd(2000, 1, 1), ymd(2100, 1, 1));
    assert!(
        notes.contains("counted 2024-01-02 to 2024-02-04, which all of them cover")
            && notes.contains(&format!("{} incidents outside it left out", total - sum)),
        "{notes}"
    );
    // Declared coverage is "told otherwise": every incident counts, through the declared date.
    let (sum, notes) = run(&["--as-of", "2024-03-31"]);
    assert_eq!(sum, total);
    assert!(!notes.contains("sources cover different dates"), "{notes}");
}
