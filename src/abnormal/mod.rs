//! The abnormal-return engine (methodology §3, §5, §6): for one event–security pair, fit the
//! normal-return model over the estimation window and measure AR, SAR, CAR, SCAR and BHAR in
//! the event period.
//!
//! OWNER: engine helper. The types below are the contract with `stats` and `study`; extend
//! them only by adding fields.

use crate::model::ModelKind;
use crate::returns::ReturnKind;
use crate::tables::Stage;

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
    pub model: ModelKind,
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
    /// Output model name (`market_model`, `ff3`, …, with `_t2t` suffix in trade-to-trade mode).
    pub model_name: String,
    /// M: estimation observations used.
    pub n_est: usize,
    /// k: number of estimated mean parameters.
    pub k: usize,
    /// ν: residual degrees of freedom (M − k; M − 1 for market-adjusted).
    pub df: usize,
    /// σ̂.
    pub sigma: f64,
    pub alpha: Option<f64>,
    pub beta: Option<f64>,
    pub r2: Option<f64>,
    /// Extra coefficient columns, sorted by name.
    pub extras: Vec<(String, f64)>,
}

/// Results for one event window of one pair (one `cars` row).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowResult {
    pub window: Window,
    /// Complete window (§3.4): CAR/SCAR/BHAR are set only then.
    pub complete: bool,
    pub car: Option<f64>,
    pub car_se: Option<f64>,
    /// = SCAR (single-event CAR t).
    pub car_t: Option<f64>,
    pub car_p: Option<f64>,
    pub scar: Option<f64>,
    pub bhar: Option<f64>,
    pub n_days: u32,
}

/// Everything computed for one analysed pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PairResult {
    pub fit: ModelFit,
    /// Estimation residuals ε̂*_τ for τ = L1..=L2 (length L2 − L1 + 1), NaN where τ is not in
    /// the estimation sample. Market-adjusted: e_τ = R_τ − R_mτ.
    pub est_resid: Vec<f64>,
    /// Event period H = [H1, H2]; the vectors below have length |H|, index t − H1.
    pub event_period: Window,
    pub ret: Vec<f64>,
    pub expected_ret: Vec<f64>,
    pub ar: Vec<f64>,
    pub sar: Vec<f64>,
    pub ar_se: Vec<f64>,
    pub ar_p: Vec<f64>,
    /// Span of the AR at each day (0 where AR is NaN).
    pub span: Vec<u32>,
    /// One per configured window, in configuration order.
    pub windows: Vec<WindowResult>,
    /// Non-fatal losses: `event_day` and `car` exclusions of this pair.
    pub exclusions: Vec<PairExclusion>,
}
