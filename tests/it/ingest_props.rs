//! Property test: for any mix of good and bad rows, ingest agrees with a naive
//! model of the validation rules, and `read = accepted + rejected`.

use proptest::prelude::*;
use sitrep::ingest::{load_incidents, LoadOptions};
use sitrep::schema::col;

#[derive(Debug, Clone)]
struct Row {
    id: usize,
    date: &'static str,
    fatalities: &'static str,
    actor: &'static str,
    extra_field: bool,
}

const DATES: &[(&str, bool)] = &[
    ("2024-01-28", true),
    ("2023-12-31", true),
    ("2023-02-30", false),
    ("", false),
    ("soon", false),
    ("9999-12-31", false),
];
const FATALITIES: &[(&str, Option<Option<i64>>)] = &[
    ("", Some(None)),
    ("NA", Some(None)),
    ("0", Some(Some(0))),
    ("5", Some(Some(5))),
    ("2.0", Some(Some(2))),
    ("-1", None),
    ("1.5", None),
    ("x", None),
];
const ACTORS: &[&str] = &["Kataib Hezbollah", "", "Ahrar al-Sham, HTS", "He said \"no\"", "line\nbreak"];

fn row() -> impl Strategy<Value = Row> {
    (0..12usize, 0..DATES.len(), 0..FATALITIES.len(), 0..ACTORS.len(), proptest::bool::weighted(0.1)).prop_map(
        |(id, d, f, a, extra_field)| Row {
            id,
            date: DATES[d].0,
            fatalities: FATALITIES[f].0,
            actor: ACTORS[a],
            extra_field,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn ingest_matches_a_naive_model_and_loses_no_row(rows in proptest::collection::vec(row(), 0..40)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = csv::WriterBuilder::new().flexible(true).from_path(&path).unwrap();
        w.write_record(["incident_id", "date", "actor", "fatalities"]).unwrap();
        for r in &rows {
            let id = format!("P-{}", r.id);
            let mut rec = vec![id.as_str(), r.date, r.actor, r.fatalities];
            if r.extra_field {
                rec.push("extra");
            }
            w.write_record(&rec).unwrap();
        }
        w.flush().unwrap();

        // The model: a row is accepted when it has the right field count, a valid
        // date, a valid count, and an id no earlier accepted row has.
        let mut seen = std::collections::HashSet::new();
        let (mut accepted, mut rejected_rows, mut fatalities) = (Vec::new(), Vec::new(), Vec::new());
        for (i, r) in rows.iter().enumerate() {
            let date_ok = DATES.iter().any(|(d, ok)| *d == r.date && *ok);
            let count = FATALITIES.iter().find(|(f, _)| *f == r.fatalities).and_then(|(_, v)| *v);
            match (r.extra_field, date_ok, count) {
                (false, true, Some(f)) if seen.insert(r.id) => {
                    accepted.push(Some(format!("P-{}", r.id)));
                    fatalities.push(f);
                }
                _ => rejected_rows.push(i as u64 + 1),
            }
        }

        let l = load_incidents(&[path], &LoadOptions::default()).unwrap();
        prop_assert_eq!(l.read(), rows.len() as u64);
        prop_assert_eq!(l.accepted() + l.rejected(), l.read());
        let ids: Vec<Option<String>> =
            l.frame.column(col::INCIDENT_ID).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect();
        prop_assert_eq!(ids, accepted);
        prop_assert_eq!(l.rejects.iter().map(|r| r.row).collect::<Vec<_>>(), rejected_rows);
        let got: Vec<Option<i64>> = l.frame.column(col::FATALITIES).unwrap().i64().unwrap().iter().collect();
        prop_assert_eq!(got, fatalities);
    }
}
