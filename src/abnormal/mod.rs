//! The abnormal-return engine (methodology §3, §5, §6): for one event–security pair, fit the
//! normal-return model over the estimation window and measure AR, SAR, CAR, SCAR and BHAR in
//! the event period.
//!
//! OWNER: engine helper. The types below are the contract with `stats` and `study`; extend
//! them only by adding fields.

use crate::model::ModelKind;
use crate::returns::{AlignedSeries, ReturnKind};
use crate::tables::Stage;

mod batch;
mod engine;
mod fast;
mod tdist;
#[cfg(test)]
mod tests;

pub use batch::{analyse_pairs_batch, PairBatch};
pub use fast::{analyse_pair_direct, analyse_pair_fast, SecurityPrefix};

/// Analyse one event–security pair with the reference path (methodology §3–§6): build the
/// estimation sample over positions day0 + L1 ..= day0 + L2 (positions outside the calendar
/// are missing), fit the normal-return model by OLS on an explicit design (or the
/// Scholes–Williams / Dimson estimators), then compute AR, expected return, SAR, its
/// standard error and p-value on every day of the event period H, and CAR, Var(CAR), SCAR,
/// its p-value and BHAR for every complete event window.
///
/// `Err` is the `estimation`-stage exclusion of the pair (`too_few_estimation_returns`,
/// `singular_design`, `zero_residual_variance`); the `event_day` and `car` losses of an
/// analysed pair are in [`PairResult::exclusions`]. A fit with ν = M − k = 0 (possible only
/// with `min_estimation_returns` ≤ k) is also reported as `too_few_estimation_returns`.
///
/// References: MacKinlay (1997), JEL 35(1), 13–39; Campbell, Lo & MacKinlay (1997) ch. 4.
///
/// # Formula
/// AR_t = R_t − g_t′θ̂ (+ rf_t);  Var(AR_t) = σ̂²(d_t + g_t′(X′X)⁻¹g_t);
/// CAR = Σ_{t∈W} AR_t;  Var(CAR) = σ̂²(Σd_t + G′(X′X)⁻¹G), G = Σ_{t∈W} g_t;
/// SCAR = CAR/√Var(CAR), p = 2·S_ν(|SCAR|);  BHAR = Π(1+R_t) − Π(1+E[R_t]).
///
/// # Examples
/// ```
/// use evstudy::abnormal::{analyse_pair, EngineConfig, Window};
/// use evstudy::model::ModelKind;
/// use evstudy::returns::{AlignedSeries, ReturnKind};
/// // methodology example a_tiny: estimation −3..−1, event 0..1
/// let series = AlignedSeries {
///     ret: vec![0.06, 0.08, 0.10, 0.12, 0.16],
///     bench: vec![0.05, 0.05, 0.07, 0.03, 0.05].into(),
///     span: vec![1; 5],
///     ..Default::default()
/// };
/// let cfg = EngineConfig {
///     model: ModelKind::MarketModel,
///     returns: ReturnKind::Simple,
///     estimation: Window { start: -3, end: -1 },
///     windows: vec![Window { start: 0, end: 1 }],
///     min_estimation_returns: 3,
///     dimson_lags: 1,
///     trade_to_trade: false,
/// };
/// let res = analyse_pair(&series, 3, &cfg).unwrap();
/// assert!((res.fit.beta.unwrap() - 1.5).abs() < 1e-12);
/// assert!((res.windows[0].car.unwrap() - 0.17).abs() < 1e-12);
/// assert!((res.windows[0].car_se.unwrap().powi(2) - 0.0015).abs() < 1e-12);
/// ```
pub fn analyse_pair(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    engine::analyse_pair_reference(series, day0, cfg)
}

/// Analyse many pairs in parallel (rayon) with the fast routes, as owned results (a
/// convenience over [`analyse_pairs_batch`], which keeps them in column layout): a security with many events
/// (pairs × estimation length ≥ 3 × sessions) gets prefix sums ([`SecurityPrefix`], O(1) fit per
/// pair); the others sum their estimation-window moments directly ([`analyse_pair_direct`],
/// O(L), no set-up). Results are in the order of `pairs`. A series index outside
/// `series_list` gives an `input`-stage `unknown_security` exclusion.
///
/// # Formula
/// As [`analyse_pair`], per pair.
///
/// # Examples
/// ```
/// use evstudy::abnormal::{analyse_pairs, EngineConfig, Window};
/// use evstudy::model::ModelKind;
/// use evstudy::returns::{AlignedSeries, ReturnKind};
/// let series = AlignedSeries {
///     ret: vec![0.06, 0.08, 0.10, 0.12, 0.16],
///     bench: vec![0.05, 0.05, 0.07, 0.03, 0.05].into(),
///     span: vec![1; 5],
///     ..Default::default()
/// };
/// let cfg = EngineConfig {
///     model: ModelKind::ConstantMean,
///     returns: ReturnKind::Simple,
///     estimation: Window { start: -3, end: -1 },
///     windows: vec![Window { start: 0, end: 1 }],
///     min_estimation_returns: 3,
///     dimson_lags: 1,
///     trade_to_trade: false,
/// };
/// let out = analyse_pairs(&[series], &[(0, 3), (1, 3)], &cfg);
/// assert!((out[0].as_ref().unwrap().fit.alpha.unwrap() - 0.08).abs() < 1e-12);
/// assert_eq!(out[1].as_ref().unwrap_err().reason, "unknown_security");
/// ```
pub fn analyse_pairs(
    series_list: &[AlignedSeries],
    pairs: &[(usize, usize)],
    cfg: &EngineConfig,
) -> Vec<Result<PairResult, PairExclusion>> {
    analyse_pairs_batch(series_list, pairs, cfg).to_results()
}

/// An event window or the estimation window in relative trading days, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// First relative day (a).
    pub start: i32,
    /// Last relative day (b).
    pub end: i32,
}

impl Window {
    /// Number of days L = b − a + 1.
    pub fn len(&self) -> usize {
        (self.end - self.start + 1).max(0) as usize
    }
    /// Always false for a valid window.
    pub fn is_empty(&self) -> bool {
        self.end < self.start
    }
    /// Written `a:b` as in the output tables.
    pub fn label(&self) -> String {
        format!("{}:{}", self.start, self.end)
    }
}

/// Everything the engine needs to know about the study design.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Normal-return model.
    pub model: ModelKind,
    /// Simple or log returns.
    pub returns: ReturnKind,
    /// Estimation window [L1, L2] (default [−250, −11]).
    pub estimation: Window,
    /// Event windows in configuration order.
    pub windows: Vec<Window>,
    /// Minimum estimation returns M (default 120).
    pub min_estimation_returns: usize,
    /// Dimson lags K (default 1).
    pub dimson_lags: usize,
    /// Trade-to-trade mode (§1.3, §4.7).
    pub trade_to_trade: bool,
}

impl EngineConfig {
    /// The event period H = hull of all event windows.
    pub fn event_period(&self) -> Window {
        let start = self.windows.iter().map(|w| w.start).min().unwrap_or(0);
        let end = self.windows.iter().map(|w| w.end).max().unwrap_or(0);
        Window { start, end }
    }
}

/// Why a pair was not analysed, or what part of it was lost (§11).
#[derive(Debug, Clone, PartialEq)]
pub struct PairExclusion {
    /// Stage of the loss (§11).
    pub stage: Stage,
    /// e.g. `too_few_estimation_returns`, `missing_return`, `incomplete_window`.
    pub reason: String,
    /// e.g. `M=9 < min_est=30`, `rel_day=2`, `window 0:3: 2 of 4 days`.
    pub detail: String,
    /// Sort key inside the stage (rel_day for event_day, window index for car).
    pub order: i64,
}

/// The fitted normal-return model of one pair (one `model_fits` row).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFit {
    /// Output model name (`market_model`, `ff3`, …, with `_t2t` suffix in trade-to-trade mode);
    /// borrowed from [`ModelKind::output_name`] by the engine (no allocation per pair).
    pub model_name: std::borrow::Cow<'static, str>,
    /// M: estimation observations used.
    pub n_est: usize,
    /// k: number of estimated mean parameters.
    pub k: usize,
    /// ν: residual degrees of freedom (M − k; M − 1 for market-adjusted).
    pub df: usize,
    /// σ̂.
    pub sigma: f64,
    /// Intercept (μ̂ for constant mean); None for market-adjusted.
    pub alpha: Option<f64>,
    /// First slope; None when the model has none.
    pub beta: Option<f64>,
    /// R²; None for market-adjusted.
    pub r2: Option<f64>,
    /// Extra coefficient columns, sorted by name.
    pub extras: Vec<(String, f64)>,
}

/// Results for one event window of one pair (one `cars` row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowResult {
    /// The window.
    pub window: Window,
    /// Complete window (§3.4): CAR/SCAR/BHAR are set only then.
    pub complete: bool,
    /// CAR(W) = Σ AR.
    pub car: Option<f64>,
    /// √Var(CAR), exact (§5.3).
    pub car_se: Option<f64>,
    /// = SCAR (single-event CAR t).
    pub car_t: Option<f64>,
    /// Two-sided p-value of car_t (ν df).
    pub car_p: Option<f64>,
    /// SCAR = CAR / car_se.
    pub scar: Option<f64>,
    /// Buy-and-hold abnormal return (§5.4).
    pub bhar: Option<f64>,
    /// Days of W with an AR.
    pub n_days: u32,
}

impl WindowResult {
    /// The result of a window without data: incomplete, no CAR, zero days.
    ///
    /// # Examples
    /// ```
    /// use evstudy::abnormal::{Window, WindowResult};
    /// let w = WindowResult::missing(Window { start: -1, end: 1 });
    /// assert!(!w.complete && w.car.is_none() && w.n_days == 0);
    /// ```
    pub fn missing(window: Window) -> Self {
        WindowResult {
            window,
            complete: false,
            car: None,
            car_se: None,
            car_t: None,
            car_p: None,
            scar: None,
            bhar: None,
            n_days: 0,
        }
    }
}

/// Everything computed for one analysed pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PairResult {
    /// The fitted model.
    pub fit: ModelFit,
    /// Estimation residuals ε̂*_τ for τ = L1..=L2 (length L2 − L1 + 1), NaN where τ is not in
    /// the estimation sample. Market-adjusted: e_τ = R_τ − R_mτ.
    pub est_resid: Vec<f64>,
    /// Event period H = [H1, H2]; the vectors below have length |H|, index t − H1.
    pub event_period: Window,
    /// Security return per day of H (NaN = missing).
    pub ret: Vec<f64>,
    /// Expected return per day of H.
    pub expected_ret: Vec<f64>,
    /// Abnormal return per day of H.
    pub ar: Vec<f64>,
    /// Standardized AR per day of H.
    pub sar: Vec<f64>,
    /// Standard error of the AR per day of H (with FEC).
    pub ar_se: Vec<f64>,
    /// Two-sided p-value of the AR t per day of H.
    pub ar_p: Vec<f64>,
    /// Span of the AR at each day (0 where AR is NaN).
    pub span: Vec<u32>,
    /// One per configured window, in configuration order.
    pub windows: Vec<WindowResult>,
    /// Non-fatal losses: `event_day` and `car` exclusions of this pair.
    pub exclusions: Vec<PairExclusion>,
}

impl PairResult {
    /// A borrowed view of this result, the form the test battery and the output tables read.
    ///
    /// # Examples
    /// ```
    /// use evstudy::abnormal::{analyse_pair, EngineConfig, Window};
    /// use evstudy::model::ModelKind;
    /// use evstudy::returns::{AlignedSeries, ReturnKind};
    /// let series = AlignedSeries {
    ///     ret: vec![0.06, 0.08, 0.10, 0.12, 0.16],
    ///     bench: vec![0.05, 0.05, 0.07, 0.03, 0.05].into(),
    ///     span: vec![1; 5],
    ///     ..Default::default()
    /// };
    /// let cfg = EngineConfig {
    ///     model: ModelKind::MarketModel,
    ///     returns: ReturnKind::Simple,
    ///     estimation: Window { start: -3, end: -1 },
    ///     windows: vec![Window { start: 0, end: 1 }],
    ///     min_estimation_returns: 3,
    ///     dimson_lags: 1,
    ///     trade_to_trade: false,
    /// };
    /// let res = analyse_pair(&series, 3, &cfg).unwrap();
    /// let view = res.view();
    /// assert_eq!(view.ar, &res.ar[..]);
    /// assert_eq!(view.windows[0].car, res.windows[0].car);
    /// ```
    pub fn view(&self) -> PairView<'_> {
        PairView {
            fit: &self.fit,
            est_resid: &self.est_resid,
            event_period: self.event_period,
            ret: &self.ret,
            expected_ret: &self.expected_ret,
            ar: &self.ar,
            sar: &self.sar,
            ar_se: &self.ar_se,
            ar_p: &self.ar_p,
            span: &self.span,
            windows: &self.windows,
            exclusions: &self.exclusions,
        }
    }
}

/// Everything computed for one analysed pair, borrowed: from a [`PairResult`]
/// ([`PairResult::view`]) or from the column store of many pairs ([`PairBatch::get`]).
/// The fields mean what the fields of [`PairResult`] of the same name mean.
#[derive(Debug, Clone, Copy)]
pub struct PairView<'a> {
    /// The fitted model.
    pub fit: &'a ModelFit,
    /// Estimation residuals ε̂*_τ for τ = L1..=L2, NaN where τ is not in the sample.
    pub est_resid: &'a [f64],
    /// Event period H; the per-day slices below have length |H|, index t − H1.
    pub event_period: Window,
    /// Security return per day of H.
    pub ret: &'a [f64],
    /// Expected return per day of H.
    pub expected_ret: &'a [f64],
    /// Abnormal return per day of H.
    pub ar: &'a [f64],
    /// Standardized AR per day of H.
    pub sar: &'a [f64],
    /// Standard error of the AR per day of H (with FEC).
    pub ar_se: &'a [f64],
    /// Two-sided p-value of the AR t per day of H.
    pub ar_p: &'a [f64],
    /// Span of the AR at each day (0 where AR is NaN).
    pub span: &'a [u32],
    /// One per configured window, in configuration order.
    pub windows: &'a [WindowResult],
    /// Non-fatal losses of this pair.
    pub exclusions: &'a [PairExclusion],
}

impl PairView<'_> {
    /// An owned copy.
    pub fn to_result(&self) -> PairResult {
        PairResult {
            fit: self.fit.clone(),
            est_resid: self.est_resid.to_vec(),
            event_period: self.event_period,
            ret: self.ret.to_vec(),
            expected_ret: self.expected_ret.to_vec(),
            ar: self.ar.to_vec(),
            sar: self.sar.to_vec(),
            ar_se: self.ar_se.to_vec(),
            ar_p: self.ar_p.to_vec(),
            span: self.span.to_vec(),
            windows: self.windows.to_vec(),
            exclusions: self.exclusions.to_vec(),
        }
    }
}
