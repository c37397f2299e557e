//! K placebo backtests in parallel.

use rayon::prelude::*;

use super::{placebo_positions, PlaceboSettings};
use crate::backtest::portfolio::{simulate, PortfolioSettings, Simulation};
use crate::backtest::{Bars, Position};

/// The caller's statistics on each of `settings.calendars` placebo calendars (methodology
/// §16.6), one row per calendar in calendar order.
///
/// Calendar k's positions come from [`placebo_positions`] with stream (seed, k) and are
/// simulated with the real backtest's `portfolio` settings. Calendars run in parallel on
/// rayon's pool; each is computed alone and rows are collected in calendar order, so the
/// result is the same at any thread count.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::backtest::placebo::{run_placebo, PlaceboSettings};
/// use evstudy::backtest::portfolio::{PortfolioSettings, Rebalance};
/// use evstudy::backtest::{Bars, Direction, Fill, Position, PricePoint};
///
/// let n = 50usize;
/// let bars = [Bars {
///     ticker: "A".into(),
///     dates: (0..n as u64).map(|i| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i)).collect(),
///     open: vec![f64::NAN; n],
///     close: (0..n).map(|i| 100.0 + (i % 7) as f64).collect(),
/// }];
/// let fill = |session| Fill { session, point: PricePoint::Close };
/// let real = vec![Position {
///     event_id: "e".into(), security: 0, direction: Direction::Long,
///     entry: fill(5), exit: fill(45), day0: None, size: 1.0,
///     hedge: None, cost_bps: 0.0, borrow_bps: 0.0,
/// }];
/// let portfolio = PortfolioSettings { rebalance: Rebalance::Daily };
/// let settings = PlaceboSettings { calendars: 20, seed: 7 };
/// let rows = run_placebo(&bars, &real, &portfolio, &settings, |sim| vec![sim.trades[0].gross_return]);
/// assert_eq!(rows.len(), 20);
/// ```
pub fn run_placebo<F>(
    bars: &[Bars],
    real: &[Position],
    portfolio: &PortfolioSettings,
    settings: &PlaceboSettings,
    statistics: F,
) -> Vec<Vec<f64>>
where
    F: Fn(&Simulation) -> Vec<f64> + Sync,
{
    (0..settings.calendars)
        .into_par_iter()
        .map(|k| {
            let positions = placebo_positions(real, bars, k, settings.seed);
            statistics(&simulate(bars, &positions, portfolio))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::placebo::calendars::tests::fixture;
    use crate::backtest::portfolio::Rebalance;

    fn stats(sim: &Simulation) -> Vec<f64> {
        let d = &sim.days;
        vec![
            d.equity_net.last().copied().unwrap_or(f64::NAN),
            d.dates.len() as f64,
        ]
    }

    #[test]
    fn rows_in_calendar_order_at_any_thread_count() {
        let (bars, real) = fixture();
        let portfolio = PortfolioSettings {
            rebalance: Rebalance::Daily,
        };
        let settings = PlaceboSettings {
            calendars: 12,
            seed: 5,
        };
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| run_placebo(&bars, &real, &portfolio, &settings, stats))
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one.len(), 12);
        for (k, row) in one.iter().enumerate() {
            let positions = placebo_positions(&real, &bars, k as u32, 5);
            assert_eq!(*row, stats(&simulate(&bars, &positions, &portfolio)));
        }
    }
}
