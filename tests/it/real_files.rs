//! Issue 13: real files as analysts have them. Excel-saved dates, the
//! day/month order of a file, physical line numbers in CRLF/CR/LF files,
//! unknown values per preset, and failure when every row is rejected.
//! Fixtures are made-up rows in the shapes of real exports.

use assert_cmd::Command;
use chrono::NaiveDate;
use predicates::str::contains;
use proptest::prelude::*;
use sitrep::ingest::{load_incidents, DateOrder, LoadOptions, Loaded};
use sitrep::schema::col;

use super::fixture;

fn dates(l: &Loaded) -> Vec<NaiveDate> {
    let days = l.frame.column(col::DATE).unwrap().as_materialized_series().to_physical_repr().into_owned();
    days.i32().unwrap().iter().map(|d| sitrep::schema::dates::from_epoch_days(d.unwrap()).unwrap()).collect()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn issue_13_an_excel_saved_acled_export_loads_with_every_date_form() {
    let l = load_incidents(&[fixture("acled_excel_saved.csv")], &LoadOptions::default()).unwrap();
    assert_eq!(l.files[0].layout, "acled (31-column export)");
    // 9-May-20, 10-May-20, 43962 (Excel serial), 12-May-2020, 2020-05-13 00:00:00, May 14, 2020.
    assert_eq!(
        dates(&l),
        [ymd(2020, 5, 9), ymd(2020, 5, 10), ymd(2020, 5, 11), ymd(2020, 5, 12), ymd(2020, 5, 13), ymd(2020, 5, 14)]
    );
    assert_eq!(l.files[0].counts.two_digit_years, 2);
    // "13-Mai-20" is no date: rejected on its physical line of this CRLF file, saying what was tried.
    assert_eq!((l.read(), l.accepted(), l.rejected()), (7, 6, 1));
    let r = &l.rejects[0];
    assert_eq!((r.row, r.line, r.value.as_str()), (6, 7, "13-Mai-20"));
    assert!(r.reason.starts_with("no date format of the acled layout matches (tried YYYY-MM-DD"), "{}", r.reason);
    assert!(r.reason.contains("9-May-20"), "{}", r.reason);
    // check says how many dates used the two-digit-year pivot.
    Command::cargo_bin("sitrep")
        .unwrap()
        .arg("check")
        .arg(fixture("acled_excel_saved.csv"))
        .assert()
        .code(1)
        .stdout(contains("2 rows read with a two-digit year: 00-68 as 2000-2068, 69-99 as 1969-1999"))
        .stderr(contains("row 6 (line 7), column \"event_date\", value \"13-Mai-20\""));
}

#[test]
fn issue_13_the_day_month_order_is_decided_per_file_or_the_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let load = |name: &str, text: &str, order: Option<DateOrder>| {
        let p = write(&dir, name, text);
        load_incidents(&[p], &LoadOptions { date_order: order, ..Default::default() })
    };
    // 31-12-19 can only be day-first: the whole file is, 5-9-20 included.
    let l = load("dmy.csv", "date,actor\n5-9-20,A\n31-12-19,B\n", None).unwrap();
    assert_eq!(dates(&l), [ymd(2020, 9, 5), ymd(2019, 12, 31)]);
    assert_eq!(l.files[0].date_order, Some(DateOrder::Dmy));
    let l = load("mdy.csv", "date,actor\n5/9/2020,A\n12/31/2019,B\n", None).unwrap();
    assert_eq!(dates(&l), [ymd(2020, 5, 9), ymd(2019, 12, 31)]);
    assert_eq!(l.files[0].date_order, Some(DateOrder::Mdy));
    // Nothing tells: refused, naming the option.
    let err = load("amb.csv", "date,actor\n5/9/2020,A\n6/9/2020,B\n", None).unwrap_err().to_string();
    assert!(err.contains("amb.csv") && err.contains("--date-order dmy") && err.contains("row 1"), "{err}");
    // Both orders in one file: refused, with an example of each.
    let err = load("mixed.csv", "date,actor\n13/1/2020,A\n1/13/2020,B\n", None).unwrap_err().to_string();
    assert!(err.contains("mix both orders") && err.contains("row 1: 2020-01-13") && err.contains("row 2"), "{err}");
    // The option reads every date one way; dates that are not dates that way are rejected.
    let l = load("forced.csv", "date,actor\n5/9/2020,A\n1/13/2020,B\n", Some(DateOrder::Dmy)).unwrap();
    assert_eq!(dates(&l), [ymd(2020, 9, 5)]);
    assert_eq!(l.rejects[0].row, 2);
    // An end date is checked against its start once the order is known.
    let text = "date,date_end,actor\n5/9/2020,4/9/2020,A\n13/9/2020,14/9/2020,A\n";
    let l = load("ends.csv", text, None).unwrap();
    assert_eq!((l.accepted(), l.rejects[0].row), (1, 1));
    assert!(l.rejects[0].reason.contains("end date is before the start date 2020-09-05"), "{}", l.rejects[0].reason);
}

#[derive(Debug, Clone, Copy)]
struct Written {
    day: u32,
    month: u32,
    year: i32,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// A file is either read entirely in the order it was written, or refused; never mixed.
    #[test]
    fn issue_13_generated_day_first_and_month_first_files_are_read_one_way_or_refused(
        day_first in any::<bool>(),
        rows in proptest::collection::vec((1u32..=28, 1u32..=12, 1995i32..2030), 1..30),
        range in proptest::option::of(8u64..200),
    ) {
        let rows: Vec<Written> = rows.into_iter().map(|(day, month, year)| Written { day, month, year }).collect();
        let mut text = String::from("date,actor\n");
        for r in &rows {
            let (a, b) = if day_first { (r.day, r.month) } else { (r.month, r.day) };
            text.push_str(&format!("{a}/{b}/{},A\n", r.year));
        }
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "t.csv", &text);
        let got = load_incidents(&[p], &LoadOptions { range_bytes: range, ..Default::default() });
        let tells = rows.iter().any(|r| r.day > 12);
        let differs = rows.iter().any(|r| r.day != r.month);
        match got {
            Ok(l) => {
                let want: Vec<NaiveDate> = rows.iter().map(|r| ymd(r.year, r.month, r.day)).collect();
                prop_assert_eq!(dates(&l), want);
                prop_assert!(tells || !differs, "read although nothing tells the order");
            }
            Err(e) => {
                prop_assert!(!tells && differs, "refused although the values tell: {}", e);
                prop_assert!(e.to_string().contains("--date-order"));
            }
        }
    }
}

#[test]
fn issue_13_line_numbers_are_physical_in_crlf_cr_and_lf_files_in_both_readers() {
    let dir = tempfile::tempdir().unwrap();
    for (name, term) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        // Line 1 header; 2 good; 3 bad; 4-5 a quoted field over two lines (bad);
        // 6 blank; 7 bad; 8 good.
        let lines = [
            "date,actor,fatalities",
            "2024-01-01,A,1",
            "2024-01-02,B,x",
            "2024-01-03,\"C",
            "D\",y",
            "",
            "2024-01-04,E,z",
            "2024-01-05,F,2",
        ];
        let p = write(&dir, &format!("{name}.csv"), &(lines.join(term) + term));
        for range in [None, Some(7u64)] {
            let l = load_incidents(std::slice::from_ref(&p), &LoadOptions { range_bytes: range, ..Default::default() })
                .unwrap();
            let got: Vec<(u64, u64)> = l.rejects.iter().map(|r| (r.row, r.line)).collect();
            assert_eq!(got, [(2, 3), (3, 4), (4, 7)], "{name}, range {range:?}");
            assert_eq!(l.accepted(), 2);
        }
    }
}

#[test]
fn issue_13_gtd_unknown_group_and_gdelt_null_are_unknown() {
    let l = load_incidents(&[fixture("gtd.csv")], &LoadOptions::default()).unwrap();
    let actors: Vec<Option<&str>> = l.frame.column(col::ACTOR).unwrap().str().unwrap().iter().collect();
    assert!(!actors.contains(&Some("Unknown")), "{actors:?}");
    assert_eq!(actors.iter().filter(|a| a.is_none()).count(), 1, "the one gname=Unknown row has an unknown actor");
    let dir = tempfile::tempdir().unwrap();
    let row = |id: &str, actor: &str| {
        let mut f = vec![""; 58];
        f[0] = id;
        f[1] = "20231017";
        f[6] = actor;
        f[57] = "NULL";
        f.join("\t")
    };
    let p = write(&dir, "sql.export.CSV", &format!("{}\n{}\n", row("1", "NULL"), row("2", "MILITIA")));
    let l = load_incidents(&[p], &LoadOptions::default()).unwrap();
    let actors: Vec<Option<&str>> = l.frame.column(col::ACTOR).unwrap().str().unwrap().iter().collect();
    assert_eq!(actors, [None, Some("MILITIA")]);
    let sources: Vec<Option<&str>> = l.frame.column(col::SOURCE).unwrap().str().unwrap().iter().collect();
    assert_eq!(sources, [None, None]);
}

#[test]
fn issue_13_every_row_rejected_is_a_failure_not_an_empty_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "bad.csv", "date,actor\nfoo,A\nbar,B\n");
    for args in [vec!["agg", "--every", "week"], vec!["chart", "--every", "week", "--out"]] {
        let mut cmd = Command::cargo_bin("sitrep").unwrap();
        cmd.args(&args);
        if args[0] == "chart" {
            cmd.arg(dir.path().join("c.svg"));
        }
        cmd.arg(&p)
            .assert()
            .code(1)
            .stderr(contains("all 2 input rows were rejected: nothing to count"))
            .stderr(contains("bad.csv: row 1 (line 2), column \"date\", value \"foo\""));
    }
    assert!(!dir.path().join("c.svg").exists());
}

fn texts(l: &Loaded, c: &str) -> Vec<Option<String>> {
    l.frame.column(c).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
}

fn ints(l: &Loaded, c: &str) -> Vec<Option<i64>> {
    l.frame.column(c).unwrap().i64().unwrap().iter().collect()
}

#[test]
fn issue_13_a_tracker_sheet_is_understood_by_its_header_synonyms() {
    let opts = LoadOptions::default();
    let l = load_incidents(&[fixture("tracker_us_forces.csv")], &opts).unwrap();
    assert_eq!(l.files[0].layout, "native (sitrep tracker layout)");
    let iri = Some("Islamic Resistance in Iraq".to_string());
    assert_eq!(texts(&l, col::ACTOR), [iri.clone(), iri.clone(), None, iri.clone(), iri]);
    assert_eq!(texts(&l, col::TARGET)[3].as_deref(), Some("Tower 22"));
    assert_eq!(texts(&l, col::ADMIN1)[0].as_deref(), Some("Anbar"));
    assert_eq!(texts(&l, col::SOURCE)[0].as_deref(), Some("https://example.org/1"));
    // Approximate counts: lower bounds, the range's high end kept.
    assert_eq!(ints(&l, col::FATALITIES), [Some(0), Some(0), Some(0), Some(3), Some(12)]);
    assert_eq!(ints(&l, col::INJURED), [Some(2), Some(4), None, Some(40), None]);
    assert_eq!(ints(&l, col::FATALITIES_HIGH), [None, None, None, None, Some(15)]);
    assert_eq!(l.files[0].counts.approx_counts, 3);
    assert!(l.files[0].unused.is_empty(), "{:?}", l.files[0].unused);
    Command::cargo_bin("sitrep")
        .unwrap()
        .arg("check")
        .arg(fixture("tracker_us_forces.csv"))
        .assert()
        .success()
        .stdout(contains("actor <- Claimed by"))
        // Issue 14: the claimant column is also the claim.
        .stdout(contains("fatalities <- Killed, injured <- Wounded, claimed <- Claimed by, source <- Source URL"))
        .stdout(contains("fed nothing  none"))
        .stdout(contains("3 counts read as a lower bound"));
    // A column that looks like a count but feeds nothing is pointed out.
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "t.csv", "Date,Claimed by,US casualties\n2024-01-28,IRI,3\n");
    Command::cargo_bin("sitrep")
        .unwrap()
        .arg("check")
        .arg(&p)
        .assert()
        .success()
        .stdout(contains("fed nothing  US casualties"))
        .stdout(contains("column \"US casualties\" looks like a count or an actor but feeds no canonical field"))
        .stdout(contains("--emit-mapping"));
    // strict_counts in a mapping rejects what a tracker sheet reads as a lower bound.
    let m = write(&dir, "m.toml", "strict_counts = true\n[columns]\ndate = \"Date\"\nfatalities = \"Killed\"\n");
    let opts = LoadOptions { mapping: Some(sitrep::ingest::Mapping::load(&m).unwrap()), ..Default::default() };
    let l = load_incidents(&[fixture("tracker_us_forces.csv")], &opts).unwrap();
    assert_eq!(l.rejects.iter().map(|r| (r.row, r.value.as_str())).collect::<Vec<_>>(), [(5, "12-15")]);
}

#[test]
fn issue_13_an_emitted_mapping_reads_the_file_exactly_as_the_preset_did() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "tracker_us_forces.csv",
        "acled_current.csv",
        "gtd.csv",
        "ucdp_global_sample.csv",
        "gdelt2.export.CSV",
        "native.csv",
    ] {
        let out = Command::cargo_bin("sitrep")
            .unwrap()
            .args(["check", "--emit-mapping"])
            .arg(fixture(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let toml = String::from_utf8(out.stdout).unwrap();
        let m = write(&dir, "m.toml", &toml);
        let mapping = sitrep::ingest::Mapping::load(&m).unwrap_or_else(|e| panic!("{name}: {e}\n{toml}"));
        let by_preset = load_incidents(&[fixture(name)], &LoadOptions::default()).unwrap();
        let by_mapping =
            load_incidents(&[fixture(name)], &LoadOptions { mapping: Some(mapping), ..Default::default() })
                .unwrap_or_else(|e| panic!("{name}: {e}\n{toml}"));
        assert_eq!(
            (by_mapping.accepted(), by_mapping.rejected()),
            (by_preset.accepted(), by_preset.rejected()),
            "{name}"
        );
        let canonical: Vec<&str> = sitrep::schema::CANONICAL.iter().map(|(c, _)| *c).collect();
        let a = by_preset.frame.select(canonical.clone()).unwrap();
        let b = by_mapping.frame.select(canonical).unwrap();
        assert!(a.equals_missing(&b), "{name}: the mapping reads differently\n{toml}\n{a}\n{b}");
    }
}

#[test]
fn issue_13_encodings_are_per_file_and_windows_1252_rows_are_read_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    // A sheet saved by Excel on Windows (Windows-1252) beside a UTF-8 one.
    let latin1 = fixture("gtd_subset_latin1.csv");
    let utf8 = write(&dir, "gdelt_like.csv", "date,actor,location\n2019-12-29,Kataib Hezbollah,Café Baghdad\n");
    // Default (auto): the Latin-1 row is read as Windows-1252 and counted; the UTF-8 file is untouched.
    let l = load_incidents(&[latin1.clone(), utf8.clone()], &LoadOptions::default()).unwrap();
    let want = [Some("Café K-1 (made-up row)".into()), Some("Kirkuk".into()), Some("Café Baghdad".into())];
    assert_eq!(texts(&l, col::LOCATION), want);
    assert_eq!(texts(&l, col::ACTOR)[0].as_deref(), Some("Kata’ib Hizballah"));
    assert_eq!((l.files[0].counts.latin1_rows, l.files[1].counts.latin1_rows), (1, 0));
    // A global --encoding latin1 would garble the UTF-8 file; per file it does not.
    let opts = LoadOptions {
        file_encodings: vec![("gtd_subset_latin1.csv".into(), sitrep::ingest::Encoding::Latin1)],
        ..Default::default()
    };
    let l = load_incidents(&[latin1.clone(), utf8.clone()], &opts).unwrap();
    assert_eq!(texts(&l, col::LOCATION)[2].as_deref(), Some("Café Baghdad"));
    assert_eq!(l.files[0].counts.latin1_rows, 0, "read as told, nothing to note");
    Command::cargo_bin("sitrep").unwrap().arg("check").arg(&latin1).assert().success().stdout(contains(
        "1 row is not valid UTF-8 and read as Windows-1252 (Latin-1); --encoding utf8 rejects them instead",
    ));
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by", "actor"])
        .arg(&latin1)
        .arg(&utf8)
        .assert()
        .success()
        .stderr(contains("gtd_subset_latin1.csv: 1 row is not valid UTF-8"));
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["check", "--encoding", "nope.csv=latin1"])
        .arg(&latin1)
        .assert()
        .code(2)
        .stderr(contains("no input file is named \"nope.csv\""));
}

/// Ingest `file` into `store` with `flags`; stdout and stderr.
fn ingest(store: &std::path::Path, file: Option<&std::path::Path>, flags: &[&str]) -> (String, String) {
    let mut cmd = Command::cargo_bin("sitrep").unwrap();
    cmd.arg("ingest").arg("--store").arg(store).args(flags);
    if let Some(f) = file {
        cmd.arg(f);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn store_rows(store: &std::path::Path) -> usize {
    sitrep::store::read_store(store).unwrap().height()
}

#[test]
fn issue_13_a_corrected_sheet_re_ingested_does_not_duplicate_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(fixture("tracker_us_forces.csv")).unwrap();
    let corrected = original.replace("Tower 22,drone,Islamic Resistance in Iraq", "Tower 22,drone,Kataib Hezbollah");
    assert_ne!(original, corrected);
    let sheet = dir.path().join("tracker.csv");
    let run = |name: &str, flags: &[&str]| {
        let store = dir.path().join(name);
        std::fs::write(&sheet, &original).unwrap();
        ingest(&store, Some(&sheet), flags);
        std::fs::write(&sheet, &corrected).unwrap();
        let (out, err) = ingest(&store, Some(&sheet), flags);
        (store_rows(&store), out, err)
    };
    // Without an id column or an option, the corrected row is a new incident, and the user is warned.
    let (rows, _, err) = run("plain.parquet", &[]);
    assert_eq!(rows, 6);
    assert!(
        err.contains("tracker.csv has no id column") && err.contains("--key COL[,COL] or --replace-source"),
        "{err}"
    );
    // --replace-source: the file's earlier rows are replaced as a whole.
    let (rows, out, err) = run("replace.parquet", &["--replace-source"]);
    assert_eq!(rows, 5);
    assert!(out.contains("1 added, 0 updated, 4 unchanged, 1 removed (no longer in the re-ingested files)"), "{out}");
    assert!(!err.contains("no id column"), "{err}");
    // --key: ids from the columns that identify a row; the correction is an update.
    let (rows, out, _) = run("key.parquet", &["--key", "Date,Target/Base"]);
    assert_eq!(rows, 5);
    assert!(out.contains("0 added, 1 updated, 4 unchanged"), "{out}");
    let l = load_incidents(&[dir.path().join("key.parquet")], &LoadOptions::default()).unwrap();
    assert!(texts(&l, col::INCIDENT_ID).contains(&Some("2024-01-28 | Tower 22".to_string())));
    assert!(texts(&l, col::ACTOR).contains(&Some("Kataib Hezbollah".to_string())));
}

#[test]
fn issue_13_retracted_events_are_deleted_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.parquet");
    ingest(&store, Some(&fixture("acled_current.csv")), &[]);
    let before = store_rows(&store);
    // ACLED publishes deleted events as a CSV with an event_id_cnty column.
    let del = fixture("acled_deleted.csv");
    let (out, _) = ingest(&store, None, &["--delete", del.to_str().unwrap()]);
    assert!(out.contains("1 deleted (1 of the ids to delete were not in the store)"), "{out}");
    assert_eq!(store_rows(&store), before - 1);
    let l = load_incidents(std::slice::from_ref(&store), &LoadOptions::default()).unwrap();
    assert!(!texts(&l, col::INCIDENT_ID).contains(&Some("IRQ30001".to_string())));
    // One id per line works too; deleting again finds nothing.
    let del = write(&dir, "ids.txt", "IRQ30001\n\n");
    let (out, _) = ingest(&store, None, &["--delete", del.to_str().unwrap()]);
    assert!(out.contains("0 deleted (1 of the ids to delete were not in the store)"), "{out}");
    assert_eq!(store_rows(&store), before - 1);
}

#[test]
fn issue_13_approximate_dates_of_a_tracker_keep_their_precision() {
    use sitrep::query::{self, Period, Query};
    let l = load_incidents(&[fixture("tracker_approx_dates.csv")], &LoadOptions::default()).unwrap();
    assert_eq!((l.accepted(), l.rejected()), (7, 1));
    assert_eq!(l.rejects[0].value, "sometime in winter");
    let precisions = texts(&l, col::DATE_PRECISION);
    let want = ["month", "month", "month", "quarter", "year", "day", "day"];
    assert_eq!(precisions, want.map(|p| Some(p.to_string())));
    assert_eq!(
        dates(&l),
        [
            ymd(2023, 11, 1),
            ymd(2023, 11, 1),
            ymd(2023, 11, 1),
            ymd(2023, 10, 1),
            ymd(2023, 1, 1),
            ymd(2024, 1, 5),
            ymd(2024, 1, 5)
        ]
    );
    let ends: Vec<Option<NaiveDate>> = l
        .frame
        .column(col::DATE_END)
        .unwrap()
        .as_materialized_series()
        .to_physical_repr()
        .i32()
        .unwrap()
        .iter()
        .map(|d| d.and_then(sitrep::schema::dates::from_epoch_days))
        .collect();
    assert_eq!(&ends[5..], [Some(ymd(2024, 1, 7)), Some(ymd(2024, 1, 7))]);
    assert_eq!(texts(&l, "date_raw")[2].as_deref(), Some("late Nov 2023"));
    assert_eq!(l.files[0].counts.approx_dates, 7);
    // A quarter is counted in quarters and years, not in months; a year only in years.
    let count = |every| {
        let q = Query { every: Some(every), ..Default::default() };
        let (agg, _) = query::run(l.lazy(), &q).unwrap();
        (agg.incidents, agg.unplaced.iter().map(|(_, n)| n).sum::<u64>())
    };
    assert_eq!(count(Period::Month), (5, 2));
    assert_eq!(count(Period::Quarter), (6, 1));
    assert_eq!(count(Period::Year), (7, 0));
    // A mapping's month-only pattern now matches, at month precision.
    let dir = tempfile::tempdir().unwrap();
    let m = write(&dir, "m.toml", "date_formats = [\"%Y-%m\"]\n[columns]\ndate = \"when\"\n");
    let p = write(&dir, "t.csv", "when\n2023-11\n2023-12-05\n");
    let opts = LoadOptions { mapping: Some(sitrep::ingest::Mapping::load(&m).unwrap()), ..Default::default() };
    let l = load_incidents(&[p], &opts).unwrap();
    assert_eq!((dates(&l), texts(&l, col::DATE_PRECISION)), (vec![ymd(2023, 11, 1)], vec![Some("month".to_string())]));
    assert_eq!(l.rejects[0].value, "2023-12-05");
}

/// A CSV fixture with the cells of `column` rewritten by `f` (header kept).
fn rewrite_column(name: &str, column: &str, f: impl Fn(&str) -> String) -> String {
    let mut r = csv::Reader::from_path(fixture(name)).unwrap();
    let headers = r.headers().unwrap().clone();
    let at = headers.iter().position(|h| h == column).unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let cells: Vec<String> =
            rec.iter().enumerate().map(|(i, c)| if i == at { f(c) } else { c.to_string() }).collect();
        w.write_record(&cells).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn issue_13_files_re_saved_by_pandas_and_gdelt_back_files_load() {
    let dir = tempfile::tempdir().unwrap();
    // pandas writes integer codes as floats: UCDP date_prec 1.0, GTD iyear 1993.0.
    for (name, column) in [("ucdp_global_sample.csv", "date_prec"), ("gtd.csv", "iyear"), ("gtd.csv", "imonth")] {
        let original = load_incidents(&[fixture(name)], &LoadOptions::default()).unwrap();
        let text = rewrite_column(name, column, |c| if c.is_empty() { String::new() } else { format!("{c}.0") });
        assert!(text.contains(".0"), "{name}");
        let p = write(&dir, &format!("{column}_{name}"), &text);
        let floats = load_incidents(&[p], &LoadOptions::default()).unwrap();
        assert_eq!(
            (floats.accepted(), floats.rejected()),
            (original.accepted(), original.rejected()),
            "{name} {column}"
        );
        assert_eq!(dates(&floats), dates(&original), "{name} {column}");
        assert_eq!(texts(&floats, col::DATE_PRECISION), texts(&original, col::DATE_PRECISION), "{name} {column}");
    }
    // GDELT 1.0 back files mix rows of 58 fields with rows of 57 (no SOURCEURL).
    let text = std::fs::read_to_string(fixture("gdelt1.export.CSV")).unwrap();
    let mixed: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 1 { l.rsplit_once('\t').unwrap().0.to_string() } else { l.to_string() })
        .collect();
    let p = write(&dir, "mixed.export.CSV", &(mixed.join("\n") + "\n"));
    let l = load_incidents(&[p], &LoadOptions::default()).unwrap();
    assert_eq!((l.accepted(), l.rejected()), (3, 0));
    assert_eq!(texts(&l, col::SOURCE)[1], None);
    // A lone dash is no value: an unknown coordinate or count, not a reject.
    let p = write(&dir, "dash.csv", "date,actor,latitude,fatalities\n2023-05-06,A,-,-\n");
    let l = load_incidents(&[p], &LoadOptions::default()).unwrap();
    assert_eq!((l.accepted(), ints(&l, col::FATALITIES)), (1, vec![None]));
}

#[test]
fn issue_13_emit_mapping_starts_a_mapping_for_a_file_no_preset_recognises() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "renamed.csv", "GLOBALEVENTID,When,Actor1Name,Killed\n1,2023-10-18,MILITIA,2\n");
    let out = Command::cargo_bin("sitrep").unwrap().args(["check", "--emit-mapping"]).arg(&p).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no preset recognises"));
    let toml = String::from_utf8(out.stdout).unwrap();
    assert!(
        toml.contains("# date = \"?\"")
            && toml.contains("fatalities = \"Killed\"")
            && toml.contains("#   \"Actor1Name\""),
        "{toml}"
    );
    // Filled in, it reads the file.
    let m = write(
        &dir,
        "m.toml",
        &toml.replace("# date = \"?\"", "date = \"When\"").replace("#   \"Actor1Name\"", "actor = \"Actor1Name\""),
    );
    let m = sitrep::ingest::Mapping::load(&m).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    let l = load_incidents(&[p], &LoadOptions { mapping: Some(m), ..Default::default() }).unwrap();
    assert_eq!((texts(&l, col::ACTOR), ints(&l, col::FATALITIES)), (vec![Some("MILITIA".to_string())], vec![Some(2)]));
}

#[test]
fn issue_13_a_gtd_subset_without_ids_and_a_file_quoted_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    // A GTD subset saved without eventid is still GTD; its rows get content ids.
    let mut r = csv::Reader::from_path(fixture("gtd.csv")).unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(r.headers().unwrap().iter().skip(1)).unwrap();
    for rec in r.records() {
        w.write_record(rec.unwrap().iter().skip(1)).unwrap();
    }
    let p = write(&dir, "subset.csv", &String::from_utf8(w.into_inner().unwrap()).unwrap());
    let full = load_incidents(&[fixture("gtd.csv")], &LoadOptions::default()).unwrap();
    let subset = load_incidents(&[p], &LoadOptions::default()).unwrap();
    assert!(subset.files[0].layout.starts_with("gtd"), "{}", subset.files[0].layout);
    assert_eq!((dates(&subset), texts(&subset, col::ACTOR)), (dates(&full), texts(&full, col::ACTOR)));
    assert!(texts(&subset, col::INCIDENT_ID).iter().all(|id| id.as_deref().is_some_and(|i| i.starts_with('h'))));
    // Every line wrapped in quotes: one field per line; the message says what happened.
    let p = write(&dir, "quoted.csv", "\"latitude,longitude,date,group\"\n\"24.86,67.00,2014-06-08,TTP\"\n");
    let err = load_incidents(&[p], &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("each line is one quoted field") && err.contains("remove the quote"), "{err}");
}
