//! Drawdowns of the compounded equity curve, and the Calmar ratio built on the deepest one.

use super::moments::defined;

/// The deepest and the longest drawdown of an equity curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawdown {
    /// Maximum drawdown: the lowest equity over its running peak, minus 1 (≤ 0; 0 when the
    /// curve never falls below a previous peak).
    pub depth: f64,
    /// Longest drawdown in portfolio days, from the peak to the first day back at or above it,
    /// or to the last day when the curve has not recovered (0 without a drawdown).
    pub days: usize,
}

/// Maximum drawdown (depth and longest duration) of the equity compounded from daily returns,
/// starting from equity 1 before the first day.
///
/// A drawdown starts at a peak (day 0 is the starting equity) and ends on the first day the
/// equity is back at or above that peak; its duration is that day's index minus the peak's, or
/// n minus the peak's index when it never ends. `None` for an empty series or a NaN return.
///
/// # Formula
/// ```text
/// E_0 = 1,  E_t = E_{t−1}(1 + r_t),  M_t = max_{s ≤ t} E_s
/// MDD = min_t (E_t / M_t − 1)
/// duration = max over drawdowns of (recovery day or n) − peak day
/// ```
/// (Magdon-Ismail, M. & Atiya, A. (2004), "Maximum drawdown", *Risk* 17(10), 99–102).
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::max_drawdown;
/// // Equity 1.1, 0.99, 1.0395, 1.14345: a 10 % drawdown from day 1, recovered on day 4.
/// let dd = max_drawdown(&[0.1, -0.1, 0.05, 0.1]).unwrap();
/// assert!((dd.depth + 0.1).abs() < 1e-15);
/// assert_eq!(dd.days, 3);
/// ```
pub fn max_drawdown(returns: &[f64]) -> Option<Drawdown> {
    if returns.is_empty() || returns.iter().any(|r| !r.is_finite()) {
        return None;
    }
    let (mut equity, mut peak, mut peak_day) = (1.0f64, 1.0f64, 0usize);
    let (mut depth, mut days, mut under) = (0.0f64, 0usize, false);
    for (i, r) in returns.iter().enumerate() {
        let day = i + 1;
        equity *= 1.0 + r;
        if equity >= peak {
            if under {
                days = days.max(day - peak_day);
                under = false;
            }
            peak = equity;
            peak_day = day;
        } else {
            under = true;
            depth = depth.min(equity / peak - 1.0);
        }
    }
    if under {
        days = days.max(returns.len() - peak_day);
    }
    Some(Drawdown { depth, days })
}

/// Calmar ratio: CAGR over the absolute maximum drawdown.
///
/// `None` when either is undefined or there is no drawdown.
///
/// # Formula
/// ```text
/// Calmar = CAGR / |MDD|
/// ```
/// Young, T. W. (1991), "Calmar ratio: a smoother tool", *Futures* 20(1), 40.
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::calmar_ratio;
/// assert_eq!(calmar_ratio(Some(0.12), Some(-0.2)), Some(0.12 / 0.2));
/// assert_eq!(calmar_ratio(Some(0.12), Some(0.0)), None);
/// ```
pub fn calmar_ratio(cagr: Option<f64>, max_drawdown: Option<f64>) -> Option<f64> {
    let (c, mdd) = (cagr?, max_drawdown?);
    if mdd == 0.0 {
        return None;
    }
    defined(c / mdd.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Equity 0.9, 0.81, 0.891: a drawdown from the start never recovered, deepest on day 2.
    #[test]
    fn unrecovered_three_day_drawdown() {
        let dd = max_drawdown(&[-0.1, -0.1, 0.1]).unwrap();
        assert_relative_eq!(dd.depth, -0.19, max_relative = 1e-14);
        assert_eq!(dd.days, 3);
    }

    /// Two drawdowns: 1 → 0.9 → 0.81 → 1.0125 (3 days, −19 %), then 1.51875 → 0.759375 →
    /// 0.8353125 (unrecovered, 2 days to the end, −50 %): the longest and the deepest differ.
    #[test]
    fn depth_and_length_from_different_drawdowns() {
        let r = [-0.1, -0.1, 0.25, 0.5, -0.5, 0.1];
        let dd = max_drawdown(&r).unwrap();
        assert_relative_eq!(dd.depth, -0.5, max_relative = 1e-14);
        assert_eq!(dd.days, 3);
        let rising = max_drawdown(&[0.01, 0.02]).unwrap();
        assert_eq!((rising.depth, rising.days), (0.0, 0));
        assert_eq!(max_drawdown(&[0.01, f64::NAN]), None);
    }
}
