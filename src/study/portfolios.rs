//! Same-date portfolios (§10): the pairs of one label that share calendar, day 0 and
//! benchmark form an equally weighted portfolio of daily returns, fitted as one series.

use super::groups::GroupLabel;
use super::pairs::Pair;
use super::rows::{pair_exclusion, position, push_pair_rows};
use super::universe::{factors_on, Universe};
use crate::abnormal::{Engine, EngineConfig, PairExclusion, PairResult, Window};
use crate::data::FactorTable;
use crate::model::ModelKind;
use crate::returns::AlignedSeries;
use crate::stats::{portfolio_test_rows, StatsConfig};
use crate::tables::{Stage, StudyTables};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// What the portfolios of a label read.
pub(crate) struct PortfolioInputs<'a> {
    /// Every pair of the run.
    pub pairs: &'a [Pair],
    /// The securities and their calendars.
    pub universe: &'a Universe,
    /// Factor table (factor models).
    pub factors: Option<&'a FactorTable>,
    /// Engine settings of the study.
    pub engine: &'a EngineConfig,
    /// Test settings.
    pub stats: &'a StatsConfig,
    /// Event period H.
    pub event_period: Window,
}

/// What makes pairs one portfolio; ordered as the portfolios are reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ClusterKey {
    calendar: String,
    day0: NaiveDate,
    benchmark: String,
}

/// A fitted portfolio and its count of members with a return on each day of H.
struct FittedPortfolio {
    result: PairResult,
    members_per_day: Vec<u32>,
}

/// One portfolio's outcome.
struct PortfolioOutcome {
    cluster_id: String,
    calendar: usize,
    day0: usize,
    fit: Result<FittedPortfolio, PairExclusion>,
    n_members: u32,
}

/// Fit the same-date portfolios of `group`: `tests` rows always; result rows and
/// exclusions when the label is primary.
pub(crate) fn same_date_portfolios(
    group: &GroupLabel,
    inputs: &PortfolioInputs,
    tables: &mut StudyTables,
) {
    let clusters = clusters(&group.members, inputs);
    let fitted: Vec<Option<PortfolioOutcome>> = clusters
        .par_iter()
        .map(|(key, secs)| fit_portfolio(key, secs, inputs))
        .collect();
    for outcome in fitted.into_iter().flatten() {
        push_portfolio(group, outcome, inputs, tables);
    }
}

/// The same-date clusters of ≥ 2 securities among `members`, in [`ClusterKey`] order. Members
/// are gathered under borrowed keys (no text is copied per member) and each cluster's key is
/// made once.
fn clusters(members: &[usize], inputs: &PortfolioInputs) -> Vec<(ClusterKey, BTreeSet<usize>)> {
    let universe = inputs.universe;
    let factors = inputs.engine.model == ModelKind::Factor;
    let mut by_key: HashMap<(&str, NaiveDate, &str), BTreeSet<usize>> = HashMap::new();
    for &i in members {
        let p = &inputs.pairs[i];
        let Some(d0) = p.day0 else { continue };
        let sd = &universe.securities[p.sec];
        let calendar = universe.calendars[sd.calendar].calendar.label();
        let benchmark = if factors {
            "factors"
        } else {
            sd.benchmark.as_deref().unwrap_or("none")
        };
        by_key
            .entry((calendar, d0.date, benchmark))
            .or_default()
            .insert(p.sec);
    }
    let mut clusters: Vec<(ClusterKey, BTreeSet<usize>)> = by_key
        .into_iter()
        .filter(|(_, secs)| secs.len() >= 2)
        .map(|((calendar, day0, benchmark), secs)| {
            let key = ClusterKey {
                calendar: calendar.to_string(),
                day0,
                benchmark: benchmark.to_string(),
            };
            (key, secs)
        })
        .collect();
    clusters.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    clusters
}

/// Fit the portfolio of `secs`; `None` when day 0 is not a session of their calendar.
fn fit_portfolio(
    key: &ClusterKey,
    secs: &BTreeSet<usize>,
    inputs: &PortfolioInputs,
) -> Option<PortfolioOutcome> {
    let cluster_id = format!(
        "PF:{}:{}:{}",
        if key.calendar.starts_with("DATA") {
            "DATA"
        } else {
            &key.calendar
        },
        key.day0,
        key.benchmark
    );
    let first = *secs.iter().next()?;
    let ci = inputs.universe.securities[first].calendar;
    let cal = &inputs.universe.calendars[ci].calendar;
    let day0 = cal.position(key.day0)?;
    let n = cal.len();
    let h = inputs.event_period;
    // Only the positions the engine reads (estimation window, event period, and the
    // leads/lags of Scholes–Williams and Dimson) are needed.
    let reach = inputs.engine.reach(inputs.engine.dimson_lags + 1);
    let lo = (day0 as i64 + reach.start as i64).max(0) as usize;
    let hi = ((day0 as i64 + reach.end as i64).max(0) as usize).min(n.saturating_sub(1));
    // The portfolio series covers only positions lo..=hi (day 0 shifted to day0 − lo): the
    // engine reads nothing else, and nothing is copied for the rest.
    let hi = hi.max(lo).min(n.saturating_sub(1));
    let series = portfolio_series(secs, first, lo, hi, inputs);
    let pf_cfg = EngineConfig {
        trade_to_trade: false,
        ..inputs.engine.clone()
    };
    let fit = Engine::new(&pf_cfg)
        .analyse(&series, day0 - lo)
        .map(|result| FittedPortfolio {
            result,
            members_per_day: members_per_day(secs, day0, n, h, inputs.universe),
        });
    Some(PortfolioOutcome {
        cluster_id,
        calendar: ci,
        day0,
        fit,
        n_members: secs.len() as u32,
    })
}

/// The portfolio on positions `lo..=hi`: mean daily return of the members with a return,
/// and the benchmark and factors of the first member (daily values, §10).
fn portfolio_series(
    secs: &BTreeSet<usize>,
    first: usize,
    lo: usize,
    hi: usize,
    inputs: &PortfolioInputs,
) -> AlignedSeries {
    let universe = inputs.universe;
    let trade_to_trade = inputs.engine.trade_to_trade;
    let ret = mean_daily_returns(secs, lo, hi, universe);
    let proto = &universe.series[first];
    let cut = |v: &[f64]| {
        if v.is_empty() {
            Vec::new()
        } else {
            v[lo..=hi].to_vec()
        }
    };
    let bench_cut: Arc<[f64]> = cut(&proto.bench_daily).into();
    let span = ret
        .iter()
        .map(|r| if r.is_finite() { 1 } else { 0 })
        .collect();
    let mut series = AlignedSeries {
        security: "PORTFOLIO".into(),
        dates: proto.dates[lo..=hi].into(),
        ret,
        span,
        bench: Arc::clone(&bench_cut),
        bench_daily: bench_cut,
        factors: if trade_to_trade {
            Vec::new()
        } else {
            proto.factors.iter().map(|f| cut(f)).collect()
        },
        factor_names: proto.factor_names.clone(),
        rf: if trade_to_trade {
            Vec::new()
        } else {
            cut(&proto.rf)
        },
    };
    if trade_to_trade && inputs.engine.model == ModelKind::Factor {
        // Portfolios always use daily values (§10): rebuild daily factors.
        if let Some(f) = inputs.factors {
            let daily = factors_on(f, &series.dates);
            series.factors = daily.columns;
            series.rf = daily.rf;
        }
    }
    series
}

/// On positions `lo..=hi`, the mean daily return of the members with a return there (NaN
/// where none has one), summed in security order (each member's returns read as one
/// contiguous run).
fn mean_daily_returns(
    secs: &BTreeSet<usize>,
    lo: usize,
    hi: usize,
    universe: &Universe,
) -> Vec<f64> {
    let len = hi - lo + 1;
    let mut sum = vec![0.0; len];
    let mut cnt = vec![0u32; len];
    for &s in secs {
        let daily = &universe.daily(s)[lo..=hi];
        for ((acc, c), &x) in sum.iter_mut().zip(cnt.iter_mut()).zip(daily) {
            if x.is_finite() {
                *acc += x;
                *c += 1;
            }
        }
    }
    sum.iter()
        .zip(&cnt)
        .map(|(&total, &c)| if c > 0 { total / c as f64 } else { f64::NAN })
        .collect()
}

/// Members with a daily return on each day of H.
fn members_per_day(
    secs: &BTreeSet<usize>,
    day0: usize,
    n: usize,
    h: Window,
    universe: &Universe,
) -> Vec<u32> {
    (h.start..=h.end)
        .map(|t| {
            position(day0, t)
                .filter(|&j| j < n)
                .map(|j| {
                    secs.iter()
                        .filter(|&&s| universe.daily(s)[j].is_finite())
                        .count() as u32
                })
                .unwrap_or(0)
        })
        .collect()
}

/// The rows of one portfolio.
fn push_portfolio(
    group: &GroupLabel,
    outcome: PortfolioOutcome,
    inputs: &PortfolioInputs,
    tables: &mut StudyTables,
) {
    let label = &group.label;
    let cluster_id = &outcome.cluster_id;
    match outcome.fit {
        Ok(fit) => {
            tables.tests.extend(portfolio_test_rows(
                label,
                cluster_id,
                &fit.result,
                &fit.members_per_day,
                outcome.n_members,
                inputs.stats,
            ));
            if group.primary {
                let cal = &inputs.universe.calendars[outcome.calendar].calendar;
                push_pair_rows(
                    tables,
                    cluster_id,
                    "PORTFOLIO",
                    label,
                    fit.result.view(),
                    cal,
                    outcome.day0,
                );
            }
        }
        Err(e) => {
            if group.primary {
                let mut x = pair_exclusion(cluster_id, "PORTFOLIO", &e);
                x.stage = Stage::Portfolio;
                tables.exclusions.push(x);
            }
        }
    }
}
