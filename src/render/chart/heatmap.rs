//! Heatmap: groups down, periods across, colour by count, with a colour
//! scale legend. A sequential yellow-green-blue scale (ColorBrewer YlGnBu)
//! reads for colour-blind viewers; it runs on the square root of the count,
//! so low counts (1-5 of a maximum of 40) stand apart from zero and from
//! each other, and zero is a neutral grey. Cells may carry their counts.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{axis_number, draw_chrome, draw_x_axis, Area, DrawResult};
use super::{fill, short_names, ChartData, ChartSize, ChartText, FONT, MUTED};

/// ColorBrewer YlGnBu, light to dark (the first, near-white, stop is left out: it is zero's).
const STOPS: [(u8, u8, u8); 8] = [
    (0xed, 0xf8, 0xb1),
    (0xc7, 0xe9, 0xb4),
    (0x7f, 0xcd, 0xbb),
    (0x41, 0xb6, 0xc4),
    (0x1d, 0x91, 0xc0),
    (0x22, 0x5e, 0xa8),
    (0x25, 0x34, 0x94),
    (0x08, 0x1d, 0x58),
];

/// The colour of a cell with no incidents.
pub const ZERO: RGBColor = RGBColor(0xf2, 0xf2, 0xf2);

/// The colour of a count on a scale to `max`: zero grey, then the palette on the square root.
pub fn shade(v: f64, max: f64) -> RGBColor {
    if v.is_nan() || v <= 0.0 {
        return ZERO;
    }
    let t = (v / max.max(1.0)).sqrt().clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - i as f64;
    let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// Whether text on `c` should be white.
fn dark(c: RGBColor) -> bool {
    0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2) < 140.0
}

/// Draw a heatmap; `values` writes each cell's count where it fits.
pub fn draw(area: &Area<'_>, data: &ChartData, text: &ChartText, size: ChartSize, values: bool) -> DrawResult<()> {
    let rows = &data.series;
    let names = short_names(rows, 26);
    let label_w = names.iter().map(|n| n.chars().count()).max().unwrap_or(4) as i32 * 8 + 8;
    let mut f = draw_chrome(area, text, size, false, label_w)?;
    f.plot.2 -= 100; // room for the colour scale
    let (x0, y0, x1, y1) = f.plot;
    let max = rows.iter().flat_map(|s| s.values.iter().copied()).filter(|v| !v.is_nan()).fold(0.0, f64::max).max(1.0);
    let n = data.periods.len();
    let (cw, ch) = (f64::from(x1 - x0) / n as f64, f64::from(y1 - y0) / rows.len().max(1) as f64);
    let font = (ch * 0.5).clamp(8.0, 13.0) as u32;
    for (j, s) in rows.iter().enumerate() {
        let top = y0 + (j as f64 * ch).round() as i32;
        let bottom = y0 + ((j + 1) as f64 * ch).round() as i32;
        for (i, v) in s.values.iter().enumerate() {
            let left = x0 + (i as f64 * cw).round() as i32;
            let right = (x0 + ((i + 1) as f64 * cw).round() as i32).max(left + 1);
            let c = shade(*v, max);
            area.draw(&Rectangle::new([(left, top), (right, bottom)], fill(c, data.is_partial(i))))?;
            let label = axis_number(*v, 1.0);
            let fits = f64::from(right - left) >= label.len() as f64 * f64::from(font) * 0.62 + 2.0 && ch >= 10.0;
            if values && !v.is_nan() && *v > 0.0 && fits {
                let ink = if dark(c) { WHITE } else { RGBColor(0x22, 0x22, 0x22) };
                area.draw(&Text::new(
                    label,
                    ((left + right) / 2, (top + bottom) / 2),
                    TextStyle::from((FONT, font).into_font()).color(&ink).pos(Pos::new(HPos::Center, VPos::Center)),
                ))?;
            }
        }
        area.draw(&Text::new(
            names[j].clone(),
            (x0 - 8, (top + bottom) / 2),
            TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    draw_x_axis(area, &f, &data.periods, data.every)?;
    // Colour scale: a vertical gradient from 0 to the maximum, with 3-5 ticks at whole counts.
    let lx = x1 + 30;
    let y_of = |v: f64| y1 - ((v / max).sqrt() * f64::from(y1 - y0)).round() as i32;
    let steps = 60;
    for k in 0..steps {
        let (a, b) = (max * (k as f64 / steps as f64).powi(2), max * ((k + 1) as f64 / steps as f64).powi(2));
        let c = if k == 0 { shade(max / (steps * steps) as f64, max) } else { shade((a + b) / 2.0, max) };
        area.draw(&Rectangle::new([(lx, y_of(b)), (lx + 16, y_of(a))], c.filled()))?;
    }
    let style = TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Center));
    // Ticks at 1, 2, 5, 10, 20, 50… (the square-root scale spreads low
    // counts, so they get ticks), at least 14 px apart, and the maximum.
    let top = max.round();
    let mut inner: Vec<f64> = Vec::new();
    let mut m = 1.0;
    while m < top {
        for k in [1.0, 2.0, 5.0] {
            let v = m * k;
            let clear = |a: f64, b: f64| (y_of(a) - y_of(b)).abs() >= 14;
            if v < top && clear(v, top) && inner.last().is_none_or(|l| clear(*l, v)) {
                inner.push(v);
            }
        }
        m *= 10.0;
    }
    // At most four besides the maximum, spread over the range.
    let keep = inner.len().div_ceil(4).max(1);
    let mut ticks: Vec<f64> = inner.into_iter().step_by(keep).collect();
    ticks.push(top);
    for t in ticks {
        let y = y_of(t);
        area.draw(&PathElement::new(vec![(lx + 16, y), (lx + 20, y)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
        area.draw(&Text::new(axis_number(t, 1.0), (lx + 24, y), style.clone()))?;
    }
    area.draw(&Rectangle::new([(lx, y1 + 10), (lx + 16, y1 + 22)], ZERO.filled()))?;
    area.draw(&Text::new("none".to_string(), (lx + 24, y1 + 16), style))?;
    area.draw(&Text::new(
        text.y_label.clone(),
        (lx, y0 - 6),
        TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
    ))?;
    Ok(())
}
