//! Issue 14: classification you can publish. Each case the issue lists, on
//! fixtures with real layouts and code values (made-up rows), and the
//! row-locality property: a row's categories depend on that row alone.

use assert_cmd::Command;
use polars::prelude::*;
use proptest::prelude::*;
use sitrep::ingest::{load_incidents, LoadOptions};
use sitrep::normalise::{Normaliser, EVENT_CLASS};
use sitrep::schema::col;

use super::fixture;

/// Each row's categories, by incident id.
type Cats = Vec<(String, Vec<Option<String>>)>;

/// The normalised categories of each row, by incident id.
fn categories(df: &DataFrame) -> Cats {
    let cols = [col::ACTOR, col::ACTOR_PARENT, col::TARGET, col::TARGET_TYPE, col::WEAPON, EVENT_CLASS];
    let id = df.column(col::INCIDENT_ID).unwrap().str().unwrap().clone();
    (0..df.height())
        .map(|i| {
            let values = cols
                .iter()
                .map(|c| match df.column(c) {
                    Ok(s) => s.str().unwrap().get(i).map(str::to_string),
                    Err(_) => None,
                })
                .collect();
            (id.get(i).unwrap().to_string(), values)
        })
        .collect()
}

fn row<'a>(cats: &'a [(String, Vec<Option<String>>)], id: &str) -> Vec<Option<&'a str>> {
    cats.iter().find(|(i, _)| i == id).unwrap_or_else(|| panic!("{id}")).1.iter().map(|v| v.as_deref()).collect()
}

fn normalised(files: &[std::path::PathBuf]) -> DataFrame {
    let l = load_incidents(files, &LoadOptions::default()).unwrap();
    Normaliser::load(&[], &[]).unwrap().apply(l.frame).unwrap().0
}

#[test]
fn issue_14_acled_weapons_targets_classes_and_actor_names() {
    let df = normalised(&[fixture("acled_iraq_syria_yemen.csv")]);
    let c = categories(&df);
    // (actor, actor_parent, target, target_type, weapon, event_class)
    let want: &[(&str, [Option<&str>; 6])] = &[
        // An air/drone strike is a drone because the notes say so; a facility in the notes is the target type.
        (
            "IRQ90001",
            [
                Some("Islamic Resistance in Iraq"),
                Some("Islamic Resistance in Iraq"),
                Some("Military Forces of United States"),
                Some("military base"),
                Some("drone/UAV"),
                Some("political violence"),
            ],
        ),
        // Warplanes and helicopters are aircraft, not drones; civilians are civilians.
        (
            "SYR90002",
            [
                Some("Military Forces of Syria"),
                Some("Government of Syria"),
                Some("Civilians"),
                Some("civilian"),
                Some("aircraft"),
                Some("political violence"),
            ],
        ),
        (
            "SYR90003",
            [
                Some("Military Forces of Russia"),
                Some("Government of Russia (Soviet Union)"),
                Some("HTS"),
                Some("rebel group"),
                Some("aircraft"),
                Some("political violence"),
            ],
        ),
        // Not said: an air strike, whatever the value's own word "drone".
        (
            "SYR90004",
            [
                Some("Military Forces of Turkey"),
                Some("Government of Turkey"),
                Some("SDF"),
                Some("rebel group"),
                Some("air strike (unspecified)"),
                Some("political violence"),
            ],
        ),
        (
            "IRQ90005",
            [
                Some("Islamic Resistance in Iraq"),
                Some("Islamic Resistance in Iraq"),
                Some("Global Coalition Against Daesh"),
                Some("airport"),
                Some("rocket"),
                Some("political violence"),
            ],
        ),
        (
            "SYR90006",
            [
                Some("Military Forces of Syria"),
                Some("Government of Syria"),
                Some("Syrian insurgents"),
                Some("rebel group"),
                Some("artillery"),
                Some("political violence"),
            ],
        ),
        // Protests, riots and strategic developments are not attacks: no weapon, no target type.
        ("IRQ90007", [Some("Protesters"), Some("Protesters"), None, None, Some("none"), Some("demonstration")]),
        (
            "IRQ90008",
            [
                Some("Rioters"),
                Some("Rioters"),
                Some("Police Forces of Iraq"),
                None,
                Some("none"),
                Some("demonstration"),
            ],
        ),
        (
            "SYR90009",
            [
                Some("Islamic Revolutionary Guard Corps"),
                Some("Government of Iran"),
                None,
                None,
                Some("none"),
                Some("strategic development"),
            ],
        ),
        (
            "SYR90010",
            [
                Some("Military Forces of Syria"),
                Some("Government of Syria"),
                None,
                None,
                Some("none"),
                Some("strategic development"),
            ],
        ),
        // A unit named after the period suffix is that group when the table knows it.
        (
            "IRQ90011",
            [
                Some("Popular Mobilization Forces"),
                Some("Government of Iraq"),
                Some("IS"),
                Some("rebel group"),
                Some("small arms"),
                Some("political violence"),
            ],
        ),
        (
            "YEM90012",
            [
                Some("Houthis"),
                Some("Houthis"),
                Some("Military Forces of Yemen: Amajid Brigade"),
                Some("state forces"),
                Some("mortar"),
                Some("political violence"),
            ],
        ),
        (
            "YEM90013",
            [
                Some("Al Hayash Tribal Militia"),
                Some("Tribal militias"),
                Some("Civilians"),
                Some("civilian"),
                Some("small arms"),
                Some("political violence"),
            ],
        ),
        (
            "IRQ90014",
            [
                Some("Unidentified armed group"),
                Some("Unidentified armed group"),
                Some("Private security forces"),
                Some("convoy/logistics"),
                Some("IED"),
                Some("political violence"),
            ],
        ),
    ];
    for (id, w) in want {
        assert_eq!(row(&c, id), w.to_vec(), "{id}");
    }
    // Every actor and target maps, and demonstrations do not fail --strict.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["check", "--strict", "--unmapped"])
        .arg(fixture("acled_iraq_syria_yemen.csv"))
        .assert()
        .success()
        .stdout(predicates::str::contains("unmapped actor: 0 values on 0 rows"));
    // Attacks without protests, with one filter: 10 of the 14 rows.
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--where", "event_class=political violence", "--format", "csv"])
        .arg(fixture("acled_iraq_syria_yemen.csv"))
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().lines().nth(1).unwrap().ends_with(",10"));
}

#[test]
fn issue_14_exact_values_are_never_overridden_by_keywords() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tracker.csv");
    // GTD-style exact target types whose notes carry misleading words, and a tracker with none.
    std::fs::write(
        &data,
        "incident_id,date,actor,target_type,weapon,notes\n\
         G1,2019-05-01,IS,Business,Firearms,Police arrested two men after the nightclub shooting.\n\
         G2,2019-05-02,IS,Private Citizens & Property,Explosives,A bomb went off at the base of one of the towers.\n\
         G3,2019-05-03,IS,Other,Explosives,A rocket hit the oil refinery.\n\
         G4,2019-05-04,IS,,,Two one-way attack drones targeted Tower 22 base.\n",
    )
    .unwrap();
    let c = categories(&normalised(&[data]));
    assert_eq!(row(&c, "G1")[3..5], [Some("business"), Some("small arms")]);
    // A catch-all weapon ("Explosives") is decided by the notes; an exact target type is not.
    assert_eq!(row(&c, "G2")[3..5], [Some("civilian"), Some("other/unknown")]);
    assert_eq!(row(&c, "G3")[3..5], [Some("energy/oil site"), Some("rocket")]);
    // No target type or weapon column value: the notes decide, for the target type too.
    assert_eq!(row(&c, "G4")[3..5], [Some("military base"), Some("drone/UAV")]);
}

#[test]
fn issue_14_joint_claims_are_split_everywhere_lulls_included() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("claims.csv");
    std::fs::write(
        &data,
        "Date,Claimed by,Target/Base\n\
         2024-01-02,IRI; Kataib Hezbollah,Tower 22\n\
         2024-01-05,IRI / Harakat al-Nujaba,Al-Tanf Garrison\n\
         2024-01-09,KH & Nujaba,Erbil Air Base\n\
         2024-01-12,Kataib Hezbollah and Harakat al-Nujaba,Ain al-Asad\n\
         2024-01-20,Islamic Resistance in Iraq,Ain al-Asad\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("sitrep").unwrap().args(args).arg(&data).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let counts = run(&["agg", "--by", "actor", "--split-actors", "--format", "csv", "--sort", "name"]);
    let rows: Vec<&str> = counts.lines().skip(1).map(|l| l.split_once(',').unwrap().1).collect();
    assert_eq!(
        rows,
        ["Harakat Hezbollah al-Nujaba,3", "Islamic Resistance in Iraq,3", "Kataib Hezbollah,3"],
        "{counts}"
    );
    // Kataib Hezbollah's last attack is the joint claim of 12 January, not 2 January.
    let lulls = run(&["agg", "--lull", "--by", "actor", "--split-actors", "--as-of", "2024-01-31", "--format", "csv"]);
    assert!(lulls.lines().any(|l| l.starts_with("Kataib Hezbollah,3,2024-01-02,2024-01-12,19,")), "{lulls}");
}

/// A pool of rows from every layout, including ACLED rows without a
/// sub_event_type (whose weapon only the notes can give) and rows whose
/// target type column is empty.
fn pool() -> DataFrame {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("acled_bare.csv");
    let text = std::fs::read_to_string(fixture("acled_iraq_syria_yemen.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for (i, l) in lines.take(2).enumerate() {
        // Same rows with a new id, no sub_event_type and no inter2: only the notes can decide.
        let mut f: Vec<String> = l.split(',').map(String::from).collect();
        f[0] = format!("BARE{i}");
        f[6] = String::new();
        f[12] = String::new();
        out.push_str(&f.join(","));
        out.push('\n');
    }
    std::fs::write(&bare, out).unwrap();
    let files = [fixture("acled_iraq_syria_yemen.csv"), fixture("gtd.csv"), fixture("militia_tracker.csv"), bare];
    load_incidents(&files, &LoadOptions::default()).unwrap().frame
}

/// The pool, and each of its rows normalised alone (computed once).
fn oracle() -> &'static (DataFrame, Cats) {
    static ORACLE: std::sync::OnceLock<(DataFrame, Cats)> = std::sync::OnceLock::new();
    ORACLE.get_or_init(|| {
        let all = pool();
        let n = Normaliser::load(&[], &[]).unwrap();
        let alone = (0..all.height()).flat_map(|i| categories(&n.apply(all.slice(i as i64, 1)).unwrap().0)).collect();
        (all, alone)
    })
}

/// Normalise the pool's rows `idx` together; every row must come out as it does alone.
fn same_as_alone(idx: Vec<IdxSize>) -> Result<(), TestCaseError> {
    let (all, alone) = oracle();
    let subset = all.take(&IdxCa::from_vec("i".into(), idx)).unwrap();
    let n = Normaliser::load(&[], &[]).unwrap();
    for (id, cats) in categories(&n.apply(subset).unwrap().0) {
        let want = &alone.iter().find(|(i, _)| *i == id).unwrap().1;
        prop_assert_eq!(&cats, want, "row {} changed with the company it keeps", id);
    }
    Ok(())
}

#[test]
fn issue_14_the_reported_case_a_row_without_a_weapon_value_beside_one_with() {
    // The rows of the report: bare ACLED rows, alone and beside a row with a sub_event_type.
    let (all, _) = oracle();
    let ids = all.column(col::INCIDENT_ID).unwrap().str().unwrap().clone();
    let at = |id: &str| ids.iter().position(|v| v == Some(id)).unwrap() as IdxSize;
    same_as_alone(vec![at("BARE0"), at("BARE1"), at("SYR90006")]).unwrap();
    same_as_alone(vec![at("IRQ90001"), at("BARE1")]).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn issue_14_a_rows_categories_do_not_depend_on_the_other_rows(
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 1..8)
    ) {
        let n = oracle().0.height();
        // A shuffled subset, with repeats (padding), normalised together.
        same_as_alone(picks.iter().map(|p| p.index(n) as IdxSize).collect())?;
    }
}

/// Rows with a value and rows with an unmapped value, from `check --unmapped`'s output and the loaded frame.
fn coverage(file: &std::path::Path, column: &str) -> (u64, u64) {
    let l = load_incidents(&[file.to_path_buf()], &LoadOptions::default()).unwrap();
    let (df, unmapped) = Normaliser::load(&[], &[]).unwrap().apply(l.frame).unwrap();
    let with_value = (df.height() - df.column(column).unwrap().null_count()) as u64;
    (with_value, unmapped.rows(column))
}

#[test]
fn issue_14_actor_and_target_coverage_on_iraq_syria_yemen_exports() {
    // Made-up ACLED rows with the codebook's actor names, and real GDELT events (credit: The GDELT Project).
    for (file, actors, targets) in
        [(fixture("acled_iraq_syria_yemen.csv"), 1.0, 1.0), (fixture("gdelt2_iraq_syria_yemen.export.CSV"), 0.95, 0.95)]
    {
        let (n, miss) = coverage(&file, col::ACTOR);
        assert!(1.0 - miss as f64 / n as f64 >= actors, "{}: {miss} of {n} actor rows unmapped", file.display());
        let (n, miss) = coverage(&file, col::TARGET);
        assert!(1.0 - miss as f64 / n as f64 >= targets, "{}: {miss} of {n} target rows unmapped", file.display());
    }
    // GDELT's names for the United States and its codes map to one state actor, its forces under it.
    let l = load_incidents(&[fixture("gdelt2_iraq_syria_yemen.export.CSV")], &LoadOptions::default()).unwrap();
    let df = Normaliser::load(&[], &[]).unwrap().apply(l.frame).unwrap().0;
    let raw = df.column("actor_raw").unwrap().str().unwrap().clone();
    let parent = df.column(col::ACTOR_PARENT).unwrap().str().unwrap().clone();
    let us: Vec<Option<&str>> = (0..df.height())
        .filter(|&i| raw.get(i).is_some_and(|r| r.contains("United States")))
        .map(|i| parent.get(i))
        .collect();
    assert!(!us.is_empty() && us.iter().all(|p| *p == Some("Government of United States of America")), "{us:?}");
}

#[test]
fn issue_14_where_matches_as_people_type_and_says_what_is_close() {
    let data = fixture("tracker_lull.csv");
    // Independently: rows per "Claimed by" value, and empty ones.
    let text = std::fs::read_to_string(&data).unwrap();
    let claimed = |v: &str| text.lines().skip(1).filter(|l| l.split(',').nth(3) == Some(v)).count();
    let total = |out: &std::process::Output| -> usize {
        let t = String::from_utf8(out.stdout.clone()).unwrap();
        t.lines().nth(1).map_or(0, |l| l.rsplit(',').next().unwrap().parse().unwrap())
    };
    let run = |w: &str| {
        Command::cargo_bin("sitrep")
            .unwrap()
            .args(["agg", "--format", "csv", "--where", w])
            .arg(&data)
            .output()
            .unwrap()
    };
    // An alias, any case and accents: the canonical group.
    for w in ["actor=KH", "actor=kataib hizballah", "actor=KATA'IB HEZBOLLAH"] {
        let out = run(w);
        assert!(out.status.success());
        assert_eq!(total(&out), claimed("Kataib Hezbollah"), "{w}");
    }
    assert_eq!(total(&run("actor=(unknown)")), claimed(""));
    // Nothing matches: exit 0, a note with the closest value.
    let out = run("actor=Katib");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--where actor=Katib matches no value; closest: Kataib Hezbollah"));
    // An unknown --by column suggests the nearest name.
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by", "actr"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown column \"actr\" (did you mean \"actor\"?)"));
}

#[test]
fn issue_14_claims_are_a_series_claimed_attributed_unclaimed_disputed_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("claims.csv");
    // A tracker whose "Claimed by" column is the claim: empty, "unclaimed" or "none" is no claim.
    std::fs::write(
        &data,
        "Date,Claimed by,Attributed to,Target\n\
         2024-01-01,IRI,,Tower 22\n\
         2024-01-02,,Kataib Hezbollah,Al-Tanf Garrison\n\
         2024-01-03,unclaimed,,Erbil Air Base\n\
         2024-01-04,None,,Erbil Air Base\n\
         2024-01-05,,,Ain al-Asad\n",
    )
    .unwrap();
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by", "claimed,actor", "--format", "csv", "--sort", "name"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).map(|l| l.split_once(',').unwrap().1).collect();
    // "unclaimed" and "None" are no group: the actor is unknown, not a group called "None".
    assert_eq!(rows, ["attributed,,1", "claimed,Islamic Resistance in Iraq,1", "unclaimed,,3"], "{text}");
    // A claimed column of its own, in the words sheets use; GTD's 1/0/-9 codes.
    let sheet = dir.path().join("sheet.csv");
    std::fs::write(
        &sheet,
        "Date,Group,Claim,Target\n2024-01-01,KH,yes,Tower 22\n2024-01-02,KH,denied,Erbil\n2024-01-03,KH,,Erbil\n",
    )
    .unwrap();
    let c = categories_with_claims(&sheet);
    assert_eq!(c, [Some("claimed".to_string()), Some("disputed".to_string()), None]);
    let gtd = categories_with_claims(&fixture("gtd.csv"));
    assert!(gtd.iter().all(|v| matches!(v.as_deref(), None | Some("claimed") | Some("unclaimed"))), "{gtd:?}");
    // On a chart, unclaimed is a grey with a readable label, never a strong colour.
    let svg = dir.path().join("claims.svg");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--every", "week", "--by", "claimed", "--kind", "stacked", "--out"])
        .arg(&svg)
        .arg(&data)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains(">\nUnclaimed\n<") && svg.contains("#7A7A7A"), "unclaimed is labelled and grey");
}

fn categories_with_claims(file: &std::path::Path) -> Vec<Option<String>> {
    let l = load_incidents(&[file.to_path_buf()], &LoadOptions::default()).unwrap();
    let df = Normaliser::load(&[], &[]).unwrap().apply(l.frame).unwrap().0;
    df.column(col::CLAIMED).unwrap().str().unwrap().iter().map(|v| v.map(str::to_string)).collect()
}

#[test]
fn issue_14_gtd_subtypes_are_exact_and_keywords_decide_only_catch_alls() {
    // The GTD fixture's layout with the weapon subtypes and summaries set per row.
    let dir = tempfile::tempdir().unwrap();
    let mut rdr = csv::Reader::from_path(fixture("gtd.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    let at = |n: &str| header.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let path = dir.path().join("gtd_subtypes.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&header).unwrap();
    let cases = [
        ("Projectile (rockets, mortars, RPGs, etc.)", "Mortar rounds hit the base.", "Military"),
        ("Vehicle", "A car bomb exploded near a drone workshop.", "Business"),
        ("Unknown Explosive Type", "A rocket struck the compound.", "Police"),
        ("", "Police arrested two men after the nightclub attack at the base of the tower.", "Business"),
    ];
    for (i, (sub, summary, target)) in cases.iter().enumerate() {
        let mut r: Vec<String> = rows[0].iter().map(String::from).collect();
        r[at("eventid")] = format!("2019000000{i}");
        r[at("weapsubtype1_txt")] = sub.to_string();
        r[at("summary")] = summary.to_string();
        r[at("targtype1_txt")] = target.to_string();
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let c = categories(&normalised(&[path]));
    let got: Vec<[Option<&str>; 2]> = c.iter().map(|(_, v)| [v[3].as_deref(), v[4].as_deref()]).collect();
    assert_eq!(
        got,
        [
            // A projectile: the summary says which; the exact target type stands.
            [Some("military base"), Some("mortar")],
            // An exact subtype is not overridden by "drone" in the summary.
            [Some("business"), Some("IED")],
            // A catch-all subtype is decided by the summary.
            [Some("government"), Some("rocket")],
            // No subtype: the type, "Explosives", a catch-all; "Business" is not made government or a base.
            [Some("business"), Some("other/unknown")],
        ]
    );
}

#[test]
fn issue_14_separators_per_mapping_and_chart_labels_are_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sheet.csv");
    std::fs::write(&data, "When,Who\n2024-01-02,KH + Nujaba\n2024-01-03,IRI\n2024-01-04,\n").unwrap();
    let mapping = dir.path().join("m.toml");
    std::fs::write(&mapping, "actor_separators = [\" + \"]\n[columns]\ndate = \"When\"\nactor = \"Who\"\n").unwrap();
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by", "actor", "--split-actors", "--format", "csv", "--sort", "name", "--mapping"])
        .arg(&mapping)
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(names, ["Harakat Hezbollah al-Nujaba", "Islamic Resistance in Iraq", "Kataib Hezbollah", ""], "{text}");
    // Labels: a value shown under the label a publication wants, still grey.
    let svg = dir.path().join("c.svg");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--every", "week", "--by", "actor", "--label", "(unknown)=Not recorded", "--out"])
        .arg(&svg)
        .arg("--mapping")
        .arg(&mapping)
        .arg(&data)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains(">\nNot recorded\n<") && svg.contains("#C4C4C4") && !svg.contains(">\n(unknown)\n<"));
    let config = dir.path().join("s.toml");
    std::fs::write(
        &config,
        format!(
            "[data]\nfiles = [{data:?}]\nmapping = {mapping:?}\n[report]\nlabels = {{ \"(unknown)\" = \"Not recorded\" }}\n\
             [[chart]]\nname = \"c\"\nkind = \"stacked\"\nevery = \"week\"\nby = [\"actor\"]\nformats = [\"svg\"]\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("r");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["report", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(std::fs::read_to_string(out.join("c.svg")).unwrap().contains(">\nNot recorded\n<"));
}

#[test]
fn issue_14_review_joint_cells_placeholders_and_commands_agree() {
    use sitrep::normalise::{AliasTable, DEFAULT_ALIASES};
    let t = AliasTable::from_toml(DEFAULT_ALIASES, std::path::Path::new("data/aliases.toml")).unwrap();
    // A joint cell is split before any convention reads it as one name.
    let (r, known) = t.resolve("Kataib Hezbollah, QSD: Syrian Democratic Forces");
    assert_eq!((r.name.as_str(), known), ("Kataib Hezbollah, SDF", true));
    let (r, _) = t.resolve("Military Forces of Iraq (2018-); Popular Mobilization Forces");
    assert_eq!(r.name, "Military Forces of Iraq, Popular Mobilization Forces");
    // A loose separator splits only when every part is a known group, not a country word.
    let (r, known) = t.resolve("Islamic State in Iraq and Syria");
    assert_eq!((r.name.as_str(), known), ("Islamic State in Iraq and Syria", false));
    // "the United Kingdom" and GDELT's "United Kingdom" are one state.
    assert_eq!(t.resolve("Military Forces of the United Kingdom (2010-)").0.parent, "Government of United Kingdom");
    assert_eq!(sitrep::ingest::cameo::actor("SYRREBMIL", "", "").as_deref(), Some("Rebels (Syria)"));
    assert_eq!(sitrep::ingest::cameo::actor("ÄBÇMIL", "", "x").as_deref(), Some("x"));

    // Protests have no target type whether or not the command asks for the event class.
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by", "target_type", "--where", "weapon=none", "--format", "csv"])
        .arg(fixture("acled_iraq_syria_yemen.csv"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(rows.len() == 1 && rows[0].ends_with(",,4"), "the four non-attacks have no target type: {text}");

    // A placeholder in "Attributed to" names nobody.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("t.csv");
    std::fs::write(
        &data,
        "Date,Claimed by,Attributed to\n2024-01-02,,-\n2024-01-03,,N/A\n2024-01-04,, \n2024-01-05,,KH\n",
    )
    .unwrap();
    let out = Command::cargo_bin("sitrep")
        .unwrap()
        .args(["agg", "--by", "claimed", "--format", "csv", "--sort", "name"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).map(|l| l.split_once(',').unwrap().1).collect();
    assert_eq!(rows, ["attributed,1", "unclaimed,3"], "{text}");
}
