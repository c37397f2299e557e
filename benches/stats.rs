//! Benchmark of the whole test battery: 50,000 pairs × 3 windows, estimation [−250, −11],
//! 2,000 same-date clusters of 25 events (10 % with a gap in the estimation residuals),
//! generated with an inline LCG.

use chrono::{Days, NaiveDate};
use criterion::{criterion_group, Criterion};
use evstudy::abnormal::{ModelFit, PairResult, Window, WindowResult};
use evstudy::stats::{group_battery, rbar, StatsConfig, StatsEvent};

struct Lcg(u64);
impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normalish(&mut self) -> f64 {
        (0..4).map(|_| self.uniform()).sum::<f64>() - 2.0
    }
}

const N_PAIRS: usize = 50_000;
const N_DATES: usize = 2_000;

fn config() -> StatsConfig {
    StatsConfig {
        estimation: Window {
            start: -250,
            end: -11,
        },
        windows: vec![
            Window { start: -1, end: 1 },
            Window { start: 0, end: 0 },
            Window { start: -5, end: 5 },
        ],
        rbar_min_common_dates: 30,
        wilcoxon_exact: false,
        trade_to_trade: false,
    }
}

fn make_pairs(cfg: &StatsConfig) -> (Vec<PairResult>, Vec<NaiveDate>, Vec<Vec<Option<NaiveDate>>>) {
    let mut rng = Lcg(42);
    let h = Window { start: -5, end: 5 };
    let l_est = cfg.estimation.len();
    let start = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap();
    let day0s: Vec<NaiveDate> = (0..N_DATES)
        .map(|k| start + Days::new(3 * k as u64))
        .collect();
    let est_dates: Vec<Vec<Option<NaiveDate>>> = day0s
        .iter()
        .map(|d| {
            (0..l_est)
                .map(|k| Some(*d - Days::new((400 - k) as u64)))
                .collect()
        })
        .collect();
    let pairs = (0..N_PAIRS)
        .map(|_| {
            let sigma = 0.01 + 0.02 * rng.uniform();
            // 90 % complete; 10 % lose a block of 1–20 days (a late listing or a halt)
            let mut est_resid: Vec<f64> = (0..l_est).map(|_| sigma * rng.normalish()).collect();
            if rng.uniform() < 0.1 {
                let len = 1 + (rng.uniform() * 20.0) as usize;
                let at = (rng.uniform() * (l_est - len) as f64) as usize;
                est_resid[at..at + len]
                    .iter_mut()
                    .for_each(|v| *v = f64::NAN);
            }
            let ar: Vec<f64> = (0..h.len())
                .map(|_| sigma * rng.normalish() + 0.001)
                .collect();
            let sar: Vec<f64> = ar.iter().map(|a| a / (sigma * 1.01)).collect();
            let windows = cfg
                .windows
                .iter()
                .map(|w| {
                    let car: f64 = (w.start..=w.end).map(|t| ar[(t - h.start) as usize]).sum();
                    let se = sigma * (w.len() as f64).sqrt() * 1.02;
                    WindowResult {
                        window: *w,
                        complete: true,
                        car: Some(car),
                        car_se: Some(se),
                        car_t: Some(car / se),
                        car_p: None,
                        scar: Some(car / se),
                        bhar: Some(car * 1.01),
                        n_days: w.len() as u32,
                    }
                })
                .collect();
            PairResult {
                fit: ModelFit {
                    model_name: "market_model".into(),
                    n_est: l_est,
                    k: 2,
                    df: l_est - 2,
                    sigma,
                    alpha: None,
                    beta: None,
                    r2: None,
                    extras: vec![],
                },
                est_resid,
                event_period: h,
                ret: vec![0.0; h.len()],
                expected_ret: vec![0.0; h.len()],
                ar,
                sar,
                ar_se: vec![sigma; h.len()],
                ar_p: vec![0.5; h.len()],
                span: vec![1; h.len()],
                windows,
                exclusions: vec![],
            }
        })
        .collect();
    (pairs, day0s, est_dates)
}

fn bench_battery(c: &mut Criterion) {
    let cfg = config();
    let (pairs, day0s, est_dates) = make_pairs(&cfg);
    let events: Vec<StatsEvent> = pairs
        .iter()
        .enumerate()
        .map(|(i, r)| StatsEvent {
            event_id: "E",
            security: "S",
            day0: day0s[i % N_DATES],
            est_dates: &est_dates[i % N_DATES],
            pair: r.into(),
        })
        .collect();
    let mut group = c.benchmark_group("stats");
    group.sample_size(10);
    group.bench_function("group_battery_50k_pairs_3_windows", |b| {
        b.iter(|| group_battery("all", &events, &cfg))
    });
    group.bench_function("rbar_50k_pairs", |b| {
        b.iter(|| rbar(&events, cfg.rbar_min_common_dates))
    });
    group.finish();
}

/// `STATS_BENCH_REPS=n cargo bench --bench stats`: time `n` plain runs of the battery (no
/// criterion), printing the minimum and median wall time per run and the process CPU time —
/// more robust than criterion's mean when other processes load the machine.
fn plain_timing(reps: usize) {
    let cfg = config();
    let (pairs, day0s, est_dates) = make_pairs(&cfg);
    let events: Vec<StatsEvent> = pairs
        .iter()
        .enumerate()
        .map(|(i, r)| StatsEvent {
            event_id: "E",
            security: "S",
            day0: day0s[i % N_DATES],
            est_dates: &est_dates[i % N_DATES],
            pair: r.into(),
        })
        .collect();
    let time = |name: &str, run: &dyn Fn()| {
        let cpu0 = process_cpu_seconds();
        let mut times: Vec<f64> = (0..reps)
            .map(|_| {
                let t = std::time::Instant::now();
                run();
                t.elapsed().as_secs_f64()
            })
            .collect();
        let cpu = process_cpu_seconds() - cpu0;
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name}, {} threads: min {:.1} ms, median {:.1} ms, CPU {:.1} ms per run",
            rayon::current_num_threads(),
            times[0] * 1e3,
            times[reps / 2] * 1e3,
            cpu / reps as f64 * 1e3
        );
    };
    time("group_battery 50k pairs x 3 windows", &|| {
        std::hint::black_box(group_battery("all", &events, &cfg));
    });
    time("rbar 50k pairs", &|| {
        std::hint::black_box(rbar(&events, cfg.rbar_min_common_dates));
    });
}

/// utime + stime of this process from /proc/self/stat (Linux; 0 elsewhere).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

criterion_group!(benches, bench_battery);

fn main() {
    match std::env::var("STATS_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        Some(reps) if reps > 0 => plain_timing(reps),
        _ => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
