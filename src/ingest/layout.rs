//! A [`Layout`] says how each canonical column is built from a source's
//! columns ([`Rule`]s, resolved against a file's header with [`Header`]);
//! [`super::convert`] applies it to records.

use std::collections::HashMap;
use std::path::Path;

use super::dates::DateOrder;
use super::parse::DateFormat;
use crate::error::{Error, Result};
use crate::schema::{is_canonical, DatePrecision, CANONICAL};

/// How one canonical column gets its value.
#[derive(Debug, Clone)]
pub enum Rule {
    /// Trimmed text; empty is null. `recode` maps source codes to values
    /// (exact match first, then case-insensitive); a code mapped to `None` is null.
    Text {
        /// Source column index.
        idx: usize,
        /// Optional value recoding.
        recode: Option<Recode>,
    },
    /// The same text on every row.
    Const(String),
    /// The trimmed texts of several columns joined by ` | ` (an id made
    /// from the columns that identify a row, `--key`); null when all are empty.
    Key {
        /// Source column indexes.
        idxs: Vec<usize>,
    },
    /// A date in one of `formats`.
    Date {
        /// Source column index.
        idx: usize,
        /// Accepted formats, tried in order.
        formats: Vec<DateFormat>,
    },
    /// A date from year, month, day columns where 0 means unknown (GTD).
    DateParts {
        /// Year, month and day column indexes.
        parts: [usize; 3],
    },
    /// The precision implied by [`Rule::DateParts`].
    PartsPrecision {
        /// Year, month and day column indexes.
        parts: [usize; 3],
    },
    /// A source code for date precision (ACLED `time_precision`, UCDP `date_prec`).
    Precision {
        /// Source column index.
        idx: usize,
        /// Code to precision.
        codes: Vec<(String, DatePrecision)>,
    },
    /// A non-negative whole count; `unknown` lists codes that mean unknown.
    Count {
        /// Source column index.
        idx: usize,
        /// Source codes read as unknown.
        unknown: Vec<String>,
        /// Read approximate counts (`40+`, `~12`, `at least 3`, `12-15`) as
        /// their lower bound (tracker sheets) instead of rejecting them.
        approx: bool,
    },
    /// A GDELT actor from its CAMEO code, known group code and name
    /// ([`super::cameo::actor`]); with `as_target_type`, the target type its
    /// role codes give ([`super::cameo::target_type`]).
    Cameo {
        /// Actor code, known group code and name column indexes.
        idxs: [usize; 3],
        /// Give the target type instead of the name.
        as_target_type: bool,
    },
    /// The first non-empty text of several columns, most specific first
    /// (GTD's `weapsubtype1_txt`, then `weaptype1_txt`).
    FirstOf {
        /// Source column indexes, in order.
        idxs: Vec<usize>,
    },
    /// Whether a claim was made, from a tracker's "Claimed by" column: a
    /// group's name is `claimed`; an empty cell or "unclaimed", "none", "no
    /// claim" is `unclaimed` (in a sheet of claims, no claimant is no claim).
    ClaimedBy {
        /// Source column index.
        idx: usize,
    },
    /// Latitude (`limit` 90) or longitude (`limit` 180).
    Coord {
        /// Source column index.
        idx: usize,
        /// Largest absolute value.
        limit: f64,
    },
}

/// Source value → canonical value (`None`: the code means unknown).
pub type Recode = std::collections::BTreeMap<String, Option<String>>;

impl Rule {
    /// Trimmed text where each of `unknown` (any case) means unknown, as
    /// GTD's `gname = Unknown` or a literal `NULL` from an SQL export.
    pub fn text_with_unknown(idx: usize, unknown: &[&str]) -> Self {
        let recode: Recode = unknown.iter().map(|u| (u.to_string(), None)).collect();
        Rule::Text { idx, recode: (!recode.is_empty()).then_some(recode) }
    }
}

impl Rule {
    /// The source columns the rule reads.
    pub(crate) fn sources(&self) -> Vec<usize> {
        match self {
            Rule::Text { idx, .. }
            | Rule::Date { idx, .. }
            | Rule::Precision { idx, .. }
            | Rule::Count { idx, .. }
            | Rule::Coord { idx, .. }
            | Rule::ClaimedBy { idx } => vec![*idx],
            Rule::DateParts { parts } | Rule::PartsPrecision { parts } => parts.to_vec(),
            Rule::Key { idxs } | Rule::FirstOf { idxs } => idxs.clone(),
            Rule::Cameo { idxs, .. } => idxs.to_vec(),
            Rule::Const(_) => vec![],
        }
    }
}

/// A source layout resolved against a file's header.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Human-readable name, e.g. "ucdp (GED 41-column country layout)".
    pub description: String,
    /// Whether the first record is a header.
    pub has_header: bool,
    /// Source column names (from the header, or supplied by the preset).
    pub columns: Vec<String>,
    /// Rules by canonical column name; canonical columns without a rule are null.
    pub rules: Vec<(&'static str, Rule)>,
    /// Other source columns kept as text: output name and source index.
    pub kept: Vec<(String, usize)>,
    /// The order of all-number dates (`--date-order`); `None`: decided from the file's values.
    pub date_order: Option<DateOrder>,
    /// How many of the last columns a row may lack (read as empty).
    pub optional_trailing: usize,
    /// Separators of joint claims in the actor column (a mapping's
    /// `actor_separators`), written as ", " so that every command splits them.
    pub actor_separators: Vec<String>,
}

impl Layout {
    /// Start a layout for `columns`; add rules with [`Layout::rule`], then call [`Layout::finish`].
    pub fn new(description: impl Into<String>, has_header: bool, columns: Vec<String>) -> Self {
        Layout {
            description: description.into(),
            has_header,
            columns,
            rules: Vec::new(),
            kept: Vec::new(),
            date_order: None,
            optional_trailing: 0,
            actor_separators: Vec::new(),
        }
    }

    /// Set the rule for a canonical column.
    pub fn rule(&mut self, column: &'static str, rule: Rule) -> &mut Self {
        self.rules.retain(|(c, _)| *c != column);
        self.rules.push((column, rule));
        self
    }

    /// Keep every source column not named like a canonical column it feeds.
    /// A source column whose lower-cased name is canonical but which feeds a
    /// different column (GTD's numeric `country`) is kept as `<name>_raw`.
    pub fn finish(mut self) -> Self {
        let mut used: HashMap<usize, Vec<&str>> = HashMap::new();
        for (c, r) in &self.rules {
            for i in r.sources() {
                used.entry(i).or_default().push(c);
            }
        }
        let mut taken: std::collections::HashSet<String> = CANONICAL.iter().map(|(c, _)| c.to_string()).collect();
        let mut kept = Vec::new();
        for (i, name) in self.columns.iter().enumerate() {
            let lower = name.to_lowercase();
            if is_canonical(&lower) && used.get(&i).is_some_and(|cs| cs.contains(&lower.as_str())) {
                continue;
            }
            let mut out = if is_canonical(name) { format!("{name}_raw") } else { name.clone() };
            let base = out.clone();
            let mut n = 2;
            while !taken.insert(out.clone()) {
                out = format!("{base}_{n}");
                n += 1;
            }
            kept.push((out, i));
        }
        self.kept = kept;
        self
    }

    pub(crate) fn rule_for(&self, column: &str) -> Option<&Rule> {
        self.rules.iter().find(|(c, _)| *c == column).map(|(_, r)| r)
    }

    /// Which source column feeds each canonical column, in schema order
    /// (`(constant)` where the layout sets a value of its own).
    pub fn fed(&self) -> Vec<(String, String)> {
        CANONICAL
            .iter()
            .filter_map(|(c, _)| {
                let rule = self.rule_for(c)?;
                let source = if rule.sources().is_empty() { "(constant)".to_string() } else { self.source_name(c) };
                Some((c.to_string(), source))
            })
            .collect()
    }

    /// Source columns that feed no canonical column (they are kept by name).
    pub fn unused(&self) -> Vec<String> {
        let used: std::collections::HashSet<usize> = self.rules.iter().flat_map(|(_, r)| r.sources()).collect();
        (0..self.columns.len()).filter(|i| !used.contains(i)).map(|i| self.columns[i].clone()).collect()
    }

    /// The source column a canonical column is read from (for messages).
    pub fn source_name(&self, column: &str) -> String {
        match self.rule_for(column).map(Rule::sources) {
            Some(s) if !s.is_empty() => s.iter().map(|&i| self.columns[i].as_str()).collect::<Vec<_>>().join("/"),
            _ => column.to_string(),
        }
    }
}

/// Case-insensitive lookup of source columns by name.
pub struct Header<'a> {
    path: &'a Path,
    names: &'a [String],
    lower: Vec<String>,
}

impl<'a> Header<'a> {
    /// Wrap a file's column names.
    pub fn new(path: &'a Path, names: &'a [String]) -> Self {
        Header { path, names, lower: names.iter().map(|n| n.trim().to_lowercase()).collect() }
    }

    /// The first of `candidates` present (case-insensitive).
    pub fn find(&self, candidates: &[&str]) -> Option<usize> {
        candidates.iter().find_map(|c| self.lower.iter().position(|n| n == &c.to_lowercase()))
    }

    /// Like [`Header::find`], but a missing column is an error naming the layout.
    pub fn require(&self, preset: &str, candidates: &[&str]) -> Result<usize> {
        self.find(candidates).ok_or_else(|| Error::MissingColumn {
            path: self.path.to_path_buf(),
            preset: preset.to_string(),
            column: candidates.join(" or "),
            found: self.names.to_vec(),
        })
    }

    /// The column names as given.
    pub fn names(&self) -> &[String] {
        self.names
    }

    /// Whether every one of `names` is present.
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.find(&[n]).is_some())
    }
}
