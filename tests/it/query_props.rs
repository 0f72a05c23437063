//! Property tests of the query engine against a naive HashMap model:
//! totals equal the filtered row count, weekly = sum of daily, shuffling rows
//! changes nothing, top-N + Other equals the total, the zero-filled grid is
//! complete, and running totals end at the group totals.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, Weekday};
use polars::prelude::*;
use proptest::prelude::*;
use sitrep::query::{self, Metric, Period, Query};
use sitrep::schema::col as c;

#[derive(Debug, Clone)]
struct Inc {
    day: i64,
    actor: Option<&'static str>,
    fatalities: Option<i64>,
    precision: &'static str,
}

const ACTORS: &[Option<&str>] = &[Some("KH"), Some("AAH"), Some("Other"), Some("Nujaba"), None];

fn base() -> NaiveDate {
    // Covers ISO week 2020-W53 and the turn of the year.
    NaiveDate::from_ymd_opt(2020, 12, 1).unwrap()
}

fn inc() -> impl Strategy<Value = Inc> {
    (
        0..70i64,
        0..ACTORS.len(),
        proptest::option::weighted(0.8, 0..20i64),
        prop_oneof![6 => Just("day"), 1 => Just("week"), 1 => Just("month")],
    )
        .prop_map(|(day, a, fatalities, precision)| Inc { day, actor: ACTORS[a], fatalities, precision })
}

fn frame(rows: &[Inc]) -> LazyFrame {
    let dates: Vec<NaiveDate> = rows.iter().map(|r| base() + Duration::days(r.day)).collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new(c::DATE.into(), dates),
        Column::new(c::DATE_PRECISION.into(), rows.iter().map(|r| r.precision).collect::<Vec<_>>()),
        Column::new(c::ACTOR.into(), rows.iter().map(|r| r.actor).collect::<Vec<_>>()),
        Column::new(c::FATALITIES.into(), rows.iter().map(|r| r.fatalities).collect::<Vec<_>>()),
        Column::new(c::INJURED.into(), rows.iter().map(|_| None::<i64>).collect::<Vec<_>>()),
    ])
    .unwrap();
    df.lazy()
}

fn week() -> Period {
    Period::Week { start: Weekday::Mon }
}

/// (period, actor) -> (incidents, known fatalities, unknown fatalities)
type Model = BTreeMap<(NaiveDate, Option<String>), (u64, i64, u64)>;

fn model(rows: &[Inc], p: Period, placeable: &[&str]) -> Model {
    let mut m = Model::new();
    for r in rows.iter().filter(|r| placeable.contains(&r.precision)) {
        let e = m.entry((p.start_of(base() + Duration::days(r.day)), r.actor.map(String::from))).or_default();
        e.0 += 1;
        e.1 += r.fatalities.unwrap_or(0);
        e.2 += u64::from(r.fatalities.is_none());
    }
    m
}

fn got(agg: &query::Aggregate) -> Model {
    agg.rows
        .iter()
        .map(|r| ((r.period, r.group[0].clone()), (r.incidents, r.fatalities, r.fatalities_unknown)))
        .collect()
}

fn by_actor(p: Period) -> Query {
    Query {
        every: Some(p),
        by: vec![c::ACTOR.into()],
        metrics: vec![Metric::Incidents, Metric::Fatalities],
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn weekly_by_actor_equals_the_model_and_accounts_for_every_row(rows in proptest::collection::vec(inc(), 0..80)) {
        let (agg, _) = query::run(frame(&rows), &by_actor(week())).unwrap();
        prop_assert_eq!(got(&agg), model(&rows, week(), &["day", "week"]));
        let unplaced: u64 = agg.unplaced.iter().map(|(_, n)| n).sum();
        prop_assert_eq!(agg.incidents + unplaced, rows.len() as u64);
        let monthly = query::run(frame(&rows), &by_actor(Period::Month)).unwrap().0;
        prop_assert_eq!(got(&monthly), model(&rows, Period::Month, &["day", "week", "month"]));
    }

    #[test]
    fn weekly_equals_the_sum_of_daily(rows in proptest::collection::vec(inc(), 0..80)) {
        let day_only = |p| Query { min_precision: Some(sitrep::schema::DatePrecision::Day), ..by_actor(p) };
        let daily = query::run(frame(&rows), &day_only(Period::Day)).unwrap().0;
        let weekly = query::run(frame(&rows), &day_only(week())).unwrap().0;
        let mut summed: Model = Model::new();
        for ((d, a), v) in got(&daily) {
            let e = summed.entry((week().start_of(d), a)).or_default();
            e.0 += v.0;
            e.1 += v.1;
            e.2 += v.2;
        }
        prop_assert_eq!(got(&weekly), summed);
    }

    #[test]
    fn shuffling_rows_changes_nothing(rows in proptest::collection::vec(inc(), 0..60), seed in any::<u64>()) {
        let mut shuffled = rows.clone();
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let mut q = by_actor(week());
        q.fill_zeros = true;
        q.cumulative = true;
        q.rolling = Some(3);
        q.compare = Some(4);
        prop_assert_eq!(query::run(frame(&rows), &q).unwrap().1, query::run(frame(&shuffled), &q).unwrap().1);
    }

    #[test]
    fn top_n_plus_other_equals_the_total_per_period(rows in proptest::collection::vec(inc(), 1..80), n in 1usize..4) {
        let mut q = by_actor(week());
        let plain = query::run(frame(&rows), &q).unwrap().0;
        q.top = Some(n);
        let table = query::run(frame(&rows), &q).unwrap().1;
        let mut per_plain: HashMap<NaiveDate, u64> = HashMap::new();
        for r in &plain.rows { *per_plain.entry(r.period).or_default() += r.incidents; }
        let mut per_top: HashMap<NaiveDate, u64> = HashMap::new();
        let mut groups = std::collections::BTreeSet::new();
        for r in &table.rows {
            if let (query::Cell::Period(p, _), query::Cell::Int(v)) = (&r[0], &r[2]) { *per_top.entry(*p).or_default() += *v as u64; }
            groups.insert(format!("{:?}", r[1]));
        }
        prop_assert_eq!(per_plain, per_top);
        let distinct = plain.rows.iter().map(|r| r.group.clone()).collect::<std::collections::BTreeSet<_>>().len();
        // At most n kept groups plus one merged group, and never a merge of a single group.
        prop_assert!(groups.len() <= n + 1);
        if distinct <= n + 1 { prop_assert_eq!(groups.len(), distinct); }
    }

    #[test]
    fn the_zero_filled_grid_is_complete_and_running_totals_end_at_group_totals(rows in proptest::collection::vec(inc(), 1..80)) {
        let mut q = by_actor(week());
        q.fill_zeros = true;
        q.cumulative = true;
        let (agg, t) = query::run(frame(&rows), &q).unwrap();
        let periods: std::collections::BTreeSet<_> = t.rows.iter().map(|r| format!("{:?}", r[0])).collect();
        let groups: std::collections::BTreeSet<_> = t.rows.iter().map(|r| format!("{:?}", r[1])).collect();
        prop_assert_eq!(t.rows.len(), periods.len() * groups.len());
        if let Some((from, to)) = agg.range {
            prop_assert_eq!(periods.len(), week().starts(from, to).len());
        }
        let total: i64 = t.ints("incidents").into_iter().flatten().sum();
        prop_assert_eq!(total as u64, agg.incidents);
        let mut last: HashMap<String, i64> = HashMap::new();
        let mut sums: HashMap<String, i64> = HashMap::new();
        let (ci, ii) = (t.index("cumulative").unwrap(), t.index("incidents").unwrap());
        for r in &t.rows {
            let g = format!("{:?}", r[1]);
            if let (query::Cell::Int(cum), query::Cell::Int(v)) = (&r[ci], &r[ii]) {
                last.insert(g.clone(), *cum);
                *sums.entry(g).or_default() += v;
            }
        }
        prop_assert_eq!(last, sums);
    }
}
