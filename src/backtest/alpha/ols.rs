//! Least squares through the normal equations, ordinary (w_t = 1) or weighted (w_t = open
//! positions), with the residuals every covariance estimator needs.

use super::design::Design;
use crate::model::fit::{check_singular, ZERO_SSE_TOL};
use crate::model::linalg::spd_inverse;

/// A least-squares fit of the daily excess return on the intercept and the factors.
pub(crate) struct LeastSquares {
    /// Coefficients b̂ (intercept first).
    pub(crate) coef: Vec<f64>,
    /// (X′WX)⁻¹, k×k row-major.
    pub(crate) inv: Vec<f64>,
    /// Unweighted residuals e_t = y_t − x_t′b̂, one per day used.
    pub(crate) residuals: Vec<f64>,
    /// Σ w_t e_t².
    pub(crate) ssr: f64,
    /// Σ w_t (y_t − ȳ_w)², ȳ_w = Σ w_t y_t / Σ w_t.
    pub(crate) tss: f64,
    /// False when the residuals vanish (an exact fit): standard errors are then undefined.
    pub(crate) has_residual_variance: bool,
}

/// Fits b̂ = (X′WX)⁻¹X′Wy on the days of `design`; `None` when there are no more days than
/// coefficients or X′WX is singular (the §4.0 test on the column-scaled matrix).
///
/// O(n·k²) with n days and k coefficients; allocates only the k×k matrices and the n
/// residuals.
pub(crate) fn least_squares(design: &Design, weighted: bool) -> Option<LeastSquares> {
    let (n, k) = (design.n(), design.k);
    if n <= k {
        return None;
    }
    let w = |t: usize| if weighted { design.weight(t) } else { 1.0 };
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    let (mut sw, mut swy, mut swy2) = (0.0, 0.0, 0.0);
    for t in 0..n {
        let (wt, yt) = (w(t), design.y(t));
        for a in 0..k {
            let wxa = wt * design.x(t, a);
            xty[a] += wxa * yt;
            for b in 0..=a {
                xtx[a * k + b] += wxa * design.x(t, b);
            }
        }
        sw += wt;
        swy += wt * yt;
        swy2 += wt * yt * yt;
    }
    for a in 0..k {
        for b in 0..a {
            xtx[b * k + a] = xtx[a * k + b];
        }
    }
    check_singular(&xtx, k).ok()?;
    let inv = spd_inverse(&xtx, k)?;
    let coef: Vec<f64> = (0..k)
        .map(|a| (0..k).map(|b| inv[a * k + b] * xty[b]).sum())
        .collect();
    let residuals: Vec<f64> = (0..n)
        .map(|t| design.y(t) - (0..k).map(|j| design.x(t, j) * coef[j]).sum::<f64>())
        .collect();
    let ssr: f64 = (0..n).map(|t| w(t) * residuals[t] * residuals[t]).sum();
    let y_mean = swy / sw;
    let tss: f64 = (0..n).map(|t| w(t) * (design.y(t) - y_mean).powi(2)).sum();
    Some(LeastSquares {
        has_residual_variance: ssr > ZERO_SSE_TOL * swy2,
        coef,
        inv,
        residuals,
        ssr,
        tss,
    })
}

impl LeastSquares {
    /// R² = 1 − Σ w e² / Σ w (y − ȳ_w)² (the weighted, weighted-mean-centred R² for WLS);
    /// `None` when y has no variance.
    pub(crate) fn r2(&self) -> Option<f64> {
        (self.tss > 0.0).then(|| 1.0 - self.ssr / self.tss)
    }
}
