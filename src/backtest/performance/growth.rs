//! Compounded growth: total return and CAGR.

/// Total compounded return of a daily return series.
///
/// `None` for an empty series or a non-finite result (a NaN return).
///
/// # Formula
/// ```text
/// TR = Π_t (1 + r_t) − 1
/// ```
/// (buy-and-hold compounding, e.g. Bacon 2008, *Practical Portfolio Performance Measurement
/// and Attribution*, ch. 2).
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::total_return;
/// // 1.1 × 0.9 − 1 = −0.01
/// assert!((total_return(&[0.1, -0.1]).unwrap() + 0.01).abs() < 1e-15);
/// assert_eq!(total_return(&[]), None);
/// ```
pub fn total_return(returns: &[f64]) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    let growth: f64 = returns.iter().fold(1.0, |g, r| g * (1.0 + r));
    super::moments::defined(growth - 1.0)
}

/// Compound annual growth rate of a daily return series with `periods_per_year` returns a
/// year.
///
/// `None` for an empty series, a wealth that reaches zero or below (no real growth rate) or a
/// non-finite annualisation factor.
///
/// # Formula
/// ```text
/// CAGR = (1 + TR)^(P / n) − 1
/// ```
/// with n returns and P periods per year: the constant per-year rate that compounds to the
/// same terminal wealth over n / P years.
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::cagr;
/// // Two periods of 10 % with 2 periods a year: one year of 21 %.
/// assert!((cagr(&[0.1, 0.1], 2.0).unwrap() - 0.21).abs() < 1e-15);
/// assert_eq!(cagr(&[-1.0], 252.0), None);
/// ```
pub fn cagr(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    let wealth = 1.0 + total_return(returns)?;
    if !(wealth > 0.0) {
        return None;
    }
    super::moments::defined(wealth.powf(periods_per_year / returns.len() as f64) - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn hand_worked() {
        // 1.02 · 0.99 · 1.03 = 1.040094; over 3 periods with P = 12: 1.040094^4 − 1.
        let r = [0.02, -0.01, 0.03];
        assert_relative_eq!(total_return(&r).unwrap(), 0.040094, max_relative = 1e-12);
        assert_relative_eq!(
            cagr(&r, 12.0).unwrap(),
            1.040094f64.powi(4) - 1.0,
            max_relative = 1e-12
        );
        assert_eq!(total_return(&[0.1, f64::NAN]), None);
        assert_eq!(cagr(&r, f64::NAN), None);
    }
}
