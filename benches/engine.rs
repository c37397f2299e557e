//! Benchmarks of the abnormal-return engine: its routes one by one ([`Route`]: the
//! reference engine (naive), prefix sums (fast) and direct moments (direct)) on one thread,
//! and an end-to-end compute run over 50,000 events on the study's route. Synthetic data from
//! an inline LCG.
//!
//! The per-route group runs each route through `Engine::analyse_batch` inside a one-thread
//! pool, so that every route includes its own set-up (the prefix sums of each security) and
//! writes into the same column store.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use evstudy::abnormal::{Engine, EngineConfig, PairJob, Route, Window};
use evstudy::model::ModelKind;
use evstudy::returns::{AlignedSeries, ReturnKind};
use std::sync::Arc;

/// Deterministic generator (64-bit LCG, Box–Muller).
struct Lcg(u64);
impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n - 1)
    }
}

/// `n_sec` securities × `n_days` sessions sharing one market and FF3 factor history; 1 % of
/// the returns are missing.
fn panel(n_sec: usize, n_days: usize, with_factors: bool) -> Vec<AlignedSeries> {
    let mut rng = Lcg(20240626);
    let market: Vec<f64> = (0..n_days).map(|_| 0.0003 + 0.01 * rng.normal()).collect();
    let smb: Vec<f64> = (0..n_days).map(|_| 0.004 * rng.normal()).collect();
    let hml: Vec<f64> = (0..n_days).map(|_| 0.004 * rng.normal()).collect();
    let rf: Vec<f64> = (0..n_days).map(|_| 0.0001).collect();
    // one benchmark column shared by all securities, as the pipeline shares it
    let market_column: Arc<[f64]> = Arc::from(market.as_slice());
    (0..n_sec)
        .map(|i| {
            let beta = 0.5 + rng.uniform();
            let ret: Vec<f64> = (0..n_days)
                .map(|j| {
                    if rng.uniform() < 0.01 {
                        f64::NAN
                    } else {
                        rf[j] + beta * market[j] + 0.2 * smb[j] - 0.1 * hml[j]
                            + 0.015 * rng.normal()
                    }
                })
                .collect();
            AlignedSeries {
                security: format!("S{i}"),
                span: ret.iter().map(|r| if r.is_nan() { 0 } else { 1 }).collect(),
                ret,
                bench: Arc::clone(&market_column),
                factors: if with_factors {
                    vec![
                        market.iter().zip(&rf).map(|(m, f)| m - f).collect(),
                        smb.clone(),
                        hml.clone(),
                    ]
                } else {
                    Vec::new()
                },
                factor_names: if with_factors {
                    vec!["mkt_rf".into(), "smb".into(), "hml".into()]
                } else {
                    Vec::new()
                },
                rf: if with_factors { rf.clone() } else { Vec::new() },
                ..Default::default()
            }
        })
        .collect()
}

fn config(model: ModelKind) -> EngineConfig {
    EngineConfig {
        model,
        returns: ReturnKind::Simple,
        estimation: Window {
            start: -250,
            end: -11,
        },
        windows: vec![
            Window { start: -1, end: 1 },
            Window { start: -5, end: 5 },
            Window { start: 0, end: 20 },
        ],
        min_estimation_returns: 120,
        dimson_lags: 1,
        trade_to_trade: false,
    }
}

fn random_pairs(n_pairs: usize, n_sec: usize, n_days: usize, seed: u64) -> Vec<PairJob> {
    let mut rng = Lcg(seed);
    (0..n_pairs)
        .map(|_| PairJob {
            series: rng.below(n_sec),
            day0: 260 + rng.below(n_days - 290),
        })
        .collect()
}

fn naive_vs_fast(c: &mut Criterion) {
    let (n_sec, n_days, n_pairs) = (500, 2520, 5000);
    let data = panel(n_sec, n_days, true);
    let pairs = random_pairs(n_pairs, n_sec, n_days, 7);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let mut g = c.benchmark_group("fit_500x2520_5000pairs");
    g.throughput(Throughput::Elements(n_pairs as u64));
    g.sample_size(10);
    for (label, model) in [
        ("market_model", ModelKind::MarketModel),
        ("constant_mean", ModelKind::ConstantMean),
        ("ff3", ModelKind::Factor),
    ] {
        let cfg = config(model);
        for (name, route) in [
            ("naive", Route::Reference),
            ("fast", Route::Prefix),
            ("direct", Route::Direct),
        ] {
            let engine = Engine::with_route(&cfg, route);
            g.bench_function(BenchmarkId::new(name, label), |b| {
                b.iter(|| {
                    let batch = one_thread.install(|| engine.analyse_batch(&data, &pairs));
                    black_box((0..batch.len()).filter(|&i| batch.get(i).is_ok()).count())
                })
            });
        }
    }
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let (n_sec, n_days, n_pairs) = (5000, 2520, 50_000);
    let data = panel(n_sec, n_days, false);
    let pairs = random_pairs(n_pairs, n_sec, n_days, 11);
    let engine = Engine::new(&config(ModelKind::MarketModel));
    let mut g = c.benchmark_group("compute_5000x2520_50000events");
    g.throughput(Throughput::Elements(n_pairs as u64));
    // 30 samples over 8 s: the first iterations fault fresh memory on this VM, and with 10
    // samples the median moved by ±15 % between runs.
    g.sample_size(30);
    g.measurement_time(std::time::Duration::from_secs(8));
    // the column store the pipeline uses, freed inside the timing
    g.bench_function("analyse_pairs_batch/market_model", |b| {
        b.iter(|| black_box(engine.analyse_batch(&data, &pairs).len()))
    });
    // the same with one owned PairResult per pair (the convenience API)
    g.bench_function("analyse_pairs/market_model", |b| {
        b.iter(|| black_box(engine.analyse_batch(&data, &pairs).to_results().len()))
    });
    g.finish();
}

criterion_group!(benches, naive_vs_fast, end_to_end);
criterion_main!(benches);

/// The binary's allocator (mimalloc, default settings), so the benches measure what users
/// run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
