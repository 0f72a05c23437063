//! Hostile input: every file of tests/data/hostile/ (plus cases built here
//! that are too large or too odd to commit) goes through `check`, `agg`,
//! `chart` and `weekly`. None may panic (exit 101), every failure says which
//! file, and `check`'s counts add up: read = accepted + rejected.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use polars::prelude::*;

use super::{fixture, repo};

fn sitrep() -> Command {
    Command::cargo_bin("sitrep").unwrap()
}

/// The generated cases, written into `dir`.
fn generated(dir: &Path) -> Vec<PathBuf> {
    let header = "incident_id,date,actor,fatalities,notes\n";
    let mut out = Vec::new();

    let big = dir.join("ten_mb_field.csv");
    let mut f = std::fs::File::create(&big).unwrap();
    write!(f, "{header}B1,2024-01-28,Kataib Hezbollah,1,\"").unwrap();
    f.write_all(&vec![b'x'; 10 << 20]).unwrap();
    writeln!(f, "\"\nB2,2024-01-29,Nujaba,2,short").unwrap();
    out.push(big);

    let wide = dir.join("hundred_thousand_columns.csv");
    let names: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let values: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    std::fs::write(&wide, format!("incident_id,date,{}\nW1,2024-01-28,{}\n", names.join(","), values.join(",")))
        .unwrap();
    out.push(wide);

    // A Parquet file with the canonical names but the wrong types.
    let typed = dir.join("wrong_types.parquet");
    let mut df = df!(
        "incident_id" => [1i64, 2],
        "date" => ["yesterday", "2024-01-28"],
        "actor" => [3.5f64, 4.5],
        "fatalities" => ["many", "2"],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&typed).unwrap()).finish(&mut df).unwrap();
    out.push(typed);

    // A real store, cut in half.
    let store = dir.join("store.parquet");
    sitrep().args(["gen", "--rows", "2000", "--seed", "3", "--out"]).arg(&store).assert().success();
    let bytes = std::fs::read(&store).unwrap();
    let cut = dir.join("truncated.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    out.push(cut);

    // A gzip stream cut short.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(fixture("native.csv")).unwrap().repeat(50)).unwrap();
    let gz = gz.finish().unwrap();
    let cut_gz = dir.join("truncated.csv.gz");
    std::fs::write(&cut_gz, &gz[..gz.len() / 2]).unwrap();
    out.push(cut_gz);

    let folder = dir.join("a_directory.csv");
    std::fs::create_dir(&folder).unwrap();
    out.push(folder);

    #[cfg(unix)]
    {
        let a = dir.join("loop_a.csv");
        let b = dir.join("loop_b.csv");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        out.push(a);
    }
    out.push(dir.join("does_not_exist.csv"));
    out
}

fn corpus(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("tests/data/hostile"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.extend(generated(dir));
    files
}

/// (read, accepted, rejected) from `check`'s summary.
fn counts(stdout: &str) -> Option<(u64, u64, u64)> {
    let line = stdout.lines().find(|l| l.trim_start().starts_with("rows "))?;
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit() && c != ',')
        .filter(|s| !s.is_empty() && s.chars().any(|c| c.is_ascii_digit()))
        .map(|s| s.replace(',', "").parse().unwrap())
        .collect();
    (nums.len() == 3).then(|| (nums[0], nums[1], nums[2]))
}

#[test]
fn every_hostile_file_is_refused_or_counted_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for file in corpus(dir.path()) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let out = dir.path().join(format!("{name}.svg"));
        let cfg = dir.path().join(format!("{name}.toml"));
        std::fs::write(&cfg, format!("[data]\nfiles = [{:?}]\n\n[weekly]\nout = \"reports\"\n", file.display()))
            .unwrap();
        let runs: Vec<(&str, Vec<String>)> = vec![
            ("check", vec!["check".into(), file.display().to_string()]),
            ("agg", vec!["agg".into(), "--every".into(), "month".into(), file.display().to_string()]),
            (
                "chart",
                vec!["chart".into(), "--every".into(), "week".into(), "--out".into(), out.display().to_string()]
                    .into_iter()
                    .chain([file.display().to_string()])
                    .collect(),
            ),
            (
                "weekly",
                vec!["weekly", "--as-of", "2024-02-04", "--quiet", "--config"]
                    .into_iter()
                    .map(String::from)
                    .chain([
                        cfg.display().to_string(),
                        "--out".into(),
                        dir.path().join("reports").display().to_string(),
                    ])
                    .collect(),
            ),
        ];
        for (cmd, args) in runs {
            let o = sitrep().args(&args).output().unwrap();
            let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            let code = o.status.code();
            assert!(matches!(code, Some(0) | Some(1)), "{cmd} {name}: exit {code:?}\n{stderr}");
            assert!(!stderr.contains("panicked"), "{cmd} {name}: {stderr}");
            if code == Some(1) {
                assert!(!stderr.trim().is_empty(), "{cmd} {name}: exit 1 without a message");
            }
            if stderr.contains("rows were rejected") {
                // The first rejects are shown with their file and row.
                assert!(stderr.contains(&format!("{name}: row ")), "{cmd} {name}: {stderr}");
            }
            if cmd == "check" {
                match counts(&stdout) {
                    Some((read, accepted, rejected)) => {
                        assert_eq!(read, accepted + rejected, "{name}: {stdout}");
                        if rejected > 0 {
                            // Each reject names the file, its row and (where one is at fault) the column.
                            assert!(stderr.contains(&name) && stderr.contains("row "), "{name}: {stderr}");
                        }
                    }
                    None => assert!(code == Some(1) && stderr.contains(&name), "{name}: no counts and {stderr}"),
                }
            }
        }
    }
}

#[test]
fn hostile_values_are_rejected_with_their_row_column_and_value() {
    let expect = [
        ("dates.csv", "row 1 (line 2), column \"date\", value \"0025-01-01\""),
        ("dates.csv", "row 2 (line 3), column \"date\", value \"9999-12-31\""),
        ("dates.csv", "row 3 (line 4), column \"date\", value \"2023-02-30\""),
        ("dates.csv", "row 4 (line 5), column \"date\", value \"2023-13-01\""),
        ("dates.csv", "row 5 (line 6), column \"date\", value \"next tuesday\""),
        ("fatalities.csv", "row 1 (line 2), column \"fatalities\", value \"-3\": negative count"),
        ("fatalities.csv", "row 2 (line 3), column \"fatalities\", value \"2.5\": not a whole number"),
        ("fatalities.csv", "row 3 (line 4), column \"fatalities\", value \"1000000000000\": implausibly large"),
        ("duplicate_ids.csv", "row 2 (line 3), column \"incident_id\", value \"X1\": duplicate incident_id"),
        ("duplicate_ids.csv", "with different content; the first is kept"),
        ("invalid_utf8.csv", "row 2 (line 3), column \"actor\""),
        ("ragged.csv", "row 2 (line 3)"),
        ("unterminated_quote.csv", "row 1 (line 2), value \"Q1\": unterminated quote"),
        ("unterminated_quote.csv", "(1 more line) was read into it"),
    ];
    for (file, message) in expect {
        // Issue 13: by default rows that are not UTF-8 are read as Windows-1252; strict UTF-8 rejects them.
        let strict: &[&str] = if file == "invalid_utf8.csv" { &["--encoding", "utf8"] } else { &[] };
        let o = sitrep().arg("check").args(strict).arg(repo("tests/data/hostile").join(file)).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{file}");
        assert!(stderr.contains(message), "{file}: expected {message:?} in\n{stderr}");
    }
    let o = sitrep().arg("check").arg(repo("tests/data/hostile/duplicate_header.csv")).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("column \"date\" appears 2 times"));
}

#[test]
fn csv_output_defuses_spreadsheet_formulas_unless_asked_not_to() {
    let file = repo("tests/data/hostile/formula_injection.csv");
    let safe = sitrep().args(["agg", "--by", "actor", "--format", "csv"]).arg(&file).output().unwrap();
    let safe = String::from_utf8(safe.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(safe.as_bytes());
    let actors: Vec<String> = rdr.records().map(|r| r.unwrap()[1].to_string()).collect();
    assert!(!actors.is_empty());
    for a in &actors {
        let first = a.chars().next().unwrap();
        assert!(!matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r'), "{a:?} would run as a formula");
    }
    assert!(actors.iter().any(|a| a.starts_with("'=HYPERLINK")), "{actors:?}");
    let raw =
        sitrep().args(["agg", "--by", "actor", "--format", "csv", "--no-csv-escape"]).arg(&file).output().unwrap();
    assert!(String::from_utf8(raw.stdout).unwrap().contains("\n2024-01-28,\"=HYPERLINK"), "raw output keeps the value");
    // Markdown: pipes, markup and newlines cannot break the table.
    let md = sitrep().args(["agg", "--by", "notes", "--format", "md"]).arg(&file).output().unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        !md.contains("<script>") && md.lines().all(|l| l.is_empty() || l.starts_with('|') || l.starts_with("note"))
    );
}

#[test]
fn a_file_too_large_for_memory_is_refused_before_loading() {
    sitrep()
        .env("SITREP_MEMORY_BYTES", "1000")
        .arg("check")
        .arg(fixture("native.csv"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("native.csv: is too large to load here"));
}

#[test]
fn weekly_markdown_escapes_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sitrep.toml");
    let data = repo("tests/data/hostile/formula_injection.csv");
    std::fs::write(&cfg, format!("[data]\nfiles = [{:?}]\n", data.display())).unwrap();
    sitrep()
        .args(["weekly", "--week", "2024-W05", "--quiet", "--config"])
        .arg(&cfg)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("2024-W05/summary.md")).unwrap();
    assert!(md.contains(r"+cmd\|' /C calc'!A0"), "the pipe in the actor name is escaped:\n{md}");
    for line in md.lines().filter(|l| l.starts_with('|')) {
        // Every table row has as many unescaped separators as the header of its table.
        assert!(!line.contains('\t') && !line.contains('\r'), "{line:?}");
    }
    assert!(!md.contains("<script>"));
}
