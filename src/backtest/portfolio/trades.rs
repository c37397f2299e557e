//! Per-trade outcomes (methodology §16.2): each position as a buy-and-hold trade from entry
//! to exit, and its marks on the average trade's path.

use super::calendar::PortfolioCalendar;
use super::marks::{price, Marks};
use super::path::PathSums;
use super::{borrow_rate, cost_rate, PathPoint, TradeOutcome};
use crate::backtest::{Bars, Position, PricePoint};

/// One [`TradeOutcome`] per position (weights given) and the path of the positions with a
/// day 0.
///
/// Gross: `sign × (P_exit / P_entry − 1 − β (Π(1 + r_bench) − 1))`, the benchmark compounded
/// over the position's marks. Net: gross − 2 × `cost_bps`/1e4 − (shorts) `borrow_bps`/1e4 ×
/// calendar days from the entry date to the exit date / 365.
pub(crate) fn outcomes(
    bars: &[Bars],
    positions: &[Position],
    cal: &PortfolioCalendar,
    weights: &[f64],
) -> (Vec<TradeOutcome>, Vec<PathPoint>) {
    let mut path = path_range(positions);
    let trades = positions
        .iter()
        .zip(weights)
        .map(|(p, &weight)| {
            let b = &bars[p.security];
            let sign = p.direction.sign();
            let beta = p.hedge.map_or(0.0, |h| h.beta);
            let entry = price(b, p.entry.session, p.entry.point);
            if let (Some(d0), PricePoint::Close) = (p.day0, p.entry.point) {
                path.add(rel(p.entry.session, d0), 0.0);
            }
            let mut bench = 1.0;
            for s in Marks::new(p, bars, cal) {
                bench *= 1.0 + s.bench;
                if let (Some(d0), Some(k)) = (p.day0, s.session) {
                    path.add(
                        rel(k, d0),
                        sign * (s.mark / entry - 1.0 - beta * (bench - 1.0)),
                    );
                }
            }
            let exit = price(b, p.exit.session, p.exit.point);
            let gross = sign * (exit / entry - 1.0 - beta * (bench - 1.0));
            let nights = (b.dates[p.exit.session] - b.dates[p.entry.session]).num_days() as f64;
            TradeOutcome {
                gross_return: gross,
                net_return: gross - 2.0 * cost_rate(p) - borrow_rate(p) * nights,
                weight,
            }
        })
        .collect();
    (trades, path.finish())
}

/// Session `k` relative to day 0 at session `d0`.
fn rel(k: usize, d0: usize) -> i32 {
    (k as i64 - d0 as i64) as i32
}

/// Room for every relative day a position with a day 0 is marked on.
fn path_range(positions: &[Position]) -> PathSums {
    let (lo, hi) = positions
        .iter()
        .filter_map(|p| {
            p.day0
                .map(|d0| (rel(p.entry.session, d0), rel(p.exit.session, d0)))
        })
        .fold((i32::MAX, i32::MIN), |(lo, hi), (a, b)| {
            (lo.min(a), hi.max(b))
        });
    PathSums::new(lo, hi)
}
