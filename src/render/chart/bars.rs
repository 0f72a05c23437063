//! Bar charts: one bar per period (all groups summed), or bars stacked by
//! group with "Other" on top in grey.

use plotters::prelude::*;

use super::frame::{
    draw_annotations, draw_chrome, draw_legend, draw_x_axis, draw_y_axis, nice_axis, y_label_width, Area, DrawResult,
};
use super::{fill, Annotation, ChartData, ChartKind, ChartSize, ChartText, Colours, PALETTE};

/// Draw a bar or stacked bar chart.
pub fn draw(
    area: &Area<'_>,
    kind: ChartKind,
    data: &ChartData,
    text: &ChartText,
    notes: &[Annotation],
    size: ChartSize,
    colours: &mut Colours,
) -> DrawResult<()> {
    let stacked = kind == ChartKind::Stacked && data.series.len() > 1;
    let totals = data.totals();
    let (ymax, step) = nice_axis(totals.iter().copied().fold(0.0, f64::max));
    let f = draw_chrome(area, text, size, stacked, y_label_width(ymax, step))?;
    draw_y_axis(area, &f, ymax, step, &text.y_label)?;
    let (x0, y0, x1, y1) = f.plot;
    let n = data.periods.len();
    let slot = f64::from(x1 - x0) / n as f64;
    let gap = if slot >= 6.0 { (slot * 0.15).max(1.0) } else { 0.0 };
    let y_of = |v: f64| y1 - ((v / ymax) * f64::from(y1 - y0)).round() as i32;
    for (i, total) in totals.iter().enumerate() {
        let left = x0 + (i as f64 * slot + gap / 2.0).round() as i32;
        let right = (x0 + ((i + 1) as f64 * slot - gap / 2.0).round() as i32).max(left + 1);
        if stacked {
            let mut base = 0.0;
            for s in &data.series {
                let v = s.values[i];
                if v > 0.0 && !v.is_nan() {
                    let style = fill(colours.of(s), data.is_partial(i));
                    area.draw(&Rectangle::new([(left, y_of(base + v)), (right, y_of(base))], style))?;
                }
                if !v.is_nan() {
                    base += v;
                }
            }
        } else if *total > 0.0 {
            area.draw(&Rectangle::new([(left, y_of(*total)), (right, y1)], fill(PALETTE[0], data.is_partial(i))))?;
        }
    }
    draw_x_axis(area, &f, &data.periods, data.every)?;
    draw_annotations(area, &f, data, notes)?;
    if stacked {
        draw_legend(area, &f, &data.series, colours)?;
    }
    Ok(())
}
