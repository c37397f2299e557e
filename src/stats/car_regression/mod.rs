//! The cross-sectional regression of CARs on event and security characteristics (§7.6): OLS
//! with heteroskedasticity-robust (HC1) or cluster-robust (CR1) standard errors.
//!
//! `fit.rs` holds the least-squares fit and its checks (too few observations, a constant
//! regressor, perfect collinearity), `covariance.rs` the two sandwich estimators, and
//! [`car_regression`] puts them together into coefficients with t and p.

mod covariance;
mod fit;

use covariance::cluster_count;
pub use covariance::{cr1_covariance, hc1_covariance};
pub use fit::{least_squares, LeastSquaresFit};

use super::p_value_t;
use std::fmt;

/// The observations of one regression: y (n CARs) and X (n × k, row-major, the intercept
/// column first), with each observation's cluster when the errors are clustered.
#[derive(Debug, Clone, Copy)]
pub struct CrossSection<'a> {
    /// The dependent variable, one value per observation.
    pub y: &'a [f64],
    /// The regressors, row-major: row i is observation i, column 0 the intercept.
    pub x: &'a [f64],
    /// Number of columns of X (coefficients).
    pub k: usize,
    /// Names of the k coefficients, for failure messages.
    pub terms: &'a [String],
    /// Cluster index of each observation (0-based, any order); `None` for HC1.
    pub clusters: Option<&'a [usize]>,
}

impl CrossSection<'_> {
    /// Number of observations n.
    pub fn n(&self) -> usize {
        self.y.len()
    }

    /// X[i, j].
    pub fn x(&self, i: usize, j: usize) -> f64 {
        self.x[i * self.k + j]
    }
}

/// One estimated coefficient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficient {
    /// b̂_j.
    pub estimate: f64,
    /// Robust standard error √V_jj; `None` when the residuals vanish.
    pub se: Option<f64>,
    /// b̂_j / se.
    pub t: Option<f64>,
    /// Two-sided p-value of t with `df` degrees of freedom.
    pub p: Option<f64>,
}

/// A fitted cross-sectional regression.
#[derive(Debug, Clone, PartialEq)]
pub struct CarRegression {
    /// The coefficients, in the order of the columns of X.
    pub coefficients: Vec<Coefficient>,
    /// Observations n.
    pub n: usize,
    /// Coefficients k (the intercept included).
    pub k: usize,
    /// Number of clusters G; `None` for HC1.
    pub n_clusters: Option<usize>,
    /// Degrees of freedom of the t tests: n − k (HC1) or G − 1 (CR1).
    pub df: f64,
    /// R² = 1 − SSR/TSS (TSS about the mean of y).
    pub r2: Option<f64>,
    /// Adjusted R² = 1 − (1 − R²)(n − 1)/(n − k).
    pub adj_r2: Option<f64>,
}

/// Why a regression has no estimates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegressionFailure {
    /// n ≤ k: no residual degree of freedom.
    TooFewObservations {
        /// Observations.
        n: usize,
        /// Coefficients.
        k: usize,
    },
    /// A regressor takes one value over the sample (it duplicates the intercept).
    Constant(String),
    /// A regressor is an exact linear combination of the intercept and the regressors before it.
    Collinear(String),
    /// Clustered errors with fewer than two clusters.
    TooFewClusters(usize),
}

impl fmt::Display for RegressionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegressionFailure::TooFewObservations { n, k } => write!(
                f,
                "too few observations: n = {n} is not above the k = {k} coefficients"
            ),
            RegressionFailure::Constant(term) => write!(
                f,
                "regressor '{term}' is constant over the sample (it duplicates the intercept)"
            ),
            RegressionFailure::Collinear(term) => write!(
                f,
                "regressor '{term}' is perfectly collinear with the intercept and the \
                 regressors before it"
            ),
            RegressionFailure::TooFewClusters(g) => write!(
                f,
                "{g} cluster(s): clustered standard errors need at least two"
            ),
        }
    }
}

/// OLS of the CARs on the regressors with robust standard errors (§7.6).
///
/// Reference: White (1980) and MacKinnon & White (1985) for HC1; Liang & Zeger (1986) and
/// Cameron, Gelbach & Miller (2011) for the cluster-robust CR1.
///
/// # Formula
/// b̂ = (X′X)⁻¹X′y, e = y − Xb̂;
/// HC1: V = n/(n − k) · (X′X)⁻¹ (Σ e_i² x_i x_i′) (X′X)⁻¹, t on n − k degrees of freedom;
/// CR1: V = G/(G − 1) · (n − 1)/(n − k) · (X′X)⁻¹ (Σ_g u_g u_g′) (X′X)⁻¹ with
/// u_g = Σ_{i∈g} e_i x_i, t on G − 1 degrees of freedom.
///
/// # Errors
/// A [`RegressionFailure`] when n ≤ k, a regressor is constant or collinear, or fewer than
/// two clusters.
///
/// # Examples
/// ```
/// use evstudy::stats::car_regression::{car_regression, CrossSection};
/// // y = 1 + 2x + e with e = (0.1, -0.1, -0.1, 0.1)
/// let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0];
/// let y = [1.1, 2.9, 4.9, 7.1];
/// let terms = ["intercept".to_string(), "x".to_string()];
/// let data = CrossSection { y: &y, x: &x, k: 2, terms: &terms, clusters: None };
/// let fit = car_regression(&data).unwrap();
/// assert!((fit.coefficients[1].estimate - 2.0).abs() < 1e-12);
/// assert_eq!((fit.n, fit.df), (4, 2.0));
/// ```
pub fn car_regression(data: &CrossSection) -> Result<CarRegression, RegressionFailure> {
    let fit = least_squares(data)?;
    let (n, k) = (data.n(), data.k);
    let (cov, n_clusters, df) = match data.clusters {
        None => (hc1_covariance(data, &fit), None, (n - k) as f64),
        Some(ids) => {
            let g = cluster_count(ids);
            if g < 2 {
                return Err(RegressionFailure::TooFewClusters(g));
            }
            (cr1_covariance(data, &fit, ids), Some(g), (g - 1) as f64)
        }
    };
    let coefficients = (0..k)
        .map(|j| {
            let estimate = fit.coef[j];
            let var = cov[j * k + j];
            let se = (fit.has_residual_variance && var > 0.0).then(|| var.sqrt());
            let t = se.map(|s| estimate / s);
            Coefficient {
                estimate,
                se,
                t,
                p: t.and_then(|t| p_value_t(t, df)),
            }
        })
        .collect();
    let r2 = (fit.tss > 0.0).then(|| 1.0 - fit.ssr / fit.tss);
    Ok(CarRegression {
        coefficients,
        n,
        k,
        n_clusters,
        df,
        r2,
        adj_r2: r2.map(|r| 1.0 - (1.0 - r) * (n - 1) as f64 / (n - k) as f64),
    })
}

#[cfg(test)]
mod fixture_tests;
