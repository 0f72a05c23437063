//! The incoming ids of a streaming ingest, kept on disk (issue 17). Each id
//! is a 128-bit key ([`super::spill::id_key`]) with its place in the input
//! (`seq`); the pairs go to partition files by key, and each partition is
//! sorted on its own. That finds repeated ids, and marks the store's rows
//! whose id comes in again, with memory for one partition (about
//! [`PART_ROWS`] keys) instead of every id of the input.

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Keys per partition file.
pub const PART_ROWS: u64 = 2_000_000;

const RECORD: usize = 24;

fn part_of(key: u128, parts: usize) -> usize {
    ((key >> 64) as u64 % parts as u64) as usize
}

/// Partition files being written: (key, seq) records.
struct Parts {
    paths: Vec<PathBuf>,
    writers: Vec<BufWriter<std::fs::File>>,
}

impl Parts {
    fn new(dir: &Path, prefix: &str, parts: usize) -> Result<Parts> {
        let paths: Vec<PathBuf> = (0..parts).map(|p| dir.join(format!("{prefix}-{p:04}.bin"))).collect();
        let writers = paths
            .iter()
            .map(|p| {
                std::fs::File::create(p).map(|f| BufWriter::with_capacity(1 << 16, f)).map_err(|e| Error::io(p, e))
            })
            .collect::<Result<_>>()?;
        Ok(Parts { paths, writers })
    }

    fn push(&mut self, key: u128, seq: u64) -> Result<()> {
        let p = part_of(key, self.paths.len());
        let w = &mut self.writers[p];
        let mut rec = [0u8; RECORD];
        rec[..16].copy_from_slice(&key.to_le_bytes());
        rec[16..].copy_from_slice(&seq.to_le_bytes());
        w.write_all(&rec).map_err(|e| Error::io(&self.paths[p], e))
    }

    fn finish(self) -> Result<Vec<PathBuf>> {
        for (w, p) in self.writers.into_iter().zip(&self.paths) {
            w.into_inner().map_err(|e| Error::io(p, e.into_error()))?;
        }
        Ok(self.paths)
    }
}

fn read_records(path: &Path) -> Result<Vec<(u128, u64)>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(|e| Error::io(path, e))?;
    let _ = std::fs::remove_file(path);
    Ok(bytes
        .chunks_exact(RECORD)
        .map(|r| {
            let mut k = [0u8; 16];
            let mut s = [0u8; 8];
            k.copy_from_slice(&r[..16]);
            s.copy_from_slice(&r[16..]);
            (u128::from_le_bytes(k), u64::from_le_bytes(s))
        })
        .collect())
}

/// Incoming ids as they are read.
pub struct KeyWriter {
    dir: PathBuf,
    parts: Parts,
}

impl KeyWriter {
    /// Key files in `dir` for about `rows` ids.
    pub fn new(dir: &Path, rows: u64) -> Result<KeyWriter> {
        let parts = rows.div_ceil(PART_ROWS).clamp(1, 4096) as usize;
        Ok(KeyWriter { dir: dir.to_path_buf(), parts: Parts::new(dir, "in", parts)? })
    }

    /// Note the id `key` of the row at `seq` (rows come in input order).
    pub fn push(&mut self, key: u128, seq: u64) -> Result<()> {
        self.parts.push(key, seq)
    }

    /// Sort each partition: the repeated ids, and each partition's keys once.
    pub fn finish(self) -> Result<Keys> {
        let paths = self.parts.finish()?;
        let (mut repeat_of, mut firsts, mut unique) = (HashMap::new(), HashSet::new(), Vec::new());
        for path in &paths {
            let mut recs = read_records(path)?;
            recs.sort_unstable();
            for group in recs.chunk_by(|a, b| a.0 == b.0) {
                if group.len() > 1 {
                    firsts.insert(group[0].1);
                    repeat_of.extend(group[1..].iter().map(|e| (e.1, group[0].1)));
                }
            }
            let mut keys: Vec<u8> = Vec::with_capacity(recs.len() * 16);
            let mut last = None;
            for (k, _) in recs {
                if last != Some(k) {
                    keys.extend_from_slice(&k.to_le_bytes());
                    last = Some(k);
                }
            }
            let out = unique_path(path);
            std::fs::write(&out, keys).map_err(|e| Error::io(&out, e))?;
            unique.push(out);
        }
        Ok(Keys { dir: self.dir, unique, repeat_of, firsts })
    }
}

fn unique_path(path: &Path) -> PathBuf {
    path.with_extension("keys")
}

/// The incoming ids, sorted on disk by partition.
pub struct Keys {
    dir: PathBuf,
    unique: Vec<PathBuf>,
    /// Rows whose id repeats an earlier row's: seq → the first's seq.
    pub repeat_of: HashMap<u64, u64>,
    /// The first rows of repeated ids.
    pub firsts: HashSet<u64>,
}

/// One bit per row of a store, in storage order.
#[derive(Debug, Clone, Default)]
pub struct Bits(Vec<u64>);

impl Bits {
    /// Mark row `i`.
    pub fn set(&mut self, i: u64) {
        let w = (i / 64) as usize;
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        self.0[w] |= 1 << (i % 64);
    }

    /// Whether row `i` is marked.
    pub fn get(&self, i: u64) -> bool {
        self.0.get((i / 64) as usize).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// The store's rows (key, ordinal), given while the store is read in order.
pub struct OldKeys<'k> {
    keys: &'k Keys,
    parts: Parts,
}

impl Keys {
    /// Start marking the rows of a store whose id comes in again.
    pub fn old(&self) -> Result<OldKeys<'_>> {
        Ok(OldKeys { keys: self, parts: Parts::new(&self.dir, "old", self.unique.len())? })
    }
}

impl OldKeys<'_> {
    /// Note the store row at `ordinal` (storage order) with id `key`.
    pub fn push(&mut self, key: u128, ordinal: u64) -> Result<()> {
        self.parts.push(key, ordinal)
    }

    /// The store rows whose id comes in.
    pub fn finish(self) -> Result<Bits> {
        let mut bits = Bits::default();
        for (old, unique) in self.parts.finish()?.iter().zip(&self.keys.unique) {
            let mut recs = read_records(old)?;
            recs.sort_unstable();
            let bytes = std::fs::read(unique).map_err(|e| Error::io(unique, e))?;
            let mut incoming = bytes.chunks_exact(16).map(|c| {
                let mut k = [0u8; 16];
                k.copy_from_slice(c);
                u128::from_le_bytes(k)
            });
            let mut next = incoming.next();
            for (k, ordinal) in recs {
                while next.is_some_and(|n| n < k) {
                    next = incoming.next();
                }
                if next == Some(k) {
                    bits.set(ordinal);
                }
            }
        }
        Ok(bits)
    }
}
