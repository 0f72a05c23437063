//! Line charts: one line per group (or the running total per group for the
//! cumulative kind, whose values the query computes).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::frame::{
    axis_number, draw_chrome, draw_legend, draw_mark_labels, draw_marks, draw_overlay, draw_x_axis, draw_y_axis,
    nice_axis, place_annotations, y_label_width, Area, DrawResult, OVERLAY_AXIS,
};
use super::{fill, Annotation, ChartData, ChartSize, ChartText, Colours, FONT};

/// Draw a line chart.
pub fn draw(
    area: &Area<'_>,
    data: &ChartData,
    text: &ChartText,
    notes: &[Annotation],
    size: ChartSize,
    colours: &mut Colours,
    end_labels: bool,
) -> DrawResult<()> {
    let max = data.series.iter().flat_map(|s| s.values.iter().copied()).filter(|v| !v.is_nan()).fold(0.0, f64::max);
    let (ymax, step) = nice_axis(max);
    let legend = data.series.len() > 1;
    let mut f = draw_chrome(area, text, size, legend, y_label_width(ymax, step))?;
    if data.overlay.is_some() {
        f.plot.2 -= OVERLAY_AXIS;
    }
    let marks = place_annotations(&mut f, data, notes);
    draw_y_axis(area, &f, ymax, step, &text.y_label)?;
    draw_marks(area, &f, &marks)?;
    let (x0, y0, x1, y1) = f.plot;
    let slot = f64::from(x1 - x0) / data.periods.len() as f64;
    let point = |i: usize, v: f64| {
        (x0 + ((i as f64 + 0.5) * slot).round() as i32, y1 - ((v / ymax) * f64::from(y1 - y0)).round() as i32)
    };
    // Draw "Other" first so named groups stay on top.
    for s in data.series.iter().rev() {
        let c = colours.of(s);
        // Runs of values between gaps (NaN) are drawn as separate lines; a
        // segment into or out of a partial period is drawn lighter.
        let mut runs: Vec<(bool, Vec<(i32, i32)>)> = Vec::new();
        for (i, v) in s.values.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let p = point(i, *v);
            let joined = i > 0 && !s.values[i - 1].is_nan();
            if !joined {
                runs.push((data.is_partial(i), vec![p]));
                continue;
            }
            let light = data.is_partial(i) || data.is_partial(i - 1);
            match runs.last_mut() {
                Some((l, pts)) if *l == light || pts.len() == 1 => {
                    *l = light;
                    pts.push(p);
                }
                _ => {
                    let prev = point(i - 1, s.values[i - 1]);
                    runs.push((light, vec![prev, p]));
                }
            }
        }
        let width = if s.is_other { 2 } else { 3 };
        for (light, pts) in runs {
            let colour = if light { c.mix(0.4) } else { c.mix(1.0) };
            if pts.len() == 1 {
                area.draw(&Circle::new(pts[0], 3, fill(c, light)))?;
            } else {
                area.draw(&PathElement::new(pts, ShapeStyle::from(&colour).stroke_width(width)))?;
            }
        }
    }
    let direct = data.series.len() > 1 && data.series.len() <= DIRECT_LABELS;
    if end_labels && !direct {
        // Each line's last value above its end, kept 14 px apart.
        let mut ends: Vec<(i32, i32, String, RGBColor)> = Vec::new();
        for s in &data.series {
            if let Some((i, v)) = s.values.iter().enumerate().rev().find(|(_, v)| !v.is_nan()) {
                let (x, y) = (
                    x0 + ((i as f64 + 0.5) * slot).round() as i32,
                    y1 - ((v / ymax) * f64::from(y1 - y0)).round() as i32,
                );
                ends.push((y, x, axis_number(*v, 1.0), colours.of(s)));
            }
        }
        ends.sort_by_key(|e| e.0);
        let mut last_y = i32::MIN;
        for (y, x, label, c) in ends {
            let y = (y - 6).max(last_y + 14);
            last_y = y;
            area.draw(&Text::new(
                label,
                (x, y),
                TextStyle::from((FONT, 13, FontStyle::Bold).into_font())
                    .color(&c)
                    .pos(Pos::new(HPos::Right, VPos::Bottom)),
            ))?;
        }
    }
    draw_x_axis(area, &f, &data.periods, data.every)?;
    let highest = |i: usize| data.series.iter().map(|s| s.values[i]).filter(|v| !v.is_nan()).fold(0.0, f64::max);
    super::frame::draw_alerts(area, &f, data, |i| point(i, highest(i)).1)?;
    draw_mark_labels(area, &f, &marks)?;
    draw_overlay(area, &f, data)?;
    if direct {
        draw_end_names(area, &f, data, colours, end_labels, point)?;
    } else if legend {
        draw_legend(area, &f, &data.series, colours)?;
    }
    Ok(())
}

/// Most lines labelled at their ends; more get a legend.
pub const DIRECT_LABELS: usize = 6;

/// Each line's name beside its last point, in the line's colour, in the
/// column a legend would take (with the last value for running totals); names are kept 16 px apart, with a thin
/// leader from the line's end when a name had to move.
fn draw_end_names(
    area: &Area<'_>,
    f: &super::frame::Frame,
    data: &ChartData,
    colours: &mut Colours,
    with_value: bool,
    point: impl Fn(usize, f64) -> (i32, i32),
) -> DrawResult<()> {
    let Some(lx) = f.legend_x else { return Ok(()) };
    let names = super::short_names(&data.series, 28);
    let mut ends: Vec<((i32, i32), String, RGBColor)> = data
        .series
        .iter()
        .zip(names)
        .filter_map(|(s, name)| {
            let (i, v) = s.values.iter().enumerate().rev().find(|(_, v)| !v.is_nan())?;
            let label = if with_value { format!("{name} {}", axis_number(*v, 1.0)) } else { name };
            Some((point(i, *v), label, colours.of(s)))
        })
        .collect();
    ends.sort_by_key(|e| (e.0 .1, e.1.clone()));
    // Spread downwards, then pull the block back up if it runs past the bottom.
    let mut ys: Vec<i32> = Vec::with_capacity(ends.len());
    for e in &ends {
        let y = ys.last().map_or(e.0 .1, |l| e.0 .1.max(l + 16));
        ys.push(y);
    }
    let overflow = ys.last().map_or(0, |l| (l - f.plot.3).max(0));
    for y in &mut ys {
        *y -= overflow;
    }
    for k in (1..ys.len()).rev() {
        if ys[k - 1] > ys[k] - 16 {
            ys[k - 1] = ys[k] - 16;
        }
    }
    for ((end, name, c), y) in ends.into_iter().zip(ys) {
        area.draw(&PathElement::new(
            vec![(end.0 + 4, end.1), (lx - 4, y)],
            ShapeStyle::from(&c.mix(0.6)).stroke_width(1),
        ))?;
        area.draw(&Text::new(
            name,
            (lx, y),
            TextStyle::from((FONT, 14, FontStyle::Bold).into_font()).color(&c).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}
