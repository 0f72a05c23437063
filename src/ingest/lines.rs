//! Physical line numbers of records, for CRLF, CR and LF files alike.
//!
//! The csv crate counts only `\n`, and it gives a record the position just
//! after the previous record's terminator: in a CRLF file that is the `\n`
//! of the `\r\n`, so every record came out one line too low, and in a
//! CR-only file (old Excel for Mac) every record was on line 1. [`Counting`]
//! wraps the reader under the csv parser and notes where each line
//! terminator byte is; [`Lines::locate`] then turns a csv position into the
//! record's true first byte and its line. A line break is `\r\n`, `\r` or
//! `\n`; blank lines between records are counted.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex};

/// Terminator bytes seen by the reader and not yet behind a located record.
#[derive(Debug, Default)]
struct Terms {
    /// Bytes read so far.
    offset: u64,
    /// Whether the last byte read was `\r` (a `\n` after it is the same break).
    prev_cr: bool,
    /// (offset, whether it starts a line break) of every `\r` and `\n` not yet passed.
    pending: VecDeque<(u64, bool)>,
    /// Line breaks before the last located record.
    breaks: u64,
}

/// The shared view of a [`Counting`] reader's terminators.
#[derive(Debug, Clone, Default)]
pub struct Lines(Arc<Mutex<Terms>>);

/// A reader that notes the offsets of line terminators as bytes pass.
pub struct Counting<R> {
    inner: R,
    lines: Lines,
}

impl<R: Read> Counting<R> {
    /// Wrap `inner`; `lines` locates records in what it reads.
    pub fn new(inner: R) -> (Self, Lines) {
        let lines = Lines::default();
        (Counting { inner, lines: lines.clone() }, lines)
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            let mut t = self.lines.0.lock().unwrap_or_else(|e| e.into_inner());
            let base = t.offset;
            let mut prev_cr = t.prev_cr;
            let mut last = 0usize;
            for i in memchr::memchr2_iter(b'\r', b'\n', &buf[..n]) {
                if i > last {
                    prev_cr = false;
                }
                let b = buf[i];
                t.pending.push_back((base + i as u64, !(b == b'\n' && prev_cr)));
                prev_cr = b == b'\r';
                last = i + 1;
            }
            t.prev_cr = if last == n { prev_cr } else { false };
            t.offset = base + n as u64;
        }
        Ok(n)
    }
}

impl Lines {
    /// A record the csv reader places at byte `at` (just after the previous
    /// record): its true first byte (after any `\n` of a `\r\n` and any blank
    /// lines) and its 1-based line.
    pub fn locate(&self, at: u64) -> (u64, u64) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(&(o, brk)) = t.pending.front() {
            if o >= at {
                break;
            }
            t.breaks += u64::from(brk);
            t.pending.pop_front();
        }
        let (mut start, mut extra) = (at, 0);
        for &(o, brk) in &t.pending {
            if o != start {
                break;
            }
            extra += u64::from(brk);
            start += 1;
        }
        (start, t.breaks + extra + 1)
    }

    /// Line breaks in everything read so far (the line count of a whole input).
    pub fn total(&self) -> u64 {
        let t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        t.breaks + t.pending.iter().filter(|(_, b)| *b).count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of each record as the csv crate reads `text`, located by [`Lines`].
    fn record_lines(text: &[u8]) -> Vec<(u64, String)> {
        let (counting, lines) = Counting::new(text);
        let mut r =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(3).from_reader(counting);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let (start, line) = lines.locate(rec.position().unwrap().byte());
            out.push((line, String::from_utf8_lossy(&text[start as usize..start as usize + 1]).into_owned()));
        }
        out
    }

    #[test]
    fn lines_and_starts_are_physical_for_crlf_cr_and_lf_with_quoted_breaks_and_blank_lines() {
        for term in ["\n", "\r\n", "\r"] {
            let text = ["a,1", "b,\"x", "y\"", "", "c,2", "d,3", ""].join(term);
            let got = record_lines(text.as_bytes());
            let want: Vec<(u64, String)> =
                [(1, "a"), (2, "b"), (5, "c"), (6, "d")].iter().map(|(l, s)| (*l, s.to_string())).collect();
            assert_eq!(got, want, "terminator {term:?}");
        }
    }
}
