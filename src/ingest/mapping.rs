//! A TOML mapping file describes any other table: which source column feeds
//! each canonical column, the date formats, precision codes and value recodes.
//!
//! ```toml
//! name = "Embassy tracker"          # shown in summaries
//! header = true                     # false: refer to columns by 1-based position
//! delimiter = ","                   # optional; sniffed from the first line otherwise
//! date_formats = ["%d/%m/%Y", "iso"]  # chrono patterns, or "iso" / "yyyymmdd" / "spreadsheet"
//!                                   # (default: iso and spreadsheet dates)
//! date_precision = "day"            # constant precision when no column gives it
//! unknown = ["-99", "unk"]          # codes meaning "unknown" in count columns
//! strict_counts = false             # true: reject 40+, ~12, 12-15 instead of reading lower bounds
//!
//! [columns]                         # canonical column = source column (name or position)
//! date = "Date"
//! actor = "Group"
//! weapon = "Weapon"
//! fatalities = "Killed"
//! # or, for split dates:  date = { year = "yr", month = "mo", day = "dy" }
//! # GDELT actors by CAMEO codes: actor = { code = 6, known_group = 9, name = 7 }
//! # a claim from the claimant column: claimed = { claimed_by = "Claimed by" }
//!
//! [precision_codes]                 # values of the date_precision column
//! exact = "day"
//! approx = "week"
//!
//! [recode.weapon]                   # source value = canonical value ("" = unknown)
//! "Katyusha" = "rocket"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::dates::DateOrder;
use super::layout::{Header, Layout, Recode, Rule};
use super::parse::DateFormat;
use crate::error::{Error, Result};
use crate::schema::{col, ColumnType, DatePrecision, CANONICAL};

/// A parsed mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Name shown in summaries.
    pub name: Option<String>,
    /// Whether the first row is a header (default true).
    #[serde(default = "default_true")]
    pub header: bool,
    /// Field separator, one character.
    pub delimiter: Option<String>,
    /// Date formats tried in order.
    #[serde(default)]
    pub date_formats: Vec<String>,
    /// Constant date precision when no column gives it.
    pub date_precision: Option<String>,
    /// Order of all-number dates: "dmy" or "mdy" (default: decided per file).
    pub date_order: Option<String>,
    /// Codes meaning "unknown" in count columns.
    #[serde(default)]
    pub unknown: Vec<String>,
    /// Reject approximate counts (`40+`, `~12`, `12-15`) instead of reading
    /// them as lower bounds.
    #[serde(default)]
    pub strict_counts: bool,
    /// Canonical column → source column.
    pub columns: BTreeMap<String, ColumnRef>,
    /// Values of the precision column → day/week/month/year.
    #[serde(default)]
    pub precision_codes: BTreeMap<String, String>,
    /// Per canonical column: source value → canonical value.
    #[serde(default)]
    pub recode: BTreeMap<String, BTreeMap<String, String>>,
    /// Separators of joint claims in the actor column, besides `,` and `;`
    /// (`actor_separators = [" + ", "|"]`): each actor is counted by `--split-actors`.
    #[serde(default)]
    pub actor_separators: Vec<String>,
    /// Where the mapping was read from (for messages).
    #[serde(skip)]
    pub path: PathBuf,
}

fn default_true() -> bool {
    true
}

/// A source column by name or 1-based position, or a split date.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ColumnRef {
    /// Header name (case-insensitive).
    Name(String),
    /// 1-based position.
    Position(usize),
    /// Year, month and day columns (0 or empty month/day = unknown).
    Parts {
        /// Year column.
        year: Box<ColumnRef>,
        /// Month column.
        month: Box<ColumnRef>,
        /// Day column.
        day: Box<ColumnRef>,
    },
    /// The first non-empty of several columns (`weapon = { first_of = ["sub", "type"] }`).
    FirstOf {
        /// The columns, most specific first.
        first_of: Vec<ColumnRef>,
    },
    /// A claim from a "Claimed by" column (`claimed = { claimed_by = "Claimed by" }`):
    /// a group's name is `claimed`, an empty cell or "unclaimed"/"none" is `unclaimed`.
    ClaimedBy {
        /// The column naming the claimant.
        claimed_by: Box<ColumnRef>,
    },
    /// A GDELT actor by its CAMEO code, known group code and name (see
    /// `ingest::cameo`); as `target_type`, the target type of the code's roles.
    Cameo {
        /// Actor code column (`Actor1Code`).
        code: Box<ColumnRef>,
        /// Known group code column (`Actor1KnownGroupCode`).
        known_group: Box<ColumnRef>,
        /// Name column (`Actor1Name`).
        name: Box<ColumnRef>,
    },
}

impl Mapping {
    /// Read and check a mapping file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut m: Mapping =
            toml::from_str(&text).map_err(|e| Error::Config { path: path.into(), message: e.to_string() })?;
        m.path = path.to_path_buf();
        m.validate()?;
        Ok(m)
    }

    fn err(&self, message: String) -> Error {
        Error::Config { path: self.path.clone(), message }
    }

    fn validate(&self) -> Result<()> {
        let valid: Vec<&str> = CANONICAL.iter().map(|(c, _)| *c).collect();
        for key in self.columns.keys().chain(self.recode.keys()) {
            if !valid.contains(&key.as_str()) {
                return Err(self.err(format!("unknown canonical column {key:?} (valid: {})", valid.join(", "))));
            }
        }
        if !self.columns.contains_key(col::DATE) {
            return Err(self.err("[columns] needs a `date` entry".into()));
        }
        for (k, v) in &self.precision_codes {
            v.parse::<DatePrecision>().map_err(|e| self.err(format!("precision_codes.{k}: {e}")))?;
        }
        if let Some(o) = &self.date_order {
            o.parse::<DateOrder>().map_err(|e| self.err(format!("date_order: {e}")))?;
        }
        if let Some(p) = &self.date_precision {
            p.parse::<DatePrecision>().map_err(|e| self.err(format!("date_precision: {e}")))?;
        }
        if let Some(d) = &self.delimiter {
            if d.len() != 1 {
                return Err(self.err(format!("delimiter must be one ASCII character, got {d:?}")));
            }
        }
        self.formats()?;
        Ok(())
    }

    /// The delimiter byte, if given.
    pub fn delimiter_byte(&self) -> Option<u8> {
        self.delimiter.as_ref().and_then(|d| d.bytes().next())
    }

    fn formats(&self) -> Result<Vec<DateFormat>> {
        if self.date_formats.is_empty() {
            return Ok(vec![DateFormat::Iso, DateFormat::Spreadsheet]);
        }
        self.date_formats
            .iter()
            .map(|f| match f.to_lowercase().as_str() {
                "iso" | "yyyy-mm-dd" => Ok(DateFormat::Iso),
                "yyyymmdd" => Ok(DateFormat::Compact),
                "spreadsheet" => Ok(DateFormat::Spreadsheet),
                _ if f.contains('%') => Ok(DateFormat::Pattern(f.clone())),
                _ => Err(self.err(format!(
                    "date_formats: {f:?} is not a chrono pattern (like \"%d/%m/%Y\"), \"iso\", \"yyyymmdd\" or \"spreadsheet\""
                ))),
            })
            .collect()
    }

    fn index(&self, h: &Header<'_>, r: &ColumnRef, n_cols: usize) -> Result<usize> {
        let name = self.name.clone().unwrap_or_else(|| "mapping".into());
        match r {
            ColumnRef::Name(n) => h.require(&name, &[n.as_str()]),
            ColumnRef::Position(p) if (1..=n_cols).contains(p) => Ok(p - 1),
            ColumnRef::Position(p) => Err(self.err(format!("column position {p} is outside 1..{n_cols}"))),
            ColumnRef::Parts { .. } => Err(self.err("only `date` can be given as year/month/day parts".into())),
            ColumnRef::FirstOf { .. } => Err(self.err("{ first_of = … } gives a text column".into())),
            ColumnRef::ClaimedBy { .. } => Err(self.err("only `claimed` can be given as { claimed_by = … }".into())),
            ColumnRef::Cameo { .. } => {
                Err(self.err("only actor, target and target_type can be given as CAMEO code/known_group/name".into()))
            }
        }
    }

    /// Resolve the mapping against a file's columns.
    pub fn layout(&self, path: &Path, columns: Vec<String>) -> Result<Layout> {
        let h = Header::new(path, &columns);
        let n = columns.len();
        let name = self.name.clone().unwrap_or_else(|| self.path.display().to_string());
        let mut l = Layout::new(format!("mapping {name}"), self.header, columns.clone());
        l.date_order = self.date_order.as_deref().and_then(|o| o.parse().ok());
        l.actor_separators = self.actor_separators.iter().filter(|s| !s.is_empty()).cloned().collect();
        let formats = self.formats()?;
        for (key, r) in &self.columns {
            let Some((c, ty)) = CANONICAL.iter().find(|(c, _)| c == key) else { continue };
            let rule = match (r, *c, ty) {
                (ColumnRef::Parts { year, month, day }, col::DATE, _) => {
                    let parts = [self.index(&h, year, n)?, self.index(&h, month, n)?, self.index(&h, day, n)?];
                    l.rule(col::DATE_PRECISION, Rule::PartsPrecision { parts });
                    Rule::DateParts { parts }
                }
                (ColumnRef::Cameo { code, known_group, name }, col::ACTOR | col::TARGET | col::TARGET_TYPE, _) => {
                    let idxs = [self.index(&h, code, n)?, self.index(&h, known_group, n)?, self.index(&h, name, n)?];
                    Rule::Cameo { idxs, as_target_type: *c == col::TARGET_TYPE }
                }
                (ColumnRef::FirstOf { first_of }, _, ColumnType::Text) => {
                    Rule::FirstOf { idxs: first_of.iter().map(|r| self.index(&h, r, n)).collect::<Result<_>>()? }
                }
                (ColumnRef::ClaimedBy { claimed_by }, col::CLAIMED, _) => {
                    Rule::ClaimedBy { idx: self.index(&h, claimed_by, n)? }
                }
                (_, col::DATE_PRECISION, _) => {
                    let idx = self.index(&h, r, n)?;
                    let codes = if self.precision_codes.is_empty() {
                        super::native::precision_codes()
                    } else {
                        self.precision_codes.iter().filter_map(|(k, v)| Some((k.clone(), v.parse().ok()?))).collect()
                    };
                    Rule::Precision { idx, codes }
                }
                (_, _, ColumnType::Date) => Rule::Date { idx: self.index(&h, r, n)?, formats: formats.clone() },
                (_, _, ColumnType::Int) => Rule::Count {
                    idx: self.index(&h, r, n)?,
                    unknown: self.unknown.clone(),
                    approx: !self.strict_counts,
                },
                (_, col::LATITUDE, _) => Rule::Coord { idx: self.index(&h, r, n)?, limit: 90.0 },
                (_, _, ColumnType::Float) => Rule::Coord { idx: self.index(&h, r, n)?, limit: 180.0 },
                (_, _, ColumnType::Text) => {
                    let recode: Option<Recode> = self
                        .recode
                        .get(*c)
                        .map(|m| m.iter().map(|(k, v)| (k.clone(), (!v.is_empty()).then(|| v.clone()))).collect());
                    Rule::Text { idx: self.index(&h, r, n)?, recode }
                }
            };
            l.rule(c, rule);
        }
        if !self.columns.contains_key(col::DATE_PRECISION)
            && !matches!(self.columns.get(col::DATE), Some(ColumnRef::Parts { .. }))
        {
            let p =
                self.date_precision.as_deref().unwrap_or("day").parse::<DatePrecision>().unwrap_or(DatePrecision::Day);
            l.rule(col::DATE_PRECISION, Rule::Const(p.as_str().into()));
        }
        Ok(l.finish())
    }
}

/// A TOML string (basic, escaped).
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A commented mapping file that reads `path` as `layout` does, ready to
/// edit (`sitrep check FILE --emit-mapping > m.toml`). Constants other than
/// the date precision cannot be written in a mapping and are left as comments.
pub fn emit(path: &Path, layout: &Layout, delimiter: Option<u8>) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let stem = path.file_stem().map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
    let _ = writeln!(o, "# Mapping for {file}, as sitrep read it with the {} layout.", layout.description);
    let _ = writeln!(o, "# Edit it, then: sitrep check {file} --mapping this.toml");
    let _ = writeln!(o, "name = {}", quoted(&stem));
    let _ = writeln!(o, "header = {}", layout.has_header);
    if let Some(d) = delimiter {
        let _ = writeln!(o, "delimiter = {}", quoted(&char::from(d).to_string()));
    }
    if let Some(order) = layout.date_order {
        let _ = writeln!(o, "date_order = {}         # all-number dates such as 5/9/2020", quoted(order.as_str()));
    }
    if !layout.actor_separators.is_empty() {
        let seps: Vec<String> = layout.actor_separators.iter().map(|s| quoted(s)).collect();
        let _ = writeln!(o, "actor_separators = [{}]   # joint claims, besides , and ;", seps.join(", "));
    }
    let reference = |i: usize| if layout.has_header { quoted(&layout.columns[i]) } else { (i + 1).to_string() };
    let mut columns = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut codes: Vec<(String, DatePrecision)> = Vec::new();
    let mut recodes: Vec<(&str, &Recode)> = Vec::new();
    let mut constants = Vec::new();
    let mut strict = false;
    for (c, rule) in &layout.rules {
        match rule {
            Rule::Text { idx, recode } => {
                columns.push(format!("{c} = {}", reference(*idx)));
                if let Some(r) = recode {
                    recodes.push((c, r));
                }
            }
            Rule::Date { idx, formats } => {
                columns.push(format!("{c} = {}", reference(*idx)));
                if *c == col::DATE {
                    let names: Vec<String> = formats
                        .iter()
                        .map(|f| match f {
                            DateFormat::Iso => quoted("iso"),
                            DateFormat::Compact => quoted("yyyymmdd"),
                            DateFormat::Pattern(p) => quoted(p),
                            DateFormat::Spreadsheet => quoted("spreadsheet"),
                        })
                        .collect();
                    let _ = writeln!(o, "date_formats = [{}]", names.join(", "));
                }
            }
            Rule::DateParts { parts } => columns.push(format!(
                "{c} = {{ year = {}, month = {}, day = {} }}",
                reference(parts[0]),
                reference(parts[1]),
                reference(parts[2])
            )),
            Rule::PartsPrecision { .. } => {}
            Rule::FirstOf { idxs } => columns.push(format!(
                "{c} = {{ first_of = [{}] }}",
                idxs.iter().map(|&i| reference(i)).collect::<Vec<_>>().join(", ")
            )),
            Rule::ClaimedBy { idx } => columns.push(format!("{c} = {{ claimed_by = {} }}", reference(*idx))),
            Rule::Cameo { idxs, .. } => columns.push(format!(
                "{c} = {{ code = {}, known_group = {}, name = {} }}",
                reference(idxs[0]),
                reference(idxs[1]),
                reference(idxs[2])
            )),
            Rule::Precision { idx, codes: c2 } => {
                columns.push(format!("{c} = {}", reference(*idx)));
                codes.extend(c2.iter().cloned());
            }
            Rule::Count { idx, unknown: u, approx } => {
                if !approx {
                    strict = true;
                }
                columns.push(format!("{c} = {}", reference(*idx)));
                for v in u {
                    if !unknown.contains(v) {
                        unknown.push(v.clone());
                    }
                }
            }
            Rule::Coord { idx, .. } => columns.push(format!("{c} = {}", reference(*idx))),
            Rule::Key { idxs } => {
                let names: Vec<String> = idxs.iter().map(|&i| reference(i)).collect();
                constants.push(format!("# {c} is made from {} (--key); give it again when loading", names.join(" + ")));
            }
            Rule::Const(v) if *c == col::DATE_PRECISION => {
                let _ = writeln!(o, "date_precision = {}", quoted(v));
            }
            Rule::Const(v) => constants.push(format!("# {c} is always {} in this layout", quoted(v))),
        }
    }
    if strict {
        let _ = writeln!(
            o,
            "strict_counts = true    # 40+, ~12, 12-15 in count columns are rejected, not read as lower bounds"
        );
    }
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(|u| quoted(u)).collect();
        let _ = writeln!(o, "unknown = [{}]", list.join(", "));
    }
    let _ = writeln!(o, "\n[columns]                # canonical column = source column");
    if !layout.rules.iter().any(|(c, _)| *c == col::DATE) {
        let _ = writeln!(o, "# date = \"?\"              # required: name the column holding the date");
    }
    for line in &columns {
        let _ = writeln!(o, "{line}");
    }
    for line in &constants {
        let _ = writeln!(o, "{line}");
    }
    let unused = layout.unused();
    if !unused.is_empty() {
        let _ = writeln!(o, "# Columns that feed nothing (kept under their own names); map any of them above:");
        for u in &unused {
            let _ = writeln!(o, "#   {}", quoted(u));
        }
    }
    if !codes.is_empty() {
        let _ = writeln!(o, "\n[precision_codes]        # value of the precision column = day, week, month or year");
        for (k, p) in &codes {
            let _ = writeln!(o, "{} = {}", quoted(k), quoted(p.as_str()));
        }
    }
    for (c, r) in recodes {
        let _ = writeln!(o, "\n[recode.{c}]             # source value = canonical value (\"\" = unknown)");
        for (k, v) in r {
            let _ = writeln!(o, "{} = {}", quoted(k), quoted(v.as_deref().unwrap_or("")));
        }
    }
    o
}
