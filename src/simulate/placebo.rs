//! Placebo simulations on a real panel: events drawn at random dates on the securities of a
//! study (Brown & Warner 1985, "placebo" design), optionally with an injected effect, so a user
//! sees how each test behaves on *their* data.

use super::rng::SimRng;
use super::{
    rejection_rows, tracked_p_values, tracked_tests, Effect, EventClustering, RejectionCounts,
    SimulationConfig, SimulationResult,
};
use crate::abnormal::{Engine, EngineConfig, PairResult};
use crate::error::{Error, Result};
use crate::returns::AlignedSeries;
use crate::stats::{group_battery, StatsConfig, StatsEvent};
use chrono::NaiveDate;
use rayon::prelude::*;

/// Settings of a placebo experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceboConfig {
    /// Scenario label of the output rows.
    pub scenario: String,
    /// Seed; replication r uses the stream (seed, r).
    pub seed: u64,
    /// Monte Carlo replications.
    pub replications: usize,
    /// Placebo events per replication (securities drawn with replacement across dates; a
    /// security at most once per date, so a clustered replication has at most as many events
    /// as securities trading that day).
    pub pairs: usize,
    /// Independent dates, or one shared date per replication
    /// ([`EventClustering::SharedDates`] is refused).
    pub clustering: EventClustering,
    /// Injected effect (None measures size).
    pub effect: Effect,
}

/// Valid day-0 positions of a series: the estimation window and the event period (with one
/// extra session on each side for leads and lags) stay on the calendar.
fn day0_range(n: usize, engine: &EngineConfig) -> Option<(usize, usize)> {
    let h = engine.event_period();
    let lo = (-(engine.estimation.start as i64) + engine.dimson_lags as i64 + 1).max(0) as usize;
    let hi = n as i64 - 1 - h.end.max(0) as i64 - engine.dimson_lags as i64 - 1;
    (hi >= lo as i64).then_some((lo, hi as usize))
}

fn inject(
    series: &AlignedSeries,
    day0: usize,
    engine: &EngineConfig,
    effect: Effect,
    rng: &mut SimRng,
) -> AlignedSeries {
    let mut s = series.clone();
    let h = engine.event_period();
    let at = |t: i32| (day0 as i64 + t as i64) as usize;
    match effect {
        Effect::None => {}
        Effect::MeanShift { day0: x } => {
            if s.ret[day0].is_finite() {
                s.ret[day0] += x;
            }
        }
        Effect::WindowShift { per_day } => {
            for t in h.start..=h.end {
                if engine.windows.iter().any(|w| w.start <= t && t <= w.end)
                    && s.ret[at(t)].is_finite()
                {
                    s.ret[at(t)] += per_day;
                }
            }
        }
        Effect::VarianceIncrease { factor } => {
            // Extra noise so that the event-period variance is factor² × the estimation one.
            let est: Vec<f64> = (engine.estimation.start..=engine.estimation.end)
                .map(|t| s.ret[at(t)])
                .filter(|x| x.is_finite())
                .collect();
            if est.len() > 2 {
                let m = est.iter().sum::<f64>() / est.len() as f64;
                let sd = (est.iter().map(|x| (x - m).powi(2)).sum::<f64>()
                    / (est.len() - 1) as f64)
                    .sqrt();
                let extra = sd * (factor * factor - 1.0).max(0.0).sqrt();
                for t in h.start..=h.end {
                    if s.ret[at(t)].is_finite() {
                        s.ret[at(t)] += extra * rng.normal();
                    }
                }
            }
        }
    }
    s
}

/// Run a placebo experiment on `panel` (aligned series of a real study, e.g. from
/// [`crate::study::run_study`]) with the study's engine and test settings.
/// Rows as [`super::simulate`]: rejection rates at 1 %, 5 %, 10 % with Monte Carlo standard
/// errors for every test at day 0 and for every window.
///
/// # Formula
/// rejection rate = #{replications with p < α} / R;  se = √(p̂(1 − p̂)/R).
///
/// # Errors
/// [`Error::Config`] when no series is long enough for the windows, R or the number of
/// pairs is 0, or the clustering is [`EventClustering::SharedDates`] (synthetic panels only).
///
/// # Examples
/// ```
/// use evstudy::abnormal::{EngineConfig, Window};
/// use evstudy::model::ModelKind;
/// use evstudy::returns::{AlignedSeries, ReturnKind};
/// use evstudy::simulate::{simulate_placebo, Effect, EventClustering, PlaceboConfig};
/// use evstudy::stats::StatsConfig;
/// let n = 300;
/// let dates: Vec<_> = (0..n).map(|i| chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(i)).collect();
/// let m: Vec<f64> = (0..n).map(|i| ((i * 7919 % 101) as f64 - 50.0) / 5000.0).collect();
/// let panel: Vec<AlignedSeries> = (0..4).map(|k| AlignedSeries {
///     security: format!("S{k}"), dates: dates.as_slice().into(),
///     ret: (0..n).map(|i| 1.2 * m[i as usize] + ((i as usize * (k + 3) * 104729 % 97) as f64 - 48.0) / 4000.0).collect(),
///     span: vec![1; n as usize], bench: m.clone().into(), bench_daily: m.clone().into(), ..Default::default() }).collect();
/// let engine = EngineConfig { model: ModelKind::MarketModel, returns: ReturnKind::Simple,
///     estimation: Window { start: -120, end: -11 }, windows: vec![Window { start: 0, end: 0 }],
///     min_estimation_returns: 60, dimson_lags: 1, trade_to_trade: false };
/// let stats = StatsConfig { estimation: engine.estimation, windows: engine.windows.clone(),
///     rbar_min_common_dates: 30, wilcoxon_exact: false, trade_to_trade: false };
/// let cfg = PlaceboConfig { scenario: "placebo".into(), seed: 1, replications: 20, pairs: 8,
///     clustering: EventClustering::Independent, effect: Effect::None };
/// let res = simulate_placebo(&panel, &engine, &stats, &cfg).unwrap();
/// assert!(res.rows.iter().any(|r| r.test == "csect_t" && r.replications == 20));
/// ```
pub fn simulate_placebo(
    panel: &[AlignedSeries],
    engine: &EngineConfig,
    stats: &StatsConfig,
    cfg: &PlaceboConfig,
) -> Result<SimulationResult> {
    if cfg.replications == 0 || cfg.pairs == 0 {
        return Err(Error::config(
            "simulate: replications and pairs must be at least 1",
        ));
    }
    if let EventClustering::SharedDates { .. } = cfg.clustering {
        return Err(Error::config(
            "simulate: several shared event dates (--clustering dates) are simulated on \
             synthetic panels only; with --config use independent, clustered or both",
        ));
    }
    let usable: Vec<(&AlignedSeries, (usize, usize))> = panel
        .iter()
        .filter_map(|s| day0_range(s.ret.len(), engine).map(|r| (s, r)))
        .collect();
    if usable.is_empty() {
        return Err(Error::config(
            "simulate: no security has enough sessions for the estimation window and event windows",
        ));
    }
    // The tracked tests depend only on the windows.
    let keys = tracked_tests(&SimulationConfig {
        windows: engine.windows.clone(),
        estimation: engine.estimation,
        ..Default::default()
    });
    let index: std::collections::HashMap<(String, String, String), usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                (k.scope.to_string(), k.window.clone(), k.test.to_string()),
                i,
            )
        })
        .collect();
    let analyser = Engine::new(engine);
    let outcomes: Vec<(Vec<Option<f64>>, usize, f64)> = (0..cfg.replications as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = SimRng::for_stream(cfg.seed, r);
            let chosen = draw_pairs(&usable, cfg, &mut rng);
            let ids: Vec<String> = (0..chosen.len())
                .map(|i| format!("P{:05}", i + 1))
                .collect();
            let results: Vec<(usize, usize, PairResult)> = chosen
                .iter()
                .enumerate()
                .filter_map(|(i, &(k, day0))| {
                    let s = inject(usable[k].0, day0, engine, cfg.effect, &mut rng);
                    analyser.analyse(&s, day0).ok().map(|res| (i, k, res))
                })
                .collect();
            let est_dates: Vec<Vec<Option<NaiveDate>>> = results
                .iter()
                .map(|&(i, k, _)| {
                    let day0 = chosen[i].1 as i64;
                    (engine.estimation.start..=engine.estimation.end)
                        .map(|t| usable[k].0.dates.get((day0 + t as i64) as usize).copied())
                        .collect()
                })
                .collect();
            let events: Vec<StatsEvent> = results
                .iter()
                .zip(&est_dates)
                .map(|((i, k, res), ed)| StatsEvent {
                    event_id: &ids[*i],
                    security: &usable[*k].0.security,
                    day0: usable[*k].0.dates[chosen[*i].1],
                    est_dates: ed,
                    pair: res.into(),
                })
                .collect();
            let battery = group_battery("placebo", &events, stats);
            let p = tracked_p_values(&battery.tests, &index, keys.len());
            (p, events.len(), battery.diagnostics.rbar)
        })
        .collect();
    let mut counts = RejectionCounts::new(keys.len());
    let (mut n_events, mut rbar) = (0usize, 0.0);
    for (p, n, r) in &outcomes {
        counts.add(p);
        n_events += n;
        rbar += r;
    }
    let rows = rejection_rows(&cfg.scenario, &keys, &counts);
    let r = cfg.replications as f64;
    Ok(SimulationResult {
        scenario: cfg.scenario.clone(),
        rows,
        replications: cfg.replications,
        mean_events: n_events as f64 / r,
        mean_rbar: rbar / r,
    })
}

/// Draws the placebo pairs of one replication: (index into `usable`, day-0 position), each
/// security at most once per date; on one shared date when the events are clustered.
fn draw_pairs(
    usable: &[(&AlignedSeries, (usize, usize))],
    cfg: &PlaceboConfig,
    rng: &mut SimRng,
) -> Vec<(usize, usize)> {
    let mut chosen: Vec<(usize, usize)> = Vec::with_capacity(cfg.pairs);
    let shared_date: Option<NaiveDate> = match cfg.clustering {
        // several shared dates are refused by simulate_placebo before any draw
        EventClustering::Independent | EventClustering::SharedDates { .. } => None,
        EventClustering::Clustered => {
            let (s, (lo, hi)) = usable[rng.uniform_int(0, usable.len() - 1)];
            Some(s.dates[rng.uniform_int(lo, hi)])
        }
    };
    let mut tries = 0;
    while chosen.len() < cfg.pairs && tries < cfg.pairs * 50 {
        tries += 1;
        let k = rng.uniform_int(0, usable.len() - 1);
        let (s, (lo, hi)) = usable[k];
        let day0 = match shared_date {
            None => rng.uniform_int(lo, hi),
            Some(d) => match s.dates.binary_search(&d) {
                Ok(p) if p >= lo && p <= hi => p,
                _ => continue,
            },
        };
        // A security appears at most once per date (two copies of one series on one
        // day would be perfectly correlated "events").
        if chosen
            .iter()
            .any(|&(k2, d2)| k2 == k && usable[k2].0.dates[d2] == s.dates[day0])
        {
            continue;
        }
        chosen.push((k, day0));
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abnormal::Window;
    use crate::model::ModelKind;
    use crate::returns::ReturnKind;

    fn panel(n: usize, k: usize, seed: u64) -> Vec<AlignedSeries> {
        let mut rng = SimRng::for_stream(seed, 999);
        let start = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        let dates: Vec<NaiveDate> = (0..n)
            .map(|i| start + chrono::Duration::days(i as i64))
            .collect();
        let m: Vec<f64> = (0..n).map(|_| 0.01 * rng.normal()).collect();
        (0..k)
            .map(|j| AlignedSeries {
                security: format!("S{j}"),
                dates: dates.as_slice().into(),
                ret: (0..n).map(|i| 1.1 * m[i] + 0.02 * rng.normal()).collect(),
                span: vec![1; n],
                bench: m.clone().into(),
                bench_daily: m.clone().into(),
                ..Default::default()
            })
            .collect()
    }

    fn configs() -> (EngineConfig, StatsConfig) {
        let engine = EngineConfig {
            model: ModelKind::MarketModel,
            returns: ReturnKind::Simple,
            estimation: Window {
                start: -150,
                end: -11,
            },
            windows: vec![Window { start: 0, end: 0 }, Window { start: -1, end: 1 }],
            min_estimation_returns: 100,
            dimson_lags: 1,
            trade_to_trade: false,
        };
        let stats = StatsConfig {
            estimation: engine.estimation,
            windows: engine.windows.clone(),
            rbar_min_common_dates: 30,
            wilcoxon_exact: false,
            trade_to_trade: false,
        };
        (engine, stats)
    }

    fn rate(res: &SimulationResult, test: &str) -> f64 {
        res.rows
            .iter()
            .find(|r| r.test == test && r.scope == "day" && (r.level - 0.05).abs() < 1e-12)
            .unwrap()
            .rejection_rate
            .unwrap()
    }

    #[test]
    fn placebo_size_and_power_on_an_iid_panel() {
        let p = panel(1200, 20, 7);
        let (engine, stats) = configs();
        let base = PlaceboConfig {
            scenario: "placebo".into(),
            seed: 3,
            replications: 400,
            pairs: 30,
            clustering: EventClustering::Independent,
            effect: Effect::None,
        };
        let size = simulate_placebo(&p, &engine, &stats, &base).unwrap();
        for t in ["csect_t", "patell_z", "bmp_t"] {
            let r = rate(&size, t);
            assert!((0.02..=0.09).contains(&r), "{t} size {r}");
        }
        let power = simulate_placebo(
            &p,
            &engine,
            &stats,
            &PlaceboConfig {
                effect: Effect::MeanShift { day0: 0.02 },
                ..base.clone()
            },
        )
        .unwrap();
        assert!(
            rate(&power, "bmp_t") > 0.8,
            "power {}",
            rate(&power, "bmp_t")
        );
        // Deterministic.
        let again = simulate_placebo(&p, &engine, &stats, &base).unwrap();
        assert_eq!(size.rows, again.rows);
    }

    #[test]
    fn clustered_placebo_events_share_a_date() {
        let p = panel(600, 6, 9);
        let (engine, stats) = configs();
        let cfg = PlaceboConfig {
            scenario: "c".into(),
            seed: 1,
            replications: 5,
            pairs: 6,
            clustering: EventClustering::Clustered,
            effect: Effect::None,
        };
        let res = simulate_placebo(&p, &engine, &stats, &cfg).unwrap();
        assert!(res.mean_events >= 5.0);
    }

    #[test]
    fn too_short_panel_is_a_clear_error() {
        let p = panel(100, 3, 1);
        let (engine, stats) = configs();
        let cfg = PlaceboConfig {
            scenario: "x".into(),
            seed: 1,
            replications: 5,
            pairs: 3,
            clustering: EventClustering::Independent,
            effect: Effect::None,
        };
        let e = simulate_placebo(&p, &engine, &stats, &cfg)
            .unwrap_err()
            .to_string();
        assert!(e.contains("enough sessions"), "{e}");
        let shared = PlaceboConfig {
            clustering: EventClustering::SharedDates { dates: 2 },
            ..cfg
        };
        let e = simulate_placebo(&panel(600, 3, 1), &engine, &stats, &shared)
            .unwrap_err()
            .to_string();
        assert!(e.contains("synthetic panels only"), "{e}");
    }
}
