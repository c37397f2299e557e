//! Per-trade outcomes (methodology §16.2): each position as a buy-and-hold trade from entry
//! to exit, and its marks on the average trade's path. Filled during the simulation's one
//! walk over each position's marks.

use super::calendar::PortfolioCalendar;
use super::legs::Leg;
use super::marks::{price, Marks, Step};
use super::path::PathSums;
use super::{PathPoint, TradeOutcome};
use crate::backtest::{Bars, Position, PricePoint};

/// The trade outcomes and path sums of a simulation, filled one position at a time.
pub(crate) struct TradeBook {
    /// One outcome per position, in position order (weights set by the weighting scheme).
    pub outcomes: Vec<TradeOutcome>,
    path: PathSums,
}

impl TradeBook {
    /// An empty book for `positions`.
    pub fn new(positions: &[Position]) -> TradeBook {
        let empty = TradeOutcome {
            gross_return: f64::NAN,
            net_return: f64::NAN,
            weight: f64::NAN,
        };
        TradeBook {
            outcomes: vec![empty; positions.len()],
            path: path_range(positions),
        }
    }

    /// Walks the marks of each of `legs` in order, handing each leg's [`Step`]s to `on_step`,
    /// and records the trades' outcomes and path.
    ///
    /// Legs go in chunks whose entry and exit prices are read first, in one loop, so that
    /// the cache misses of their securities' price arrays overlap instead of queueing.
    pub fn walk_all(
        &mut self,
        legs: &[Leg],
        bars: &[Bars],
        cal: &PortfolioCalendar,
        mut on_step: impl FnMut(&Leg, &Step),
    ) {
        const CHUNK: usize = 16;
        for chunk in legs.chunks(CHUNK) {
            let mut prices = [(0.0, 0.0); CHUNK];
            for (p, leg) in prices.iter_mut().zip(chunk) {
                let b = &bars[leg.security];
                *p = (
                    price(b, leg.entry.session, leg.entry.point),
                    price(b, leg.exit.session, leg.exit.point),
                );
            }
            for (leg, &(entry, exit)) in chunk.iter().zip(&prices) {
                self.walk(leg, entry, exit, bars, cal, |s| on_step(leg, s));
            }
        }
    }

    /// Walks the marks of `leg` (entry and exit prices given) and records its outcome.
    ///
    /// Gross: `sign × (P_exit / P_entry − 1 − β (Π(1 + r_bench) − 1))`, the benchmark
    /// compounded over the position's marks. Net: gross − 2 × `cost_bps`/1e4 − (shorts)
    /// `borrow_bps`/1e4 × calendar days from the entry date to the exit date / 365.
    #[inline]
    fn walk(
        &mut self,
        leg: &Leg,
        entry: f64,
        exit: f64,
        bars: &[Bars],
        cal: &PortfolioCalendar,
        mut on_step: impl FnMut(&Step),
    ) {
        let beta = leg.beta();
        if let (Some(d0), PricePoint::Close) = (leg.day0, leg.entry.point) {
            self.path.add(rel(leg.entry.session, d0), 0.0);
        }
        let mut bench = 1.0;
        for s in Marks::new(leg, entry, bars, cal) {
            on_step(&s);
            bench *= 1.0 + s.bench;
            if let (Some(d0), Some(k)) = (leg.day0, s.session) {
                let cum = leg.sign * (s.mark / entry - 1.0 - beta * (bench - 1.0));
                self.path.add(rel(k, d0), cum);
            }
        }
        let gross = leg.sign * (exit / entry - 1.0 - beta * (bench - 1.0));
        let nights = cal.days_between(leg.entry_day, leg.last);
        let o = &mut self.outcomes[leg.index];
        o.gross_return = gross;
        o.net_return = gross - 2.0 * leg.cost - leg.borrow * nights;
    }

    /// The outcomes and the path.
    pub fn finish(self) -> (Vec<TradeOutcome>, Vec<PathPoint>) {
        (self.outcomes, self.path.finish())
    }
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
