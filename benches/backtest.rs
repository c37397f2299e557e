//! Benchmark of the backtest's daily portfolio simulation (`evstudy::backtest::portfolio`)
//! followed by its net performance metrics (`evstudy::backtest::performance`):
//! 100,000 positions held 10 sessions (1 M position-days) on 5,000 securities × 2,520
//! sessions, a third of them short, half hedged on a benchmark, daily rebalancing and buy
//! and hold. Target: ≤ 50 ms on one thread. Synthetic data from `evstudy::simulate::rng`.

use chrono::{Datelike, NaiveDate, Weekday};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use evstudy::backtest::performance::{performance, periods_per_year, PerformanceInput};
use evstudy::backtest::portfolio::{simulate, PortfolioSettings, Rebalance, Simulation};
use evstudy::backtest::{Bars, Direction, Fill, Hedge, PerfMetric, Position, PricePoint};
use evstudy::simulate::rng::SimRng;

const SECURITIES: usize = 5000;
const SESSIONS: usize = 2520;
const POSITIONS: usize = 100_000;
const HOLD: usize = 10;

/// `SESSIONS` weekdays from Monday 5 January 2015.
fn weekdays() -> Vec<NaiveDate> {
    let mut d = NaiveDate::from_ymd_opt(2015, 1, 5).expect("a date");
    let mut out = Vec::with_capacity(SESSIONS);
    while out.len() < SESSIONS {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(d);
        }
        d = d.succ_opt().expect("a date");
    }
    out
}

/// A random walk of closes with opens near the previous close; 1 % of closes missing.
fn bars(ticker: String, dates: &[NaiveDate], rng: &mut SimRng) -> Bars {
    let mut price = 50.0;
    let (mut open, mut close) = (Vec::with_capacity(SESSIONS), Vec::with_capacity(SESSIONS));
    for _ in 0..SESSIONS {
        open.push(price * (1.0 + 0.005 * rng.normal()));
        price *= 1.0 + 0.02 * rng.normal();
        close.push(if rng.uniform() < 0.01 {
            f64::NAN
        } else {
            price
        });
    }
    Bars {
        ticker,
        dates: dates.to_vec(),
        open,
        close,
    }
}

/// Securities `0..SECURITIES` and the benchmark at index `SECURITIES`.
fn panel() -> Vec<Bars> {
    let dates = weekdays();
    let mut rng = SimRng::from_seed(2026);
    (0..=SECURITIES)
        .map(|i| bars(format!("S{i}"), &dates, &mut rng))
        .collect()
}

/// Positions of 10 portfolio days each: close to close 10 sessions later, or open to the
/// close 9 sessions later; entries moved forward to a session with both prices.
fn positions(bars: &[Bars]) -> Vec<Position> {
    let mut rng = SimRng::from_seed(16);
    (0..POSITIONS)
        .map(|i| {
            let security = rng.uniform_int(0, SECURITIES - 1);
            let b = &bars[security];
            let (entry_point, len) = if i % 2 == 0 {
                (PricePoint::Close, HOLD)
            } else {
                (PricePoint::Open, HOLD - 1)
            };
            let mut e = rng.uniform_int(1, SESSIONS - 2 * HOLD);
            let entry_price = |e: usize| match entry_point {
                PricePoint::Open => b.open[e],
                PricePoint::Close => b.close[e],
            };
            while entry_price(e).is_nan() || b.close[e + len].is_nan() {
                e += 1;
            }
            Position {
                event_id: format!("E{i}"),
                security,
                direction: if i % 3 == 0 {
                    Direction::Short
                } else {
                    Direction::Long
                },
                entry: Fill {
                    session: e,
                    point: entry_point,
                },
                exit: Fill {
                    session: e + len,
                    point: PricePoint::Close,
                },
                day0: Some(e - 1),
                size: 1.0,
                hedge: (i % 4 < 2).then_some(Hedge {
                    benchmark: SECURITIES,
                    beta: 0.8 + 0.4 * rng.uniform(),
                }),
                cost_bps: 10.0,
                borrow_bps: if i % 3 == 0 { 50.0 } else { 0.0 },
            }
        })
        .collect()
}

/// The net performance metrics of a simulation (what `evstudy backtest` computes per basis);
/// returns the Sharpe ratio.
fn metrics(sim: &Simulation) -> Option<f64> {
    let trade_returns: Vec<f64> = sim.trades.iter().map(|t| t.net_return).collect();
    let days = &sim.days;
    let input = PerformanceInput {
        returns: &days.net,
        benchmark: Some(&days.benchmark),
        risk_free: None,
        positions: &days.positions,
        turnover: &days.turnover,
        trade_returns: &trade_returns,
        periods_per_year: periods_per_year(&days.dates),
    };
    performance(&input)
        .into_iter()
        .find(|m| m.metric == PerfMetric::Sharpe)
        .and_then(|m| m.value)
}

fn bench_portfolio(c: &mut Criterion) {
    let bars = panel();
    let positions = positions(&bars);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let mut g = c.benchmark_group("portfolio_1M_position_days");
    g.throughput(Throughput::Elements((POSITIONS * HOLD) as u64));
    g.sample_size(20);
    for (name, rebalance) in [
        ("daily", Rebalance::Daily),
        ("buy_and_hold", Rebalance::BuyAndHold { notional: 0.01 }),
    ] {
        let settings = PortfolioSettings { rebalance };
        g.bench_function(name, |b| {
            b.iter(|| {
                let sharpe = one_thread.install(|| {
                    let sim = simulate(&bars, &positions, &settings);
                    metrics(&sim)
                });
                black_box(sharpe)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_portfolio);
criterion_main!(benches);

/// The binary's allocator (mimalloc, default settings), so the benches measure what users
/// run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
