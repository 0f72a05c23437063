//! The weekly summary: this week against last week and the mean of the
//! previous four, with a trend band; running totals since anchor dates; days
//! since the last incident and the longest lull in the last 12 weeks; top
//! actors, target types and weapons with their change; the incidents with
//! the most casualties. Computed from query results (no wall clock: the week
//! is given); `crate::render::format` writes it as Markdown and JSON.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Weekday};
use polars::prelude::*;
use serde::Serialize;

use super::period::{iso_week_label, Period};
use super::shape::trend_band;
use super::spec::{Coverage, Metric, Query};
use super::{aggregate, lull, shape};
use crate::error::{Error, Result};
use crate::schema::col as c;
use crate::schema::dates::{epoch_days, from_epoch_days};
use crate::text::count;
use crate::Run;

/// Version of the `summary.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// One reporting week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Week {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl Week {
    /// The ISO week-year label that names the report folder (`2024-W05`):
    /// the ISO week holding most of the week's days.
    pub fn label(&self) -> String {
        iso_week_label(self.start + Duration::days(3))
    }

    /// The last complete week on or before `as_of` (the data cutoff, inclusive).
    pub fn last_complete(as_of: NaiveDate, start: Weekday) -> Self {
        let p = Period::Week { start };
        let this = p.start_of(as_of);
        let s = if p.end_of(this) <= as_of { this } else { this - Duration::days(7) };
        Week { start: s, end: s + Duration::days(6) }
    }

    /// The week named `YYYY-Www` (ISO week-year), for a week starting on
    /// `start` (the message of an error does not name the option).
    pub fn parse(label: &str, start: Weekday) -> std::result::Result<Self, String> {
        let bad = || format!("{label:?} is not an ISO week like 2024-W05");
        let (y, w) = label.trim().split_once("-W").ok_or_else(bad)?;
        let monday =
            NaiveDate::from_isoywd_opt(y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?, Weekday::Mon)
                .ok_or_else(bad)?;
        // The week (of this start day) holding that ISO week's Thursday: its
        // fourth day then falls in the ISO week, which is how weeks are named.
        let s = Period::Week { start }.start_of(monday + Duration::days(3));
        Ok(Week { start: s, end: s + Duration::days(6) })
    }
}

/// How the weekly list of incidents with the most casualties is ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CasualtyRank {
    /// Killed plus wounded (most attacks in this domain wound and do not kill).
    #[default]
    KilledAndWounded,
    /// Deaths only.
    Killed,
}

impl CasualtyRank {
    /// Names accepted by `[weekly] rank_casualties`.
    pub const CHOICES: &'static str = "\"killed+wounded\", \"killed\"";

    /// Parse a ranking's name (the caller names the key).
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_lowercase().replace(' ', "").as_str() {
            "killed+wounded" | "casualties" | "killed+injured" => Ok(CasualtyRank::KilledAndWounded),
            "killed" | "deaths" | "fatalities" => Ok(CasualtyRank::Killed),
            _ => Err(format!("unknown ranking {s:?} (choose from {})", Self::CHOICES)),
        }
    }

    /// What the list is ranked by, for headings.
    pub fn describe(self) -> &'static str {
        match self {
            CasualtyRank::KilledAndWounded => "casualties (killed + wounded)",
            CasualtyRank::Killed => "deaths",
        }
    }
}

/// A count with its change against last week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// Group name.
    pub name: String,
    /// Incidents this week.
    pub this_week: u64,
    /// Incidents last week.
    pub last_week: u64,
    /// Difference.
    pub change: i64,
}

/// An incident with many casualties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Casualty {
    /// Date.
    pub date: NaiveDate,
    /// Place.
    pub place: String,
    /// Actor.
    pub actor: String,
    /// Target.
    pub target: String,
    /// Deaths (None: unknown).
    pub fatalities: Option<i64>,
    /// Wounded (None: unknown).
    pub injured: Option<i64>,
    /// Source.
    pub source: String,
    /// Incident id.
    pub incident_id: String,
}

/// Everything in `summary.md` and `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklySummary {
    /// Layout version.
    pub schema_version: u32,
    /// ISO week-year label.
    pub week: String,
    /// The week's dates.
    pub window: Week,
    /// Week convention.
    pub week_convention: String,
    /// Last date with data in the input.
    pub data_last_date: Option<NaiveDate>,
    /// Whether the data covers the whole week (false: counts are incomplete).
    pub complete: bool,
    /// Incidents this week.
    pub incidents: u64,
    /// Incidents last week (None: before the data starts).
    pub last_week: Option<u64>,
    /// Mean of the previous four weeks (None: fewer than four weeks of data).
    pub mean_previous_4: Option<f64>,
    /// Change against last week.
    pub change_vs_last_week: Option<i64>,
    /// Percent change against last week (None when last week had none).
    pub change_vs_last_week_pct: Option<f64>,
    /// Percent change against the 4-week mean.
    pub change_vs_mean_pct: Option<f64>,
    /// Trend band against the 4-week mean.
    pub trend: Option<String>,
    /// Known deaths this week.
    pub fatalities: i64,
    /// Incidents this week with unknown deaths.
    pub fatalities_unknown: u64,
    /// Incidents since each anchor date, to the end of the week.
    pub since_anchors: Vec<(String, NaiveDate, u64)>,
    /// Last incident on or before the week's end.
    pub last_incident: Option<NaiveDate>,
    /// Days from it to the week's end.
    pub days_since_last_incident: Option<i64>,
    /// Longest gap between incidents in the last 12 weeks: days, from, to.
    pub longest_lull_12_weeks: Option<(i64, NaiveDate, NaiveDate)>,
    /// Top actors this week.
    pub top_actors: Vec<Ranked>,
    /// Top target types this week.
    pub top_target_types: Vec<Ranked>,
    /// Top weapons this week.
    pub top_weapons: Vec<Ranked>,
    /// Incidents with the most casualties this week, ranked as `casualties_ranked_by` says.
    pub most_casualties: Vec<Casualty>,
    /// How `most_casualties` is ranked.
    pub casualties_ranked_by: CasualtyRank,
    /// Incidents dated only to the month or year that may fall in this week but cannot be placed in it.
    pub unplaced: u64,
    /// What counts and where the data comes from.
    pub methodology: String,
    /// Escalation flags of the week (times the long-run mean, highest in N weeks, highest since, alert).
    pub escalation: Option<super::escalation::Flags>,
    /// The rules of the flags, in words.
    pub escalation_rules: Vec<String>,
}

/// Per week start: incidents, known deaths, incidents with unknown deaths.
type WeekCounts = BTreeMap<NaiveDate, (u64, i64, u64)>;

fn weekly_counts(
    lf: &LazyFrame,
    period: Period,
    from: NaiveDate,
    to: NaiveDate,
    coverage: Coverage,
) -> Result<(WeekCounts, u64)> {
    let q = Query {
        every: Some(period),
        from: Some(from),
        to: Some(to),
        fill_zeros: true,
        metrics: vec![Metric::Incidents, Metric::Fatalities],
        coverage,
        ..Default::default()
    };
    let (agg, _) = super::run(lf.clone(), &q)?;
    let covered: Vec<NaiveDate> = shape::covered_periods(&q, &agg);
    let mut out: WeekCounts = covered.into_iter().map(|p| (p, (0, 0, 0))).collect();
    for r in &agg.rows {
        out.insert(r.period, (r.incidents, r.fatalities, r.fatalities_unknown));
    }
    Ok((out, agg.unplaced.iter().map(|(_, n)| n).sum()))
}

fn ranked(lf: &LazyFrame, period: Period, week: Week, column: &str, top: usize) -> Result<Vec<Ranked>> {
    let last_start = week.start - Duration::days(7);
    let q = Query {
        every: Some(period),
        from: Some(last_start),
        to: Some(week.end),
        by: vec![column.into()],
        ..Default::default()
    };
    let (agg, _) = super::run(lf.clone(), &q)?;
    let mut by: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in &agg.rows {
        let name = r.group[0].clone().unwrap_or_else(|| "(unknown)".into());
        let e = by.entry(name).or_default();
        if r.period == week.start {
            e.0 += r.incidents
        } else {
            e.1 += r.incidents
        }
    }
    let mut v: Vec<Ranked> = by
        .into_iter()
        .filter(|(name, (t, _))| *t > 0 && name != "(unknown)")
        .map(|(name, (t, l))| Ranked { name, this_week: t, last_week: l, change: t as i64 - l as i64 })
        .collect();
    v.sort_by(|a, b| b.this_week.cmp(&a.this_week).then_with(|| a.name.cmp(&b.name)));
    v.truncate(top);
    Ok(v)
}

fn casualties(lf: &LazyFrame, week: Week, top: usize, rank: CasualtyRank) -> Result<Vec<Casualty>> {
    let days = epoch_days;
    // Unknown counts rank as none (they are shown as unknown, never as 0).
    let known = |name: &str| col(name).fill_null(lit(0i64));
    let score = match rank {
        CasualtyRank::KilledAndWounded => known(c::FATALITIES) + known(c::INJURED),
        CasualtyRank::Killed => known(c::FATALITIES),
    };
    let df = lf
        .clone()
        .filter(col(c::DATE).cast(DataType::Int32).gt_eq(lit(days(week.start))))
        .filter(col(c::DATE).cast(DataType::Int32).lt_eq(lit(days(week.end))))
        .with_column(score.alias("__score"))
        .filter(col("__score").gt(lit(0i64)))
        .sort_by_exprs(
            [col("__score"), known(c::FATALITIES), col(c::DATE), col(c::INCIDENT_ID)],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false, false]),
        )
        .limit(top as IdxSize)
        .select([
            col(c::DATE).cast(DataType::Int32),
            col(c::LOCATION),
            col(c::ADMIN1),
            col(c::COUNTRY),
            col(c::ACTOR),
            col(c::TARGET),
            col(c::FATALITIES),
            col(c::INJURED),
            col(c::SOURCE),
            col(c::INCIDENT_ID),
        ])
        .run()?;
    let s = |name: &str, i: usize| -> Result<String> { Ok(df.column(name)?.str()?.get(i).unwrap_or("").to_string()) };
    let mut out = Vec::new();
    for i in 0..df.height() {
        let place: Vec<String> =
            [s(c::LOCATION, i)?, s(c::ADMIN1, i)?, s(c::COUNTRY, i)?].into_iter().filter(|p| !p.is_empty()).collect();
        out.push(Casualty {
            date: df.column(c::DATE)?.i32()?.get(i).and_then(from_epoch_days).unwrap_or(week.start),
            place: place.join(", "),
            actor: s(c::ACTOR, i)?,
            target: s(c::TARGET, i)?,
            fatalities: df.column(c::FATALITIES)?.i64()?.get(i),
            injured: df.column(c::INJURED)?.i64()?.get(i),
            source: s(c::SOURCE, i)?,
            incident_id: s(c::INCIDENT_ID, i)?,
        });
    }
    Ok(out)
}

/// Compute the summary of `week` over canonical (normalised) incidents.
/// `coverage` is what the data is declared complete for: a week inside it
/// with no incident is a full report of zeros, not a refusal.
#[allow(clippy::too_many_arguments)]
pub fn summarise_week(
    lf: &LazyFrame,
    week: Week,
    week_start: Weekday,
    anchors: &[(String, NaiveDate)],
    top: usize,
    attribution: &str,
    coverage: Coverage,
    rank: CasualtyRank,
) -> Result<WeeklySummary> {
    let period = Period::Week { start: week_start };
    // No coverage is not zero: a week outside the data (and what is declared
    // for it) is refused, and a week the data only partly covers is flagged.
    let bounds = coverage.widen(aggregate::date_bounds(lf.clone())?);
    let (first, data_last) = (bounds.map(|b| b.0), bounds.map(|b| b.1));
    match (first, data_last) {
        (Some(a), Some(b)) if a <= week.end && b >= week.start => {}
        (Some(a), Some(b)) => {
            return Err(Error::Data(format!(
                "week {} ({} to {}) is outside the data, which covers {a} to {b}: nothing to report",
                week.label(),
                week.start,
                week.end
            )))
        }
        _ => return Err(Error::Data("no incidents in the input: nothing to report".into())),
    }
    let complete = data_last.is_some_and(|b| b >= week.end) && first.is_some_and(|a| a <= week.start);
    let (weeks, unplaced) = weekly_counts(lf, period, week.start - Duration::days(28), week.end, coverage)?;
    let this = weeks.get(&week.start).copied().unwrap_or((0, 0, 0));
    let last = weeks.get(&(week.start - Duration::days(7))).map(|w| w.0);
    let prev: Vec<u64> =
        (1..=4).filter_map(|k| weeks.get(&(week.start - Duration::days(7 * k))).map(|w| w.0)).collect();
    let mean = (prev.len() == 4).then(|| prev.iter().sum::<u64>() as f64 / 4.0);
    let pct = |cur: u64, base: f64| (base > 0.0).then(|| 100.0 * (cur as f64 - base) / base);
    let mut since_anchors = Vec::new();
    // What a reader must know to compare the running totals with a cumulative chart.
    let mut anchor_notes = String::new();
    for (name, d) in anchors {
        // Same placement as the weekly counts, so weekly figures add up to these.
        let q = Query {
            from: Some(*d),
            to: Some(week.end),
            min_precision: Some(crate::schema::DatePrecision::Week),
            ..Default::default()
        };
        let n = super::run(lf.clone(), &q)?.0.incidents;
        since_anchors.push((name.clone(), *d, n));
        if let Some(f) = first.filter(|f| f > d) {
            anchor_notes.push_str(&format!(
                " The data starts on {f}, after the anchor {name} ({d}): the total since it counts from {f} only."
            ));
        }
        let all = super::run(lf.clone(), &Query { min_precision: None, ..q })?.0.incidents;
        if all > n {
            anchor_notes.push_str(&format!(
                " {} since {name} dated only to the month or year {} not in its running total (a monthly \
                 cumulative chart counts {}).",
                count(all - n),
                if all - n == 1 { "is" } else { "are" },
                if all - n == 1 { "it" } else { "them" }
            ));
        }
    }
    let (all, _) = lull::lulls(lf.clone(), &Query { to: Some(week.end), ..Default::default() }, week.end)?;
    let recent = Query { from: Some(week.end - Duration::days(12 * 7 - 1)), ..Default::default() };
    let (lulls12, _) = lull::lulls(lf.clone(), &recent, week.end)?;
    let methodology = format!(
        "{}Counts are incidents in the input after validation and alias/taxonomy normalisation, dated to the day or week \
         (incidents dated only to the month or year are not placed in weeks{}). Weeks are {} ({} to {}); the report \
         week is named by its ISO week-year. Data cutoff: {}. Fatalities are known deaths; unknown counts are not \
         treated as zero.{anchor_notes}{}",
        if complete {
            String::new()
        } else {
            format!(
                "The data covers only part of this week ({} to {}): its counts are incomplete. ",
                first.map_or(String::new(), |d| d.to_string()),
                data_last.map_or(String::new(), |d| d.to_string())
            )
        },
        if unplaced > 0 { format!("; {} such incidents in this period", count(unplaced)) } else { String::new() },
        period,
        week.start,
        week.end,
        data_last.map_or("no data".into(), |d| d.to_string()),
        if attribution.is_empty() { String::new() } else { format!(" Source: {attribution}.") }
    );
    Ok(WeeklySummary {
        schema_version: SCHEMA_VERSION,
        week: week.label(),
        window: week,
        week_convention: period.to_string(),
        data_last_date: data_last,
        complete,
        incidents: this.0,
        last_week: last,
        mean_previous_4: mean,
        change_vs_last_week: last.map(|l| this.0 as i64 - l as i64),
        change_vs_last_week_pct: last.and_then(|l| pct(this.0, l as f64)),
        change_vs_mean_pct: mean.and_then(|m| pct(this.0, m)),
        // No band for a week the data does not fully cover: it would read as a decrease.
        trend: mean.filter(|_| complete).map(|m| trend_band(this.0 as f64, m).to_string()),
        fatalities: this.1,
        fatalities_unknown: this.2,
        since_anchors,
        last_incident: all.first().map(|l| l.last),
        days_since_last_incident: all.first().map(|l| l.days_since),
        longest_lull_12_weeks: lulls12.first().map(|l| l.longest_gap),
        top_actors: ranked(lf, period, week, c::ACTOR, top)?,
        top_target_types: ranked(lf, period, week, c::TARGET_TYPE, top)?,
        top_weapons: ranked(lf, period, week, c::WEAPON, top)?,
        most_casualties: casualties(lf, week, top, rank)?,
        casualties_ranked_by: rank,
        unplaced,
        methodology,
        escalation: None,
        escalation_rules: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weeks_by_label_and_as_of_including_week_53_and_new_year() {
        let w = Week::parse("2020-W53", Weekday::Mon).unwrap();
        assert_eq!((w.start, w.end), (ymd(2020, 12, 28), ymd(2021, 1, 3)));
        assert_eq!(w.label(), "2020-W53");
        let w = Week::parse("2025-W01", Weekday::Mon).unwrap();
        assert_eq!((w.start, w.end, w.label()), (ymd(2024, 12, 30), ymd(2025, 1, 5), "2025-W01".to_string()));
        // As of Sunday 2024-02-04 (data through that day) the last complete week is W05.
        assert_eq!(Week::last_complete(ymd(2024, 2, 4), Weekday::Mon).label(), "2024-W05");
        assert_eq!(Week::last_complete(ymd(2024, 2, 3), Weekday::Mon).label(), "2024-W04");
        // ACLED weeks: Saturday 2024-01-27 to Friday 2024-02-02 is labelled W05.
        let acled = Week::parse("2024-W05", Weekday::Sat).unwrap();
        assert_eq!((acled.start, acled.end), (ymd(2024, 1, 27), ymd(2024, 2, 2)));
        for day in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun] {
            assert_eq!(Week::parse("2024-W05", day).unwrap().label(), "2024-W05", "{day}");
        }
        assert!(Week::parse("2024-W54", Weekday::Mon).is_err());
        assert!(Week::parse("last week", Weekday::Mon).is_err());
    }
}
