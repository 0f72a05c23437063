//! Alt text: one paragraph saying what a chart shows (what is plotted, the
//! range, the maximum and where it is, the last value), for readers who do
//! not see the picture. Written beside the chart (`F.txt`), into the SVG's
//! `<title>` and `<desc>`, and as the `alt` of the chart on the HTML page.

use super::gaps::GapData;
use super::{ChartData, ChartKind, ChartText};
use crate::query::Period;
use crate::text::{count, decimal, escape_html};

/// Most groups named one by one; the rest are counted.
const NAMED: usize = 8;

/// A value as a reader says it: whole numbers with separators, else one decimal.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let n = v.abs() as u64;
        if v < 0.0 {
            format!("-{}", count(n))
        } else {
            count(n)
        }
    } else {
        decimal(v, 1)
    }
}

fn kind_name(kind: ChartKind, data: &ChartData) -> &'static str {
    match kind {
        ChartKind::Bar if data.every.is_none() => "Horizontal bar chart",
        ChartKind::Bar => "Bar chart",
        ChartKind::Stacked if data.series.len() > 1 => "Stacked bar chart",
        ChartKind::Stacked => "Bar chart",
        ChartKind::Line => "Line chart",
        ChartKind::Cumulative => "Line chart of running totals",
        ChartKind::Heatmap => "Heatmap",
        ChartKind::SmallMultiples => "Small multiples",
        ChartKind::Gap => "Line chart",
    }
}

/// "A (40); B (12); and 3 more": series with their totals (semicolons,
/// since a joint group's name has commas).
fn named(items: &[(String, f64)]) -> String {
    let mut parts: Vec<String> = items.iter().take(NAMED).map(|(n, v)| format!("{n} ({})", num(*v))).collect();
    if items.len() > NAMED {
        parts.push(format!("{} more", items.len() - NAMED));
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{}; and {last}", parts.join("; "))
        }
    }
}

fn head(what: &str, text: &ChartText) -> String {
    let mut s = format!("{what}: {}", text.title.trim_end_matches('.'));
    match text.subtitle.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(sub) => s.push_str(&format!(", {sub}.")),
        None => s.push('.'),
    }
    s
}

/// The description of a chart drawn from periods and series.
pub fn describe(kind: ChartKind, data: &ChartData, text: &ChartText) -> String {
    let mut out = head(kind_name(kind, data), text);
    let total = |s: &super::ChartSeries| s.values.iter().filter(|v| !v.is_nan()).sum::<f64>();
    let last_value = |s: &super::ChartSeries| s.values.iter().rev().find(|v| !v.is_nan()).copied();
    if data.every.is_none() {
        // Ranked bars: one value per group, largest first.
        let items: Vec<(String, f64)> = data.series.iter().map(|s| (s.name.clone(), total(s))).collect();
        out.push_str(&format!(" {} groups, largest first: {}.", items.len(), named(&items)));
        return out;
    }
    let n = data.periods.len();
    if let (Some(first), Some(last)) = (data.periods.first(), data.periods.last()) {
        let unit = match data.every {
            Some(Period::Day) => "days".to_string(),
            Some(Period::Week { .. }) => "weeks".to_string(),
            Some(Period::Month) => "months".to_string(),
            Some(Period::Quarter) => "quarters".to_string(),
            Some(Period::Year) => "years".to_string(),
            Some(Period::Days { n, .. }) => format!("{n}-day periods"),
            None => "periods".to_string(),
        };
        out.push_str(&format!(" {} {unit} from {} to {}.", count(n as u64), first.1, last.1));
    }
    let several = data.series.len() > 1;
    if several {
        let what = if kind == ChartKind::Cumulative { "final totals" } else { "totals" };
        let items: Vec<(String, f64)> = data
            .series
            .iter()
            .map(|s| {
                (s.name.clone(), if kind == ChartKind::Cumulative { last_value(s).unwrap_or(0.0) } else { total(s) })
            })
            .collect();
        out.push_str(&format!(" {} series ({what}): {}.", items.len(), named(&items)));
    }
    let summed = matches!(kind, ChartKind::Bar | ChartKind::Stacked) || !several;
    if summed {
        // One value per period: the maximum and the last.
        let totals = data.totals();
        if let Some((i, v)) = totals.iter().enumerate().fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
            Some((_, b)) if b >= *v => best,
            _ => Some((i, *v)),
        }) {
            out.push_str(&format!(" Highest: {} in {}.", num(v), data.periods[i].1));
            if let Some(l) = totals.last() {
                out.push_str(&format!(" Last: {} in {}", num(*l), data.periods[n - 1].1));
                out.push_str(if data.is_partial(n - 1) { " (a partial period)." } else { "." });
            }
        }
    } else {
        // Several lines or panels: the highest cell, and each series' last value is in the totals.
        let mut best: Option<(f64, usize, &str)> = None;
        for s in &data.series {
            for (i, v) in s.values.iter().enumerate() {
                if !v.is_nan() && best.is_none_or(|(b, _, _)| *v > b) {
                    best = Some((*v, i, &s.name));
                }
            }
        }
        if let Some((v, i, name)) = best {
            out.push_str(&format!(" Highest: {} ({name}) in {}.", num(v), data.periods[i].1));
        }
        let lasts: Vec<(String, f64)> = data
            .series
            .iter()
            .filter_map(|s| Some((s.name.clone(), *s.values.last()?)))
            .filter(|(_, v)| !v.is_nan())
            .collect();
        if !lasts.is_empty() && kind != ChartKind::Cumulative {
            out.push_str(&format!(" In {}: {}.", data.periods[n - 1].1, named(&lasts)));
        }
    }
    if let Some(days) = data.overlay.as_ref().and_then(|o| o.last()).filter(|d| !d.is_nan()) {
        out.push_str(&format!(" Days since the last incident at the end: {}.", num(*days)));
    }
    out
}

/// The description of a gap chart.
pub fn describe_gaps(data: &GapData, text: &ChartText) -> String {
    let mut out = head("Line chart", text);
    if let Some(first) = data.first() {
        out.push_str(&format!(" From {first} to {}.", data.as_of));
    }
    for line in data.lines.iter().take(NAMED) {
        let pts = data.sawtooth(line);
        let longest = pts.iter().max_by_key(|(d, v)| (*v, std::cmp::Reverse(*d)));
        let label = if data.lines.len() > 1 { format!("{}: ", line.series.name) } else { String::new() };
        let current = match (line.dates.last(), pts.last()) {
            (Some(l), Some((_, v))) if *l < data.as_of => format!("; {v} days since the last incident ({l})"),
            (Some(l), _) => format!("; the last incident was on {l}"),
            _ => String::new(),
        };
        if let Some((d, v)) = longest {
            out.push_str(&format!(
                " {label}{} incidents; longest gap {v} days, ending {d}{current}.",
                count(line.dates.len() as u64)
            ));
        }
    }
    if data.lines.len() > NAMED {
        out.push_str(&format!(" {} more groups.", data.lines.len() - NAMED));
    }
    out
}

/// Put `alt` and the title into an SVG as `<title>` and `<desc>`, the first
/// children of the root element, where screen readers look.
pub fn embed(svg: &str, title: &str, alt: &str) -> String {
    let Some(open) = svg.find("<svg").and_then(|i| svg[i..].find('>').map(|j| i + j + 1)) else {
        return svg.to_string();
    };
    format!(
        "{}\n<title>{}</title>\n<desc>{}</desc>{}",
        &svg[..open],
        escape_html(title),
        escape_html(alt),
        &svg[open..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::chart::ChartSeries;
    use chrono::NaiveDate;

    fn text() -> ChartText {
        ChartText {
            title: "Incidents per week by group".into(),
            subtitle: Some("2024-01-01 to 2024-01-21".into()),
            note: String::new(),
            y_label: String::new(),
        }
    }

    fn data() -> ChartData {
        let d = |m| NaiveDate::from_ymd_opt(2024, 1, m).unwrap();
        ChartData {
            periods: vec![(d(1), "2024-W01".into()), (d(8), "2024-W02".into()), (d(15), "2024-W03".into())],
            series: vec![
                ChartSeries::new("Kataib Hezbollah".into(), vec![1.0, 7.0, 2.0], false),
                ChartSeries::new("<b>&co</b>".into(), vec![0.0, 3.0, 1.0], false),
            ],
            every: Some(crate::query::Period::Week { start: chrono::Weekday::Mon }),
            partial: vec![false, false, true],
            overlay: None,
            alerts: Vec::new(),
        }
    }

    #[test]
    fn a_stacked_chart_says_what_range_maximum_and_last_value() {
        let a = describe(ChartKind::Stacked, &data(), &text());
        assert!(a.starts_with("Stacked bar chart: Incidents per week by group, 2024-01-01 to 2024-01-21."), "{a}");
        assert!(a.contains("3 weeks from 2024-W01 to 2024-W03"), "{a}");
        assert!(a.contains("Kataib Hezbollah (10); and <b>&co</b> (4)"), "{a}");
        // 7 + 3 in week 2 is the highest total; week 3 (2 + 1) is cut short.
        assert!(a.contains("Highest: 10 in 2024-W02. Last: 3 in 2024-W03 (a partial period)."), "{a}");
    }

    #[test]
    fn a_line_chart_names_the_highest_cell_and_each_last_value() {
        let a = describe(ChartKind::Line, &data(), &text());
        assert!(a.contains("Highest: 7 (Kataib Hezbollah) in 2024-W02."), "{a}");
        assert!(a.contains("In 2024-W03: Kataib Hezbollah (2); and <b>&co</b> (1)."), "{a}");
    }

    #[test]
    fn embedded_text_is_escaped_inside_the_root_element() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"10\">\n<rect/></svg>";
        let out = embed(svg, "T", "<b>&co</b> \"q\"");
        assert!(out.contains("<svg width=\"10\" height=\"10\">\n<title>T</title>"), "{out}");
        assert!(out.contains("<desc>&lt;b&gt;&amp;co&lt;/b&gt; &quot;q&quot;</desc>\n<rect/>"), "{out}");
    }
}
