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
//! * **Taxonomies** (TOML, see `data/taxonomy.toml`): for `weapon` and
//!   `target_type`, exact source values map to categories; where that gives
//!   nothing (or the fallback category), ordered keywords are looked for in
//!   the field and in related free text (notes, target, location).
//! * Files given later win over earlier ones and over the shipped defaults.
//! * A value no rule maps is kept as it is and listed in [`Unmapped`], so a
//!   new spelling is visible (`sitrep check --unmapped`) and `--strict` can
//!   refuse it.
//!
//! Mappings are computed once per distinct value (hundreds, not millions)
//! and joined back; keyword rules run as polars expressions.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::Run;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::schema::col as c;

/// The shipped alias table.
pub const DEFAULT_ALIASES: &str = include_str!("../data/aliases.toml");
/// The shipped taxonomies.
pub const DEFAULT_TAXONOMY: &str = include_str!("../data/taxonomy.toml");

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

fn accent(ch: char) -> char {
    const MAP: &[(&str, char)] = &[
        ("àáâãäåāăąạả", 'a'),
        ("çćĉċč", 'c'),
        ("ďḍđ", 'd'),
        ("èéêëēĕėęěẹ", 'e'),
        ("ğĝġģ", 'g'),
        ("ḥĥħ", 'h'),
        ("ìíîïĩīĭįı", 'i'),
        ("ñńņňṇ", 'n'),
        ("òóôõöøōŏőọ", 'o'),
        ("śŝşšṣ", 's'),
        ("ţťṭ", 't'),
        ("ùúûüũūŭůűųụ", 'u'),
        ("ýÿŷ", 'y'),
        ("źżžẓ", 'z'),
    ];
    MAP.iter().find(|(set, _)| set.contains(ch)).map_or(ch, |(_, to)| *to)
}

/// The matching key of a name: lower case, no accents, apostrophes or
/// punctuation, no "al"/"el" articles, and one spelling for common
/// transliteration variants (Hezbollah, Kataib, Asaib).
pub fn fold(s: &str) -> String {
    let mut flat = String::with_capacity(s.len());
    for ch in s.chars().flat_map(char::to_lowercase) {
        match ch {
            '\'' | '’' | '‘' | '`' | '´' | 'ʼ' | 'ʻ' | 'ʿ' | 'ʾ' | '"' | '“' | '”' => {}
            '-' | '_' | '.' | ',' | '/' | '(' | ')' | ':' | ';' | '&' => flat.push(' '),
            _ => flat.push(accent(ch)),
        }
    }
    flat.split_whitespace()
        .filter(|t| !matches!(*t, "al" | "el" | "the"))
        .map(|t| {
            let hezbollah =
                t.starts_with('h') && t.ends_with("llah") && t.contains("zb") && (8..=11).contains(&t.len());
            match t {
                _ if hezbollah => "hezbollah",
                "kataeb" | "katayib" | "kata'ib" => "kataib",
                "asaeb" | "asa'ib" => "asaib",
                other => other,
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntry {
    name: String,
    parent: Option<String>,
    umbrella: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasFile {
    #[serde(default, rename = "group")]
    groups: Vec<GroupEntry>,
}

/// A resolved actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Canonical name.
    pub name: String,
    /// Parent group (the name itself when none).
    pub parent: String,
    /// Umbrella, if any.
    pub umbrella: Option<String>,
}

/// Alias table: folded alias → group.
#[derive(Debug, Clone, Default)]
pub struct AliasTable {
    index: HashMap<String, usize>,
    groups: Vec<GroupEntry>,
}

impl AliasTable {
    /// Parse a TOML alias file; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Self> {
        let file: AliasFile =
            toml::from_str(text).map_err(|e| Error::Config { path: origin.into(), message: e.to_string() })?;
        let mut t = AliasTable::default();
        for g in file.groups {
            if g.name.trim().is_empty() {
                return Err(Error::Config { path: origin.into(), message: "a [[group]] has an empty name".into() });
            }
            t.add(g);
        }
        Ok(t)
    }

    fn add(&mut self, g: GroupEntry) {
        let i = self.groups.len();
        for key in std::iter::once(&g.name).chain(&g.aliases) {
            self.index.insert(fold(key), i);
        }
        self.groups.push(g);
    }

    /// Add another table's groups on top of this one's (the other wins).
    pub fn extend(&mut self, other: AliasTable) {
        for g in other.groups {
            self.add(g);
        }
    }

    fn group(&self, name: &str) -> Option<&GroupEntry> {
        self.index.get(&fold(name)).map(|&i| &self.groups[i])
    }

    fn resolve_one(&self, raw: &str) -> Option<Resolved> {
        let g = self.group(raw)?;
        let parent = g.parent.clone().unwrap_or_else(|| g.name.clone());
        let mut umbrella = g.umbrella.clone();
        // Inherit the umbrella from the parent chain (bounded against cycles).
        let mut p = g.parent.as_deref();
        for _ in 0..8 {
            let Some(pg) = p.and_then(|p| self.group(p)) else { break };
            umbrella = umbrella.or_else(|| pg.umbrella.clone());
            p = pg.parent.as_deref().filter(|pp| fold(pp) != fold(&pg.name));
        }
        Some(Resolved { name: g.name.clone(), parent, umbrella })
    }

    /// Resolve a cell: the whole value, or else each comma-separated part.
    /// Returns the resolution and whether every part was known.
    pub fn resolve(&self, raw: &str) -> (Resolved, bool) {
        if let Some(r) = self.resolve_one(raw) {
            return (r, true);
        }
        let parts: Vec<&str> = raw.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        let mut all = parts.len() > 1;
        let mut names = Vec::new();
        let mut parents: Vec<String> = Vec::new();
        let mut umbrellas: Vec<String> = Vec::new();
        for p in if parts.len() > 1 { parts } else { vec![raw.trim()] } {
            match self.resolve_one(p) {
                Some(r) => {
                    names.push(r.name);
                    push_unique(&mut parents, r.parent);
                    if let Some(u) = r.umbrella {
                        push_unique(&mut umbrellas, u);
                    }
                }
                None => {
                    all = false;
                    names.push(p.to_string());
                    push_unique(&mut parents, p.to_string());
                }
            }
        }
        let umbrella = (!umbrellas.is_empty()).then(|| umbrellas.join(", "));
        (Resolved { name: names.join(", "), parent: parents.join(", "), umbrella }, all)
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    categories: Option<Vec<String>>,
    fallback: Option<String>,
    #[serde(default)]
    values: BTreeMap<String, String>,
    #[serde(default)]
    keywords: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    weapon: Option<Section>,
    target_type: Option<Section>,
}

/// Categories for one field.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// Valid categories.
    pub categories: Vec<String>,
    /// The category meaning "known but unclassified"; keywords may refine it.
    pub fallback: Option<String>,
    values: HashMap<String, String>,
    /// Ordered (keyword, category) rules; the first that matches wins.
    pub keywords: Vec<(String, String)>,
}

impl Taxonomy {
    fn extend(&mut self, s: Section, field: &str, origin: &Path) -> Result<()> {
        if let Some(cats) = s.categories {
            self.categories = cats;
        }
        if s.fallback.is_some() {
            self.fallback = s.fallback;
        }
        let bad = |v: &str| Error::Config {
            path: origin.into(),
            message: format!("{field}: {v:?} is not a category (valid: {})", self.categories.join(", ")),
        };
        for (k, v) in s.values {
            if !self.categories.contains(&v) {
                return Err(bad(&v));
            }
            self.values.insert(fold(&k), v);
        }
        // Later files' keywords are tried first.
        let mut kws = Vec::new();
        for (k, v) in s.keywords {
            if !self.categories.contains(&v) {
                return Err(bad(&v));
            }
            kws.push((k.to_lowercase(), v));
        }
        kws.append(&mut self.keywords);
        self.keywords = kws;
        for cat in self.categories.clone() {
            self.values.entry(fold(&cat)).or_insert(cat);
        }
        Ok(())
    }

    /// The category of an exact source value.
    pub fn value(&self, raw: &str) -> Option<&str> {
        self.values.get(&fold(raw)).map(String::as_str)
    }

    /// A polars expression: the first keyword category found in `text`, else null.
    fn keyword_expr(&self, text: Expr) -> Expr {
        let mut out = lit(NULL).cast(DataType::String);
        for (k, v) in self.keywords.iter().rev() {
            let pattern = format!(r"(?i)\b{}\b", regex_escape(k).replace(' ', r"[\s\-]+"));
            out = when(text.clone().str().contains(lit(pattern), false)).then(lit(v.clone())).otherwise(out);
        }
        out
    }
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut o, ch| {
        if "\\.+*?()|[]{}^$#&-~".contains(ch) {
            o.push('\\');
        }
        o.push(ch);
        o
    })
}

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
                c::WEAPON => WEAPON_TEXT,
                c::TARGET_TYPE => TARGET_TYPE_TEXT,
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
        let actor_cols = [c::ACTOR, c::ACTOR_PARENT, c::ACTOR_UMBRELLA];
        for (column, raw_name, needed) in
            [(c::ACTOR, ACTOR_RAW, wanted(&actor_cols)), (c::TARGET, TARGET_RAW, wanted(&[c::TARGET]))]
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
                let (next, missing) = apply_taxonomy(lf, column, raw_name, tax, extra, list_unmapped)?;
                lf = next;
                missing
            } else {
                Vec::new()
            };
            unmapped.columns.push((column.to_string(), missing));
        }
        Ok((lf, unmapped))
    }

    fn apply_aliases(&self, lf: LazyFrame, column: &str, raw_name: &str) -> Result<(LazyFrame, Vec<(String, u64)>)> {
        let (lf, names) = keep_raw(lf, column, raw_name)?;
        let counts = distinct_counts(lf.clone(), raw_name)?;
        if counts.is_empty() {
            return Ok((lf, Vec::new()));
        }
        let (mut raws, mut mapped, mut parents, mut umbrellas) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
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
        }
        let map = DataFrame::new_infer_height(vec![
            Column::new("__raw".into(), raws),
            Column::new("__name".into(), mapped),
            Column::new("__parent".into(), parents),
            Column::new("__umbrella".into(), umbrellas),
        ])?;
        let exprs = if column == c::ACTOR {
            vec![
                col("__name").alias(column),
                coalesce(&[col("__parent"), col(c::ACTOR_PARENT), col(c::ACTOR)]).alias(c::ACTOR_PARENT),
                coalesce(&[col("__umbrella"), col(c::ACTOR_UMBRELLA)]).alias(c::ACTOR_UMBRELLA),
            ]
        } else {
            vec![col("__name").alias(column)]
        };
        let lf = join_map(lf, map, raw_name)
            .with_columns(exprs)
            .select(names.iter().map(|n| col(n.as_str())).collect::<Vec<_>>());
        Ok((lf, sorted(missing)))
    }
}

fn sorted(mut v: Vec<(String, u64)>) -> Vec<(String, u64)> {
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

/// Left-join the per-value `map` (keyed by `__raw`, distinct) on `on`: row
/// order and count are kept, so nothing is lost or duplicated.
fn join_map(lf: LazyFrame, map: DataFrame, on: &str) -> LazyFrame {
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    lf.join(map.lazy(), [col(on)], [col("__raw")], args)
}

fn apply_taxonomy(
    lf: LazyFrame,
    column: &str,
    raw_name: &str,
    tax: &Taxonomy,
    text_columns: &[&str],
    list_unmapped: bool,
) -> Result<(LazyFrame, Vec<(String, u64)>)> {
    let (lf, names) = keep_raw(lf, column, raw_name)?;
    // A column the caller did not load (all null) has nothing to map, and the
    // keyword rules would otherwise scan every row's free text for nothing.
    let counts = distinct_counts(lf.clone(), raw_name)?;
    if counts.is_empty() {
        return Ok((lf, Vec::new()));
    }
    let (mut raws, mut cats) = (Vec::new(), Vec::new());
    for (raw, _) in &counts {
        raws.push(raw.clone());
        cats.push(tax.value(raw).map(str::to_string));
    }
    let map = DataFrame::new_infer_height(vec![Column::new("__raw".into(), raws), Column::new("__name".into(), cats)])?;
    let present: Vec<&str> = text_columns.iter().copied().filter(|t| names.iter().any(|n| n == t)).collect();
    let mut texts = vec![col(raw_name)];
    texts.extend(present.iter().map(|t| col(*t)));
    let text = concat_str(texts, " | ", true);
    let value = col("__name");
    let fallback = tax.fallback.clone().unwrap_or_default();
    let refine = value.clone().is_null().or(value.clone().eq(lit(fallback)));
    let keyword = when(refine).then(tax.keyword_expr(text)).otherwise(lit(NULL).cast(DataType::String));
    let joined = join_map(lf, map, raw_name).with_column(keyword.alias("__kw"));
    let missing = if list_unmapped {
        let unmapped = col("__name").is_null().and(col("__kw").is_null()).and(col(raw_name).is_not_null());
        sorted(distinct_counts(joined.clone().filter(unmapped), raw_name)?)
    } else {
        Vec::new()
    };
    let lf = joined
        .with_column(coalesce(&[col("__kw"), col("__name"), col(raw_name)]).alias(column))
        .select(names.iter().map(|n| col(n.as_str())).collect::<Vec<_>>());
    Ok((lf, missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_punctuation_articles_and_transliteration() {
        let k = fold("Kataib Hezbollah");
        for v in ["Kata'ib Hizballah", "Kataib Hizbullah", "KATAIB HEZBOLLAH", "Kata’ib Ḥizballah", "Kataeb Hezbollah"]
        {
            assert_eq!(fold(v), k, "{v}");
        }
        assert_eq!(fold("Harakat Hezbollah al-Nujaba"), fold("Harakat Hizbullah Nujaba"));
        assert_eq!(fold("Asa'ib Ahl al-Haq"), "asaib ahl haq");
        assert_ne!(fold("Hezbollah"), fold("Hezbollah Brigades"));
    }

    #[test]
    fn keywords_match_whole_words_in_order() {
        let mut t = Taxonomy::default();
        let section = Section {
            categories: Some(vec!["rocket".into(), "drone/UAV".into()]),
            keywords: vec![("one-way attack drone".into(), "drone/UAV".into()), ("rocket".into(), "rocket".into())],
            ..Default::default()
        };
        t.extend(section, "weapon", Path::new("t.toml")).unwrap();
        let df = DataFrame::new_infer_height(vec![Column::new(
            "text".into(),
            ["A one-way attack drone and a rocket", "Katyusha ROCKET fire", "rocketry club"],
        )])
        .unwrap();
        let out = df.lazy().select([t.keyword_expr(col("text")).alias("k")]).collect().unwrap();
        let k: Vec<Option<&str>> = out.column("k").unwrap().str().unwrap().iter().collect();
        assert_eq!(k, [Some("drone/UAV"), Some("rocket"), None]);
        assert_eq!(t.value("Drone/UAV"), Some("drone/UAV"));
    }
}
