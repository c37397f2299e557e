//! Property tests (proptest) of the engine and the whole pipeline:
//!
//! * CAR = Σ AR over every complete window;
//! * the fast path ([`analyse_pairs`]) gives the reference path's ([`analyse_pair`]) numbers;
//! * the AR of a security equal to its benchmark is 0 under the market-adjusted model;
//! * removing one pair leaves every other pair's result unchanged;
//! * [`Study::run`] is invariant to the order of the price rows (exactly) and to scaling a
//!   security's prices by a constant (to rounding).
//!
//! Case counts are modest so that the file runs in a few seconds in release.

use evstudy::abnormal::{Engine, EngineConfig, PairExclusion, PairJob, PairResult, Route, Window};
use evstudy::data::PriceSource;
use evstudy::model::ModelKind;
use evstudy::returns::{AlignedSeries, ReturnKind};
use evstudy::study::{CalendarMode, Study, StudyConfig};
use proptest::prelude::*;

/// One pair through the reference engine.
fn analyse_pair(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    Engine::with_route(cfg, Route::Reference).analyse(series, day0)
}

/// (series, day 0) pairs through the study's batch route, as owned results.
fn analyse_pairs(
    list: &[AlignedSeries],
    pairs: &[(usize, usize)],
    cfg: &EngineConfig,
) -> Vec<Result<PairResult, PairExclusion>> {
    let jobs: Vec<PairJob> = pairs
        .iter()
        .map(|&(series, day0)| PairJob { series, day0 })
        .collect();
    Engine::new(cfg).analyse_batch(list, &jobs).to_results()
}

/// |a − b| ≤ tol·max(1, |b|), NaN equal to NaN.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * 1f64.max(b.abs())
}

fn close_opt(a: Option<f64>, b: Option<f64>, tol: f64) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => close(x, y, tol),
        _ => false,
    }
}

fn engine_config(model: ModelKind) -> EngineConfig {
    EngineConfig {
        model,
        returns: ReturnKind::Simple,
        estimation: Window {
            start: -40,
            end: -6,
        },
        windows: vec![
            Window { start: -2, end: 2 },
            Window { start: 0, end: 0 },
            Window { start: 0, end: 5 },
        ],
        min_estimation_returns: 20,
        dimson_lags: 1,
        trade_to_trade: false,
    }
}

fn model_strategy() -> impl Strategy<Value = ModelKind> {
    prop_oneof![
        Just(ModelKind::ConstantMean),
        Just(ModelKind::MarketAdjusted),
        Just(ModelKind::MarketModel),
        Just(ModelKind::ScholesWilliams),
        Just(ModelKind::Dimson),
    ]
}

/// A series of `n` days: benchmark returns, security returns = α + β·R_m + ε, and a few
/// missing returns (NaN) at the given positions.
fn series_strategy(n: usize) -> impl Strategy<Value = AlignedSeries> {
    (
        prop::collection::vec(-0.04f64..0.04, n),
        prop::collection::vec(-0.03f64..0.03, n),
        -0.002f64..0.002,
        0.2f64..1.8,
        prop::collection::vec(0usize..n, 0..4),
    )
        .prop_map(move |(rm, eps, alpha, beta, holes)| {
            let mut ret: Vec<f64> = rm
                .iter()
                .zip(&eps)
                .map(|(m, e)| alpha + beta * m + e)
                .collect();
            for h in holes {
                ret[h] = f64::NAN;
            }
            ret[0] = f64::NAN; // R_0 is always missing
            let span = ret
                .iter()
                .map(|r| if r.is_finite() { 1 } else { 0 })
                .collect();
            AlignedSeries {
                security: "S".into(),
                ret,
                span,
                bench: rm.clone().into(),
                bench_daily: rm.into(),
                ..Default::default()
            }
        })
}

fn same_result(
    a: &Result<PairResult, PairExclusion>,
    b: &Result<PairResult, PairExclusion>,
    tol: f64,
) -> Result<(), String> {
    match (a, b) {
        (Err(x), Err(y)) => {
            if x.reason == y.reason && x.stage == y.stage {
                Ok(())
            } else {
                Err(format!("exclusions differ: {x:?} vs {y:?}"))
            }
        }
        (Ok(x), Ok(y)) => {
            if !close(x.fit.sigma, y.fit.sigma, tol) || x.fit.n_est != y.fit.n_est {
                return Err(format!("fits differ: {:?} vs {:?}", x.fit, y.fit));
            }
            for (k, (p, q)) in x.ar.iter().zip(&y.ar).enumerate() {
                if !close(*p, *q, tol) {
                    return Err(format!("AR[{k}] {p} vs {q}"));
                }
            }
            for (k, (p, q)) in x.ar_se.iter().zip(&y.ar_se).enumerate() {
                if !close(*p, *q, tol) {
                    return Err(format!("AR se[{k}] {p} vs {q}"));
                }
            }
            for (w, v) in x.windows.iter().zip(&y.windows) {
                if !close_opt(w.car, v.car, tol)
                    || !close_opt(w.car_se, v.car_se, tol)
                    || !close_opt(w.bhar, v.bhar, tol)
                {
                    return Err(format!("window {:?}: {w:?} vs {v:?}", w.window));
                }
            }
            Ok(())
        }
        _ => Err(format!(
            "one is an exclusion: {:?} vs {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        )),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// CAR of every complete window is the sum of the ARs of its days.
    #[test]
    fn car_is_the_sum_of_ars(series in series_strategy(90), day0 in 45usize..84, model in model_strategy()) {
        let cfg = engine_config(model);
        if let Ok(res) = analyse_pair(&series, day0, &cfg) {
            let h = res.event_period;
            for w in &res.windows {
                let ars: Vec<f64> = (w.window.start..=w.window.end).map(|t| res.ar[(t - h.start) as usize]).collect();
                if w.complete {
                    let sum: f64 = ars.iter().sum();
                    prop_assert!(ars.iter().all(|a| a.is_finite()));
                    prop_assert!(close(w.car.unwrap(), sum, 1e-12), "{:?}: CAR {:?} vs Σ AR {}", w.window, w.car, sum);
                    prop_assert_eq!(w.n_days as usize, ars.len());
                } else {
                    prop_assert!(ars.iter().any(|a| !a.is_finite()));
                }
            }
        }
    }

    /// The fast path (prefix sums, parallel) agrees with the reference path pair by pair.
    #[test]
    fn fast_path_equals_reference_path(series in series_strategy(100), days in prop::collection::vec(40usize..94, 1..6), model in model_strategy()) {
        let cfg = engine_config(model);
        let jobs: Vec<(usize, usize)> = days.iter().map(|&d| (0, d)).collect();
        let fast = analyse_pairs(std::slice::from_ref(&series), &jobs, &cfg);
        prop_assert_eq!(fast.len(), jobs.len());
        for (&(_, d), f) in jobs.iter().zip(&fast) {
            let reference = analyse_pair(&series, d, &cfg);
            if let Err(msg) = same_result(f, &reference, 1e-9) {
                prop_assert!(false, "day0 {}: {}", d, msg);
            }
        }
    }

    /// A security whose returns are its benchmark's has AR = 0 under the market-adjusted model.
    #[test]
    fn security_equal_to_its_benchmark_has_zero_ar(series in series_strategy(80), day0 in 45usize..74) {
        let mut s = series;
        s.ret = s.bench.to_vec();
        s.ret[0] = f64::NAN;
        s.span = s.ret.iter().map(|r| if r.is_finite() { 1 } else { 0 }).collect();
        let cfg = engine_config(ModelKind::MarketAdjusted);
        let res = analyse_pair(&s, day0, &cfg);
        // σ̂ = 0 makes the model unusable (zero residual variance) or its ARs are all 0.
        match res {
            Ok(r) => {
                for a in r.ar.iter().filter(|a| a.is_finite()) {
                    prop_assert_eq!(*a, 0.0);
                }
                for w in r.windows.iter().filter(|w| w.complete) {
                    prop_assert_eq!(w.car, Some(0.0));
                }
            }
            Err(e) => prop_assert_eq!(e.reason.as_str(), "zero_residual_variance"),
        }
        // Through the fast path too.
        if let Ok(r) = &analyse_pairs(std::slice::from_ref(&s), &[(0, day0)], &cfg)[0] {
            prop_assert!(r.ar.iter().filter(|a| a.is_finite()).all(|a| *a == 0.0));
        }
    }

    /// Removing one pair leaves every other pair's result unchanged (to 1e-12: with fewer
    /// events a security may switch from the prefix-sum route to the direct-sum route, which
    /// differ only by rounding).
    #[test]
    fn removing_one_pair_leaves_the_others_unchanged(
        a in series_strategy(90),
        b in series_strategy(90),
        jobs in prop::collection::vec((0usize..2, 40usize..84), 2..8),
        drop_at in 0usize..8,
        model in model_strategy(),
    ) {
        let cfg = engine_config(model);
        let list = vec![a, b];
        let all = analyse_pairs(&list, &jobs, &cfg);
        let k = drop_at % jobs.len();
        let mut fewer_jobs = jobs.clone();
        fewer_jobs.remove(k);
        let fewer = analyse_pairs(&list, &fewer_jobs, &cfg);
        let kept: Vec<&Result<PairResult, PairExclusion>> = all.iter().enumerate().filter(|(i, _)| *i != k).map(|(_, r)| r).collect();
        prop_assert_eq!(kept.len(), fewer.len());
        for (x, y) in kept.iter().zip(&fewer) {
            if let Err(msg) = same_result(x, y, 1e-12) {
                prop_assert!(false, "{}", msg);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Whole pipeline: Study::run on temporary files (data calendar).

/// (date, ticker, close) rows of IDX, AAA and BBB on `n` weekdays from 2023-01-02.
fn panel_rows(n: usize, seed: u64) -> Vec<(chrono::NaiveDate, String, f64)> {
    use chrono::Datelike;
    let mut state = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let mut d = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    let (mut m, mut a, mut b) = (100.0, 40.0, 12.5);
    let mut rows = Vec::new();
    let mut days = 0;
    while days < n {
        if d.weekday().number_from_monday() <= 5 {
            let rm = 0.02 * next();
            m *= 1.0 + rm;
            a *= 1.0 + 1.3 * rm + 0.02 * next();
            b *= 1.0 + 0.7 * rm + 0.03 * next();
            rows.push((d, "IDX".to_string(), m));
            rows.push((d, "AAA".to_string(), a));
            rows.push((d, "BBB".to_string(), b));
            days += 1;
        }
        d = d.succ_opt().unwrap();
    }
    rows
}

fn run_study(
    dir: &std::path::Path,
    rows: &[(chrono::NaiveDate, String, f64)],
) -> evstudy::tables::StudyTables {
    let mut text = String::from("date,ticker,close\n");
    for (d, t, v) in rows {
        // `{:?}` writes the shortest text that reads back as the same f64.
        text += &format!("{d},{t},{v:?}\n");
    }
    let prices = dir.join("prices.csv");
    std::fs::write(&prices, text).unwrap();
    let events = dir.join("events.csv");
    std::fs::write(
        &events,
        "event_id,ticker,date\nE1,AAA,2023-09-01\nE2,BBB,2023-09-01\nE3,AAA,2023-10-16\n",
    )
    .unwrap();
    let mut cfg = StudyConfig::default();
    cfg.calendar = CalendarMode::Data;
    cfg.market = Some("IDX".into());
    cfg.prices = vec![PriceSource::new(&prices)];
    cfg.events = Some(events);
    cfg.estimation_window = "-120:-6".into();
    cfg.event_windows = vec!["-1:1".into(), "0:5".into()];
    cfg.min_estimation_returns = 60;
    cfg.aggregate_by = vec!["all".into()];
    Study::new(cfg).run().unwrap().tables
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Shuffling the price rows changes nothing (exactly); scaling one security's prices by a
    /// constant changes its returns only by rounding.
    #[test]
    fn study_is_invariant_to_row_order_and_price_scale(seed in 1u64..1_000_000, shuffle_seed in any::<u64>(), scale in prop_oneof![Just(0.001), Just(0.37), Just(100.0), Just(12345.0)]) {
        let rows = panel_rows(260, seed);
        let dir = tempfile::tempdir().unwrap();
        let base = run_study(dir.path(), &rows);
        // 3 pairs × 2 windows, plus the same-date portfolio of E1 and E2 (§10).
        prop_assert_eq!(base.cars.iter().filter(|c| c.security != "PORTFOLIO").count(), 6);

        // Row order: a Fisher–Yates shuffle driven by shuffle_seed.
        let mut shuffled = rows.clone();
        let mut st = shuffle_seed | 1;
        for i in (1..shuffled.len()).rev() {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            shuffled.swap(i, (st % (i as u64 + 1)) as usize);
        }
        let again = run_study(dir.path(), &shuffled);
        prop_assert_eq!(format!("{:?}", base.cars), format!("{:?}", again.cars));
        prop_assert_eq!(format!("{:?}", base.abnormal_returns), format!("{:?}", again.abnormal_returns));
        prop_assert_eq!(format!("{:?}", base.tests), format!("{:?}", again.tests));

        // Price scale: AAA's closes × scale.
        let scaled: Vec<_> = rows.iter().map(|(d, t, v)| (*d, t.clone(), if t == "AAA" { v * scale } else { *v })).collect();
        let s = run_study(dir.path(), &scaled);
        prop_assert_eq!(base.cars.len(), s.cars.len());
        for (x, y) in base.cars.iter().zip(&s.cars) {
            prop_assert_eq!((&x.event_id, &x.security, &x.window), (&y.event_id, &y.security, &y.window));
            prop_assert!(close_opt(x.car, y.car, 1e-9) && close_opt(x.car_se, y.car_se, 1e-9) && close_opt(x.bhar, y.bhar, 1e-9),
                "{:?} vs {:?}", x, y);
        }
    }
}
