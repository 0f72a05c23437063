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

/// A decimal with a fixed number of decimals (`-0.0` is written `0.0`).
pub fn decimal(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
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

#[cfg(test)]
mod tests {
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
