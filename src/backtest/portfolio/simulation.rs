//! [`simulate`]: positions on bars → the daily portfolio, the trade outcomes and the path.

use super::calendar::PortfolioCalendar;
use super::{daily, equity, hold};
use super::{DailyColumns, Flows, PortfolioSettings, Rebalance, Simulation};
use crate::backtest::{Bars, Position};

/// Simulates the daily portfolio of `positions` on `bars` (methodology §16.2).
///
/// The portfolio calendar is the union of the sessions of the securities and benchmarks
/// traded, from the first entry date to the last exit date; a day without positions has
/// return 0. Each position earns its stock's return from its previous mark to the day's mark
/// (signed: a short earns −1 × the long return of the day), minus β × its benchmark's return
/// over the same marks when hedged; the weights are those of `settings`; costs and borrow are
/// charged on the day they arise. Cost is linear in work: one pass over the sessions of each
/// distinct calendar, one over the prices of the position-days and (daily rebalancing) one
/// over their buffered returns for the costs; no allocation per position-day.
///
/// # Formula
/// ```text
/// R_t   = Σ_i w_i,t · sign_i · (r_i,t − β_i b_i,t)          gross portfolio return
/// R^n_t = R_t − Σ_i c_i |Δw_i,t| − Σ_{i short} |w_i,t| · borrow_i · nights_t / 365
/// E_t   = Π_{u ≤ t} (1 + R_u),   drawdown_t = E^n_t / max(1, max_{u ≤ t} E^n_u) − 1
/// ```
/// (the calendar-time portfolio of Jaffe 1974 and Mitchell & Stafford 2000 with daily
/// rebalancing; `Rebalance::BuyAndHold` lets the weights drift instead).
///
/// # Panics
/// If a position's security, benchmark or fill session is not in `bars` (the timing phase
/// only makes positions on the bars it is given).
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::backtest::{Bars, Direction, Fill, Position, PricePoint};
/// use evstudy::backtest::portfolio::{simulate, PortfolioSettings, Rebalance};
///
/// let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
/// let bars = [Bars {
///     ticker: "A".into(),
///     dates: vec![day(2), day(3), day(4)],
///     open: vec![10.0, 10.0, 11.0],
///     close: vec![10.0, 11.0, 12.1],
/// }];
/// let fill = |session, point| Fill { session, point };
/// let long = Position {
///     event_id: "e1".into(),
///     security: 0,
///     direction: Direction::Long,
///     entry: fill(0, PricePoint::Close),
///     exit: fill(2, PricePoint::Close),
///     day0: Some(0),
///     size: 1.0,
///     hedge: None,
///     cost_bps: 0.0,
///     borrow_bps: 0.0,
/// };
/// let sim = simulate(&bars, &[long], &PortfolioSettings { rebalance: Rebalance::Daily });
/// let want = [0.0, 0.1, 0.1]; // no position on the entry day, then +10 % twice
/// for (got, want) in sim.days.gross.iter().zip(want) {
///     assert!((got - want).abs() < 1e-12);
/// }
/// assert!((sim.days.equity_net[2] - 1.21).abs() < 1e-12);
/// assert!((sim.trades[0].gross_return - 0.21).abs() < 1e-12);
/// ```
pub fn simulate(bars: &[Bars], positions: &[Position], settings: &PortfolioSettings) -> Simulation {
    if positions.is_empty() {
        return Simulation::default();
    }
    let cal = PortfolioCalendar::build(bars, positions);
    let (flows, book) = match settings.rebalance {
        Rebalance::Daily => daily::run(bars, positions, &cal),
        Rebalance::BuyAndHold { notional } => hold::run(bars, positions, &cal, notional),
    };
    let (trades, path) = book.finish();
    Simulation {
        days: columns(cal.dates, flows),
        trades,
        path,
    }
}

/// The day columns with equity curves and drawdown.
fn columns(dates: Vec<chrono::NaiveDate>, f: Flows) -> DailyColumns {
    let equity_gross = equity::compound(&f.gross);
    let equity_net = equity::compound(&f.net);
    let drawdown = equity::drawdown(&equity_net);
    DailyColumns {
        dates,
        gross: f.gross,
        net: f.net,
        benchmark: f.benchmark,
        positions: f.positions,
        gross_exposure: f.gross_exposure,
        net_exposure: f.net_exposure,
        turnover: f.turnover,
        equity_gross,
        equity_net,
        drawdown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::{Direction, Fill, Hedge, PricePoint};
    use approx::assert_abs_diff_eq;
    use chrono::NaiveDate;
    use PricePoint::{Close, Open};

    const NAN: f64 = f64::NAN;

    /// Bars on days of January 2024 (1 = Monday).
    fn bars(days: &[u32], open: &[f64], close: &[f64]) -> Bars {
        Bars {
            ticker: "X".into(),
            dates: days
                .iter()
                .map(|&d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap())
                .collect(),
            open: open.to_vec(),
            close: close.to_vec(),
        }
    }

    fn long(security: usize, entry: (usize, PricePoint), exit: (usize, PricePoint)) -> Position {
        Position {
            event_id: "e".into(),
            security,
            direction: Direction::Long,
            entry: Fill {
                session: entry.0,
                point: entry.1,
            },
            exit: Fill {
                session: exit.0,
                point: exit.1,
            },
            day0: None,
            size: 1.0,
            hedge: None,
            cost_bps: 0.0,
            borrow_bps: 0.0,
        }
    }

    fn daily(bars: &[Bars], positions: &[Position]) -> Simulation {
        let settings = PortfolioSettings {
            rebalance: Rebalance::Daily,
        };
        simulate(bars, positions, &settings)
    }

    fn close_all(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert_abs_diff_eq!(*g, *w, epsilon = 1e-12);
        }
    }

    #[test]
    fn one_event_entered_at_the_close_and_held_five_sessions() {
        // returns +2 %, −1 %, +3 %, −2 %, +5 % after the entry close of 100
        let c = [
            90.0,
            100.0,
            102.0,
            100.98,
            104.0094,
            101.929212,
            107.0256726,
        ];
        let b = bars(&[1, 2, 3, 4, 5, 8, 9], &[NAN; 7], &c);
        let sim = daily(&[b], &[long(0, (1, Close), (6, Close))]);
        assert_eq!(sim.days.dates.len(), 6); // from the entry date to the exit date
        close_all(&sim.days.gross, &[0.0, 0.02, -0.01, 0.03, -0.02, 0.05]);
        close_all(&sim.days.net, &[0.0, 0.02, -0.01, 0.03, -0.02, 0.05]);
        let eq = [1.0, 1.02, 1.0098, 1.040094, 1.01929212, 1.070256726];
        close_all(&sim.days.equity_gross, &eq);
        close_all(&sim.days.equity_net, &eq);
        close_all(
            &sim.days.drawdown,
            &[
                0.0,
                0.0,
                1.0098 / 1.02 - 1.0,
                0.0,
                1.01929212 / 1.040094 - 1.0,
                0.0,
            ],
        );
        assert_eq!(sim.days.positions, vec![0, 1, 1, 1, 1, 1]);
        close_all(&sim.days.gross_exposure, &[0.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        assert_abs_diff_eq!(sim.trades[0].gross_return, 0.070256726, epsilon = 1e-12);
        assert_abs_diff_eq!(sim.trades[0].weight, 1.0);
    }

    #[test]
    fn entry_and_exit_at_the_open() {
        let b = bars(&[1, 2, 3], &[50.0, 58.0, 66.55], &[55.0, 60.5, 70.0]);
        let mut p = long(0, (0, Open), (2, Open));
        p.day0 = Some(0);
        let sim = daily(&[b], &[p]);
        // close/open − 1, close/close − 1, open/previous close − 1
        close_all(&sim.days.gross, &[0.1, 0.1, 0.1]);
        assert_abs_diff_eq!(
            sim.trades[0].gross_return,
            66.55 / 50.0 - 1.0,
            epsilon = 1e-12
        );
        let path: Vec<(i32, u32)> = sim.path.iter().map(|p| (p.rel_day, p.n)).collect();
        assert_eq!(path, vec![(0, 1), (1, 1), (2, 1)]);
        let means: Vec<f64> = sim.path.iter().map(|p| p.mean_cum_return).collect();
        close_all(&means, &[0.1, 0.21, 0.331]);
    }

    #[test]
    fn overlapping_positions_average_their_day_returns() {
        let b = bars(
            &[1, 2, 3, 4],
            &[NAN, 105.0, NAN, NAN],
            &[100.0, 110.0, 99.0, 108.9],
        );
        let mut p1 = long(0, (0, Close), (2, Close));
        let mut p2 = long(0, (1, Open), (3, Close));
        p1.day0 = Some(0);
        p2.day0 = Some(1);
        let sim = daily(std::slice::from_ref(&b), &[p1.clone(), p2.clone()]);
        // day 1: 110/100 − 1 and 110/105 − 1; day 2: both −10 %; day 3: P2 alone
        close_all(
            &sim.days.gross,
            &[0.0, (0.1 + 5.0 / 105.0) / 2.0, -0.1, 0.1],
        );
        assert_eq!(sim.days.positions, vec![0, 2, 2, 1]);
        close_all(&[sim.trades[0].weight, sim.trades[1].weight], &[0.5, 0.5]);
        let means: Vec<f64> = sim.path.iter().map(|p| p.mean_cum_return).collect();
        let want = [
            (0.0 + 5.0 / 105.0) / 2.0,
            (0.1 + (99.0 / 105.0 - 1.0)) / 2.0,
            (-0.01 + 3.9 / 105.0) / 2.0,
        ];
        close_all(&means, &want);
        // inverse-volatility sizes 1 and 3: weights 1/4 and 3/4 while both are open
        p2.size = 3.0;
        let sim = daily(&[b], &[p1, p2]);
        close_all(
            &sim.days.gross,
            &[0.0, (0.1 + 3.0 * 5.0 / 105.0) / 4.0, -0.1, 0.1],
        );
        close_all(&[sim.trades[0].weight, sim.trades[1].weight], &[0.25, 0.75]);
    }

    #[test]
    fn costs_on_entry_exit_and_daily_rebalancing() {
        let a = bars(&[1, 2, 3], &[NAN; 3], &[100.0, 110.0, 99.0]);
        let b = bars(&[1, 2, 3], &[NAN; 3], &[100.0, 100.0, 120.0]);
        let mut pa = long(0, (0, Close), (2, Close));
        let mut pb = long(1, (0, Close), (2, Close));
        pa.cost_bps = 10.0;
        pb.cost_bps = 10.0;
        let sim = daily(&[a, b], &[pa, pb]);
        // day 1: buy 0.5 + 0.5; R = 0.05; weights drift to 0.55/1.05 and 0.5/1.05
        // day 2: rebalance |0.5 − 0.55/1.05| + |0.5 − 0.5/1.05| = 0.05/1.05, then sell
        //        0.5 × 0.9 + 0.5 × 1.2 = 1.05 at the close
        close_all(&sim.days.gross, &[0.0, 0.05, 0.05]);
        let turnover = [0.0, 1.0, 0.05 / 1.05 + 1.05];
        close_all(&sim.days.turnover, &turnover);
        close_all(
            &sim.days.net,
            &[0.0, 0.05 - 0.001, 0.05 - 0.001 * turnover[2]],
        );
        close_all(
            &[sim.trades[0].gross_return, sim.trades[0].net_return],
            &[-0.01, -0.012],
        );
        close_all(
            &[sim.trades[1].gross_return, sim.trades[1].net_return],
            &[0.2, 0.198],
        );
    }

    #[test]
    fn buy_and_hold_weights_drift() {
        let a = bars(&[1, 2, 3], &[NAN; 3], &[100.0, 110.0, 99.0]);
        let b = bars(&[1, 2, 3], &[NAN; 3], &[100.0, 100.0, 120.0]);
        let positions = [
            long(0, (0, Close), (2, Close)),
            long(1, (1, Close), (2, Close)),
        ];
        let settings = PortfolioSettings {
            rebalance: Rebalance::BuyAndHold { notional: 0.5 },
        };
        let sim = simulate(&[a, b], &positions, &settings);
        // day 1: 0.5 in A earns 10 % → equity 1.05; day 2: A is worth 0.55 and loses 10 %,
        // B opens with 0.5 × 1.05 = 0.525 and earns 20 %: (−0.055 + 0.105) / 1.05
        close_all(&sim.days.gross, &[0.0, 0.05, 0.05 / 1.05]);
        close_all(&sim.days.equity_gross, &[1.0, 1.05, 1.1]);
        close_all(&sim.days.gross_exposure, &[0.0, 0.5, 1.075 / 1.05]);
        close_all(&sim.days.net_exposure, &[0.0, 0.5, 1.075 / 1.05]);
        // entry of 0.5; entry of 0.525 and exits of 0.495 and 0.63, over equity 1.05
        close_all(
            &sim.days.turnover,
            &[0.0, 0.5, (0.525 + 0.495 + 0.63) / 1.05],
        );
        close_all(&[sim.trades[0].weight, sim.trades[1].weight], &[0.5, 0.5]);
    }

    #[test]
    fn short_pays_borrow_by_calendar_day() {
        // Friday 5, Monday 8, Tuesday 9 January 2024; 365 bp a year = 1 bp a calendar day
        let s = bars(&[5, 8, 9], &[NAN; 3], &[100.0, 95.0, 98.0]);
        let mut p = long(0, (0, Close), (2, Close));
        p.direction = Direction::Short;
        p.borrow_bps = 365.0;
        let sim = daily(&[s], &[p]);
        close_all(&sim.days.gross, &[0.0, 0.05, -3.0 / 95.0]);
        close_all(&sim.days.net, &[0.0, 0.05 - 0.0003, -3.0 / 95.0 - 0.0001]);
        close_all(&sim.days.net_exposure, &[0.0, -1.0, -1.0]);
        // the short's weight drifts from −1 to −0.95/1.05 and is traded back to −1
        close_all(&sim.days.turnover, &[0.0, 1.0, 0.1 / 1.05 + 98.0 / 95.0]);
        close_all(
            &[sim.trades[0].gross_return, sim.trades[0].net_return],
            &[0.02, 0.0196],
        );
    }

    #[test]
    fn hedged_on_its_own_benchmark_earns_nothing() {
        let a = bars(&[1, 2, 3], &[10.0, 10.5, 11.5], &[10.0, 11.0, 12.1]);
        let mut p = long(0, (0, Open), (2, Open));
        p.hedge = Some(Hedge {
            benchmark: 0,
            beta: 1.0,
        });
        let sim = daily(&[a], &[p]);
        close_all(&sim.days.gross, &[0.0, 0.0, 0.0]);
        // open 10 → close 10, close 11, open 11.5
        close_all(&sim.days.benchmark, &[0.0, 0.1, 11.5 / 11.0 - 1.0]);
        assert_abs_diff_eq!(sim.trades[0].gross_return, 0.0, epsilon = 1e-12);
    }

    #[test]
    fn hedge_without_a_benchmark_open_starts_at_its_previous_close() {
        let a = bars(&[1, 2, 3], &[NAN, 10.5, NAN], &[10.0, 11.0, 12.1]);
        let m = bars(&[1, 2, 3], &[100.0, NAN, 101.0], &[100.0, 102.0, 100.98]);
        let mut p = long(0, (1, Open), (2, Close));
        p.hedge = Some(Hedge {
            benchmark: 1,
            beta: 0.5,
        });
        let sim = daily(&[a, m], &[p]);
        close_all(&sim.days.benchmark, &[0.02, -0.01]);
        close_all(&sim.days.gross, &[11.0 / 10.5 - 1.0 - 0.01, 0.1 + 0.005]);
        let want = 12.1 / 10.5 - 1.0 - 0.5 * (1.02 * 0.99 - 1.0);
        assert_abs_diff_eq!(sim.trades[0].gross_return, want, epsilon = 1e-12);
    }

    #[test]
    fn a_missing_close_is_carried_to_the_next_close() {
        let a = bars(&[1, 2, 3, 4], &[NAN; 4], &[100.0, 110.0, NAN, 121.0]);
        let sim = daily(&[a], &[long(0, (0, Close), (3, Close))]);
        close_all(&sim.days.gross, &[0.0, 0.1, 0.0, 0.1]);
        assert_eq!(sim.days.positions, vec![0, 1, 1, 1]);
        assert_abs_diff_eq!(sim.trades[0].gross_return, 0.21, epsilon = 1e-12);
    }

    #[test]
    fn two_exchanges_with_different_holidays() {
        // A is closed on Wednesday 3, B on Tuesday 2
        let a = bars(&[1, 2, 4], &[NAN; 3], &[100.0, 110.0, 99.0]);
        let b = bars(&[1, 3, 4], &[NAN; 3], &[50.0, 55.0, 60.5]);
        let positions = [
            long(0, (0, Close), (2, Close)),
            long(1, (0, Close), (2, Close)),
        ];
        let sim = daily(&[a, b], &positions);
        assert_eq!(sim.days.dates.len(), 4);
        close_all(&sim.days.gross, &[0.0, 0.05, 0.05, 0.0]);
        assert_eq!(sim.days.positions, vec![0, 2, 2, 2]);
        close_all(
            &[sim.trades[0].gross_return, sim.trades[1].gross_return],
            &[-0.01, 0.21],
        );
    }

    #[test]
    fn no_positions_no_days() {
        let sim = daily(&[], &[]);
        assert!(sim.days.dates.is_empty() && sim.trades.is_empty() && sim.path.is_empty());
    }
}
