//! Equity curves and drawdown (methodology §16.2).

/// Equity compounded from 1: `E_t = E_{t−1} (1 + r_t)`, `E_{−1} = 1`.
pub(crate) fn compound(returns: &[f64]) -> Vec<f64> {
    let mut e = 1.0;
    returns
        .iter()
        .map(|r| {
            e *= 1.0 + r;
            e
        })
        .collect()
}

/// Drawdown: equity over its running maximum, minus 1; the running maximum starts at the
/// initial equity 1.
pub(crate) fn drawdown(equity: &[f64]) -> Vec<f64> {
    let mut peak: f64 = 1.0;
    equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            e / peak - 1.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn equity_and_drawdown_by_hand() {
        // 1 → 1.1 → 0.99 → 1.188
        let e = compound(&[0.1, -0.1, 0.2]);
        for (a, b) in e.iter().zip([1.1, 0.99, 1.188]) {
            assert_abs_diff_eq!(*a, b, epsilon = 1e-15);
        }
        let dd = drawdown(&e);
        for (a, b) in dd.iter().zip([0.0, 0.99 / 1.1 - 1.0, 0.0]) {
            assert_abs_diff_eq!(*a, b, epsilon = 1e-15);
        }
        // a first loss is a drawdown from the initial equity
        assert_abs_diff_eq!(drawdown(&[0.95])[0], -0.05, epsilon = 1e-15);
    }
}
