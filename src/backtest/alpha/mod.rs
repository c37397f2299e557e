//! The calendar-time alpha regression (methodology §16.5): least squares of the daily excess
//! portfolio return on an intercept and the factors (CAPM, Fama–French 3, Carhart), with
//! four kinds of standard errors ([`SeKind`]): classical OLS, White HC1, Newey–West and
//! weighted least squares with the open positions as weights.
//!
//! One concept per file: the days and rows of the design (`design`), the least-squares fit
//! (`ols`), the classical and White covariances (`covariance`) and the Newey–West
//! covariance with its lag rule ([`newey_west_lags`]).

mod covariance;
mod design;
#[cfg(test)]
mod fixture_tests;
mod newey_west;
mod ols;

pub use newey_west::newey_west_lags;

use crate::backtest::SeKind;
use crate::stats::p_value_t;
use design::Design;
use ols::{least_squares, LeastSquares};

/// One regressor of the calendar-time regression: its name (the `term` of its rows) and its
/// daily values, one per day of y.
#[derive(Debug, Clone, Copy)]
pub struct Regressor<'a> {
    /// Term name written to the `bt_alpha` table (e.g. `mkt_rf`, `smb`).
    pub name: &'a str,
    /// Daily values, same length as y (`NaN` = missing: the day is dropped).
    pub values: &'a [f64],
}

/// The series of one calendar-time regression.
#[derive(Debug, Clone, Copy)]
pub struct RegressionInput<'a> {
    /// Daily excess portfolio return (portfolio return − risk-free rate).
    pub y: &'a [f64],
    /// The factors, in output order (the intercept is added).
    pub regressors: &'a [Regressor<'a>],
    /// WLS weights, same length as y: the number of open positions of the day.
    pub weights: &'a [f64],
}

/// One coefficient of one regression with one kind of standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaEstimate {
    /// Which covariance estimator the error, t and p come from.
    pub se_kind: SeKind,
    /// [`ALPHA_TERM`] for the intercept, else the [`Regressor`]'s name.
    pub term: String,
    /// Daily coefficient b̂_j: shared by the OLS, HC1 and Newey–West rows, weighted for WLS.
    pub coef: Option<f64>,
    /// √V_jj under `se_kind` (empty for an exact fit).
    pub std_error: Option<f64>,
    /// The t statistic b̂_j / √V_jj.
    pub t: Option<f64>,
    /// Two-sided p-value of `t` (Student t, n − k degrees of freedom, k with the intercept).
    pub p_value: Option<f64>,
    /// Coefficient of determination of the fit (the weighted R² for WLS, §16.5).
    pub r2: Option<f64>,
    /// Number of days the fit used, after the NaN days (and, for WLS, the zero weights) left.
    pub n: usize,
    /// The Bartlett lag L of the Newey–West rows, `None` on the others.
    pub lags: Option<usize>,
}

/// Term name of the intercept.
pub const ALPHA_TERM: &str = "alpha";

/// The calendar-time regression with every [`SeKind`]: for each kind in [`SeKind::ALL`]
/// order, the intercept as term `alpha`, then each regressor in order.
///
/// Days with a non-finite y or regressor are dropped before fitting (and, for WLS, days whose
/// weight is not finite and positive); Newey–West lags count the days kept. Degenerate input
/// never panics: with no more days than coefficients, a singular X′X or regressors of another
/// length every value is `None`; with an exact fit (no residual variance) the coefficients
/// stay and the standard errors, t and p are `None`; with a constant y R² is `None`.
///
/// O(n·(L + 4)·k²) for n days, k coefficients and L Newey–West lags; the allocations are per
/// call (the kept days, the residuals, k×k matrices), none per day.
///
/// # Formula
/// With y_t the excess return, x_t = (1, f_1t, …, f_mt), k = m + 1 and n days:
/// ```text
/// b̂ = (X′X)⁻¹X′y,  e = y − Xb̂,  R² = 1 − Σe² / Σ(y − ȳ)²
/// OLS:  V = s²(X′X)⁻¹,  s² = Σe² / (n − k)
/// HC1:  V = n/(n − k) · (X′X)⁻¹ (Σ e_t² x_t x_t′) (X′X)⁻¹                     (White 1980)
/// NW:   V = n/(n − k) · (X′X)⁻¹ [Γ_0 + Σ_{l=1}^{L} (1 − l/(L+1))(Γ_l + Γ_l′)] (X′X)⁻¹,
///       Γ_l = Σ_{t>l} e_t e_{t−l} x_t x_{t−l}′,  L = ⌊4(n/100)^(2/9)⌋          (Newey–West 1987, 1994)
/// WLS:  b̂_w = (X′WX)⁻¹X′Wy, V = s_w²(X′WX)⁻¹, s_w² = Σ w e² / (n − k),
///       R²_w = 1 − Σ w e² / Σ w (y − ȳ_w)²,  W = diag(open positions)
/// t = b̂_j / √V_jj,  p = 2·sf_{n−k}(|t|)
/// ```
/// The calendar-time portfolio follows Jaffe (1974) and Mandelker (1974), with the factors
/// of Fama & French (1993) and Carhart (1997); see Fama (1998).
///
/// # Examples
/// ```
/// use evstudy::backtest::alpha::{calendar_time_regression, Regressor, RegressionInput};
/// use evstudy::backtest::SeKind;
/// let mkt = [0.01, -0.02, 0.015, 0.003, -0.007, 0.012];
/// let noise = [0.001, -0.002, 0.0005, 0.0015, -0.001, 0.0];
/// let y: Vec<f64> = (0..6).map(|t| 0.0005 + 1.2 * mkt[t] + noise[t]).collect();
/// let regressors = [Regressor { name: "mkt_rf", values: &mkt }];
/// let input = RegressionInput { y: &y, regressors: &regressors, weights: &[1.0; 6] };
/// let rows = calendar_time_regression(&input);
/// assert_eq!(rows.len(), SeKind::ALL.len() * 2);
/// assert_eq!((rows[0].se_kind, rows[0].term.as_str()), (SeKind::Ols, "alpha"));
/// assert!((rows[1].coef.unwrap() - 1.2).abs() < 0.1);
/// // Equal weights: WLS is OLS.
/// assert!((rows[6].coef.unwrap() - rows[0].coef.unwrap()).abs() < 1e-15);
/// ```
pub fn calendar_time_regression(input: &RegressionInput) -> Vec<AlphaEstimate> {
    let unweighted = Design::new(input, false);
    let weighted = Design::new(input, true);
    let ols_fit = least_squares(&unweighted, false);
    let wls_fit = least_squares(&weighted, true);
    let lags = newey_west_lags(unweighted.n());
    let mut out = Vec::with_capacity(SeKind::ALL.len() * unweighted.k);
    for kind in SeKind::ALL {
        let (design, fit) = match kind {
            SeKind::Wls => (&weighted, wls_fit.as_ref()),
            _ => (&unweighted, ols_fit.as_ref()),
        };
        let cov = fit.filter(|f| f.has_residual_variance).map(|f| {
            let (n, k) = (design.n(), design.k);
            match kind {
                SeKind::Ols | SeKind::Wls => covariance::classical(f, n, k),
                SeKind::Hc1 => covariance::hc1(f, design),
                SeKind::NeweyWest => newey_west::newey_west(f, design, lags),
            }
        });
        let lag = (kind == SeKind::NeweyWest).then_some(lags);
        push_terms(&mut out, input, kind, design, fit, cov.as_deref(), lag);
    }
    out
}

/// Appends the k rows of one kind: coefficient, standard error, t, p and R².
fn push_terms(
    out: &mut Vec<AlphaEstimate>,
    input: &RegressionInput,
    se_kind: SeKind,
    design: &Design,
    fit: Option<&LeastSquares>,
    cov: Option<&[f64]>,
    lags: Option<usize>,
) {
    let (n, k) = (design.n(), design.k);
    let df = n as f64 - k as f64;
    let r2 = fit.and_then(LeastSquares::r2);
    for j in 0..k {
        let coef = fit.map(|f| f.coef[j]).filter(|c| c.is_finite());
        let std_error = cov
            .map(|v| v[j * k + j].sqrt())
            .filter(|s| s.is_finite() && *s > 0.0);
        let t = coef.zip(std_error).map(|(c, s)| c / s);
        out.push(AlphaEstimate {
            se_kind,
            term: match j {
                0 => ALPHA_TERM.to_owned(),
                _ => input.regressors[j - 1].name.to_owned(),
            },
            coef,
            std_error,
            t,
            p_value: t.and_then(|t| p_value_t(t, df)),
            r2,
            n,
            lags,
        });
    }
}
