//! Normalise: one name per group, one category per target and weapon.
//!
//! * **Aliases** (TOML, see `data/aliases.toml`): each group has a canonical
//!   `name`, optional `parent` and `umbrella`, and `aliases`. Values match
//!   after [`fold`]ing: case, accents, apostrophes, punctuation, a leading or
//!   inner "al-", and the Hezbollah/Hizballah/Hizbullah transliterations are
//!   ignored. The canonical name fills `actor` (and `target`), the parent
//!   `actor_parent` (the actor itself when it has none), the umbrella
//!   `actor_umbrella` (inherited from the parent when not given); the source
//!   value stays in `actor_raw` / `target_raw`. A multi-actor cell
//!   ("A, B") is mapped part by part.
//! * **Taxonomies** (TOML, see `data/taxonomy.toml`): `weapon`,
//!   `target_type` and `event_class` (from `event_type`) by ordered,
//!   row-local rules ([`taxonomy`]): exact values are authoritative;
//!   keywords in free text decide only catch-all and missing values and the
//!   values a `refine` entry names. An event of a class that is not an
//!   attack (ACLED's demonstrations and strategic developments) has weapon
//!   `none` and no target type; a target the alias table types (a US force)
//!   gives its target type.
//! * Files given later win over earlier ones and over the shipped defaults.
//! * A value no rule maps is kept as it is and listed in [`Unmapped`], so a
//!   new spelling is visible (`sitrep check --unmapped`) and `--strict` can
//!   refuse it.
//!
//! Mappings are computed once per distinct value (hundreds, not millions)
//! and joined back; keyword rules run as polars expressions, per row, so a
//! row's categories never depend on the other rows.

pub mod aliases;
pub mod taxonomy;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::Run;

use crate::error::{Error, Result};
use crate::schema::col as c;
pub use aliases::{fold, AliasTable, Resolved};
use taxonomy::{category_expr, decisions, Rows, TaxonomyFile};
pub use taxonomy::{Decided, Taxonomy};

/// The shipped alias table.
pub const DEFAULT_ALIASES: &str = include_str!("../../data/aliases.toml");
/// The shipped taxonomies.
pub const DEFAULT_TAXONOMY: &str = include_str!("../../data/taxonomy.toml");

/// The event's class (political violence, demonstration, strategic
/// development), from `event_type` by the `[event_class]` taxonomy: `--where
/// event_class="political violence"` counts attacks without protests.
pub const EVENT_CLASS: &str = "event_class";

/// Column keeping the source's claim value.
pub const CLAIMED_RAW: &str = "claimed_raw";

/// Internal: the target type the alias table gives a row's target.
const TARGET_HINT: &str = "__target_type_hint";

/// Free text the weapon keyword rules read besides the weapon value.
pub const WEAPON_TEXT: &[&str] = &[c::NOTES];
/// Free text the target type keyword rules read besides the target type value.
pub const TARGET_TYPE_TEXT: &[&str] = &[c::TARGET, c::LOCATION, c::NOTES];

/// Column keeping the source's actor value.
pub const ACTOR_RAW: &str = "actor_raw";
/// Column keeping the source's target value.
pub const TARGET_RAW: &str = "target_raw";
/// Column keeping the source's weapon value.
pub const WEAPON_RAW: &str = "weapon_raw";
/// Column keeping the source's target type value.
pub const TARGET_TYPE_RAW: &str = "target_type_raw";

/// Values no rule mapped, per column, with their row counts (largest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unmapped {
    /// (column, [(value, rows)]).
    pub columns: Vec<(String, Vec<(String, u64)>)>,
}

impl Unmapped {
    /// Whether nothing is unmapped.
    pub fn is_empty(&self) -> bool {
        self.columns.iter().all(|(_, v)| v.is_empty())
    }

    /// Rows with an unmapped value in `column`.
    pub fn rows(&self, column: &str) -> u64 {
        self.columns.iter().filter(|(c, _)| c == column).flat_map(|(_, v)| v.iter().map(|(_, n)| n)).sum()
    }
}

/// Aliases and taxonomies to apply to loaded incidents.
#[derive(Debug, Clone, Default)]
pub struct Normaliser {
    /// Actor and target names.
    pub aliases: AliasTable,
    /// Weapon categories.
    pub weapon: Taxonomy,
    /// Target type categories.
    pub target_type: Taxonomy,
    /// Event classes of event types.
    pub event_class: Taxonomy,
    /// Claim statuses (claimed, attributed, unclaimed, disputed).
    pub claimed: Taxonomy,
    /// SHA-256 over sitrep's version and every table's text: two normalisers
    /// with the same fingerprint map every value the same way, so a store
    /// normalised with it need not be normalised again.
    pub fingerprint: String,
}

impl Normaliser {
    /// The shipped defaults, with `aliases` and `taxonomies` files on top (later files win).
    pub fn load(aliases: &[PathBuf], taxonomies: &[PathBuf]) -> Result<Self> {
        let mut n = Normaliser {
            aliases: AliasTable::from_toml(DEFAULT_ALIASES, Path::new("data/aliases.toml"))?,
            ..Default::default()
        };
        n.add_taxonomy(DEFAULT_TAXONOMY, Path::new("data/taxonomy.toml"))?;
        n.check_alias_types(Path::new("data/aliases.toml"))?;
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for part in [env!("CARGO_PKG_VERSION"), DEFAULT_ALIASES, DEFAULT_TAXONOMY] {
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
        for (kind, p) in aliases.iter().map(|p| ("aliases", p)).chain(taxonomies.iter().map(|p| ("taxonomy", p))) {
            let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
            if kind == "aliases" {
                n.aliases.extend(AliasTable::from_toml(&text, p)?);
                n.check_alias_types(p)?;
            } else {
                n.add_taxonomy(&text, p)?;
            }
            hash.update(kind.as_bytes());
            hash.update(text.len().to_le_bytes());
            hash.update(text.as_bytes());
        }
        n.fingerprint = crate::text::hex(&hash.finalize());
        Ok(n)
    }

    fn add_taxonomy(&mut self, text: &str, origin: &Path) -> Result<()> {
        let f: TaxonomyFile =
            toml::from_str(text).map_err(|e| Error::Config { path: origin.into(), message: e.to_string() })?;
        if let Some(s) = f.weapon {
            self.weapon.extend(s, "weapon", origin)?;
        }
        if let Some(s) = f.target_type {
            self.target_type.extend(s, "target_type", origin)?;
        }
        if let Some(s) = f.event_class {
            self.event_class.extend(s, "event_class", origin)?;
        }
        if let Some(s) = f.claimed {
            self.claimed.extend(s, "claimed", origin)?;
        }
        Ok(())
    }

    /// Every `target_type` an alias group gives is a target type category.
    fn check_alias_types(&self, origin: &Path) -> Result<()> {
        for t in self.aliases.target_types() {
            if !self.target_type.categories.iter().any(|c| c == t) {
                return Err(Error::Config {
                    path: origin.into(),
                    message: format!(
                        "target_type {t:?} is not a target type category (valid: {})",
                        self.target_type.categories.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }

    /// The columns normalisation reads to produce `columns`: actors for
    /// parents and umbrellas, free text for weapon and target type keywords.
    /// With [`crate::query::Query::columns`] this is the one statement of
    /// what a query loads, so `agg --by weapon` and `report` read the same.
    pub fn reads(columns: &[String]) -> Vec<String> {
        let mut out: Vec<String> = columns.to_vec();
        for name in columns {
            let extra: &[&str] = match name.as_str() {
                c::ACTOR_PARENT | c::ACTOR_UMBRELLA => &[c::ACTOR],
                c::WEAPON => &[c::NOTES, c::EVENT_TYPE],
                c::TARGET_TYPE => &[c::TARGET, c::LOCATION, c::NOTES, c::EVENT_TYPE],
                EVENT_CLASS => &[c::EVENT_TYPE],
                _ => &[],
            };
            out.extend(extra.iter().map(|e| e.to_string()));
        }
        out.sort();
        out.dedup();
        out
    }

    /// Normalise actors, targets, weapons and target types of a canonical frame.
    pub fn apply(&self, df: DataFrame) -> Result<(DataFrame, Unmapped)> {
        let (lf, unmapped) = self.apply_lazy(df.lazy(), None, true)?;
        Ok((lf.run()?, unmapped))
    }

    /// Normalise lazily: each column costs one pass to list its distinct raw
    /// values (the alias and keyword rules run once per value, not per row);
    /// the mapping itself is a join left in the plan, so a query fuses it with
    /// its own scan. Only the `columns` a caller needs are normalised (`None`:
    /// all). Unmapped taxonomy values cost one more pass each and are listed
    /// only when `list_unmapped` (alias misses come free with the first pass).
    pub fn apply_lazy(
        &self,
        lf: LazyFrame,
        columns: Option<&[String]>,
        list_unmapped: bool,
    ) -> Result<(LazyFrame, Unmapped)> {
        let wanted = |names: &[&str]| columns.is_none_or(|k| k.iter().any(|n| names.contains(&n.as_str())));
        let mut unmapped = Unmapped::default();
        let mut lf = lf;
        // The event class decides whether an event has a weapon at all.
        // (and whether it has a target type: the same whichever columns a command asks for).
        if wanted(&[EVENT_CLASS, c::WEAPON, c::TARGET_TYPE]) {
            lf = self.apply_event_class(lf)?;
        }
        let actor_cols = [c::ACTOR, c::ACTOR_PARENT, c::ACTOR_UMBRELLA];
        // A target's alias can give its target type.
        let target_needed = wanted(&[c::TARGET, c::TARGET_TYPE]);
        for (column, raw_name, needed) in
            [(c::ACTOR, ACTOR_RAW, wanted(&actor_cols)), (c::TARGET, TARGET_RAW, target_needed)]
        {
            let missing = if needed {
                let (next, missing) = self.apply_aliases(lf, column, raw_name)?;
                lf = next;
                missing
            } else {
                Vec::new()
            };
            unmapped.columns.push((column.to_string(), missing));
        }
        for (column, raw_name, tax, extra) in [
            (c::WEAPON, WEAPON_RAW, &self.weapon, WEAPON_TEXT),
            (c::TARGET_TYPE, TARGET_TYPE_RAW, &self.target_type, TARGET_TYPE_TEXT),
        ] {
            let missing = if wanted(&[column]) {
                // Not an attack (a protest): weapon "none", no target type.
                let not_attack = (&self.event_class.not_attacks[..], (column == c::WEAPON).then_some("none"));
                let hint = column == c::TARGET_TYPE;
                let (next, missing) =
                    apply_taxonomy(lf, column, raw_name, tax, extra, not_attack, hint, list_unmapped)?;
                lf = next;
                missing
            } else {
                Vec::new()
            };
            unmapped.columns.push((column.to_string(), missing));
        }
        if wanted(&[c::CLAIMED]) {
            let (next, missing) = self.apply_claimed(lf, list_unmapped)?;
            lf = next;
            unmapped.columns.push((c::CLAIMED.to_string(), missing));
        }
        let schema = lf.clone().collect_schema()?;
        if schema.get(TARGET_HINT).is_some() {
            lf = lf.drop(by_name([TARGET_HINT], true, false));
        }
        Ok((lf, unmapped))
    }

    /// `claimed` as one of the claim statuses: not claimed (or not said) but
    /// an `Attributed to` column naming someone: `attributed`; else an exact
    /// value's status; else the value as it is (listed as unmapped), or unknown.
    fn apply_claimed(&self, lf: LazyFrame, list_unmapped: bool) -> Result<(LazyFrame, Vec<(String, u64)>)> {
        let (lf, names) = keep_raw(lf, c::CLAIMED, CLAIMED_RAW)?;
        let raws: Vec<String> = distinct_counts(lf.clone(), CLAIMED_RAW)?.into_iter().map(|(v, _)| v).collect();
        let attribution = names.iter().find(|n| crate::ingest::native::is_attribution(n));
        if raws.is_empty() && attribution.is_none() {
            return Ok((lf, Vec::new()));
        }
        let map = decisions(&self.claimed, &raws)?;
        // Someone is named: not empty, and not a placeholder ("-", "N/A", "unknown", "none").
        let attributed = match attribution {
            Some(a) => {
                let v = col(a.as_str()).cast(DataType::String).str().strip_chars(lit(NULL)).str().to_lowercase();
                let placeholder = crate::ingest::parse::NULL_TOKENS
                    .iter()
                    .chain(crate::ingest::native::NO_CLAIM)
                    .map(|t| v.clone().eq(lit(t.to_lowercase())))
                    .fold(v.clone().eq(lit("")), |a, b| a.or(b));
                v.is_not_null().and(placeholder.not())
            }
            None => lit(false),
        };
        // Not claimed (or not said), but blamed on someone: attributed.
        let unclaimed = col("__name").eq(lit("unclaimed")).or(col(CLAIMED_RAW).is_null());
        let status = when(unclaimed.and(attributed))
            .then(lit("attributed"))
            .when(col("__name").is_not_null())
            .then(col("__name"))
            .otherwise(col(CLAIMED_RAW));
        let joined = join_map(lf, map, CLAIMED_RAW)?.with_column(status.alias("__status"));
        let missing = if list_unmapped {
            let unmapped = col("__name").is_null().and(col(CLAIMED_RAW).is_not_null());
            sorted(distinct_counts(joined.clone().filter(unmapped), CLAIMED_RAW)?)
        } else {
            Vec::new()
        };
        let lf = joined
            .with_column(col("__status").alias(c::CLAIMED))
            .select(names.iter().map(|n| col(n.as_str())).collect::<Vec<_>>());
        Ok((lf, missing))
    }

    /// `event_class` from `event_type` (exact values only; null when unknown).
    fn apply_event_class(&self, lf: LazyFrame) -> Result<LazyFrame> {
        let schema = lf.clone().collect_schema()?;
        if schema.get(c::EVENT_TYPE).is_none() {
            return Ok(lf.with_column(lit(NULL).cast(DataType::String).alias(EVENT_CLASS)));
        }
        let lf = if schema.get(EVENT_CLASS).is_some() { lf.drop(by_name([EVENT_CLASS], true, false)) } else { lf };
        let types: Vec<String> = distinct_counts(lf.clone(), c::EVENT_TYPE)?.into_iter().map(|(v, _)| v).collect();
        if types.is_empty() {
            return Ok(lf.with_column(lit(NULL).cast(DataType::String).alias(EVENT_CLASS)));
        }
        let classes: Vec<Option<String>> =
            types.iter().map(|t| self.event_class.value(t).map(str::to_string)).collect();
        let map = DataFrame::new_infer_height(vec![
            Column::new("__raw".into(), types),
            Column::new(EVENT_CLASS.into(), classes),
        ])?;
        join_map(lf, map, c::EVENT_TYPE)
    }

    fn apply_aliases(&self, lf: LazyFrame, column: &str, raw_name: &str) -> Result<(LazyFrame, Vec<(String, u64)>)> {
        let (lf, names) = keep_raw(lf, column, raw_name)?;
        let counts = distinct_counts(lf.clone(), raw_name)?;
        if counts.is_empty() {
            return Ok((lf, Vec::new()));
        }
        let (mut raws, mut mapped, mut parents, mut umbrellas) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut hints = Vec::new();
        let mut missing = Vec::new();
        for (raw, n) in counts {
            let (r, known) = self.aliases.resolve(&raw);
            if !known {
                missing.push((raw.clone(), n));
            }
            raws.push(raw);
            mapped.push(r.name);
            parents.push(r.parent);
            umbrellas.push(r.umbrella);
            hints.push(r.target_type);
        }
        let map = DataFrame::new_infer_height(vec![
            Column::new("__raw".into(), raws),
            Column::new("__name".into(), mapped),
            Column::new("__parent".into(), parents),
            Column::new("__umbrella".into(), umbrellas),
            Column::new("__hint".into(), hints),
        ])?;
        let exprs = if column == c::ACTOR {
            vec![
                col("__name").alias(column),
                coalesce(&[col("__parent"), col(c::ACTOR_PARENT), col(c::ACTOR)]).alias(c::ACTOR_PARENT),
                coalesce(&[col("__umbrella"), col(c::ACTOR_UMBRELLA)]).alias(c::ACTOR_UMBRELLA),
            ]
        } else {
            vec![col("__name").alias(column), col("__hint").alias(TARGET_HINT)]
        };
        let mut names = names;
        if column == c::TARGET {
            names.push(TARGET_HINT.to_string());
        }
        let lf = join_map(lf, map, raw_name)?
            .with_columns(exprs)
            .select(names.iter().map(|n| col(n.as_str())).collect::<Vec<_>>());
        Ok((lf, sorted(missing)))
    }
}

pub(crate) fn sorted(mut v: Vec<(String, u64)>) -> Vec<(String, u64)> {
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Copy `column` to `raw_name` unless the raw column is already there (an
/// already-normalised store keeps its original raw values). Returns the
/// frame's column names afterwards.
fn keep_raw(lf: LazyFrame, column: &str, raw_name: &str) -> Result<(LazyFrame, Vec<String>)> {
    let schema = lf.clone().collect_schema()?;
    let mut names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    if schema.get(raw_name).is_none() {
        names.push(raw_name.to_string());
        return Ok((lf.with_column(col(column).alias(raw_name)), names));
    }
    // Rows stacked from a source without the raw column (a store plus a new
    // export) have a null raw value: take it from the column itself.
    Ok((lf.with_column(coalesce(&[col(raw_name), col(column)]).alias(raw_name)), names))
}

/// Distinct non-null values of `column` with their row counts (one pass).
fn distinct_counts(lf: LazyFrame, column: &str) -> Result<Vec<(String, u64)>> {
    let counts = lf
        .select([col(column)])
        .filter(col(column).is_not_null())
        .group_by([col(column)])
        .agg([len().cast(DataType::UInt64).alias("__n")])
        .run()?;
    let v = counts.column(column)?.str()?;
    let n = counts.column("__n")?.u64()?;
    Ok(v.iter().zip(n.iter()).filter_map(|(v, n)| Some((v?.to_string(), n?))).collect())
}

/// Add the per-value `map`'s columns (keyed by `__raw`, distinct) to each
/// row by its value of `on` (null where the value is not in the map), as a
/// left join would: row order and count are kept, so nothing is lost or
/// duplicated. Each row's value is looked up once, and only the map's
/// columns are built (a join gathered every column of the frame again).
fn join_map(lf: LazyFrame, map: DataFrame, on: &str) -> Result<LazyFrame> {
    let raws = map.column("__raw")?.str()?;
    let index: PlHashMap<String, IdxSize> =
        raws.iter().enumerate().map(|(i, v)| (v.unwrap_or_default().to_string(), i as IdxSize)).collect();
    let index = std::sync::Arc::new(index);
    let lookup = col(on).map(
        move |c: Column| {
            let c = c.cast(&DataType::String)?;
            let values = c.str()?;
            let found: IdxCa = values.iter().map(|v| v.and_then(|v| index.get(v).copied())).collect();
            Ok(found.with_name(c.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), IDX_DTYPE)),
    );
    let picks: Vec<Expr> = map
        .columns()
        .iter()
        .filter(|c| c.name() != "__raw")
        .map(|c| {
            let (values, name, dtype) = (c.clone(), c.name().clone(), c.dtype().clone());
            let field = Field::new(name.clone(), dtype);
            col("__idx")
                .map(
                    move |i: Column| {
                        // Nothing to pick from (no value had a decision): all null.
                        if values.is_empty() {
                            return Ok(Column::full_null(name.clone(), i.len(), values.dtype()));
                        }
                        Ok(values.take(i.idx()?)?.with_name(name.clone()))
                    },
                    move |_, _| Ok(field.clone()),
                )
                .alias(c.name().clone())
        })
        .collect();
    Ok(lf.with_column(lookup.alias("__idx")).with_columns(picks).drop(by_name(["__idx"], true, false)))
}

/// Normalise one taxonomy field by the rules of [`taxonomy`]: the rule of
/// each distinct value is decided once and joined back; the keywords run per
/// row on its own free text. `not_attack`: the event classes that are not
/// attacks, and the category their events get (`none` for weapons, null for
/// target types); `hint`: use the target type the target's alias gives.
#[allow(clippy::too_many_arguments)]
fn apply_taxonomy(
    lf: LazyFrame,
    column: &str,
    raw_name: &str,
    tax: &Taxonomy,
    text_columns: &[&str],
    not_attack: (&[String], Option<&str>),
    hint: bool,
    list_unmapped: bool,
) -> Result<(LazyFrame, Vec<(String, u64)>)> {
    let (lf, names) = keep_raw(lf, column, raw_name)?;
    let raws: Vec<String> = distinct_counts(lf.clone(), raw_name)?.into_iter().map(|(v, _)| v).collect();
    let present: Vec<&str> = text_columns.iter().copied().filter(|t| names.iter().any(|n| n == t)).collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    // No value and no free text on any row: no rule can give anything.
    if raws.is_empty() && present.is_empty() && !(hint && has(TARGET_HINT)) {
        return Ok((lf, Vec::new()));
    }
    let map = decisions(tax, &raws)?;
    let rows = Rows {
        raw: col(raw_name),
        free_text: present.iter().map(|t| col(*t)).collect(),
        mode: col("__mode"),
        exact: col("__name"),
        hint: (hint && has(TARGET_HINT)).then(|| col(TARGET_HINT)),
    };
    let mut category = category_expr(tax, rows);
    let (classes, instead) = not_attack;
    if has(EVENT_CLASS) {
        if let Some(not) = classes.iter().map(|k| col(EVENT_CLASS).eq(lit(k.clone()))).reduce(|a, b| a.or(b)) {
            let instead = instead.map_or_else(|| lit(NULL).cast(DataType::String), lit);
            category = when(not).then(instead).otherwise(category);
        }
    }
    let joined = join_map(lf, map, raw_name)?.with_column(category.alias("__category"));
    let missing = if list_unmapped {
        // Kept as it was: a value no rule maps (an unknown value no keyword decided).
        let unmapped = col(raw_name).is_not_null().and(col("__category").eq(col(raw_name)));
        let unmapped = unmapped.and(col("__mode").eq(lit(-3)).or(col("__mode").is_null()));
        sorted(distinct_counts(joined.clone().filter(unmapped), raw_name)?)
    } else {
        Vec::new()
    };
    let lf = joined
        .with_column(col("__category").alias(column))
        .select(names.iter().map(|n| col(n.as_str())).collect::<Vec<_>>());
    Ok((lf, missing))
}
