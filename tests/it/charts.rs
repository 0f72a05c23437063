//! Chart tests: a golden SVG per kind on a fixed fixture, PNGs that decode to
//! the right size and are not blank, byte-identical re-renders, and errors.
//!
//! Golden files live in tests/golden/. To accept a deliberate change, run
//! `SITREP_UPDATE_GOLDEN=1 cargo test charts` and review the diff; under CI
//! (CI=true) a missing or different golden file fails.

use assert_cmd::Command;
use predicates::str::contains;
use sitrep::ingest::{load_incidents, LoadOptions};
use sitrep::normalise::Normaliser;
use sitrep::query::{self, Period, Query};
use sitrep::render::chart::{self, Annotation, ChartData, ChartKind, ChartSize, ChartText, Colours};

use super::{fixture, repo};

fn fixture_chart(kind: ChartKind) -> String {
    let l = load_incidents(&[fixture("militia_tracker.csv")], &LoadOptions::default()).unwrap();
    let (frame, _) = Normaliser::load(&[], &[]).unwrap().apply(l.frame).unwrap();
    let q = Query {
        every: Some(Period::Day),
        by: vec!["actor_parent".into()],
        top: Some(3),
        fill_zeros: true,
        cumulative: kind == ChartKind::Cumulative,
        ..Default::default()
    };
    let (_, table) = query::run(polars::prelude::IntoLazy::lazy(frame), &q).unwrap();
    let value = if kind == ChartKind::Cumulative { "cumulative" } else { "incidents" };
    let data = ChartData::from_table(&table, value, q.every).unwrap();
    let text = ChartText {
        title: "Attacks claimed by Iraqi militias".into(),
        subtitle: Some("17 to 30 October 2023 (fixture)".into()),
        note: "Source: tests/data/militia_tracker.csv (made-up rows)".into(),
        y_label: "incidents".into(),
    };
    let notes = vec![
        Annotation {
            date: chrono::NaiveDate::from_ymd_opt(2023, 10, 17).unwrap(),
            end: None,
            label: "Campaign begins".into(),
        },
        Annotation {
            date: chrono::NaiveDate::from_ymd_opt(2023, 10, 24).unwrap(),
            end: chrono::NaiveDate::from_ymd_opt(2023, 10, 26),
            label: "A shaded span".into(),
        },
    ];
    chart::render_svg(
        kind,
        &data,
        &text,
        &notes,
        ChartSize { width: 800, height: 450, scale: 1.0 },
        Default::default(),
        &mut Colours::default(),
    )
    .unwrap()
}

const KINDS: [(ChartKind, &str); 6] = [
    (ChartKind::Bar, "bar"),
    (ChartKind::Stacked, "stacked"),
    (ChartKind::Line, "line"),
    (ChartKind::Cumulative, "cumulative"),
    (ChartKind::Heatmap, "heatmap"),
    (ChartKind::SmallMultiples, "small-multiples"),
];

#[test]
fn every_kind_matches_its_golden_svg() {
    let update = std::env::var("SITREP_UPDATE_GOLDEN").is_ok() && std::env::var("CI").is_err();
    for (kind, name) in KINDS {
        let svg = fixture_chart(kind);
        assert!(svg.starts_with("<svg") && svg.contains("Attacks claimed by Iraqi militias"), "{name}");
        assert!(svg.contains("<text"), "{name}: text must stay text");
        let path = repo("tests/golden").join(format!("{name}.svg"));
        if update || !path.exists() && std::env::var("CI").is_err() {
            std::fs::write(&path, &svg).unwrap();
        }
        let golden =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing golden file {}", path.display()));
        assert!(golden == svg, "{name}: the SVG differs from {} (SITREP_UPDATE_GOLDEN=1 to accept)", path.display());
    }
}

#[test]
fn charts_are_byte_identical_on_re_render() {
    for (kind, name) in KINDS {
        assert_eq!(fixture_chart(kind), fixture_chart(kind), "{name}");
    }
    let svg = fixture_chart(ChartKind::Stacked);
    assert_eq!(chart::svg_to_png(&svg, 1.0).unwrap(), chart::svg_to_png(&svg, 1.0).unwrap());
}

#[test]
fn pngs_decode_at_the_requested_size_and_are_not_blank() {
    for (kind, name) in KINDS {
        let png = chart::svg_to_png(&fixture_chart(kind), 2.0).unwrap();
        let img = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((img.width(), img.height()), (1600, 900), "{name}");
        let px = img.pixels();
        let inked = px.iter().filter(|p| p.red() < 200 || p.green() < 200 || p.blue() < 200).count();
        assert!(inked * 100 > px.len(), "{name}: only {inked} inked pixels");
        let colours: std::collections::BTreeSet<(u8, u8, u8)> =
            px.iter().map(|p| (p.red(), p.green(), p.blue())).collect();
        assert!(colours.len() > 8, "{name}: {} colours", colours.len());
    }
}

#[test]
fn chart_command_writes_svg_and_png_and_refuses_empty_results() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["svg", "png"] {
        let out = dir.path().join(format!("c.{ext}"));
        Command::cargo_bin("sitrep")
            .unwrap()
            .args(["chart", "--every", "month", "--by", "actor", "--top", "4", "--kind", "stacked", "--out"])
            .arg(&out)
            .arg("--annotations")
            .arg(repo("data/annotations.csv"))
            .arg(repo("data/ucdp_ged_syria_2016-2019.csv"))
            .assert()
            .success();
        assert!(std::fs::metadata(&out).unwrap().len() > 10_000);
    }
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--every", "week", "--kind", "bar", "--from", "2030-01-01", "--out"])
        .arg(dir.path().join("e.svg"))
        .arg(fixture("native.csv"))
        .assert()
        .code(1)
        .stderr(contains("no incidents match the query: nothing to draw"));
    assert!(!dir.path().join("e.svg").exists());
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--every", "week", "--kind", "pie", "--out", "x.svg"])
        .arg(fixture("native.csv"))
        .assert()
        // Issue 15: usage errors exit 2.
        .code(2)
        .stderr(contains("choose from bar, stacked, line, cumulative, heatmap, small-multiples"));
}

/// Issue 16 (part): chart defects an editor sees, each with a test that fails on the old drawing.
#[test]
fn issue_16_counts_get_whole_ticks_headroom_and_a_palette_without_black() {
    use sitrep::render::chart::frame::nice_axis;
    // 12 incidents at most: ticks of 5 (0, 5, 10, 15), not 2.5; fractions only below 1.
    assert_eq!(nice_axis(12.0), (15.0, 5.0));
    assert_eq!(nice_axis(0.6).1, 0.2);
    assert!(chart::PALETTE.iter().all(|c| (c.0, c.1, c.2) != (0, 0, 0)), "black reads as text, not a group");
    // A week of 8 incidents: the axis runs past 8, so the bar does not touch the top.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("t.csv");
    let mut rows = String::from("Date,Claimed by\n");
    for (day, who) in [(1, "KH"), (2, "KH"), (2, "KH"), (3, "KH"), (3, "Nujaba"), (4, "Nujaba"), (4, "IRI"), (5, "")] {
        rows.push_str(&format!("2024-01-0{day},{who}\n"));
    }
    std::fs::write(&data, rows).unwrap();
    let svg = dir.path().join("c.svg");
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--every", "week", "--by", "actor", "--kind", "stacked", "--out"])
        .arg(&svg)
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    // Success says what was written, as report does.
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("wrote {}", svg.display())));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains(">\n10\n<"), "headroom above the 8-incident bar");
    // The legend reads top to bottom as the stack: the unknown group (drawn last, on top) first,
    // the largest group (at the bottom) last.
    let at = |name: &str| text.rfind(&format!(">\n{name}\n<")).unwrap_or_else(|| panic!("{name}"));
    assert!(
        at("Unknown") < at("Harakat Hezbollah al-Nujaba") && at("Harakat Hezbollah al-Nujaba") < at("Kataib Hezbollah")
    );
    // A folder that does not exist is a usage error, not a silent mkdir.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--every", "week", "--out"])
        .arg(dir.path().join("no/such/folder/c.svg"))
        .arg(&data)
        .assert()
        .code(2)
        .stderr(contains("does not exist"));
}
