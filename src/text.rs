//! Text helpers every layer may use: number formatting (in exactly one
//! place, so every table, summary and report writes the same value the same
//! way), escaping for spreadsheets and Markdown, and hexadecimal digests.

/// A count with thousands separators for people: `16566` → `16,566`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed count with thousands separators.
pub fn signed(n: i64) -> String {
    if n < 0 {
        format!("-{}", count(n.unsigned_abs()))
    } else {
        count(n as u64)
    }
}

/// A count and a noun, singular or plural: `1 incident`, `2 incidents`.
pub fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", count(n))
    }
}

/// Shorten a label to `max` characters with an ellipsis.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Shorten a label to `max` characters by cutting its middle, so both ends
/// still read: "Islamic Resistance…al-Nujaba".
pub fn ellipsis_middle(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max || max < 3 {
        return if chars.len() <= max { s.to_string() } else { ellipsis(s, max) };
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let a: String = chars[..head].iter().collect();
    let b: String = chars[chars.len() - tail..].iter().collect();
    format!("{}…{}", a.trim_end(), b.trim_start())
}

/// Labels for a set of names, each shortened in the middle to `max`
/// characters, and never two alike: names that would read the same keep
/// more characters, and names that are the same get a number ("(2)").
pub fn distinct_labels(names: &[&str], max: usize) -> Vec<String> {
    let mut budget = vec![max; names.len()];
    let mut out: Vec<String> = names.iter().map(|n| ellipsis_middle(n, max)).collect();
    for _ in 0..200 {
        let mut changed = false;
        for i in 0..out.len() {
            let clash = (0..out.len()).any(|j| j != i && out[j] == out[i] && names[j] != names[i]);
            if clash && budget[i] < names[i].chars().count() {
                budget[i] += 2;
                out[i] = ellipsis_middle(names[i], budget[i]);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for o in &mut out {
        let n = seen.entry(o.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            o.push_str(&format!(" ({n})"));
        }
    }
    out
}

/// A decimal with a fixed number of decimals (`-0.0` is written `0.0`).
pub fn decimal(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Text escaped for HTML and XML, in content and in quoted attributes:
/// `<script>` and `"q" & 'a'` cannot leave the text they are in. Control
/// characters other than newline and tab (not allowed in XML) become U+FFFD.
pub fn escape_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// Standard base64 with padding (RFC 4648), for `data:` URLs.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                o.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                o.push('=');
            }
        }
    }
    o
}

/// Defuse a text cell for spreadsheets (OWASP, CSV injection): a value that
/// starts with `=`, `+`, `-`, `@`, tab or carriage return would be run as a
/// formula by Excel, LibreOffice or Sheets, so it gets a leading `'`, which
/// they show as text. Numbers are never text cells, so `-3` stays a number.
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Escape a cell for a Markdown table: pipes, newlines and HTML cannot break out.
pub fn escape_markdown(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", " ")
        .replace(['\n', '\r'], " ")
}

/// Lower-case hexadecimal of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// Edit distance (insertions, deletions, substitutions) between two strings, by chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The `n` candidates closest to `name` (case-insensitive edit distance to
/// the candidate or one of its words; a candidate containing the name, or
/// contained in it, counts as close),
/// closest first, ties by name; only those within about a third of the
/// name's length, so a guess is a likely typo, not noise.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let key = name.to_lowercase();
    let limit = (key.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let lc = c.to_lowercase();
            let d = if !key.is_empty() && (lc.contains(&key) || key.contains(&lc)) && !lc.is_empty() {
                1
            } else {
                // The whole name, or one of its words ("katib" is close to "Kataib Hezbollah").
                let word = lc.split_whitespace().map(|w| edit_distance(&key, w) + 1).min().unwrap_or(usize::MAX);
                edit_distance(&key, &lc).min(word)
            };
            (d <= limit).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn shortened_labels_keep_both_ends_and_never_read_alike() {
        use super::{distinct_labels, ellipsis_middle};
        assert_eq!(ellipsis_middle("Harakat Hezbollah al-Nujaba", 16), "Harakat…-Nujaba");
        assert_eq!(ellipsis_middle("IS", 16), "IS");
        let names = [
            "Islamic Resistance in Iraq, Kataib Hezbollah",
            "Islamic Resistance in Iraq, Harakat al-Nujaba",
            "Islamic Resistance in Iraq, Kataib Hezbollah",
            "IS",
        ];
        let l = distinct_labels(&names, 28);
        assert_eq!(l[3], "IS");
        assert!(l.iter().all(|s| s.chars().count() <= 32), "{l:?}");
        let set: std::collections::BTreeSet<&String> = l.iter().collect();
        assert_eq!(set.len(), 4, "{l:?}");
        assert!(l[0].ends_with("Hezbollah") && l[1].ends_with("al-Nujaba"), "{l:?}");
    }

    #[test]
    fn base64_matches_rfc_4648_vectors_and_html_text_cannot_break_out() {
        use super::{base64, escape_html};
        for (plain, enc) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
        assert_eq!(base64(&[0xFB, 0xFF]), "+/8=");
        assert_eq!(escape_html("<script>\"a\" & 'b'\u{7}"), "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;\u{FFFD}");
    }

    #[test]
    fn closest_names_are_likely_typos_not_noise() {
        use super::{closest, edit_distance};
        let names = ["Kataib Hezbollah", "Harakat Hezbollah al-Nujaba", "IS", "actor", "actor_parent"];
        assert_eq!(closest("Katib", names, 3), ["Kataib Hezbollah"]);
        assert_eq!(closest("actr", names, 1), ["actor"]);
        assert!(closest("zzzzzz", names, 3).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(super::count(0), "0");
        assert_eq!(super::count(999), "999");
        assert_eq!(super::count(16_566), "16,566");
        assert_eq!(super::count(1_234_567), "1,234,567");
        assert_eq!(super::signed(-1_000), "-1,000");
        assert_eq!(super::decimal(2.0 / 3.0, 2), "0.67");
        assert_eq!(super::decimal(-0.001, 1), "0.0");
    }
}
