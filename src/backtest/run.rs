//! A backtest run, phase by phase (methodology §16): the study (same events, scopes,
//! calendars, fits and exclusions as `evstudy run`) → the analysed pairs → bars → positions
//! → the daily portfolio → metrics, alpha and placebo → the `bt_*` tables.

use std::collections::{BTreeMap, HashMap};

use super::bars::{load_market, MarketData, MarketRequest};
use super::positions::{plan_position, Planned, StudyPair};
use super::rows::{exclusion_from_study, exclusion_row};
use super::tables::BacktestExclusionRow;
use super::BacktestTables;
use crate::calendar::{read_events, EventRecord};
use crate::design::{BacktestDesign, Design};
use crate::error::Result;
use crate::study::{read_securities_file, run_study, StudyConfig, StudyRun};
use crate::tables::StudyTables;

/// The ticker of portfolio pseudo-events in the study's tables: not a security, not traded.
const PORTFOLIO: &str = "PORTFOLIO";

/// What a backtest produces.
#[derive(Debug, Clone)]
pub struct BacktestRun {
    /// The `bt_*` tables.
    pub tables: BacktestTables,
    /// The study it was built on (its tables reconcile with `bt_trades`).
    pub study: StudyRun,
    /// The settings used.
    pub design: BacktestDesign,
    /// Statements about the run the tables cannot carry (e.g. which benchmark CAPM used).
    pub notes: Vec<String>,
}

/// Each analysed pair planned: its position, or why it does not trade.
pub(crate) struct Plan<'a> {
    /// The analysed pairs, in the study's `model_fits` order.
    pub pairs: Vec<StudyPair<'a>>,
    /// Positions with the index of their pair in `pairs`.
    pub planned: Vec<(usize, Planned)>,
    /// Pairs that do not trade, study exclusions first.
    pub exclusions: Vec<BacktestExclusionRow>,
}

/// Run the study of `cfg` and its backtest (`[backtest]`, defaults when absent).
///
/// # Errors
/// Configuration errors of the study or of `[backtest]` (naming the study file and key), an
/// unknown event category in `[backtest.direction]`, a price file of returns, and the
/// study's own errors. A pair that cannot trade is a `bt_exclusions` row, not an error.
pub fn run_backtest(cfg: &StudyConfig) -> Result<BacktestRun> {
    let design = Design::from_file(cfg)?;
    let bt = BacktestDesign::from_file(cfg)?;
    let events = read_events(&design.inputs.events)?;
    bt.check_categories(cfg, events.iter().map(|e| e.category.as_str()))?;
    let study = run_study(cfg)?;
    let benchmarks = benchmarks(&design)?;
    let (market, plan) = {
        let pairs = analysed_pairs(&study.tables, &events, &benchmarks);
        let market = load_market(&market_request(&design, &bt, &study, &pairs))?;
        let plan = plan_all(pairs, &study.tables, &market, &bt, &design);
        (market, plan)
    };
    let (tables, notes) = super::evaluate::evaluate(&market, &plan, &bt, &design)?;
    drop(plan);
    Ok(BacktestRun {
        tables,
        study,
        design: bt,
        notes,
    })
}

/// Ticker → benchmark: the securities' own (study file or securities file), else `market`.
fn benchmarks(design: &Design) -> Result<BTreeMap<String, String>> {
    let mut specs = design.inputs.securities.clone();
    if let Some(p) = &design.inputs.securities_file {
        specs.extend(read_securities_file(p)?);
    }
    let mut out = BTreeMap::new();
    for s in specs {
        if let Some(b) = s.benchmark.or_else(|| design.market.clone()) {
            out.entry(s.ticker).or_insert(b);
        }
    }
    Ok(out)
}

/// Every pair the study analysed (a `model_fits` row), with its day 0, fit and abnormal
/// returns.
fn analysed_pairs<'a>(
    t: &'a StudyTables,
    events: &'a [EventRecord],
    benchmarks: &'a BTreeMap<String, String>,
) -> Vec<StudyPair<'a>> {
    let by_id: HashMap<&str, &EventRecord> =
        events.iter().map(|e| (e.event_id.as_str(), e)).collect();
    let day0: HashMap<(&str, &str), &crate::tables::Day0Row> = t
        .day0
        .iter()
        .map(|r| ((r.event_id.as_str(), r.security.as_str()), r))
        .collect();
    let mut ars: HashMap<(&str, &str), BTreeMap<i32, f64>> = HashMap::new();
    for r in &t.abnormal_returns {
        if let Some(ar) = r.ar.filter(|a| a.is_finite()) {
            ars.entry((r.event_id.as_str(), r.security.as_str()))
                .or_default()
                .insert(r.rel_day, ar);
        }
    }
    let mut pairs = Vec::new();
    for fit in t.model_fits.iter().filter(|f| f.security != PORTFOLIO) {
        let key = (fit.event_id.as_str(), fit.security.as_str());
        let (Some(event), Some(d0)) = (by_id.get(key.0), day0.get(&key)) else {
            continue;
        };
        let Some(day0_date) = d0.day0 else {
            continue;
        };
        pairs.push(StudyPair {
            event,
            security: &fit.security,
            exchange: &d0.exchange,
            day0: day0_date,
            sigma: fit.sigma,
            beta: fit.beta,
            benchmark: benchmarks.get(fit.security.as_str()).map(String::as_str),
            ars: ars.remove(&key).unwrap_or_default(),
        });
    }
    pairs
}

/// The securities (on their study calendars) and benchmarks whose prices the backtest reads.
fn market_request<'a>(
    design: &'a Design,
    bt: &'a BacktestDesign,
    study: &'a StudyRun,
    pairs: &[StudyPair<'a>],
) -> MarketRequest<'a> {
    let exchange: HashMap<&str, &str> = pairs.iter().map(|p| (p.security, p.exchange)).collect();
    let securities = study
        .series
        .iter()
        .filter_map(|s| {
            let code = exchange.get(s.security.as_str())?;
            Some((s.security.as_str(), &s.dates[..], *code))
        })
        .collect();
    let mut benchmarks: Vec<&str> = pairs.iter().filter_map(|p| p.benchmark).collect();
    benchmarks.sort_unstable();
    benchmarks.dedup();
    MarketRequest {
        design,
        limits: &bt.limits,
        securities,
        benchmarks,
    }
}

/// Plan every analysed pair; the study's excluded pairs become `excluded_by_study` rows (one
/// per pair, the study's first reason in the detail), so no pair is dropped silently.
fn plan_all<'a>(
    pairs: Vec<StudyPair<'a>>,
    t: &StudyTables,
    market: &MarketData,
    bt: &BacktestDesign,
    design: &Design,
) -> Plan<'a> {
    let analysed: std::collections::HashSet<(&str, &str)> = pairs
        .iter()
        .map(|p| (p.event.event_id.as_str(), p.security))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut exclusions: Vec<BacktestExclusionRow> = t
        .exclusions
        .iter()
        .filter(|x| !x.event_id.is_empty() && x.security != PORTFOLIO)
        .filter(|x| !analysed.contains(&(x.event_id.as_str(), x.security.as_str())))
        .filter(|x| seen.insert((x.event_id.as_str(), x.security.as_str())))
        .map(exclusion_from_study)
        .collect();
    let mut planned = Vec::new();
    for (i, pair) in pairs.iter().enumerate() {
        match plan_position(pair, market, bt, design.default_event_time) {
            Ok(p) => planned.push((i, p)),
            Err(x) => exclusions.push(exclusion_row(pair, x)),
        }
    }
    Plan {
        pairs,
        planned,
        exclusions,
    }
}
