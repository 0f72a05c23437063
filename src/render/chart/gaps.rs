//! Gap charts: days since the previous incident, drawn as a sawtooth over
//! time. The line climbs a day per day and drops to zero at each incident;
//! each peak (a dot) is the gap an incident ended, and the last climb is the
//! current lull, drawn to the as-of date and labelled. One line per group.

use chrono::{Datelike, NaiveDate};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{draw_chrome, draw_legend, draw_x_tick, draw_y_axis, nice_axis, y_label_width, Area, DrawResult};
use super::{draw_svg, ChartSeries, ChartSize, ChartText, Colours, FONT, MUTED};
use crate::error::{Error, Result};
use crate::query::lull::Lull;
use crate::text::count;

/// One group's incident dates and its current lull.
#[derive(Debug, Clone, PartialEq)]
pub struct GapLine {
    /// Group label (legend), as a series for colours.
    pub series: ChartSeries,
    /// Distinct incident dates, in order.
    pub dates: Vec<NaiveDate>,
}

/// What a gap chart draws: lines from the first incident to `as_of`.
#[derive(Debug, Clone, PartialEq)]
pub struct GapData {
    /// One line per group, most incidents first.
    pub lines: Vec<GapLine>,
    /// The date lulls are counted to.
    pub as_of: NaiveDate,
}

impl GapData {
    /// From lull figures (their dates), most incidents first.
    pub fn from_lulls(lulls: &[Lull], as_of: NaiveDate) -> Self {
        let mut ranked: Vec<&Lull> = lulls.iter().collect();
        ranked.sort_by(|a, b| b.incidents.cmp(&a.incidents).then_with(|| a.group.cmp(&b.group)));
        let lines = ranked
            .into_iter()
            .map(|l| {
                let name = if l.group.is_empty() {
                    "days since the previous incident".to_string()
                } else {
                    l.group
                        .iter()
                        .map(|g| g.clone().unwrap_or_else(|| super::UNKNOWN_LABEL.into()))
                        .collect::<Vec<_>>()
                        .join(" / ")
                };
                GapLine { series: ChartSeries::new(name, Vec::new(), false), dates: l.dates.clone() }
            })
            .collect();
        GapData { lines, as_of }
    }

    /// The first incident date drawn.
    pub fn first(&self) -> Option<NaiveDate> {
        self.lines.iter().filter_map(|l| l.dates.first().copied()).min()
    }

    /// The points of one line: (date, days since the previous incident).
    pub fn sawtooth(&self, line: &GapLine) -> Vec<(NaiveDate, i64)> {
        let mut pts = Vec::with_capacity(line.dates.len() * 2 + 1);
        for (i, d) in line.dates.iter().enumerate() {
            if i > 0 {
                pts.push((*d, (*d - line.dates[i - 1]).num_days()));
            }
            pts.push((*d, 0));
        }
        if let Some(last) = line.dates.last().filter(|l| **l < self.as_of) {
            pts.push((self.as_of, (self.as_of - *last).num_days()));
        }
        pts
    }
}

/// Tick dates and labels on a date axis from `from` to `to`: month starts
/// every 1, 2, 3 or 6 months, or years, as many as fit in `width_px`.
pub fn date_ticks(from: NaiveDate, to: NaiveDate, width_px: f64, char_px: f64) -> Vec<(NaiveDate, String)> {
    let span = (to - from).num_days().max(1) as f64;
    let months = |step: u32, label: fn(NaiveDate) -> String| {
        let mut out = Vec::new();
        let mut m = from.year() * 12 + from.month0() as i32;
        loop {
            let d = NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1);
            match d {
                Some(d) if d > to => break,
                Some(d) if d >= from && (d.month0() % step == 0 || step == 1) => out.push((d, label(d))),
                None => break,
                _ => {}
            }
            m += 1;
        }
        out
    };
    let fits = |ticks: &[(NaiveDate, String)]| {
        ticks.windows(2).all(|w| {
            let gap = (w[1].0 - w[0].0).num_days() as f64 / span * width_px;
            gap >= (w[0].1.chars().count() + w[1].1.chars().count()) as f64 * char_px / 2.0 + 10.0
        })
    };
    for step in [1, 2, 3, 6] {
        let t = months(step, |d| d.format("%Y-%m").to_string());
        if fits(&t) && !t.is_empty() {
            return t;
        }
    }
    for every in [1, 2, 5, 10, 20, 50] {
        let t: Vec<_> = months(12, |d| d.year().to_string())
            .into_iter()
            .filter(|(d, _)| d.month() == 1 && d.year() % every == 0)
            .collect();
        if fits(&t) && !t.is_empty() {
            return t;
        }
    }
    vec![(from, from.to_string())]
}

/// Draw a gap chart as SVG text.
pub fn render_svg(data: &GapData, text: &ChartText, size: ChartSize, colours: &mut Colours) -> Result<String> {
    let Some(first) = data.first() else { return Err(Error::NothingToDraw) };
    colours.begin(data.lines.iter().map(|l| &l.series));
    draw_svg(size, |area| draw(area, data, first, text, size, colours))
}

fn draw(
    area: &Area<'_>,
    data: &GapData,
    first: NaiveDate,
    text: &ChartText,
    size: ChartSize,
    colours: &mut Colours,
) -> DrawResult<()> {
    let lines: Vec<(&GapLine, Vec<(NaiveDate, i64)>)> = data.lines.iter().map(|l| (l, data.sawtooth(l))).collect();
    let max = lines.iter().flat_map(|(_, p)| p.iter().map(|x| x.1)).max().unwrap_or(0) as f64;
    let (ymax, step) = nice_axis(max);
    let legend = data.lines.len() > 1;
    let mut f = draw_chrome(area, text, size, legend, y_label_width(ymax, step))?;
    // Room at the right for the current lulls' labels.
    f.plot.2 -= 70;
    draw_y_axis(area, &f, ymax, step, &text.y_label)?;
    let (x0, y0, x1, y1) = f.plot;
    let span = (data.as_of - first).num_days().max(1) as f64;
    let x_of = |d: NaiveDate| x0 + (((d - first).num_days() as f64 / span) * f64::from(x1 - x0)).round() as i32;
    let y_of = |v: i64| y1 - ((v as f64 / ymax) * f64::from(y1 - y0)).round() as i32;
    area.draw(&PathElement::new(vec![(x0, y1), (x1, y1)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
    for (d, label) in date_ticks(first, data.as_of, f64::from(x1 - x0), 7.6) {
        draw_x_tick(area, x_of(d), y1, label)?;
    }
    // Labels of the current lulls, kept 15 px apart.
    let mut ends: Vec<(i32, String, RGBColor)> = Vec::new();
    for (l, pts) in lines.iter().rev() {
        let c = colours.of(&l.series);
        let path: Vec<(i32, i32)> = pts.iter().map(|(d, v)| (x_of(*d), y_of(*v))).collect();
        area.draw(&PathElement::new(path, ShapeStyle::from(&c.mix(0.8)).stroke_width(2)))?;
        for w in pts.windows(2).filter(|w| w[0].0 == w[1].0 && w[0].1 > 0) {
            area.draw(&Circle::new((x_of(w[0].0), y_of(w[0].1)), 3, c.filled()))?;
        }
        if let Some((d, v)) = pts.last().filter(|p| p.1 > 0 && p.0 == data.as_of) {
            let _ = d;
            ends.push((y_of(*v), format!("{} days", count(*v as u64)), c));
        }
    }
    ends.sort_by_key(|e| e.0);
    let mut last_y = i32::MIN;
    for (y, label, c) in ends {
        let y = y.max(last_y + 15);
        last_y = y;
        area.draw(&Text::new(
            label,
            (x1 + 6, y),
            TextStyle::from((FONT, 13).into_font()).color(&c).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    area.draw(&Text::new(
        format!("as of {}", data.as_of),
        (x1, y1 + 28),
        TextStyle::from((FONT, 12).into_font()).color(&MUTED).pos(Pos::new(HPos::Right, VPos::Top)),
    ))?;
    if legend {
        let series: Vec<ChartSeries> = data.lines.iter().map(|l| l.series.clone()).collect();
        draw_legend(area, &f, &series, colours)?;
    }
    Ok(())
}
