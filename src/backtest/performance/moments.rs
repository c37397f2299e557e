//! Mean and sample standard deviation of a series given by index, so that derived series
//! (excess, active returns) are summarised without being materialised.

/// Mean and sample standard deviation (divisor n − 1, two passes) of `f(0), …, f(n − 1)`.
///
/// The mean is NaN for n = 0 and the standard deviation NaN for n < 2; NaN inputs propagate.
pub(crate) fn mean_sd(n: usize, f: impl Fn(usize) -> f64) -> (f64, f64) {
    let mean = mean(n, &f);
    if n < 2 {
        return (mean, f64::NAN);
    }
    let mut ss = 0.0;
    for i in 0..n {
        let d = f(i) - mean;
        ss += d * d;
    }
    (mean, (ss / (n - 1) as f64).sqrt())
}

/// Mean of `f(0), …, f(n − 1)` (NaN for n = 0).
pub(crate) fn mean(n: usize, f: impl Fn(usize) -> f64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let mut s = 0.0;
    for i in 0..n {
        s += f(i);
    }
    s / n as f64
}

/// `Some(v)` when `v` is finite: every undefined metric (0/0, x/0, NaN input) becomes `None`.
pub(crate) fn defined(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// The value of a same-length companion series at `i`, 0 when there is none.
pub(crate) fn at_or_zero(series: Option<&[f64]>, i: usize) -> f64 {
    series.map_or(0.0, |s| s[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn mean_sd_hand_worked() {
        // 1, 2, 4: mean 7/3, squared deviations 16/9 + 1/9 + 25/9 = 42/9, variance 21/9.
        let x = [1.0, 2.0, 4.0];
        let (m, s) = mean_sd(3, |i| x[i]);
        assert_relative_eq!(m, 7.0 / 3.0, max_relative = 1e-15);
        assert_relative_eq!(s, (21.0f64 / 9.0).sqrt(), max_relative = 1e-15);
        assert!(mean_sd(1, |i| x[i]).1.is_nan());
        assert!(mean(0, |i| x[i]).is_nan());
        assert_eq!(defined(f64::INFINITY), None);
    }
}
