//! A bounded-time fuzzer over the ingest path (cargo-fuzz needs a nightly
//! compiler; this runs on stable, inside `cargo test`).
//!
//! It mutates the fixture files byte by byte (flips, CSV-significant tokens,
//! cut ranges, repeated ranges, truncation) and loads each result with the
//! sequential and the parallel reader, then runs a weekly query. Checked:
//! no panic, `read = accepted + rejected`, both readers agree exactly, and the
//! query's incidents plus its unplaced ones never exceed the rows accepted.
//!
//! `cargo test` runs it for 3 seconds. A long run:
//!
//! ```sh
//! SITREP_FUZZ_SECONDS=600 cargo test --release --test it fuzz -- --nocapture
//! ```
//!
//! A long run saves any failing input under tests/data/fuzz/, where every
//! later run replays it first (the saved inputs are regression tests).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sitrep::ingest::{load_incidents, LoadOptions};
use sitrep::query::spec::Query;

use super::repo;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b"\n",
    b"\r",
    b"\r\n",
    b",",
    b";",
    b"\t",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\0",
    b"NA",
    b"-1",
    b"1e308",
    b"99999999999999999999",
    b"9999-12-31",
    b"0000-00-00",
    b"2024-02-30",
    b"=cmd",
    b"day",
    b"year",
    b"incident_id",
    b"date",
    b",,,,,,,,,,,,,,,,,,,,",
    b"\\",
];

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            2 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(200)).min(b.len());
                let copy = b[at..end].to_vec();
                let to = rng.below(b.len() + 1);
                b.splice(to..to, copy);
            }
            4 => b.truncate(at),
            _ => {
                let i = rng.below(b.len() + 1);
                b.insert(i.min(b.len()), b'"');
            }
        }
    }
    b
}

/// Load `bytes` both ways and query them; `Err` describes a broken invariant or a panic.
fn check(bytes: &[u8], dir: &Path) -> Result<(), String> {
    let path = dir.join("f.csv");
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let run = || -> Result<(), String> {
        let seq = load_incidents(std::slice::from_ref(&path), &LoadOptions::default());
        // Ranges of 64 bytes, split by `plain` where the text allows and by the csv crate otherwise.
        let opts = LoadOptions { range_bytes: Some(64), ..Default::default() };
        let par = load_incidents(std::slice::from_ref(&path), &opts);
        // The same ranges, all by the csv crate.
        let opts = LoadOptions { range_bytes: Some(64), precise_reader: true, ..Default::default() };
        let precise = load_incidents(std::slice::from_ref(&path), &opts);
        let (seq, par, precise) = match (seq, par, precise) {
            (Ok(s), Ok(p), Ok(c)) => (s, p, c),
            (Err(a), Err(b), Err(c)) if a.to_string() == b.to_string() && b.to_string() == c.to_string() => {
                return Ok(())
            }
            (a, b, c) => return Err(format!("readers disagree: {:?} / {:?} / {:?}", a.err(), b.err(), c.err())),
        };
        if par.rejects != precise.rejects
            || !par.frame.equals_missing(&precise.frame)
            || format!("{:?}", par.files) != format!("{:?}", precise.files)
        {
            return Err("plain splitting and the csv crate differ".into());
        }
        if seq.read() != seq.accepted() + seq.rejected() || seq.frame.height() as u64 != seq.accepted() {
            return Err(format!("counts do not add up: {:?}", seq.files));
        }
        if seq.rejects != par.rejects || !seq.frame.equals_missing(&par.frame) {
            return Err("parallel and sequential readers differ".into());
        }
        let q = Query {
            every: Some(sitrep::query::period::Period::Week { start: chrono::Weekday::Mon }),
            ..Default::default()
        };
        if let Ok((agg, _)) = sitrep::query::run(seq.lazy(), &q) {
            let unplaced: u64 = agg.unplaced.iter().map(|(_, n)| n).sum();
            if agg.incidents + unplaced > seq.accepted() {
                return Err(format!("query counts {} + {unplaced} of {} rows", agg.incidents, seq.accepted()));
            }
        }
        Ok(())
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(r) => r,
        Err(p) => Err(format!(
            "panic: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

fn seeds() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["tests/data", "tests/data/hostile", "tests/data/fuzz"] {
        let Ok(entries) = std::fs::read_dir(repo(dir)) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let ok = p.extension().is_some_and(|x| x == "csv" || x == "CSV" || x == "ndjson");
            if p.is_file() && ok {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

#[test]
fn fuzz_ingest() {
    let seconds: u64 = std::env::var("SITREP_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let long = std::env::var("SITREP_FUZZ_SECONDS").is_ok();
    let seed: u64 = std::env::var("SITREP_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed);
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<(PathBuf, Vec<u8>)> =
        seeds().into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    // Saved failures and the seeds themselves first.
    for (p, bytes) in &inputs {
        if let Err(e) = check(bytes, dir.path()) {
            panic!("{}: {e}", p.display());
        }
    }
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut cases = 0u64;
    while Instant::now() < deadline {
        let (_, base) = &inputs[rng.below(inputs.len())];
        let bytes = mutate(base, &mut rng);
        cases += 1;
        if let Err(e) = check(&bytes, dir.path()) {
            let name = format!("crash-{:016x}.csv", xxhash_rust::xxh3::xxh3_64(&bytes));
            let saved = if long { repo("tests/data/fuzz") } else { dir.path().to_path_buf() }.join(&name);
            let _ = std::fs::create_dir_all(saved.parent().unwrap());
            let _ = std::fs::write(&saved, &bytes);
            panic!("case {cases}: {e} (input saved to {})", saved.display());
        }
    }
    eprintln!("fuzz_ingest: {cases} cases in {seconds} s, seed {seed}, no failure");
}
