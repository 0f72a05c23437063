//! Run a chart's query and draw it: the one path by which `sitrep chart`,
//! `sitrep report` and `sitrep weekly` make a chart, so a kind behaves the
//! same wherever it is defined.

use chrono::NaiveDate;
use polars::prelude::LazyFrame;

use super::alt;
use super::gaps::{self, GapData};
use super::{chart_text, render_svg, Annotation, ChartData, ChartKind, ChartSize, Colours};
use crate::error::Result;
use crate::ingest::FileSummary;
use crate::query::{self, lull, Query, Source};

/// How one chart looks: its kind, texts and size.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    /// Chart kind.
    pub kind: ChartKind,
    /// Title (default: from the query).
    pub title: Option<String>,
    /// Subtitle (default: the date range).
    pub subtitle: Option<String>,
    /// Footer (default: the source and the data cutoff).
    pub note: Option<String>,
    /// Size.
    pub size: ChartSize,
    /// Draw "days since the last incident" over the periods, on a second axis
    /// (the weekly report's first chart).
    pub days_since: bool,
    /// Labels for group values: ("Unclaimed", "No claim yet").
    pub labels: Vec<(String, String)>,
    /// Words for columns in the default title: ("location", "base").
    pub words: Vec<(String, String)>,
    /// Options of some kinds (small multiples' scale, heatmap values).
    pub options: super::ChartOptions,
}

/// Where the data comes from, for footers and annotations.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// The input files (named in the footer without an attribution).
    pub inputs: &'a [FileSummary],
    /// Attribution for the footer.
    pub attribution: &'a str,
    /// Dated events to mark.
    pub annotations: &'a [Annotation],
}

/// A drawn chart: SVG text, and the notes of its query to show the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// The SVG.
    pub svg: String,
    /// Notes about what was counted.
    pub notes: Vec<String>,
    /// What the chart shows, in words (also the SVG's `<desc>`).
    pub alt: String,
    /// The title drawn.
    pub title: String,
}

/// Run `q` over `source` and draw it as `look` says.
pub fn draw_query(
    source: &Source,
    q: &Query,
    look: &Look,
    ctx: Provenance<'_>,
    colours: &mut Colours,
) -> Result<Drawn> {
    if look.kind == ChartKind::Gap {
        return draw_gaps(source.incidents("a gap chart")?, q, look, ctx, colours);
    }
    // What only the incidents can give, refused before any counting.
    if look.options.alerts {
        source.incidents("alert markers")?;
    }
    if look.days_since && q.every.is_some() {
        source.incidents("the days-since line")?;
    }
    colour_order(source, q, look, colours)?;
    let (agg, table) = query::run_on(source, q)?;
    let mut data = ChartData::from_table(&table, look.kind.value_column(), q.every)?;
    data.relabel(&look.labels);
    let mut notes = table.notes.clone();
    if look.options.alerts {
        if let (Some((first, _)), Some((last, _))) = (data.periods.first(), data.periods.last()) {
            let rule = crate::query::escalation::Rule::default();
            let lf = source.incidents("alert markers")?;
            let fired = crate::query::escalation::alert_periods(lf, q, *first, *last, &rule)?;
            data.alerts = data.periods.iter().map(|(p, _)| fired.contains(p)).collect();
        }
    }
    if look.days_since && q.every.is_some() {
        if let Some((_, end)) = agg.range {
            // From the data's start: a lull that began before the chart's first period still counts.
            let all = Query { by: Vec::new(), top: None, from: None, ..q.clone() };
            let (lulls, t) = lull::lulls(source.incidents("the days-since line")?.clone(), &all, end)?;
            data.overlay = lulls.first().map(|l| days_since_series(&data, &l.dates, end));
            notes.extend(t.notes.into_iter().filter(|n| n.contains("not used for lulls")));
        }
    }
    let text = chart_text(
        q,
        look.kind,
        agg.counted().or(agg.range),
        agg.coverage.map(|c| c.1),
        ctx.inputs,
        ctx.attribution,
        Some(look.title.clone().unwrap_or_else(|| super::default_title(q, look.kind, &look.words))),
        look.subtitle.clone(),
        look.note.clone(),
    );
    let svg = render_svg(look.kind, &data, &text, ctx.annotations, look.size, look.options, colours)?;
    let alt = alt::describe(look.kind, &data, &text);
    Ok(Drawn { svg: alt::embed(&svg, &text.title, &alt), notes, alt, title: text.title })
}

/// Rank the groups of the chart's grouping over all the data (no dates, no
/// filters), so a group keeps its colour whatever range or filter a chart has.
fn colour_order(source: &Source, q: &Query, look: &Look, colours: &mut Colours) -> Result<()> {
    let key = format!("{:?}/{}/{:?}", q.by, q.split_actors, look.labels);
    colours.set_order(&key, || {
        if q.by.is_empty() {
            return Ok(Vec::new());
        }
        let all = Query { by: q.by.clone(), split_actors: q.split_actors, ..Default::default() };
        let t = match source {
            Source::Incidents(lf) => query::run(lf.clone(), &all)?.1,
            // An engine's result carries its groups' counts over the whole table.
            Source::Aggregates(results) => {
                let agg = crate::query::external::find(results, q)?.ranking(&all);
                query::shape::shape(&all, &agg, None, None)
            }
        };
        let mut d = ChartData::from_table(&t, "incidents", None)?;
        d.relabel(&look.labels);
        Ok(d.series.into_iter().map(|s| s.name).collect())
    })
}

/// Days from the last incident on or before each period's end (or the
/// range's end, for a last period it cuts short) to that end; none before
/// the first incident.
pub fn days_since_series(data: &ChartData, dates: &[NaiveDate], end: NaiveDate) -> Vec<f64> {
    data.periods
        .iter()
        .map(|(start, _)| {
            let period_end = data.every.map_or(end, |p| p.end_of(*start)).min(end);
            let i = dates.partition_point(|d| *d <= period_end);
            if i == 0 {
                f64::NAN
            } else {
                (period_end - dates[i - 1]).num_days() as f64
            }
        })
        .collect()
}

fn draw_gaps(lf: &LazyFrame, q: &Query, look: &Look, ctx: Provenance<'_>, colours: &mut Colours) -> Result<Drawn> {
    let Some(as_of) = lull::default_as_of(lf.clone(), q)? else { return Err(crate::Error::NothingToDraw) };
    colour_order(&Source::Incidents(lf.clone()), q, look, colours)?;
    let (lulls, table) = lull::lulls(lf.clone(), q, as_of)?;
    let mut data = GapData::from_lulls(&lulls, as_of);
    for line in &mut data.lines {
        line.series.relabel(&look.labels);
    }
    let cutoff = q.coverage.widen(query::aggregate::date_bounds(lf.clone())?).map(|b| b.1);
    let text = chart_text(
        q,
        look.kind,
        data.first().map(|f| (f, as_of)),
        cutoff,
        ctx.inputs,
        ctx.attribution,
        Some(look.title.clone().unwrap_or_else(|| super::default_title(q, look.kind, &look.words))),
        look.subtitle.clone(),
        look.note.clone(),
    );
    let svg = gaps::render_svg(&data, &text, look.size, colours)?;
    let alt = alt::describe_gaps(&data, &text);
    Ok(Drawn { svg: alt::embed(&svg, &text.title, &alt), notes: table.notes, alt, title: text.title })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Period;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    #[test]
    fn days_since_counts_to_each_period_end_and_the_range_end() {
        let every = Some(Period::Week { start: chrono::Weekday::Mon });
        let periods = [d(1, 1), d(1, 8), d(1, 15), d(1, 22)].map(|p| (p, String::new())).to_vec();
        let data =
            ChartData { periods, series: Vec::new(), every, partial: Vec::new(), overlay: None, alerts: Vec::new() };
        // Incidents on Wed 3 and Tue 9 January; the range ends on Wed 24 January.
        let v = days_since_series(&data, &[d(1, 3), d(1, 9)], d(1, 24));
        assert_eq!(v, vec![4.0, 5.0, 12.0, 15.0]);
        // Before the first incident there is no value.
        assert!(days_since_series(&data, &[d(1, 10)], d(1, 24))[0].is_nan());
    }
}
