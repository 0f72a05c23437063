//! Issue 18: beyond one machine. A base aggregate computed here by a naive
//! model (what an engine running `sitrep sql` returns) gives, through
//! `--aggregate`, the same table and chart as sitrep's own run on the
//! incidents; the partitioned store holds each year's rows in its folder and
//! answers queries as the one-file store does. The statements themselves run
//! on Spark, DuckDB and (through sqlglot) BigQuery's dialect in
//! `.ci/engines_check.py`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use chrono::{Datelike, Duration, NaiveDate};
use predicates::str::contains;

use super::repo;

fn sitrep() -> Command {
    Command::cargo_bin("sitrep").unwrap()
}

struct Incident {
    id: String,
    date: NaiveDate,
    precision: &'static str,
    actor: Option<&'static str>,
    fatalities: Option<i64>,
}

/// Made-up incidents over a year boundary with an ISO week 53 (2020), some
/// dated only to the week, month or year, joint claims and unknown counts.
fn incidents() -> Vec<Incident> {
    let mut x: u64 = 7;
    let mut next = move |n: u64| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    let actors = [Some("Alpha"), Some("Bravo"), Some("Alpha, Bravo"), Some("Bravo; Charlie"), Some("Charlie,"), None];
    let start = NaiveDate::from_ymd_opt(2020, 11, 20).unwrap();
    (0..600)
        .map(|i| Incident {
            id: format!("E-{i:04}"),
            date: start + Duration::days(next(90) as i64),
            precision: ["day", "day", "day", "day", "week", "month", "year"][next(7) as usize],
            actor: actors[next(actors.len() as u64) as usize],
            fatalities: if next(5) == 0 { None } else { Some(next(4) as i64) },
        })
        .collect()
}

fn write_incidents(path: &Path, rows: &[Incident]) {
    let mut text = String::from("incident_id,date,date_precision,actor,fatalities,country\n");
    for r in rows {
        text.push_str(&format!(
            "{},{},{},\"{}\",{},Iraq\n",
            r.id,
            r.date,
            r.precision,
            r.actor.unwrap_or(""),
            r.fatalities.map_or(String::new(), |f| f.to_string())
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// One actor per row of a joint claim, as the split reads it.
fn split(actor: Option<&str>) -> Vec<Option<String>> {
    match actor {
        None => vec![None],
        Some(a) => a.split([',', ';']).map(|p| p.trim()).map(|p| (!p.is_empty()).then(|| p.to_string())).collect(),
    }
}

#[derive(Default)]
struct Cell {
    n: u64,
    fatalities: i64,
    unknown: u64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

impl Cell {
    fn add(&mut self, r: &Incident) {
        self.n += 1;
        match r.fatalities {
            Some(f) => self.fatalities += f,
            None => self.unknown += 1,
        }
        self.first = Some(self.first.map_or(r.date, |d| d.min(r.date)));
        self.last = Some(self.last.map_or(r.date, |d| d.max(r.date)));
    }

    fn row(&self, kind: &str, period: &str, group: &str) -> String {
        let (a, b) = (self.first.unwrap(), self.last.unwrap());
        format!("{kind},{period},{group},,{},{},{},0,{},{a},{b},\n", self.n, self.fatalities, self.unknown, self.n)
    }
}

/// What an engine returns for `--every week --week-start sat --by actor
/// --split-actors`, computed row by row.
fn naive_base(rows: &[Incident]) -> String {
    let saturday = |d: NaiveDate| d - Duration::days(i64::from((d.weekday().num_days_from_monday() + 2) % 7));
    let placed = |r: &Incident| matches!(r.precision, "day" | "week");
    let mut cells: BTreeMap<(NaiveDate, Option<String>), Cell> = BTreeMap::new();
    let mut rank: BTreeMap<Option<String>, Cell> = BTreeMap::new();
    let mut unplaced: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut distinct: BTreeSet<&str> = BTreeSet::new();
    for r in rows {
        for a in split(r.actor) {
            rank.entry(a.clone()).or_default().add(r);
            if placed(r) {
                cells.entry((saturday(r.date), a)).or_default().add(r);
                distinct.insert(&r.id);
            } else {
                unplaced.entry(r.precision).or_default().insert(&r.id);
            }
        }
    }
    let mut out = String::from(
        "row_kind,period_start,actor,date_precision,incidents,fatalities,fatalities_unknown,injured,\
         injured_unknown,first_date,last_date,query\n",
    );
    for ((p, a), c) in &cells {
        out.push_str(&c.row("placed", &p.to_string(), a.as_deref().unwrap_or("")));
    }
    for (a, c) in &rank {
        out.push_str(&c.row("rank", "", a.as_deref().unwrap_or("")));
    }
    for (p, ids) in &unplaced {
        out.push_str(&format!("unplaced,,,{p},{},0,0,0,0,,,\n", ids.len()));
    }
    out.push_str(&format!("incidents,,,,{},0,0,0,0,,,\n", distinct.len()));
    let lo = rows.iter().map(|r| r.date).min().unwrap();
    let hi = rows.iter().map(|r| r.date).max().unwrap();
    out.push_str(&format!(
        "coverage,,,,{},0,0,0,0,{lo},{hi},sitrep-base-1;every=week:sat;by=actor;from=;to=;where=;\
         min_precision=;split_actors=true;table=/data/incidents.csv\n",
        rows.len()
    ));
    out
}

const QUERY: [&str; 7] = ["--every", "week", "--week-start", "sat", "--by", "actor", "--split-actors"];

#[test]
fn an_engines_base_aggregate_gives_the_local_table_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let rows = incidents();
    let csv = dir.path().join("incidents.csv");
    write_incidents(&csv, &rows);
    let base = dir.path().join("base.csv");
    std::fs::write(&base, naive_base(&rows)).unwrap();

    let shapes: [&[&str]; 4] =
        [&[], &["--top", "2", "--fill-zeros"], &["--rolling", "3", "--metric", "incidents,fatalities"], &["--compare"]];
    for shape in shapes {
        let local = sitrep()
            .args(["agg", "--no-normalise", "--format", "csv"])
            .args(QUERY)
            .args(shape)
            .arg(&csv)
            .output()
            .unwrap();
        assert!(local.status.success(), "{}", String::from_utf8_lossy(&local.stderr));
        let remote = sitrep()
            .args(["agg", "--format", "csv", "--aggregate"])
            .arg(&base)
            .args(QUERY)
            .args(shape)
            .output()
            .unwrap();
        assert!(remote.status.success(), "{}", String::from_utf8_lossy(&remote.stderr));
        let (l, r) = (String::from_utf8(local.stdout).unwrap(), String::from_utf8(remote.stdout).unwrap());
        assert!(l.lines().count() > 10, "{l}");
        assert_eq!(l, r, "shape {shape:?}");
        // The notes (unplaced incidents, split actors) are the same too.
        assert_eq!(String::from_utf8_lossy(&local.stderr), String::from_utf8_lossy(&remote.stderr));
    }

    // A chart: the same SVG, colours ranked by the whole table's groups.
    let (a, b) = (dir.path().join("local.svg"), dir.path().join("engine.svg"));
    let chart = ["chart", "--kind", "line", "--top", "3", "--note", "Made-up rows."];
    sitrep().args(chart).args(QUERY).arg("--no-normalise").arg(&csv).arg("--out").arg(&a).assert().success();
    sitrep().args(chart).args(QUERY).arg("--aggregate").arg(&base).arg("--out").arg(&b).assert().success();
    assert_eq!(std::fs::read_to_string(&a).unwrap(), std::fs::read_to_string(&b).unwrap());
}

#[test]
fn a_result_for_another_query_is_refused_with_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let rows = incidents();
    let base = dir.path().join("base.csv");
    std::fs::write(&base, naive_base(&rows)).unwrap();
    sitrep()
        .args(["agg", "--every", "month", "--by", "actor", "--aggregate"])
        .arg(&base)
        .assert()
        .failure()
        .stderr(contains("no result counts sitrep-base-1;every=month;by=actor"))
        .stderr(contains("every=week:sat"))
        .stderr(contains("Run `sitrep sql`"));
    // What only the incidents can answer says so.
    sitrep()
        .args(["agg", "--lull", "--aggregate"])
        .arg(&base)
        .args(QUERY)
        .assert()
        .failure()
        .stderr(contains("--lull needs the incidents themselves"));
}

#[test]
fn a_bad_cell_in_an_engine_result_names_file_line_column_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let text = naive_base(&incidents());
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // The fifth column of the fourth line (incidents) is not a count.
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    cells[4] = format!("many{}", cells[4]);
    lines[3] = cells.join(",");
    let base = dir.path().join("base.csv");
    std::fs::write(&base, lines.join("\n") + "\n").unwrap();
    sitrep()
        .args(["agg", "--aggregate"])
        .arg(&base)
        .args(QUERY)
        .assert()
        .failure()
        .stderr(contains("base.csv"))
        .stderr(contains("line 4, column incidents: \"many"));
    // A piece without the coverage row is not a whole result.
    let part = dir.path().join("part.csv");
    let clean: Vec<&str> = text.lines().collect();
    std::fs::write(&part, clean[..clean.len() - 1].join("\n") + "\n").unwrap();
    sitrep().args(["agg", "--aggregate"]).arg(&part).args(QUERY).assert().failure().stderr(contains("no coverage row"));
}

#[test]
fn spark_output_folders_are_one_result_each() {
    let dir = tempfile::tempdir().unwrap();
    let text = naive_base(&incidents());
    let (head, body) = text.split_once('\n').unwrap();
    let lines: Vec<&str> = body.lines().collect();
    // Spark writes part files, each with the header, and a _SUCCESS marker.
    let out = dir.path().join("weekly");
    std::fs::create_dir(&out).unwrap();
    let half = lines.len() / 2;
    std::fs::write(out.join("part-00000-abc.csv"), format!("{head}\n{}\n", lines[..half].join("\n"))).unwrap();
    std::fs::write(out.join("part-00001-abc.csv"), format!("{head}\n{}\n", lines[half..].join("\n"))).unwrap();
    std::fs::write(out.join("_SUCCESS"), "").unwrap();
    let whole = dir.path().join("whole.csv");
    std::fs::write(&whole, &text).unwrap();
    let run = |p: &Path| {
        let o = sitrep().args(["agg", "--format", "csv", "--aggregate"]).arg(p).args(QUERY).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    assert_eq!(run(&out), run(&whole));
}

#[test]
fn the_statement_names_the_engines_functions_and_prunes_partitions() {
    let sql = |args: &[&str]| {
        let o = sitrep().arg("sql").args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let spark = sql(&["--dialect", "spark", "--table", "incidents", "--every", "week", "--week-start", "sat"]);
    assert!(spark.contains("date_sub(d, pmod(dayofweek(d) - 7, 7))"), "{spark}");
    let bq = sql(&["--dialect", "bigquery", "--table", "p.d.incidents", "--every", "week"]);
    assert!(bq.contains("DATE_TRUNC(d, ISOWEEK)") && bq.contains("FROM `p.d.incidents`"), "{bq}");
    let duck = sql(&["--dialect", "duckdb", "--table", "i", "--every", "14d", "--anchor", "2024-01-06"]);
    assert!(duck.contains("time_bucket(INTERVAL 14 DAY, d, DATE '2024-01-06')"), "{duck}");
    let years = sql(&["--dialect", "spark", "--table", "i", "--partition", "year", "--from", "2019-03-01"]);
    assert!(years.contains("`year` >= 2019") && years.contains("`date` >= DATE '2019-03-01'"), "{years}");
    sitrep()
        .args(["sql", "--dialect", "oracle", "--table", "t"])
        .assert()
        .failure()
        .stderr(contains("choose from spark, bigquery, duckdb"));
}

/// Incidents per year of the UCDP file's `date_start`, read here with the csv crate.
fn ucdp_years() -> BTreeMap<i32, u64> {
    let mut rd = csv::Reader::from_path(repo("data/ucdp_ged_syria_2016-2019.csv")).unwrap();
    let col = rd.headers().unwrap().iter().position(|h| h == "date_start").unwrap();
    let mut years = BTreeMap::new();
    for r in rd.records() {
        let y: i32 = r.unwrap()[col][..4].parse().unwrap();
        *years.entry(y).or_insert(0) += 1;
    }
    years
}

#[test]
fn a_partitioned_store_holds_each_year_in_its_folder_and_answers_as_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, file) = (dir.path().join("store"), dir.path().join("store.parquet"));
    let ucdp = repo("data/ucdp_ged_syria_2016-2019.csv");
    sitrep().args(["ingest", "--partition", "year", "--store"]).arg(&folder).arg(&ucdp).assert().success();
    sitrep().args(["ingest", "--store"]).arg(&file).arg(&ucdp).assert().success();
    let mut on_disk = BTreeMap::new();
    for e in std::fs::read_dir(&folder).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(year) = name.strip_prefix("year=") else {
            assert_eq!(name, "_sitrep_store", "only year folders and the marker");
            continue;
        };
        let year: i32 = year.parse().unwrap();
        let part = e.path().join("part-00000.parquet");
        let df = polars::prelude::ParquetReader::new(std::fs::File::open(&part).unwrap());
        use polars::prelude::SerReader;
        let df = df.finish().unwrap();
        let dates = df.column("date").unwrap().as_materialized_series().date().unwrap().physical().clone();
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert!(dates.iter().all(|d| (epoch + Duration::days(d.unwrap() as i64)).year() == year), "{name}");
        on_disk.insert(year, df.height() as u64);
    }
    assert_eq!(on_disk, ucdp_years());

    for q in [&["--every", "week", "--by", "actor", "--top", "5"][..], &["--by", "actor_parent", "--split-actors"]] {
        let run =
            |store: &Path| sitrep().args(["agg", "--format", "csv", "--store"]).arg(store).args(q).output().unwrap();
        let (a, b) = (run(&folder), run(&file));
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert_eq!(a.stdout, b.stdout);
    }
    // Upserts keep the layout: the same file again changes nothing.
    sitrep()
        .args(["ingest", "--store"])
        .arg(&folder)
        .arg(&ucdp)
        .assert()
        .success()
        .stdout(contains("0 added, 0 updated, 16,566 unchanged"));
    // A one-file store is not turned into a folder by a flag.
    sitrep()
        .args(["ingest", "--partition", "year", "--store"])
        .arg(&file)
        .arg(&ucdp)
        .assert()
        .failure()
        .stderr(contains("is a store in one file"));
}

#[test]
fn a_report_config_becomes_one_export_per_distinct_counting() {
    let o = sitrep()
        .args(["sql", "--dialect", "spark", "--table", "incidents", "--into", "/data/results", "--config"])
        .arg(repo("sitrep.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sql = String::from_utf8(o.stdout).unwrap();
    let cfg = sitrep::config::Config::load(&repo("sitrep.toml")).unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    // Every entry only the incidents can give is named as left out.
    use sitrep::render::chart::ChartKind;
    let needs: Vec<&String> = cfg
        .charts
        .iter()
        .filter(|c| c.kind == ChartKind::Gap || c.options.alerts || sitrep::query::needs_incidents(&c.query).is_some())
        .map(|c| &c.name)
        .chain(
            cfg.tables
                .iter()
                .filter(|t| {
                    t.by_period_name || t.escalation.is_some() || sitrep::query::needs_incidents(&t.query).is_some()
                })
                .map(|t| &t.name),
        )
        .collect();
    assert!(needs.len() >= 3, "{needs:?}");
    for name in &needs {
        assert!(stderr.contains(&format!("{name:?} left out")), "{name}: {stderr}");
        assert!(!sql.contains(&format!("-- {name}\n")), "{name}");
    }
    assert_eq!(stderr.matches(" left out: ").count(), needs.len(), "{stderr}");
    let exports = sql.matches("INSERT OVERWRITE DIRECTORY '/data/results/").count();
    let distinct: BTreeSet<String> = cfg
        .charts
        .iter()
        .map(|c| &c.query)
        .chain(cfg.tables.iter().map(|t| &t.query))
        .map(|q| {
            format!(
                "{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
                q.every, q.by, q.from, q.to, q.filters, q.min_precision, q.split_actors
            )
        })
        .collect();
    assert!(exports >= 3 && exports <= distinct.len(), "{exports} exports, {} distinct queries", distinct.len());
    assert_eq!(exports, sql.matches("-- sitrep base aggregate (spark)").count());
    assert!(stderr.contains("left out: alert markers"), "{stderr}");
}

#[test]
fn a_config_with_data_aggregate_reports_from_the_engines_result() {
    let dir = tempfile::tempdir().unwrap();
    let rows = incidents();
    let csv = dir.path().join("incidents.csv");
    write_incidents(&csv, &rows);
    std::fs::write(dir.path().join("base.csv"), naive_base(&rows)).unwrap();
    let entries = r#"
[time]
week_start = "sat"

[report]
title = "Made-up incidents"

[[chart]]
name = "weekly_actors"
kind = "line"
every = "week"
by = ["actor"]
split_actors = true
top = 3

[[table]]
name = "weekly_actors_table"
every = "week"
by = ["actor"]
split_actors = true
fill_zeros = true

[[chart]]
name = "gaps"
kind = "gap"
"#;
    let local =
        format!("[data]\nfiles = [\"incidents.csv\"]\npreset = \"native\"\nattribution = \"Made-up rows\"\n{entries}");
    let engine = format!("[data]\naggregate = [\"base.csv\"]\nattribution = \"Made-up rows\"\n{entries}");
    std::fs::write(dir.path().join("local.toml"), local).unwrap();
    std::fs::write(dir.path().join("engine.toml"), engine).unwrap();
    let run = |config: &str, out: &str| {
        sitrep()
            .args(["report", "--quiet", "--config"])
            .arg(dir.path().join(config))
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success()
    };
    run("local.toml", "local");
    // A gap chart needs the incidents: left out, and said.
    run("engine.toml", "engine").stderr(contains("chart \"gaps\" left out: a gap chart needs the incidents"));
    for f in ["weekly_actors.svg", "weekly_actors_table.csv"] {
        let a = std::fs::read(dir.path().join("local").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("engine").join(f)).unwrap();
        assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b), "{f}");
    }
    assert!(!dir.path().join("engine").join("gaps.svg").exists());
}
