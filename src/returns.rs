//! Returns aligned on a security's own session calendar (methodology §1).
//!
//! An [`AlignedSeries`] holds, for one security, contiguous `f64` columns indexed by session
//! position on its calendar: the security's return, the benchmark's return on the same sessions,
//! factor values and the risk-free rate. NaN means missing. The hot paths (`model`,
//! `abnormal`) work on slices of these columns.

use chrono::NaiveDate;

/// Simple or log returns (§1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnKind {
    /// R_j = P_j / P_{j−1} − 1
    #[default]
    Simple,
    /// R_j = ln(P_j / P_{j−1})
    Log,
}

/// One security's inputs on its session calendar.
///
/// All columns have the length of `dates`. Position j is session `dates[j]`.
#[derive(Debug, Clone, Default)]
pub struct AlignedSeries {
    /// Security ticker.
    pub security: String,
    /// Session dates of the security's calendar, ascending.
    pub dates: Vec<NaiveDate>,
    /// Security return assigned to each session (span return in trade-to-trade mode); NaN = none.
    pub ret: Vec<f64>,
    /// Span d_j in sessions of the return at j (1 for daily returns); 0 where `ret` is NaN.
    pub span: Vec<u32>,
    /// Benchmark return on the same sessions (same span as `ret` in trade-to-trade mode).
    /// Empty when the model uses no benchmark.
    pub bench: Vec<f64>,
    /// Benchmark *daily* returns on the security's sessions (used for Scholes–Williams / Dimson
    /// leads and lags). Empty when unused.
    pub bench_daily: Vec<f64>,
    /// Factor columns (each the length of `dates`), in configuration order; span-compounded
    /// in trade-to-trade mode. Empty for non-factor models.
    pub factors: Vec<Vec<f64>>,
    /// Factor names, parallel to `factors`.
    pub factor_names: Vec<String>,
    /// Risk-free rate on each session (span-compounded in trade-to-trade mode); empty if none.
    pub rf: Vec<f64>,
}

/// Daily simple or log return from two closes. NaN if either is missing (NaN or ≤ 0).
///
/// # Formula
/// simple: R = P₁/P₀ − 1; log: R = ln(P₁/P₀) (methodology §1.2).
///
/// # Examples
/// ```
/// use evstudy::returns::{period_return, ReturnKind};
/// assert!((period_return(100.0, 110.0, ReturnKind::Simple) - 0.10).abs() < 1e-15);
/// assert!(period_return(f64::NAN, 110.0, ReturnKind::Simple).is_nan());
/// ```
#[inline]
pub fn period_return(p0: f64, p1: f64, kind: ReturnKind) -> f64 {
    if !(p0.is_finite() && p1.is_finite() && p0 > 0.0 && p1 > 0.0) {
        return f64::NAN;
    }
    match kind {
        ReturnKind::Simple => p1 / p0 - 1.0,
        ReturnKind::Log => (p1 / p0).ln(),
    }
}
