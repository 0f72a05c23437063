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
    /// The rules compiled once, for every batch and query that applies them.
    compiled: Compiled,
}

/// [`Rules`] compiled on first use (emptied when the taxonomy is extended).
#[derive(Clone, Default)]
struct Compiled(std::sync::OnceLock<std::result::Result<std::sync::Arc<Rules>, String>>);

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "Compiled" } else { "NotCompiled" })
    }
}

impl Taxonomy {
    pub(super) fn extend(&mut self, s: Section, field: &str, origin: &Path) -> Result<()> {
        self.compiled = Compiled::default();
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

    /// Source values with a category of their own, folded, with it: exact
    /// values, and values refined by keywords with the category they get
    /// when no keyword is found. In key order.
    pub fn value_rows(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = self.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        rows.extend(self.refine_index.iter().map(|(k, &i)| (k.clone(), self.refine[i].otherwise.clone())));
        rows.sort();
        rows
    }

    /// The category of an exact source value.
    pub fn value(&self, raw: &str) -> Option<&str> {
        self.values.get(&fold(raw)).map(String::as_str)
    }
}

/// Keyword rules as one multi-pattern matcher: whole words, any case,
/// spaces matching spaces or hyphens; the first keyword in rule order wins.
pub(super) struct KeywordSet {
    set: regex::RegexSet,
    /// The same rules for ASCII text, lowercased (when every keyword is
    /// ASCII): no case folding, so the search's literal prefilter has one
    /// form of each keyword instead of every mix of cases.
    ascii: Option<regex::RegexSet>,
    categories: Vec<String>,
}

impl KeywordSet {
    pub(super) fn new(keywords: &[(String, String)]) -> std::result::Result<Self, regex::Error> {
        let patterns = keywords.iter().map(|(k, _)| keyword_pattern(k));
        let ascii = keywords.iter().all(|(k, _)| k.is_ascii());
        Ok(KeywordSet {
            set: regex::RegexSet::new(patterns)?,
            ascii: ascii.then(|| regex::RegexSet::new(keywords.iter().map(|(k, _)| ascii_pattern(k)))).transpose()?,
            categories: keywords.iter().map(|(_, v)| v.clone()).collect(),
        })
    }

    /// The category of the first keyword `text` contains.
    pub(super) fn first(&self, text: &str) -> Option<&str> {
        thread_local! {
            static LOWER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let i = match &self.ascii {
            Some(ascii) if text.is_ascii() => match text.bytes().any(|b| b.is_ascii_uppercase()) {
                false => ascii.matches(text).iter().next(),
                true => LOWER.with_borrow_mut(|lower| {
                    lower.clear();
                    lower.push_str(text);
                    lower.make_ascii_lowercase();
                    ascii.matches(lower).iter().next()
                }),
            },
            _ => self.set.matches(text).iter().next(),
        };
        i.map(|i| self.categories[i].as_str())
    }
}

/// One keyword as a pattern: a whole word, any case, a space matching spaces or hyphens.
fn keyword_pattern(k: &str) -> String {
    format!(r"(?i)\b{}\b", regex_escape(k).replace(' ', r"[\s\-]+"))
}

/// [`keyword_pattern`] for lowercase ASCII text: in ASCII text, a word
/// boundary and a space are the same in ASCII and Unicode terms, and any
/// case is the lowercase.
fn ascii_pattern(k: &str) -> String {
    format!(r"(?-u:\b){}(?-u:\b)", regex_escape(&k.to_ascii_lowercase()).replace(' ', r"(?-u:[\s\-])+"))
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
    /// The columns of the row's free text, joined with " | " (nulls left
    /// out) for the rows whose rule reads it; none: no free text.
    pub free_text: Vec<Expr>,
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
    let compiled = tax.compiled.0.get_or_init(|| Rules::new(tax).map(std::sync::Arc::new).map_err(|e| e.to_string()));
    let rules = match compiled {
        Ok(rules) => rules.clone(),
        // Keywords are escaped, so this is a bug; say so when the plan runs.
        Err(e) => {
            let message = e.clone();
            return r.raw.map(
                move |_| Err(polars_err!(ComputeError: "keyword patterns: {message}")),
                |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
            );
        }
    };
    let mut inputs = vec![r.raw, r.mode, r.exact, hint];
    inputs.extend(r.free_text);
    map_multiple(
        move |c: &mut [Column]| rules.apply(c),
        inputs,
        |_, f: &[Field]| Ok(Field::new(f[0].name().clone(), DataType::String)),
    )
}

/// One row's free text, built only when its rule reads it.
struct FreeText<'a, 'b> {
    /// The row's text columns (none: the frame has no free text).
    parts: &'b [Option<&'a str>],
    buf: &'b mut String,
}

impl FreeText<'_, '_> {
    /// `prefix` and " | ", then the text columns that are not null joined
    /// with " | " (what `concat_str(…, " | ", ignore_nulls)` gives, so
    /// possibly empty); without text columns, `prefix` alone.
    fn with<'s>(&'s mut self, prefix: Option<&'s str>) -> Option<&'s str> {
        if self.parts.is_empty() {
            return prefix;
        }
        self.buf.clear();
        if let Some(p) = prefix {
            self.buf.push_str(p);
            self.buf.push_str(" | ");
        }
        for (i, t) in self.parts.iter().flatten().enumerate() {
            if i > 0 {
                self.buf.push_str(" | ");
            }
            self.buf.push_str(t);
        }
        Some(self.buf.as_str())
    }
}

/// One field's rules, compiled: each row's category in one pass that
/// matches only the keywords its rule asks for (at most one multi-pattern
/// search per row, instead of every keyword set over every row), over free
/// text joined only for the rows that read it.
struct Rules {
    general: KeywordSet,
    refine: Vec<(KeywordSet, String)>,
    fallback: Option<String>,
}

impl Rules {
    fn new(tax: &Taxonomy) -> std::result::Result<Self, regex::Error> {
        Ok(Rules {
            general: KeywordSet::new(&tax.keywords)?,
            refine: tax
                .refine
                .iter()
                .map(|r| Ok((KeywordSet::new(&r.keywords)?, r.otherwise.clone())))
                .collect::<std::result::Result<_, regex::Error>>()?,
            fallback: tax.fallback.clone(),
        })
    }

    /// The category of one row: an exact value's; a refined value's
    /// keyword in the free text, else the hint, else its own category; a
    /// catch-all's keyword in the free text, else the hint, else the
    /// fallback; any other value's keyword in the value or the free text,
    /// else the hint, else the value as it is.
    fn row<'a>(
        &'a self,
        raw: Option<&'a str>,
        mut text: FreeText<'_, '_>,
        mode: Option<i32>,
        exact: Option<&'a str>,
        hint: Option<&'a str>,
    ) -> Option<&'a str> {
        match mode {
            Some(-1) => exact,
            Some(-2) => text.with(None).and_then(|t| self.general.first(t)).or(hint).or(self.fallback.as_deref()),
            Some(i) if i >= 0 && (i as usize) < self.refine.len() => {
                let (set, otherwise) = &self.refine[i as usize];
                text.with(None).and_then(|t| set.first(t)).or(hint).or(Some(otherwise.as_str()))
            }
            _ => text.with(raw).and_then(|t| self.general.first(t)).or(hint).or(raw),
        }
    }

    /// [`Self::row`] over the columns raw, mode, exact, hint and the free
    /// text's; rows in parallel pieces.
    fn apply(&self, c: &mut [Column]) -> PolarsResult<Column> {
        use rayon::prelude::*;
        // raw, exact, hint, then the free text's columns.
        let strings: Vec<StringChunked> = (0..c.len())
            .filter(|&k| k != 1)
            .map(|k| Ok(c[k].as_materialized_series().cast(&DataType::String)?.str()?.clone()))
            .collect::<PolarsResult<_>>()?;
        let mode = c[1].as_materialized_series().cast(&DataType::Int32)?.i32()?.clone();
        // Literal inputs (no hint) come as one value for every row.
        // (A column of no rows: no rows, whatever length the literals have.)
        let n = if c.iter().any(|c| c.is_empty()) { 0 } else { c.iter().map(|c| c.len()).max().unwrap_or(0) };
        let size = n.div_ceil(rayon::current_num_threads().max(1)).max(4096);
        let starts: Vec<usize> = (0..n).step_by(size.max(1)).collect();
        // Each piece walks its rows of every column once, and its categories
        // (borrowed from the rules or the row) go straight into its column.
        let pieces: Vec<StringChunked> = starts
            .into_par_iter()
            .map(|start| {
                let len = (start + size).min(n) - start;
                let piece = |ca: &StringChunked| if ca.len() == 1 { ca.clone() } else { ca.slice(start as i64, len) };
                let strings: Vec<StringChunked> = strings.iter().map(piece).collect();
                let mode = if mode.len() == 1 { mode.clone() } else { mode.slice(start as i64, len) };
                let mut cols: Vec<Box<dyn Iterator<Item = Option<&str>> + '_>> = strings
                    .iter()
                    .map(|ca| -> Box<dyn Iterator<Item = Option<&str>> + '_> {
                        match ca.len() {
                            1 => Box::new(std::iter::repeat(ca.get(0))),
                            _ => Box::new(ca.iter()),
                        }
                    })
                    .collect();
                let mut modes: Box<dyn Iterator<Item = Option<i32>> + '_> = match mode.len() {
                    1 => Box::new(std::iter::repeat(mode.get(0))),
                    _ => Box::new(mode.iter()),
                };
                let (mut parts, mut buf) = (vec![None; cols.len() - 3], String::new());
                (0..len)
                    .map(|_| {
                        let [raw, exact, hint] = [0, 1, 2].map(|k| cols[k].next().flatten());
                        for (p, col) in parts.iter_mut().zip(&mut cols[3..]) {
                            *p = col.next().flatten();
                        }
                        let text = FreeText { parts: &parts, buf: &mut buf };
                        self.row(raw, text, modes.next().flatten(), exact, hint)
                    })
                    .collect::<StringChunked>()
            })
            .collect();
        let mut out = StringChunked::full_null(c[0].name().clone(), 0);
        for p in &pieces {
            out.append(p)?;
        }
        Ok(out.with_name(c[0].name().clone()).into_column())
    }
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

    #[test]
    fn one_keyword_pass_finds_what_each_keyword_alone_finds_first() {
        let ascii: Vec<(String, String)> = [
            ("one-way attack drone", "drone/UAV"),
            ("drone", "drone/UAV"),
            ("rocket", "rocket"),
            ("IED", "IED"),
            ("car bomb", "VBIED"),
            ("bomb", "explosive"),
            ("C-RAM", "air defence"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        // A keyword that is not ASCII: the whole set takes the Unicode search.
        let mut unicode = ascii.clone();
        unicode.insert(2, ("sûreté".into(), "other".into()));
        let words = [
            "a", "one", "way", "one-way", "attack", "drone", "drones", "Rocket", "ROCKET", "ied", "car", "Car", "bomb",
            "BOMB", "c-ram", "C RAM", "bombing", "-", ",", "é", "sûreté", "SÛRETÉ", "\t", "_",
        ];
        for keywords in [&ascii, &unicode] {
            let set = KeywordSet::new(keywords).unwrap();
            assert_eq!(set.ascii.is_some(), keywords.iter().all(|(k, _)| k.is_ascii()));
            let each: Vec<regex::Regex> =
                keywords.iter().map(|(k, _)| regex::Regex::new(&keyword_pattern(k)).unwrap()).collect();
            let mut x: u64 = 3;
            for _ in 0..3000 {
                let mut text = String::new();
                for _ in 0..(x % 9) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    text.push_str(words[(x >> 33) as usize % words.len()]);
                    text.push(match x % 5 {
                        0 => '-',
                        1 => '\t',
                        _ => ' ',
                    });
                }
                x = x.wrapping_add(1);
                let naive = keywords.iter().zip(&each).find(|(_, r)| r.is_match(&text)).map(|((_, v), _)| v.as_str());
                assert_eq!(set.first(&text), naive, "{text:?}");
            }
        }
    }

    #[test]
    fn free_text_is_what_concat_str_gives() {
        let words = [None, Some(""), Some("a"), Some("b c"), Some("é")];
        let mut x: u64 = 7;
        for _ in 0..400 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let n = (x >> 60) as usize % 4;
            let parts: Vec<Option<&str>> = (0..n).map(|k| words[(x >> (8 * k + 8)) as usize % words.len()]).collect();
            let cols: Vec<Column> =
                parts.iter().enumerate().map(|(k, p)| Column::new(format!("c{k}").into(), [*p])).collect();
            let expected: Option<String> = match n {
                0 => None,
                _ => {
                    let df = DataFrame::new_infer_height(cols).unwrap();
                    let e = concat_str(
                        parts.iter().enumerate().map(|(k, _)| col(format!("c{k}"))).collect::<Vec<_>>(),
                        " | ",
                        true,
                    );
                    let out = df.lazy().select([e.alias("t")]).collect().unwrap();
                    out.column("t").unwrap().str().unwrap().get(0).map(String::from)
                }
            };
            let mut buf = String::new();
            let got = FreeText { parts: &parts, buf: &mut buf }.with(None).map(String::from);
            assert_eq!(got, expected, "{parts:?}");
            let got = FreeText { parts: &parts, buf: &mut buf }.with(Some("r")).map(String::from);
            let expected = match expected {
                Some(t) => format!("r | {t}"),
                None => "r".into(),
            };
            assert_eq!(got.as_deref(), Some(expected.as_str()), "{parts:?}");
        }
    }

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
        let set = KeywordSet::new(&t.keywords).unwrap();
        let k: Vec<Option<&str>> = ["A one-way attack drone and a rocket", "Katyusha ROCKET fire", "rocketry club"]
            .iter()
            .map(|text| set.first(text))
            .collect();
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
                    free_text: vec![col("notes")],
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
