//! How much the strategy trades and how often it is invested: turnover and exposure.

use super::moments::{defined, mean};

/// Annualised turnover: the mean daily traded notional over equity, times P.
///
/// `None` for an empty series, a NaN value or a non-finite factor.
///
/// # Formula
/// ```text
/// turnover = (Σ_t τ_t / n) · P,   τ_t = traded notional_t / equity_t
/// ```
/// (τ_t as the portfolio simulation reports it, §16.2; every portfolio day counts, invested
/// or not).
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::annual_turnover;
/// assert!((annual_turnover(&[0.0, 0.2, 0.1], 252.0).unwrap() - 0.1 * 252.0).abs() < 1e-12);
/// ```
pub fn annual_turnover(turnover: &[f64], periods_per_year: f64) -> Option<f64> {
    defined(mean(turnover.len(), |i| turnover[i]) * periods_per_year)
}

/// Exposure: the share of portfolio days with at least one open position.
///
/// `None` for an empty series.
///
/// # Formula
/// ```text
/// exposure = #{t : positions_t > 0} / n
/// ```
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::exposure;
/// assert_eq!(exposure(&[0, 2, 1, 0]), Some(0.5));
/// ```
pub fn exposure(positions: &[u32]) -> Option<f64> {
    let open = positions.iter().filter(|p| **p > 0).count();
    defined(open as f64 / positions.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked() {
        assert_eq!(exposure(&[]), None);
        assert_eq!(exposure(&[3, 0, 0, 0, 1]), Some(0.4));
        assert_eq!(annual_turnover(&[0.5, 1.5], 10.0), Some(10.0));
        assert_eq!(annual_turnover(&[0.5, f64::NAN], 10.0), None);
    }
}
