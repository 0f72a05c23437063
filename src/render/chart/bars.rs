//! Bar charts: one bar per period (all groups summed), bars stacked by
//! group with "Other" on top in grey, or (without a period) one horizontal
//! bar per group, largest first.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{
    axis_number, draw_chrome, draw_legend, draw_mark_labels, draw_marks, draw_overlay, draw_x_axis, draw_y_axis,
    nice_axis, place_annotations, y_label_width, Area, DrawResult, OVERLAY_AXIS,
};
use super::{
    fill, short_names, Annotation, ChartData, ChartKind, ChartSize, ChartText, Colours, FONT, GRID, MUTED, PALETTE,
    TEXT,
};
use crate::text::count;

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
    // Headroom: the tallest bar never touches the top of the plot.
    let (ymax, step) = nice_axis(totals.iter().copied().fold(0.0, f64::max) * 1.05);
    let mut f = draw_chrome(area, text, size, stacked, y_label_width(ymax, step))?;
    if data.overlay.is_some() {
        f.plot.2 -= OVERLAY_AXIS;
    }
    let marks = place_annotations(&mut f, data, notes);
    draw_y_axis(area, &f, ymax, step, &text.y_label)?;
    draw_marks(area, &f, &marks)?;
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
    super::frame::draw_alerts(area, &f, data, |i| y_of(totals[i]))?;
    draw_mark_labels(area, &f, &marks)?;
    draw_overlay(area, &f, data)?;
    if stacked {
        // The legend reads top to bottom as the stack does: the last series drawn is on top.
        let top_first: Vec<_> = data.series.iter().rev().cloned().collect();
        draw_legend(area, &f, &top_first, colours)?;
    }
    Ok(())
}

/// Most bars a ranked chart draws; the rest are named in the footer.
pub const MAX_RANKED: usize = 40;

/// Characters of a group name shown beside its bar.
const RANKED_LABEL: usize = 32;

/// Draw one horizontal bar per group (the series, largest first, "Other"
/// last in grey), each labelled with its name and value.
pub fn draw_ranked(
    area: &Area<'_>,
    data: &ChartData,
    text: &ChartText,
    size: ChartSize,
    colours: &mut Colours,
) -> DrawResult<()> {
    let shown = &data.series[..data.series.len().min(MAX_RANKED)];
    let hidden = data.series.len() - shown.len();
    let footer;
    let text = if hidden > 0 {
        footer = ChartText {
            note: format!(
                "{} more not drawn (use --top to merge them into Other). {}",
                count(hidden as u64),
                text.note
            ),
            ..text.clone()
        };
        &footer
    } else {
        text
    };
    let value = |s: &super::ChartSeries| s.values.iter().filter(|v| !v.is_nan()).sum::<f64>();
    let names = short_names(shown, RANKED_LABEL);
    let label_w = names.iter().map(|n| n.chars().count()).max().unwrap_or(4) as i32 * 8;
    let f = draw_chrome(area, text, size, false, label_w)?;
    let (x0, y0, x1, y1) = f.plot;
    // Room at the right for the largest value's label.
    let x1 = x1 - 48;
    let (xmax, step) = nice_axis(shown.iter().map(value).fold(0.0, f64::max));
    let x_of = |v: f64| x0 + ((v / xmax) * f64::from(x1 - x0)).round() as i32;
    // Bars at most 40 px apart; the axis sits under the last one.
    let row = (f64::from(y1 - y0) / shown.len().max(1) as f64).min(40.0);
    let y1 = y0 + (row * shown.len().max(1) as f64).round() as i32;
    let mut v = 0.0;
    while v <= xmax + 1e-9 {
        let x = x_of(v);
        area.draw(&PathElement::new(vec![(x, y0), (x, y1)], ShapeStyle::from(&GRID).stroke_width(1)))?;
        area.draw(&Text::new(
            axis_number(v, step),
            (x, y1 + 8),
            TextStyle::from((FONT, 13).into_font()).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        v += step;
    }
    area.draw(&Text::new(
        text.y_label.clone(),
        (x1, y1 + 28),
        TextStyle::from((FONT, 12).into_font()).color(&MUTED).pos(Pos::new(HPos::Right, VPos::Top)),
    ))?;
    let thick = (row * 0.7).max(1.0);
    for (k, s) in shown.iter().enumerate() {
        let mid = y0 + ((k as f64 + 0.5) * row).round() as i32;
        let (top, bottom) = (mid - (thick / 2.0).round() as i32, mid + (thick / 2.0).round() as i32);
        let v = value(s);
        let colour = if s.is_other { colours.of(s) } else { PALETTE[0] };
        if v > 0.0 {
            area.draw(&Rectangle::new([(x0, top), (x_of(v).max(x0 + 1), bottom.max(top + 1))], colour.filled()))?;
        }
        let font = ((row * 0.55).round() as u32).clamp(8, 14);
        area.draw(&Text::new(
            names[k].clone(),
            (x0 - 8, mid),
            TextStyle::from((FONT, font).into_font()).color(&TEXT).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        area.draw(&Text::new(
            axis_number(v, 1.0),
            (x_of(v) + 6, mid),
            TextStyle::from((FONT, font).into_font()).color(&TEXT).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    area.draw(&PathElement::new(vec![(x0, y0), (x0, y1)], ShapeStyle::from(&MUTED).stroke_width(1)))?;
    Ok(())
}
