//! The planned positions evaluated (methodology §16.2–§16.6): the daily portfolio, the
//! metrics gross and net of costs, the calendar-time alpha and the placebo calendars, and
//! every `bt_*` table.

use super::alpha::{calendar_time_regression, RegressionInput, Regressor};
use super::bars::MarketData;
use super::performance::{performance, periods_per_year, sharpe_ratio, PerformanceInput};
use super::placebo::{placebo_rows, run_placebo, PlaceboSettings};
use super::portfolio::{simulate, PortfolioSettings, Rebalance, Simulation};
use super::rows::{trade_row, TradeResult};
use super::run::Plan;
use super::tables::{AlphaRow, MetricRow, PlaceboRow};
use super::{BacktestTables, FactorModel, Position, ReturnBasis, SeKind};
use crate::data::{read_factors, FactorTable};
use crate::design::{BacktestDesign, Design, Weighting, CARHART_FACTORS, FF3_FACTORS};
use crate::error::Result;

/// The `bt_*` tables of `plan`, and the run's notes.
pub(crate) fn evaluate(
    market: &MarketData,
    plan: &Plan,
    bt: &BacktestDesign,
    design: &Design,
) -> Result<(BacktestTables, Vec<String>)> {
    let positions: Vec<Position> = plan
        .planned
        .iter()
        .map(|(_, p)| p.position.clone())
        .collect();
    let settings = portfolio_settings(bt);
    let sim = simulate(&market.bars, &positions, &settings);
    let trades = plan
        .planned
        .iter()
        .enumerate()
        .map(|(k, (i, p))| {
            let result = sim.trades.get(k).map(|o| TradeResult {
                gross: o.gross_return,
                net: o.net_return,
                weight: o.weight,
            });
            trade_row(&plan.pairs[*i], p, market, bt.limits.tolerance, result)
        })
        .collect();
    let factors = match &design.inputs.factors {
        Some(src) => Some(read_factors(src)?),
        None => None,
    };
    let daily = Daily::new(&sim, factors.as_ref());
    let mut notes = Vec::new();
    let alpha = alpha_rows(&daily, bt.min_positions, &mut notes);
    let tables = BacktestTables {
        trades,
        daily: sim.daily_rows(),
        metrics: metric_rows(&sim, &daily),
        alpha,
        placebo: placebo_table(market, &positions, &sim, bt, factors.as_ref()),
        path: sim.path_rows(),
        exclusions: plan.exclusions.clone(),
    };
    Ok((tables, notes))
}

/// Daily rebalancing for equal and inverse-volatility weights, buy and hold for notional.
pub(crate) fn portfolio_settings(bt: &BacktestDesign) -> PortfolioSettings {
    PortfolioSettings {
        rebalance: match bt.weighting {
            Weighting::Notional(notional) => Rebalance::BuyAndHold { notional },
            Weighting::Equal | Weighting::InverseVol => Rebalance::Daily,
        },
    }
}

/// The factor columns and risk-free rate on the portfolio's days (NaN on days the factor
/// file lacks, so the regression stops where the file ends).
struct Daily<'a> {
    sim: &'a Simulation,
    /// Risk-free rate per day (`None`: no factor file or no rf column; taken as 0).
    rf: Option<Vec<f64>>,
    /// Factor name → column on the portfolio's days.
    factors: Vec<(String, Vec<f64>)>,
}

impl<'a> Daily<'a> {
    fn new(sim: &'a Simulation, table: Option<&FactorTable>) -> Self {
        let Some(f) = table else {
            return Daily {
                sim,
                rf: None,
                factors: Vec::new(),
            };
        };
        let rows: Vec<Option<usize>> = sim.days.dates.iter().map(|&d| f.position(d)).collect();
        let on = |col: &[f64]| -> Vec<f64> {
            rows.iter()
                .map(|r| r.map_or(f64::NAN, |i| col[i]))
                .collect()
        };
        Daily {
            sim,
            rf: (!f.rf.is_empty()).then(|| on(&f.rf)),
            factors: f
                .names
                .iter()
                .zip(&f.columns)
                .map(|(n, c)| (n.clone(), on(c)))
                .collect(),
        }
    }

    fn factor(&self, name: &str) -> Option<&[f64]> {
        self.factors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_slice())
    }
}

/// `bt_metrics`: every metric, gross then net.
fn metric_rows(sim: &Simulation, daily: &Daily) -> Vec<MetricRow> {
    let d = &sim.days;
    let ppy = periods_per_year(&d.dates);
    let mut rows = Vec::new();
    for basis in [ReturnBasis::Gross, ReturnBasis::Net] {
        let (returns, trades): (&[f64], Vec<f64>) = match basis {
            ReturnBasis::Gross => (
                &d.gross,
                sim.trades.iter().map(|t| t.gross_return).collect(),
            ),
            ReturnBasis::Net => (&d.net, sim.trades.iter().map(|t| t.net_return).collect()),
        };
        let input = PerformanceInput {
            returns,
            benchmark: Some(&d.benchmark),
            risk_free: daily.rf.as_deref(),
            positions: &d.positions,
            turnover: &d.turnover,
            trade_returns: &trades,
            periods_per_year: ppy,
        };
        rows.extend(performance(&input).into_iter().map(|m| MetricRow {
            basis,
            metric: m.metric,
            value: m.value,
            std_error: m.std_error,
        }));
    }
    rows
}

/// `bt_alpha`: the calendar-time regressions the inputs allow, gross then net (§16.5).
fn alpha_rows(daily: &Daily, min_positions: u32, notes: &mut Vec<String>) -> Vec<AlphaRow> {
    let d = &daily.sim.days;
    let weights: Vec<f64> = d.positions.iter().map(|&n| f64::from(n)).collect();
    let capm_market = capm_market(daily);
    if daily.factor(FF3_FACTORS[0]).is_none() {
        notes.push("CAPM alpha: no market factor in a factor file, so the regressor is the weight-matched benchmark return of the open positions and the risk-free rate is 0".to_string());
    }
    let mut models: Vec<(FactorModel, Vec<Regressor>)> = vec![(
        FactorModel::Capm,
        vec![Regressor {
            name: "mkt",
            values: &capm_market,
        }],
    )];
    for (model, names) in [
        (FactorModel::Ff3, &FF3_FACTORS[..]),
        (FactorModel::Carhart, &CARHART_FACTORS[..]),
    ] {
        let cols: Option<Vec<Regressor>> = names
            .iter()
            .map(|&n| daily.factor(n).map(|values| Regressor { name: n, values }))
            .collect();
        if let Some(regressors) = cols {
            models.push((model, regressors));
        }
    }
    let mut rows = Vec::new();
    for basis in [ReturnBasis::Gross, ReturnBasis::Net] {
        let y = excess_returns(daily, basis, min_positions);
        for (model, regressors) in &models {
            let input = RegressionInput {
                y: &y,
                regressors,
                weights: &weights,
            };
            rows.extend(
                calendar_time_regression(&input)
                    .into_iter()
                    .map(|e| AlphaRow {
                        basis,
                        model: *model,
                        se_kind: e.se_kind,
                        term: e.term,
                        coef: e.coef,
                        std_error: e.std_error,
                        t: e.t,
                        p_value: e.p_value,
                        r2: e.r2,
                        n_days: u32::try_from(e.n).unwrap_or(u32::MAX),
                        lags: e.lags.and_then(|l| u32::try_from(l).ok()),
                    }),
            );
        }
    }
    rows
}

/// The CAPM's market excess return: the factor file's market factor, else the weight-matched
/// benchmark return of the open positions (risk-free rate 0).
fn capm_market(daily: &Daily) -> Vec<f64> {
    match daily.factor(FF3_FACTORS[0]) {
        Some(m) => m.to_vec(),
        None => daily.sim.days.benchmark.clone(),
    }
}

/// The placebo statistics of one simulation (§16.6): the net Sharpe ratio and the net CAPM
/// alpha (daily, OLS), computed the same way on the real and on each placebo calendar.
fn placebo_statistics(
    sim: &Simulation,
    factors: Option<&FactorTable>,
    min_positions: u32,
) -> Vec<f64> {
    let daily = Daily::new(sim, factors);
    let ppy = periods_per_year(&sim.days.dates);
    let sharpe = sharpe_ratio(&sim.days.net, daily.rf.as_deref(), ppy).unwrap_or(f64::NAN);
    let y = excess_returns(&daily, ReturnBasis::Net, min_positions);
    let market = capm_market(&daily);
    let weights: Vec<f64> = sim.days.positions.iter().map(|&n| f64::from(n)).collect();
    let regressors = [Regressor {
        name: "mkt",
        values: &market,
    }];
    let alpha = calendar_time_regression(&RegressionInput {
        y: &y,
        regressors: &regressors,
        weights: &weights,
    })
    .into_iter()
    .find(|e| e.se_kind == SeKind::Ols && e.term == "alpha")
    .and_then(|e| e.coef)
    .unwrap_or(f64::NAN);
    vec![sharpe, alpha]
}

/// Names of [`placebo_statistics`], in order.
const PLACEBO_STATISTICS: [&str; 2] = ["sharpe_net", "alpha_capm_net"];

/// `bt_placebo`: the real statistics against `K` placebo calendars (none when K = 0).
fn placebo_table(
    market: &MarketData,
    positions: &[Position],
    sim: &Simulation,
    bt: &BacktestDesign,
    factors: Option<&FactorTable>,
) -> Vec<PlaceboRow> {
    if bt.placebo.calendars == 0 || positions.is_empty() {
        return Vec::new();
    }
    let settings = PlaceboSettings {
        calendars: bt.placebo.calendars,
        seed: bt.placebo.seed,
    };
    let stats = |s: &Simulation| placebo_statistics(s, factors, bt.min_positions);
    let runs = run_placebo(
        &market.bars,
        positions,
        &portfolio_settings(bt),
        &settings,
        stats,
    );
    placebo_rows(&PLACEBO_STATISTICS, &stats(sim), &runs)
}

/// The daily portfolio return minus the risk-free rate; NaN (left out of the regression) on
/// days with fewer than `min_positions` open positions.
fn excess_returns(daily: &Daily, basis: ReturnBasis, min_positions: u32) -> Vec<f64> {
    let d = &daily.sim.days;
    let r = match basis {
        ReturnBasis::Gross => &d.gross,
        ReturnBasis::Net => &d.net,
    };
    (0..r.len())
        .map(|t| {
            if d.positions[t] < min_positions {
                return f64::NAN;
            }
            r[t] - daily.rf.as_ref().map_or(0.0, |rf| rf[t])
        })
        .collect()
}
