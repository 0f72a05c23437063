//! The base aggregate as one SQL statement: what [`crate::query::aggregate`]
//! counts in polars (filters, placement by date precision, period starts,
//! the split of joint claims, the grouped sums and their unknowns, the
//! incidents a period cannot place, and the data's first and last date),
//! written for Spark, BigQuery or DuckDB. The engine's result goes back to
//! sitrep with `--aggregate`, which shapes it exactly as a local run would.
//!
//! Result rows (`row_kind`):
//! - `placed`: one per period × group, with the sums and first/last date;
//! - `unplaced`: one per date precision too coarse for the period;
//! - `incidents`: with `--split-actors`, the distinct incidents placed;
//! - `rank`: with `--by`, each group's counts over the whole table (no
//!   dates, no filters), which order a chart's colours as a local run does;
//! - `coverage`: the whole table's first and last date, and in `query` the
//!   description of the counting the rows answer ([`describe`]), which
//!   `--aggregate` checks against its own flags, and the table read.

use std::path::Path;

use chrono::Weekday;

use super::Dialect;
use crate::error::{Error, Result};
use crate::query::external::{describe, TABLE_KEY};
use crate::query::filters::is_unknown;
use crate::query::{Period, Query};
use crate::schema::{col as c, DatePrecision};

/// The `FROM` item for `table`: a table or view name, or a Parquet file or
/// folder (a Hive-partitioned store) read directly where the engine can.
pub fn table_ref(dialect: Dialect, table: &str) -> Result<String> {
    let t = table.trim();
    if t.is_empty() {
        return Err(Error::Usage("--table: give a table, a view or a Parquet path".into()));
    }
    // A bare name is a table even when a folder of that name is here (`src`),
    // unless the folder is a partitioned store.
    let is_path = t.ends_with(".parquet")
        || t.contains('/')
        || t.contains('\\')
        || (Path::new(t).is_dir() && crate::store::is_partitioned(Path::new(t)));
    if !is_path {
        let quoted = t.contains('`') || t.contains('"');
        return Ok(match dialect {
            _ if quoted => t.to_string(),
            // BigQuery names a table project.dataset.table in one pair of backquotes.
            Dialect::BigQuery => format!("`{t}`"),
            Dialect::Spark | Dialect::DuckDb => t.split('.').map(|p| dialect.ident(p)).collect::<Vec<_>>().join("."),
        });
    }
    let folder = !t.ends_with(".parquet");
    Ok(match dialect {
        Dialect::Spark => format!("parquet.`{}`", t.replace('`', "``")),
        Dialect::DuckDb if folder => format!(
            "read_parquet({}, hive_partitioning = true)",
            dialect.string(&format!("{}/**/*.parquet", t.trim_end_matches('/')))
        ),
        Dialect::DuckDb => format!("read_parquet({})", dialect.string(t)),
        Dialect::BigQuery => {
            return Err(Error::Usage(format!(
                "--table {t}: BigQuery reads tables, not files; load the Parquet into a table or define an external \
                 table over it (bq mk --external_table_definition=PARQUET=gs://…/*.parquet dataset.incidents) and name that"
            )))
        }
    })
}

/// Expressions one dialect spells differently.
struct Sql {
    d: Dialect,
}

impl Sql {
    fn text(&self) -> &'static str {
        self.d.text_type()
    }

    fn null_text(&self) -> String {
        format!("CAST(NULL AS {})", self.text())
    }

    fn date_lit(&self, d: chrono::NaiveDate) -> String {
        format!("DATE '{d}'")
    }

    /// The first day of the period holding date `d` (a DATE expression).
    fn period_start(&self, p: Period, d: &str) -> String {
        let trunc = |unit: &str| match self.d {
            Dialect::Spark => format!("trunc({d}, '{unit}')"),
            Dialect::DuckDb => format!("CAST(date_trunc('{}', {d}) AS DATE)", unit.to_lowercase()),
            Dialect::BigQuery => format!("DATE_TRUNC({d}, {unit})"),
        };
        match p {
            Period::Day => d.to_string(),
            Period::Month => trunc("MONTH"),
            Period::Quarter => trunc("QUARTER"),
            Period::Year => trunc("YEAR"),
            Period::Week { start } => match self.d {
                Dialect::Spark if start == Weekday::Mon => format!("trunc({d}, 'WEEK')"),
                // dayofweek: 1 = Sunday … 7 = Saturday.
                Dialect::Spark => {
                    format!("date_sub({d}, pmod(dayofweek({d}) - {}, 7))", start.num_days_from_sunday() + 1)
                }
                // 2000-01-03 was a Monday.
                Dialect::DuckDb => format!(
                    "CAST(time_bucket(INTERVAL 7 DAY, {d}, DATE '2000-01-{:02}') AS DATE)",
                    3 + start.num_days_from_monday()
                ),
                Dialect::BigQuery if start == Weekday::Mon => format!("DATE_TRUNC({d}, ISOWEEK)"),
                Dialect::BigQuery => format!("DATE_TRUNC({d}, WEEK({}))", start_name(start)),
            },
            Period::Days { n, anchor } => {
                let a = self.date_lit(anchor);
                match self.d {
                    Dialect::Spark => format!("date_sub({d}, CAST(pmod(datediff({d}, {a}), {n}) AS INT))"),
                    Dialect::DuckDb => format!("CAST(time_bucket(INTERVAL {n} DAY, {d}, {a}) AS DATE)"),
                    Dialect::BigQuery => {
                        format!("DATE_SUB({d}, INTERVAL MOD(MOD(DATE_DIFF({d}, {a}, DAY), {n}) + {n}, {n}) DAY)")
                    }
                }
            }
        }
    }

    /// Each actor of a joint claim (`A, B; C`) as a row `x(a)` joined to `t`.
    fn split_join(&self, column: &str) -> String {
        match self.d {
            Dialect::Spark => format!("LATERAL VIEW OUTER explode(split(replace({column}, ';', ','), ',')) x AS a"),
            Dialect::DuckDb => {
                format!("LEFT JOIN unnest(string_split(replace({column}, ';', ','), ',')) AS x(a) ON true")
            }
            Dialect::BigQuery => format!("LEFT JOIN UNNEST(SPLIT(REPLACE({column}, ';', ','), ',')) AS a"),
        }
    }

    fn sum(&self, column: &str) -> String {
        format!("CAST(COALESCE(SUM({column}), 0) AS {})", self.d.int_type())
    }

    fn zero(&self) -> String {
        format!("CAST(0 AS {})", self.d.int_type())
    }
}

fn start_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MONDAY",
        Weekday::Tue => "TUESDAY",
        Weekday::Wed => "WEDNESDAY",
        Weekday::Thu => "THURSDAY",
        Weekday::Fri => "FRIDAY",
        Weekday::Sat => "SATURDAY",
        Weekday::Sun => "SUNDAY",
    }
}

/// A `--where` value test on a text expression: the value as given, the
/// alias table's name for it (for name columns), `(unknown)` as empty.
fn value_test(s: &Sql, expr: &str, column: &str, values: &[String]) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut unknown = false;
    for v in values {
        if is_unknown(v) {
            unknown = true;
            continue;
        }
        names.push(v.clone());
        names.extend(crate::query::filters::alias_name(column, v));
    }
    names.sort();
    names.dedup();
    let mut parts = Vec::new();
    if !names.is_empty() {
        let list: Vec<String> = names.iter().map(|n| s.d.string(n)).collect();
        parts.push(format!("{expr} IN ({})", list.join(", ")));
    }
    if unknown {
        parts.push(format!("{expr} IS NULL"));
    }
    format!("({})", parts.join(" OR "))
}

/// A result row that carries a count but no group or sums: its kind, null
/// group values, the precision, the count, zeros, first and last date, and
/// the query description (coverage rows only).
#[allow(clippy::too_many_arguments)]
fn count_row(
    s: &Sql,
    kind: &str,
    groups: usize,
    precision: &str,
    count: &str,
    first: &str,
    last: &str,
    query: Option<&str>,
) -> Vec<String> {
    let mut cols = vec![format!("'{kind}'"), "CAST(NULL AS DATE)".to_string()];
    cols.extend((0..groups).map(|_| s.null_text()));
    cols.extend([precision.to_string(), count.to_string()]);
    cols.extend((0..4).map(|_| s.zero()));
    cols.extend([first.to_string(), last.to_string(), query.map_or_else(|| s.null_text(), str::to_string)]);
    cols
}

/// A CTE of the incidents of `from` matching `pred`, with their group values as text.
fn rows_cte(s: &Sql, q: &Query, name: &str, from: &str, pred: &[String]) -> String {
    let id = |n: &str| s.d.ident(n);
    let mut cols = vec![
        format!("{} AS id", id(c::INCIDENT_ID)),
        format!("{} AS d", id(c::DATE)),
        format!("COALESCE({}, 'day') AS prec", id(c::DATE_PRECISION)),
        format!("{} AS f", id(c::FATALITIES)),
        format!("{} AS i", id(c::INJURED)),
    ];
    for (k, b) in q.by.iter().enumerate() {
        cols.push(format!("CAST({} AS {}) AS g{k}", id(b), s.text()));
    }
    if q.split_actors {
        cols.push(format!("{} AS actors", id(c::ACTOR)));
    }
    let where_clause = if pred.is_empty() { String::new() } else { format!("\n  WHERE {}", pred.join("\n    AND ")) };
    format!("{name} AS (\n  SELECT {}\n  FROM {from}{where_clause})", cols.join(", "))
}

/// A CTE of `rows` with each actor of a joint claim its own row (`a1`), kept where `actor_pred` holds.
fn split_cte(s: &Sql, name: &str, rows: &str, actor_pred: &[String]) -> String {
    let inner =
        format!("SELECT {rows}.*, NULLIF(TRIM(a), '') AS a1 FROM {rows} {}", s.split_join(&format!("{rows}.actors")));
    let body = if actor_pred.is_empty() {
        inner
    } else {
        format!("SELECT * FROM ({inner}) sp WHERE {}", actor_pred.join(" AND "))
    };
    format!("{name} AS (\n  {body})")
}

/// Where [`script`] has an engine write each result.
#[derive(Debug, Clone, Copy)]
pub struct Into<'a> {
    /// A folder (a `gs://` prefix for BigQuery): each query's result goes
    /// to a file or folder named after its chart or table in it.
    pub folder: &'a str,
}

/// The statements a config's report needs: one per distinct counting
/// among its charts and tables, each writing its result into `into`'s
/// folder when given. Entries only the incidents can give (gap charts,
/// alert markers, named-period and escalation tables, …) are listed in
/// the returned notes and left out.
pub fn script(
    cfg: &crate::config::Config,
    dialect: Dialect,
    table: &str,
    by_year: bool,
    into: Option<Into<'_>>,
) -> Result<(String, Vec<String>)> {
    use crate::render::chart::ChartKind;
    let mut wanted: Vec<(String, Query)> = Vec::new();
    let mut notes = Vec::new();
    let mut add =
        |kind: &str, name: &str, q: &Query, needs: Option<&str>| match needs.or(crate::query::needs_incidents(q)) {
            Some(what) => notes.push(format!("{kind} {name:?} left out: {what} needs the incidents themselves")),
            None => {
                if !wanted.iter().any(|(_, w)| describe(w) == describe(q)) {
                    wanted.push((name.to_string(), q.clone()));
                }
            }
        };
    for c in &cfg.charts {
        let needs = match (c.kind, c.options.alerts) {
            (ChartKind::Gap, _) => Some("a gap chart"),
            (_, true) => Some("alert markers"),
            _ => None,
        };
        add("chart", &c.name, &c.query, needs);
    }
    for t in &cfg.tables {
        let needs = match (t.by_period_name, &t.escalation) {
            (true, _) => Some("a table by named period"),
            (false, Some(_)) => Some("escalation flags"),
            (false, None) => None,
        };
        add("table", &t.name, &t.query, needs);
    }
    let mut out = String::new();
    for (name, q) in &wanted {
        let (head, body) = parts(q, dialect, table, by_year)?;
        out.push_str(&format!("-- {name}\n{head}"));
        let Some(into) = into else {
            out.push_str(&format!("{body};\n\n"));
            continue;
        };
        let dir = into.folder.trim_end_matches('/');
        let safe: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        let text = match dialect {
            Dialect::Spark => format!(
                "INSERT OVERWRITE DIRECTORY {} USING csv OPTIONS (header 'true', escape '\"', \
                 ignoreLeadingWhiteSpace 'false', ignoreTrailingWhiteSpace 'false')\n{body};\n\n",
                dialect.string(&format!("{dir}/{safe}"))
            ),
            Dialect::DuckDb => {
                format!("COPY (\n{body}) TO {} (HEADER);\n\n", dialect.string(&format!("{dir}/{safe}.csv")))
            }
            Dialect::BigQuery => format!(
                "EXPORT DATA OPTIONS (uri = {}, format = 'CSV', header = true, overwrite = true) AS\n{body};\n\n",
                dialect.string(&format!("{dir}/{safe}/part-*.csv"))
            ),
        };
        out.push_str(&text);
    }
    Ok((out, notes))
}

/// The base aggregate of `q` over `table` as one statement. With
/// `by_year` (a store written with `ingest --partition year`, or a table
/// partitioned on a `year` column), `--from`/`--to` also select the years,
/// so an engine reads only those partitions.
pub fn statement(q: &Query, dialect: Dialect, table: &str, by_year: bool) -> Result<String> {
    let (head, body) = parts(q, dialect, table, by_year)?;
    Ok(head + &body)
}

/// [`statement`] as its comment lines and the statement itself.
fn parts(q: &Query, dialect: Dialect, table: &str, by_year: bool) -> Result<(String, String)> {
    let s = Sql { d: dialect };
    let from = table_ref(dialect, table)?;
    let id = |n: &str| dialect.ident(n);
    let text = s.text();
    let split = q.split_actors;

    // t: one row per matching incident, with its group values as text;
    // u: the rows counted (after the split, one per actor of a joint claim).
    // ta/ua: the same over the whole table, for the groups' ranking.
    let mut pred = Vec::new();
    if let Some(from) = q.from {
        pred.push(format!("{} >= {}", id(c::DATE), s.date_lit(from)));
    }
    if let Some(to) = q.to {
        pred.push(format!("{} <= {}", id(c::DATE), s.date_lit(to)));
    }
    let year = id(crate::store::PARTITION_COLUMN);
    if let (true, Some(from)) = (by_year, q.from) {
        pred.push(format!("{year} >= {}", chrono::Datelike::year(&from)));
    }
    if let (true, Some(to)) = (by_year, q.to) {
        pred.push(format!("{year} <= {}", chrono::Datelike::year(&to)));
    }
    for (column, values) in &q.filters {
        if split && column == c::ACTOR {
            continue;
        }
        pred.push(value_test(&s, &format!("CAST({} AS {text})", id(column)), column, values));
    }
    let precisions = |max: DatePrecision| -> Vec<String> {
        DatePrecision::ALL.iter().filter(|p| **p <= max).map(|p| format!("'{}'", p.as_str())).collect()
    };
    if let Some(min) = q.min_precision {
        pred.push(format!("COALESCE({}, 'day') IN ({})", id(c::DATE_PRECISION), precisions(min).join(", ")));
    }
    let actor_pred: Vec<String> = q
        .filters
        .iter()
        .filter(|(column, _)| split && column == c::ACTOR)
        .map(|(column, values)| value_test(&s, "a1", column, values))
        .collect();
    let ranked = !q.by.is_empty();

    let mut head = String::new();
    head.push_str(&format!("-- sitrep base aggregate ({dialect}): {}\n", describe(q)));
    head.push_str("-- Shapes (--top, --fill-zeros, --rolling, --cumulative, --compare) run in sitrep on the result:\n");
    head.push_str("-- sitrep agg|chart|report --aggregate RESULT with the same query flags.\n");
    let mut sql = String::new();
    let mut ctes = vec![rows_cte(&s, q, "t", &from, &pred)];
    if ranked {
        ctes.push(rows_cte(&s, q, "ta", &from, &[]));
    }
    let u = if split {
        ctes.push(split_cte(&s, "u", "t", &actor_pred));
        if ranked {
            ctes.push(split_cte(&s, "ua", "ta", &[]));
        }
        ("u", "ua")
    } else {
        ("t", "ta")
    };
    let (u, ua) = u;
    let groups: Vec<String> = (0..q.by.len())
        .map(|k| if split && q.by[k] == c::ACTOR { "a1".to_string() } else { format!("g{k}") })
        .collect();

    // r: placed rows with their period start.
    let placeable = q.every.and_then(|p| p.finest_unplaceable()).map(|coarse| {
        let finest_placeable = DatePrecision::ALL[coarse as usize - 1];
        precisions(finest_placeable).join(", ")
    });
    let period = match q.every {
        Some(p) => s.period_start(p, "d"),
        None => "CAST(NULL AS DATE)".to_string(),
    };
    let placed_where = placeable.as_ref().map_or_else(String::new, |list| format!(" WHERE prec IN ({list})"));
    let group_select: Vec<String> = groups.iter().enumerate().map(|(k, g)| format!("{g} AS g{k}")).collect();
    let mut r_cols = vec!["id".to_string(), "d".into(), "f".into(), "i".into(), format!("{period} AS p")];
    r_cols.extend(group_select);
    ctes.push(format!("r AS (\n  SELECT {} FROM {u}{placed_where})", r_cols.join(", ")));
    sql.push_str(&format!("WITH {}\n", ctes.join(",\n")));

    let by_names: Vec<String> = q.by.iter().map(|b| id(b)).collect();
    let gk: Vec<String> = (0..q.by.len()).map(|k| format!("g{k}")).collect();
    let count_ids = if split { "COUNT(DISTINCT id)" } else { "COUNT(*)" };

    // Placed: one row per period × group.
    let mut placed = vec!["'placed' AS row_kind".to_string(), "p AS period_start".into()];
    placed.extend(gk.iter().zip(&by_names).map(|(g, b)| format!("{g} AS {b}")));
    placed.extend([
        format!("{} AS date_precision", s.null_text()),
        "COUNT(*) AS incidents".into(),
        format!("{} AS fatalities", s.sum("f")),
        "COUNT(*) - COUNT(f) AS fatalities_unknown".into(),
        format!("{} AS injured", s.sum("i")),
        "COUNT(*) - COUNT(i) AS injured_unknown".into(),
        "MIN(d) AS first_date".into(),
        "MAX(d) AS last_date".into(),
        format!("{} AS query", s.null_text()),
    ]);
    let mut group_by = vec!["p".to_string()];
    group_by.extend(gk.iter().cloned());
    let mut parts = vec![format!("SELECT {}\nFROM r GROUP BY {}", placed.join(", "), group_by.join(", "))];

    // Unplaced: incidents too coarse for the period, by precision.
    if let Some(list) = &placeable {
        let cols =
            count_row(&s, "unplaced", q.by.len(), "prec", count_ids, "CAST(NULL AS DATE)", "CAST(NULL AS DATE)", None);
        parts.push(format!("SELECT {}\nFROM {u} WHERE prec NOT IN ({list}) GROUP BY prec", cols.join(", ")));
    }
    // With the split: the distinct incidents placed.
    if split {
        let cols = count_row(
            &s,
            "incidents",
            q.by.len(),
            &s.null_text(),
            "COUNT(DISTINCT id)",
            "CAST(NULL AS DATE)",
            "CAST(NULL AS DATE)",
            None,
        );
        parts.push(format!("SELECT {}\nFROM r", cols.join(", ")));
    }
    // Ranking: each group's counts over the whole table (no dates, no
    // filters), so a chart's colours follow the same order as a local run.
    if ranked {
        let mut cols = vec!["'rank'".to_string(), "CAST(NULL AS DATE)".into()];
        cols.extend(groups.iter().zip(&by_names).map(|(g, b)| format!("{g} AS {b}")));
        cols.extend([
            s.null_text(),
            "COUNT(*)".into(),
            s.sum("f"),
            "COUNT(*) - COUNT(f)".into(),
            s.sum("i"),
            "COUNT(*) - COUNT(i)".into(),
            "MIN(d)".into(),
            "MAX(d)".into(),
            s.null_text(),
        ]);
        parts.push(format!("SELECT {}\nFROM {ua} GROUP BY {}", cols.join(", "), groups.join(", ")));
    }
    // Coverage: the whole table's dates, and what the rows answer.
    let (lo, hi) = (format!("MIN({})", id(c::DATE)), format!("MAX({})", id(c::DATE)));
    let what = s.d.string(&format!("{}{TABLE_KEY}{table}", describe(q)));
    let cols = count_row(&s, "coverage", q.by.len(), &s.null_text(), "COUNT(*)", &lo, &hi, Some(&what));
    parts.push(format!("SELECT {}\nFROM {from}", cols.join(", ")));

    sql.push_str(&parts.join("\nUNION ALL\n"));
    let mut order = vec!["row_kind".to_string(), "period_start".into()];
    order.extend(by_names.iter().map(|b| format!("{b} NULLS LAST")));
    order.push("date_precision".into());
    sql.push_str(&format!("\nORDER BY {}\n", order.join(", ")));
    Ok((head, sql))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(every: &str) -> Query {
        Query {
            every: Some(Period::parse(every, Weekday::Mon, None).unwrap()),
            by: vec!["actor".into()],
            ..Default::default()
        }
    }

    #[test]
    fn the_description_names_only_what_the_engine_counts() {
        let mut a = q("week");
        let d = describe(&a);
        assert_eq!(d, "sitrep-base-1;every=week:mon;by=actor;from=;to=;where=;min_precision=;split_actors=false");
        a.top = Some(5);
        a.fill_zeros = true;
        assert_eq!(describe(&a), d, "shapes are applied locally");
        a.split_actors = true;
        assert_ne!(describe(&a), d);
        assert!(describe(&q("14d")).contains("every=14d@1970-01-05"));
    }

    #[test]
    fn tables_and_paths_are_quoted_per_engine() {
        assert_eq!(table_ref(Dialect::BigQuery, "gdelt-bq.gdeltv2.events").unwrap(), "`gdelt-bq.gdeltv2.events`");
        assert_eq!(table_ref(Dialect::Spark, "db.incidents").unwrap(), "`db`.`incidents`");
        assert_eq!(table_ref(Dialect::DuckDb, "incidents").unwrap(), "\"incidents\"");
        assert_eq!(table_ref(Dialect::Spark, "/data/store").unwrap(), "parquet.`/data/store`");
        assert_eq!(
            table_ref(Dialect::DuckDb, "/data/store/").unwrap(),
            "read_parquet('/data/store/**/*.parquet', hive_partitioning = true)"
        );
        assert!(table_ref(Dialect::BigQuery, "x.parquet").unwrap_err().to_string().contains("external"));
    }

    #[test]
    fn coarse_incidents_are_reported_not_dropped() {
        let sql = statement(&q("week"), Dialect::DuckDb, "incidents", false).unwrap();
        assert!(sql.contains("WHERE prec IN ('day', 'week')"), "{sql}");
        assert!(sql.contains("WHERE prec NOT IN ('day', 'week') GROUP BY prec"), "{sql}");
        let whole = Query { every: None, ..q("week") };
        assert!(!statement(&whole, Dialect::DuckDb, "incidents", false).unwrap().contains("'unplaced'"));
    }
}
