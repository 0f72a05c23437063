//! Small multiples: one panel per group, bars on a shared y scale so panels
//! compare at a glance; "Other" is the last panel, in grey.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{draw_chrome, nice_axis, Area, DrawResult};
use super::{ellipsis, fill, ChartData, ChartSize, ChartText, Colours, FONT, GRID, MUTED, TEXT};
use crate::text::count;

fn small(c: &'static RGBColor, size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(c).pos(Pos::new(h, v))
}

/// Draw small multiples (at most 12 panels; use `--top` to choose them).
pub fn draw(
    area: &Area<'_>,
    data: &ChartData,
    text: &ChartText,
    size: ChartSize,
    colours: &mut Colours,
) -> DrawResult<()> {
    let f = draw_chrome(area, text, size, false, 0)?;
    let (x0, y0, x1, y1) = f.plot;
    let panels: Vec<_> = data.series.iter().take(12).collect();
    let cols = (panels.len() as f64).sqrt().ceil().max(1.0) as i32;
    let rows = (panels.len() as i32 + cols - 1) / cols;
    let (pw, ph) = ((x1 - x0) / cols, (y1 - y0 + 20) / rows.max(1));
    let max = panels.iter().flat_map(|s| s.values.iter().copied()).filter(|v| !v.is_nan()).fold(0.0, f64::max);
    let (ymax, _) = nice_axis(max);
    let n = data.periods.len();
    for (k, s) in panels.iter().enumerate() {
        let (col, row) = (k as i32 % cols, k as i32 / cols);
        let (left, top) = (x0 + col * pw + 8, y0 + row * ph);
        let (right, bottom) = (left + pw - 24, top + ph - 40);
        area.draw(&Text::new(ellipsis(&s.name, 30), (left, top), small(&TEXT, 14, HPos::Left, VPos::Top)))?;
        let ptop = top + 22;
        area.draw(&PathElement::new(vec![(left, ptop), (right, ptop)], ShapeStyle::from(&GRID).stroke_width(1)))?;
        area.draw(&PathElement::new(vec![(left, bottom), (right, bottom)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
        area.draw(&Text::new(count(ymax as u64), (right, ptop - 2), small(&MUTED, 11, HPos::Right, VPos::Bottom)))?;
        let slot = f64::from(right - left) / n as f64;
        let c = colours.of(s);
        for (i, v) in s.values.iter().enumerate() {
            if v.is_nan() || *v <= 0.0 {
                continue;
            }
            let a = left + (i as f64 * slot).round() as i32;
            let b = (left + ((i + 1) as f64 * slot).round() as i32).max(a + 1);
            let y = bottom - ((v / ymax) * f64::from(bottom - ptop)).round() as i32;
            area.draw(&Rectangle::new([(a, y), (b, bottom)], fill(c, data.is_partial(i))))?;
        }
        if let (Some(first), Some(last)) = (data.periods.first(), data.periods.last()) {
            area.draw(&Text::new(first.1.clone(), (left, bottom + 4), small(&MUTED, 11, HPos::Left, VPos::Top)))?;
            area.draw(&Text::new(last.1.clone(), (right, bottom + 4), small(&MUTED, 11, HPos::Right, VPos::Top)))?;
        }
    }
    Ok(())
}
