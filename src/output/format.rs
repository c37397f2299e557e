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
/// Reference: ISO C11, clause 7.21.6.1 (`g` conversion specifier).
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
    let mut out = String::with_capacity(24);
    write_g17(&mut out, x);
    out
}

/// Appends `x` formatted like C's `printf("%.17g", x)` to `out`, without allocating (the
/// text is built in a stack buffer). [`format_g17`] is this function into a new `String`.
///
/// The 17 significant digits are computed exactly: for 10⁻¹⁶ ≤ |x| < 10¹⁷ by one 128-bit
/// integer product `m·5^k` of the binary significand `m` (x = m·2^e) and a shift by `e + k`
/// bits with round-half-to-even on the remainder; for every other value (subnormals, very
/// small or large magnitudes) by Rust's correctly rounded `{:.16e}` written into a stack
/// buffer. Both give the digits of the exact binary value rounded to nearest, ties to even,
/// as glibc does.
///
/// # Formula
///
/// ```text
/// X = decimal exponent of |x| rounded to 17 digits,  k = 16 − X
/// N = round_half_even(m · 5^k · 2^(e+k)),  10^16 ≤ N < 10^17   (the 17 digits)
/// ```
///
/// Reference: ISO C11, clause 7.21.6.1 (`g` conversion specifier).
///
/// # Examples
///
/// ```
/// use evstudy::output::write_g17;
/// let mut line = String::from("ar=");
/// write_g17(&mut line, -3.9214493389641732e-05);
/// line.push(',');
/// write_g17(&mut line, 0.1);
/// assert_eq!(line, "ar=-3.9214493389641732e-05,0.10000000000000001");
/// ```
pub fn write_g17(out: &mut String, x: f64) {
    let mut buf = [0u8; G17_BUF];
    let n = g17_ascii(&mut buf, x);
    // The buffer holds ASCII only.
    out.push_str(std::str::from_utf8(&buf[..n]).unwrap_or_default());
}

/// [`write_g17`] into a byte buffer (the CSV writers build bytes, no UTF-8 check needed).
pub(crate) fn write_g17_bytes(out: &mut Vec<u8>, x: f64) {
    let mut buf = [0u8; G17_BUF];
    let n = g17_ascii(&mut buf, x);
    out.extend_from_slice(&buf[..n]);
}

/// `%.17g` of `x` as ASCII in `buf`; returns the length (at most 24).
fn g17_ascii(buf: &mut [u8; G17_BUF], x: f64) -> usize {
    let special: &[u8] = if x.is_nan() {
        b"nan"
    } else if x == f64::INFINITY {
        b"inf"
    } else if x == f64::NEG_INFINITY {
        b"-inf"
    } else if x == 0.0 {
        if x.is_sign_negative() {
            b"-0"
        } else {
            b"0"
        }
    } else {
        b""
    };
    if !special.is_empty() {
        buf[..special.len()].copy_from_slice(special);
        return special.len();
    }
    let (digits, exp) = match exact_digits_fast(x) {
        Some(found) => found,
        None => exact_digits_std(x),
    };
    layout_g(buf, x < 0.0, &digits, exp)
}

/// 5^k for k = 0..=32 (5^32 < 2^75, so m·5^k < 2^128 for every 53-bit significand m).
const POW5: [u128; 33] = {
    let mut table = [1u128; 33];
    let mut k = 1;
    while k < 33 {
        table[k] = table[k - 1] * 5;
        k += 1;
    }
    table
};

/// 10^17: the 17-digit integers N of the fast path lie in [10^16, 10^17).
const TEN_POW_17: u64 = 100_000_000_000_000_000;

/// round_half_even(m · 2^e · 10^k) for 0 ≤ k ≤ 32, or `None` if it does not fit the
/// 128-bit computation.
fn scaled_round(m: u64, e: i32, k: i32) -> Option<u64> {
    if !(0..=32).contains(&k) {
        return None;
    }
    let product = m as u128 * POW5[k as usize];
    let shift = e + k; // the remaining power of two
    if shift >= 0 {
        if shift >= 64 || product.leading_zeros() < 64 + shift as u32 {
            return None;
        }
        return Some((product << shift) as u64);
    }
    let s = (-shift) as u32;
    if s >= 128 {
        return None;
    }
    let q = product >> s;
    let rem = product - (q << s);
    let half = 1u128 << (s - 1);
    let q = if rem > half || (rem == half && q & 1 == 1) {
        q + 1
    } else {
        q
    };
    u64::try_from(q).ok()
}

/// The 17 correctly rounded significant digits of |x| and the decimal exponent X of the
/// rounded value, by exact 128-bit integer arithmetic; `None` outside 10⁻¹⁶ ≤ |x| < 10¹⁷
/// and for subnormals (the caller falls back to [`exact_digits_std`]).
fn exact_digits_fast(x: f64) -> Option<([u8; 17], i32)> {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 || biased == 0x7ff {
        return None; // subnormal (or not finite)
    }
    let m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let e = biased - 1075; // |x| = m · 2^e
    let log2 = biased - 1023; // 2^log2 ≤ |x| < 2^(log2+1)
                              // floor(log2 · log10(2)), exact for |log2| < 2600; 10^x0 ≤ 2^log2 ≤ |x|.
    let mut x0 = (log2 * 78_913) >> 18;
    let mut n = scaled_round(m, e, 16 - x0)?;
    if n >= TEN_POW_17 {
        // |x| ≥ 10^(x0+1) or rounding reached 10^(x0+1): one decimal exponent more, rounded
        // again from the exact value.
        x0 += 1;
        n = scaled_round(m, e, 16 - x0)?;
    }
    if !(TEN_POW_17 / 10..TEN_POW_17).contains(&n) {
        return None; // not expected; the slow path is always right
    }
    Some((digits_of(n), x0))
}

/// "00" … "99": two decimal digits per table lookup.
const DIGIT_PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut k = 0;
    while k < 100 {
        table[2 * k] = b'0' + (k / 10) as u8;
        table[2 * k + 1] = b'0' + (k % 10) as u8;
        k += 1;
    }
    table
};

/// Writes `v` < 10^8 as exactly eight digits.
fn eight_digits(out: &mut [u8], v: u32) {
    let (hi, lo) = (v / 10_000, v % 10_000);
    for (k, part) in [hi / 100, hi % 100, lo / 100, lo % 100]
        .into_iter()
        .enumerate()
    {
        let p = 2 * part as usize;
        out[2 * k..2 * k + 2].copy_from_slice(&DIGIT_PAIRS[p..p + 2]);
    }
}

/// The 17 decimal digits of `n` < 10^17 (leading zeros included).
fn digits_of(n: u64) -> [u8; 17] {
    let mut digits = [b'0'; 17];
    let (hi, lo) = (n / 100_000_000, (n % 100_000_000) as u32);
    let (top, mid) = ((hi / 100_000_000) as u8, (hi % 100_000_000) as u32);
    digits[0] = b'0' + top;
    eight_digits(&mut digits[1..9], mid);
    eight_digits(&mut digits[9..17], lo);
    digits
}

/// A `fmt::Write` sink on a fixed stack array (no heap allocation).
struct StackText {
    buf: [u8; 40],
    len: usize,
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The 17 significant digits and decimal exponent of |x| (finite, non-zero) from Rust's
/// correctly rounded `{:.16e}` (ties to even on the exact binary value, like glibc).
fn exact_digits_std(x: f64) -> ([u8; 17], i32) {
    use std::fmt::Write;
    let mut text = StackText {
        buf: [0; 40],
        len: 0,
    };
    // `d.dddddddddddddddde±X` is at most 24 bytes; the write cannot fail.
    let _ = write!(text, "{:.16e}", x.abs());
    let sci = &text.buf[..text.len];
    let mut digits = [b'0'; 17];
    let mut count = 0;
    let mut exp = 0i32;
    let mut exp_negative = false;
    let mut in_exp = false;
    for &b in sci {
        match b {
            b'e' | b'E' => in_exp = true,
            b'-' if in_exp => exp_negative = true,
            b'0'..=b'9' if in_exp => exp = exp * 10 + i32::from(b - b'0'),
            b'0'..=b'9' if count < 17 => {
                digits[count] = b;
                count += 1;
            }
            _ => {}
        }
    }
    (digits, if exp_negative { -exp } else { exp })
}

/// Size of the layout buffer: room for the fixed-size block copies of [`layout_g`] (sign,
/// up to 17 integer digits, the point and a 17-byte copy of the fraction).
const G17_BUF: usize = 48;

/// Lays out 17 significant digits with decimal exponent `exp` in `%g` form (trailing zeros
/// removed) into `buf`; returns the length. Digits are moved in fixed-size blocks (the bytes
/// after the returned length are scratch), which avoids a `memcpy` call per piece.
fn layout_g(buf: &mut [u8; G17_BUF], negative: bool, digits: &[u8; 17], exp: i32) -> usize {
    let significant = trim_zeros(digits).len().max(1);
    // The digits followed by zeros, so a 17-byte window may start anywhere in 0..=17.
    let mut padded = [b'0'; 34];
    padded[..17].copy_from_slice(digits);
    buf[0] = b'-';
    let mut n = usize::from(negative);
    if !(-4..17).contains(&exp) {
        // d.ddde±XX
        buf[n] = digits[0];
        buf[n + 1] = b'.';
        buf[n + 2..n + 18].copy_from_slice(&digits[1..17]);
        n += if significant > 1 { significant + 1 } else { 1 };
        buf[n] = b'e';
        buf[n + 1] = if exp < 0 { b'-' } else { b'+' };
        n += 2;
        let e = exp.unsigned_abs() as usize;
        if e >= 100 {
            buf[n] = b'0' + (e / 100) as u8;
            n += 1;
        }
        let p = 2 * (e % 100);
        buf[n..n + 2].copy_from_slice(&DIGIT_PAIRS[p..p + 2]);
        n + 2
    } else if exp >= 0 {
        // ddd[.ddd]: the integer digits, then the fraction shifted by one for the point.
        let int_len = exp as usize + 1; // 1 ..= 17
        buf[n..n + 17].copy_from_slice(digits);
        n += int_len;
        if significant > int_len {
            buf[n] = b'.';
            buf[n + 1..n + 18].copy_from_slice(&padded[int_len..int_len + 17]);
            n += 1 + significant - int_len;
        }
        n
    } else {
        // 0.000ddd: exp is −1 … −4, so one to four zeros after the point.
        buf[n..n + 6].copy_from_slice(b"0.0000");
        n += (1 - exp) as usize;
        buf[n..n + 17].copy_from_slice(digits);
        n + significant
    }
}

/// The digits without trailing ASCII zeros.
fn trim_zeros(digits: &[u8]) -> &[u8] {
    let end = digits.iter().rposition(|&b| b != b'0').map_or(0, |p| p + 1);
    &digits[..end]
}

/// Appends an optional number: `None` (NA) appends nothing (an empty field).
pub(crate) fn write_opt_g17(out: &mut Vec<u8>, x: Option<f64>) {
    if let Some(v) = x {
        write_g17_bytes(out, v);
    }
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

    /// The former `format_g17` (a heap `{:.16e}` string re-laid out): the reference the
    /// allocation-free writer is checked against.
    fn format_g17_reference(x: f64) -> String {
        if x.is_nan() {
            return "nan".to_string();
        }
        if x.is_infinite() {
            return if x > 0.0 { "inf" } else { "-inf" }.to_string();
        }
        if x == 0.0 {
            return if x.is_sign_negative() { "-0" } else { "0" }.to_string();
        }
        let sci = format!("{:.16e}", x.abs());
        let (mantissa, exponent) = sci.split_once('e').expect("exponent form");
        let exp: i32 = exponent.parse().expect("exponent");
        let digits: Vec<u8> = mantissa.bytes().filter(|b| b.is_ascii_digit()).collect();
        let mut out = String::new();
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
            let int_len = exp as usize + 1;
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

    /// xorshift64.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Asserts the writer (appending to a non-empty buffer) equals the reference.
    fn check_same(x: f64, buf: &mut String) {
        buf.clear();
        buf.push('#');
        write_g17(buf, x);
        let want = format_g17_reference(x);
        assert_eq!(&buf[1..], want, "bits {:#018x}", x.to_bits());
        let mut bytes = Vec::new();
        write_g17_bytes(&mut bytes, x);
        assert_eq!(bytes, want.as_bytes());
    }

    #[test]
    fn writer_matches_reference_on_a_million_doubles() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut buf = String::new();
        let mut checked = 0usize;
        // Random bit patterns (every exponent, subnormals included).
        for _ in 0..250_000 {
            check_same(f64::from_bits(next(&mut state)), &mut buf);
            checked += 1;
        }
        // Random subnormals.
        for _ in 0..50_000 {
            let bits = next(&mut state) & ((1u64 << 52) - 1) | (next(&mut state) & (1 << 63));
            check_same(f64::from_bits(bits), &mut buf);
            checked += 1;
        }
        // Log-uniform magnitudes over the fast path's range and a little beyond, and the
        // typical shapes of returns and p-values.
        for _ in 0..400_000 {
            let u = (next(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
            let magnitude = 10f64.powf(-20.0 + 40.0 * u);
            let sign = if next(&mut state) & 1 == 0 { 1.0 } else { -1.0 };
            check_same(sign * magnitude, &mut buf);
            check_same(sign * u * 0.05, &mut buf);
            checked += 2;
        }
        // Powers of ten and their neighbours, incl. the %g switch points 1e-5/1e-4 and 1e17.
        for p in -323..=308 {
            let x: f64 = format!("1e{p}").parse().unwrap();
            for y in [
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits() - 1),
            ] {
                for v in [y, -y, 9.9999999999999995 * y, 9.99999999999999999 * y] {
                    check_same(v, &mut buf);
                    checked += 1;
                }
            }
        }
        // Around the switch points: many ulps either side.
        for centre in [1e-5, 1e-4, 1e16, 1e17, 99999999999999999.0, 0.0001 - 5e-21] {
            let b = f64::to_bits(centre);
            for d in 0..2_000u64 {
                check_same(f64::from_bits(b + d), &mut buf);
                check_same(f64::from_bits(b - d), &mut buf);
                checked += 2;
            }
        }
        // Exact ties at the 18th digit (small odd multiples of powers of two) and integers.
        for j in 0..80 {
            for m in (1u64..2_000).step_by(3) {
                let x = m as f64 * 2f64.powi(-j);
                check_same(x, &mut buf);
                check_same(x * 1e16, &mut buf);
                checked += 2;
            }
        }
        for _ in 0..20_000 {
            check_same(
                (next(&mut state) >> (next(&mut state) % 64)) as f64,
                &mut buf,
            );
            checked += 1;
        }
        assert!(checked > 1_000_000, "{checked}");
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
