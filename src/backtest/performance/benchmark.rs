//! Metrics against the benchmark: beta and Jensen's alpha, tracking error and information
//! ratio.

use super::moments::{at_or_zero, defined, mean_sd};

/// Beta and annualised Jensen's alpha of a portfolio against its benchmark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JensenFit {
    /// Slope of the portfolio's excess return on the benchmark's.
    pub beta: f64,
    /// Intercept of that regression, annualised (daily intercept × P).
    pub alpha: f64,
}

/// Beta and Jensen's alpha: the least-squares line of the portfolio's excess return on the
/// benchmark's excess return (both over the risk-free rate, 0 when `None`).
///
/// `None` with fewer than two days, a benchmark without variance, NaN values or series of
/// different lengths. Alpha is additionally `None` for a non-finite factor (beta is not
/// annualised).
///
/// # Formula
/// ```text
/// e_t = r_t − rf_t,  x_t = b_t − rf_t
/// β = Σ (e_t − ē)(x_t − x̄) / Σ (x_t − x̄)²,   α = (ē − β x̄) · P
/// ```
/// Jensen, M. C. (1968), "The performance of mutual funds in the period 1945–1964", *Journal
/// of Finance* 23(2), 389–416.
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::jensen_fit;
/// // r = 0.001 + 2 b exactly: β = 2, α = 0.001 · 252.
/// let b = [0.01, -0.02, 0.005];
/// let r: Vec<f64> = b.iter().map(|x| 0.001 + 2.0 * x).collect();
/// let (beta, alpha) = jensen_fit(&r, &b, None, 252.0);
/// assert!((beta.unwrap() - 2.0).abs() < 1e-12);
/// assert!((alpha.unwrap() - 0.252).abs() < 1e-12);
/// ```
pub fn jensen_fit(
    returns: &[f64],
    benchmark: &[f64],
    risk_free: Option<&[f64]>,
    periods_per_year: f64,
) -> (Option<f64>, Option<f64>) {
    let n = returns.len();
    if benchmark.len() != n || risk_free.is_some_and(|rf| rf.len() != n) || n < 2 {
        return (None, None);
    }
    let e = |i: usize| returns[i] - at_or_zero(risk_free, i);
    let x = |i: usize| benchmark[i] - at_or_zero(risk_free, i);
    let (e_mean, _) = mean_sd(n, e);
    let (x_mean, _) = mean_sd(n, x);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for i in 0..n {
        let dx = x(i) - x_mean;
        sxy += (e(i) - e_mean) * dx;
        sxx += dx * dx;
    }
    if !(sxx > 0.0) {
        return (None, None);
    }
    let beta = sxy / sxx;
    let alpha = (e_mean - beta * x_mean) * periods_per_year;
    match defined(beta) {
        Some(b) => (Some(b), defined(alpha)),
        None => (None, None),
    }
}

/// Tracking error and information ratio of the active return a = r − b.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActiveRisk {
    /// Annualised standard deviation of the active return.
    pub tracking_error: Option<f64>,
    /// Annualised mean active return over the tracking error.
    pub information_ratio: Option<f64>,
}

/// Tracking error and information ratio of a portfolio against its benchmark.
///
/// Both `None` with fewer than two days, NaN values or series of different lengths; the ratio
/// also when the active return has no variance.
///
/// # Formula
/// ```text
/// a_t = r_t − b_t,   TE = sd(a) · √P,   IR = mean(a) · P / TE = mean(a) / sd(a) · √P
/// ```
/// (sd with divisor n − 1). Grinold, R. C. & Kahn, R. N. (2000), *Active Portfolio
/// Management*, 2nd ed., ch. 5.
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::active_risk;
/// // a = (0.01, 0.03): mean 0.02, sd 0.01·√2; P = 4.
/// let a = active_risk(&[0.02, 0.04], &[0.01, 0.01], 4.0);
/// assert!((a.tracking_error.unwrap() - 0.02 * 2f64.sqrt()).abs() < 1e-15);
/// assert!((a.information_ratio.unwrap() - 2.0 * 2f64.sqrt()).abs() < 1e-12);
/// ```
pub fn active_risk(returns: &[f64], benchmark: &[f64], periods_per_year: f64) -> ActiveRisk {
    let none = ActiveRisk {
        tracking_error: None,
        information_ratio: None,
    };
    if benchmark.len() != returns.len() {
        return none;
    }
    let (m, sd) = mean_sd(returns.len(), |i| returns[i] - benchmark[i]);
    let root_p = periods_per_year.sqrt();
    ActiveRisk {
        tracking_error: defined(sd * root_p),
        information_ratio: if sd > 0.0 {
            defined(m / sd * root_p)
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// e = (0.01, 0.00, 0.05), x = (0, 1, 2)·0.01 − rf: x̄ = 0.01, ē = 0.02,
    /// Σ(e−ē)(x−x̄) = (−0.01)(−0.01) + 0 + 0.03·0.01 = 4e-4, Σ(x−x̄)² = 2e-4 → β = 2,
    /// α = (0.02 − 2·0.01) · P = 0.
    #[test]
    fn hand_worked_beta() {
        let rf = [0.001, 0.001, 0.001];
        let r = [0.011, 0.001, 0.051];
        let b = [0.001, 0.011, 0.021];
        let (beta, alpha) = jensen_fit(&r, &b, Some(&rf), 252.0);
        assert_relative_eq!(beta.unwrap(), 2.0, max_relative = 1e-12);
        assert!(alpha.unwrap().abs() < 1e-14);
        assert_eq!(jensen_fit(&r, &[0.01; 3], None, 252.0), (None, None));
        assert_eq!(active_risk(&r, &r, 252.0).information_ratio, None);
    }
}
