//! Issue 16: the HTML page of `weekly` and `report`, and alt text. The page
//! is one self-contained file: every value from the data escaped, each chart
//! inlined with its description, nothing fetched, the same bytes on re-run.

use assert_cmd::Command;
use sitrep::text::{escape_html, sha256};

use super::repo;

const HOSTILE: &str = "<script>alert(\"x\")</script> & 'Sons'";

/// A tracker where the busiest actor, a place and a source are hostile names.
fn hostile_tracker(dir: &std::path::Path) -> std::path::PathBuf {
    let csv = dir.join("tracker.csv");
    let mut rows =
        String::from("incident_id,date,actor,target_type,weapon,country,location,fatalities,injured,source\n");
    for (i, day) in [1, 2, 3, 8, 9, 10, 10, 11].iter().enumerate() {
        let actor = if i % 2 == 0 { HOSTILE } else { "Kataib Hezbollah" };
        rows.push_str(&format!(
            "T-{i},2024-01-{day:02},\"{}\",military base,rocket,Iraq,\"{}\",{i},0,\"{}\"\n",
            actor.replace('"', "\"\""),
            "Tom & \"Jerry's\" <base>".replace('"', "\"\""),
            HOSTILE.replace('"', "\"\"")
        ));
    }
    std::fs::write(&csv, rows).unwrap();
    let config = dir.join("sitrep.toml");
    std::fs::write(
        &config,
        format!(
            "[data]\nfiles = [{csv:?}]\nas_of = \"2024-01-14\"\nattribution = \"{}\"\n\
             [[weekly.chart]]\nname = \"by_actor\"\nkind = \"stacked\"\nevery = \"day\"\nby = [\"actor\"]\nformats = [\"svg\"]\n",
            HOSTILE.replace('"', "\\\"")
        ),
    )
    .unwrap();
    config
}

fn weekly(config: &std::path::Path, out: &std::path::Path) {
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["weekly", "--week", "2024-W02", "--quiet", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// The `alt` of every image on a page, unescaped.
fn alts(html: &str) -> Vec<String> {
    html.split("<img alt=\"")
        .skip(1)
        .map(|s| {
            let raw = &s[..s.find('"').unwrap()];
            raw.replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn issue_16_the_weekly_page_escapes_hostile_names_and_fetches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = hostile_tracker(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    weekly(&config, &a);
    weekly(&config, &b);
    let page = a.join("2024-W02/index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // The hostile names are on the page, as text.
    assert!(!html.contains("<script") && !html.contains("<base>"), "markup from the data must not become markup");
    assert!(html.contains(&escape_html(HOSTILE)), "the hostile actor is shown, escaped");
    assert!(html.contains(&escape_html("Tom & \"Jerry's\" <base>")));
    // Week 2 (8-14 January): five incidents, two more than the three of week 1.
    assert!(html.contains("5 incidents in 2024-W02 (8 January 2024 to 14 January 2024), 2 more than the week before"));
    // Self-contained: no reference to anything outside the file but the files beside it.
    for outside in ["http:", "https:", "src=\"/", "src=\"./", "@import", "url(", "<link", "<script"] {
        assert!(!html.contains(outside), "{outside:?} on the page");
    }
    assert!(html.contains("@media print") && html.contains("@page{size:A4") && html.contains("name=\"viewport\""));
    // Each chart is inlined with its description, the same as the text file and the SVG's <desc>.
    let alt = std::fs::read_to_string(a.join("2024-W02/by_actor.txt")).unwrap();
    assert_eq!(alts(&html), vec![alt.trim_end().to_string()]);
    assert!(alt.starts_with("Stacked bar chart: Incidents per day by actor"), "{alt}");
    assert!(alt.contains("Highest: 2 in 2024-01-10."), "{alt}");
    let svg = std::fs::read_to_string(a.join("2024-W02/by_actor.svg")).unwrap();
    assert!(svg.contains(&format!("<desc>{}</desc>", escape_html(alt.trim_end()))));
    // Listed in the manifest with its hash, and byte-identical on re-run.
    let bytes = std::fs::read(&page).unwrap();
    let manifest = std::fs::read_to_string(a.join("2024-W02/manifest.json")).unwrap();
    assert!(manifest.contains(&sha256(&bytes)), "{manifest}");
    assert_eq!(bytes, std::fs::read(b.join("2024-W02/index.html")).unwrap());
    // Every file beside the page is linked from it, the manifest too.
    for f in std::fs::read_dir(a.join("2024-W02")).unwrap() {
        let name = f.unwrap().file_name().to_string_lossy().into_owned();
        if name != "index.html" {
            assert!(html.contains(&format!("href=\"{name}\"")), "{name} is not linked");
        }
    }
}

#[test]
fn issue_16_report_writes_a_page_of_every_chart_and_table() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["report", "--quiet", "--config"])
        .arg(repo("sitrep.toml"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("<h1>Organised violence in Syria, 2016-2019</h1>"));
    assert!(html.contains("16,566 incidents in 1 input file, dated 2016-01-01 to 2019-11-30; 0 rows rejected."));
    let config = std::fs::read_to_string(repo("sitrep.toml")).unwrap();
    let charts = config.matches("\n[[chart]]").count();
    let page_alts = alts(&html);
    assert_eq!(page_alts.len(), charts);
    let mut txt: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    txt.sort();
    assert_eq!(txt.len(), charts);
    for t in txt {
        let alt = std::fs::read_to_string(&t).unwrap();
        assert!(page_alts.contains(&alt.trim_end().to_string()), "{} is not on the page", t.display());
    }
    // The tables are on the page: the monthly table's first row (January 2016, Government of Syria).
    assert!(html.contains("<td class=\"d\">2016-01</td>") || html.contains("<td>2016-01</td>"), "a monthly table row");
    assert!(html.contains("href=\"syria_weekly_compare.csv\""));
    // A long table shows its first 60 rows and says where the rest are (counted from its CSV).
    let rows =
        std::fs::read_to_string(out.path().join("syria_monthly_by_actor_table.csv")).unwrap().lines().count() - 1;
    assert!(rows > 60);
    let note = format!(
        "The first 60 of {} rows; the other {} are in syria_monthly_by_actor_table.csv and syria_monthly_by_actor_table.md.",
        sitrep::text::count(rows as u64),
        sitrep::text::count(rows as u64 - 60)
    );
    assert!(html.contains(&note), "{note}");
}

#[test]
fn issue_16_chart_writes_its_description_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("weeks.svg");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--kind", "bar", "--every", "year"])
        .arg(repo("data/ucdp_ged_syria_2016-2019.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("weeks.txt"));
    let alt = std::fs::read_to_string(dir.path().join("weeks.txt")).unwrap();
    // Independent count: events per year in the UCDP file, by the year of date_start.
    let text = std::fs::read_to_string(repo("data/ucdp_ged_syria_2016-2019.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let i = rdr.headers().unwrap().iter().position(|h| h == "date_start").unwrap();
    let mut per_year = std::collections::BTreeMap::<String, u64>::new();
    for r in rdr.records() {
        *per_year.entry(r.unwrap()[i][..4].to_string()).or_default() += 1;
    }
    let (year, max) = per_year.iter().max_by_key(|(_, n)| **n).unwrap();
    let last = per_year.iter().last().unwrap();
    assert!(alt.contains(&format!("Highest: {} in {year}.", sitrep::text::count(*max))), "{alt}");
    assert!(alt.contains(&format!("Last: {} in {}", sitrep::text::count(*last.1), last.0)), "{alt}");
    assert!(alt.contains("4 years from 2016 to 2019"), "{alt}");
}
