//! The query specification: filters, period, grouping, metrics and shapes.
//! Built from command-line flags or a config entry by [`super::def`] (one
//! conversion, validated once), checked against the data's columns before
//! anything runs.

use chrono::NaiveDate;

use crate::schema::{col, DatePrecision};

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
    /// Actor concentration: the number of groups (`actor_parent`) active in
    /// the row's period and group, and the effective number of groups (the
    /// inverse Simpson index 1 / Σ share², as acledR's concentration).
    Concentration,
}

impl Metric {
    /// Names accepted by `--metric`.
    pub const CHOICES: &'static str = "incidents, fatalities, injured, share, concentration";

    /// Parse a comma-separated metric list (an unknown name gives a message
    /// listing the choices; the caller names the option).
    pub fn parse_list(s: &str) -> Result<Vec<Metric>, String> {
        s.split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| match m.to_lowercase().as_str() {
                "incidents" | "count" | "events" => Ok(Metric::Incidents),
                "fatalities" | "deaths" | "killed" => Ok(Metric::Fatalities),
                "injured" | "wounded" => Ok(Metric::Injured),
                "share" => Ok(Metric::Share),
                "concentration" | "groups" | "effective_groups" => Ok(Metric::Concentration),
                _ => Err(format!("unknown metric {m:?} (choose from {})", Self::CHOICES)),
            })
            .collect()
    }
}

/// The order of a table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Within each period, the largest group first ("Other" last).
    Count,
    /// By group name, then period.
    Name,
    /// By period, then group name.
    Period,
}

impl Sort {
    /// Names accepted by `--sort`.
    pub const CHOICES: &'static str = "count, name, period";

    /// Parse a sort order's name (the caller names the option).
    pub fn parse(s: &str) -> Result<Sort, String> {
        match s.trim().to_lowercase().as_str() {
            "count" | "incidents" => Ok(Sort::Count),
            "name" | "group" => Ok(Sort::Name),
            "period" | "date" => Ok(Sort::Period),
            _ => Err(format!("unknown sort {s:?} (choose from {})", Self::CHOICES)),
        }
    }
}

/// Dates the data is declared complete for (`--as-of`, `[data] as_of`,
/// `[data] covers_from`). Zero-filled grids and weekly reports run over them
/// even where no incident fell: a week after the last incident is a real zero.
/// Without a declaration the data's first and last incident bound it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    /// The data is complete from this date.
    pub from: Option<NaiveDate>,
    /// The data is complete through this date.
    pub to: Option<NaiveDate>,
}

impl Coverage {
    /// Whether nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// The data's own span widened by what is declared.
    pub fn widen(&self, data: Option<(NaiveDate, NaiveDate)>) -> Option<(NaiveDate, NaiveDate)> {
        match data {
            Some((lo, hi)) => Some((self.from.map_or(lo, |f| f.min(lo)), self.to.map_or(hi, |t| t.max(hi)))),
            None => self.from.zip(self.to),
        }
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
    /// Dates the data is declared complete for.
    pub coverage: Coverage,
    /// Row order; `None` is by period with `--every`, else by count.
    pub sort: Option<Sort>,
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
            coverage: Coverage::default(),
            sort: None,
        }
    }
}

impl Query {
    /// The same counts (dates, filters, precision, period, grouping, split,
    /// metrics, coverage) without any shape: no top-N, zero fill, rolling
    /// mean, running total, comparison or sort. The extra passes of a query
    /// (a baseline, flags, concentration) count with it.
    pub fn unshaped(&self) -> Query {
        Query {
            top: None,
            fill_zeros: false,
            rolling: None,
            cumulative: false,
            since: None,
            compare: None,
            sort: None,
            ..self.clone()
        }
    }

    /// Whether a shape needs every period of the range present.
    pub fn needs_grid(&self) -> bool {
        self.fill_zeros || self.rolling.is_some() || self.cumulative || self.compare.is_some()
    }

    /// The row order: as asked, else by period with `--every` and by count without.
    pub fn order(&self) -> Sort {
        self.sort.unwrap_or(if self.every.is_some() { Sort::Period } else { Sort::Count })
    }

    /// The columns the query reads besides those always loaded (id, dates,
    /// precision, counts): its groups, its filters, and `actor` when it
    /// splits actors. With [`crate::normalise::Normaliser::reads`] this is
    /// the one statement of what a query loads.
    pub fn columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = self.by.iter().chain(self.filters.iter().map(|(c, _)| c)).cloned().collect();
        if self.split_actors {
            columns.push(col::ACTOR.to_string());
        }
        if self.metrics.contains(&Metric::Concentration) {
            columns.push(col::ACTOR_PARENT.to_string());
        }
        columns.sort();
        columns.dedup();
        columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_parse_with_helpful_errors() {
        assert_eq!(Metric::parse_list("incidents,fatalities").unwrap(), vec![Metric::Incidents, Metric::Fatalities]);
        assert!(Metric::parse_list("bodies").unwrap_err().contains("choose from incidents"));
    }

    #[test]
    fn a_query_reads_its_groups_filters_and_split_actors() {
        let q = Query {
            by: vec!["weapon".into()],
            filters: vec![("country".into(), vec!["Iraq".into()])],
            split_actors: true,
            ..Default::default()
        };
        assert_eq!(q.columns(), ["actor", "country", "weapon"]);
    }
}
