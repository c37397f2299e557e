//! Performance metrics of a daily return series and its trades (methodology §16.3–§16.4).
//!
//! Every metric is a pure function on contiguous slices, one concept per file: compounding
//! ([`total_return`], [`cagr`]), volatility and risk-adjusted ratios ([`sharpe_ratio`] with
//! [`sharpe_std_error`], [`sortino_ratio`]), drawdowns ([`max_drawdown`], [`calmar_ratio`]),
//! the benchmark ([`jensen_fit`], [`active_risk`]), trades ([`hit_rate`], [`profit_factor`],
//! [`average_trade`]) and activity ([`annual_turnover`], [`exposure`]). [`performance`]
//! computes all of them in [`PerfMetric::ALL`] order; undefined values are `None`.

mod activity;
mod benchmark;
mod calendar;
mod drawdown;
#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod fixture_tests;
mod growth;
mod moments;
mod sharpe;
mod trades;

pub use activity::{annual_turnover, exposure};
pub use benchmark::{active_risk, jensen_fit, ActiveRisk, JensenFit};
pub use calendar::periods_per_year;
pub use drawdown::{calmar_ratio, max_drawdown, Drawdown};
pub use growth::{cagr, total_return};
pub use sharpe::{sharpe_ratio, sharpe_std_error, sortino_ratio, volatility};
pub use trades::{average_trade, hit_rate, profit_factor};

use crate::backtest::PerfMetric;

/// The series a backtest's performance is measured on: one entry per portfolio day (all the
/// daily slices have the same length), plus one return per trade.
#[derive(Debug, Clone, Copy)]
pub struct PerformanceInput<'a> {
    /// Daily portfolio returns on one basis (gross or net), one per portfolio day.
    pub returns: &'a [f64],
    /// Daily benchmark returns, same length (`None`: the benchmark metrics are undefined).
    pub benchmark: Option<&'a [f64]>,
    /// Daily risk-free rates, same length (`None` = 0).
    pub risk_free: Option<&'a [f64]>,
    /// Open positions per day, same length.
    pub positions: &'a [u32],
    /// Traded notional over equity per day, same length.
    pub turnover: &'a [f64],
    /// One return per trade on the same basis as `returns`.
    pub trade_returns: &'a [f64],
    /// Annualisation factor P (see [`periods_per_year`]).
    pub periods_per_year: f64,
}

/// One metric's value and, where one is defined (the Sharpe ratio), its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricValue {
    /// The metric.
    pub metric: PerfMetric,
    /// Its value (`None` when undefined: no trades, zero variance, no benchmark, …).
    pub value: Option<f64>,
    /// Its standard error (`None` for every metric but the Sharpe ratio).
    pub std_error: Option<f64>,
}

/// Every performance metric of a backtest, one per [`PerfMetric::ALL`], in that order.
///
/// O(n) in the number of days and trades, without allocation besides the returned vector.
///
/// # Formula
/// Each metric's formula is on its own function (methodology §16.3): [`total_return`],
/// [`cagr`], [`volatility`], [`sharpe_ratio`] (standard error [`sharpe_std_error`], Lo 2002),
/// [`sortino_ratio`], [`max_drawdown`], [`calmar_ratio`], [`hit_rate`], [`profit_factor`],
/// [`average_trade`], [`annual_turnover`], [`exposure`], [`jensen_fit`] (beta and Jensen's
/// alpha) and [`active_risk`] (tracking error and information ratio).
///
/// # Examples
/// ```
/// use evstudy::backtest::performance::{performance, PerformanceInput};
/// use evstudy::backtest::PerfMetric;
/// let input = PerformanceInput {
///     returns: &[0.01, -0.02, 0.015],
///     benchmark: None,
///     risk_free: None,
///     positions: &[1, 2, 0],
///     turnover: &[1.0, 0.5, 1.0],
///     trade_returns: &[0.02, -0.01],
///     periods_per_year: 252.0,
/// };
/// let metrics = performance(&input);
/// assert_eq!(metrics.len(), PerfMetric::ALL.len());
/// assert_eq!(metrics[PerfMetric::HitRate.position()].value, Some(0.5));
/// assert_eq!(metrics[PerfMetric::Beta.position()].value, None);
/// assert!(metrics[PerfMetric::Sharpe.position()].std_error.is_some());
/// ```
pub fn performance(input: &PerformanceInput) -> Vec<MetricValue> {
    let r = input.returns;
    let p = input.periods_per_year;
    let cagr_value = cagr(r, p);
    let drawdown = max_drawdown(r);
    let sharpe = sharpe_ratio(r, input.risk_free, p);
    let (beta, jensen_alpha) = match input.benchmark {
        Some(b) => jensen_fit(r, b, input.risk_free, p),
        None => (None, None),
    };
    let active = input.benchmark.map(|b| active_risk(r, b, p));
    PerfMetric::ALL
        .iter()
        .map(|&metric| {
            let value = match metric {
                PerfMetric::TotalReturn => total_return(r),
                PerfMetric::Cagr => cagr_value,
                PerfMetric::Volatility => volatility(r, p),
                PerfMetric::Sharpe => sharpe,
                PerfMetric::Sortino => sortino_ratio(r, input.risk_free, p),
                PerfMetric::MaxDrawdown => drawdown.map(|d| d.depth),
                PerfMetric::MaxDrawdownDays => drawdown.map(|d| d.days as f64),
                PerfMetric::Calmar => calmar_ratio(cagr_value, drawdown.map(|d| d.depth)),
                PerfMetric::HitRate => hit_rate(input.trade_returns),
                PerfMetric::ProfitFactor => profit_factor(input.trade_returns),
                PerfMetric::AvgTrade => average_trade(input.trade_returns),
                PerfMetric::Turnover => annual_turnover(input.turnover, p),
                PerfMetric::Exposure => exposure(input.positions),
                PerfMetric::Beta => beta,
                PerfMetric::JensenAlpha => jensen_alpha,
                PerfMetric::TrackingError => active.and_then(|a| a.tracking_error),
                PerfMetric::InformationRatio => active.and_then(|a| a.information_ratio),
            };
            let std_error = match metric {
                PerfMetric::Sharpe => sharpe.and_then(|s| sharpe_std_error(s, r.len(), p)),
                _ => None,
            };
            MetricValue {
                metric,
                value,
                std_error,
            }
        })
        .collect()
}
