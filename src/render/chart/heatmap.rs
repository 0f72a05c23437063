//! Heatmap: groups down, periods across, colour by count, with a colour
//! scale legend. A sequential single-hue scale reads for colour-blind viewers.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{draw_chrome, draw_x_axis, Area, DrawResult};
use super::{ellipsis, fill, ChartData, ChartSize, ChartText, FONT, MUTED};
use crate::text::count;

/// From near-white to dark blue.
fn shade(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(lerp(247.0, 8.0), lerp(251.0, 48.0), lerp(255.0, 107.0))
}

/// Draw a heatmap.
pub fn draw(area: &Area<'_>, data: &ChartData, text: &ChartText, size: ChartSize) -> DrawResult<()> {
    let rows = &data.series;
    let label_w = rows.iter().map(|s| ellipsis(&s.name, 26).chars().count()).max().unwrap_or(4) as i32 * 8 + 8;
    let mut f = draw_chrome(area, text, size, false, label_w)?;
    f.plot.2 -= 90; // room for the colour scale
    let (x0, y0, x1, y1) = f.plot;
    let max = rows.iter().flat_map(|s| s.values.iter().copied()).filter(|v| !v.is_nan()).fold(0.0, f64::max).max(1.0);
    let n = data.periods.len();
    let (cw, ch) = (f64::from(x1 - x0) / n as f64, f64::from(y1 - y0) / rows.len().max(1) as f64);
    for (j, s) in rows.iter().enumerate() {
        let top = y0 + (j as f64 * ch).round() as i32;
        let bottom = y0 + ((j + 1) as f64 * ch).round() as i32;
        for (i, v) in s.values.iter().enumerate() {
            let left = x0 + (i as f64 * cw).round() as i32;
            let right = (x0 + ((i + 1) as f64 * cw).round() as i32).max(left + 1);
            let t = if v.is_nan() { 0.0 } else { v / max };
            area.draw(&Rectangle::new([(left, top), (right, bottom)], fill(shade(t), data.is_partial(i))))?;
        }
        area.draw(&Text::new(
            ellipsis(&s.name, 26),
            (x0 - 8, (top + bottom) / 2),
            TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    draw_x_axis(area, &f, &data.periods, data.every)?;
    // Colour scale: a vertical gradient from 0 to the maximum.
    let lx = x1 + 30;
    let steps = 40;
    for k in 0..steps {
        let t = 1.0 - k as f64 / steps as f64;
        let a = y0 + (k as f64 * f64::from(y1 - y0) / steps as f64).round() as i32;
        let b = y0 + ((k + 1) as f64 * f64::from(y1 - y0) / steps as f64).round() as i32;
        area.draw(&Rectangle::new([(lx, a), (lx + 16, b)], shade(t).filled()))?;
    }
    let style = TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Center));
    area.draw(&Text::new(count(max.round() as u64), (lx + 22, y0), style.clone()))?;
    area.draw(&Text::new("0".to_string(), (lx + 22, y1), style))?;
    area.draw(&Text::new(
        text.y_label.clone(),
        (lx, y0 - 6),
        TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
    ))?;
    Ok(())
}
