//! Line charts: one line per group (or the running total per group for the
//! cumulative kind, whose values the query computes).

use plotters::prelude::*;

use super::frame::{
    draw_annotations, draw_chrome, draw_legend, draw_x_axis, draw_y_axis, nice_axis, y_label_width, Area, DrawResult,
};
use super::{Annotation, ChartData, ChartSize, ChartText, Colours};

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
        // Runs of values between gaps (NaN) are drawn as separate lines.
        let mut runs: Vec<Vec<(i32, i32)>> = vec![Vec::new()];
        for (i, v) in s.values.iter().enumerate() {
            if v.is_nan() {
                runs.push(Vec::new());
                continue;
            }
            let p =
                (x0 + ((i as f64 + 0.5) * slot).round() as i32, y1 - ((v / ymax) * f64::from(y1 - y0)).round() as i32);
            if let Some(r) = runs.last_mut() {
                r.push(p);
            }
        }
        for pts in runs.into_iter().filter(|r| !r.is_empty()) {
            if pts.len() == 1 {
                area.draw(&Circle::new(pts[0], 3, c.filled()))?;
            } else {
                area.draw(&PathElement::new(pts, ShapeStyle::from(&c).stroke_width(if s.is_other { 2 } else { 3 })))?;
            }
        }
    }
    draw_x_axis(area, &f, &data.periods, data.every)?;
    if legend {
        draw_legend(area, &f, &data.series, colours)?;
    }
    Ok(())
}
