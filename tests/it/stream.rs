//! Streaming ingest (issue 17) writes the store the in-memory path writes:
//! on generated files with repeated ids (in a file and across files), rows
//! without ids (hashed, numbered), bad rows, day/month dates decided from
//! the whole file, an existing store with updates, `--replace-source` and
//! `--delete`, and both store layouts, cut into many small batches and date
//! buckets. The counts, the rejects and the store's bytes are compared.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sitrep::pipeline::stream::{check, ingest, Batching};
use sitrep::pipeline::{load, Inputs, Needs};
use sitrep::store::{upsert_with, Partition, UpsertOptions};

const ACTORS: &[&str] = &["Kataib Hezbollah", "KH", "Islamic Resistance in Iraq", "IS", "unknown militia", ""];
const TARGETS: &[&str] = &["military base", "convoy", "embassy", "", "US forces at Tower 22"];
const NOTES: &[&str] = &["rocket attack", "\"drone, two\nlines\"", "IED on a convoy", ""];

#[derive(Debug, Clone)]
struct Row {
    id: u8,
    day: u16,
    slash: bool,
    actor: usize,
    target: usize,
    note: usize,
    deaths: i8,
}

fn row() -> impl Strategy<Value = Row> {
    (0u8..60, 0u16..1200, proptest::bool::weighted(0.2), 0..ACTORS.len(), 0..TARGETS.len(), 0..NOTES.len(), -1i8..4)
        .prop_map(|(id, day, slash, actor, target, note, deaths)| Row { id, day, slash, actor, target, note, deaths })
}

fn date(r: &Row) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2021, 12, 20).unwrap() + chrono::Duration::days(r.day as i64);
    // Day-first all-number dates: the order is told by a day above 12 somewhere in the file.
    if r.slash {
        d.format("%d/%m/%Y").to_string()
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

/// A tracker sheet; `with_ids: false` leaves the id column out (ids hashed from the rows).
fn file(rows: &[Row], with_ids: bool, prefix: &str) -> String {
    let mut out = String::from(if with_ids { "incident_id," } else { "" });
    out.push_str("date,actor,target,fatalities,notes\n");
    for r in rows {
        if with_ids {
            out.push_str(&format!("{prefix}{},", r.id));
        }
        let deaths = if r.deaths < 0 { "x".to_string() } else { r.deaths.to_string() };
        out.push_str(&format!("{},{},{},{deaths},{}\n", date(r), ACTORS[r.actor], TARGETS[r.target], NOTES[r.note]));
    }
    out
}

fn inputs(files: &[PathBuf]) -> Inputs {
    Inputs { files: files.to_vec(), ..Default::default() }
}

/// The store's files (one, or each year's), as (name, bytes).
fn store_bytes(path: &Path) -> Vec<(String, Vec<u8>)> {
    if path.is_file() {
        return vec![("store".into(), std::fs::read(path).unwrap())];
    }
    let mut out = Vec::new();
    for e in walk(path) {
        let name = e.strip_prefix(path).unwrap().display().to_string();
        out.push((name, std::fs::read(&e).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}

/// Copy a store (file or folder) to `to`.
fn copy(from: &Path, to: &Path) {
    if from.is_file() {
        std::fs::copy(from, to).unwrap();
        return;
    }
    for f in walk(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, dest).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn streaming_ingest_writes_the_store_the_in_memory_path_writes(
        old in prop::collection::vec(row(), 0..80),
        new in prop::collection::vec(row(), 1..200),
        more in prop::collection::vec(row(), 0..60),
        hashed in prop::collection::vec(row(), 0..40),
        partitioned in any::<bool>(),
        replace in any::<bool>(),
        deletes in prop::collection::vec(0u8..70, 0..5),
        batch in 200u64..3000,
        bucket in 1u64..120,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        // The old store holds an earlier export of the same file.
        std::fs::write(p("a.csv"), file(&old, true, "T-")).unwrap();
        let partition = if partitioned { Partition::Year } else { Partition::None };
        let base = p("base.store");
        if !old.is_empty() {
            let first = load(&inputs(&[p("a.csv")]), &Needs::ingest());
            if let Ok(first) = first {
                let opts = UpsertOptions { partition, ..Default::default() };
                upsert_with(&base, &first.loaded.frame, first.normaliser.as_deref(), &opts).unwrap();
            }
        }
        std::fs::write(p("a.csv"), file(&new, true, "T-")).unwrap();
        std::fs::write(p("b.csv"), file(&more, true, "T-")).unwrap();
        std::fs::write(p("c.csv"), file(&hashed, false, "")).unwrap();
        let files = [p("a.csv"), p("b.csv"), p("c.csv")];
        let opts = UpsertOptions {
            replace_files: if replace { vec!["a.csv".into()] } else { Vec::new() },
            delete_ids: deletes.iter().map(|d| format!("T-{d}")).collect(),
            partition,
        };
        let (mem, streamed) = (p("mem.store"), p("stream.store"));
        if base.exists() {
            copy(&base, &mem);
            copy(&base, &streamed);
        }
        let memory = load(&inputs(&files), &Needs::ingest()).and_then(|l| {
            let change = upsert_with(&mem, &l.loaded.frame, l.normaliser.as_deref(), &opts)?;
            Ok((change, l.loaded))
        });
        let batching = Batching { batch_bytes: batch, range_bytes: Some(batch / 3 + 1), bucket_rows: bucket };
        let stream = ingest(&inputs(&files), &streamed, &opts, batching);
        match (memory, stream) {
            (Ok((m_change, m_loaded)), Ok((s_change, s_loaded, _))) => {
                prop_assert_eq!(m_change, s_change);
                prop_assert_eq!(&m_loaded.rejects, &s_loaded.rejects);
                for (a, b) in m_loaded.files.iter().zip(&s_loaded.files) {
                    prop_assert_eq!((a.read, a.accepted, a.rejected), (b.read, b.accepted, b.rejected));
                    prop_assert_eq!((a.dates, a.date_order), (b.dates, b.date_order));
                    prop_assert_eq!(a.read, a.accepted + a.rejected);
                }
                let (m, s) = (store_bytes(&mem), store_bytes(&streamed));
                prop_assert_eq!(m.iter().map(|f| &f.0).collect::<Vec<_>>(), s.iter().map(|f| &f.0).collect::<Vec<_>>());
                if m != s && std::env::var("SITREP_KEEP_FAILED").is_ok() {
                    let keep = std::env::temp_dir().join("streamfail");
                    let _ = std::fs::remove_dir_all(&keep);
                    std::fs::create_dir_all(&keep).unwrap();
                    copy(dir.path(), &keep);
                }
                prop_assert!(m == s, "the stores differ");
            }
            // A file whose dates cannot be ordered is refused the same way.
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "in memory: {:?}; streamed: {:?}", a.map(|x| x.0), b.map(|x| x.0)),
        }
        // No working files are left beside the store.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        prop_assert!(left.is_empty(), "left behind: {:?}", left);
    }
}

/// `sitrep ingest` streams when told to (`--stream-above 0`), and says and
/// writes exactly what the in-memory ingest does: on the real UCDP file, a
/// tracker sheet with bad rows (rejects file included), then an update
/// with `--replace-source` into the store the first run wrote.
#[test]
fn the_ingest_command_streams_with_the_same_report_and_store() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().unwrap();
    let run = |store: &Path, rejects: &Path, extra: &[&str], files: &[PathBuf]| {
        let out = Command::cargo_bin("sitrep")
            .unwrap()
            .arg("ingest")
            .args(extra)
            .args(files)
            .arg("--store")
            .arg(store)
            .arg("--rejects")
            .arg(rejects)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
        (
            text.replace(&store.display().to_string(), "STORE").replace(&rejects.display().to_string(), "R"),
            std::fs::read(rejects).unwrap(),
        )
    };
    let first = [super::repo("data/ucdp_ged_syria_2016-2019.csv"), super::fixture("native_bad.csv")];
    let (mem, streamed) = (dir.path().join("mem.parquet"), dir.path().join("stream.parquet"));
    let (rm, rs) = (dir.path().join("rm.csv"), dir.path().join("rs.csv"));
    let a = run(&mem, &rm, &[], &first);
    let b = run(&streamed, &rs, &["--stream-above", "0"], &first);
    assert!(a.0.contains("read 16,566, accepted 16,566, rejected 0"), "{}", a.0);
    assert!(a.0.contains("read 11, accepted 4, rejected 7"), "{}", a.0);
    assert_eq!(a, b);
    assert_eq!(std::fs::read(&mem).unwrap(), std::fs::read(&streamed).unwrap());
    // A corrected sheet re-ingested: its earlier rows replaced as a whole.
    let sheet = dir.path().join("native_bad.csv");
    let text = std::fs::read_to_string(super::fixture("native_bad.csv")).unwrap();
    let kept: Vec<&str> = text.lines().take(4).collect();
    std::fs::write(&sheet, kept.join("\n") + "\n").unwrap();
    let a = run(&mem, &rm, &["--replace-source"], std::slice::from_ref(&sheet));
    let b = run(&streamed, &rs, &["--replace-source", "--stream-above", "0"], std::slice::from_ref(&sheet));
    assert_eq!(a, b);
    assert_eq!(std::fs::read(&mem).unwrap(), std::fs::read(&streamed).unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// A streamed `check` summarises what the in-memory one does: the same
    /// counts, rejects, dates, precision mix, empty cells, top actors,
    /// fatality figures and unmapped values, however the input is cut.
    #[test]
    fn streaming_check_summarises_what_the_in_memory_check_does(
        a in prop::collection::vec(row(), 0..200),
        b in prop::collection::vec(row(), 0..60),
        hashed in prop::collection::vec(row(), 0..40),
        batch in 200u64..3000,
        top in 1usize..6,
        clean in any::<bool>(),
    ) {
        let (mut a, mut b) = (a, b);
        if clean {
            // Ids that do not repeat and ISO dates: checked in one pass.
            let mut seen = std::collections::HashSet::new();
            for rows in [&mut a, &mut b] {
                rows.retain(|r| seen.insert(r.id));
                rows.iter_mut().for_each(|r| r.slash = false);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(p("a.csv"), file(&a, true, "T-")).unwrap();
        std::fs::write(p("b.csv"), file(&b, true, "T-")).unwrap();
        std::fs::write(p("c.csv"), file(&hashed, false, "")).unwrap();
        let mut given = inputs(&[p("a.csv"), p("b.csv"), p("c.csv")]);
        let (rm, rs) = (p("rm.csv"), p("rs.csv"));
        given.rejects = Some(rm.clone());
        let memory = load(&given, &Needs::rows().listing_unmapped()).and_then(|l| {
            let s = sitrep::query::summary::summarise(&l.loaded.frame, top)?;
            Ok((l.loaded, s, l.unmapped))
        });
        given.rejects = Some(rs.clone());
        let batching = Batching { batch_bytes: batch, range_bytes: Some(batch / 3 + 1), bucket_rows: 1 };
        let stream = check(&given, batching, top, true);
        match (memory, stream) {
            (Ok((ml, ms, mu)), Ok((sl, ss, su))) => {
                prop_assert_eq!(&ml.rejects, &sl.rejects);
                for (x, y) in ml.files.iter().zip(&sl.files) {
                    prop_assert_eq!((x.read, x.accepted, x.rejected), (y.read, y.accepted, y.rejected));
                    prop_assert_eq!((x.dates, x.date_order), (y.dates, y.date_order));
                }
                prop_assert_eq!(ms.rows, ml.accepted());
                prop_assert_eq!(ms, ss);
                prop_assert_eq!(mu, su);
                prop_assert_eq!(std::fs::read(&rm).unwrap(), std::fs::read(&rs).unwrap());
            }
            (Err(x), Err(y)) => prop_assert_eq!(x.to_string(), y.to_string()),
            (x, y) => prop_assert!(false, "in memory: {:?}; streamed: {:?}", x.map(|v| v.1), y.map(|v| v.1)),
        }
    }
}

/// `sitrep check` streams when told to (`--stream-above 0`) and prints what
/// the in-memory check prints, on the real UCDP file and a tracker sheet
/// with bad rows: the summary, the unmapped values, the rejects shown and
/// written, and the exit status. Its working files are removed.
#[test]
fn the_check_command_streams_with_the_same_report() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let run = |rejects: &Path, extra: &[&str], files: &[PathBuf]| {
        let out = Command::cargo_bin("sitrep")
            .unwrap()
            .env("TMPDIR", &tmp)
            .arg("check")
            .args(extra)
            .args(files)
            .args(["--unmapped", "--top", "7", "--rejects"])
            .arg(rejects)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
        (out.status.code(), text.replace(&rejects.display().to_string(), "R"), std::fs::read(rejects).unwrap())
    };
    let ucdp = super::repo("data/ucdp_ged_syria_2016-2019.csv");
    // A repeated id in the sheet: the streamed check takes three passes.
    let files = [ucdp.clone(), super::fixture("native_bad.csv")];
    let a = run(&dir.path().join("a.csv"), &[], &files);
    let b = run(&dir.path().join("b.csv"), &["--stream-above", "0"], &files);
    assert_eq!(a.0, Some(1), "{}", a.1);
    assert!(a.1.contains("read 16,566, accepted 16,566, rejected 0"), "{}", a.1);
    assert!(a.1.contains("unmapped target_type"), "{}", a.1);
    assert_eq!(a, b);
    // The UCDP file alone (unique ids, ISO dates): one pass.
    let a = run(&dir.path().join("a.csv"), &[], std::slice::from_ref(&ucdp));
    let b = run(&dir.path().join("b.csv"), &["--stream-above", "0"], std::slice::from_ref(&ucdp));
    assert_eq!(a.0, Some(0), "{}", a.1);
    assert_eq!(a, b);
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "working files left in TMPDIR");
}
