//! Splitting the records of well-formed CSV text without the csv crate's
//! state machine, for the parallel reader's byte ranges.
//!
//! Most exports are plain: every record ends in `\n` or `\r\n`, quotes open
//! only at a field's start and close just before a delimiter or a line
//! break, and there are no blank lines. On such text a one-line record is
//! found with one `memchr2` scan (line end or quote) and its delimiters
//! eight bytes at a time, several times faster than `csv_core` (a fifth of
//! a CSV query's time before this); a record with quoted fields takes a
//! `memchr` per field. Anything else (a lone `\r`,
//! a blank line, a quote inside an unquoted field, text after a closing
//! quote, a quote still open at the end of the file) makes [`split`] say
//! [`Step::Bail`], and the caller reads the whole range again with the csv
//! crate. So the fields, the record boundaries and the line numbers are the
//! csv crate's wherever this module answers. Property tests hold the two
//! equal: range by range in `parallel.rs` (generated text with and without
//! the cases above, guessed range starts, every encoding), file by file in
//! `tests/it/parallel.rs`, and on the hostile and fuzz corpora in
//! `tests/it/fuzz.rs`.

use csv::ByteRecord;
use memchr::{memchr, memchr2, memchr3, memchr_iter};

/// What splitting at one record start found.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// A record that is one line without quotes, `len` bytes long before its
    /// terminator: field `i` ends at `ends[i]` (offsets from the line's start),
    /// and the next record starts at `next`.
    Line {
        /// The line's length without its terminator.
        len: usize,
        /// Where the next record starts.
        next: usize,
    },
    /// A record, now in the `ByteRecord`: the next record starts at `next`,
    /// and the record holds `breaks` line breaks, its terminator included.
    Record {
        /// Where the next record starts.
        next: usize,
        /// Line breaks from this record's start to `next`.
        breaks: u64,
    },
    /// The record runs past the end of the text, and more text follows.
    More,
    /// The text is not plain here: read it with the csv crate.
    Bail,
}

/// Where field `i` of a [`Step::Line`] lies in the line, from the field ends.
pub fn span(ends: &[usize], i: usize) -> Option<std::ops::Range<usize>> {
    let end = *ends.get(i)?;
    let start = if i == 0 { 0 } else { ends[i - 1] + 1 };
    Some(start..end)
}

/// Whether every `\r` in `text` is the first half of a `\r\n` (a `\r` as
/// the last byte is left to the next call, when `more` text follows).
pub fn crs_paired(text: &[u8], more: bool) -> bool {
    memchr_iter(b'\r', text).all(|i| match text.get(i + 1) {
        Some(b) => *b == b'\n',
        None => more,
    })
}

/// Where a record's fields are put: a line's field ends, or the fields themselves.
pub struct Out<'a> {
    /// Field ends of a [`Step::Line`].
    pub ends: &'a mut Vec<usize>,
    /// Fields of a [`Step::Record`].
    pub rec: &'a mut ByteRecord,
    /// Room to unescape a quoted field.
    pub scratch: &'a mut Vec<u8>,
}

/// Split the record starting at `text[at]`. `eof`: `text` ends where the
/// file does. The caller has checked with [`crs_paired`] that every `\r` is
/// followed by `\n`.
pub fn split(text: &[u8], at: usize, eof: bool, delimiter: u8, out: &mut Out<'_>) -> Step {
    let Out { ends, rec, scratch } = out;
    rec.clear();
    ends.clear();
    // The csv crate skips blank lines; their line numbers are the precise reader's job.
    if matches!(text.get(at), Some(b'\n' | b'\r')) {
        return Step::Bail;
    }
    // The common record: one line without quotes, split on one scan of it.
    if let Some(n) = memchr2(b'\n', b'"', &text[at..]).filter(|&n| text[at + n] == b'\n') {
        let line = &text[at..at + n];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        find_all(line, delimiter, ends);
        ends.push(line.len());
        return Step::Line { len: line.len(), next: at + n + 1 };
    }
    let more = if eof { Step::Bail } else { Step::More };
    let mut i = at;
    let mut breaks = 0u64;
    loop {
        if text.get(i) == Some(&b'"') {
            // A quoted field: up to the quote not doubled, with `""` read as `"`.
            scratch.clear();
            let mut j = i + 1;
            i = loop {
                let Some(k) = memchr(b'"', &text[j..]) else {
                    // Still open where the text ends.
                    return more;
                };
                let q = j + k;
                scratch.extend_from_slice(&text[j..q]);
                match text.get(q + 1) {
                    Some(b'"') => {
                        scratch.push(b'"');
                        j = q + 2;
                    }
                    None if !eof => return Step::More,
                    _ => break q + 1,
                }
            };
            breaks += memchr_iter(b'\n', scratch).count() as u64;
            rec.push_field(scratch);
            match text.get(i) {
                None if eof => return Step::Record { next: i, breaks },
                None => return Step::More,
                Some(&b) if b == delimiter => i += 1,
                Some(b'\n') => return Step::Record { next: i + 1, breaks: breaks + 1 },
                Some(b'\r') => {
                    return match text.get(i + 1) {
                        Some(b'\n') => Step::Record { next: i + 2, breaks: breaks + 1 },
                        None if !eof => Step::More,
                        _ => Step::Bail,
                    }
                }
                // Text after the closing quote.
                Some(_) => return Step::Bail,
            }
        } else {
            match memchr3(delimiter, b'\n', b'"', &text[i..]) {
                None if eof => {
                    let field = &text[i..];
                    if field.contains(&b'\r') {
                        return Step::Bail;
                    }
                    rec.push_field(field);
                    return Step::Record { next: text.len(), breaks };
                }
                None => return Step::More,
                Some(k) => {
                    let e = i + k;
                    match text[e] {
                        // A quote inside an unquoted field.
                        b'"' => return Step::Bail,
                        b'\n' => {
                            let field = &text[i..e];
                            rec.push_field(field.strip_suffix(b"\r").unwrap_or(field));
                            return Step::Record { next: e + 1, breaks: breaks + 1 };
                        }
                        _ => {
                            rec.push_field(&text[i..e]);
                            i = e + 1;
                        }
                    }
                }
            }
        }
    }
}

/// Push the offset of every `byte` in `text` to `out`, eight bytes at a
/// time. Delimiters come every few bytes, where `memchr_iter` pays its
/// setup for each one.
fn find_all(text: &[u8], byte: u8, out: &mut Vec<usize>) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = u64::from_le_bytes([byte; 8]);
    let mut words = text.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let v = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ pattern;
        // The top bit of each byte of `v` that is zero, exactly (no borrow between bytes).
        let mut zeros = !(((v & LOW7).wrapping_add(LOW7)) | v | LOW7);
        while zeros != 0 {
            out.push(base + (zeros.trailing_zeros() / 8) as usize);
            zeros &= zeros - 1;
        }
        base += 8;
    }
    out.extend(words.remainder().iter().enumerate().filter(|(_, &b)| b == byte).map(|(i, _)| base + i));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `text` as [`split`] gives it (`None` if it bails),
    /// with the line it starts on.
    fn fast(text: &[u8], delimiter: u8) -> Option<Vec<(u64, Vec<Vec<u8>>)>> {
        if !crs_paired(text, false) {
            return None;
        }
        let (mut rec, mut scratch, mut ends) = (ByteRecord::new(), Vec::new(), Vec::new());
        let (mut at, mut line, mut out) = (0, 1, Vec::new());
        while at < text.len() {
            let step =
                split(text, at, true, delimiter, &mut Out { ends: &mut ends, rec: &mut rec, scratch: &mut scratch });
            match step {
                Step::Line { len, next } => {
                    let fields = (0..ends.len()).filter_map(|i| span(&ends, i));
                    out.push((line, fields.map(|r| text[at..][r].to_vec()).collect()));
                    assert_eq!(ends.last(), Some(&len));
                    line += 1;
                    at = next;
                }
                Step::Record { next, breaks } => {
                    out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
                    line += breaks;
                    at = next;
                }
                Step::More | Step::Bail => return None,
            }
        }
        Some(out)
    }

    /// The same records as the csv crate reads them, lines by [`super::super::lines`].
    fn precise(text: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let (counting, lines) = super::super::lines::Counting::new(text);
        let mut r =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(counting);
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let (_, line) = lines.locate(rec.position().unwrap().byte());
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    #[test]
    fn plain_text_splits_as_the_csv_crate_reads_it() {
        let texts: &[&[u8]] = &[
            b"a,b,c\n1,2,3\n",
            b"a,b,c\r\n1,,3\r\n,,\r\n",
            b"a,\"b,\nc\",d\n\"x\"\"y\",\"\",z",
            b"only one field\n\"quoted\r\nbreak\"\n",
            b"x,y\n\xef\xbb\xbfbom,kept\n",
            b"trailing,delimiter,\n,\n",
        ];
        for text in texts {
            assert_eq!(fast(text, b','), Some(precise(text, b',')), "{}", String::from_utf8_lossy(text));
        }
        let tsv = b"a\tb,c\t\"d\te\"\n1\t2\t3\n";
        assert_eq!(fast(tsv, b'\t'), Some(precise(tsv, b'\t')));
    }

    #[test]
    fn every_delimiter_is_found_at_every_offset() {
        for len in 0..40 {
            for byte in [b',', b'\t', 0x80, 0xff, 0] {
                let text: Vec<u8> = (0..len).map(|i| [byte, b'a', byte ^ 1, 0x7f, byte, 0x80][i * 7 % 6]).collect();
                let mut got = Vec::new();
                find_all(&text, byte, &mut got);
                let want: Vec<usize> = (0..len).filter(|&i| text[i] == byte).collect();
                assert_eq!(got, want, "{text:?}");
            }
        }
    }

    #[test]
    fn text_that_is_not_plain_is_left_to_the_csv_crate() {
        let texts: &[&[u8]] = &[
            b"a,b\n\nc,d\n",
            b"a,b\rc,d\r",
            b"a,b\r\n\r\nc,d\r\n",
            b"a,x\"y\",b\n",
            b"a,\"x\"y,b\n",
            b"a,\"never closed\n",
            b"a,b\r",
        ];
        for text in texts {
            assert_eq!(fast(text, b','), None, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn a_record_cut_by_the_end_of_the_text_asks_for_more() {
        let (mut rec, mut scratch, mut ends) = (ByteRecord::new(), Vec::new(), Vec::new());
        for cut in [&b"a,b"[..], b"a,\"b\nc", b"a,\"b\"", b"a,b\r", b"a,\"b\"\r"] {
            let mut out = Out { ends: &mut ends, rec: &mut rec, scratch: &mut scratch };
            assert_eq!(split(cut, 0, false, b',', &mut out), Step::More, "{cut:?}");
        }
        assert!(crs_paired(b"a,b\r", true));
        assert!(!crs_paired(b"a,b\r", false));
    }
}
