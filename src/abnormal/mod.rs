//! The abnormal-return engine (methodology §3, §5, §6): for one event–security pair, fit the
//! normal-return model over the estimation window and measure AR, SAR, CAR, SCAR and BHAR in
//! the event period.
//!
//! [`Engine`] is the entry point: [`Engine::analyse`] for one pair, [`Engine::analyse_batch`]
//! for many pairs into a column store ([`PairBatch`]). The types below are what it returns,
//! read by `stats` and `study`.
//!
//! Inside, `reference.rs` (with `lagged.rs`) is the engine written as the methodology states
//! it, the oracle of the tests; `moments.rs` and `prefix.rs` fit from estimation-window
//! moments, `finish.rs` is the optimised event period and `batch.rs` the column store. Every
//! route applies the one sample-size rule of `sample.rs`.

use crate::model::ModelKind;
use crate::returns::ReturnKind;
use crate::tables::Stage;
use crate::vocab::ExclusionReason;

mod batch;
mod day_column;
mod engine;
mod finish;
mod fitted;
mod lagged;
mod market_days;
mod moments;
mod pair_ref;
mod prefix;
mod reference;
mod residuals;
mod rows;
mod sample;
mod slot;
mod tdist;
#[cfg(test)]
mod tests;
mod window_results;

pub use batch::PairBatch;
pub(crate) use batch::{Assembly, BatchPart};
pub use day_column::{DayColumn, DaySpans};
pub use engine::{Engine, PairJob, Route};
pub use pair_ref::PairRef;
pub use residuals::Residuals;
pub(crate) use window_results::PackedWindow;
pub use window_results::{WindowIter, WindowResults};

/// The event period H = [H1, H2]: the hull of the event windows ([0, 0] without windows).
///
/// # Formula
/// H1 = min_W a_W,  H2 = max_W b_W.
///
/// # Examples
/// ```
/// use evstudy::abnormal::{event_period, Window};
/// let h = event_period(&[Window { start: -1, end: 1 }, Window { start: 0, end: 20 }]);
/// assert_eq!(h, Window { start: -1, end: 20 });
/// ```
pub fn event_period(windows: &[Window]) -> Window {
    let start = windows.iter().map(|w| w.start).min().unwrap_or(0);
    let end = windows.iter().map(|w| w.end).max().unwrap_or(0);
    Window { start, end }
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
    /// The event period H = hull of all event windows ([`event_period`]).
    pub fn event_period(&self) -> Window {
        event_period(&self.windows)
    }

    /// The relative days the engine reads for one pair: the hull of the estimation window and
    /// the event period, widened by `lags` days on each side (the benchmark leads and lags of
    /// Scholes–Williams and Dimson; `dimson_lags + 1` covers every model, 0 the returns only).
    ///
    /// # Formula
    /// [min(L1, H1) − lags, max(L2, H2) + lags].
    ///
    /// # Examples
    /// ```
    /// use evstudy::abnormal::{EngineConfig, Window};
    /// let cfg = EngineConfig {
    ///     model: Default::default(),
    ///     returns: Default::default(),
    ///     estimation: Window { start: -250, end: -11 },
    ///     windows: vec![Window { start: -1, end: 1 }, Window { start: 0, end: 20 }],
    ///     min_estimation_returns: 120,
    ///     dimson_lags: 1,
    ///     trade_to_trade: false,
    /// };
    /// assert_eq!(cfg.reach(0), Window { start: -250, end: 20 });
    /// assert_eq!(cfg.reach(cfg.dimson_lags + 1), Window { start: -252, end: 22 });
    /// ```
    pub fn reach(&self, lags: usize) -> Window {
        let h = self.event_period();
        let lags = lags as i32;
        Window {
            start: self.estimation.start.min(h.start) - lags,
            end: self.estimation.end.max(h.end) + lags,
        }
    }
}

/// Why a pair was not analysed, or what part of it was lost (§11).
#[derive(Debug, Clone, PartialEq)]
pub struct PairExclusion {
    /// Stage of the loss (§11).
    pub stage: Stage,
    /// e.g. `too_few_estimation_returns`, `missing_return`, `incomplete_window`.
    pub reason: ExclusionReason,
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
    /// use evstudy::abnormal::{Engine, EngineConfig, Window};
    /// use evstudy::model::ModelKind;
    /// use evstudy::returns::{AlignedSeries, ReturnKind};
    /// let series = AlignedSeries {
    ///     ret: vec![0.06, 0.08, 0.10, 0.12, 0.16],
    ///     bench: vec![0.05, 0.05, 0.07, 0.03, 0.05].into(),
    ///     span: vec![1; 5],
    ///     ..Default::default()
    /// };
    /// let engine = Engine::new(&EngineConfig {
    ///     model: ModelKind::MarketModel,
    ///     returns: ReturnKind::Simple,
    ///     estimation: Window { start: -3, end: -1 },
    ///     windows: vec![Window { start: 0, end: 1 }],
    ///     min_estimation_returns: 3,
    ///     dimson_lags: 1,
    ///     trade_to_trade: false,
    /// });
    /// let res = engine.analyse(&series, 3).unwrap();
    /// let view = res.view();
    /// assert_eq!(view.ar, &res.ar[..]);
    /// assert_eq!(view.windows.get(0).unwrap().car, res.windows[0].car);
    /// ```
    pub fn view(&self) -> PairView<'_> {
        PairView {
            fit: &self.fit,
            est_resid: Residuals::held(&self.est_resid),
            event_period: self.event_period,
            ret: DayColumn::held(&self.ret),
            expected_ret: DayColumn::held(&self.expected_ret),
            ar: &self.ar,
            sar: DayColumn::held(&self.sar),
            ar_se: DayColumn::held(&self.ar_se),
            ar_p: DayColumn::held(&self.ar_p),
            span: DaySpans::held(&self.span),
            windows: WindowResults::held(&self.windows),
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
    /// Estimation residuals ε̂*_τ for τ = L1..=L2, NaN where τ is not in the sample (held,
    /// or recomputed when read: see [`Residuals`]).
    pub est_resid: Residuals<'a>,
    /// Event period H; the per-day columns below have length |H|, index t − H1.
    pub event_period: Window,
    /// Security return per day of H (held, or read from the series: see [`DayColumn`]).
    pub ret: DayColumn<'a>,
    /// Expected return per day of H (held, or made from the market-model fit when read: see
    /// [`DayColumn`]).
    pub expected_ret: DayColumn<'a>,
    /// Abnormal return per day of H.
    pub ar: &'a [f64],
    /// Standardized AR per day of H (held, or made when read: see [`DayColumn`]).
    pub sar: DayColumn<'a>,
    /// Standard error of the AR per day of H (with FEC; held, or made from the market-model
    /// fit when read: see [`DayColumn`]).
    pub ar_se: DayColumn<'a>,
    /// Two-sided p-value of the AR t per day of H (held, or made when read: see
    /// [`DayColumn`]).
    pub ar_p: DayColumn<'a>,
    /// Span of the AR at each day (0 where AR is NaN; held, or made when read: see
    /// [`DaySpans`]).
    pub span: DaySpans<'a>,
    /// One per configured window, in configuration order (held, or packed in a batch's
    /// store: see [`WindowResults`]).
    pub windows: WindowResults<'a>,
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
