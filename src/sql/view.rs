//! Canonical views over big sources and the mapping table they join.
//!
//! `sitrep sql --view --preset P` maps a source table in its own layout
//! (GDELT events as BigQuery holds them, an ACLED export, UCDP GED) to
//! sitrep's canonical schema as the preset maps a file: the id, the date
//! and its precision from the source's codes, place, actor and target,
//! event type and counts. Names and categories come from the mapping table
//! (`--mapping-table`: the alias table's spellings and the taxonomy's
//! exact values), joined on a key that ignores case, quotes and
//! punctuation. What the local path decides beyond an exact join is left as
//! the source wrote it, and the view's comment says so: the alias table's
//! naming conventions (ACLED's `(2018-)` suffixes, accents, "al-"),
//! taxonomy keywords in free text, GDELT's CAMEO codes, and dates a
//! spreadsheet rewrote.

use super::Dialect;
use crate::error::{Error, Result};
use crate::ingest::Preset;
use crate::normalise::Normaliser;
use crate::schema::{col as c, DatePrecision, CANONICAL};

/// The key a mapping table row is found by: lower case, without quotes,
/// every run of other characters than a-z and 0-9 one space, trimmed. The
/// view computes the same of the source's value ([`key_expr`]).
pub fn key(s: &str) -> String {
    let lower: String = s.to_lowercase().chars().filter(|c| !matches!(c, '\'' | '"')).collect();
    let mut out = String::new();
    for part in lower.split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit())) {
        if !part.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(part);
        }
    }
    out
}

/// [`key`] in SQL.
fn key_expr(d: Dialect, e: &str) -> String {
    match d {
        Dialect::Spark => format!("trim(regexp_replace(regexp_replace(lower({e}), '[\\'\"]', ''), '[^a-z0-9]+', ' '))"),
        Dialect::DuckDb => {
            format!("trim(regexp_replace(regexp_replace(lower({e}), '[''\"]', '', 'g'), '[^a-z0-9]+', ' ', 'g'))")
        }
        Dialect::BigQuery => {
            format!("TRIM(REGEXP_REPLACE(REGEXP_REPLACE(LOWER({e}), r\"['\\\"]\", ''), r'[^a-z0-9]+', ' '))")
        }
    }
}

/// Mapping table rows: (kind, key, name, parent, umbrella, category).
type MapRow = (String, String, String, Option<String>, Option<String>, Option<String>);

fn mapping_rows() -> Result<Vec<MapRow>> {
    let n = Normaliser::load(&[], &[])?;
    let mut rows: Vec<MapRow> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (spelling, r) in n.aliases.spellings() {
        let k = key(&spelling);
        // Later groups win, as in the table: keep the last row of a key.
        if let Some(i) = rows.iter().position(|row| row.0 == "actor" && row.1 == k) {
            rows.remove(i);
        }
        seen.insert(k.clone());
        rows.push(("actor".into(), k, r.name, Some(r.parent), r.umbrella, r.target_type));
    }
    for (kind, tax) in [("weapon", &n.weapon), ("target_type", &n.target_type), ("event_class", &n.event_class)] {
        for (folded, category) in tax.value_rows() {
            let k = key(&folded);
            if !rows.iter().any(|r| r.0 == kind && r.1 == k) {
                rows.push((kind.into(), k, category.clone(), None, None, Some(category)));
            }
        }
    }
    rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(rows)
}

const MAPPING_COLUMNS: [&str; 6] = ["kind", "key", "name", "parent", "umbrella", "category"];

/// The alias and taxonomy tables as `CREATE TABLE` + `INSERT … VALUES`.
pub fn mapping_table_sql(dialect: Dialect, table: &str) -> Result<String> {
    let rows = mapping_rows()?;
    let name = super::base::table_ref(dialect, table)?;
    let text = dialect.text_type();
    let cols: Vec<String> = MAPPING_COLUMNS.iter().map(|c| format!("{} {text}", dialect.ident(c))).collect();
    let lit = |v: &Option<String>| v.as_deref().map_or_else(|| "NULL".to_string(), |v| dialect.string(v));
    let mut out = format!(
        "-- sitrep mapping table: {} rows (aliases and exact taxonomy values) for canonical views.\n\
         CREATE OR REPLACE TABLE {name} ({});\n",
        rows.len(),
        cols.join(", ")
    );
    for chunk in rows.chunks(500) {
        let values: Vec<String> = chunk
            .iter()
            .map(|(kind, k, n, p, u, cat)| {
                format!(
                    "({}, {}, {}, {}, {}, {})",
                    dialect.string(kind),
                    dialect.string(k),
                    dialect.string(n),
                    lit(p),
                    lit(u),
                    lit(cat)
                )
            })
            .collect();
        out.push_str(&format!("INSERT INTO {name} VALUES\n  {};\n", values.join(",\n  ")));
    }
    Ok(out)
}

/// The alias and taxonomy tables as CSV (to load into a table).
pub fn mapping_table_csv() -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| Error::Internal(format!("writing the mapping table: {e}"));
    w.write_record(MAPPING_COLUMNS).map_err(bad)?;
    for (kind, k, n, p, u, cat) in mapping_rows()? {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        w.write_record([kind, k, n, o(&p), o(&u), o(&cat)]).map_err(bad)?;
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::Internal(e.to_string()))?)
        .map_err(|e| Error::Internal(e.to_string()))
}

/// How one preset's columns become the canonical ones.
struct Source {
    /// Canonical column → SQL over the source row `s` (unset: NULL).
    exprs: Vec<(&'static str, String)>,
    /// Source columns whose values the mapping table names: (canonical column, source expression, kind).
    mapped: Vec<(&'static str, String, &'static str)>,
    /// What the view leaves as the source wrote it.
    caveats: &'static str,
}

fn codes(expr: &str, d: Dialect, pairs: &[(&str, &str)]) -> String {
    let arms: Vec<String> = pairs.iter().map(|(k, v)| format!("WHEN {} THEN {}", d.string(k), d.string(v))).collect();
    format!("CASE CAST({expr} AS {}) {} END", d.text_type(), arms.join(" "))
}

fn precision_codes(expr: &str, d: Dialect, pairs: &[(String, DatePrecision)]) -> String {
    let p: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    codes(expr, d, &p)
}

fn source(preset: Preset, d: Dialect) -> Result<Source> {
    let s = |name: &str| format!("s.{}", d.ident(name));
    let text = |name: &str| format!("CAST({} AS {})", s(name), d.text_type());
    let date = |name: &str| format!("CAST({} AS DATE)", s(name));
    let float = match d {
        Dialect::BigQuery => "FLOAT64",
        _ => "DOUBLE",
    };
    let num = |name: &str| format!("CAST({} AS {float})", s(name));
    let int = |name: &str| format!("CAST({} AS {})", s(name), d.int_type());
    Ok(match preset {
        Preset::Ucdp => Source {
            exprs: vec![
                (c::INCIDENT_ID, text("id")),
                (c::DATE, date("date_start")),
                (c::DATE_END, date("date_end")),
                (c::DATE_PRECISION, precision_codes(&s("date_prec"), d, &crate::ingest::ucdp::precision_codes())),
                (c::COUNTRY, text("country")),
                (c::ADMIN1, text("adm_1")),
                (c::LOCATION, text("where_coordinates")),
                (c::LATITUDE, num("latitude")),
                (c::LONGITUDE, num("longitude")),
                (
                    c::EVENT_TYPE,
                    codes(&s("type_of_violence"), d, &[("1", "state-based"), ("2", "non-state"), ("3", "one-sided")]),
                ),
                (c::FATALITIES, int("best")),
                (c::FATALITIES_LOW, int("low")),
                (c::FATALITIES_HIGH, int("high")),
                (c::SOURCE, text("source_office")),
                (c::NOTES, text("source_headline")),
            ],
            mapped: vec![(c::ACTOR, text("side_a"), "actor"), (c::TARGET, text("side_b"), "actor")],
            caveats: "a joint cell (A, B) is named as a whole, not actor by actor; names the alias table knows only \
                      by its conventions (a country in brackets) stay as written; target types and weapons sitrep \
                      reads from words in the notes are left to sitrep",
        },
        Preset::Acled => Source {
            exprs: vec![
                (c::INCIDENT_ID, text("event_id_cnty")),
                (c::DATE, date("event_date")),
                (c::DATE_PRECISION, precision_codes(&s("time_precision"), d, &crate::ingest::acled::precision_codes())),
                (c::COUNTRY, text("country")),
                (c::ADMIN1, text("admin1")),
                (c::LOCATION, text("location")),
                (c::LATITUDE, num("latitude")),
                (c::LONGITUDE, num("longitude")),
                (c::EVENT_TYPE, text("event_type")),
                (c::FATALITIES, int("fatalities")),
                (c::SOURCE, text("source")),
                (c::NOTES, text("notes")),
            ],
            mapped: vec![
                (c::ACTOR, text("actor1"), "actor"),
                (c::TARGET, text("actor2"), "actor"),
                (c::WEAPON, text("sub_event_type"), "weapon"),
            ],
            caveats: "ACLED's period suffixes (Military Forces of Syria (2000-)) stay as written, as do names the \
                      alias table knows only by convention; event_date must be ISO (the API's and current exports' form; a spreadsheet's re-save is read \
                      locally, not here); weapons a sub-event type leaves to keywords in the notes (Air/drone \
                      strike) get its category without them; target_type from inter2 codes is left to sitrep",
        },
        Preset::Gdelt => Source {
            exprs: vec![
                (c::INCIDENT_ID, text("GLOBALEVENTID")),
                (
                    c::DATE,
                    match d {
                        Dialect::Spark => format!("to_date(CAST({} AS STRING), 'yyyyMMdd')", s("SQLDATE")),
                        Dialect::DuckDb => {
                            format!("CAST(strptime(CAST({} AS VARCHAR), '%Y%m%d') AS DATE)", s("SQLDATE"))
                        }
                        Dialect::BigQuery => format!("PARSE_DATE('%Y%m%d', CAST({} AS STRING))", s("SQLDATE")),
                    },
                ),
                (c::DATE_PRECISION, d.string(DatePrecision::Day.as_str())),
                (c::COUNTRY, text("ActionGeo_CountryCode")),
                (c::ADMIN1, text("ActionGeo_ADM1Code")),
                (c::LOCATION, text("ActionGeo_FullName")),
                (c::LATITUDE, num("ActionGeo_Lat")),
                (c::LONGITUDE, num("ActionGeo_Long")),
                (c::EVENT_TYPE, text("EventCode")),
                (c::SOURCE, text("SOURCEURL")),
            ],
            mapped: vec![(c::ACTOR, text("Actor1Name"), "actor"), (c::TARGET, text("Actor2Name"), "actor")],
            caveats: "actors and targets are GDELT's names (Actor1Name, Actor2Name); sitrep's reading of CAMEO \
                      actor and role codes, and so target types, is local only; GDELT has no casualty counts",
        },
        Preset::Gtd | Preset::Auto | Preset::Native => {
            return Err(Error::Usage(format!(
                "--view: no canonical view for {} yet (choose gdelt, acled or ucdp)",
                format!("{preset:?}").to_lowercase()
            )))
        }
    })
}

/// `CREATE VIEW view AS SELECT …` mapping a source table in `preset`'s own
/// layout (GDELT events, ACLED, UCDP GED) to sitrep's canonical schema, as
/// the preset maps a file locally, joining the mapping table `mapping`
/// (written by [`mapping_table_sql`]).
pub fn view_sql(preset: Preset, dialect: Dialect, source_table: &str, view: &str) -> Result<String> {
    view_with_mapping(preset, dialect, source_table, view, "sitrep_mapping")
}

/// [`view_sql`] joining a mapping table of another name.
pub fn view_with_mapping(preset: Preset, d: Dialect, source_table: &str, view: &str, mapping: &str) -> Result<String> {
    let src = source(preset, d)?;
    let from = super::base::table_ref(d, source_table)?;
    let map = super::base::table_ref(d, mapping)?;
    let view_name = super::base::table_ref(d, view)?;
    let mut joins = Vec::new();
    let mut mapped: Vec<(&str, String)> = Vec::new();
    for (k, (column, expr, kind)) in src.mapped.iter().enumerate() {
        let m = format!("m{k}");
        joins.push(format!(
            "LEFT JOIN {map} {m} ON {m}.kind = {} AND {m}.{} = {}",
            d.string(kind),
            d.ident("key"),
            key_expr(d, expr)
        ));
        let name = format!("COALESCE({m}.name, NULLIF(TRIM({expr}), ''))");
        mapped.push((column, name.clone()));
        if *column == c::ACTOR {
            mapped.push((c::ACTOR_PARENT, format!("COALESCE({m}.parent, NULLIF(TRIM({expr}), ''))")));
            mapped.push((c::ACTOR_UMBRELLA, format!("{m}.umbrella")));
        }
        if *column == c::TARGET {
            mapped.push((c::TARGET_TYPE, format!("{m}.category")));
        }
    }
    let float = if d == Dialect::BigQuery { "FLOAT64" } else { "DOUBLE" };
    let select: Vec<String> = CANONICAL
        .iter()
        .map(|(name, t)| {
            let e = src
                .exprs
                .iter()
                .find(|(c, _)| c == name)
                .map(|(_, e)| e.clone())
                .or_else(|| mapped.iter().find(|(c, _)| c == name).map(|(_, e)| e.clone()))
                .unwrap_or_else(|| {
                    let ty = match t {
                        crate::schema::ColumnType::Text => d.text_type(),
                        crate::schema::ColumnType::Date => "DATE",
                        crate::schema::ColumnType::Float => float,
                        crate::schema::ColumnType::Int => d.int_type(),
                    };
                    format!("CAST(NULL AS {ty})")
                });
            format!("{e} AS {}", d.ident(name))
        })
        .collect();
    let preset_name = format!("{preset:?}").to_lowercase();
    Ok(format!(
        "-- sitrep canonical view over {source_table} ({preset_name} layout), joining the mapping table {mapping}\n\
         -- (sitrep sql --mapping-table). Left as the source wrote it: {}.\n\
         CREATE OR REPLACE VIEW {view_name} AS\nSELECT\n  {}\nFROM {from} s\n{}\n",
        src.caveats,
        select.join(",\n  "),
        joins.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_quotes_and_punctuation() {
        assert_eq!(key("Kata'ib Hezbollah"), "kataib hezbollah");
        assert_eq!(key("  Air/drone STRIKE "), "air drone strike");
        assert_eq!(key("HTS: Hayat Tahrir al-Sham"), "hts hayat tahrir al sham");
    }

    #[test]
    fn every_view_names_each_canonical_column_once_in_each_dialect() {
        for preset in [Preset::Gdelt, Preset::Acled, Preset::Ucdp] {
            for d in [Dialect::Spark, Dialect::BigQuery, Dialect::DuckDb] {
                let sql = view_sql(preset, d, "p.d.events", "p.d.incidents").unwrap();
                for (name, _) in CANONICAL {
                    assert_eq!(sql.matches(&format!(" AS {}", d.ident(name))).count(), 1, "{preset:?} {d} {name}");
                }
            }
        }
        assert!(view_sql(Preset::Gtd, Dialect::Spark, "t", "v").is_err());
    }

    #[test]
    fn the_mapping_table_holds_every_alias_spelling() {
        let csv = mapping_table_csv().unwrap();
        assert!(csv.starts_with("kind,key,name,parent,umbrella,category\n"));
        let n = Normaliser::load(&[], &[]).unwrap();
        for (spelling, r) in n.aliases.spellings() {
            let k = key(&spelling);
            assert!(csv.lines().any(|l| l.starts_with(&format!("actor,{k},"))), "{spelling} ({})", r.name);
        }
        let sql = mapping_table_sql(Dialect::DuckDb, "sitrep_mapping").unwrap();
        assert_eq!(sql.matches("INSERT INTO").count(), csv.lines().count().saturating_sub(2) / 500 + 1);
    }
}
