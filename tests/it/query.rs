//! Query engine tests on the real UCDP Syria file: weekly and monthly counts
//! per actor against figures computed independently (Python's csv module, and
//! a naive model below that reads the CSV without polars or sitrep's loader).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use sitrep::ingest::{load_incidents, LoadOptions, Loaded};
use sitrep::query::{self, Cell, Period, Query};
use sitrep::schema::DatePrecision;

use super::repo;

fn syria() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| load_incidents(&[repo("data/ucdp_ged_syria_2016-2019.csv")], &LoadOptions::default()).unwrap())
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn weekly_by_actor() -> Query {
    Query { every: Some(Period::Week { start: Weekday::Mon }), by: vec!["actor".into()], ..Default::default() }
}

fn cell(agg: &query::Aggregate, period: NaiveDate, actor: &str) -> u64 {
    agg.rows.iter().find(|r| r.period == period && r.group[0].as_deref() == Some(actor)).map_or(0, |r| r.incidents)
}

#[test]
fn weekly_counts_per_actor_match_independent_figures() {
    let (agg, table) = query::run(syria().lazy(), &weekly_by_actor()).unwrap();
    // date_prec 1-3 are placed in weeks (16,329); month (186) and year (51) precision are reported.
    assert_eq!(agg.incidents, 16_329);
    assert_eq!(agg.unplaced, vec![(DatePrecision::Month, 186), (DatePrecision::Year, 51)]);
    assert!(
        table.notes[0].starts_with("237 incidents not counted because their dates are too coarse"),
        "{}",
        table.notes[0]
    );
    let weeks: Vec<NaiveDate> = (0..5).map(|i| ymd(2017, 1, 2) + chrono::Duration::weeks(i)).collect();
    let is: Vec<u64> = weeks.iter().map(|w| cell(&agg, *w, "IS")).collect();
    assert_eq!(is, vec![36, 22, 22, 23, 19]);
    let gos: Vec<u64> = weeks.iter().map(|w| cell(&agg, *w, "Government of Syria")).collect();
    assert_eq!(gos, vec![66, 57, 73, 51, 70]);
    // 2016-01-01 is a Friday in ISO week 2015-W53, which starts 2015-12-28.
    assert_eq!(cell(&agg, ymd(2015, 12, 28), "Government of Syria"), 46);
    let first = &table.rows[0];
    assert_eq!(first[0], Cell::Period(ymd(2015, 12, 28), "2015-W53".into()));
}

#[test]
fn monthly_counts_and_fatalities_match_independent_figures() {
    let q = Query {
        every: Some(Period::Month),
        by: vec!["actor".into()],
        metrics: vec![query::Metric::Incidents, query::Metric::Fatalities],
        ..Default::default()
    };
    let (agg, _) = query::run(syria().lazy(), &q).unwrap();
    assert_eq!(agg.incidents, 16_515);
    assert_eq!(agg.unplaced, vec![(DatePrecision::Year, 51)]);
    let gos: Vec<&query::AggRow> = agg
        .rows
        .iter()
        .filter(|r| r.period.year() == 2016 && r.group[0].as_deref() == Some("Government of Syria"))
        .collect();
    assert_eq!(
        gos.iter().map(|r| r.incidents).collect::<Vec<_>>(),
        [515, 397, 314, 372, 242, 412, 462, 386, 374, 396, 509, 305]
    );
    assert_eq!(
        gos.iter().map(|r| r.fatalities).collect::<Vec<_>>(),
        [2526, 2800, 1380, 1632, 1097, 2147, 1968, 1635, 1727, 1737, 2802, 1479]
    );
    let is: Vec<u64> = (1..=12).map(|m| cell(&agg, ymd(2018, m, 1), "IS")).collect();
    assert_eq!(is, [57, 41, 23, 24, 44, 66, 33, 32, 62, 85, 80, 66]);
}

#[test]
fn the_whole_weekly_table_equals_a_naive_model_of_the_csv() {
    // Naive model: csv crate + chrono only.
    let mut model: HashMap<(NaiveDate, String), (u64, i64)> = HashMap::new();
    let mut rdr = csv::Reader::from_path(repo("data/ucdp_ged_syria_2016-2019.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (ds, prec, side_a, best) = (at("date_start"), at("date_prec"), at("side_a"), at("best"));
    for r in rdr.records() {
        let r = r.unwrap();
        if !["1", "2", "3"].contains(&&r[prec]) {
            continue;
        }
        let d = NaiveDate::parse_from_str(&r[ds], "%Y-%m-%d").unwrap();
        let monday = d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()));
        let e = model.entry((monday, r[side_a].to_string())).or_default();
        e.0 += 1;
        e.1 += r[best].parse::<i64>().unwrap();
    }
    let mut q = weekly_by_actor();
    q.metrics = vec![query::Metric::Incidents, query::Metric::Fatalities];
    let (agg, _) = query::run(syria().lazy(), &q).unwrap();
    let got: HashMap<(NaiveDate, String), (u64, i64)> =
        agg.rows.iter().map(|r| ((r.period, r.group[0].clone().unwrap()), (r.incidents, r.fatalities))).collect();
    assert_eq!(got.len(), model.len());
    assert_eq!(got, model);
}

#[test]
fn saturday_weeks_follow_acled_convention() {
    let q = Query { every: Some(Period::Week { start: Weekday::Sat }), ..Default::default() };
    let (agg, _) = query::run(syria().lazy(), &q).unwrap();
    let first: Vec<(NaiveDate, u64)> = agg.rows.iter().take(3).map(|r| (r.period, r.incidents)).collect();
    assert_eq!(first, vec![(ymd(2015, 12, 26), 10), (ymd(2016, 1, 2), 141), (ymd(2016, 1, 9), 140)]);
}

#[test]
fn split_actors_counts_every_named_actor_and_says_so() {
    let mut q = weekly_by_actor();
    q.split_actors = true;
    let (agg, table) = query::run(syria().lazy(), &q).unwrap();
    assert_eq!((agg.incidents, agg.actor_rows), (16_329, 18_330));
    assert!(table.notes.iter().any(|n| n.contains("18,330 actor rows, more than the 16,329 incidents")));
}

#[test]
fn top_n_keeps_the_total_and_puts_other_last() {
    let mut q = weekly_by_actor();
    q.top = Some(5);
    q.metrics = vec![query::Metric::Incidents, query::Metric::Share];
    let (agg, table) = query::run(syria().lazy(), &q).unwrap();
    let total: i64 = table.ints("incidents").into_iter().map(Option::unwrap).sum();
    assert_eq!(total, agg.incidents as i64);
    let actors: std::collections::BTreeSet<String> =
        table.rows.iter().map(|r| if let Cell::Text(a) = &r[1] { a.clone() } else { String::new() }).collect();
    let expected: std::collections::BTreeSet<String> = [
        "Government of Syria",
        "IS",
        "Hawar Kilis Operations Room",
        "SNA",
        "National Front for Liberation, SNA",
        "Other",
    ]
    .map(String::from)
    .into();
    assert_eq!(actors, expected);
    // Shares within each period add up to 100%.
    let mut per: HashMap<NaiveDate, f64> = HashMap::new();
    for r in &table.rows {
        if let (Cell::Period(p, _), Cell::Float(s, _)) = (&r[0], &r[3]) {
            *per.entry(*p).or_default() += s;
        }
    }
    assert!(per.values().all(|s| (s - 100.0).abs() < 1e-6));
}

#[test]
fn lull_statistics_match_independent_figures() {
    let q =
        Query { from: Some(ymd(2019, 1, 1)), filters: vec![("actor".into(), vec!["IS".into()])], ..Default::default() };
    let (lulls, _) = query::lull::lulls(syria().lazy(), &q, ymd(2019, 11, 30)).unwrap();
    assert_eq!(lulls.len(), 1);
    assert_eq!(lulls[0].last, ymd(2019, 11, 24));
    assert_eq!(lulls[0].days_since, 6);
    assert_eq!(lulls[0].longest_gap, (11, ymd(2019, 10, 12), ymd(2019, 10, 23)));
}

#[test]
fn unknown_columns_and_bad_flags_list_the_choices() {
    let q = Query { by: vec!["actr".into()], ..Default::default() };
    let err = query::run(syria().lazy(), &q).unwrap_err().to_string();
    assert!(err.starts_with("--by: unknown column \"actr\"") && err.contains("side_a"), "{err}");
}
