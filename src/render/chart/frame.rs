//! The frame around every chart: title, subtitle and footer, axes with tick
//! labels that do not overlap, the legend, and annotation lines and bands.
//! Pure layout in pixels; each chart kind draws its marks inside [`Frame::plot`].

use chrono::NaiveDate;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::{
    ellipsis, short_names, Annotation, ChartData, ChartSeries, ChartSize, ChartText, Colours, FONT, GRID, MUTED, TEXT,
};
use crate::query::period::Period;
use crate::text::{count, decimal};

/// The drawing area every chart kind draws on.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
/// Result of drawing calls.
pub type DrawResult<T> = std::result::Result<T, DrawingAreaErrorKind<std::io::Error>>;

/// A "nice" axis maximum and step for values up to `max` (about five ticks).
pub fn nice_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    // Counts get whole-number ticks: no 2.5 step below 10.
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw && (max < 1.0 || s.fract() == 0.0))
        .unwrap_or(10.0 * mag);
    let step = if max >= 1.0 { step.max(1.0) } else { step };
    ((max / step).ceil() * step, step)
}

pub(super) fn axis_number(v: f64, step: f64) -> String {
    if step.fract() == 0.0 {
        count(v.round() as u64)
    } else {
        decimal(v, 1)
    }
}

/// Which periods get an x tick label: as many as fit without overlapping.
/// Long runs of days, weeks or months are labelled by year (at each year's
/// first period) once per-period labels no longer fit.
pub fn x_ticks(
    periods: &[(NaiveDate, String)],
    every: Option<Period>,
    width_px: f64,
    char_px: f64,
) -> Vec<(usize, String)> {
    use chrono::Datelike;
    let n = periods.len();
    if n == 0 {
        return Vec::new();
    }
    let fits = |labels: &[(usize, String)]| {
        let slot = width_px / n as f64;
        labels.windows(2).all(|w| {
            let gap = (w[1].0 - w[0].0) as f64 * slot;
            let need = (w[0].1.chars().count() + w[1].1.chars().count()) as f64 * char_px / 2.0 + 10.0;
            gap >= need
        }) && labels.iter().all(|(_, l)| l.chars().count() as f64 * char_px <= width_px)
    };
    // Steps that make calendar sense for the period: quarters and halves of a
    // year in weeks, months in days, and so on; then year labels.
    let steps: &[usize] = match every {
        Some(Period::Day) => &[1, 2, 7, 14],
        Some(Period::Week { .. }) => &[1, 2, 4, 13, 26],
        Some(Period::Month) => &[1, 2, 3, 6],
        Some(Period::Quarter) => &[1, 2],
        Some(Period::Year) => &[1, 2, 5, 10, 20, 50],
        _ => &[1, 2, 3, 4, 6, 12],
    };
    for &step in steps {
        let labels: Vec<(usize, String)> = (0..n).step_by(step).map(|i| (i, periods[i].1.clone())).collect();
        if fits(&labels) {
            return labels;
        }
    }
    // Year labels at the first period of each year, thinned until they fit.
    let firsts: Vec<(usize, String)> = (0..n)
        .filter(|&i| i == 0 || periods[i].0.year() != periods[i - 1].0.year())
        .map(|i| (i, periods[i].0.year().to_string()))
        .collect();
    for every in [1usize, 2, 5, 10, 20, 50] {
        let labels: Vec<(usize, String)> = firsts
            .iter()
            .filter(|(i, l)| *i == 0 && firsts.len() == 1 || l.parse::<i32>().is_ok_and(|y| y % every as i32 == 0))
            .cloned()
            .collect();
        if !labels.is_empty() && fits(&labels) {
            return labels;
        }
    }
    vec![(0, periods[0].1.clone())]
}

/// Where things go, in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// Plot rectangle: left, top, right, bottom.
    pub plot: (i32, i32, i32, i32),
    /// Legend column's left edge, if there is a legend.
    pub legend_x: Option<i32>,
    /// Baseline of the axis titles, above the plot and any annotation labels.
    pub titles_y: i32,
}

/// Draw title, subtitle and footer; return the frame left for the plot.
pub(super) fn draw_chrome(
    area: &Area<'_>,
    text: &ChartText,
    size: ChartSize,
    legend: bool,
    left_labels: i32,
) -> DrawResult<Frame> {
    let (w, h) = (size.width as i32, size.height as i32);
    area.fill(&WHITE)?;
    area.draw(&Text::new(text.title.clone(), (24, 16), (FONT, 26, FontStyle::Bold).into_font().color(&TEXT)))?;
    let mut top = 56;
    if let Some(sub) = &text.subtitle {
        area.draw(&Text::new(sub.clone(), (24, 50), (FONT, 16).into_font().color(&MUTED)))?;
        top = 84;
    }
    area.draw(&Text::new(
        text.note.clone(),
        (24, h - 12),
        TextStyle::from((FONT, 12).into_font()).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
    ))?;
    let legend_w = if legend { 240 } else { 0 };
    let plot = (24 + left_labels, top + 8, w - 24 - legend_w, h - 62);
    Ok(Frame { plot, legend_x: legend.then_some(w - legend_w + 8), titles_y: plot.1 - 6 })
}

/// Y axis: gridlines and labels for 0..ymax.
pub(super) fn draw_y_axis(area: &Area<'_>, f: &Frame, ymax: f64, step: f64, label: &str) -> DrawResult<()> {
    let (x0, y0, x1, y1) = f.plot;
    let mut v = 0.0;
    while v <= ymax + 1e-9 {
        let y = y1 - ((v / ymax) * f64::from(y1 - y0)).round() as i32;
        area.draw(&PathElement::new(vec![(x0, y), (x1, y)], ShapeStyle::from(&GRID).stroke_width(1)))?;
        area.draw(&Text::new(
            axis_number(v, step),
            (x0 - 8, y),
            TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        v += step;
    }
    area.draw(&Text::new(
        label.to_string(),
        (x0, f.titles_y),
        TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
    ))?;
    Ok(())
}

/// X axis: baseline and period tick labels that do not overlap.
pub(super) fn draw_x_axis(
    area: &Area<'_>,
    f: &Frame,
    periods: &[(NaiveDate, String)],
    every: Option<Period>,
) -> DrawResult<()> {
    let (x0, _, x1, y1) = f.plot;
    area.draw(&PathElement::new(vec![(x0, y1), (x1, y1)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
    let n = periods.len().max(1);
    let slot = f64::from(x1 - x0) / n as f64;
    if let Some(p) = every {
        area.draw(&Text::new(
            p.to_string(),
            (x1, y1 + 28),
            TextStyle::from((FONT, 12).into_font()).color(&MUTED).pos(Pos::new(HPos::Right, VPos::Top)),
        ))?;
    }
    for (i, label) in x_ticks(periods, every, f64::from(x1 - x0), 7.6) {
        draw_x_tick(area, x0 + ((i as f64 + 0.5) * slot).round() as i32, y1, label)?;
    }
    Ok(())
}

/// One x tick at `x` under the baseline `y`, with its label.
pub(super) fn draw_x_tick(area: &Area<'_>, x: i32, y: i32, label: String) -> DrawResult<()> {
    area.draw(&PathElement::new(vec![(x, y), (x, y + 4)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
    area.draw(&Text::new(
        label,
        (x, y + 8),
        TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    Ok(())
}

/// Legend: a swatch and the (shortened) name per series, "Other" last.
pub(super) fn draw_legend(area: &Area<'_>, f: &Frame, series: &[ChartSeries], colours: &mut Colours) -> DrawResult<()> {
    let Some(x) = f.legend_x else { return Ok(()) };
    let mut y = f.plot.1 + 4;
    let names = short_names(series.iter().take(24), 28);
    for (s, name) in series.iter().zip(names) {
        let c = colours.of(s);
        area.draw(&Rectangle::new([(x, y), (x + 14, y + 14)], c.filled()))?;
        area.draw(&Text::new(
            name,
            (x + 22, y + 7),
            TextStyle::from((FONT, 14).into_font()).color(&TEXT).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += 22;
    }
    Ok(())
}

/// The x pixel of a date: its period's slot, plus the fraction of the period elapsed.
pub(super) fn date_x(f: &Frame, data: &ChartData, d: NaiveDate) -> Option<i32> {
    let (x0, _, x1, _) = f.plot;
    let n = data.periods.len();
    let slot = f64::from(x1 - x0) / n as f64;
    let i = data.periods.iter().rposition(|(start, _)| *start <= d)?;
    let (start, _) = data.periods[i];
    let end = match data.every {
        Some(p) => p.next(start),
        None => return None,
    };
    if i == n - 1 && d >= end {
        return None;
    }
    let frac = (d - start).num_days() as f64 / (end - start).num_days().max(1) as f64;
    Some(x0 + ((i as f64 + frac) * slot).round() as i32)
}

/// One annotation as placed: its line (or band to `end`) and its label in
/// the strip above the plot.
#[derive(Clone)]
pub(super) struct Mark {
    x: i32,
    end: Option<i32>,
    label: String,
    label_x: i32,
    align: HPos,
    row: usize,
}

/// Rows of annotation labels at most; labels that find no room in any
/// row share rows (only with more than this many labels over one stretch).
const MARK_ROWS: usize = 8;
const MARK_ROW_PX: i32 = 16;
const MARK_CHAR_PX: f64 = 6.8;

/// Place the annotations inside the chart's dates: each label on the side of
/// its line with room (shortened when neither side has room), in the first
/// row of the strip above the plot where it meets no other label (and, where
/// a row allows, no other line: a line runs down from its label's row), on
/// the other side of its line when that side has room there and its own has not.
/// The plot moves down to make room, so a label never crosses a bar or a line.
pub(super) fn place_annotations(f: &mut Frame, data: &ChartData, notes: &[Annotation]) -> Vec<Mark> {
    let (x0, _, x1, _) = f.plot;
    // Marks placed so far: (row, line x, label from, label to).
    let mut placed: Vec<(usize, i32, i32, i32)> = Vec::new();
    let mut marks = Vec::new();
    for (k, a) in notes.iter().enumerate() {
        // A span that began before the chart is shaded from its left edge; its
        // last day is included (the band ends where the next day starts).
        let first = data.periods.first().map(|p| p.0);
        let start = match (date_x(f, data, a.date), a.end) {
            (Some(x), _) => Some(x),
            (None, Some(e)) if first.is_some_and(|p| a.date < p && e >= p) => Some(x0),
            _ => None,
        };
        let Some(x) = start else { continue };
        let end = a.end.map(|e| date_x(f, data, e + chrono::Duration::days(1)).unwrap_or(x1)).filter(|e| *e > x);
        let (right, left) = (f64::from(x1 - x - 6), f64::from(x - 6 - x0));
        let fits = |room: f64| (room / MARK_CHAR_PX).floor().max(1.0) as usize;
        let want = a.label.chars().count().min(40);
        let (align, chars) = if want <= fits(right) {
            (HPos::Left, want)
        } else if want <= fits(left) {
            (HPos::Right, want)
        } else if right >= left {
            (HPos::Left, fits(right))
        } else {
            (HPos::Right, fits(left))
        };
        // The other side, when the whole label fits there too.
        let other = match align {
            HPos::Left if want <= fits(left) => Some(HPos::Right),
            HPos::Right if want <= fits(right) => Some(HPos::Left),
            _ => None,
        };
        let label = ellipsis(&a.label, chars);
        let width = (label.chars().count() as f64 * MARK_CHAR_PX) as i32;
        let span = |side: HPos| match side {
            HPos::Left => (x + 4, x + 2, x + 6 + width),
            _ => (x - 4, x - 6 - width, x - 2),
        };
        // Free: no label of the row in the way and, unless `crossing`, no
        // line from a row above through the label and no label of a row
        // below on this line.
        let free = |r: usize, (_, bx0, bx1): (i32, i32, i32), crossing: bool| {
            let labels = placed.iter().all(|&(pr, _, a, b)| pr != r || bx1 < a || bx0 > b);
            let lines = placed
                .iter()
                .all(|&(pr, px, a, b)| (pr > r || !(bx0..=bx1).contains(&px)) && (pr <= r || !(a..=b).contains(&x)));
            labels && (crossing || lines)
        };
        let sides = std::iter::once(align).chain(other);
        let place = |crossing: bool| {
            (0..MARK_ROWS).find_map(|r| sides.clone().find(|s| free(r, span(*s), crossing)).map(|s| (r, s)))
        };
        let (row, align) = place(false).or_else(|| place(true)).unwrap_or((k % MARK_ROWS, align));
        let (label_x, bx0, bx1) = span(align);
        placed.push((row, x, bx0, bx1));
        marks.push(Mark { x, end, label, label_x, align, row });
    }
    let used = marks.iter().map(|m| m.row + 1).max().unwrap_or(0) as i32;
    // The strip sits where the plot began, under the axis titles.
    f.plot.1 += used * MARK_ROW_PX + if used > 0 { 6 } else { 0 };
    marks
}

fn mark_top(f: &Frame, m: &Mark, marks: &[Mark]) -> i32 {
    let used = marks.iter().map(|m| m.row + 1).max().unwrap_or(0) as i32;
    f.plot.1 - used * MARK_ROW_PX - 6 + m.row as i32 * MARK_ROW_PX
}

/// Bands and event lines, drawn before the data so they stay behind it.
pub(super) fn draw_marks(area: &Area<'_>, f: &Frame, marks: &[Mark]) -> DrawResult<()> {
    let (_, y0, _, y1) = f.plot;
    for m in marks {
        let top = mark_top(f, m, marks);
        match m.end {
            Some(e) => {
                area.draw(&Rectangle::new([(m.x, y0), (e, y1)], RGBColor(0x88, 0x88, 0x88).mix(0.15).filled()))?;
                area.draw(&PathElement::new(vec![(m.x, top), (m.x, y0)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
            }
            None => {
                let ink = RGBColor(0x44, 0x44, 0x44);
                area.draw(&PathElement::new(vec![(m.x, top), (m.x, y1)], ShapeStyle::from(&ink).stroke_width(1)))?;
            }
        }
    }
    Ok(())
}

/// The labels of the annotations, in their strip above the plot.
pub(super) fn draw_mark_labels(area: &Area<'_>, f: &Frame, marks: &[Mark]) -> DrawResult<()> {
    for m in marks {
        area.draw(&Text::new(
            m.label.clone(),
            (m.label_x, mark_top(f, m, marks)),
            TextStyle::from((FONT, 12).into_font()).color(&TEXT).pos(Pos::new(m.align, VPos::Top)),
        ))?;
    }
    Ok(())
}

pub(super) fn y_label_width(ymax: f64, step: f64) -> i32 {
    (axis_number(ymax, step).chars().count() as i32) * 8 + 14
}

/// A marker above each period where the 30-day alert fired; `top` gives the
/// y pixel of the period's highest mark.
pub(super) fn draw_alerts(area: &Area<'_>, f: &Frame, data: &ChartData, top: impl Fn(usize) -> i32) -> DrawResult<()> {
    let (x0, y0, x1, _) = f.plot;
    let slot = f64::from(x1 - x0) / data.periods.len().max(1) as f64;
    for (i, _) in data.alerts.iter().enumerate().filter(|(_, a)| **a) {
        let x = x0 + ((i as f64 + 0.5) * slot).round() as i32;
        let y = (top(i) - 4).max(y0 + 9);
        area.draw(&Polygon::new(vec![(x - 5, y - 9), (x + 5, y - 9), (x, y)], super::ALERT.filled()))?;
    }
    Ok(())
}

/// Room at the right of the plot for the overlay's axis.
pub(super) const OVERLAY_AXIS: i32 = 44;

/// The overlay line (days since the last incident) on its own axis at the
/// right of the plot, which the caller narrowed by [`OVERLAY_AXIS`].
pub(super) fn draw_overlay(area: &Area<'_>, f: &Frame, data: &ChartData) -> DrawResult<()> {
    let Some(values) = &data.overlay else { return Ok(()) };
    let (x0, y0, x1, y1) = f.plot;
    let max = values.iter().copied().filter(|v| !v.is_nan()).fold(0.0, f64::max);
    let (ymax, step) = nice_axis(max);
    let slot = f64::from(x1 - x0) / values.len().max(1) as f64;
    let ink = RGBColor(0x44, 0x44, 0x44);
    let mut v = 0.0;
    while v <= ymax + 1e-9 {
        let y = y1 - ((v / ymax) * f64::from(y1 - y0)).round() as i32;
        area.draw(&Text::new(
            axis_number(v, step),
            (x1 + 8, y),
            TextStyle::from((FONT, 13).into_font()).color(&ink).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        v += step;
    }
    area.draw(&Text::new(
        "— days since the last incident (right axis)".to_string(),
        (x1 + OVERLAY_AXIS / 2, f.titles_y),
        TextStyle::from((FONT, 13).into_font()).color(&ink).pos(Pos::new(HPos::Right, VPos::Bottom)),
    ))?;
    let mut run: Vec<(i32, i32)> = Vec::new();
    let mut runs = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if v.is_nan() {
            runs.push(std::mem::take(&mut run));
            continue;
        }
        run.push((
            x0 + ((i as f64 + 0.5) * slot).round() as i32,
            y1 - ((v / ymax) * f64::from(y1 - y0)).round() as i32,
        ));
    }
    runs.push(run);
    for r in runs.into_iter().filter(|r| !r.is_empty()) {
        for p in &r {
            area.draw(&Circle::new(*p, 2, ink.filled()))?;
        }
        area.draw(&PathElement::new(r, ShapeStyle::from(&ink).stroke_width(2)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strip's label boxes as drawn: (row, left, right).
    fn boxes(marks: &[Mark]) -> Vec<(usize, i32, i32)> {
        marks
            .iter()
            .map(|m| {
                let w = (m.label.chars().count() as f64 * MARK_CHAR_PX) as i32;
                match m.align {
                    HPos::Left => (m.row, m.label_x, m.label_x + w),
                    _ => (m.row, m.label_x - w, m.label_x),
                }
            })
            .collect()
    }

    #[test]
    fn labels_never_overlap_while_each_can_have_a_row() {
        let months: Vec<(NaiveDate, String)> = (0..48)
            .map(|i| (NaiveDate::from_ymd_opt(2016 + i / 12, (i % 12) as u32 + 1, 1).unwrap(), String::new()))
            .collect();
        let data = ChartData {
            periods: months.clone(),
            series: Vec::new(),
            every: Some(Period::Month),
            partial: Vec::new(),
            overlay: None,
            alerts: Vec::new(),
        };
        let mut x: u64 = 11;
        let mut next = |n: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        for case in 0..500 {
            // Up to MARK_ROWS labels, bunched at the edges or anywhere.
            let n = 1 + next(MARK_ROWS as u64) as usize;
            let notes: Vec<Annotation> = (0..n)
                .map(|_| {
                    let month = match case % 3 {
                        0 => 44 + next(4),
                        1 => next(4),
                        _ => next(48),
                    } as usize;
                    let date = months[month].0 + chrono::Duration::days(next(28) as i64);
                    let end = (next(3) == 0).then(|| date + chrono::Duration::days(10 + next(60) as i64));
                    Annotation { date, end, label: "x".repeat(5 + next(45) as usize) }
                })
                .collect();
            let mut f = Frame { plot: (60, 160, 936, 612), legend_x: None, titles_y: 0 };
            let marks = place_annotations(&mut f, &data, &notes);
            assert_eq!(marks.len(), n);
            let b = boxes(&marks);
            for (i, p) in b.iter().enumerate() {
                assert!(p.1 >= 60 - 1 && p.2 <= 936 + 1, "case {case}: label {i} leaves the plot: {p:?}");
                for q in &b[..i] {
                    assert!(p.0 != q.0 || p.2 < q.1 || p.1 > q.2, "case {case}: labels overlap: {p:?} {q:?}");
                }
            }
        }
    }
}
