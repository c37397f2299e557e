//! The output tables of a backtest (methodology §16): `bt_trades`, `bt_daily`, `bt_metrics`,
//! `bt_alpha`, `bt_placebo`, `bt_path` and `bt_exclusions`, each declared once with the tables' `table!`
//! macro, so the CSV and Parquet writers of [`crate::output`] handle them like the study's.

use chrono::NaiveDate;

use super::vocab::{
    BacktestReason, Direction, FactorModel, PerfMetric, PricePoint, ReturnBasis, SeKind,
};
use crate::error::Result;
use crate::tables::{
    table, vocabulary_cell, Cell, CellReader, CellWriter, ColumnSink, Table, TableSet, TableVisitor,
};

vocabulary_cell!(
    PricePoint => "price point",
    Direction => "direction",
    ReturnBasis => "basis",
    PerfMetric => "metric",
    FactorModel => "factor model",
    SeKind => "standard error",
    BacktestReason => "backtest reason"
);

table! {
    /// One row of `bt_trades`: one position, from entry to exit, beside the event study's CAR
    /// over the same days.
    #[derive(Debug, Clone, PartialEq)]
    pub struct TradeRow in "bt_trades" {
        /// Event id.
        pub event_id: String,
        /// Security ticker.
        pub security: String,
        /// Event category (empty if none).
        pub category: String,
        /// Long or short.
        pub direction: Direction,
        /// Event instant in UTC, `YYYY-MM-DDTHH:MMZ`.
        pub event_instant_utc: String,
        /// Entry session date.
        pub entry_date: Option<NaiveDate>,
        /// Entry price point.
        pub entry_point: PricePoint,
        /// Entry instant in UTC, `YYYY-MM-DDTHH:MMZ`.
        pub entry_instant_utc: String,
        /// Entry price.
        pub entry_price: Option<f64>,
        /// Entry session relative to the study's day 0.
        pub entry_rel_day: Option<i32>,
        /// Exit session date.
        pub exit_date: Option<NaiveDate>,
        /// Exit price point.
        pub exit_point: PricePoint,
        /// Exit price.
        pub exit_price: Option<f64>,
        /// Exit session relative to the study's day 0.
        pub exit_rel_day: Option<i32>,
        /// Sessions from entry to exit.
        pub sessions_held: u32,
        /// Weight of the position when it opened (share of equity).
        pub weight: Option<f64>,
        /// Signed return from entry to exit before costs (hedge included when hedged).
        pub gross_return: Option<f64>,
        /// Signed return after transaction and borrow costs.
        pub net_return: Option<f64>,
        /// Sum of the study's abnormal returns over the days the position was held.
        pub car_held: Option<f64>,
        /// Sum of the study's abnormal returns from day 0 to the exit day.
        pub car_day0_to_exit: Option<f64>,
        /// `car_day0_to_exit − car_held`: the part of the measured reaction that came before
        /// the first tradable price.
        pub timing_gap: Option<f64>,
        /// Why the entry or exit moved from the rule's price point (empty when neither did).
        pub note: String,
    }
}

table! {
    /// One row of `bt_daily`: one portfolio day.
    #[derive(Debug, Clone, PartialEq)]
    pub struct DailyRow in "bt_daily" {
        /// Portfolio date.
        pub date: Option<NaiveDate>,
        /// Portfolio return before costs.
        pub gross_return: Option<f64>,
        /// Portfolio return after costs.
        pub net_return: Option<f64>,
        /// Return of the positions' benchmarks at the portfolio's weights.
        pub benchmark_return: Option<f64>,
        /// Positions open during the day.
        pub positions: u32,
        /// Σ |w| of the open positions.
        pub gross_exposure: Option<f64>,
        /// Σ w of the open positions (shorts negative).
        pub net_exposure: Option<f64>,
        /// Equity before costs (starts at 1).
        pub equity_gross: Option<f64>,
        /// Equity after costs (starts at 1).
        pub equity_net: Option<f64>,
        /// Net equity over its running maximum, minus 1.
        pub drawdown: Option<f64>,
    }
}

table! {
    /// One row of `bt_metrics`: one performance metric on one return basis.
    #[derive(Debug, Clone, PartialEq)]
    pub struct MetricRow in "bt_metrics" {
        /// Gross or net of costs.
        pub basis: ReturnBasis,
        /// The metric.
        pub metric: PerfMetric,
        /// Its value (annualised where the metric says so).
        pub value: Option<f64>,
        /// Its standard error, where one is defined (the Sharpe ratio's, Lo 2002).
        pub std_error: Option<f64>,
    }
}

table! {
    /// One row of `bt_alpha`: one coefficient of one calendar-time regression with one kind of
    /// standard error.
    #[derive(Debug, Clone, PartialEq)]
    pub struct AlphaRow in "bt_alpha" {
        /// Gross or net of costs.
        pub basis: ReturnBasis,
        /// CAPM, FF3 or Carhart.
        pub model: FactorModel,
        /// OLS, HC1, Newey–West or WLS.
        pub se_kind: SeKind,
        /// `alpha` (the intercept) or the factor's name.
        pub term: String,
        /// Coefficient (daily).
        pub coef: Option<f64>,
        /// Its standard error.
        pub std_error: Option<f64>,
        /// coef / std_error.
        pub t: Option<f64>,
        /// Two-sided p-value (t distribution, n − k − 1 df).
        pub p_value: Option<f64>,
        /// R² of the regression.
        pub r2: Option<f64>,
        /// Days in the regression.
        pub n_days: u32,
        /// Newey–West lag L (empty for the other kinds).
        pub lags: Option<u32>,
    }
}

table! {
    /// One row of `bt_placebo`: a strategy statistic against its distribution over placebo
    /// event calendars.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PlaceboRow in "bt_placebo" {
        /// Statistic name (`sharpe`, `alpha_capm`, …).
        pub statistic: String,
        /// Its value on the real calendar.
        pub observed: Option<f64>,
        /// Mean over the placebo calendars.
        pub placebo_mean: Option<f64>,
        /// Standard deviation over the placebo calendars.
        pub placebo_sd: Option<f64>,
        /// (1 + #{|placebo| ≥ |observed|}) / (K + 1).
        pub p_value: Option<f64>,
        /// Placebo calendars K.
        pub k: u32,
    }
}

table! {
    /// One row of `bt_path`: the average trade's cumulative return by day relative to the
    /// study's day 0, to set beside the event study's CAAR.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PathRow in "bt_path" {
        /// Session relative to day 0.
        pub rel_day: i32,
        /// Positions open at this day's close.
        pub n: u32,
        /// Mean over those positions of the signed cumulative return from entry to this close,
        /// before costs.
        pub mean_cum_return: Option<f64>,
    }
}

table! {
    /// One row of `bt_exclusions`: an event–security pair that did not trade, and why.
    #[derive(Debug, Clone, PartialEq)]
    pub struct BacktestExclusionRow in "bt_exclusions" {
        /// Event id.
        pub event_id: String,
        /// Security ticker.
        pub security: String,
        /// Why it did not trade.
        pub reason: BacktestReason,
        /// Human-readable detail.
        pub detail: String,
    }
}

/// All tables of one backtest.
#[derive(Debug, Clone, Default)]
pub struct BacktestTables {
    /// Table `bt_trades`.
    pub trades: Vec<TradeRow>,
    /// Table `bt_daily`.
    pub daily: Vec<DailyRow>,
    /// Table `bt_metrics`.
    pub metrics: Vec<MetricRow>,
    /// Table `bt_alpha`.
    pub alpha: Vec<AlphaRow>,
    /// Table `bt_placebo`.
    pub placebo: Vec<PlaceboRow>,
    /// Table `bt_path`.
    pub path: Vec<PathRow>,
    /// Table `bt_exclusions`.
    pub exclusions: Vec<BacktestExclusionRow>,
}

impl TableSet for BacktestTables {
    /// Hands each table to `v`, in file order: `bt_trades`, `bt_daily`, `bt_metrics`,
    /// `bt_alpha`, `bt_placebo`, `bt_path`, `bt_exclusions`.
    fn visit<'a, V: TableVisitor<'a>>(&'a self, v: &mut V) {
        v.table(&self.trades);
        v.table(&self.daily);
        v.table(&self.metrics);
        v.table(&self.alpha);
        v.table(&self.placebo);
        v.table(&self.path);
        v.table(&self.exclusions);
    }
}
