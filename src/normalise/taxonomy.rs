//! Categories for weapons, target types and event classes, by ordered,
//! row-local rules. A row's category depends only on its own values, the
//! taxonomy and alias files, never on the other rows of a file:
//!
//! 1. A source value listed under `refine` (ACLED's `Air/drone strike`) is
//!    decided by that entry's keywords in the row's free text (notes), else
//!    its `otherwise` category. Its own words ("drone" in "Air/drone
//!    strike") are not read.
//! 2. A catch-all value (`catch_all`: "Other", "Unknown", GTD's
//!    "Explosives") is decided by the general keywords in the free text,
//!    else the `fallback` category.
//! 3. A value listed under `values` is its category: exact values are
//!    authoritative, and keywords never override them.
//! 4. Any other value (a tracker's "rocket attack") or none: the general
//!    keywords in the value and the free text; else the value is kept as
//!    it is and listed as unmapped.
//!
//! Keywords are whole words or phrases, tried in order (the first found wins).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;

use super::aliases::fold;
use crate::error::{Error, Result};

/// A `[[weapon.refine]]` entry as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RefineEntry {
    value: String,
    otherwise: String,
    #[serde(default)]
    keywords: Vec<(String, String)>,
}

/// One field's section of a taxonomy file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Section {
    pub(super) categories: Option<Vec<String>>,
    pub(super) fallback: Option<String>,
    #[serde(default)]
    pub(super) values: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) keywords: Vec<(String, String)>,
    #[serde(default)]
    pub(super) catch_all: Vec<String>,
    #[serde(default)]
    pub(super) refine: Vec<RefineEntry>,
    /// Only in `[event_class]`: classes whose events are not attacks (weapon `none`, no target type).
    #[serde(default)]
    pub(super) not_attacks: Vec<String>,
}

/// A taxonomy file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TaxonomyFile {
    pub(super) weapon: Option<Section>,
    pub(super) target_type: Option<Section>,
    pub(super) event_class: Option<Section>,
    pub(super) claimed: Option<Section>,
}

/// Keywords that decide one source value, and its category when none is found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refine {
    /// Ordered (keyword, category) rules.
    pub keywords: Vec<(String, String)>,
    /// The category when no keyword is found.
    pub otherwise: String,
}

/// How a source value is decided (rule 1 to 4 of the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// By the keywords of `refine[i]`.
    Refined(usize),
    /// A catch-all: general keywords, else the fallback.
    CatchAll,
    /// An exact category.
    Exact(String),
    /// Not known: general keywords, else the value itself.
    Free,
}

impl Decided {
    /// The code carried per row (`__mode`).
    fn code(&self) -> i32 {
        match self {
            Decided::Refined(i) => *i as i32,
            Decided::CatchAll => -2,
            Decided::Exact(_) => -1,
            Decided::Free => -3,
        }
    }
}

/// Categories for one field.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// Valid categories.
    pub categories: Vec<String>,
    /// The category of a catch-all value no keyword decides.
    pub fallback: Option<String>,
    values: HashMap<String, String>,
    catch_all: HashSet<String>,
    /// Values decided by their own keywords, in the order first given.
    pub refine: Vec<Refine>,
    refine_index: HashMap<String, usize>,
    /// Ordered (keyword, category) rules; the first that matches wins.
    pub keywords: Vec<(String, String)>,
    /// Only for event classes: classes whose events are not attacks.
    pub not_attacks: Vec<String>,
}

impl Taxonomy {
    pub(super) fn extend(&mut self, s: Section, field: &str, origin: &Path) -> Result<()> {
        if let Some(cats) = s.categories {
            self.categories = cats;
        }
        if s.fallback.is_some() {
            self.fallback = s.fallback;
        }
        let bad = |v: &str, cats: &[String]| Error::Config {
            path: origin.into(),
            message: format!("{field}: {v:?} is not a category (valid: {})", cats.join(", ")),
        };
        let check =
            |v: &str| if self.categories.iter().any(|c| c == v) { Ok(()) } else { Err(bad(v, &self.categories)) };
        for v in s.values.values() {
            check(v)?;
        }
        for (_, v) in s.keywords.iter().chain(s.refine.iter().flat_map(|r| r.keywords.iter())) {
            check(v)?;
        }
        for r in &s.refine {
            check(&r.otherwise)?;
        }
        for v in &s.not_attacks {
            check(v)?;
        }
        if let Some(f) = &self.fallback {
            check(f)?;
        }
        for (k, v) in s.values {
            self.values.insert(fold(&k), v);
        }
        for v in s.catch_all {
            self.catch_all.insert(fold(&v));
        }
        for r in s.refine {
            let rule = Refine {
                keywords: r.keywords.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect(),
                otherwise: r.otherwise,
            };
            match self.refine_index.get(&fold(&r.value)) {
                Some(&i) => self.refine[i] = rule,
                None => {
                    self.refine_index.insert(fold(&r.value), self.refine.len());
                    self.refine.push(rule);
                }
            }
        }
        self.not_attacks.extend(s.not_attacks);
        // Later files' keywords are tried first.
        let mut kws: Vec<(String, String)> = s.keywords.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
        kws.append(&mut self.keywords);
        self.keywords = kws;
        for cat in self.categories.clone() {
            self.values.entry(fold(&cat)).or_insert(cat);
        }
        Ok(())
    }

    /// How a source value is decided.
    pub fn decide(&self, raw: &str) -> Decided {
        let key = fold(raw);
        if let Some(&i) = self.refine_index.get(&key) {
            return Decided::Refined(i);
        }
        if self.catch_all.contains(&key) {
            return Decided::CatchAll;
        }
        match self.values.get(&key) {
            Some(c) => Decided::Exact(c.clone()),
            None => Decided::Free,
        }
    }

    /// The category of an exact source value.
    pub fn value(&self, raw: &str) -> Option<&str> {
        self.values.get(&fold(raw)).map(String::as_str)
    }

    /// A polars expression: the first keyword category found in `text`, else null.
    pub(super) fn keyword_expr(keywords: &[(String, String)], text: Expr) -> Expr {
        let mut out = lit(NULL).cast(DataType::String);
        for (k, v) in keywords.iter().rev() {
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

/// The inputs of one field's rules, per row.
pub(super) struct Rows {
    /// The source value.
    pub raw: Expr,
    /// The row's free text (null when it has none).
    pub free_text: Expr,
    /// The rule code of the row's value (`Decided::code`; null: no value, rule 4).
    pub mode: Expr,
    /// The exact category of the row's value (rule 3).
    pub exact: Expr,
    /// A category the row's target has by the alias table (target types only).
    pub hint: Option<Expr>,
}

/// The per-row category expression: rules 1 to 4 of the module doc; `hint`
/// (a US force as a target) decides before a refine entry's `otherwise`, a
/// catch-all's fallback or an unknown value, never before an exact category
/// or a keyword.
pub(super) fn category_expr(tax: &Taxonomy, r: Rows) -> Expr {
    let hint = r.hint.unwrap_or_else(|| lit(NULL).cast(DataType::String));
    let raw_and_text = concat_str([r.raw.clone(), r.free_text.clone()], " | ", true);
    let general_free = Taxonomy::keyword_expr(&tax.keywords, r.free_text.clone());
    let general_all = Taxonomy::keyword_expr(&tax.keywords, raw_and_text);
    let fallback = tax.fallback.clone().map_or_else(|| lit(NULL).cast(DataType::String), lit);
    let mut out = coalesce(&[general_all, hint.clone(), r.raw.clone()]);
    out = when(r.mode.clone().eq(lit(-2))).then(coalesce(&[general_free, hint.clone(), fallback])).otherwise(out);
    for (i, rule) in tax.refine.iter().enumerate().rev() {
        let kw = Taxonomy::keyword_expr(&rule.keywords, r.free_text.clone());
        out = when(r.mode.clone().eq(lit(i as i32)))
            .then(coalesce(&[kw, hint.clone(), lit(rule.otherwise.clone())]))
            .otherwise(out);
    }
    when(r.mode.eq(lit(-1))).then(r.exact).otherwise(out)
}

/// The per-value table of one field: raw value → (rule code, exact category).
pub(super) fn decisions(tax: &Taxonomy, raws: &[String]) -> PolarsResult<DataFrame> {
    let (mut modes, mut exact) = (Vec::with_capacity(raws.len()), Vec::with_capacity(raws.len()));
    for raw in raws {
        let d = tax.decide(raw);
        modes.push(d.code());
        exact.push(match d {
            Decided::Exact(c) => Some(c),
            _ => None,
        });
    }
    DataFrame::new_infer_height(vec![
        Column::new("__raw".into(), raws.to_vec()),
        Column::new("__mode".into(), modes),
        Column::new("__name".into(), exact),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weapons() -> Taxonomy {
        let mut t = Taxonomy::default();
        let section = Section {
            categories: Some(vec![
                "rocket".into(),
                "drone/UAV".into(),
                "aircraft".into(),
                "air strike".into(),
                "other".into(),
            ]),
            fallback: Some("other".into()),
            keywords: vec![("one-way attack drone".into(), "drone/UAV".into()), ("rocket".into(), "rocket".into())],
            catch_all: vec!["Other".into()],
            refine: vec![RefineEntry {
                value: "Air/drone strike".into(),
                otherwise: "air strike".into(),
                keywords: vec![("drone".into(), "drone/UAV".into()), ("helicopter".into(), "aircraft".into())],
            }],
            values: [("Katyusha".to_string(), "rocket".to_string())].into(),
            ..Default::default()
        };
        t.extend(section, "weapon", Path::new("t.toml")).unwrap();
        t
    }

    #[test]
    fn keywords_match_whole_words_in_order() {
        let t = weapons();
        let df = DataFrame::new_infer_height(vec![Column::new(
            "text".into(),
            ["A one-way attack drone and a rocket", "Katyusha ROCKET fire", "rocketry club"],
        )])
        .unwrap();
        let out = df.lazy().select([Taxonomy::keyword_expr(&t.keywords, col("text")).alias("k")]).collect().unwrap();
        let k: Vec<Option<&str>> = out.column("k").unwrap().str().unwrap().iter().collect();
        assert_eq!(k, [Some("drone/UAV"), Some("rocket"), None]);
        assert_eq!(t.value("Drone/UAV"), Some("drone/UAV"));
    }

    #[test]
    fn rules_apply_in_order_and_exact_values_are_never_overridden() {
        let t = weapons();
        assert_eq!(t.decide("air/drone STRIKE"), Decided::Refined(0));
        assert_eq!(t.decide("other"), Decided::CatchAll);
        assert_eq!(t.decide("Katyusha"), Decided::Exact("rocket".into()));
        assert_eq!(t.decide("rocket attack"), Decided::Free);
        let raws = ["Air/drone strike", "Air/drone strike", "Katyusha", "Other", "rocket attack"].map(String::from);
        let notes = [Some("a helicopter fired"), None, Some("a drone"), Some("a rocket"), None];
        let map = decisions(&t, &raws[..]).unwrap();
        let df = DataFrame::new_infer_height(vec![
            Column::new("raw".into(), raws.to_vec()),
            Column::new("notes".into(), notes.to_vec()),
        ])
        .unwrap();
        let mut args = JoinArgs::new(JoinType::Left);
        args.maintain_order = MaintainOrderJoin::Left;
        let map = map.lazy().unique(None, UniqueKeepStrategy::First);
        let out = df
            .lazy()
            .join(map, [col("raw")], [col("__raw")], args)
            .select([category_expr(
                &t,
                Rows {
                    raw: col("raw"),
                    free_text: col("notes"),
                    mode: col("__mode"),
                    exact: col("__name"),
                    hint: None,
                },
            )
            .alias("c")])
            .collect()
            .unwrap();
        let c: Vec<Option<&str>> = out.column("c").unwrap().str().unwrap().iter().collect();
        // The strike's own word "drone" is not read; a Katyusha stays a rocket whatever the notes say.
        assert_eq!(c, [Some("aircraft"), Some("air strike"), Some("rocket"), Some("rocket"), Some("rocket")]);
    }
}
