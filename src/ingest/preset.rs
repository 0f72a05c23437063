//! The source presets in one ordered table: `--preset` names, `auto`
//! detection (in table order) and the help text all read [`PRESETS`], so a
//! new preset is one file (its layout) plus one entry here.

use std::path::Path;
use std::str::FromStr;

use super::layout::{Header, Layout};
use super::mapping::Mapping;
use super::{acled, gdelt, gtd, native, ucdp};
use crate::error::{Error, Result};

/// A known source layout, or `Auto` to recognise it from the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Preset {
    /// Recognise the layout from the header (or its absence).
    #[default]
    Auto,
    /// ACLED exports.
    Acled,
    /// UCDP GED.
    Ucdp,
    /// Global Terrorism Database.
    Gtd,
    /// GDELT 1.0 / 2.0 events.
    Gdelt,
    /// sitrep's own tracker layout (canonical column names).
    Native,
}

/// One source preset: its names and how to read a file with it.
pub struct PresetDef {
    /// The preset.
    pub preset: Preset,
    /// The name on the command line and in configs.
    pub name: &'static str,
    /// Other accepted spellings.
    pub aliases: &'static [&'static str],
    /// Whether a header is this preset's (used by `auto`, in table order).
    pub recognise: fn(&Header<'_>) -> bool,
    /// The layout of a file whose first record is a header.
    pub with_header: fn(&Path, Vec<String>) -> Result<Layout>,
    /// `auto` on a first record that is no known header: whether it is a
    /// data record of this preset (a file without a header).
    pub headerless: fn(&[String]) -> bool,
    /// `--preset` given, and the first record is not this preset's header:
    /// the layout to read it with (headerless, or the header layout, whose
    /// missing columns are then named in the error).
    pub forced: fn(&Path, Vec<String>) -> Result<Layout>,
}

fn no_headerless(_: &[String]) -> bool {
    false
}

fn strings(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

/// The presets, in the order `auto` tries their headers and then their headerless forms.
pub const PRESETS: &[PresetDef] = &[
    PresetDef {
        preset: Preset::Acled,
        name: "acled",
        aliases: &[],
        recognise: acled::recognise,
        with_header: acled::layout,
        headerless: no_headerless,
        forced: acled::layout,
    },
    PresetDef {
        preset: Preset::Ucdp,
        name: "ucdp",
        aliases: &["ged", "ucdp-ged"],
        recognise: ucdp::recognise,
        with_header: |path, cols| ucdp::layout(path, cols, true),
        headerless: |first| ucdp::headerless_columns(first).is_some(),
        forced: |path, first| match ucdp::headerless_columns(&first) {
            Some(cols) => ucdp::layout(path, strings(cols), false),
            None => ucdp::layout(path, first, true),
        },
    },
    PresetDef {
        preset: Preset::Gtd,
        name: "gtd",
        aliases: &[],
        recognise: gtd::recognise,
        with_header: gtd::layout,
        headerless: no_headerless,
        forced: gtd::layout,
    },
    PresetDef {
        preset: Preset::Gdelt,
        name: "gdelt",
        aliases: &[],
        recognise: gdelt::recognise,
        with_header: |path, cols| gdelt::layout(path, cols, true),
        headerless: gdelt::looks_headerless,
        forced: |path, first| match gdelt::columns(first.len()) {
            Some(cols) => gdelt::layout(path, cols, false),
            None => Err(Error::format(
                path,
                format!(
                    "GDELT event files have 57, 58 (1.0) or 61 (2.0) tab-separated fields; the first row has {}",
                    first.len()
                ),
            )),
        },
    },
    PresetDef {
        preset: Preset::Native,
        name: "native",
        aliases: &[],
        recognise: native::recognise,
        with_header: native::layout,
        headerless: no_headerless,
        forced: native::layout,
    },
];

impl Preset {
    /// Names accepted on the command line, in the order shown in messages.
    pub fn names() -> Vec<&'static str> {
        std::iter::once("auto").chain(PRESETS.iter().map(|p| p.name)).collect()
    }

    /// The names, comma-separated, for messages and help.
    pub fn choices() -> String {
        Self::names().join(", ")
    }

    fn def(self) -> Option<&'static PresetDef> {
        PRESETS.iter().find(|p| p.preset == self)
    }
}

impl FromStr for Preset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let name = s.trim().to_lowercase();
        if name == "auto" {
            return Ok(Preset::Auto);
        }
        PRESETS
            .iter()
            .find(|p| p.name == name || p.aliases.contains(&name.as_str()))
            .map(|p| p.preset)
            .ok_or_else(|| Error::UnknownPreset { name: s.to_string(), choices: Preset::choices() })
    }
}

/// Pick a file's layout from its first record: the mapping if given, else
/// the preset, else the first preset whose header matches, else the first
/// whose headerless form matches.
pub fn choose_layout(path: &Path, first: Vec<String>, preset: Preset, mapping: Option<&Mapping>) -> Result<Layout> {
    if let Some(m) = mapping {
        let cols = if m.header { name_columns(first) } else { positional(first.len()) };
        return m.layout(path, cols);
    }
    let h = Header::new(path, &first);
    if let Some(def) = preset.def() {
        return if (def.recognise)(&h) {
            (def.with_header)(path, name_columns(first))
        } else {
            (def.forced)(path, name_columns(first))
        };
    }
    if let Some(def) = PRESETS.iter().find(|d| (d.recognise)(&h)) {
        return (def.with_header)(path, name_columns(first));
    }
    if let Some(def) = PRESETS.iter().find(|d| (d.headerless)(&first)) {
        return (def.forced)(path, first);
    }
    if let [only] = &first[..] {
        let delimiters = only.matches([',', ';', '\t']).count();
        if delimiters > 0 {
            // `"a,b,c"` on every line: a spreadsheet or script quoted each whole line.
            return Err(Error::format(
                path,
                format!(
                    "each line is one quoted field ({only:?} holds {} delimiters): the file was saved with every \
                     line in quotes; remove the quote at the start and end of each line",
                    delimiters
                ),
            ));
        }
    }
    Err(Error::UnknownLayout { path: path.to_path_buf(), columns: first, choices: Preset::choices() })
}

fn positional(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("column_{i}")).collect()
}

/// Header names as given, with empty names replaced by `column_N`.
fn name_columns(first: Vec<String>) -> Vec<String> {
    first.into_iter().enumerate().map(|(i, n)| if n.is_empty() { format!("column_{}", i + 1) } else { n }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_named_once_and_parses_from_its_names() {
        assert_eq!(Preset::choices(), "auto, acled, ucdp, gtd, gdelt, native");
        for def in PRESETS {
            assert_eq!(def.name.parse::<Preset>().unwrap(), def.preset);
            for a in def.aliases {
                assert_eq!(a.parse::<Preset>().unwrap(), def.preset);
            }
        }
        assert!(matches!("bogus".parse::<Preset>(), Err(Error::UnknownPreset { .. })));
    }
}
