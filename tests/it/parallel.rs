//! The parallel CSV reader gives exactly what reading the file from start to
//! end gives: the same rows, ids, rejects, row and line numbers, whatever the
//! range size, even when a guessed range start falls inside a quoted field
//! that spans lines.

use proptest::prelude::*;
use sitrep::ingest::{load_incidents, LoadOptions};

const IDS: &[&str] = &["", "", "A-1", "A-2", "A-3", "B-7"];
const DATES: &[&str] = &["2024-01-28", "2023-12-31", "2023-02-30", "", "9999-12-31"];
const NOTES: &[&str] = &[
    "plain",
    "\"two\nlines, with a comma\"",
    "\"a \"\"quoted\"\"\nword\n\nand blank lines\"",
    "\"ends with newline\n\"",
    "",
];
const COUNTS: &[&str] = &["", "3", "-1", "x", "0"];

#[derive(Debug, Clone)]
struct Row {
    id: usize,
    date: usize,
    note: usize,
    count: usize,
    ragged: bool,
    bad_utf8: bool,
    crlf: bool,
}

fn row() -> impl Strategy<Value = Row> {
    (
        0..IDS.len(),
        0..DATES.len(),
        0..NOTES.len(),
        0..COUNTS.len(),
        proptest::bool::weighted(0.05),
        proptest::bool::weighted(0.03),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(id, date, note, count, ragged, bad_utf8, crlf)| Row {
            id,
            date,
            note,
            count,
            ragged,
            bad_utf8,
            crlf,
        })
}

fn file(rows: &[Row]) -> Vec<u8> {
    let mut out = b"incident_id,date,actor,fatalities,notes\n".to_vec();
    for r in rows {
        let actor: &[u8] = if r.bad_utf8 { b"Kata\xefib" } else { b"Kataib Hezbollah" };
        out.extend_from_slice(format!("{},{},", IDS[r.id], DATES[r.date]).as_bytes());
        out.extend_from_slice(actor);
        out.extend_from_slice(format!(",{},{}", COUNTS[r.count], NOTES[r.note]).as_bytes());
        if r.ragged {
            out.extend_from_slice(b",extra");
        }
        out.extend_from_slice(if r.crlf { b"\r\n" } else { b"\n" });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn parallel_reader_matches_the_sequential_one(rows in prop::collection::vec(row(), 1..400), range in 1u64..600) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, file(&rows)).unwrap();
        let seq = load_incidents(std::slice::from_ref(&path), &LoadOptions::default()).unwrap();
        let opts = LoadOptions { range_bytes: Some(range), ..Default::default() };
        let par = load_incidents(std::slice::from_ref(&path), &opts).unwrap();
        let opts = LoadOptions { range_bytes: Some(range), precise_reader: true, ..Default::default() };
        let precise = load_incidents(std::slice::from_ref(&path), &opts).unwrap();
        prop_assert_eq!(&precise.rejects, &par.rejects);
        prop_assert!(precise.frame.equals_missing(&par.frame), "frames differ:\n{}\n{}", precise.frame, par.frame);
        prop_assert_eq!(par.read(), rows.len() as u64);
        prop_assert_eq!(seq.read(), par.read());
        prop_assert_eq!(seq.accepted(), par.accepted());
        prop_assert_eq!(&seq.rejects, &par.rejects);
        prop_assert!(seq.frame.equals_missing(&par.frame), "frames differ:\n{}\n{}", seq.frame, par.frame);
    }
}
