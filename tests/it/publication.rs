//! Issue 16: the chart defects an editor saw, one test each; every one fails
//! on the drawing before the fix. SVGs are read as text: plotters writes one
//! element per line, text content on its own line.

use assert_cmd::Command;
use chrono::NaiveDate;
use sitrep::query::Period;
use sitrep::render::chart::{
    self, heatmap, Annotation, ChartData, ChartKind, ChartOptions, ChartSeries, ChartSize, ChartText, Colours, YScale,
    PALETTE,
};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
}

fn text() -> ChartText {
    ChartText {
        title: "Attacks on US forces".into(),
        subtitle: Some("January 2024 (made-up)".into()),
        note: "Source: test".into(),
        y_label: "incidents".into(),
    }
}

/// Daily data for 1-20 January, one series per (name, values by day).
fn data(series: &[(&str, Vec<f64>)]) -> ChartData {
    let n = series.iter().map(|s| s.1.len()).max().unwrap_or(0) as u32;
    ChartData {
        periods: (1..=n).map(|d| (day(d), day(d).to_string())).collect(),
        series: series.iter().map(|(name, v)| ChartSeries::new(name.to_string(), v.clone(), false)).collect(),
        every: Some(Period::Day),
        partial: vec![false; n as usize],
        overlay: None,
        alerts: Vec::new(),
    }
}

fn svg(kind: ChartKind, d: &ChartData, notes: &[Annotation], options: ChartOptions) -> String {
    let size = ChartSize { width: 800, height: 450, scale: 1.0 };
    chart::render_svg(kind, d, &text(), notes, size, options, &mut Colours::default()).unwrap()
}

/// The texts drawn, in order.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].trim().to_string())
        .collect()
}

/// An attribute of the `<text>` element whose content is `content`.
fn text_attr(svg: &str, content: &str, attr: &str) -> i32 {
    let at = svg.find(&format!(">\n{content}\n<")).unwrap_or_else(|| panic!("{content:?} not drawn"));
    let open = svg[..at].rfind("<text").unwrap();
    let tag = &svg[open..at];
    let v = &tag[tag.find(&format!(" {attr}=\"")).unwrap() + attr.len() + 3..];
    v[..v.find('"').unwrap()].parse().unwrap()
}

/// The fill of the swatch drawn just before a legend name.
fn swatch(svg: &str, name: &str) -> String {
    let at = svg.find(&format!(">\n{name}\n<")).unwrap_or_else(|| panic!("{name:?} not drawn"));
    let fill = svg[..at].rfind("<rect").unwrap();
    let f = &svg[fill..];
    f[f.find("fill=\"").unwrap() + 6..][..7].to_string()
}

#[test]
fn issue_16_legend_names_that_share_a_start_never_read_alike() {
    let a = "Islamic Resistance in Iraq, Kataib Hezbollah";
    let b = "Islamic Resistance in Iraq, Harakat al-Nujaba";
    let s = svg(ChartKind::Stacked, &data(&[(a, vec![2.0, 1.0]), (b, vec![1.0, 1.0])]), &[], Default::default());
    let legend: Vec<String> = texts(&s).into_iter().filter(|t| t.starts_with("Islamic")).collect();
    assert_eq!(legend.len(), 2, "{legend:?}");
    assert_ne!(legend[0], legend[1], "two legend entries read the same");
    assert!(legend.iter().any(|l| l.ends_with("Hezbollah")) && legend.iter().any(|l| l.ends_with("al-Nujaba")));
}

#[test]
fn issue_16_unknown_is_grey_last_and_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "Date,Claimed by\n2024-01-01,\n2024-01-01,\n2024-01-01,\n2024-01-02,KH\n2024-01-03,Nujaba\n")
        .unwrap();
    let out = dir.path().join("c.svg");
    Command::cargo_bin("sitrep")
        .unwrap()
        .args(["chart", "--every", "day", "--by", "actor", "--kind", "line", "--out"])
        .arg(&out)
        .arg(&csv)
        .assert()
        .success();
    let s = std::fs::read_to_string(&out).unwrap();
    // The unknown group has the most incidents, yet is not a strong colour, and reads as a word.
    assert!(!texts(&s).iter().any(|t| t == "(unknown)"));
    assert_eq!(swatch_line(&s, "Unknown"), "#C4C4C4");
    // Line ends are labelled in rank order of where they end; the named groups get palette colours.
    assert!(PALETTE
        .iter()
        .any(|p| format!("#{:02X}{:02X}{:02X}", p.0, p.1, p.2) == swatch_line(&s, "Kataib Hezbollah")));
}

/// The colour of the direct label of a line (the label is drawn in it).
fn swatch_line(svg: &str, name: &str) -> String {
    let at = svg.find(&format!(">\n{name}\n<")).unwrap_or_else(|| panic!("{name:?} not drawn"));
    let open = svg[..at].rfind("<text").unwrap();
    let tag = &svg[open..at];
    tag[tag.rfind("fill=\"").unwrap() + 6..][..7].to_string()
}

#[test]
fn issue_16_a_group_keeps_its_colour_in_every_chart_and_command() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    // Overall: Alpha 12, Bravo 6, Charlie 4. In 1-5 January only Bravo (1) and Charlie (4) act.
    let mut rows = String::from("Date,Claimed by\n");
    for (d, who, n) in [(1, "Charlie", 4), (2, "Bravo", 1), (10, "Alpha", 12), (11, "Bravo", 5)] {
        for _ in 0..n {
            rows.push_str(&format!("2024-01-{d:02},{who}\n"));
        }
    }
    std::fs::write(&csv, rows).unwrap();
    let draw = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        Command::cargo_bin("sitrep")
            .unwrap()
            .args(["chart", "--every", "day", "--by", "actor", "--kind", "stacked", "--out"])
            .arg(&out)
            .args(extra)
            .arg(&csv)
            .assert()
            .success();
        std::fs::read_to_string(out).unwrap()
    };
    let early = draw("early.svg", &["--to", "2024-01-05"]);
    let all = draw("all.svg", &[]);
    // Charlie leads the early chart but is third overall: the same colour in both (the third).
    let third = format!("#{:02X}{:02X}{:02X}", PALETTE[2].0, PALETTE[2].1, PALETTE[2].2);
    assert_eq!(swatch(&early, "Charlie"), third);
    assert_eq!(swatch(&all, "Charlie"), third);
    assert_eq!(swatch(&early, "Bravo"), swatch(&all, "Bravo"));
    // A colour given by name wins.
    let fixed = draw("fixed.svg", &["--color", "Charlie=#882255"]);
    assert_eq!(swatch(&fixed, "Charlie"), "#882255");
    // A single series is the first colour after grouped charts of the same run.
    let mut colours = Colours::default();
    let grouped = data(&[("Bravo", vec![1.0]), ("Charlie", vec![2.0])]);
    let size = ChartSize { width: 400, height: 300, scale: 1.0 };
    chart::render_svg(ChartKind::Stacked, &grouped, &text(), &[], size, Default::default(), &mut colours).unwrap();
    let single = data(&[("incidents", vec![1.0, 2.0])]);
    let s = chart::render_svg(ChartKind::Line, &single, &text(), &[], size, Default::default(), &mut colours).unwrap();
    assert!(s.contains("stroke=\"#0072B2\""), "the single line is the first colour");
}

#[test]
fn issue_16_bands_go_behind_the_data_and_labels_stay_off_it() {
    let d = data(&[("Kataib Hezbollah", vec![3.0; 20])]);
    let notes = vec![
        Annotation { date: day(1), end: None, label: "Campaign begins".into() },
        Annotation { date: day(5), end: Some(day(8)), label: "Pause".into() },
        Annotation { date: day(20), end: None, label: "A long label at the right edge of the chart".into() },
    ];
    let s = svg(ChartKind::Bar, &d, &notes, Default::default());
    let band = s.find("fill=\"#888888\"").expect("a band");
    let first_bar = s.find("fill=\"#0072B2\"").expect("a bar");
    assert!(band < first_bar, "the band is drawn before (under) the bars");
    // The event line at the first bar is drawn before the bars too.
    let line = s.find("stroke=\"#444444\"").expect("an event line");
    assert!(line < first_bar);
    // Labels sit above the plot: above every bar top and the top gridline, so no bar or line reaches them.
    let bar_tops: Vec<i32> = s
        .split("<rect")
        .filter(|r| r.contains("fill=\"#0072B2\""))
        .map(|r| r[r.find(" y=\"").unwrap() + 4..].split('"').next().unwrap().parse().unwrap())
        .collect();
    let plot_top = text_attr(&s, "4", "y").min(*bar_tops.iter().min().unwrap());
    for label in ["Campaign begins", "Pause"] {
        assert!(text_attr(&s, label, "y") + 14 < plot_top, "{label} is inside the plot");
    }
    // A one-day period is a band a day wide, and a span that began before the chart is shaded from its edge.
    let d1 = data(&[("Kataib Hezbollah", vec![1.0; 10])]);
    let bands = |notes: &[Annotation]| -> Vec<(i32, i32)> {
        svg(ChartKind::Bar, &d1, notes, Default::default())
            .split("<rect")
            .filter(|r| r.contains("fill=\"#888888\""))
            .map(|r| {
                let num =
                    |k: &str| r[r.find(k).unwrap() + k.len()..].split('"').next().unwrap().parse::<i32>().unwrap();
                (num(" x=\""), num(" width=\""))
            })
            .collect()
    };
    let one_day = bands(&[Annotation { date: day(4), end: Some(day(4)), label: "One day".into() }]);
    assert_eq!(one_day.len(), 1, "a band, not a line");
    let before = bands(&[Annotation {
        date: NaiveDate::from_ymd_opt(2023, 12, 25).unwrap(),
        end: Some(day(3)),
        label: "Began before".into(),
    }]);
    assert_eq!(before.len(), 1, "shaded, not skipped");
    // Three days (1-3 January) wide, as the one-day band is one day wide.
    assert!((before[0].1 - 3 * one_day[0].1).abs() <= 2, "{before:?} {one_day:?}");
    // The label at the right edge turns left (it would run off the plot).
    let at = s.find("A long label at the right").unwrap();
    assert!(s[s[..at].rfind("<text").unwrap()..at].contains("text-anchor=\"end\""));
}

#[test]
fn issue_16_up_to_six_lines_are_labelled_at_their_ends_more_get_a_legend() {
    let names = ["A", "B", "C", "D", "E", "F", "G"];
    let series: Vec<(&str, Vec<f64>)> =
        names.iter().enumerate().map(|(i, n)| (*n, vec![i as f64, 7.0 - i as f64])).collect();
    let six = svg(ChartKind::Line, &data(&series[..6]), &[], Default::default());
    // Direct labels: each name once, in its line's colour, no legend swatches.
    assert_eq!(six.matches("width=\"14\" height=\"14\"").count(), 0, "no legend swatch");
    for n in &names[..6] {
        assert_eq!(texts(&six).iter().filter(|t| t == n).count(), 1, "{n}");
    }
    let seven = svg(ChartKind::Line, &data(&series), &[], Default::default());
    assert_eq!(seven.matches("width=\"14\" height=\"14\"").count(), 7, "a legend for seven lines");
}

#[test]
fn issue_16_small_multiples_have_zero_ticks_and_a_free_scale() {
    let months: Vec<(NaiveDate, String)> = (1..=12)
        .map(|m| {
            let d = NaiveDate::from_ymd_opt(2023, m, 1).unwrap();
            (d, d.format("%Y-%m").to_string())
        })
        .collect();
    let d = ChartData {
        periods: months,
        series: vec![
            ChartSeries::new("Big".into(), (0..12).map(|i| f64::from(i * 10)).collect(), false),
            ChartSeries::new("Small".into(), (0..12).map(|i| f64::from(i % 3)).collect(), false),
        ],
        every: Some(Period::Month),
        partial: vec![false; 12],
        overlay: None,
        alerts: Vec::new(),
    };
    let shared = svg(ChartKind::SmallMultiples, &d, &[], Default::default());
    let free = svg(ChartKind::SmallMultiples, &d, &[], ChartOptions { y_scale: YScale::Free, ..Default::default() });
    let t = texts(&shared);
    assert_eq!(t.iter().filter(|x| *x == "0").count(), 2, "a labelled zero in each panel: {t:?}");
    assert!(t.iter().any(|x| x == "incidents"), "the axis has a title");
    // 3-4 x ticks per panel: two panels.
    let ticks = t.iter().filter(|x| x.starts_with("2023")).count();
    assert!((6..=8).contains(&ticks), "{ticks} x ticks: {t:?}");
    // The top label of each panel: the number drawn just before its "0".
    let tops = |t: &[String]| -> Vec<f64> {
        t.windows(2).filter(|w| w[1] == "0").map(|w| w[0].replace(',', "").parse().unwrap()).collect()
    };
    // Shared: both panels top out at the same round count at or above the big group's 110.
    let s = tops(&t);
    assert!(s.len() == 2 && s[0] == s[1] && s[0] >= 110.0 && s[0] <= 150.0, "{s:?}");
    // Free: the small group's panel tops out at its own maximum, 2.
    let f = texts(&free);
    assert_eq!(tops(&f)[1], 2.0, "{f:?}");
    assert!(f.iter().any(|x| x.contains("each panel on its own scale")));
}

#[test]
fn issue_16_heatmaps_separate_low_counts_tick_their_scale_and_can_show_values() {
    // Tower 22's 1-5 of a 40 maximum: each step a visibly different colour from zero and from each other.
    let dist = |a: plotters::style::RGBColor, b: plotters::style::RGBColor| {
        let d = |x: u8, y: u8| (f64::from(x) - f64::from(y)).powi(2);
        (d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)).sqrt()
    };
    assert!(dist(heatmap::shade(0.0, 40.0), heatmap::shade(1.0, 40.0)) > 20.0);
    for k in 1..5 {
        let (a, b) = (heatmap::shade(f64::from(k), 40.0), heatmap::shade(f64::from(k + 1), 40.0));
        assert!(dist(a, b) > 8.0, "{k} and {} look alike", k + 1);
    }
    let d = data(&[("Tower 22", vec![1.0, 2.0, 5.0, 40.0]), ("Al-Tanf", vec![0.0, 3.0, 0.0, 1.0])]);
    let plain = texts(&svg(ChartKind::Heatmap, &d, &[], Default::default()));
    let ticks: Vec<&String> = plain.iter().filter(|t| t.parse::<u32>().is_ok()).collect();
    assert!(ticks.len() >= 3 && ticks.len() <= 5, "3-5 ticks on the colour scale: {ticks:?}");
    let valued = texts(&svg(ChartKind::Heatmap, &d, &[], ChartOptions { values: true, ..Default::default() }));
    for v in ["2", "3", "5", "40"] {
        assert!(valued.iter().filter(|t| *t == v).count() > plain.iter().filter(|t| *t == v).count(), "{v} in a cell");
    }
}

#[test]
fn issue_16_titles_use_words_not_column_names() {
    let q = sitrep::query::Query {
        every: Some(Period::Week { start: chrono::Weekday::Mon }),
        by: vec!["actor_parent".into()],
        ..Default::default()
    };
    assert_eq!(chart::default_title(&q, ChartKind::Stacked, &[]), "Incidents per week by group");
    let q = sitrep::query::Query { by: vec!["location".into(), "target_type".into()], ..q };
    let words = vec![("location".to_string(), "base".to_string())];
    assert_eq!(chart::default_title(&q, ChartKind::Line, &words), "Incidents per week by base and target type");
}
