//! Estimators of the normal-return models (methodology §4): OLS on an explicit design
//! (constant mean, market model, factor models, trade-to-trade), Scholes–Williams and Dimson.

use super::linalg::{min_eigenvalue_scaled, spd_inverse};
use crate::vocab::ExclusionReason;

/// Threshold of the `singular_design` diagnostic (§4.0): smallest eigenvalue of the
/// column-scaled X′X.
pub const SINGULAR_EIGEN_TOL: f64 = 1e-12;
/// Threshold of the `zero_residual_variance` diagnostic (§4.0): SSE ≤ tol · Σ y*².
pub const ZERO_SSE_TOL: f64 = 1e-20;

/// Why a model could not be fitted (the `estimation`-stage diagnostics of §4.0).
#[derive(Debug, Clone, PartialEq)]
pub enum FitFailure {
    /// Smallest eigenvalue of the column-scaled X′X (below [`SINGULAR_EIGEN_TOL`]).
    SingularDesign(f64),
    /// SSE and Σ y*² (SSE ≤ [`ZERO_SSE_TOL`]·Σ y*²).
    ZeroResidualVariance {
        /// Sum of squared residuals.
        sse: f64,
        /// Σ y*² of the regressand.
        sum_y2: f64,
    },
}

impl FitFailure {
    /// The exclusion reason written to the `exclusions` table.
    pub fn reason(&self) -> ExclusionReason {
        match self {
            FitFailure::SingularDesign(_) => ExclusionReason::SingularDesign,
            FitFailure::ZeroResidualVariance { .. } => ExclusionReason::ZeroResidualVariance,
        }
    }
    /// The exclusion detail.
    pub fn detail(&self) -> String {
        match self {
            FitFailure::SingularDesign(l) => {
                format!("smallest eigenvalue of scaled X'X = {l:e} < {SINGULAR_EIGEN_TOL:e}")
            }
            FitFailure::ZeroResidualVariance { sse, sum_y2 } => {
                format!(
                    "SSE={sse:e} <= {ZERO_SSE_TOL:e}*sum(y^2)={:e}",
                    ZERO_SSE_TOL * sum_y2
                )
            }
        }
    }
}

/// An OLS fit of y* on X (§4.0).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearFit {
    /// Number of columns k.
    pub k: usize,
    /// Number of rows M.
    pub n: usize,
    /// θ̂ = (X′X)⁻¹X′y*.
    pub theta: Vec<f64>,
    /// (X′X)⁻¹, k×k row-major.
    pub xtx_inv: Vec<f64>,
    /// Σ ε̂*².
    pub sse: f64,
    /// Σ (y* − ȳ*)².
    pub sst: f64,
}

/// The design diagnostics of §4.0 on X′X, SSE and Σy*².
///
/// # Formula
/// singular when λ_min(D^{−1/2}X′XD^{−1/2}) < 1e-12; zero residual variance when
/// SSE ≤ 1e-20·Σy*².
///
/// # Examples
/// ```
/// use evstudy::model::fit::check_singular;
/// assert!(check_singular(&[2.0, 2.0, 2.0, 2.0], 2).is_err());
/// assert!(check_singular(&[2.0, 0.0, 0.0, 2.0], 2).is_ok());
/// ```
pub fn check_singular(xtx: &[f64], k: usize) -> Result<(), FitFailure> {
    let l = min_eigenvalue_scaled(xtx, k);
    if !(l >= SINGULAR_EIGEN_TOL) {
        return Err(FitFailure::SingularDesign(l));
    }
    Ok(())
}

/// Ordinary least squares of `y` on the rows of `x` (M×k, row-major) through the normal
/// equations, with the §4.0 diagnostics.
///
/// Reference: MacKinlay (1997), JEL 35(1), 13–39; Campbell, Lo & MacKinlay (1997) ch. 4.
///
/// # Formula
/// θ̂ = (X′X)⁻¹X′y,  SSE = Σ(y − Xθ̂)²,  SST = Σ(y − ȳ)².
///
/// # Examples
/// ```
/// use evstudy::model::fit::ols;
/// // y = 1 + 2x exactly plus a residual pattern
/// let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0];
/// let y = [1.1, 2.9, 5.1, 6.9];
/// let f = ols(&x, &y, 2).unwrap();
/// assert!((f.theta[1] - 1.96).abs() < 1e-12);
/// assert!((f.theta[0] - 1.06).abs() < 1e-12);
/// ```
pub fn ols(x: &[f64], y: &[f64], k: usize) -> Result<LinearFit, FitFailure> {
    let n = y.len();
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    let mut sum_y2 = 0.0;
    let mut sum_y = 0.0;
    for (row, &yi) in x.chunks_exact(k).zip(y) {
        for i in 0..k {
            xty[i] += row[i] * yi;
            for j in 0..=i {
                xtx[i * k + j] += row[i] * row[j];
            }
        }
        sum_y2 += yi * yi;
        sum_y += yi;
    }
    for i in 0..k {
        for j in 0..i {
            xtx[j * k + i] = xtx[i * k + j];
        }
    }
    check_singular(&xtx, k)?;
    let xtx_inv = spd_inverse(&xtx, k).ok_or(FitFailure::SingularDesign(0.0))?;
    let theta: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| xtx_inv[i * k + j] * xty[j]).sum())
        .collect();
    let mut sse = 0.0;
    for (row, &yi) in x.chunks_exact(k).zip(y) {
        let e = yi - row.iter().zip(&theta).map(|(a, b)| a * b).sum::<f64>();
        sse += e * e;
    }
    if sse <= ZERO_SSE_TOL * sum_y2 {
        return Err(FitFailure::ZeroResidualVariance { sse, sum_y2 });
    }
    let mean = sum_y / n as f64;
    let sst = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    Ok(LinearFit {
        k,
        n,
        theta,
        xtx_inv,
        sse,
        sst,
    })
}

/// Scholes–Williams coefficients (§4.5) on a common sample.
#[derive(Debug, Clone, PartialEq)]
pub struct ScholesWilliams {
    /// α_SW = R̄ − β_SW·R̄_m.
    pub alpha: f64,
    /// β_SW = (β₋₁ + β₀ + β₊₁)/(1 + 2ρ̂_m).
    pub beta: f64,
    /// β₋₁: slope on R_m,τ−1.
    pub beta_lag1: f64,
    /// β₀: slope on R_m,τ.
    pub beta_contemp: f64,
    /// β₊₁: slope on R_m,τ+1.
    pub beta_lead1: f64,
    /// ρ̂_m = corr(R_m,τ, R_m,τ−1).
    pub rho_m: f64,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn cov(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum()
}

/// Scholes–Williams (1977) beta from three simple OLS slopes and the market autocorrelation.
///
/// Reference: Scholes, M. & Williams, J. (1977), JFE 5(3), 309–327.
///
/// # Formula
/// β_j = Cov(R_τ, R_m,τ+j)/Var(R_m,τ+j), j = −1, 0, +1;  ρ̂_m = corr(R_m,τ, R_m,τ−1);
/// β_SW = (β₋₁+β₀+β₊₁)/(1+2ρ̂_m);  α_SW = R̄ − β_SW·R̄_m.
///
/// # Examples
/// ```
/// use evstudy::model::fit::scholes_williams;
/// let m_lag = [0.01, -0.02, 0.03, 0.0, 0.01];
/// let m = [-0.02, 0.03, 0.0, 0.01, 0.02];
/// let m_lead = [0.03, 0.0, 0.01, 0.02, -0.01];
/// let r: Vec<f64> = m.iter().map(|x| 0.001 + 1.2 * x).collect();
/// let sw = scholes_williams(&r, &m_lag, &m, &m_lead);
/// assert!((sw.beta_contemp - 1.2).abs() < 1e-12);
/// ```
pub fn scholes_williams(r: &[f64], m_lag: &[f64], m: &[f64], m_lead: &[f64]) -> ScholesWilliams {
    let slope = |x: &[f64]| cov(r, x) / cov(x, x);
    let beta_lag1 = slope(m_lag);
    let beta_contemp = slope(m);
    let beta_lead1 = slope(m_lead);
    let rho_m = cov(m, m_lag) / (cov(m, m).sqrt() * cov(m_lag, m_lag).sqrt());
    let beta = (beta_lag1 + beta_contemp + beta_lead1) / (1.0 + 2.0 * rho_m);
    let alpha = mean(r) - beta * mean(m);
    ScholesWilliams {
        alpha,
        beta,
        beta_lag1,
        beta_contemp,
        beta_lead1,
        rho_m,
    }
}

/// Dimson (1979) aggregated-coefficients beta.
///
/// `lagged` holds the 2K+1 benchmark columns R_m,τ+j for j = −K..K (column-major: one slice
/// per j, each the length of `r`); `m` is the contemporaneous column (j = 0). Returns
/// (α_D, β_D, slopes b_{−K..K}) or the diagnostic of the multiple regression.
///
/// Reference: Dimson, E. (1979), JFE 7(2), 197–226.
///
/// # Formula
/// OLS of R_τ on (1, R_m,τ−K, …, R_m,τ+K) → b_j;  β_D = Σ b_j;  α_D = R̄ − β_D·R̄_m.
///
/// # Examples
/// ```
/// use evstudy::model::fit::dimson;
/// let lag = [0.01, -0.02, 0.03, 0.0, 0.01, 0.02];
/// let m = [-0.02, 0.03, 0.0, 0.01, 0.02, -0.01];
/// let lead = [0.03, 0.0, 0.01, 0.02, -0.01, 0.04];
/// let r: Vec<f64> = (0..6).map(|i| 0.001 + 0.8 * m[i] + 0.3 * lag[i]).collect();
/// let (_a, b, slopes) = dimson(&r, &[&lag[..], &m[..], &lead[..]], &m).unwrap();
/// assert!((b - 1.1).abs() < 1e-10);
/// assert!((slopes[0] - 0.3).abs() < 1e-10);
/// ```
pub fn dimson(r: &[f64], lagged: &[&[f64]], m: &[f64]) -> Result<(f64, f64, Vec<f64>), FitFailure> {
    let k = lagged.len() + 1;
    let n = r.len();
    let mut x = Vec::with_capacity(n * k);
    for i in 0..n {
        x.push(1.0);
        for col in lagged {
            x.push(col[i]);
        }
    }
    let fit = ols_coefficients(&x, r, k)?;
    let slopes = fit[1..].to_vec();
    let beta: f64 = slopes.iter().sum();
    let alpha = mean(r) - beta * mean(m);
    Ok((alpha, beta, slopes))
}

/// θ̂ only, with the singular-design check (no residual-variance check).
fn ols_coefficients(x: &[f64], y: &[f64], k: usize) -> Result<Vec<f64>, FitFailure> {
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    for (row, &yi) in x.chunks_exact(k).zip(y) {
        for i in 0..k {
            xty[i] += row[i] * yi;
            for j in 0..k {
                xtx[i * k + j] += row[i] * row[j];
            }
        }
    }
    check_singular(&xtx, k)?;
    let inv = spd_inverse(&xtx, k).ok_or(FitFailure::SingularDesign(0.0))?;
    Ok((0..k)
        .map(|i| (0..k).map(|j| inv[i * k + j] * xty[j]).sum())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn ols_matches_closed_form_simple_regression() {
        let xs = [0.01, -0.02, 0.015, 0.03, -0.01, 0.005];
        let ys = [0.02, -0.01, 0.01, 0.05, -0.02, 0.0];
        let mut x = Vec::new();
        for v in xs {
            x.push(1.0);
            x.push(v);
        }
        let f = ols(&x, &ys, 2).unwrap();
        let mx = xs.iter().sum::<f64>() / 6.0;
        let my = ys.iter().sum::<f64>() / 6.0;
        let sxy: f64 = xs.iter().zip(&ys).map(|(a, b)| (a - mx) * (b - my)).sum();
        let sxx: f64 = xs.iter().map(|a| (a - mx) * (a - mx)).sum();
        assert_relative_eq!(f.theta[1], sxy / sxx, max_relative = 1e-12);
        assert_relative_eq!(f.theta[0], my - sxy / sxx * mx, max_relative = 1e-12);
        assert_relative_eq!(f.xtx_inv[3], 1.0 / sxx, max_relative = 1e-12);
    }

    #[test]
    fn ols_flags_constant_regressor_and_perfect_fit() {
        let x = [1.0, 0.01, 1.0, 0.01, 1.0, 0.01];
        assert_eq!(
            ols(&x, &[0.1, 0.2, 0.3], 2).unwrap_err().reason(),
            "singular_design"
        );
        let x = [1.0, 0.01, 1.0, 0.02, 1.0, 0.03];
        assert_eq!(
            ols(&x, &[0.01, 0.02, 0.03], 2).unwrap_err().reason(),
            "zero_residual_variance"
        );
    }
}
