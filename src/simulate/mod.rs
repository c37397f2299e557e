//! Monte Carlo size and power of the test battery (Brown & Warner 1985 style).
//!
//! Each replication draws a market index and per-security market-model returns on a common
//! calendar, picks day 0 for every event–security pair (each its own security), runs the
//! abnormal-return engine ([`crate::abnormal::Engine::analyse`], market model) on every pair and
//! the whole battery ([`crate::stats::group_battery`]) once. Over the replications, the share
//! of p-values below 1 %, 5 % and 10 % is the rejection rate of each test: its **size** when
//! no effect is added ([`Effect::None`]), its **power** otherwise.
//!
//! The data-generating process of replication r (seeded from `(seed, r)`, so results do not
//! depend on the number of threads):
//!
//! ```text
//! R_m,t = μ_m + σ_m·ξ_t                                           market index
//! R_i,t = β_i·R_m,t + σ_i·( √w·f_t + √(1 − w)·ε_i,t ) + effect_i,t   security i
//! β_i ~ U(beta_range),  σ_i ~ U(sigma_range),  ξ, f, ε iid unit-variance shocks
//! ```
//!
//! so the market-model residuals of any two securities have correlation w
//! (`common_factor_weight`). Shocks are N(0, 1) or Student-t(ν) scaled to unit variance. A
//! close is missing with probability `missing_share` (both adjacent returns are then missing,
//! as in methodology §1.2). The market and the common factor are drawn on the whole calendar;
//! a security's returns only on the days the analysis reads (its estimation window and event
//! period), the other positions are missing. Day 0 is drawn uniformly over the positions where the estimation
//! window and the event period fit in the calendar: per pair ([`EventClustering::Independent`]),
//! once per replication for all pairs ([`EventClustering::Clustered`]), or G distinct positions
//! per replication with pair j on the (j mod G)-th ([`EventClustering::SharedDates`]).
//!
//! Reference: Brown, S. J. & Warner, J. B. (1985), Using daily stock returns: the case of event
//! studies, JFE 14(1), 3–31; Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11), 3996–4025.

#![warn(missing_docs)]

use chrono::{Datelike, NaiveDate, Weekday};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

use crate::abnormal::{event_period, Engine, EngineConfig, PairResult, Window};
use crate::design::{defaults, Analysis, Windows};
use crate::error::{Error, Result};
use crate::returns::AlignedSeries;
use crate::stats::TestKind;
use crate::stats::{
    group_battery, wild_bootstrap_rows, BootstrapSettings, StatsConfig, StatsEvent,
};

pub mod output;
pub mod placebo;
pub mod rng;

pub use output::{rejection_chart_svg, rejection_table_csv, write_rejection_outputs};
pub use placebo::{simulate_placebo, PlaceboConfig};
use rng::SimRng;

/// The significance levels of every rejection table: 1 %, 5 %, 10 %.
pub const LEVELS: [f64; 3] = [0.01, 0.05, 0.10];

/// Distribution of the unit-variance shocks of the market, the common factor and the
/// idiosyncratic returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShockDistribution {
    /// Standard normal.
    Normal,
    /// Student t with `df` > 2 degrees of freedom, scaled by √((ν − 2)/ν) to unit variance.
    StudentT {
        /// Degrees of freedom ν (> 2).
        df: f64,
    },
}

/// How day 0 is placed on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventClustering {
    /// Every pair draws its own day 0 (staggered events; pairs may still share a date by chance).
    Independent,
    /// All pairs of a replication share one day 0 (one event date, e.g. a regulation).
    Clustered,
    /// The pairs of a replication share `dates` distinct day-0 dates drawn per replication,
    /// pair j on date j mod `dates` (several policy dates, each hitting many securities).
    SharedDates {
        /// Number G of distinct event dates per replication (1 ≤ G ≤ pairs).
        dates: usize,
    },
}

/// What is added to the returns around day 0 (none: size; otherwise power).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// No abnormal return: the rejection rates are the sizes of the tests.
    None,
    /// Add `day0` (e.g. 0.01 = 1 %) to the return of day 0.
    MeanShift {
        /// Abnormal return on day 0.
        day0: f64,
    },
    /// Add `per_day` to the return of every day of the event period H (hull of the windows).
    WindowShift {
        /// Abnormal return per day of H.
        per_day: f64,
    },
    /// Multiply the variance of the idiosyncratic shock on every day of H by `factor` (> 0):
    /// no mean effect, so the rejection rates are sizes under event-induced variance.
    VarianceIncrease {
        /// Variance multiplier.
        factor: f64,
    },
}

/// The design of one Monte Carlo experiment (one scenario).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationConfig {
    /// Name written in the `scenario` column (e.g. `independent`, `clustered`).
    pub scenario: String,
    /// Master seed: replication r uses the stream `(seed, r)`.
    pub seed: u64,
    /// Number of replications R.
    pub replications: usize,
    /// Event–security pairs per replication (one security each).
    pub pairs: usize,
    /// Calendar length in sessions (e.g. 400).
    pub days: usize,
    /// Estimation window [L1, L2] (default [−250, −11]).
    pub estimation: Window,
    /// Event windows (default −1:1, 0:0, −5:5, 0:20).
    pub windows: Vec<Window>,
    /// Minimum estimation returns M (default 120).
    pub min_estimation_returns: usize,
    /// Mean daily market return μ_m (default 0.0004).
    pub market_mean: f64,
    /// Daily market volatility σ_m (default 0.01).
    pub market_sigma: f64,
    /// β_i ~ U(lo, hi) (default (0.5, 1.5)).
    pub beta_range: (f64, f64),
    /// Idiosyncratic daily volatility σ_i ~ U(lo, hi) (default (0.01, 0.03)).
    pub sigma_range: (f64, f64),
    /// Shock distribution (default normal).
    pub shocks: ShockDistribution,
    /// Weight w ∈ [0, 1) of the common non-market factor: the correlation of the
    /// market-model residuals of any two securities (default 0).
    pub common_factor_weight: f64,
    /// Probability ∈ [0, 1) that a close is missing (default 0).
    pub missing_share: f64,
    /// Day-0 placement (default independent).
    pub clustering: EventClustering,
    /// Abnormal effect (default none).
    pub effect: Effect,
    /// Also track the wild cluster bootstrap test `wild_boot_t` (§8.8) with these settings;
    /// replication r draws its weights from a seed derived from `(seed, r)`. Default off.
    pub bootstrap: Option<BootstrapSettings>,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        SimulationConfig {
            scenario: "independent".to_string(),
            seed: defaults::SIMULATION_SEED,
            replications: defaults::SIMULATION_REPLICATIONS,
            pairs: defaults::SIMULATION_PAIRS,
            days: defaults::SIMULATION_DAYS,
            estimation: defaults::ESTIMATION_WINDOW,
            windows: defaults::EVENT_WINDOWS.to_vec(),
            min_estimation_returns: defaults::MIN_ESTIMATION_RETURNS,
            market_mean: 0.0004,
            market_sigma: 0.01,
            beta_range: (0.5, 1.5),
            sigma_range: (0.01, 0.03),
            shocks: ShockDistribution::Normal,
            common_factor_weight: 0.0,
            missing_share: 0.0,
            clustering: EventClustering::Independent,
            effect: Effect::None,
            bootstrap: None,
        }
    }
}

impl SimulationConfig {
    /// The event period H = hull of the event windows.
    pub fn event_period(&self) -> Window {
        event_period(&self.windows)
    }

    /// The design every pair is analysed with: the default [`Analysis`] (market model,
    /// simple returns, r̄ over ≥ 30 common dates, normal-approximation Wilcoxon) with this
    /// experiment's windows and minimum estimation returns.
    pub fn analysis(&self) -> Analysis {
        Analysis {
            windows: Windows {
                estimation: self.estimation,
                event: self.windows.clone(),
            },
            min_estimation_returns: self.min_estimation_returns,
            ..Analysis::default()
        }
    }

    /// The engine configuration of every pair ([`Analysis::engine_config`]).
    pub fn engine_config(&self) -> EngineConfig {
        self.analysis().engine_config()
    }

    /// The battery configuration ([`Analysis::stats_config`]).
    pub fn stats_config(&self) -> StatsConfig {
        self.analysis().stats_config()
    }

    /// The positions day 0 may take: those where every estimation and event-period day lies
    /// on the calendar. `None` when the calendar is too short.
    pub fn day0_range(&self) -> Option<(usize, usize)> {
        let h = self.event_period();
        let first = self.estimation.start.min(h.start).min(0);
        let last = self.estimation.end.max(h.end).max(0);
        let lo = usize::try_from(-(first as i64)).ok()?;
        let hi = (self.days as i64 - 1 - last as i64).try_into().ok()?;
        (lo <= hi).then_some((lo, hi))
    }

    /// Checks the configuration; every problem is an [`Error::Config`] naming the field.
    ///
    /// # Examples
    /// ```
    /// use evstudy::simulate::SimulationConfig;
    /// assert!(SimulationConfig::default().validate().is_ok());
    /// let short = SimulationConfig { days: 100, ..Default::default() };
    /// assert!(short.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::config(format!("simulate: {m}")));
        if self.replications == 0 {
            return bad("replications must be at least 1".into());
        }
        if self.pairs < 2 {
            return bad(format!("pairs must be at least 2, got {}", self.pairs));
        }
        if self.windows.is_empty() {
            return bad("at least one event window is needed".into());
        }
        for w in self.windows.iter().chain(std::iter::once(&self.estimation)) {
            if w.start > w.end {
                return bad(format!("window {} has start > end", w.label()));
            }
        }
        let analysis = self.analysis();
        if let Some(i) = analysis.windows.first_overlap() {
            return bad(format!(
                "event window {} intersects the estimation window {}",
                self.windows[i].label(),
                self.estimation.label()
            ));
        }
        // The rule of every design (M ≥ k + 1), bounded by the window length L.
        let least = analysis.model.k() + 1;
        if self.min_estimation_returns < least
            || self.min_estimation_returns > self.estimation.len()
        {
            return bad(format!(
                "min_estimation_returns must be in {least}..={} (the estimation window length), got {}",
                self.estimation.len(),
                self.min_estimation_returns
            ));
        }
        if self.day0_range().is_none() {
            return bad(format!(
                "days = {} is too short for the estimation window {} and the event period {}",
                self.days,
                self.estimation.label(),
                self.event_period().label()
            ));
        }
        let (b0, b1) = self.beta_range;
        if !(b0.is_finite() && b1.is_finite() && b0 <= b1) {
            return bad(format!(
                "beta_range ({b0}, {b1}) must be finite with lo <= hi"
            ));
        }
        if let EventClustering::SharedDates { dates } = self.clustering {
            let positions = self.day0_range().map_or(0, |(lo, hi)| hi - lo + 1);
            if dates == 0 || dates > self.pairs || dates > positions {
                return bad(format!(
                    "event dates must be in 1..={} (at most the pairs and the {positions} \
                     possible day-0 positions), got {dates}",
                    self.pairs.min(positions)
                ));
            }
        }
        let (s0, s1) = self.sigma_range;
        if !(s0.is_finite() && s1.is_finite() && s0 > 0.0 && s0 <= s1) {
            return bad(format!(
                "sigma_range ({s0}, {s1}) must be finite with 0 < lo <= hi"
            ));
        }
        if !(self.market_mean.is_finite()
            && self.market_sigma.is_finite()
            && self.market_sigma >= 0.0)
        {
            return bad("market_mean must be finite and market_sigma finite and >= 0".into());
        }
        if let ShockDistribution::StudentT { df } = self.shocks {
            if !(df > 2.0 && df.is_finite()) {
                return bad(format!(
                    "Student-t shocks need finite df > 2 (finite variance), got {df}"
                ));
            }
        }
        if !(0.0..1.0).contains(&self.common_factor_weight) {
            return bad(format!(
                "common_factor_weight must be in [0, 1), got {}",
                self.common_factor_weight
            ));
        }
        if !(0.0..1.0).contains(&self.missing_share) {
            return bad(format!(
                "missing_share must be in [0, 1), got {}",
                self.missing_share
            ));
        }
        match self.effect {
            Effect::None => {}
            Effect::MeanShift { day0: x } | Effect::WindowShift { per_day: x }
                if !x.is_finite() =>
            {
                return bad(format!("effect size must be finite, got {x}"));
            }
            Effect::VarianceIncrease { factor } if !(factor > 0.0 && factor.is_finite()) => {
                return bad(format!(
                    "variance factor must be finite and > 0, got {factor}"
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

/// One row of the rejection table: one test, scope, window and level of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectionRow {
    /// [`SimulationConfig::scenario`].
    pub scenario: String,
    /// Test name, e.g. `bmp_t`.
    pub test: String,
    /// `day` (day 0), `car` (a window's CAR) or `bhar` (a window's BHAR).
    pub scope: String,
    /// `0` for the day scope (the relative day), the window `a:b` otherwise.
    pub window: String,
    /// Nominal level α (0.01, 0.05, 0.10).
    pub level: f64,
    /// Share of the replications with a statistic whose p-value is < α; None if no
    /// replication produced the statistic.
    pub rejection_rate: Option<f64>,
    /// Monte Carlo standard error √(p(1 − p)/R).
    pub mc_se: Option<f64>,
    /// R: replications in which the test produced a statistic (NA statistics are left out).
    pub replications: usize,
}

/// The outcome of [`simulate`].
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationResult {
    /// [`SimulationConfig::scenario`].
    pub scenario: String,
    /// Rejection rows: scope `day` (day 0, if in H), then `car` and `bhar` per window; tests
    /// in battery order; levels ascending.
    pub rows: Vec<RejectionRow>,
    /// Replications run.
    pub replications: usize,
    /// Mean number of analysed pairs per replication (pairs minus estimation exclusions).
    pub mean_events: f64,
    /// Mean r̄ (§7.3) over the replications.
    pub mean_rbar: f64,
}

/// One tracked test: (scope, window label, test) → its slot in the p-value vector.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TestKey {
    scope: &'static str,
    window: String,
    test: &'static str,
}

/// The tracked tests of a configuration, in table order.
fn tracked_tests(cfg: &SimulationConfig) -> Vec<TestKey> {
    let h = cfg.event_period();
    let mut keys = Vec::new();
    if h.start <= 0 && 0 <= h.end {
        keys.extend(TestKind::BATTERY.iter().map(|t| TestKey {
            scope: "day",
            window: "0".into(),
            test: t.as_str(),
        }));
    }
    for w in &cfg.windows {
        keys.extend(TestKind::BATTERY.iter().map(|t| TestKey {
            scope: "car",
            window: w.label(),
            test: t.as_str(),
        }));
    }
    if cfg.bootstrap.is_some() {
        if h.start <= 0 && 0 <= h.end {
            keys.push(TestKey {
                scope: "day",
                window: "0".into(),
                test: TestKind::WildBootT.as_str(),
            });
        }
        keys.extend(cfg.windows.iter().map(|w| TestKey {
            scope: "car",
            window: w.label(),
            test: TestKind::WildBootT.as_str(),
        }));
    }
    for w in &cfg.windows {
        for t in ["csect_t", "skew_adj_t"] {
            keys.push(TestKey {
                scope: "bhar",
                window: w.label(),
                test: t,
            });
        }
    }
    keys
}

/// The p-value of each tracked test (slot from `index`) in a battery's rows: day 0 and every
/// window; None where the statistic is NA.
fn tracked_p_values(
    tests: &[crate::tables::TestRow],
    index: &HashMap<(String, String, String), usize>,
    n_keys: usize,
) -> Vec<Option<f64>> {
    let mut p_values = vec![None; n_keys];
    for row in tests {
        let label = match row.scope.as_str() {
            "day" if row.rel_day == Some(0) => "0".to_string(),
            "day" => continue,
            _ => match &row.window {
                Some(w) => w.clone(),
                None => continue,
            },
        };
        if let Some(&k) = index.get(&(row.scope.to_string(), label, row.test.to_string())) {
            p_values[k] = row.p_value.filter(|p| p.is_finite());
        }
    }
    p_values
}

/// Rejection-rate rows of every tracked test at every level, in table order.
fn rejection_rows(scenario: &str, keys: &[TestKey], counts: &RejectionCounts) -> Vec<RejectionRow> {
    let mut rows = Vec::with_capacity(keys.len() * LEVELS.len());
    for (k, key) in keys.iter().enumerate() {
        for (l, &level) in LEVELS.iter().enumerate() {
            let (rate, se) = rejection_rate(counts.rejected[k][l], counts.available[k]);
            rows.push(RejectionRow {
                scenario: scenario.to_string(),
                test: key.test.to_string(),
                scope: key.scope.to_string(),
                window: key.window.clone(),
                level,
                rejection_rate: rate,
                mc_se: se,
                replications: counts.available[k],
            });
        }
    }
    rows
}

/// Everything a replication shares with the others.
struct Shared {
    engine: Engine,
    stats: StatsConfig,
    /// Session dates of the synthetic calendar (weekdays from 2000-01-03).
    dates: Vec<Option<NaiveDate>>,
    names: Vec<String>,
    ids: Vec<String>,
    keys: Vec<TestKey>,
    index: HashMap<(String, String, String), usize>,
    day0_range: (usize, usize),
}

/// What one replication leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationOutcome {
    /// p-value of each tracked test (table order), None where the statistic is NA.
    pub p_values: Vec<Option<f64>>,
    /// Number of analysed pairs.
    pub n_events: usize,
    /// r̄ of the replication.
    pub rbar: f64,
}

/// `days` weekdays starting on Monday 2000-01-03.
fn weekday_calendar(days: usize) -> Vec<Option<NaiveDate>> {
    let mut out = Vec::with_capacity(days);
    let mut d = NaiveDate::from_ymd_opt(2000, 1, 3);
    while out.len() < days {
        let Some(day) = d else { break };
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(Some(day));
        }
        d = day.succ_opt();
    }
    out
}

impl Shared {
    fn new(cfg: &SimulationConfig) -> Result<Self> {
        cfg.validate()?;
        let keys = tracked_tests(cfg);
        let index = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                (
                    (k.scope.to_string(), k.window.clone(), k.test.to_string()),
                    i,
                )
            })
            .collect();
        let dates = weekday_calendar(cfg.days);
        if dates.len() != cfg.days {
            return Err(Error::config(format!(
                "simulate: days = {} is too long for a date calendar",
                cfg.days
            )));
        }
        Ok(Shared {
            engine: Engine::new(&cfg.engine_config()),
            stats: cfg.stats_config(),
            dates,
            names: (0..cfg.pairs).map(|i| format!("SIM{:05}", i + 1)).collect(),
            ids: (0..cfg.pairs).map(|i| format!("E{:05}", i + 1)).collect(),
            keys,
            index,
            day0_range: cfg.day0_range().unwrap_or((0, 0)),
        })
    }
}

/// A unit-variance shock of the configured distribution.
#[inline]
fn shock(rng: &mut SimRng, dist: ShockDistribution) -> f64 {
    match dist {
        ShockDistribution::Normal => rng.normal(),
        ShockDistribution::StudentT { df } => rng.student_t(df) * ((df - 2.0) / df).sqrt(),
    }
}

/// The synthetic data of one replication.
#[derive(Debug, Clone)]
pub struct ReplicationData {
    /// One aligned series per pair (market model inputs: ret, span, bench, bench_daily).
    pub series: Vec<AlignedSeries>,
    /// Day-0 position of each pair on the calendar.
    pub day0: Vec<usize>,
    /// True β_i.
    pub beta: Vec<f64>,
    /// True σ_i.
    pub sigma: Vec<f64>,
}

/// Draws the market index and every security's returns of replication `replication`
/// (see the module documentation for the model).
///
/// # Errors
/// [`Error::Config`] when the configuration is invalid ([`SimulationConfig::validate`]).
///
/// # Formula
/// ```text
/// R_m,t = μ_m + σ_m ξ_t;   R_i,t = β_i R_m,t + σ_i (√w f_t + √(1 − w) ε_i,t) + effect_i,t
/// ```
///
/// # Examples
/// ```
/// use evstudy::simulate::{generate_replication, SimulationConfig};
/// let cfg = SimulationConfig { pairs: 3, ..Default::default() };
/// let data = generate_replication(&cfg, 0).unwrap();
/// assert_eq!(data.series.len(), 3);
/// assert_eq!(data.series[0].ret.len(), cfg.days);
/// assert!(data.series[0].ret[0].is_nan()); // only the estimation window and H are drawn
/// assert!(!data.series[0].ret[data.day0[0]].is_nan());
/// ```
pub fn generate_replication(cfg: &SimulationConfig, replication: u64) -> Result<ReplicationData> {
    cfg.validate()?;
    let range = cfg.day0_range().unwrap_or((0, 0));
    Ok(generate(cfg, range, replication))
}

fn generate(cfg: &SimulationConfig, (lo, hi): (usize, usize), replication: u64) -> ReplicationData {
    let mut rng = SimRng::for_stream(cfg.seed, replication);
    let n_days = cfg.days;
    let dist = cfg.shocks;
    let market: Vec<f64> = (0..n_days)
        .map(|_| cfg.market_mean + cfg.market_sigma * shock(&mut rng, dist))
        .collect();
    let market_column: Arc<[f64]> = Arc::from(market.as_slice());
    let w = cfg.common_factor_weight;
    let (sw, sw1) = (w.sqrt(), (1.0 - w).sqrt());
    let factor: Vec<f64> = if w > 0.0 {
        (0..n_days).map(|_| shock(&mut rng, dist)).collect()
    } else {
        Vec::new()
    };
    let common_day0 = rng.uniform_int(lo, hi);
    let date_positions = match cfg.clustering {
        EventClustering::SharedDates { dates } => distinct_positions(&mut rng, dates, lo, hi),
        EventClustering::Independent | EventClustering::Clustered => Vec::new(),
    };
    let h = cfg.event_period();
    let mut out = ReplicationData {
        series: Vec::with_capacity(cfg.pairs),
        day0: Vec::with_capacity(cfg.pairs),
        beta: Vec::with_capacity(cfg.pairs),
        sigma: Vec::with_capacity(cfg.pairs),
    };
    let first_rel = cfg.estimation.start.min(h.start).min(0) as i64;
    let last_rel = cfg.estimation.end.max(h.end).max(0) as i64;
    for j in 0..cfg.pairs {
        let beta = rng.uniform_range(cfg.beta_range.0, cfg.beta_range.1);
        let sigma = rng.uniform_range(cfg.sigma_range.0, cfg.sigma_range.1);
        let day0 = match cfg.clustering {
            EventClustering::Independent => rng.uniform_int(lo, hi),
            EventClustering::Clustered => common_day0,
            EventClustering::SharedDates { dates } => date_positions[j % dates],
        };
        // event period H of this pair (on the calendar by day0_range)
        let h_lo = (day0 as i64 + h.start as i64) as usize;
        let h_hi = (day0 as i64 + h.end as i64) as usize;
        // only the returns the analysis reads are drawn: estimation window ∪ event period
        let (span_lo, span_hi) = (
            (day0 as i64 + first_rel) as usize,
            (day0 as i64 + last_rel) as usize,
        );
        // event-induced variance: the idiosyncratic shock is scaled by √factor on H
        let h_scale = match cfg.effect {
            Effect::VarianceIncrease { factor: f } => f.sqrt(),
            _ => 1.0,
        };
        let mut ret = vec![f64::NAN; n_days];
        for t in span_lo..=span_hi {
            let common = if w > 0.0 { sw * factor[t] } else { 0.0 };
            let scale = if (h_lo..=h_hi).contains(&t) {
                h_scale
            } else {
                1.0
            };
            ret[t] = beta * market[t] + sigma * (common + sw1 * scale * shock(&mut rng, dist));
        }
        match cfg.effect {
            Effect::MeanShift { day0: x } => ret[day0] += x,
            Effect::WindowShift { per_day } => {
                ret[h_lo..=h_hi].iter_mut().for_each(|r| *r += per_day)
            }
            Effect::None | Effect::VarianceIncrease { .. } => {}
        }
        // missing closes (the close before span_lo included): both adjacent returns missing (§1.2)
        if cfg.missing_share > 0.0 {
            let mut prev_missing = span_lo > 0 && rng.uniform() < cfg.missing_share;
            for r in &mut ret[span_lo..=span_hi] {
                let missing = rng.uniform() < cfg.missing_share;
                if missing || prev_missing {
                    *r = f64::NAN;
                }
                prev_missing = missing;
            }
        }
        if let Some(r0) = ret.first_mut() {
            *r0 = f64::NAN;
        }
        let span: Vec<u32> = ret.iter().map(|r| u32::from(!r.is_nan())).collect();
        out.series.push(AlignedSeries {
            ret,
            span,
            bench: Arc::clone(&market_column),
            bench_daily: Arc::clone(&market_column),
            ..Default::default()
        });
        out.day0.push(day0);
        out.beta.push(beta);
        out.sigma.push(sigma);
    }
    out
}

/// `count` distinct positions of `lo..=hi` drawn uniformly without replacement (a partial
/// Fisher–Yates shuffle), in draw order; `count` ≤ hi − lo + 1 ([`SimulationConfig::validate`]).
fn distinct_positions(rng: &mut SimRng, count: usize, lo: usize, hi: usize) -> Vec<usize> {
    let mut pool: Vec<usize> = (lo..=hi).collect();
    let count = count.min(pool.len());
    for k in 0..count {
        let pick = rng.uniform_int(k, pool.len() - 1);
        pool.swap(k, pick);
    }
    pool.truncate(count);
    pool
}

/// Runs replication `replication` end to end: data, engine on every pair, battery once.
fn run_replication(
    cfg: &SimulationConfig,
    shared: &Shared,
    replication: u64,
) -> ReplicationOutcome {
    let data = generate(cfg, shared.day0_range, replication);
    let mut analysed: Vec<(usize, PairResult)> = Vec::with_capacity(cfg.pairs);
    for (i, (series, &day0)) in data.series.iter().zip(&data.day0).enumerate() {
        if let Ok(res) = shared.engine.analyse(series, day0) {
            analysed.push((i, res));
        }
    }
    let l1 = cfg.estimation.start as i64;
    let l2 = cfg.estimation.end as i64;
    let events: Vec<StatsEvent> = analysed
        .iter()
        .map(|(i, res)| {
            let day0 = data.day0[*i];
            // day0_range guarantees these positions are on the calendar
            let a = (day0 as i64 + l1) as usize;
            let b = (day0 as i64 + l2) as usize;
            StatsEvent {
                event_id: &shared.ids[*i],
                security: &shared.names[*i],
                day0: shared.dates[day0].unwrap_or_default(),
                est_dates: &shared.dates[a..=b],
                pair: res.into(),
            }
        })
        .collect();
    let mut battery = group_battery("simulation", &events, &shared.stats);
    if let Some(b) = &cfg.bootstrap {
        let settings = BootstrapSettings {
            seed: SimRng::for_stream(b.seed, replication).next_u64(),
            ..*b
        };
        let rows = wild_bootstrap_rows("simulation", &events, &shared.stats, &settings);
        battery.tests.extend(rows);
    }
    let p_values = tracked_p_values(&battery.tests, &shared.index, shared.keys.len());
    ReplicationOutcome {
        p_values,
        n_events: events.len(),
        rbar: battery.diagnostics.rbar,
    }
}

/// The p-values of every tracked test in replication `replication` (for inspection and
/// tests; [`simulate`] runs all replications).
///
/// # Errors
/// [`Error::Config`] when the configuration is invalid.
pub fn replication_outcome(cfg: &SimulationConfig, replication: u64) -> Result<ReplicationOutcome> {
    let shared = Shared::new(cfg)?;
    Ok(run_replication(cfg, &shared, replication))
}

/// Rejection counts of every tracked test at every level.
#[derive(Debug, Clone, PartialEq, Default)]
struct RejectionCounts {
    /// `[key][level]` rejections (p < α).
    rejected: Vec<[usize; LEVELS.len()]>,
    /// Replications where the key had a p-value.
    available: Vec<usize>,
}

impl RejectionCounts {
    fn new(n_keys: usize) -> Self {
        RejectionCounts {
            rejected: vec![[0; LEVELS.len()]; n_keys],
            available: vec![0; n_keys],
        }
    }

    fn add(&mut self, p_values: &[Option<f64>]) {
        for (k, p) in p_values.iter().enumerate() {
            let Some(p) = *p else { continue };
            self.available[k] += 1;
            for (l, &alpha) in LEVELS.iter().enumerate() {
                if p < alpha {
                    self.rejected[k][l] += 1;
                }
            }
        }
    }
}

/// Rejection rate p̂ = rejections / R and its Monte Carlo standard error √(p̂(1 − p̂)/R).
/// `(None, None)` when R = 0.
///
/// # Formula
/// ```text
/// p̂ = #{p-value < α} / R,     se(p̂) = √( p̂ (1 − p̂) / R )
/// ```
///
/// # Examples
/// ```
/// use evstudy::simulate::rejection_rate;
/// let (p, se) = rejection_rate(50, 1000);
/// assert_eq!(p, Some(0.05));
/// assert!((se.unwrap() - (0.05f64 * 0.95 / 1000.0).sqrt()).abs() < 1e-15);
/// assert_eq!(rejection_rate(0, 0), (None, None));
/// ```
pub fn rejection_rate(rejections: usize, replications: usize) -> (Option<f64>, Option<f64>) {
    if replications == 0 {
        return (None, None);
    }
    let r = replications as f64;
    let p = rejections as f64 / r;
    (Some(p), Some((p * (1.0 - p) / r).sqrt()))
}

/// Runs the Monte Carlo experiment of `cfg` and returns the rejection rate of every test of
/// the battery at day 0 (`day` scope) and for each window (`car`, `bhar`), at 1 %, 5 % and
/// 10 %, with Monte Carlo standard errors.
///
/// Replications run in parallel (rayon); replication r uses the random stream `(seed, r)`, so
/// the rows do not depend on the number of threads. A test that is NA in a replication
/// (e.g. too few events) is left out of that test's R.
///
/// # Errors
/// [`Error::Config`] when the configuration is invalid ([`SimulationConfig::validate`]).
///
/// # Formula
/// rejection rate = #{replications with p < α} / R;  se = √(p̂(1 − p̂)/R).
///
/// # Examples
/// ```
/// use evstudy::abnormal::Window;
/// use evstudy::simulate::{simulate, SimulationConfig};
/// let cfg = SimulationConfig {
///     replications: 20, pairs: 10, days: 160,
///     estimation: Window { start: -120, end: -11 },
///     windows: vec![Window { start: 0, end: 0 }],
///     min_estimation_returns: 60,
///     ..Default::default()
/// };
/// let res = simulate(&cfg).unwrap();
/// let row = res.rows.iter()
///     .find(|r| r.test == "bmp_t" && r.scope == "day" && r.level == 0.05).unwrap();
/// assert_eq!(row.replications, 20);
/// assert!(row.rejection_rate.unwrap() <= 1.0);
/// ```
pub fn simulate(cfg: &SimulationConfig) -> Result<SimulationResult> {
    let shared = Shared::new(cfg)?;
    let outcomes: Vec<ReplicationOutcome> = (0..cfg.replications as u64)
        .into_par_iter()
        .map(|r| run_replication(cfg, &shared, r))
        .collect();
    let mut counts = RejectionCounts::new(shared.keys.len());
    let (mut events, mut rbar_sum) = (0usize, 0.0);
    for o in &outcomes {
        counts.add(&o.p_values);
        events += o.n_events;
        rbar_sum += o.rbar;
    }
    let rows = rejection_rows(&cfg.scenario, &shared.keys, &counts);
    let r = cfg.replications as f64;
    Ok(SimulationResult {
        scenario: cfg.scenario.clone(),
        rows,
        replications: cfg.replications,
        mean_events: events as f64 / r,
        mean_rbar: rbar_sum / r,
    })
}

#[cfg(test)]
mod tests;
