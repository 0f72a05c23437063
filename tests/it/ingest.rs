//! Ingest tests: every preset and format on fixtures with the real headers,
//! the real UCDP files against figures computed independently (Python's csv
//! module, see the comments), and bad input that must be rejected row by row.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use polars::prelude::*;
use sitrep::ingest::{load_incidents, write_rejects, Encoding, LoadOptions, Mapping, Preset};
use sitrep::schema::{col, CANONICAL};
use sitrep::Error;

use super::{fixture, repo};

fn load(path: PathBuf) -> sitrep::ingest::Loaded {
    load_incidents(&[path], &LoadOptions::default()).unwrap()
}

fn strs(df: &DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
}

fn ints(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
    df.column(c).unwrap().i64().unwrap().iter().collect()
}

fn dates(df: &DataFrame, c: &str) -> Vec<Option<NaiveDate>> {
    df.column(c).unwrap().date().unwrap().as_date_iter().collect()
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn ucdp_syria_loads_all_rows_with_independently_computed_figures() {
    let l = load(repo("data/ucdp_ged_syria_2016-2019.csv"));
    assert_eq!((l.read(), l.accepted(), l.rejected()), (16_566, 16_566, 0));
    assert_eq!(l.files[0].layout, "ucdp (GED 41-column country layout)");
    let df = &l.frame;
    // Per-year rows and sums of `best`, from Python's csv.DictReader over the same file.
    let expected: BTreeMap<i32, (u64, i64)> =
        [(2016, (6170, 48710)), (2017, (5587, 33316)), (2018, (2765, 20251)), (2019, (2044, 10060))].into();
    let mut got: BTreeMap<i32, (u64, i64)> = BTreeMap::new();
    for (d, f) in dates(df, col::DATE).into_iter().zip(ints(df, col::FATALITIES)) {
        let e = got.entry(chrono::Datelike::year(&d.unwrap())).or_default();
        e.0 += 1;
        e.1 += f.unwrap();
    }
    assert_eq!(got, expected);
    let sum = |c: &str| ints(df, c).into_iter().map(Option::unwrap).sum::<i64>();
    assert_eq!((sum(col::FATALITIES_LOW), sum(col::FATALITIES_HIGH)), (104_929, 119_020));
    // First row (id 214797) field by field.
    assert_eq!(strs(df, col::INCIDENT_ID)[0], s("214797"));
    assert_eq!(strs(df, col::ACTOR)[0], s("Government of Syria"));
    assert_eq!(strs(df, col::TARGET)[0], s("Syrian insurgents"));
    assert_eq!(ints(df, col::FATALITIES)[0], Some(4));
    assert_eq!(dates(df, col::DATE)[0], ymd(2016, 1, 1));
    assert_eq!(strs(df, col::EVENT_TYPE)[0], s("state-based"));
    // date_prec 1 → day (15480), 2 and 3 → week (828 + 21), 4 → month (186), 5 → year (51).
    let summary = sitrep::query::summary::summarise(df, 2).unwrap();
    let mix: Vec<(Option<String>, u64)> = summary.precision.clone();
    assert_eq!(mix, vec![(s("day"), 15_480), (s("week"), 849), (s("month"), 186), (s("year"), 51)]);
    assert_eq!((summary.first_date, summary.last_date), (ymd(2016, 1, 1), ymd(2019, 11, 30)));
    assert_eq!(summary.top_actors, vec![("Government of Syria".into(), 11_308), ("IS".into(), 3_287)]);
    let ends = dates(df, col::DATE_END);
    assert_eq!(ends.iter().flatten().max().copied(), ymd(2019, 12, 1));
    let multi_day = dates(df, col::DATE).iter().zip(&ends).filter(|(a, b)| a != b).count();
    assert_eq!(multi_day, 1086);
    assert_eq!(df.column(col::ADMIN1).unwrap().null_count(), 339);
    // Every other source column is kept by name.
    assert_eq!(strs(df, "dyad_name")[0], s("Government of Syria - Syrian insurgents"));
}

#[test]
fn ucdp_global_49_column_sample_loads_with_independent_figures() {
    let l = load(repo("data/ucdp_ged231_sample1000_global.csv"));
    assert_eq!((l.read(), l.accepted()), (1000, 1000));
    assert_eq!(l.files[0].layout, "ucdp (GED 49-column global layout)");
    let total: i64 = ints(&l.frame, col::FATALITIES).into_iter().map(Option::unwrap).sum();
    assert_eq!(total, 9561);
    let s = sitrep::query::summary::summarise(&l.frame, 1).unwrap();
    assert_eq!(s.first_date, ymd(1989, 1, 7));
    assert_eq!(s.top_actors[0], ("Government of Syria".into(), 230));
}

#[test]
fn canonical_columns_come_first_in_schema_order_with_their_types() {
    let l = load(fixture("acled_current.csv"));
    let names: Vec<String> = l.frame.get_column_names().iter().map(|n| n.to_string()).collect();
    let canon: Vec<&str> = CANONICAL.iter().map(|(c, _)| *c).collect();
    assert_eq!(&names[..canon.len()], &canon[..]);
    assert_eq!(l.frame.column(col::DATE).unwrap().dtype(), &DataType::Date);
    assert_eq!(l.frame.column(col::FATALITIES).unwrap().dtype(), &DataType::Int64);
    assert_eq!(l.frame.column(col::LATITUDE).unwrap().dtype(), &DataType::Float64);
    assert!(!names.iter().any(|n| n.starts_with("__")), "internal columns leaked: {names:?}");
}

#[test]
fn acled_current_export_maps_actors_weapons_precision_and_keeps_other_columns() {
    let l = load(fixture("acled_current.csv"));
    assert_eq!(l.files[0].layout, "acled (31-column export)");
    let df = &l.frame;
    assert_eq!(df.height(), 5);
    assert_eq!(strs(df, col::INCIDENT_ID)[0], s("IRQ30001"));
    assert_eq!(strs(df, col::ACTOR)[0], s("Islamic Resistance in Iraq"));
    assert_eq!(strs(df, col::TARGET)[0], s("Military Forces of the United States (2021-)"));
    assert_eq!(strs(df, col::WEAPON)[1], s("Shelling/artillery/missile attack"));
    assert_eq!(strs(df, col::EVENT_TYPE)[3], s("Battles"));
    let prec = strs(df, col::DATE_PRECISION);
    assert_eq!(prec[..4].to_vec(), vec![s("day"), s("day"), s("week"), s("month")]);
    // An empty fatalities cell is unknown, not 0; a written 0 stays 0.
    assert_eq!(ints(df, col::FATALITIES)[..3].to_vec(), vec![Some(0), Some(0), None]);
    assert_eq!(df.column(col::INJURED).unwrap().null_count(), 5);
    assert_eq!(strs(df, col::NOTES)[2], s("IED against a supply convoy\ncontracted by the coalition."));
    assert_eq!(strs(df, "inter1")[0], s("2"));
    assert_eq!(strs(df, "civilian_targeting")[0], None);
}

#[test]
fn acled_older_upper_case_export_reads_textual_dates() {
    let l = load(fixture("acled_old_upper.csv"));
    assert_eq!(l.files[0].layout, "acled (older upper-case export)");
    assert_eq!(dates(&l.frame, col::DATE), vec![ymd(2015, 1, 1), ymd(2015, 12, 28), ymd(2015, 3, 2)]);
    assert_eq!(ints(&l.frame, col::FATALITIES), vec![Some(4), Some(12), Some(0)]);
    assert_eq!(strs(&l.frame, col::TARGET)[2], None);
    assert_eq!(strs(&l.frame, "GEO_PRECISION")[0], s("1"));
}

#[test]
fn ucdp_headerless_and_timestamped_variants_match_the_headed_file() {
    let headed = load(fixture("ucdp_global_sample.csv"));
    let bare = load(fixture("ucdp_headerless.csv"));
    assert_eq!(bare.files[0].layout, "ucdp (GED 49-column global layout), no header");
    assert_eq!(bare.read(), 6);
    // The same rows; only the dataset (the file stem) differs.
    let rows = |f: &polars::prelude::DataFrame| f.drop(sitrep::ingest::DATASET).unwrap();
    assert!(rows(&headed.frame).equals_missing(&rows(&bare.frame)));
    let timed = load(fixture("ucdp_country_datetime.csv"));
    let plain = load(repo("data/ucdp_ged_syria_2016-2019.csv"));
    assert_eq!(timed.accepted(), 4);
    assert_eq!(dates(&timed.frame, col::DATE), dates(&plain.frame, col::DATE)[..4].to_vec());
    assert_eq!(dates(&timed.frame, col::DATE_END), dates(&plain.frame, col::DATE_END)[..4].to_vec());
}

#[test]
fn gtd_zero_month_and_day_set_the_precision_and_unknown_counts_stay_null() {
    let l = load(fixture("gtd.csv"));
    assert_eq!(l.files[0].layout, "gtd (135-column layout)");
    let df = &l.frame;
    assert_eq!(dates(df, col::DATE), vec![ymd(2019, 12, 27), ymd(2019, 6, 1), ymd(2019, 1, 1), ymd(2020, 1, 8)]);
    assert_eq!(strs(df, col::DATE_PRECISION), vec![s("day"), s("month"), s("year"), s("day")]);
    // nkill: 1, 0, empty (unknown), -99 (GTD's unknown code); nwound 110.0 is 110.
    assert_eq!(ints(df, col::FATALITIES), vec![Some(1), Some(0), None, None]);
    assert_eq!(ints(df, col::INJURED), vec![Some(4), Some(0), None, Some(110)]);
    assert_eq!(strs(df, col::CLAIMED), vec![s("unclaimed"), None, s("claimed"), s("claimed")]);
    assert_eq!(strs(df, col::TARGET_TYPE)[2], s("Government (Diplomatic)"));
    assert_eq!(strs(df, col::WEAPON)[0], s("Explosives"));
    assert_eq!(strs(df, col::COUNTRY)[0], s("Iraq"));
    // GTD's numeric `country` code does not clash with the canonical column.
    assert_eq!(strs(df, "country_raw")[0], s("95"));
}

#[test]
fn gdelt_headerless_tsv_1_0_and_2_0() {
    let v1 = load(fixture("gdelt1.export.CSV"));
    assert_eq!(v1.files[0].layout, "gdelt 1.0 (58 columns, no header)");
    assert_eq!(v1.accepted(), 3);
    assert_eq!(dates(&v1.frame, col::DATE)[0], ymd(2024, 1, 28));
    // Issue 14: the CAMEO code IRQMIL says more than the names ("MILITIA", "IRAQ", none).
    assert_eq!(strs(&v1.frame, col::ACTOR), vec![s("Military Forces of Iraq"); 3]);
    assert_eq!(strs(&v1.frame, col::TARGET)[0], s("Military Forces of United States"));
    assert_eq!(strs(&v1.frame, col::TARGET_TYPE)[0], s("State forces"));
    assert_eq!(strs(&v1.frame, col::EVENT_TYPE)[1], s("183"));
    assert_eq!(strs(&v1.frame, col::SOURCE)[0], s("https://example.org/a"));
    assert_eq!(v1.frame.column(col::FATALITIES).unwrap().null_count(), 3);
    let v2 = load(fixture("gdelt2.export.CSV"));
    assert_eq!(v2.files[0].layout, "gdelt 2.0 (61 columns, no header)");
    assert_eq!(strs(&v2.frame, col::LOCATION)[1], s("Al Tanf, Hims, Syria"));
    assert_eq!(strs(&v2.frame, col::COUNTRY), vec![s("IZ"), s("SY")]);
    assert_eq!(strs(&v2.frame, "ActionGeo_ADM2Code"), vec![None, None]);
}

#[test]
fn every_bad_row_is_rejected_with_row_column_value_and_the_counts_add_up() {
    let path = fixture("native_bad.csv");
    let opts = LoadOptions::default();
    let l = load_incidents(std::slice::from_ref(&path), &opts).unwrap();
    assert_eq!((l.read(), l.accepted(), l.rejected()), (11, 4, 7));
    assert_eq!(strs(&l.frame, col::INCIDENT_ID), vec![s("T-001"), s("T-002"), s("T-003"), s("T-010")]);
    let got: Vec<(u64, Option<&str>, &str)> =
        l.rejects.iter().map(|r| (r.row, r.column.as_deref(), r.value.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (4, Some("date"), "2024-02-30"),
            (5, Some("fatalities"), "-2"),
            (
                6,
                None,
                "T-006,2024-02-06,Harakat al-Nujaba,embassy,rocket,Iraq,Baghdad,1,0,claimed,Local,Ragged row,EXTRA"
            ),
            (7, Some("date"), ""),
            (8, Some("fatalities"), "1.5"),
            (9, Some("incident_id"), "T-001"),
            (10, None, "T-009,2024-02-09,Kataib Hezbollah,airport,rocket,Iraq,Erbil,0,0"),
        ]
    );
    let reasons: Vec<&str> = l.rejects.iter().map(|r| r.reason.as_str()).collect();
    assert!(reasons[0].starts_with("not a valid date (expected YYYY-MM-DD)"), "{}", reasons[0]);
    assert_eq!(reasons[1], "negative count");
    assert_eq!(reasons[2], "row has 13 fields, the header has 12");
    assert_eq!(reasons[3], "missing date");
    assert!(reasons[5].contains("first seen at") && reasons[5].contains("row 1 with different content"));
    let shown = l.rejects[0].to_string();
    assert!(shown.ends_with("native_bad.csv: row 4 (line 5), column \"date\", value \"2024-02-30\": not a valid date (expected YYYY-MM-DD)"), "{shown}");

    // The rejects file holds every rejected row with its original record.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rejects.csv");
    write_rejects(&out, &l, &opts, true).unwrap();
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["file", "row", "line", "column", "value", "reason", "record"]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(&rows[0][1], "4");
    assert_eq!(
        &rows[0][6],
        "T-004,2024-02-30,Kataib Hezbollah,convoy,IED,Iraq,Baghdad,0,0,unclaimed,Local,Impossible date"
    );
    assert!(rows[5][6].starts_with("T-001,2024-02-08,"));
}

#[test]
fn bom_crlf_and_quoted_newlines_are_read_transparently() {
    let l = load(fixture("native_bom_crlf.csv"));
    assert_eq!((l.read(), l.accepted()), (2, 2));
    assert_eq!(strs(&l.frame, col::INCIDENT_ID), vec![s("T-101"), s("T-102")]);
    assert_eq!(strs(&l.frame, col::NOTES)[0], s("Line one\r\nline two, with a comma and \"quotes\""));
    assert_eq!(ints(&l.frame, col::FATALITIES), vec![Some(0), None]);
}

#[test]
fn latin1_bytes_are_rejected_with_a_hint_and_read_with_the_option() {
    // Strict UTF-8 (issue 13 made `auto`, which reads such rows as Windows-1252, the default).
    let strict = LoadOptions { encoding: Encoding::Utf8, ..Default::default() };
    let l = load_incidents(&[fixture("native_latin1.csv")], &strict).unwrap();
    assert_eq!((l.read(), l.rejected()), (1, 1));
    assert_eq!(l.rejects[0].column.as_deref(), Some("actor"));
    assert!(l.rejects[0].reason.contains("--encoding latin1"), "{}", l.rejects[0].reason);
    let opts = LoadOptions { encoding: Encoding::Latin1, ..Default::default() };
    let l = load_incidents(&[fixture("native_latin1.csv")], &opts).unwrap();
    assert_eq!(strs(&l.frame, col::ACTOR), vec![s("Kata’ib Hizballah")]);
    assert_eq!(strs(&l.frame, col::LOCATION), vec![s("Maâla")]);
}

#[test]
fn a_toml_mapping_describes_any_table() {
    let mapping = Mapping::load(&fixture("tracker_custom.toml")).unwrap();
    let opts = LoadOptions { mapping: Some(mapping), ..Default::default() };
    let l = load_incidents(&[fixture("tracker_custom.csv")], &opts).unwrap();
    assert_eq!((l.read(), l.accepted(), l.rejected()), (4, 3, 1));
    assert_eq!((l.rejects[0].row, l.rejects[0].value.as_str()), (3, "31/02/2024"));
    let df = &l.frame;
    assert_eq!(dates(df, col::DATE), vec![ymd(2024, 1, 28), ymd(2024, 2, 4), ymd(2024, 2, 10)]);
    assert_eq!(strs(df, col::WEAPON), vec![s("drone/UAV"), s("rocket"), s("Ballistic missile")]);
    assert_eq!(ints(df, col::FATALITIES), vec![Some(3), None, Some(0)]);
    assert_eq!(strs(df, col::DATE_PRECISION), vec![s("day"), s("week"), s("month")]);
    assert_eq!(strs(df, col::TARGET)[0], s("Tower 22"));
}

#[test]
fn mapping_errors_name_the_key_and_the_valid_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.toml");
    std::fs::write(&p, "[columns]\ndate = \"d\"\nactr = \"a\"\n").unwrap();
    let err = Mapping::load(&p).unwrap_err().to_string();
    assert!(err.contains("unknown canonical column \"actr\"") && err.contains("actor_parent"), "{err}");
    std::fs::write(&p, "date_precision = \"fortnight\"\n[columns]\ndate = \"d\"\n").unwrap();
    let err = Mapping::load(&p).unwrap_err().to_string();
    assert!(err.contains("day, week, month, year"), "{err}");
}

#[test]
fn ndjson_lines_are_rows_and_broken_lines_are_rejected() {
    let l = load(fixture("incidents.ndjson"));
    assert_eq!((l.read(), l.accepted(), l.rejected()), (4, 2, 2));
    assert_eq!(ints(&l.frame, col::FATALITIES), vec![Some(3), Some(0)]);
    assert_eq!(l.rejects[0].line, 4);
    assert!(l.rejects[0].reason.starts_with("not valid JSON"));
    assert_eq!(l.rejects[1].reason, "negative count");
}

#[test]
fn gzip_and_foreign_parquet_read_like_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = fixture("native.csv");
    let plain = load(csv_path.clone());
    let gz = dir.path().join("native.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::default());
    std::io::copy(&mut std::fs::File::open(&csv_path).unwrap(), &mut enc).unwrap();
    enc.finish().unwrap();
    let rows = |f: &polars::prelude::DataFrame| f.drop(sitrep::ingest::DATASET).unwrap();
    assert!(rows(&plain.frame).equals_missing(&rows(&load(gz).frame)));

    // A Parquet file with the same columns as text is read through the same preset.
    let mut df = plain.frame.select(["incident_id", "date", "actor", "fatalities"]).unwrap();
    df = df
        .lazy()
        .with_columns([col("date").cast(DataType::String), col("fatalities").cast(DataType::String)])
        .collect()
        .unwrap();
    let pq = dir.path().join("foreign.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap()).finish(&mut df).unwrap();
    let l = load(pq);
    assert_eq!(l.files[0].layout, "native (sitrep tracker layout)");
    assert_eq!(ints(&l.frame, col::FATALITIES), ints(&plain.frame, col::FATALITIES));
    assert_eq!(dates(&l.frame, col::DATE), dates(&plain.frame, col::DATE));
}

#[test]
fn truncated_gzip_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("cut.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, &std::fs::read(repo("data/ucdp_ged231_sample1000_global.csv")).unwrap())
        .unwrap();
    let bytes = enc.finish().unwrap();
    std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
    let err = load_incidents(&[gz], &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("cut.csv.gz") && err.contains("gzip stream is damaged or truncated"), "{err}");
}

#[test]
fn duplicate_ids_across_files_keep_the_first_and_name_it() {
    let a = fixture("native.csv");
    let l = load_incidents(&[a.clone(), a.clone()], &LoadOptions::default()).unwrap();
    assert_eq!((l.read(), l.accepted(), l.rejected()), (6, 3, 3));
    assert_eq!(l.files[1].rejected, 3);
    assert!(l.rejects[0].reason.contains("(identical row)"), "{}", l.rejects[0].reason);
}

#[test]
fn rows_without_an_id_get_a_stable_hash_and_identical_rows_are_all_kept() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.csv");
    let body = "date,actor,weapon\n2024-01-01,KH,rocket\n2024-01-01,KH,rocket\n2024-01-02,KH,drone\n";
    std::fs::write(&p, body).unwrap();
    let l = load(p.clone());
    assert_eq!(l.accepted(), 3);
    let ids = strs(&l.frame, col::INCIDENT_ID);
    let first = ids[0].clone().unwrap();
    assert!(first.starts_with('h') && first.len() == 17, "{first}");
    assert_eq!(ids[1], Some(format!("{first}-2")));
    assert_eq!(ids, strs(&load(p).frame, col::INCIDENT_ID), "ids must be stable across runs");
}

#[test]
fn fatal_problems_name_the_file_and_list_the_choices() {
    let err = load_incidents(&[fixture("empty.csv")], &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("empty.csv: file is empty"), "{err}");
    let l = load(fixture("header_only.csv"));
    assert_eq!((l.read(), l.accepted()), (0, 0));
    let err = load_incidents(
        &[fixture("acled_missing_column.csv")],
        &LoadOptions { preset: Preset::Acled, ..Default::default() },
    )
    .unwrap_err();
    assert!(matches!(err, Error::MissingColumn { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("missing required column \"event_date\"") && msg.contains("columns found: event_id_cnty, year"),
        "{msg}"
    );
    let msg = "bogus".parse::<Preset>().unwrap_err().to_string();
    assert_eq!(msg, "unknown preset \"bogus\" (choose from auto, acled, ucdp, gtd, gdelt, native)");
    let dir = tempfile::tempdir().unwrap();
    let msg = load_incidents(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap_err().to_string();
    assert!(msg.contains("is a directory"), "{msg}");
    let p = dir.path().join("other.csv");
    std::fs::write(&p, "when,who\n2024-01-01,KH\n").unwrap();
    let msg = load_incidents(&[p], &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        msg.contains("cannot recognise the layout")
            && msg.contains("columns found: when, who")
            && msg.contains("--mapping"),
        "{msg}"
    );
}

#[test]
fn the_store_upserts_by_id_and_reports_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.parquet");
    let first = load(fixture("native.csv"));
    let c = sitrep::store::upsert(&store, &first.frame, None).unwrap();
    assert_eq!((c.added, c.updated, c.unchanged, c.total), (3, 0, 0, 3));
    let c = sitrep::store::upsert(&store, &first.frame, None).unwrap();
    assert_eq!((c.added, c.updated, c.unchanged, c.total), (0, 0, 3, 3));
    // A revised export: T-002's fatalities become known, T-010 is new.
    let revised = dir.path().join("revised.csv");
    let text = std::fs::read_to_string(fixture("native.csv")).unwrap().replace(
        "T-002,2024-01-29,Kataib Hezbollah,military base,rocket,Iraq,Ain al-Asad,,",
        "T-002,2024-01-29,Kataib Hezbollah,military base,rocket,Iraq,Ain al-Asad,1,",
    ) + "T-010,2024-02-10,Kataib Sayyid al-Shuhada,energy site,rocket,Iraq,Basra,0,,,Local,New\n";
    std::fs::write(&revised, text).unwrap();
    let c = sitrep::store::upsert(&store, &load(revised).frame, None).unwrap();
    assert_eq!((c.added, c.updated, c.unchanged, c.total), (1, 1, 2, 4));
    // The store reads back as canonical incidents.
    let back = load(store);
    assert_eq!(back.files[0].layout, "sitrep store (canonical Parquet)");
    assert_eq!(ints(&back.frame, col::FATALITIES), vec![Some(3), Some(1), Some(0), Some(0)]);
}

#[test]
fn asking_for_fewer_columns_never_changes_which_rows_are_accepted() {
    let full = load(fixture("native_bad.csv"));
    let opts = LoadOptions { columns: Some(vec![]), ..Default::default() };
    let slim = load_incidents(&[fixture("native_bad.csv")], &opts).unwrap();
    assert_eq!((slim.accepted(), slim.rejected()), (full.accepted(), full.rejected()));
    assert_eq!(slim.rejects, full.rejects);
    assert_eq!(strs(&slim.frame, col::INCIDENT_ID), strs(&full.frame, col::INCIDENT_ID));
    assert_eq!(ints(&slim.frame, col::FATALITIES), ints(&full.frame, col::FATALITIES));
    assert_eq!(slim.frame.column(col::NOTES).unwrap().null_count(), slim.frame.height());
    // The same query from the CSV and from a store of it gives the same table.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.parquet");
    let syria = load(repo("data/ucdp_ged_syria_2016-2019.csv"));
    sitrep::store::upsert(&store, &syria.frame, None).unwrap();
    let opts = LoadOptions { columns: Some(vec!["actor".into()]), ..Default::default() };
    let from_store = load_incidents(&[store], &opts).unwrap();
    let from_csv = load_incidents(&[repo("data/ucdp_ged_syria_2016-2019.csv")], &opts).unwrap();
    let q = sitrep::query::Query {
        every: Some(sitrep::query::Period::Month),
        by: vec!["actor".into()],
        top: Some(8),
        ..Default::default()
    };
    let a = sitrep::query::run(from_store.lazy(), &q).unwrap().1;
    let b = sitrep::query::run(from_csv.lazy(), &q).unwrap().1;
    assert!(!a.rows.is_empty());
    assert_eq!(a, b);
}

/// Issue 17 (part): loading tells its progress hook every byte and row, on the
/// sequential, parallel and gzip paths, so a bar ends at exactly 100%.
#[test]
fn issue_17_progress_adds_up_to_the_file_sizes_and_rows() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    let mut text = String::from("incident_id,date,actor,weapon\n");
    for i in 0..200_000 {
        text.push_str(&format!("P-{i},2024-01-{:02},Kataib Hezbollah,rocket\n", i % 28 + 1));
    }
    std::fs::write(&csv, &text).unwrap();
    let gz = dir.path().join("big2.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.replace("P-", "Q-").as_bytes()).unwrap();
    enc.finish().unwrap();
    for (label, files, range) in [
        ("sequential", vec![csv.clone()], None),
        ("parallel", vec![csv.clone()], Some(1 << 16)),
        ("gzip and plain", vec![csv.clone(), gz.clone()], None),
    ] {
        let (bytes, rows) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (b, r) = (Arc::clone(&bytes), Arc::clone(&rows));
        let progress = sitrep::ingest::Progress::new(move |x, n| {
            b.fetch_add(x, Ordering::Relaxed);
            r.fetch_add(n, Ordering::Relaxed);
        });
        let l = load_incidents(&files, &LoadOptions { progress, range_bytes: range, ..Default::default() }).unwrap();
        let size: u64 = files.iter().map(|f| std::fs::metadata(f).unwrap().len()).sum();
        assert_eq!(bytes.load(Ordering::Relaxed), size, "{label}");
        assert_eq!(rows.load(Ordering::Relaxed), l.read(), "{label}");
    }
}
