//! The daily portfolio of a set of positions (methodology §16.2): the portfolio calendar,
//! each position's marks on it, weights (daily rebalance or buy and hold), costs, hedges,
//! equity and drawdown, the per-trade outcomes and the average trade's path by day relative
//! to day 0.
//!
//! [`simulate`] is the one entry point; it reads only [`Bars`](crate::backtest::Bars) and
//! [`Position`](crate::backtest::Position)s.

mod calendar;
mod daily;
mod equity;
mod hold;
mod legs;
mod marks;
mod path;
mod rows;
mod simulation;
mod trades;

pub use simulation::simulate;

use chrono::NaiveDate;

/// How the positions open on a day are weighted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rebalance {
    /// Weights ∝ [`Position::size`](crate::backtest::Position::size) over the positions open
    /// that day, summing to 1, rebalanced every day (the calendar-time portfolio): equal
    /// weights when sizes are 1, inverse volatility when size = 1/σ̂.
    Daily,
    /// Each position opens with `notional` × the current (net) equity and then drifts with
    /// its prices; uninvested equity earns nothing and overlapping positions may lever the
    /// portfolio above 1.
    BuyAndHold {
        /// Share of equity put into each new position.
        notional: f64,
    },
}

/// Settings of the portfolio simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PortfolioSettings {
    /// Weighting scheme.
    pub rebalance: Rebalance,
}

/// The result of [`simulate`]: the daily portfolio, one outcome per position and the
/// average trade's path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Simulation {
    /// One entry per portfolio day.
    pub days: DailyColumns,
    /// One outcome per position, in the order of the positions.
    pub trades: Vec<TradeOutcome>,
    /// The average trade's cumulative return by session relative to day 0 (positions with a
    /// day 0 only), ascending in `rel_day`, days with no position left out.
    pub path: Vec<PathPoint>,
}

/// The daily portfolio as columns, one entry per portfolio day (methodology §16.2).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyColumns {
    /// Portfolio dates: the union of the sessions of the securities and benchmarks traded,
    /// from the first entry date to the last exit date.
    pub dates: Vec<NaiveDate>,
    /// Portfolio return before costs.
    pub gross: Vec<f64>,
    /// Portfolio return after transaction and borrow costs.
    pub net: Vec<f64>,
    /// Return of the positions' benchmarks at the positions' absolute weights (positions
    /// without a benchmark contribute 0).
    pub benchmark: Vec<f64>,
    /// Positions whose return interval falls on the day.
    pub positions: Vec<u32>,
    /// Σ |w| of the open positions' stock legs at the start of the day.
    pub gross_exposure: Vec<f64>,
    /// Σ w of the open positions' stock legs (shorts negative) at the start of the day.
    pub net_exposure: Vec<f64>,
    /// Notional traded on the day over the previous day's equity (Σ |Δw|, entries, exits and
    /// rebalancing trades).
    pub turnover: Vec<f64>,
    /// Equity before costs, compounded from 1.
    pub equity_gross: Vec<f64>,
    /// Equity after costs, compounded from 1.
    pub equity_net: Vec<f64>,
    /// Net equity over its running maximum (starting at 1), minus 1.
    pub drawdown: Vec<f64>,
}

/// What one position earned, as a buy-and-hold trade from entry to exit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TradeOutcome {
    /// Signed return before costs, hedge leg included.
    pub gross_return: f64,
    /// `gross_return` − 2 × cost per side − borrow for the calendar days held (shorts).
    pub net_return: f64,
    /// Weight of the position's stock leg on its first day (share of equity).
    pub weight: f64,
}

/// One point of the average trade's path (the `bt_path` table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathPoint {
    /// Session of the security relative to the study's day 0.
    pub rel_day: i32,
    /// Positions marked at this session.
    pub n: u32,
    /// Mean over those positions of the signed cumulative return before costs from entry to
    /// the session's close (to the exit price on the exit session), hedge included.
    pub mean_cum_return: f64,
}

/// The day columns a weighting scheme produces, before equity and drawdown.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Flows {
    pub gross: Vec<f64>,
    pub net: Vec<f64>,
    pub benchmark: Vec<f64>,
    pub positions: Vec<u32>,
    pub gross_exposure: Vec<f64>,
    pub net_exposure: Vec<f64>,
    pub turnover: Vec<f64>,
}

impl Flows {
    /// All-zero columns for `n` days.
    fn zeros(n: usize) -> Flows {
        Flows {
            gross: vec![0.0; n],
            net: vec![0.0; n],
            benchmark: vec![0.0; n],
            positions: vec![0; n],
            gross_exposure: vec![0.0; n],
            net_exposure: vec![0.0; n],
            turnover: vec![0.0; n],
        }
    }
}

/// Days of the year over which an annual borrow rate accrues (actual/365).
pub(crate) const BORROW_DAYS_PER_YEAR: f64 = 365.0;
