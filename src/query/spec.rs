//! The query specification: filters, period, grouping, metrics and shapes.
//! Built from command-line flags or a config entry, checked against the data's
//! columns before anything runs.

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::schema::DatePrecision;

use super::period::Period;

/// A measure computed for each period and group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Number of incidents (rows; actor rows with `--split-actors`).
    Incidents,
    /// Sum of known fatalities, with the number of rows where they are unknown.
    Fatalities,
    /// Sum of known injured, with the number of rows where they are unknown.
    Injured,
    /// The row's share of its period's incidents, in percent.
    Share,
}

impl Metric {
    /// Names accepted by `--metric`.
    pub const CHOICES: &'static str = "incidents, fatalities, injured, share";

    /// Parse a comma-separated `--metric` list.
    pub fn parse_list(s: &str) -> Result<Vec<Metric>> {
        s.split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| match m.to_lowercase().as_str() {
                "incidents" | "count" | "events" => Ok(Metric::Incidents),
                "fatalities" | "deaths" | "killed" => Ok(Metric::Fatalities),
                "injured" | "wounded" => Ok(Metric::Injured),
                "share" => Ok(Metric::Share),
                _ => Err(Error::Invalid(format!("--metric: unknown metric {m:?} (choose from {})", Self::CHOICES))),
            })
            .collect()
    }
}

/// What to count and how to shape it.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// First date included.
    pub from: Option<NaiveDate>,
    /// Last date included.
    pub to: Option<NaiveDate>,
    /// `column = any of values` filters, all of which must hold.
    pub filters: Vec<(String, Vec<String>)>,
    /// Keep only incidents whose date is at least this precise.
    pub min_precision: Option<DatePrecision>,
    /// Period; `None` counts the whole range as one period.
    pub every: Option<Period>,
    /// Columns to group by.
    pub by: Vec<String>,
    /// Metrics, in output order.
    pub metrics: Vec<Metric>,
    /// Split multi-actor cells ("A, B, C") into one row per actor.
    pub split_actors: bool,
    /// Keep the N largest groups over the whole range; merge the rest into "Other".
    pub top: Option<usize>,
    /// Every period in range × every group, with zeros where nothing happened.
    pub fill_zeros: bool,
    /// Mean of incidents over the last N periods.
    pub rolling: Option<usize>,
    /// Running total of incidents.
    pub cumulative: bool,
    /// Start the running total here (earlier periods get no value).
    pub since: Option<NaiveDate>,
    /// Compare each period with the previous one and with the mean of the previous N.
    pub compare: Option<usize>,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            from: None,
            to: None,
            filters: Vec::new(),
            min_precision: None,
            every: None,
            by: Vec::new(),
            metrics: vec![Metric::Incidents],
            split_actors: false,
            top: None,
            fill_zeros: false,
            rolling: None,
            cumulative: false,
            since: None,
            compare: None,
        }
    }
}

impl Query {
    /// Whether a shape needs every period of the range present.
    pub fn needs_grid(&self) -> bool {
        self.fill_zeros || self.rolling.is_some() || self.cumulative || self.compare.is_some()
    }
}

/// Parse one `--where col=v1,v2`.
pub fn parse_filter(s: &str) -> Result<(String, Vec<String>)> {
    let (c, v) = s
        .split_once('=')
        .ok_or_else(|| Error::Invalid(format!("--where: expected COLUMN=VALUE[,VALUE…], got {s:?}")))?;
    let values: Vec<String> = v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
    if c.trim().is_empty() || values.is_empty() {
        return Err(Error::Invalid(format!("--where: expected COLUMN=VALUE[,VALUE…], got {s:?}")));
    }
    Ok((c.trim().to_string(), values))
}

/// Parse a date flag (`--from`, `--to`, `--since`, `--as-of`).
pub fn parse_date_flag(flag: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Invalid(format!("{flag}: {s:?} is not a date (expected YYYY-MM-DD)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_metrics_parse_with_helpful_errors() {
        assert_eq!(
            parse_filter("country=Iraq,Syria").unwrap(),
            ("country".into(), vec!["Iraq".into(), "Syria".into()])
        );
        assert!(parse_filter("country").unwrap_err().to_string().contains("COLUMN=VALUE"));
        assert_eq!(Metric::parse_list("incidents,fatalities").unwrap(), vec![Metric::Incidents, Metric::Fatalities]);
        assert!(Metric::parse_list("bodies").unwrap_err().to_string().contains("choose from incidents"));
        assert!(parse_date_flag("--from", "2024-13-01").unwrap_err().to_string().starts_with("--from:"));
    }
}
