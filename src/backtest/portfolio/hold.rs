//! The buy-and-hold portfolio (methodology §16.2): each position opens with a fixed share of
//! the current net equity and then drifts with its prices until its exit.
//!
//! A position's notional depends on the equity when it opens, which depends on every earlier
//! day, but its day flows are proportional to its notional. So the positions are first walked
//! security by security (one pass over the prices), adding their flows per unit of notional
//! into one short block per opening day (as long as the longest position opened that day);
//! the days are then finished in order: at day t the block of the positions opened on t is
//! scaled by `notional` × the equity at the end of day t − 1 and added into the day arrays
//! (in currency), and day t's returns and equity follow.

use super::calendar::PortfolioCalendar;
use super::legs::{legs_by_security, Leg};
use super::trades::TradeBook;
use super::DailyColumns;
use crate::backtest::{Bars, Position};

/// Day flows in currency (or per unit of notional), before division by the previous day's
/// equity.
struct Flows {
    pnl: Vec<f64>,
    costs: Vec<f64>,
    benchmark: Vec<f64>,
    gross_exposure: Vec<f64>,
    net_exposure: Vec<f64>,
    turnover: Vec<f64>,
}

impl Flows {
    fn zeros(n: usize) -> Flows {
        let zeros = || vec![0.0; n];
        Flows {
            pnl: zeros(),
            costs: zeros(),
            benchmark: zeros(),
            gross_exposure: zeros(),
            net_exposure: zeros(),
            turnover: zeros(),
        }
    }

    /// Adds `scale` × `other[from..from + len]` into `self[at..at + len]`.
    fn add_scaled(&mut self, at: usize, other: &Flows, from: usize, len: usize, scale: f64) {
        let pairs = [
            (&mut self.pnl, &other.pnl),
            (&mut self.costs, &other.costs),
            (&mut self.benchmark, &other.benchmark),
            (&mut self.gross_exposure, &other.gross_exposure),
            (&mut self.net_exposure, &other.net_exposure),
            (&mut self.turnover, &other.turnover),
        ];
        for (dst, src) in pairs {
            for (d, s) in dst[at..at + len].iter_mut().zip(&src[from..from + len]) {
                *d += scale * s;
            }
        }
    }
}

/// The daily columns of the buy-and-hold portfolio with `notional` per position, and the
/// trades, weights set to `notional`.
pub(crate) fn run(
    bars: &[Bars],
    positions: &[Position],
    cal: &PortfolioCalendar,
    notional: f64,
) -> (DailyColumns, TradeBook) {
    let n = cal.len();
    let mut f = DailyColumns::zeros(n);
    let mut book = TradeBook::new(positions);
    let legs = legs_by_security(positions, bars, cal);
    // block of opening day t: units[start[t]..start[t + 1]]
    let mut start = vec![0usize; n + 1];
    for leg in &legs {
        start[leg.first + 1] = start[leg.first + 1].max(leg.days());
    }
    for t in 0..n {
        start[t + 1] += start[t];
    }
    let mut units = Flows::zeros(start[n]);
    add_unit_flows(
        &mut units,
        &start,
        &mut f.positions,
        &mut book,
        &legs,
        bars,
        cal,
    );
    for leg in &legs {
        book.outcomes[leg.index].weight = notional;
    }
    let mut cur = Flows::zeros(n);
    let mut equity = 1.0;
    for t in 0..n {
        let len = start[t + 1] - start[t];
        cur.add_scaled(t, &units, start[t], len, notional * equity);
        let e = equity;
        f.gross[t] = cur.pnl[t] / e;
        f.net[t] = (cur.pnl[t] - cur.costs[t]) / e;
        f.benchmark[t] = cur.benchmark[t] / e;
        f.gross_exposure[t] = cur.gross_exposure[t] / e;
        f.net_exposure[t] = cur.net_exposure[t] / e;
        f.turnover[t] = cur.turnover[t] / e;
        equity *= 1.0 + f.net[t];
    }
    (f, book)
}

/// Adds each position's flows per unit of notional into its opening day's block; counts the
/// open positions per day.
///
/// With g = S_{t−1}/S_entry and h = B_{t−1}/B_entry before day t, the day's profit is
/// `sign × (g r_stock − β h r_bench)`; the stock leg's value at the start of the day is `g`
/// (its exposure, the base of borrow and of the benchmark weight); entry and exit trade 1 and
/// `g_exit`.
fn add_unit_flows(
    units: &mut Flows,
    start: &[usize],
    count: &mut [u32],
    book: &mut TradeBook,
    legs: &[Leg],
    bars: &[Bars],
    cal: &PortfolioCalendar,
) {
    let (mut g, mut h) = (1.0, 1.0);
    book.walk_all(legs, bars, cal, |leg, s| {
        let i = start[leg.first] + (s.t - leg.first);
        if s.t == leg.first {
            (g, h) = (1.0, 1.0);
            units.costs[i] += leg.cost;
            units.turnover[i] += 1.0;
        }
        units.pnl[i] += leg.sign * (g * s.stock - leg.beta() * h * s.bench);
        if leg.hedge.is_some() {
            units.benchmark[i] += g * s.bench;
        }
        units.gross_exposure[i] += g;
        units.net_exposure[i] += leg.sign * g;
        let nights = if s.overnight { cal.nights[s.t] } else { 0.0 };
        units.costs[i] += g * leg.borrow * nights;
        count[s.t] += 1;
        g *= 1.0 + s.stock;
        h *= 1.0 + s.bench;
        if s.t == leg.last {
            units.costs[i] += leg.cost * g;
            units.turnover[i] += g;
        }
    });
}
