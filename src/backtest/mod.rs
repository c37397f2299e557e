//! Event-driven backtests (methodology §16): trade the event calendar with the study's own
//! timing and report what a strategy would have earned, with what risk, and whether its
//! calendar-time alpha is significant.
//!
//! The data flow follows the study's: the study's events, day 0 and fits →
//! per-security session [`Bars`] (open and close) → fillable entry and exit points →
//! [`Position`]s → the daily portfolio → performance metrics and the calendar-time alpha
//! regression → the `bt_*` tables of [`tables`].
//!
//! The types of this file are the contract between the phases: timing and fills produce
//! [`Position`]s on [`Bars`]; the portfolio simulation reads nothing else.

pub mod alpha;
mod bars;
mod evaluate;
pub mod performance;
pub mod placebo;
pub mod portfolio;
mod positions;
mod rows;
mod run;
pub mod tables;
pub mod timing;
mod vocab;

pub use bars::SessionTimes;
pub use run::{run_backtest, BacktestRun};
pub use tables::BacktestTables;
pub use vocab::{
    BacktestReason, Direction, FactorModel, PerfMetric, PricePoint, ReturnBasis, SeKind,
};

use chrono::NaiveDate;

/// The session bars of one security on its own trading calendar, as contiguous columns.
///
/// `open[i]` and `close[i]` are the prices of session `dates[i]`; `NaN` where the source has
/// no usable price (a suspension, a missing row, a placeholder bar). Prices are on the same
/// adjustment basis as the study's closes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bars {
    /// Ticker.
    pub ticker: String,
    /// Session dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// Opening prices (`NaN` = none).
    pub open: Vec<f64>,
    /// Closing prices (`NaN` = none).
    pub close: Vec<f64>,
}

/// A fill: a session of a security's [`Bars`] and the price point within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fill {
    /// Index into the security's `Bars::dates`.
    pub session: usize,
    /// Open or close of that session.
    pub point: PricePoint,
}

/// One position: what the portfolio simulation needs to hold a trade from entry to exit.
///
/// Entry and exit are fillable points (the timing phase has checked that both prices exist);
/// `exit` is after `entry`.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// Event id of the event traded.
    pub event_id: String,
    /// Index of the security's [`Bars`] in the slice handed to the simulation.
    pub security: usize,
    /// Long or short.
    pub direction: Direction,
    /// Entry fill.
    pub entry: Fill,
    /// Exit fill.
    pub exit: Fill,
    /// The study's day 0 as an index into the security's `Bars::dates` (for the trade path by
    /// relative day), if it falls on one of them.
    pub day0: Option<usize>,
    /// Relative size before normalisation (1 for equal weights, 1/σ̂ for inverse volatility).
    pub size: f64,
    /// The benchmark leg: the benchmark's [`Bars`] index and the hedge ratio — the
    /// estimation-window beta when hedged, 0 when the benchmark is only tracked for the
    /// portfolio's benchmark return; `None` without a benchmark.
    pub hedge: Option<Hedge>,
    /// Transaction cost in basis points per side (entry and exit each pay it).
    pub cost_bps: f64,
    /// Annual borrow cost of a short position in basis points (0 for longs).
    pub borrow_bps: f64,
}

/// A beta hedge of one position: short β units of the benchmark per unit of the position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hedge {
    /// Index of the benchmark's [`Bars`].
    pub benchmark: usize,
    /// Estimation-window beta of the security on the benchmark (§4).
    pub beta: f64,
}
