//! Trade statistics: hit rate, profit factor and average trade.

use super::moments::{defined, mean};

/// Share of trades with a strictly positive return.
///
/// `None` without trades or with a NaN trade return.
///
/// # Formula
/// ```text
/// hit rate = #{j : R_j > 0} / N
/// ```
/// (Pardo, R. (2008), *The Evaluation and Optimization of Trading Strategies*, 2nd ed., ch. 9).
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::hit_rate;
/// assert_eq!(hit_rate(&[0.02, -0.01, 0.0, 0.05]), Some(0.5));
/// assert_eq!(hit_rate(&[]), None);
/// ```
pub fn hit_rate(trade_returns: &[f64]) -> Option<f64> {
    if trade_returns.iter().any(|r| !r.is_finite()) {
        return None;
    }
    let wins = trade_returns.iter().filter(|r| **r > 0.0).count();
    defined(wins as f64 / trade_returns.len() as f64)
}

/// Profit factor: the sum of winning trade returns over the absolute sum of losing ones.
///
/// `None` without losing trades (the ratio is unbounded) or with a NaN trade return.
///
/// # Formula
/// ```text
/// PF = Σ_{R_j > 0} R_j / |Σ_{R_j < 0} R_j|
/// ```
/// (Pardo 2008, ch. 9; here on trade returns rather than currency profits, so every trade
/// counts with its own size).
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::profit_factor;
/// assert!((profit_factor(&[0.03, -0.01, 0.01, -0.01]).unwrap() - 2.0).abs() < 1e-15);
/// assert_eq!(profit_factor(&[0.01]), None);
/// ```
pub fn profit_factor(trade_returns: &[f64]) -> Option<f64> {
    let (mut gains, mut losses) = (0.0, 0.0);
    for &r in trade_returns {
        if r > 0.0 {
            gains += r;
        } else if r < 0.0 {
            losses -= r;
        } else if r.is_nan() {
            return None;
        }
    }
    if !(losses > 0.0) {
        return None;
    }
    defined(gains / losses)
}

/// Average trade: the mean trade return.
///
/// `None` without trades or with a NaN trade return.
///
/// # Formula
/// ```text
/// avg trade = Σ_j R_j / N
/// ```
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::average_trade;
/// assert!((average_trade(&[0.03, -0.01]).unwrap() - 0.01).abs() < 1e-15);
/// ```
pub fn average_trade(trade_returns: &[f64]) -> Option<f64> {
    defined(mean(trade_returns.len(), |j| trade_returns[j]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn hand_worked() {
        let r = [0.05, -0.02, 0.01, -0.03, 0.0];
        assert_eq!(hit_rate(&r), Some(0.4));
        assert_relative_eq!(
            profit_factor(&r).unwrap(),
            0.06 / 0.05,
            max_relative = 1e-14
        );
        assert_relative_eq!(average_trade(&r).unwrap(), 0.002, max_relative = 1e-12);
        assert_eq!(average_trade(&[]), None);
        assert_eq!(profit_factor(&[0.01, f64::NAN, -0.01]), None);
    }
}
