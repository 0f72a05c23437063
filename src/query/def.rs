//! A query as the user writes it ([`QueryDef`]: command-line flags or a
//! `[[chart]]`/`[[table]]` entry of `sitrep.toml`) and the one conversion to
//! a typed, validated [`Query`]. Flags and config go through the same
//! checks, and errors name the option as the user wrote it ([`Origin`]):
//! `--every: …` on the command line, `chart "x": every: …` in a config.

use chrono::{NaiveDate, Weekday};
use serde::Deserialize;

use super::period::{parse_weekday, Period};
use super::spec::{Metric, Query, Sort};
use crate::error::{Error, Result};
use crate::schema::dates::parse_date_arg;
use crate::schema::DatePrecision;

/// Where a definition came from, so that errors name its keys as the user
/// wrote them. Keys are given by their config names (`every`, `metrics`,
/// `where`, `min_precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'a> {
    /// Command-line flags: `--every`, `--metric`, `--where`, `--min-precision`.
    Flags,
    /// A config entry, named as in messages (`chart "x"`, `table "t"`).
    Config(&'a str),
}

impl Origin<'_> {
    /// A key as the user writes it: `--metric` or `metrics`.
    pub fn bare(&self, key: &str) -> String {
        match self {
            Origin::Flags => match key {
                "metrics" => "--metric".into(),
                k => format!("--{}", k.replace('_', "-")),
            },
            Origin::Config(_) => key.to_string(),
        }
    }

    /// A usage error; a config entry's name goes first.
    pub fn message(&self, text: impl std::fmt::Display) -> Error {
        match self {
            Origin::Flags => Error::Usage(text.to_string()),
            Origin::Config(entry) => Error::Usage(format!("{entry}: {text}")),
        }
    }

    /// A usage error about one key: `--every: …`, `chart "x": every: …`.
    pub fn error(&self, key: &str, text: impl std::fmt::Display) -> Error {
        self.message(format!("{}: {text}", self.bare(key)))
    }

    /// How a switch is turned on: `--cumulative`, `cumulative = true`.
    pub fn switch(&self, key: &str) -> String {
        match self {
            Origin::Flags => self.bare(key),
            Origin::Config(_) => format!("{key} = true"),
        }
    }
}

/// What a user writes to define a query, before any value is checked.
/// The config's `[[chart]]` and `[[table]]` entries flatten it; the command
/// line fills it from flags.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryDef {
    /// Period: day, week, month, quarter, year, or Nd.
    pub every: Option<String>,
    /// A date on which an N-day window starts.
    pub anchor: Option<String>,
    /// Group-by columns.
    #[serde(default)]
    pub by: Vec<String>,
    /// Metrics (each may be a comma-separated list); none means incidents.
    #[serde(default)]
    pub metrics: Vec<String>,
    /// First date included.
    pub from: Option<String>,
    /// Last date included.
    pub to: Option<String>,
    /// `column=v1,v2` filters.
    #[serde(default, rename = "where")]
    pub filters: Vec<String>,
    /// Minimum date precision.
    pub min_precision: Option<String>,
    /// Top N groups.
    pub top: Option<usize>,
    /// Zero-filled grid.
    #[serde(default)]
    pub fill_zeros: bool,
    /// Rolling mean window.
    pub rolling: Option<usize>,
    /// Running total.
    #[serde(default)]
    pub cumulative: bool,
    /// Running total from this date, or from a named anchor.
    pub since: Option<String>,
    /// Compare with previous periods.
    pub compare: Option<usize>,
    /// Split multi-actor cells.
    #[serde(default)]
    pub split_actors: bool,
    /// Row order: count, name or period.
    pub sort: Option<String>,
}

/// A week start day as written by the user (`mon`, `sat`), named by `key`.
pub fn week_start(origin: Origin<'_>, key: &str, s: &str) -> Result<Weekday> {
    parse_weekday(s).map_err(|e| origin.error(key, e))
}

/// Parse one filter `col=v1,v2` (a message without the option's name).
pub fn parse_filter(s: &str) -> std::result::Result<(String, Vec<String>), String> {
    let bad = || format!("expected COLUMN=VALUE[,VALUE…], got {s:?}");
    let (c, v) = s.split_once('=').ok_or_else(bad)?;
    let values: Vec<String> = v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
    if c.trim().is_empty() || values.is_empty() {
        return Err(bad());
    }
    Ok((c.trim().to_string(), values))
}

impl QueryDef {
    /// Check every value and build the query. `week_start` applies to
    /// weeks; `anchors` are the named dates `since` may refer to.
    pub fn to_query(&self, origin: Origin<'_>, week_start: Weekday, anchors: &[(String, NaiveDate)]) -> Result<Query> {
        let date = |key: &str, v: &Option<String>| -> Result<Option<NaiveDate>> {
            v.as_deref().map(|s| parse_date_arg(&origin.bare(key), s).map_err(|e| origin.message(e))).transpose()
        };
        let anchor = date("anchor", &self.anchor)?;
        let every = self
            .every
            .as_deref()
            .map(|e| Period::parse(e, week_start, anchor))
            .transpose()
            .map_err(|e| origin.error("every", e))?;
        let (from, to) = (date("from", &self.from)?, date("to", &self.to)?);
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return Err(origin.message(format!("{} {a} is after {} {b}", origin.bare("from"), origin.bare("to"))));
            }
        }
        let filters = self
            .filters
            .iter()
            .map(|f| parse_filter(f))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| origin.error("where", e))?;
        let min_precision = self
            .min_precision
            .as_deref()
            .map(|p| p.parse::<DatePrecision>())
            .transpose()
            .map_err(|e| origin.error("min_precision", e))?;
        let metrics = if self.metrics.is_empty() {
            vec![Metric::Incidents]
        } else {
            Metric::parse_list(&self.metrics.join(",")).map_err(|e| origin.error("metrics", e))?
        };
        let since = match self.since.as_deref() {
            None => None,
            Some(s) => match anchors.iter().find(|(k, _)| k == s) {
                Some((_, d)) => Some(*d),
                None if anchors.is_empty() => date("since", &self.since)?,
                None => Some(parse_date_arg("since", s).map_err(|_| {
                    let names: Vec<&str> = anchors.iter().map(|(k, _)| k.as_str()).collect();
                    origin.error(
                        "since",
                        format!("{s:?} is neither a date nor an anchor (anchors: {})", names.join(", ")),
                    )
                })?),
            },
        };
        if self.top == Some(0) {
            return Err(origin.error("top", "must be at least 1 (0 would merge every group into Other)"));
        }
        if self.rolling == Some(0) {
            return Err(origin.error("rolling", "must be at least 1 period"));
        }
        if since.is_some() && !self.cumulative {
            return Err(origin.message(format!("{} goes with {}", origin.bare("since"), origin.switch("cumulative"))));
        }
        let sort = self.sort.as_deref().map(Sort::parse).transpose().map_err(|e| origin.error("sort", e))?;
        Ok(Query {
            sort,
            from,
            to,
            filters,
            min_precision,
            every,
            by: self.by.iter().map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect(),
            metrics,
            split_actors: self.split_actors,
            top: self.top,
            fill_zeros: self.fill_zeros,
            rolling: self.rolling,
            cumulative: self.cumulative,
            since,
            compare: self.compare,
            coverage: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(def: QueryDef) -> Result<Query> {
        def.to_query(Origin::Flags, Weekday::Mon, &[])
    }

    #[test]
    fn filters_parse_with_helpful_errors() {
        assert_eq!(
            parse_filter("country=Iraq,Syria").unwrap(),
            ("country".into(), vec!["Iraq".into(), "Syria".into()])
        );
        assert!(parse_filter("country").unwrap_err().contains("COLUMN=VALUE"));
    }

    #[test]
    fn flags_and_config_entries_are_checked_alike_and_named_as_written() {
        let bad = QueryDef { every: Some("fortnight".into()), ..Default::default() };
        assert!(flags(bad.clone()).unwrap_err().to_string().starts_with("--every: unknown period \"fortnight\""));
        let err = bad.to_query(Origin::Config("chart \"x\""), Weekday::Mon, &[]).unwrap_err().to_string();
        assert!(err.starts_with("chart \"x\": every: unknown period"), "{err}");
        let reversed =
            QueryDef { from: Some("2024-02-01".into()), to: Some("2024-01-01".into()), ..Default::default() };
        assert_eq!(flags(reversed.clone()).unwrap_err().to_string(), "--from 2024-02-01 is after --to 2024-01-01");
        let err = reversed.to_query(Origin::Config("table \"t\""), Weekday::Mon, &[]).unwrap_err().to_string();
        assert_eq!(err, "table \"t\": from 2024-02-01 is after to 2024-01-01");
        let since = QueryDef { since: Some("2024-01-01".into()), ..Default::default() };
        assert_eq!(flags(since.clone()).unwrap_err().to_string(), "--since goes with --cumulative");
        let err = since.to_query(Origin::Config("table \"t\""), Weekday::Mon, &[]).unwrap_err().to_string();
        assert_eq!(err, "table \"t\": since goes with cumulative = true");
        let metric = QueryDef { metrics: vec!["bodies".into()], ..Default::default() };
        assert!(flags(metric).unwrap_err().to_string().starts_with("--metric: unknown metric \"bodies\""));
    }

    #[test]
    fn since_takes_a_date_or_a_named_anchor() {
        let anchors = [("campaign".to_string(), NaiveDate::from_ymd_opt(2023, 10, 17).unwrap())];
        let def = QueryDef { since: Some("campaign".into()), cumulative: true, ..Default::default() };
        let q = def.to_query(Origin::Config("table \"t\""), Weekday::Mon, &anchors).unwrap();
        assert_eq!(q.since, NaiveDate::from_ymd_opt(2023, 10, 17));
        let def = QueryDef { since: Some("ramadan".into()), cumulative: true, ..Default::default() };
        let err = def.to_query(Origin::Config("table \"t\""), Weekday::Mon, &anchors).unwrap_err().to_string();
        assert!(err.contains("neither a date nor an anchor (anchors: campaign)"), "{err}");
    }
}
