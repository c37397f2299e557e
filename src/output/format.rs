//! Number formatting for the output tables: C's `%.17g` (methodology §12).

/// Formats a double exactly as C's `printf("%.17g", x)` (and Python's `'%.17g' % x`).
///
/// Seventeen significant digits are enough to round-trip every IEEE double, so a value
/// written by evstudy and read back is bit-identical. The rules of `%g` with precision
/// P = 17: with X the decimal exponent of the value rounded to 17 significant digits, the
/// fixed form is used when −4 ≤ X < 17 and the exponent form (`d.ddde±XX`, at least two
/// exponent digits) otherwise; trailing zeros of the fraction and a trailing decimal point
/// are removed. Rounding is to nearest, ties to even, on the exact binary value.
/// NaN is written `nan`, infinities `inf` / `-inf`, negative zero `-0`.
///
/// # Formula
///
/// ```text
/// s = x rounded to 17 significant digits = m · 10^X, 1 ≤ |m| < 10
/// fixed form        if −4 ≤ X < 17
/// exponent form     otherwise
/// ```
///
/// Reference: ISO C11 §7.21.6.1 (`g` conversion specifier).
///
/// # Examples
///
/// ```
/// use evstudy::output::format_g17;
/// assert_eq!(format_g17(0.1), "0.10000000000000001");
/// assert_eq!(format_g17(-3.9214493389641732e-05), "-3.9214493389641732e-05");
/// assert_eq!(format_g17(43.0), "43");
/// assert_eq!(format_g17(0.125), "0.125");
/// assert_eq!(format_g17(1e17), "1e+17");
/// ```
pub fn format_g17(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".to_string()
        } else {
            "0".to_string()
        };
    }
    // Rust's `{:.16e}` is correctly rounded (ties to even on the exact binary value), like glibc.
    let sci = format!("{:.16e}", x.abs());
    let (mantissa, exponent) = match sci.split_once('e') {
        Some(parts) => parts,
        None => return sci, // unreachable for finite values; never panic
    };
    let exp: i32 = exponent.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa.bytes().filter(|b| b.is_ascii_digit()).collect();
    let mut out = String::with_capacity(26);
    if x < 0.0 {
        out.push('-');
    }
    if !(-4..17).contains(&exp) {
        let significant = trim_zeros(&digits);
        out.push(significant[0] as char);
        if significant.len() > 1 {
            out.push('.');
            out.extend(significant[1..].iter().map(|&b| b as char));
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else if exp >= 0 {
        let int_len = exp as usize + 1; // ≤ 17
        out.extend(digits[..int_len].iter().map(|&b| b as char));
        let frac = trim_zeros(&digits[int_len..]);
        if !frac.is_empty() {
            out.push('.');
            out.extend(frac.iter().map(|&b| b as char));
        }
    } else {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.extend(trim_zeros(&digits).iter().map(|&b| b as char));
    }
    out
}

/// The digits without trailing ASCII zeros.
fn trim_zeros(digits: &[u8]) -> &[u8] {
    let end = digits.iter().rposition(|&b| b != b'0').map_or(0, |p| p + 1);
    &digits[..end]
}

/// Formats an optional number: `None` (NA) is the empty string.
pub(crate) fn format_opt(x: Option<f64>) -> String {
    x.map(format_g17).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_examples_match_c_printf() {
        // Expected strings produced by Python 3 `'%.17g' % x` (glibc printf semantics).
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (43.0, "43"),
            (7.0, "7"),
            (0.125, "0.125"),
            (-0.5, "-0.5"),
            (0.1, "0.10000000000000001"),
            (0.3, "0.29999999999999999"),
            (2.0 / 7.0, "0.2857142857142857"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (2f64.powi(60), "1.152921504606847e+18"),
            (9007199254740993.0, "9007199254740992"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (1.5e-300, "1.5000000000000001e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "4.9406564584124654e-324"),
            (-0.0, "-0"),
            (0.0, "0"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (99999999999999999.0, "1e+17"),
            (0.00012345, "0.00012344999999999999"),
        ];
        for &(x, want) in cases {
            assert_eq!(format_g17(x), want, "value {x:e}");
        }
    }

    #[test]
    fn round_trips_random_bits() {
        // Parsing the 17-digit output gives back the same double (the point of %.17g).
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if !x.is_finite() {
                continue;
            }
            let s = format_g17(x);
            let back: f64 = s.parse().expect("parsable");
            assert_eq!(back.to_bits(), x.to_bits(), "{s}");
        }
    }

    #[test]
    fn golden_numbers_reformat_byte_for_byte() {
        let Some(shared) = crate::shared_data::shared_dir() else {
            return;
        };
        let dir = shared.join("golden/spec/b_panel");
        let mut checked = 0usize;
        for name in [
            "abnormal_returns.csv",
            "cars.csv",
            "model_fits.csv",
            "aggregate.csv",
            "tests.csv",
            "debug_estimation_residuals.csv",
            "debug_pair_correlations.csv",
            "debug_group_quantities.csv",
        ] {
            let text = std::fs::read_to_string(dir.join(name)).expect("golden file");
            for line in text.lines().skip(1) {
                for field in line.split(',') {
                    if field.is_empty()
                        || !field.starts_with(|c: char| c == '-' || c.is_ascii_digit())
                    {
                        continue;
                    }
                    if field.contains(':') || field.matches('-').count() > 1 && !field.contains('e')
                    {
                        continue; // windows `a:b`, dates
                    }
                    let Ok(x) = field.parse::<f64>() else {
                        continue;
                    };
                    assert_eq!(format_g17(x), field, "{name}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "only {checked} numbers checked");
    }
}
