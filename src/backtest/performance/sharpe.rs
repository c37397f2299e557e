//! Volatility and the risk-adjusted ratios of the return series: Sharpe (with Lo's standard
//! error) and Sortino.

use super::moments::{at_or_zero, defined, mean, mean_sd};

/// Annualised volatility: the sample standard deviation of daily returns (divisor n − 1)
/// times √P.
///
/// `None` with fewer than two returns, a NaN return or a non-finite factor.
///
/// # Formula
/// ```text
/// σ = sd(r) · √P,   sd(r)² = Σ (r_t − r̄)² / (n − 1)
/// ```
/// (square-root-of-time scaling of an IID per-period standard deviation, Lo 2002 eq. 7's
/// premise).
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::volatility;
/// // sd(0.01, 0.03) = √2 · 0.01; with P = 4: 0.02 · √2.
/// let v = volatility(&[0.01, 0.03], 4.0).unwrap();
/// assert!((v - 0.02 * 2f64.sqrt()).abs() < 1e-15);
/// ```
pub fn volatility(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    let (_, sd) = mean_sd(returns.len(), |i| returns[i]);
    defined(sd * periods_per_year.sqrt())
}

/// Annualised Sharpe ratio of daily returns over a daily risk-free rate (0 when `None`).
///
/// `None` with fewer than two returns, zero variance of the excess return, NaN values, a
/// risk-free series of another length or a non-finite factor.
///
/// # Formula
/// ```text
/// e_t = r_t − rf_t,   SR = mean(e) / sd(e) · √P   (sd with divisor n − 1)
/// ```
/// Sharpe (1994), "The Sharpe ratio", *Journal of Portfolio Management* 21(1); annualised by
/// √P as in Lo (2002) for IID returns.
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::sharpe_ratio;
/// // e = (0.01, 0.03): mean 0.02, sd 0.01·√2; P = 4 → 0.02 / (0.01·√2) · 2 = 2√2.
/// let sr = sharpe_ratio(&[0.02, 0.04], Some(&[0.01, 0.01]), 4.0).unwrap();
/// assert!((sr - 2.0 * 2f64.sqrt()).abs() < 1e-12);
/// assert_eq!(sharpe_ratio(&[0.01, 0.01], None, 252.0), None);
/// ```
pub fn sharpe_ratio(
    returns: &[f64],
    risk_free: Option<&[f64]>,
    periods_per_year: f64,
) -> Option<f64> {
    let excess = excess_returns(returns, risk_free)?;
    let (m, sd) = mean_sd(returns.len(), excess);
    annualised_ratio(m, sd, periods_per_year)
}

/// Standard error of an annualised Sharpe ratio estimated from n IID returns (Lo 2002).
///
/// Lo's IID formula on the per-period ratio SR_p = SR / √P, scaled back by √P. The
/// serial-correlation-adjusted version (Lo 2002 eq. 19) is not used: it needs the return
/// autocorrelations up to the annualisation horizon, which a backtest of a few hundred days
/// estimates poorly.
///
/// # Formula
/// ```text
/// SE(SR) = √P · √((1 + SR_p² / 2) / n),   SR_p = SR / √P
/// ```
/// Lo, A. W. (2002), "The statistics of Sharpe ratios", *Financial Analysts Journal* 58(4),
/// eq. 9.
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::sharpe_std_error;
/// // SR = 0 over 100 periods with P = 1: √(1/100) = 0.1.
/// assert!((sharpe_std_error(0.0, 100, 1.0).unwrap() - 0.1).abs() < 1e-15);
/// assert_eq!(sharpe_std_error(1.0, 0, 252.0), None);
/// ```
pub fn sharpe_std_error(sharpe: f64, n: usize, periods_per_year: f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let per_period = sharpe / periods_per_year.sqrt();
    let se = ((1.0 + per_period * per_period / 2.0) / n as f64).sqrt();
    defined(se * periods_per_year.sqrt())
}

/// Annualised Sortino ratio: the mean excess return over its downside deviation below 0.
///
/// The target (minimum acceptable return) is the risk-free rate, i.e. 0 for the excess return
/// e = r − rf, and the downside deviation averages over all n days, the winning ones as zeros
/// (Sortino & van der Meer 1991). Undefined (`None`) when no excess return is negative, and
/// for the same bad inputs as [`sharpe_ratio`].
///
/// # Formula
/// ```text
/// DD = √( Σ_t min(e_t, 0)² / n ),   Sortino = mean(e) / DD · √P
/// ```
/// Sortino, F. A. & van der Meer, R. (1991), "Downside risk", *Journal of Portfolio
/// Management* 17(4), 27–31.
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::sortino_ratio;
/// // e = (0.03, −0.01): mean 0.01, DD = √(0.0001 / 2); P = 1 → 0.01 / 0.00707… = √2.
/// let s = sortino_ratio(&[0.03, -0.01], None, 1.0).unwrap();
/// assert!((s - 2f64.sqrt()).abs() < 1e-12);
/// ```
pub fn sortino_ratio(
    returns: &[f64],
    risk_free: Option<&[f64]>,
    periods_per_year: f64,
) -> Option<f64> {
    let excess = excess_returns(returns, risk_free)?;
    let n = returns.len();
    let downside = mean(n, |i| excess(i).min(0.0).powi(2)).sqrt();
    annualised_ratio(mean(n, excess), downside, periods_per_year)
}

/// The excess return e_t = r_t − rf_t by day (r_t without a risk-free series); `None` when
/// the risk-free series has another length.
fn excess_returns<'a>(
    returns: &'a [f64],
    risk_free: Option<&'a [f64]>,
) -> Option<impl Fn(usize) -> f64 + Copy + 'a> {
    if risk_free.is_some_and(|rf| rf.len() != returns.len()) {
        return None;
    }
    Some(move |i: usize| returns[i] - at_or_zero(risk_free, i))
}

/// mean / scale · √P, `None` unless the scale is positive and the result finite.
fn annualised_ratio(mean: f64, scale: f64, periods_per_year: f64) -> Option<f64> {
    if !(scale > 0.0) {
        return None;
    }
    defined(mean / scale * periods_per_year.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn sharpe_and_error_hand_worked() {
        // e = (0.01, 0.02, 0.06): mean 0.03, sd² = (4 + 1 + 9)e-4 / 2 = 7e-4.
        let r = [0.01, 0.02, 0.06];
        let sr = sharpe_ratio(&r, None, 9.0).unwrap();
        assert_relative_eq!(sr, 0.03 / 7e-4f64.sqrt() * 3.0, max_relative = 1e-12);
        let sr_p = 0.03 / 7e-4f64.sqrt();
        let se = sharpe_std_error(sr, 3, 9.0).unwrap();
        assert_relative_eq!(
            se,
            3.0 * ((1.0 + sr_p * sr_p / 2.0) / 3.0).sqrt(),
            max_relative = 1e-12
        );
    }

    #[test]
    fn undefined_cases_are_none() {
        assert_eq!(sharpe_ratio(&[0.01], None, 252.0), None);
        assert_eq!(sharpe_ratio(&[0.01, 0.02], Some(&[0.0]), 252.0), None);
        assert_eq!(sharpe_ratio(&[0.01, f64::NAN], None, 252.0), None);
        assert_eq!(sortino_ratio(&[0.01, 0.02], None, 252.0), None);
        assert_eq!(volatility(&[0.01, 0.02], f64::NAN), None);
    }
}
