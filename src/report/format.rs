//! Numbers and names as the report writes them: rounded numbers, significance stars,
//! thousands separators and file-name slugs.

/// A number rounded for reading: 4 significant digits in fixed notation for
/// 1e-4 ≤ |x| < 1e6, else scientific with 4 significant digits; `NA` for NaN.
pub(crate) fn fmt_num(x: f64) -> String {
    if x.is_nan() {
        return "NA".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        };
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let a = x.abs();
    if (1e-4..1e6).contains(&a) {
        let mag = a.log10().floor() as i32;
        let decimals = (3 - mag).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

pub(crate) fn fmt_opt(x: Option<f64>) -> String {
    x.map(fmt_num).unwrap_or_default()
}

/// A return (a fraction) written in percent for reading (`0.0123` → `1.230`); empty when
/// missing. Every return, CAR, AAR and CAAR of the report is shown this way.
pub(crate) fn fmt_pct(x: Option<f64>) -> String {
    x.map(|v| fmt_num(100.0 * v)).unwrap_or_default()
}

/// Significance stars of a two-sided p-value: `***` < 0.01, `**` < 0.05, `*` < 0.1.
pub(crate) fn stars(p: Option<f64>) -> &'static str {
    match p {
        Some(p) if p < 0.01 => "***",
        Some(p) if p < 0.05 => "**",
        Some(p) if p < 0.1 => "*",
        _ => "",
    }
}

/// A file-name-safe version of `s`: ASCII letters, digits and `-` kept, others `_`.
pub(crate) fn slug(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() {
        "_".to_string()
    } else {
        t
    }
}

/// A count with thousands separators (`50000` → `50,000`).
pub(crate) fn fmt_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_num_readable() {
        assert_eq!(fmt_num(0.0101576560), "0.01016");
        assert_eq!(fmt_num(2.0731737), "2.073");
        assert_eq!(fmt_num(-1234.5678), "-1235");
        assert_eq!(fmt_num(0.00028731042), "0.0002873");
        assert_eq!(fmt_num(3.9e-5), "3.900e-5");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(stars(Some(0.009)), "***");
        assert_eq!(stars(Some(0.04)), "**");
        assert_eq!(stars(Some(0.07)), "*");
        assert_eq!(stars(Some(0.1)), "");
        assert_eq!(stars(None), "");
    }

    #[test]
    fn returns_are_written_in_percent() {
        assert_eq!(fmt_pct(Some(-0.1312345)), "-13.12");
        assert_eq!(fmt_pct(Some(0.0123)), "1.230");
        assert_eq!(fmt_pct(Some(0.0)), "0");
        assert_eq!(fmt_pct(None), "");
    }
}
