//! Positions copied into processing order as compact [`Leg`]s.
//!
//! The simulation reads each position's prices once; reading them security by security
//! (daily rebalancing) or in order of first day (buy and hold) from a contiguous array keeps
//! the price arrays' cache lines and pages in use instead of jumping through the panel.

use super::calendar::PortfolioCalendar;
use crate::backtest::{Direction, Fill, Hedge, Position, PricePoint};

/// What the simulation reads of one position, with its span on the portfolio calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Leg {
    /// Index of the position.
    pub index: usize,
    /// Index of the security's bars.
    pub security: usize,
    /// Entry fill.
    pub entry: Fill,
    /// Exit fill.
    pub exit: Fill,
    /// +1 long, −1 short.
    pub sign: f64,
    /// Relative size as given.
    pub size: f64,
    /// Beta hedge.
    pub hedge: Option<Hedge>,
    /// Transaction cost per side, as a fraction of the notional traded.
    pub cost: f64,
    /// Borrow cost per calendar day as a fraction of the short notional (0 for longs).
    pub borrow: f64,
    /// Day 0 as a session of the security.
    pub day0: Option<usize>,
    /// Portfolio day of the entry session.
    pub entry_day: usize,
    /// First portfolio day with a return: the entry day (entry at the open) or the next.
    pub first: usize,
    /// Last portfolio day (the exit day).
    pub last: usize,
}

impl Leg {
    /// The leg of position `index` on `cal`.
    pub fn new(index: usize, p: &Position, cal: &PortfolioCalendar) -> Leg {
        let day_of = cal.day_of(p.security);
        Leg {
            index,
            security: p.security,
            entry: p.entry,
            exit: p.exit,
            sign: p.direction.sign(),
            size: p.size,
            hedge: p.hedge,
            cost: p.cost_bps / 1e4,
            borrow: match p.direction {
                Direction::Short => p.borrow_bps / 1e4 / super::BORROW_DAYS_PER_YEAR,
                Direction::Long => 0.0,
            },
            day0: p.day0,
            entry_day: day_of[p.entry.session] as usize,
            first: day_of[p.entry.session] as usize
                + usize::from(p.entry.point == PricePoint::Close),
            last: day_of[p.exit.session] as usize,
        }
    }

    /// Beta of the hedge (0 unhedged).
    pub fn beta(&self) -> f64 {
        self.hedge.map_or(0.0, |h| h.beta)
    }

    /// Number of portfolio days with a return.
    pub fn days(&self) -> usize {
        self.last + 1 - self.first
    }
}

/// The legs of `positions` in the order of `keys` (most significant first; each key below
/// its bucket count), ties in position order: a radix sort of counting passes.
pub(crate) fn sorted_legs(
    positions: &[Position],
    cal: &PortfolioCalendar,
    keys: &[(usize, &dyn Fn(&Leg) -> usize)],
) -> Vec<Leg> {
    let legs: Vec<Leg> = positions
        .iter()
        .enumerate()
        .map(|(i, p)| Leg::new(i, p, cal))
        .collect();
    let mut order: Vec<u32> = (0..legs.len() as u32).collect();
    for (buckets, key) in keys.iter().rev() {
        order = counting_sort(&order, &legs, *buckets, key);
    }
    order.iter().map(|&i| legs[i as usize]).collect()
}

/// `order` stably sorted by `key` of its legs.
fn counting_sort(
    order: &[u32],
    legs: &[Leg],
    buckets: usize,
    key: &dyn Fn(&Leg) -> usize,
) -> Vec<u32> {
    let mut next = vec![0usize; buckets + 1];
    for &i in order {
        next[key(&legs[i as usize]) + 1] += 1;
    }
    for b in 0..buckets {
        next[b + 1] += next[b];
    }
    let mut out = vec![0u32; order.len()];
    for &i in order {
        let k = key(&legs[i as usize]);
        out[next[k]] = i;
        next[k] += 1;
    }
    out
}
