//! The least-squares fit of a cross-sectional regression, and the checks that it is defined:
//! more observations than coefficients, no constant regressor, no perfect collinearity.

use super::{CrossSection, RegressionFailure};
use crate::model::fit::{SINGULAR_EIGEN_TOL, ZERO_SSE_TOL};
use crate::model::linalg::{min_eigenvalue_scaled, spd_inverse};

/// An OLS fit: coefficients, (X′X)⁻¹ and the residuals the covariance estimators read.
#[derive(Debug, Clone, PartialEq)]
pub struct LeastSquaresFit {
    /// b̂ = (X′X)⁻¹X′y, in the order of the columns of X.
    pub coef: Vec<f64>,
    /// (X′X)⁻¹, k×k row-major.
    pub inv: Vec<f64>,
    /// e_i = y_i − x_i′b̂.
    pub residuals: Vec<f64>,
    /// SSR = Σ e_i².
    pub ssr: f64,
    /// TSS = Σ (y_i − ȳ)².
    pub tss: f64,
    /// False when the residuals vanish (an exact fit): standard errors are then undefined.
    pub has_residual_variance: bool,
}

/// OLS through the normal equations, after the checks of §7.6: n > k, no regressor constant
/// over the sample, and each leading block of the column-scaled X′X non-singular (the §4.0
/// test), so that the first regressor found collinear with those before it is named.
///
/// # Formula
/// b̂ = (X′X)⁻¹X′y (Cholesky inverse of X′X).
///
/// # Errors
/// [`RegressionFailure::TooFewObservations`], [`RegressionFailure::Constant`] or
/// [`RegressionFailure::Collinear`].
///
/// # Examples
/// ```
/// use evstudy::stats::car_regression::{least_squares, CrossSection, RegressionFailure};
/// let terms = ["intercept".to_string(), "x".to_string()];
/// let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0];
/// let fit = least_squares(&CrossSection { y: &[1.0, 3.0, 5.0], x: &x, k: 2, terms: &terms, clusters: None }).unwrap();
/// assert!((fit.coef[0] - 1.0).abs() < 1e-12 && (fit.coef[1] - 2.0).abs() < 1e-12);
/// let flat = [1.0, 4.0, 1.0, 4.0, 1.0, 4.0];
/// let err = least_squares(&CrossSection { y: &[1.0, 3.0, 5.0], x: &flat, k: 2, terms: &terms, clusters: None });
/// assert_eq!(err.unwrap_err(), RegressionFailure::Constant("x".into()));
/// ```
pub fn least_squares(data: &CrossSection) -> Result<LeastSquaresFit, RegressionFailure> {
    let (n, k) = (data.n(), data.k);
    if n <= k {
        return Err(RegressionFailure::TooFewObservations { n, k });
    }
    if let Some(j) = (1..k).find(|&j| (1..n).all(|i| data.x(i, j) == data.x(0, j))) {
        return Err(RegressionFailure::Constant(data.terms[j].clone()));
    }
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    for i in 0..n {
        for a in 0..k {
            let xa = data.x(i, a);
            xty[a] += xa * data.y[i];
            for b in 0..k {
                xtx[a * k + b] += xa * data.x(i, b);
            }
        }
    }
    check_collinearity(&xtx, k, data.terms)?;
    let inv = spd_inverse(&xtx, k)
        .ok_or_else(|| RegressionFailure::Collinear(data.terms[k - 1].clone()))?;
    let coef: Vec<f64> = (0..k)
        .map(|a| (0..k).map(|b| inv[a * k + b] * xty[b]).sum())
        .collect();
    let residuals: Vec<f64> = (0..n)
        .map(|i| data.y[i] - (0..k).map(|j| data.x(i, j) * coef[j]).sum::<f64>())
        .collect();
    let ssr: f64 = residuals.iter().map(|e| e * e).sum();
    let mean = data.y.iter().sum::<f64>() / n as f64;
    let tss: f64 = data.y.iter().map(|y| (y - mean).powi(2)).sum();
    let yy: f64 = data.y.iter().map(|y| y * y).sum();
    Ok(LeastSquaresFit {
        has_residual_variance: ssr > ZERO_SSE_TOL * yy,
        coef,
        inv,
        residuals,
        ssr,
        tss,
    })
}

/// The first column j whose leading (j + 1)×(j + 1) block of the column-scaled X′X is
/// singular is an exact linear combination of the columns before it.
fn check_collinearity(xtx: &[f64], k: usize, terms: &[String]) -> Result<(), RegressionFailure> {
    for m in 1..=k {
        let block: Vec<f64> = (0..m * m).map(|c| xtx[(c / m) * k + c % m]).collect();
        if !(min_eigenvalue_scaled(&block, m) >= SINGULAR_EIGEN_TOL) {
            return Err(RegressionFailure::Collinear(terms[m - 1].clone()));
        }
    }
    Ok(())
}
