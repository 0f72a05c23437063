//! Line charts: one line per group (or the running total per group for the
//! cumulative kind, whose values the query computes).

use plotters::prelude::*;

use super::frame::{
    draw_annotations, draw_chrome, draw_legend, draw_x_axis, draw_y_axis, nice_axis, y_label_width, Area, DrawResult,
};
use super::{fill, Annotation, ChartData, ChartSize, ChartText, Colours};

/// Draw a line chart.
pub fn draw(
    area: &Area<'_>,
    data: &ChartData,
    text: &ChartText,
    notes: &[Annotation],
    size: ChartSize,
    colours: &mut Colours,
) -> DrawResult<()> {
    let max = data.series.iter().flat_map(|s| s.values.iter().copied()).filter(|v| !v.is_nan()).fold(0.0, f64::max);
    let (ymax, step) = nice_axis(max);
    let legend = data.series.len() > 1;
    let f = draw_chrome(area, text, size, legend, y_label_width(ymax, step))?;
    draw_y_axis(area, &f, ymax, step, &text.y_label)?;
    let (x0, y0, x1, y1) = f.plot;
    let slot = f64::from(x1 - x0) / data.periods.len() as f64;
    draw_annotations(area, &f, data, notes)?;
    // Draw "Other" first so named groups stay on top.
    for s in data.series.iter().rev() {
        let c = colours.of(s);
        // Runs of values between gaps (NaN) are drawn as separate lines; a
        // segment into or out of a partial period is drawn lighter.
        let point = |i: usize, v: f64| {
            (x0 + ((i as f64 + 0.5) * slot).round() as i32, y1 - ((v / ymax) * f64::from(y1 - y0)).round() as i32)
        };
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
    draw_x_axis(area, &f, &data.periods, data.every)?;
    if legend {
        draw_legend(area, &f, &data.series, colours)?;
    }
    Ok(())
}
