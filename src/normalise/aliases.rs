//! Actor and target names: one canonical name per group.
//!
//! Values match after [`fold`]ing (case, accents, apostrophes, punctuation,
//! "al-" and common transliterations). What no alias matches whole is read
//! by each source's naming conventions, in order ([`AliasTable::resolve_one`]):
//! ACLED's period and country suffixes (`Military Forces of Iraq (2018-)`,
//! `Islamic State (Syria)`), its `ACRONYM: Name` prefixes (`QSD: Syrian
//! Democratic Forces`), state forces (`Military Forces of X`, `Police Forces of
//! X`, UCDP's `Government of X`: one state actor per country, the force a
//! sub-level), and the generic groups ACLED names by country (`Civilians
//! (Iraq)`, `Protesters (Syria)`), and a country's name, demonym or capital
//! (GDELT's `INDIA`, `AMERICAN`, `WASHINGTON`) as its state. A cell naming several actors is split on
//! `,` and `;`, and on `/`, `&` and ` and ` when that names known groups.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

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
pub(super) struct GroupEntry {
    name: String,
    parent: Option<String>,
    umbrella: Option<String>,
    /// The target type of a target that is this group (a US or coalition force).
    target_type: Option<String>,
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
    /// The target type a target that is this group has, if the alias table says.
    pub target_type: Option<String>,
}

impl Resolved {
    /// A name under `parent`, with no umbrella (generic groups, militias by kind).
    fn kind(name: &str, parent: &str, target_type: Option<&str>) -> Self {
        Resolved {
            name: name.to_string(),
            parent: parent.to_string(),
            umbrella: None,
            target_type: target_type.map(str::to_string),
        }
    }
}

/// The generic group a folded name is ([`GENERIC`]).
fn generic(key: &str) -> Option<Resolved> {
    GENERIC.iter().find(|(k, _, _)| *k == key).map(|(_, name, tt)| Resolved::kind(name, name, *tt))
}

/// Generic groups ACLED names per country (`Civilians (Iraq)`): the
/// canonical name, and the target type of such a target.
const GENERIC: &[(&str, &str, Option<&str>)] = &[
    ("civilians", "Civilians", Some("civilian")),
    ("protesters", "Protesters", Some("protesters")),
    ("rioters", "Rioters", Some("protesters")),
    ("unidentified armed group", "Unidentified armed group", None),
    ("unidentified military forces", "Unidentified military forces", None),
    ("private security forces", "Private security forces", None),
    ("government unspecified country", "Government (unspecified country)", Some("government")),
    ("military forces unspecified country", "Military Forces (unspecified country)", Some("state forces")),
    ("police forces unspecified country", "Police Forces (unspecified country)", Some("state forces")),
    ("rebels", "Rebels", None),
    // GDELT's generic actor names (a story's words, not a group).
    ("separatist", "Rebels", None),
    ("separatists", "Rebels", None),
    ("militia", "Militia (unnamed)", Some("militia")),
    ("militias", "Militia (unnamed)", Some("militia")),
    ("citizen", "Civilians", Some("civilian")),
    ("citizens", "Civilians", Some("civilian")),
    ("civilian", "Civilians", Some("civilian")),
    ("hospital", "Health workers and facilities", Some("civilian")),
    ("nurse", "Health workers and facilities", Some("civilian")),
    ("doctor", "Health workers and facilities", Some("civilian")),
    ("christian", "Christians", Some("civilian")),
    ("christians", "Christians", Some("civilian")),
    ("jewish", "Jews", Some("civilian")),
    ("kurd", "Kurds", None),
    ("kurds", "Kurds", None),
    ("kurdish", "Kurds", None),
    ("lawmaker", "Legislators", Some("government")),
    ("lawmakers", "Legislators", Some("government")),
];

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

    /// Every spelling the table knows (each group's name and aliases) with
    /// what it resolves to, in table order: the rows of a mapping table an
    /// engine joins (`sitrep sql --mapping-table`).
    pub fn spellings(&self) -> Vec<(String, Resolved)> {
        let mut out = Vec::new();
        for g in &self.groups {
            for key in std::iter::once(&g.name).chain(&g.aliases) {
                if let Some(r) = self.exact(key) {
                    out.push((key.clone(), r));
                }
            }
        }
        out
    }

    /// The target types the table's groups name (checked against the taxonomy).
    pub(super) fn target_types(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().filter_map(|g| g.target_type.as_deref())
    }

    fn group(&self, name: &str) -> Option<&GroupEntry> {
        self.index.get(&fold(name)).map(|&i| &self.groups[i])
    }

    /// A name as an alias of the table (no conventions).
    fn exact(&self, raw: &str) -> Option<Resolved> {
        let g = self.group(raw)?;
        let parent = g.parent.clone().unwrap_or_else(|| g.name.clone());
        let mut umbrella = g.umbrella.clone();
        let mut target_type = g.target_type.clone();
        // Inherit umbrella and target type from the parent chain (bounded against cycles).
        let mut p = g.parent.as_deref();
        for _ in 0..8 {
            let Some(pg) = p.and_then(|p| self.group(p)) else { break };
            umbrella = umbrella.or_else(|| pg.umbrella.clone());
            target_type = target_type.or_else(|| pg.target_type.clone());
            p = pg.parent.as_deref().filter(|pp| fold(pp) != fold(&pg.name));
        }
        Some(Resolved { name: g.name.clone(), parent, umbrella, target_type })
    }

    /// One actor's name: an alias, else the source conventions (see the module doc).
    pub fn resolve_one(&self, raw: &str) -> Option<Resolved> {
        self.by_convention(raw).or_else(|| self.by_word(raw))
    }

    /// A single name by the alias table and the sources' naming conventions
    /// (not by a bare country or generic word).
    fn by_convention(&self, raw: &str) -> Option<Resolved> {
        let raw = raw.trim();
        if let Some(r) = self.exact(raw) {
            return Some(r);
        }
        // One name only: a cell naming several is split before this.
        if raw.contains([',', ';']) {
            return None;
        }
        // ACLED's period and country suffixes: `X (2018-)`, `X (2018-) Unit`, `Islamic State (Syria)`.
        let (base, paren, tail) = split_paren(raw);
        if paren.is_some() {
            let found = if tail.is_empty() { self.exact(base) } else { self.exact(tail) };
            if let Some(r) = found.or_else(|| self.state_force(base, tail)) {
                return Some(r);
            }
            if tail.is_empty() {
                let key = fold(base);
                // ACLED's identity militias: `Al Hayash Tribal Militia (Yemen)`, `Idleb Communal Militia (Syria)`.
                for (kind, parent) in [("tribal militia", "Tribal militias"), ("communal militia", "Communal militias")]
                {
                    if key.ends_with(kind) {
                        return Some(Resolved::kind(base, parent, Some("militia")));
                    }
                }
                if let Some(r) = generic(&key) {
                    return Some(r);
                }
            }
        }
        // `ACRONYM: Name`.
        if let Some((short, long)) = raw.split_once(": ") {
            if let Some(r) = self.exact(long).or_else(|| self.resolve_one(long)).or_else(|| self.exact(short)) {
                return Some(r);
            }
        }
        self.state_force(raw, "")
    }

    /// A name that is a single word a source uses for a kind of actor: a
    /// country's name, demonym or capital, or a generic group.
    fn by_word(&self, raw: &str) -> Option<Resolved> {
        let raw = raw.trim();
        // A country's name, demonym or capital (GDELT's "INDIA", "AMERICAN"): its state.
        if let Some(country) = crate::ingest::cameo::country_named(raw) {
            return self.state_force(&format!("Government of {country}"), "");
        }
        generic(&fold(raw))
    }

    /// `Military Forces of X`, `Police Forces of X`, `Government of X` (with
    /// a unit after the period, `Military Forces of Yemen (2012-) Amajid
    /// Brigade`): the force, or the unit within it, under the state actor
    /// `Government of X` (or the alias table's name for it).
    fn state_force(&self, base: &str, unit: &str) -> Option<Resolved> {
        let lower = base.to_lowercase();
        let (force, country) = ["military forces of ", "police forces of ", "government of "]
            .iter()
            .find_map(|p| lower.starts_with(p).then(|| (&base[..p.len() - 4], base[p.len()..].trim())))?;
        // "the United Kingdom" and "United Kingdom" are one state.
        let country = country.strip_prefix("the ").or_else(|| country.strip_prefix("The ")).unwrap_or(country).trim();
        if country.is_empty() || country.contains([',', ';', '(', ')']) {
            return None;
        }
        let government = format!("Government of {country}");
        let state = self.exact(&government);
        let parent = state.as_ref().map_or(government.clone(), |s| s.name.clone());
        let force = format!("{force} of {country}");
        let name = match (unit.is_empty(), force.to_lowercase().starts_with("government")) {
            (true, true) => parent.clone(),
            (true, false) => force,
            (false, _) => format!("{force}: {unit}"),
        };
        Some(Resolved {
            name,
            parent,
            umbrella: state.as_ref().and_then(|s| s.umbrella.clone()),
            target_type: state.and_then(|s| s.target_type),
        })
    }

    /// Resolve a cell: the whole value, or else each actor it names (split
    /// on `,` and `;`, and on `/`, `&` and ` and ` when a part is a known group).
    /// Returns the resolution and whether every part was known.
    pub fn resolve(&self, raw: &str) -> (Resolved, bool) {
        if let Some(r) = self.exact(raw.trim()) {
            return (r, true);
        }
        let mut parts = split_cell(raw, &[",", ";"]);
        if parts.len() <= 1 {
            if let Some(r) = self.resolve_one(raw) {
                return (r, true);
            }
            // "KH & Nujaba": split only when every part is a group the table or a convention knows.
            let loose = split_cell(raw, &["/", " & ", "&", " and "]);
            if loose.len() > 1 && loose.iter().all(|p| self.by_convention(p).is_some()) {
                parts = loose;
            }
        }
        let mut all = parts.len() > 1;
        let mut names = Vec::new();
        let mut parents: Vec<String> = Vec::new();
        let mut umbrellas: Vec<String> = Vec::new();
        let mut types: Vec<String> = Vec::new();
        for p in if parts.len() > 1 { parts } else { vec![raw.trim().to_string()] } {
            match self.resolve_one(&p) {
                Some(r) => {
                    push_unique(&mut names, r.name);
                    push_unique(&mut parents, r.parent);
                    if let Some(u) = r.umbrella {
                        push_unique(&mut umbrellas, u);
                    }
                    if let Some(t) = r.target_type {
                        push_unique(&mut types, t);
                    }
                }
                None => {
                    all = false;
                    push_unique(&mut parents, p.clone());
                    push_unique(&mut names, p);
                }
            }
        }
        let umbrella = (!umbrellas.is_empty()).then(|| umbrellas.join(", "));
        // A target type only when every named part agrees on one.
        let target_type = (types.len() == 1 && all).then(|| types.remove(0));
        (Resolved { name: names.join(", "), parent: parents.join(", "), umbrella, target_type }, all)
    }
}

/// `X (2018-) Unit` → (`X`, Some(`2018-`), `Unit`); no parenthesis → (raw, None, "").
fn split_paren(raw: &str) -> (&str, Option<&str>, &str) {
    match (raw.find('('), raw.find(')')) {
        (Some(a), Some(b)) if a < b && a > 0 => (raw[..a].trim(), Some(&raw[a + 1..b]), raw[b + 1..].trim()),
        _ => (raw, None, ""),
    }
}

/// The non-empty trimmed parts of a cell split on any of `seps`.
fn split_cell(raw: &str, seps: &[&str]) -> Vec<String> {
    let mut parts = vec![raw.to_string()];
    for sep in seps {
        parts = parts.iter().flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
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
}
