//! Covariance matrices of the coefficients: classical (OLS and WLS) and the sandwich of White
//! (1980) with the HC1 correction; the Newey–West sandwich is in `newey_west`.

use super::design::Design;
use super::ols::LeastSquares;

/// Classical covariance σ̂²(X′WX)⁻¹ with σ̂² = Σ w e² / (n − k) (W = I for OLS).
pub(crate) fn classical(fit: &LeastSquares, n: usize, k: usize) -> Vec<f64> {
    let s2 = fit.ssr / (n - k) as f64;
    fit.inv.iter().map(|v| v * s2).collect()
}

/// The outer-product sum Γ_l = Σ_{t ≥ l} e_t e_{t−l} x_t x_{t−l}′ (k×k row-major) added to
/// `meat` with weight `w`, symmetrised for l > 0 (Γ_l + Γ_l′).
pub(crate) fn add_lag(meat: &mut [f64], design: &Design, e: &[f64], lag: usize, w: f64) {
    let k = design.k;
    for t in lag..design.n() {
        let ee = w * e[t] * e[t - lag];
        for a in 0..k {
            let xa = ee * design.x(t, a);
            for b in 0..k {
                let v = xa * design.x(t - lag, b);
                meat[a * k + b] += v;
                if lag > 0 {
                    meat[b * k + a] += v;
                }
            }
        }
    }
}

/// The sandwich (X′X)⁻¹ S (X′X)⁻¹ · n/(n − k).
pub(crate) fn sandwich(fit: &LeastSquares, meat: &[f64], n: usize, k: usize) -> Vec<f64> {
    let scale = n as f64 / (n - k) as f64;
    let inv = &fit.inv;
    let mut left = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            left[a * k + b] = (0..k).map(|c| inv[a * k + c] * meat[c * k + b]).sum();
        }
    }
    let mut out = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            out[a * k + b] = scale
                * (0..k)
                    .map(|c| left[a * k + c] * inv[c * k + b])
                    .sum::<f64>();
        }
    }
    out
}

/// White (1980) heteroskedasticity-consistent covariance with the HC1 small-sample factor:
/// (X′X)⁻¹ (Σ e_t² x_t x_t′) (X′X)⁻¹ · n/(n − k).
pub(crate) fn hc1(fit: &LeastSquares, design: &Design) -> Vec<f64> {
    let k = design.k;
    let mut meat = vec![0.0; k * k];
    add_lag(&mut meat, design, &fit.residuals, 0, 1.0);
    sandwich(fit, &meat, design.n(), k)
}
