//! The pipeline every command runs before it queries: [`Inputs`] (built
//! from command-line flags or a config's `[data]`) and what the work
//! [`Needs`] go in; [`load`] reads the files (or scans a lone store), rejects
//! duplicate ids, normalises actors, targets, weapons and target types (or
//! trusts a store normalised with the same tables), prunes to the columns a
//! query reads, enforces `--strict`, and writes the rejects file.
//!
//! What a query reads is stated once: [`crate::query::Query::columns`] plus
//! [`Normaliser::reads`]. No command repeats any of these steps.

pub mod stream;

use std::path::PathBuf;

use polars::prelude::LazyFrame;

use crate::error::{Error, Result};
use crate::ingest::{load_incidents, write_rejects, DateOrder, Encoding, LoadOptions, Loaded, Mapping, Preset};
use crate::normalise::{Normaliser, Unmapped};
use crate::query::Query;

/// Where incidents come from and how to read and normalise them.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Data files and stores.
    pub files: Vec<PathBuf>,
    /// The layout of every file (ignored when `mapping` is set).
    pub preset: Preset,
    /// A mapping describing the layout.
    pub mapping: Option<Mapping>,
    /// Text encoding of delimited and NDJSON files.
    pub encoding: Encoding,
    /// Encodings of single files, by path as given or file name.
    pub file_encodings: Vec<(String, Encoding)>,
    /// The order of all-number dates (`--date-order`); `None`: decided per file.
    pub date_order: Option<DateOrder>,
    /// Columns whose values make each row's id (`--key`), for files without one.
    pub key: Vec<String>,
    /// Alias files on top of the shipped table (later files win).
    pub aliases: Vec<PathBuf>,
    /// Taxonomy files on top of the shipped ones (later files win).
    pub taxonomies: Vec<PathBuf>,
    /// Apply aliases and taxonomies (`false`: `--no-normalise`).
    pub normalise: bool,
    /// Refuse values no alias or taxonomy rule maps (`--strict`).
    pub strict: bool,
    /// Write every rejected row to this CSV.
    pub rejects: Option<PathBuf>,
    /// Defuse text a spreadsheet would run as a formula in CSV outputs.
    pub csv_escape: bool,
    /// Dataset names by file (`[data.sources]`); other files are named by their stem.
    pub dataset_names: Vec<(String, String)>,
    /// Merge cross-source duplicates by this rule (`--dedup`, `[data] dedup`).
    pub dedup: Option<crate::dedup::Rule>,
    /// Told of bytes and rows read (the command line draws a progress bar).
    pub progress: crate::ingest::Progress,
}

impl Default for Inputs {
    fn default() -> Self {
        Inputs {
            files: Vec::new(),
            preset: Preset::Auto,
            mapping: None,
            encoding: Encoding::Auto,
            file_encodings: Vec::new(),
            date_order: None,
            key: Vec::new(),
            aliases: Vec::new(),
            taxonomies: Vec::new(),
            normalise: true,
            strict: false,
            rejects: None,
            csv_escape: true,
            dataset_names: Vec::new(),
            dedup: None,
            progress: Default::default(),
        }
    }
}

impl Inputs {
    /// How ingest reads the files for `needs`.
    pub fn load_options(&self, needs: &Needs) -> LoadOptions {
        LoadOptions {
            preset: self.preset,
            mapping: self.mapping.clone(),
            encoding: self.encoding,
            file_encodings: self.file_encodings.clone(),
            columns: needs.columns.clone(),
            range_bytes: None,
            precise_reader: false,
            date_order: self.date_order,
            key: self.key.clone(),
            source_file: needs.source_file,
            dataset_names: self.dataset_names.clone(),
            progress: self.progress.clone(),
        }
    }
}

/// What the work after loading needs of the incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// The columns read (`None`: all). Canonical text columns not named stay
    /// null and other source columns are not kept; only these are normalised.
    pub columns: Option<Vec<String>>,
    /// Leave a lone sitrep store unread, so each query scans only the
    /// columns and row groups it needs.
    pub scan_store: bool,
    /// Leave normalisation as a lazy plan (one query follows) instead of
    /// materialising it once for several queries or for writing.
    pub lazy: bool,
    /// List the values no taxonomy rule maps (a pass per column); `--strict` implies it.
    pub list_unmapped: bool,
    /// Name each row's file in a `source_file` column (what `ingest` stores,
    /// so `--replace-source` can replace a re-ingested file's rows).
    pub source_file: bool,
}

impl Needs {
    /// One query: only the columns it and its normalisation read, a lone
    /// store scanned, everything left lazy for the query's own plan.
    pub fn query(q: &Query) -> Self {
        Needs { columns: Some(Normaliser::reads(&q.columns())), scan_store: true, lazy: true, ..Default::default() }
    }

    /// Several queries (`report`, `weekly`): a store normalised with the same
    /// tables is scanned by each query; anything else is normalised once, in memory.
    pub fn queries() -> Self {
        Needs { columns: None, scan_store: true, lazy: false, ..Default::default() }
    }

    /// Every row of every file in memory (`check`, `ingest`).
    pub fn rows() -> Self {
        Needs::default()
    }

    /// Every row in memory, each naming its file (`ingest`).
    pub fn ingest() -> Self {
        Needs { source_file: true, ..Needs::default() }
    }

    /// Also list the values no taxonomy rule maps (`check --unmapped`).
    pub fn listing_unmapped(mut self) -> Self {
        self.list_unmapped = true;
        self
    }
}

/// Incidents ready for queries, with what loading and normalising found.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The incidents, the rejected rows and the per-file counts.
    pub loaded: Loaded,
    /// Values no alias or taxonomy rule mapped.
    pub unmapped: Unmapped,
    /// Fingerprint of the alias and taxonomy tables applied (`None` with `--no-normalise`).
    pub normaliser: Option<String>,
    /// What merging cross-source duplicates did (its `frame` is empty: the incidents are in `loaded`).
    pub dedup: Option<crate::dedup::Deduped>,
}

impl Prepared {
    /// The incidents as a lazy frame for queries.
    pub fn lazy(&self) -> LazyFrame {
        self.loaded.lazy()
    }
}

/// Read, check, normalise and prune the inputs for what the work needs.
pub fn load(inputs: &Inputs, needs: &Needs) -> Result<Prepared> {
    for (name, _) in &inputs.file_encodings {
        if !inputs.files.iter().any(|f| crate::ingest::loaded::names_file(name, f)) {
            return Err(Error::Usage(format!("--encoding {name}=…: no input file is named {name:?}")));
        }
    }
    // Merging duplicates compares places, groups, targets and weapons, in memory.
    let widened;
    let needs = match (&inputs.dedup, &needs.columns) {
        (Some(_), columns) => {
            let mut cols = columns.clone();
            if let Some(cols) = &mut cols {
                cols.extend(Normaliser::reads(&crate::dedup::READS.map(String::from)));
                cols.sort();
                cols.dedup();
            }
            widened = Needs { columns: cols, scan_store: false, lazy: false, ..needs.clone() };
            &widened
        }
        (None, _) => needs,
    };
    let opts = inputs.load_options(needs);
    let store = match (&inputs.files[..], needs.scan_store) {
        ([one], true) => crate::store::scan(one, needs.columns.as_deref())?,
        _ => None,
    };
    let mut loaded = match store {
        Some(loaded) => loaded,
        None => load_incidents(&inputs.files, &opts)?,
    };
    let (unmapped, normaliser) = normalise(inputs, &mut loaded, needs)?;
    if let Some(path) = &inputs.rejects {
        write_rejects(path, &loaded, &opts, inputs.csv_escape)?;
    }
    let dedup = match &inputs.dedup {
        Some(rule) => {
            loaded.materialise()?;
            let mut d = crate::dedup::dedup(&loaded.frame, rule)?;
            loaded.frame = std::mem::take(&mut d.frame);
            Some(d)
        }
        None => None,
    };
    Ok(Prepared { loaded, unmapped, normaliser, dedup })
}

/// Apply aliases and taxonomies (unless turned off) and enforce `--strict`.
/// Returns the unmapped values and the fingerprint of the tables applied.
fn normalise(inputs: &Inputs, loaded: &mut Loaded, needs: &Needs) -> Result<(Unmapped, Option<String>)> {
    if !inputs.normalise {
        return Ok(Default::default());
    }
    let n = Normaliser::load(&inputs.aliases, &inputs.taxonomies)?;
    if loaded.scan.is_some() && !inputs.strict && loaded.normalised_with.as_deref() == Some(n.fingerprint.as_str()) {
        // A store normalised with these very tables: nothing would change.
        return Ok((Default::default(), Some(n.fingerprint)));
    }
    let list = needs.list_unmapped || inputs.strict;
    let (lf, unmapped) = n.apply_lazy(loaded.lazy(), needs.columns.as_deref(), list)?;
    loaded.frame = Default::default();
    loaded.scan = Some(lf);
    loaded.normalised_with = Some(n.fingerprint.clone());
    if !needs.lazy {
        loaded.materialise()?;
    }
    if inputs.strict && !unmapped.is_empty() {
        let parts: Vec<String> = unmapped
            .columns
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(c, v)| {
                let shown: Vec<String> = v.iter().take(5).map(|(val, n)| format!("{val:?} ({n})")).collect();
                let more = if v.len() > 5 { format!(" and {} more", v.len() - 5) } else { String::new() };
                format!("{c}: {}{more}", shown.join(", "))
            })
            .collect();
        return Err(Error::Data(format!(
            "--strict: values not in the alias table or taxonomy: {}; add them with --aliases/--taxonomy \
             (list all with `sitrep check --unmapped`)",
            parts.join("; ")
        )));
    }
    Ok((unmapped, Some(n.fingerprint)))
}

/// Sources that cover different dates. Files of one preset (ACLED, UCDP,
/// GTD, GDELT), or read with one mapping, are pieces of one source (an export split by year): their
/// spans join; every other file (a tracker sheet) is a source of its own. When the sources'
/// spans differ and nothing says otherwise (no declared coverage, no
/// `--from`/`--to`), a query that fills a grid — zeros, rolling means,
/// running totals, comparisons, charts — counts only the dates every source
/// covers, so that weeks one source does not cover are not read as zeros.
/// Narrows `q` to them and returns the note that says so, with the
/// incidents left out; `None` when nothing changes.
pub fn common_coverage(lf: &LazyFrame, files: &[crate::ingest::FileSummary], q: &mut Query) -> Result<Option<String>> {
    use chrono::NaiveDate;
    // Sources compared side by side (`--by dataset`) keep their own coverage each.
    let side_by_side = q.by.iter().any(|b| b == crate::ingest::DATASET);
    if !q.needs_grid() || !q.coverage.is_empty() || q.from.is_some() || q.to.is_some() || side_by_side {
        return Ok(None);
    }
    let mut spans: Vec<(String, NaiveDate, NaiveDate)> = Vec::new();
    for f in files {
        let Some((a, b)) = f.dates else { continue };
        let kind = f.layout.split_whitespace().next().unwrap_or("");
        let source = match kind {
            "acled" | "ucdp" | "gtd" | "gdelt" => kind.to_uppercase(),
            // Files read with one mapping are pieces of one source too.
            "mapping" => f.layout.clone(),
            _ => f.path.file_name().map_or_else(|| f.path.display().to_string(), |n| n.to_string_lossy().into_owned()),
        };
        match spans.iter_mut().find(|s| s.0 == source) {
            Some(s) => {
                s.1 = s.1.min(a);
                s.2 = s.2.max(b);
            }
            None => spans.push((source, a, b)),
        }
    }
    let (Some(lo), Some(hi)) = (spans.iter().map(|s| s.1).max(), spans.iter().map(|s| s.2).min()) else {
        return Ok(None);
    };
    if spans.len() < 2 || spans.iter().all(|s| (s.1, s.2) == (spans[0].1, spans[0].2)) || lo > hi {
        return Ok(None);
    }
    // Incidents outside the common dates, in one pass.
    use crate::schema::dates::epoch_days;
    use polars::prelude::{col, lit, DataType};
    let day = col(crate::schema::col::DATE).cast(DataType::Int32);
    let outside = day.clone().lt(lit(epoch_days(lo))).or(day.gt(lit(epoch_days(hi))));
    let n = crate::Run::run(lf.clone().select([outside.cast(DataType::UInt64).sum().alias("n")]))?;
    let left_out = n.column("n")?.u64()?.get(0).unwrap_or(0);
    q.from = Some(lo);
    q.to = Some(hi);
    let listed: Vec<String> = spans.iter().map(|(l, a, b)| format!("{l}: {a} to {b}")).collect();
    Ok(Some(format!(
        "the sources cover different dates ({}): counted {lo} to {hi}, which all of them cover, so that weeks one \
         source does not cover are not read as zeros; {} outside it left out (declare coverage with --covers-from \
         and --as-of, or [data] covers_from and as_of, or give --from/--to, to count them)",
        listed.join("; "),
        crate::text::counted(left_out, "incident")
    )))
}
