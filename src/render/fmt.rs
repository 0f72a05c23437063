//! Number and date formatting, in exactly one place, so every table, summary
//! and report writes the same value the same way.

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
