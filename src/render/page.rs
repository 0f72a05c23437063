//! The HTML page of a report (`index.html`): one self-contained file a
//! reader opens or an editor publishes by copying the folder. Charts are
//! the SVGs inlined as `data:` images with their alt text, the CSS is in
//! the page, there is no script and nothing is fetched (no fonts, CDNs or
//! trackers). It reads on a phone (one column, tables scroll sideways) and
//! prints to A4. Every value from the data is HTML-escaped. The page is a
//! function of its inputs: the same run writes the same bytes.
//!
//! [`Page`] is the layout; [`weekly_page`] and [`table_block`] fill it from
//! a weekly summary and from query tables.

use std::fmt::Write as _;

use super::format::cells::{human_cells, is_number};
use crate::query::table::Table;
use crate::query::weekly::WeeklySummary;
use crate::text::{base64, count, decimal, escape_html as esc, signed};

/// A chart on the page: its SVG, what it shows in words, and its files.
#[derive(Debug, Clone, PartialEq)]
pub struct PageChart {
    /// Title, as a heading above the chart.
    pub title: String,
    /// The SVG.
    pub svg: String,
    /// Alt text.
    pub alt: String,
    /// Files of this chart beside the page (SVG, PNG, the alt text).
    pub files: Vec<String>,
}

/// A table on the page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageTable {
    /// Heading.
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Per column: right-aligned (numbers).
    pub numeric: Vec<bool>,
    /// Cells as shown.
    pub rows: Vec<Vec<String>>,
    /// Shown when there are no rows.
    pub empty: String,
    /// Sentences under the table.
    pub notes: Vec<String>,
    /// Files of this table beside the page.
    pub files: Vec<String>,
}

/// One part of a page, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading.
    Heading(String),
    /// A paragraph.
    Text(String),
    /// A warning the reader must not miss (an incomplete week).
    Warning(String),
    /// A chart.
    Chart(PageChart),
    /// A table.
    Table(PageTable),
}

/// A report page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// The page title and first heading.
    pub title: String,
    /// The headline sentence under it.
    pub headline: String,
    /// Everything else, in order.
    pub blocks: Vec<Block>,
    /// Files beside the page: (name, what it is).
    pub files: Vec<(String, String)>,
    /// Sources and methodology, at the end.
    pub methodology: Vec<String>,
}

const CSS: &str = "\
:root{color-scheme:light;--ink:#222;--muted:#666;--rule:#ddd;--warn:#fff4e0}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,\"Segoe UI\",Roboto,\"DejaVu Sans\",Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:1040px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:1.9rem;line-height:1.2;margin:0 0 .4rem}
h2{font-size:1.3rem;margin:2.2rem 0 .6rem;padding-top:.6rem;border-top:1px solid var(--rule)}
h3{font-size:1.05rem;margin:1.6rem 0 .4rem}
.headline{font-size:1.2rem;margin:.2rem 0 1.2rem}
.warning{background:var(--warn);border-left:4px solid #d55e00;padding:.6rem .9rem;margin:1rem 0}
figure{margin:1rem 0 1.6rem}
figure img{display:block;width:100%;height:auto;border:1px solid var(--rule)}
figcaption,.note,.files{color:var(--muted);font-size:.9rem}
details{margin:.3rem 0}
summary{cursor:pointer}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4rem 0 .8rem}
table{border-collapse:collapse;font-size:.95rem;min-width:50%}
@media (max-width:600px){table{min-width:100%}
.chart{overflow-x:auto;-webkit-overflow-scrolling:touch}.chart img{width:720px;max-width:none}}
th,td{padding:.3rem .7rem;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
th{border-bottom:2px solid var(--ink);white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.d{white-space:nowrap}
a{color:#0050a0}
footer{margin-top:2.4rem;color:var(--muted);font-size:.85rem}
@media (max-width:600px){main{padding:14px 12px 32px}h1{font-size:1.45rem}.headline{font-size:1.05rem}th,td{padding:.25rem .45rem}}
@media print{@page{size:A4;margin:14mm}body{font-size:10pt}main{max-width:none;padding:0}
h2{break-after:avoid}figure,table,.warning{break-inside:avoid}figure img{border:0}
details,.files{display:none}a{color:inherit;text-decoration:none}}
";

/// File links under a chart or table.
fn file_links(files: &[String]) -> String {
    if files.is_empty() {
        return String::new();
    }
    let links: Vec<String> = files.iter().map(|f| format!("<a href=\"{0}\">{0}</a>", esc(f))).collect();
    format!("<p class=\"files\">Files: {}</p>\n", links.join(" · "))
}

impl Page {
    /// The page as HTML.
    pub fn html(&self) -> String {
        let mut o = String::new();
        let _ = write!(
            o,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n\
             <h1>{}</h1>\n<p class=\"headline\">{}</p>\n",
            esc(&self.title),
            esc(&self.title),
            esc(&self.headline)
        );
        for b in &self.blocks {
            match b {
                Block::Heading(h) => {
                    let _ = writeln!(o, "<h2>{}</h2>", esc(h));
                }
                Block::Text(t) => {
                    let _ = writeln!(o, "<p>{}</p>", esc(t));
                }
                Block::Warning(t) => {
                    let _ = writeln!(o, "<p class=\"warning\" role=\"note\">{}</p>", esc(t));
                }
                Block::Chart(c) => chart(&mut o, c),
                Block::Table(t) => table(&mut o, t),
            }
        }
        if !self.methodology.is_empty() {
            let _ = writeln!(o, "<h2>Methodology and sources</h2>");
            for m in &self.methodology {
                let _ = writeln!(o, "<p>{}</p>", esc(m));
            }
        }
        if !self.files.is_empty() {
            let _ = writeln!(o, "<h2 class=\"files\">Files</h2>\n<ul class=\"files\">");
            for (name, what) in &self.files {
                let _ = writeln!(o, "<li><a href=\"{0}\">{0}</a>: {1}</li>", esc(name), esc(what));
            }
            let _ = writeln!(o, "</ul>");
        }
        let _ = write!(
            o,
            "<footer>Made with sitrep {}. This page is self-contained: copy the folder to publish it.</footer>\n\
             </main>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        );
        o
    }
}

fn chart(o: &mut String, c: &PageChart) {
    let _ = write!(
        o,
        "<figure aria-label=\"{}\">\n<div class=\"chart\"><img alt=\"{}\" src=\"data:image/svg+xml;base64,{}\"></div>\n\
         <figcaption><details><summary>Description</summary>{}</details></figcaption>\n{}</figure>\n",
        esc(&c.title),
        esc(&c.alt),
        base64(c.svg.as_bytes()),
        esc(&c.alt),
        file_links(&c.files)
    );
}

fn table(o: &mut String, t: &PageTable) {
    if !t.title.is_empty() {
        let _ = writeln!(o, "<h3>{}</h3>", esc(&t.title));
    }
    if t.rows.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", esc(&t.empty));
    } else {
        let cls = |i: usize| if t.numeric.get(i).copied().unwrap_or(false) { " class=\"n\"" } else { "" };
        let _ = write!(o, "<div class=\"scroll\"><table>\n<thead><tr>");
        for (i, c) in t.columns.iter().enumerate() {
            let _ = write!(o, "<th scope=\"col\"{}>{}</th>", cls(i), esc(c));
        }
        let _ = write!(o, "</tr></thead>\n<tbody>\n");
        for r in &t.rows {
            let _ = write!(o, "<tr>");
            for (i, c) in r.iter().enumerate() {
                // A date never breaks across lines.
                let is_date = c.len() == 10 && c.as_bytes()[4] == b'-' && c.as_bytes()[7] == b'-';
                let class = if is_date && cls(i).is_empty() { " class=\"d\"" } else { cls(i) };
                let _ = write!(o, "<td{class}>{}</td>", esc(c));
            }
            let _ = writeln!(o, "</tr>");
        }
        let _ = writeln!(o, "</tbody>\n</table></div>");
    }
    for n in &t.notes {
        let _ = writeln!(o, "<p class=\"note\">{}</p>", esc(n));
    }
    o.push_str(&file_links(&t.files));
}

/// A query table as shown on the page (people's cells: labels, separators, "(unknown)").
/// A page shows a table's first rows; the files beside it have them all.
pub const PAGE_ROWS: usize = 60;

/// A query table as shown on the page (people's cells: labels, separators,
/// "(unknown)"), cut to [`PAGE_ROWS`] rows with a note naming the files that have the rest.
pub fn table_block(title: &str, t: &Table, files: Vec<String>) -> PageTable {
    let mut rows = human_cells(t);
    let mut notes = t.notes.clone();
    if rows.len() > PAGE_ROWS {
        let rest = rows.len() - PAGE_ROWS;
        rows.truncate(PAGE_ROWS);
        notes.insert(
            0,
            format!(
                "The first {PAGE_ROWS} of {} rows; the other {} are in {}.",
                count(t.rows.len() as u64),
                count(rest as u64),
                if files.is_empty() { "the table's files".to_string() } else { files.join(" and ") }
            ),
        );
    }
    PageTable {
        title: title.to_string(),
        columns: t.columns.clone(),
        numeric: (0..t.columns.len()).map(|i| t.rows.iter().any(|r| is_number(&r[i]))).collect(),
        rows,
        empty: "No rows.".into(),
        notes,
        files,
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |p| format!("{}{}%", if p > 0.0 { "+" } else { "" }, decimal(p, 1)))
}

/// The weekly headline: "12 incidents in 2024-W05 (29 January to 4
/// February 2024), 3 more than the week before; 4 known deaths."
pub fn weekly_headline(s: &WeeklySummary) -> String {
    let mut h = format!(
        "{} in {} ({} to {})",
        crate::text::counted(s.incidents, "incident"),
        s.week,
        s.window.start.format("%-d %B %Y"),
        s.window.end.format("%-d %B %Y")
    );
    match s.change_vs_last_week {
        Some(0) => h.push_str(", as many as the week before"),
        Some(d) if d > 0 => h.push_str(&format!(", {} more than the week before", count(d as u64))),
        Some(d) => h.push_str(&format!(", {} fewer than the week before", count(d.unsigned_abs()))),
        None => {}
    }
    h.push_str(&format!("; {} known deaths", signed(s.fatalities)));
    if s.fatalities_unknown > 0 {
        h.push_str(&format!(" ({} with unknown deaths)", crate::text::counted(s.fatalities_unknown, "incident")));
    }
    h.push('.');
    if let (Some(d), Some(l)) = (s.days_since_last_incident, s.last_incident) {
        if s.incidents == 0 {
            h.push_str(&format!(" {d} days since the last incident ({l})."));
        }
    }
    h
}

/// The weekly page: headline, summary table, charts, top-N tables, the
/// incidents with the most casualties, methodology and the files beside it.
pub fn weekly_page(s: &WeeklySummary, charts: Vec<PageChart>, files: Vec<(String, String)>) -> Page {
    let mut blocks = Vec::new();
    if !s.complete {
        blocks.push(Block::Warning(
            "Incomplete week: the data does not cover all of it, so its counts are incomplete (see Methodology)."
                .into(),
        ));
    }
    let mut rows = vec![
        vec!["this week".into(), count(s.incidents)],
        vec!["last week".into(), s.last_week.map_or("n/a".into(), count)],
        vec![
            "change vs last week".into(),
            format!("{} ({})", s.change_vs_last_week.map_or("n/a".into(), signed), pct(s.change_vs_last_week_pct)),
        ],
        vec!["mean of previous 4 weeks".into(), s.mean_previous_4.map_or("n/a".into(), |m| decimal(m, 1))],
        vec!["change vs 4-week mean".into(), pct(s.change_vs_mean_pct)],
        vec!["trend".into(), s.trend.clone().unwrap_or_else(|| "n/a".into())],
        vec!["known deaths".into(), signed(s.fatalities)],
    ];
    rows.extend(super::format::markdown::escalation_rows(s).into_iter().map(|(m, v)| vec![m, v]));
    for (name, d, n) in &s.since_anchors {
        rows.push(vec![format!("since {name} ({d})"), count(*n)]);
    }
    rows.push(vec![
        "days since last incident".into(),
        match (s.days_since_last_incident, s.last_incident) {
            (Some(d), Some(l)) => format!("{d} (last on {l})"),
            _ => "n/a".into(),
        },
    ]);
    rows.push(vec![
        "longest lull, last 12 weeks".into(),
        s.longest_lull_12_weeks.map_or("n/a".into(), |(d, a, b)| format!("{d} days ({a} to {b})")),
    ]);
    blocks.push(Block::Heading("Summary".into()));
    blocks.push(Block::Table(PageTable {
        columns: vec!["measure".into(), "value".into()],
        numeric: vec![false, true],
        rows,
        files: vec!["summary.json".into(), "summary.md".into()],
        ..Default::default()
    }));
    if !charts.is_empty() {
        blocks.push(Block::Heading("Charts".into()));
        blocks.extend(charts.into_iter().map(Block::Chart));
    }
    blocks.push(Block::Heading("This week's top groups".into()));
    for (title, list) in
        [("Top actors", &s.top_actors), ("Top target types", &s.top_target_types), ("Top weapons", &s.top_weapons)]
    {
        blocks.push(Block::Table(PageTable {
            title: title.into(),
            columns: ["name", "this week", "last week", "change"].map(String::from).to_vec(),
            numeric: vec![false, true, true, true],
            rows: list
                .iter()
                .map(|r| vec![r.name.clone(), count(r.this_week), count(r.last_week), signed(r.change)])
                .collect(),
            empty: "None this week.".into(),
            ..Default::default()
        }));
    }
    let ranked = s.casualties_ranked_by.describe();
    blocks.push(Block::Heading(format!("Incidents with the most {ranked}")));
    blocks.push(Block::Table(PageTable {
        columns: ["date", "place", "actor", "target", "deaths", "injured", "source"].map(String::from).to_vec(),
        numeric: vec![false, false, false, false, true, true, false],
        rows: s
            .most_casualties
            .iter()
            .map(|k| {
                vec![
                    k.date.to_string(),
                    k.place.clone(),
                    k.actor.clone(),
                    k.target.clone(),
                    k.fatalities.map_or("unknown".into(), signed),
                    k.injured.map_or("unknown".into(), signed),
                    k.source.clone(),
                ]
            })
            .collect(),
        empty: format!("No incident with known {ranked} this week."),
        ..Default::default()
    }));
    Page {
        title: format!("Weekly report: {}", s.week),
        headline: weekly_headline(s),
        blocks,
        files,
        methodology: std::iter::once(s.methodology.clone())
            .chain(
                (!s.escalation_rules.is_empty())
                    .then(|| format!("Escalation flags: {}.", s.escalation_rules.join("; "))),
            )
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_text_and_the_page_fetches_nothing() {
        let hostile = "<script>alert(\"x\")</script> & 'Co'";
        let page = Page {
            title: hostile.into(),
            headline: hostile.into(),
            blocks: vec![
                Block::Table(PageTable {
                    title: hostile.into(),
                    columns: vec![hostile.into()],
                    numeric: vec![false],
                    rows: vec![vec![hostile.into()]],
                    files: vec!["a\"b.csv".into()],
                    ..Default::default()
                }),
                Block::Chart(PageChart {
                    title: hostile.into(),
                    svg: "<svg/>".into(),
                    alt: hostile.into(),
                    files: Vec::new(),
                }),
            ],
            files: vec![(hostile.into(), hostile.into())],
            methodology: vec![hostile.into()],
        };
        let html = page.html();
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;"));
        assert!(html.contains("href=\"a&quot;b.csv\""));
        // The chart is inside the page, and nothing points outside it.
        assert!(html.contains("src=\"data:image/svg+xml;base64,PHN2Zy8+\""));
        for outside in ["http:", "https:", "//", "@import", "url("] {
            let hits = html.matches(outside).count();
            assert_eq!(hits, 0, "{outside} in the page");
        }
    }
}
