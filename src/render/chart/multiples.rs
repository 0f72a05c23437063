//! Small multiples: one panel per group, bars on a shared y scale so panels
//! compare at a glance (or, with `y_scale = "free"`, each on its own so small
//! groups' shapes read); "Other" is the last panel, in grey. Each panel has
//! its zero, its top value and a middle gridline labelled, and three or four
//! x ticks.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{axis_number, draw_chrome, nice_axis, x_ticks, Area, DrawResult};
use super::{fill, short_names, ChartData, ChartSize, ChartText, Colours, YScale, FONT, GRID, MUTED, TEXT};

fn small(c: &'static RGBColor, size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(c).pos(Pos::new(h, v))
}

/// Most x ticks in a panel.
const PANEL_TICKS: usize = 4;

/// A panel's y maximum and step: two or three gridlines above zero, at round counts.
fn panel_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 1.0);
    }
    let mut mag = 10f64.powf(max.log10().floor() - 1.0).max(if max >= 1.0 { 1.0 } else { 0.0 });
    if mag == 0.0 {
        return nice_axis(max);
    }
    loop {
        for m in [1.0, 2.0, 2.5, 5.0] {
            let step: f64 = m * mag;
            if (max >= 1.0 && step.fract() != 0.0) || (max / step).ceil() > 3.0 {
                continue;
            }
            return ((max / step).ceil().max(1.0) * step, step);
        }
        mag *= 10.0;
    }
}

/// Draw small multiples (at most 12 panels; use `--top` to choose them).
pub fn draw(
    area: &Area<'_>,
    data: &ChartData,
    text: &ChartText,
    size: ChartSize,
    scale: YScale,
    colours: &mut Colours,
) -> DrawResult<()> {
    let mut f = draw_chrome(area, text, size, false, 0)?;
    // The axis title once, above the panels.
    let title = match scale {
        YScale::Shared => text.y_label.clone(),
        YScale::Free => format!("{} (each panel on its own scale)", text.y_label),
    };
    area.draw(&Text::new(title, (f.plot.0, f.plot.1), small(&MUTED, 13, HPos::Left, VPos::Top)))?;
    f.plot.1 += 22;
    let (x0, y0, x1, y1) = f.plot;
    let panels: Vec<_> = data.series.iter().take(12).collect();
    let cols = (panels.len() as f64).sqrt().ceil().max(1.0) as i32;
    let rows = (panels.len() as i32 + cols - 1) / cols;
    let (pw, ph) = ((x1 - x0) / cols, (y1 - y0 + 20) / rows.max(1));
    let peak = |s: &super::ChartSeries| s.values.iter().copied().filter(|v| !v.is_nan()).fold(0.0, f64::max);
    let shared = panel_axis(panels.iter().map(|s| peak(s)).fold(0.0, f64::max));
    let n = data.periods.len();
    let names = short_names(panels.iter().copied(), 30);
    for (k, s) in panels.iter().enumerate() {
        let (ymax, step) = if scale == YScale::Free { panel_axis(peak(s)) } else { shared };
        let (col, row) = (k as i32 % cols, k as i32 / cols);
        let label_w = axis_number(ymax, step).chars().count() as i32 * 7 + 6;
        let (left, top) = (x0 + col * pw + label_w, y0 + row * ph);
        let (right, bottom) = (x0 + (col + 1) * pw - 16, top + ph - 40);
        area.draw(&Text::new(names[k].clone(), (left, top), small(&TEXT, 14, HPos::Left, VPos::Top)))?;
        let ptop = top + 22;
        let y_of = |v: f64| bottom - ((v / ymax) * f64::from(bottom - ptop)).round() as i32;
        let mut v = step;
        while v <= ymax + 1e-9 {
            let y = y_of(v);
            area.draw(&PathElement::new(vec![(left, y), (right, y)], ShapeStyle::from(&GRID).stroke_width(1)))?;
            area.draw(&Text::new(axis_number(v, step), (left - 4, y), small(&MUTED, 11, HPos::Right, VPos::Center)))?;
            v += step;
        }
        let slot = f64::from(right - left) / n as f64;
        let c = colours.of(s);
        for (i, v) in s.values.iter().enumerate() {
            if v.is_nan() || *v <= 0.0 {
                continue;
            }
            let a = left + (i as f64 * slot).round() as i32;
            let b = (left + ((i + 1) as f64 * slot).round() as i32).max(a + 1);
            area.draw(&Rectangle::new([(a, y_of(*v)), (b, bottom)], fill(c, data.is_partial(i))))?;
        }
        // The zero line over the bars' feet, labelled.
        area.draw(&PathElement::new(vec![(left, bottom), (right, bottom)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
        area.draw(&Text::new("0".to_string(), (left - 4, bottom), small(&MUTED, 11, HPos::Right, VPos::Center)))?;
        let ticks = x_ticks(&data.periods, data.every, f64::from(right - left), 6.5);
        let every = ticks.len().div_ceil(PANEL_TICKS).max(1);
        for (i, label) in ticks.into_iter().step_by(every) {
            let x = left + ((i as f64 + 0.5) * slot).round() as i32;
            area.draw(&PathElement::new(vec![(x, bottom), (x, bottom + 3)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
            area.draw(&Text::new(label, (x, bottom + 5), small(&MUTED, 11, HPos::Center, VPos::Top)))?;
        }
    }
    Ok(())
}
