//! GitHub-flavoured Markdown: a table with its notes as quotes, and the
//! weekly summary (`summary.md`). Every cell is escaped, so names cannot
//! break out of the table.

use std::fmt::Write as _;

use super::cells::{human_cells, is_number};
use super::Writer;
use crate::query::table::Table;
use crate::query::weekly::WeeklySummary;
use crate::text::{count, decimal, escape_markdown, signed};

/// The Markdown writer.
pub struct Markdown;

impl Writer for Markdown {
    fn table(&self, t: &Table) -> String {
        markdown(t)
    }

    fn weekly(&self, s: &WeeklySummary) -> Option<String> {
        Some(weekly(s))
    }
}

fn markdown(t: &Table) -> String {
    let cells = human_cells(t);
    let numeric: Vec<bool> = (0..t.columns.len()).map(|i| t.rows.iter().any(|r| is_number(&r[i]))).collect();
    let mut out = String::new();
    let head: Vec<String> = t.columns.iter().map(|c| escape_markdown(c)).collect();
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let rule: Vec<&str> = numeric.iter().map(|n| if *n { "---:" } else { "---" }).collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for r in &cells {
        let row: Vec<String> = r.iter().map(|c| escape_markdown(c)).collect();
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    if !t.notes.is_empty() {
        out.push('\n');
        for n in &t.notes {
            let _ = writeln!(out, "> {}", escape_markdown(n));
        }
    }
    out
}

fn opt_pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |p| format!("{}{}%", if p > 0.0 { "+" } else { "" }, decimal(p, 1)))
}

/// The escalation flags of a week as (measure, value) rows, shared by the Markdown and HTML summaries.
pub fn escalation_rows(s: &WeeklySummary) -> Vec<(String, String)> {
    let Some(f) = &s.escalation else { return Vec::new() };
    vec![
        (
            "times the long-run weekly mean".into(),
            match (f.times_mean, f.long_run_mean) {
                (Some(t), Some(m)) => format!("{} (mean {})", decimal(t, 2), decimal(m, 2)),
                _ => "n/a".into(),
            },
        ),
        (
            "highest in".into(),
            match f.highest_since {
                _ if f.highest_in <= 1 => "not higher than last week".into(),
                Some(d) => format!("{} weeks (most since the week of {d})", f.highest_in),
                None => format!("{} weeks (the most since the data begins)", f.highest_in),
            },
        ),
        ("30-day alert".into(), if f.alert { "yes".into() } else { "no".into() }),
    ]
}

/// `summary.md`.
fn weekly(s: &WeeklySummary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Weekly summary {} ({} to {})\n", s.week, s.window.start, s.window.end);
    if !s.complete {
        let _ = writeln!(o, "> **Incomplete week**: the data does not cover all of it (see Methodology).\n");
    }
    let _ = writeln!(
        o,
        "**{} incidents** this week; {} known deaths{}.\n",
        count(s.incidents),
        signed(s.fatalities),
        if s.fatalities_unknown > 0 {
            format!(" ({} incidents with unknown deaths)", count(s.fatalities_unknown))
        } else {
            String::new()
        }
    );
    let _ = writeln!(o, "| measure | value |\n| --- | ---: |");
    let _ = writeln!(o, "| this week | {} |", count(s.incidents));
    let _ = writeln!(o, "| last week | {} |", s.last_week.map_or("n/a".into(), count));
    let _ = writeln!(
        o,
        "| change vs last week | {} ({}) |",
        s.change_vs_last_week.map_or("n/a".into(), signed),
        opt_pct(s.change_vs_last_week_pct)
    );
    let _ = writeln!(o, "| mean of previous 4 weeks | {} |", s.mean_previous_4.map_or("n/a".into(), |m| decimal(m, 1)));
    let _ = writeln!(o, "| change vs 4-week mean | {} |", opt_pct(s.change_vs_mean_pct));
    let _ = writeln!(o, "| trend | {} |", s.trend.as_deref().unwrap_or("n/a"));
    for (measure, value) in escalation_rows(s) {
        let _ = writeln!(o, "| {measure} | {value} |");
    }
    for (name, d, n) in &s.since_anchors {
        let _ = writeln!(o, "| since {} ({d}) | {} |", escape_markdown(name), count(*n));
    }
    let _ = writeln!(
        o,
        "| days since last incident | {} |",
        match (s.days_since_last_incident, s.last_incident) {
            (Some(d), Some(l)) => format!("{d} (last on {l})"),
            _ => "n/a".into(),
        }
    );
    let _ = writeln!(
        o,
        "| longest lull, last 12 weeks | {} |\n",
        s.longest_lull_12_weeks.map_or("n/a".into(), |(d, a, b)| format!("{d} days ({a} to {b})"))
    );
    for (title, list) in
        [("Top actors", &s.top_actors), ("Top target types", &s.top_target_types), ("Top weapons", &s.top_weapons)]
    {
        let _ = writeln!(o, "## {title}\n");
        if list.is_empty() {
            let _ = writeln!(o, "None this week.\n");
            continue;
        }
        let _ = writeln!(o, "| name | this week | last week | change |\n| --- | ---: | ---: | ---: |");
        for r in list.iter() {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                escape_markdown(&r.name),
                count(r.this_week),
                count(r.last_week),
                signed(r.change)
            );
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## Incidents with the most {}\n", s.casualties_ranked_by.describe());
    if s.most_casualties.is_empty() {
        let _ = writeln!(o, "No incident with known {} this week.\n", s.casualties_ranked_by.describe());
    } else {
        let _ = writeln!(o, "| date | place | actor | target | deaths | injured | source |\n| --- | --- | --- | --- | ---: | ---: | --- |");
        for k in &s.most_casualties {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                k.date,
                escape_markdown(&k.place),
                escape_markdown(&k.actor),
                escape_markdown(&k.target),
                k.fatalities.map_or("unknown".into(), signed),
                k.injured.map_or("unknown".into(), signed),
                escape_markdown(&k.source)
            );
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## Methodology\n\n{}", escape_markdown(&s.methodology));
    if !s.escalation_rules.is_empty() {
        let _ = writeln!(o, "\nEscalation flags: {}.", escape_markdown(&s.escalation_rules.join("; ")));
    }
    o
}
