//! Newey–West (1987) heteroskedasticity- and autocorrelation-consistent covariance with
//! Bartlett weights, and the lag rule of Newey & West (1994).

use super::covariance::{add_lag, sandwich};
use super::design::Design;
use super::ols::LeastSquares;

/// The Newey–West lag L for n daily observations: the plug-in rule of Newey & West (1994).
///
/// # Formula
/// ```text
/// L = ⌊4 (n / 100)^(2/9)⌋
/// ```
/// Newey, W. K. & West, K. D. (1994), "Automatic lag selection in covariance matrix
/// estimation", *Review of Economic Studies* 61(4), 631–653 (the Bartlett kernel's
/// deterministic starting rule).
///
/// # Examples
/// ```
/// use evstudy::backtest::alpha::newey_west_lags;
/// assert_eq!(newey_west_lags(100), 4);
/// assert_eq!(newey_west_lags(300), 5);
/// assert_eq!(newey_west_lags(0), 0);
/// ```
pub fn newey_west_lags(n: usize) -> usize {
    (4.0 * (n as f64 / 100.0).powf(2.0 / 9.0)).floor() as usize
}

/// The Newey–West covariance with L lags on the OLS residuals, with the n/(n − k) factor:
/// (X′X)⁻¹ [Γ_0 + Σ_{l=1}^{L} (1 − l/(L+1)) (Γ_l + Γ_l′)] (X′X)⁻¹ · n/(n − k).
///
/// O(n·(L + 1)·k²). Lags count days used, so a dropped day joins its neighbours.
pub(crate) fn newey_west(fit: &LeastSquares, design: &Design, lags: usize) -> Vec<f64> {
    let k = design.k;
    let mut meat = vec![0.0; k * k];
    for lag in 0..=lags.min(design.n().saturating_sub(1)) {
        let w = 1.0 - lag as f64 / (lags + 1) as f64;
        add_lag(&mut meat, design, &fit.residuals, lag, w);
    }
    sandwich(fit, &meat, design.n(), k)
}
