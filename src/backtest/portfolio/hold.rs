//! The buy-and-hold portfolio (methodology §16.2): each position opens with a fixed share of
//! the current net equity and then drifts with its prices until its exit.
//!
//! A position's notional depends on the equity when it opens, which depends on every earlier
//! day, so days are finished in order: at day t the positions whose first day is t are sized
//! on the equity at the end of day t − 1 and their whole life is written into the day arrays
//! (in currency); day t is then complete and its returns and equity follow.

use super::calendar::PortfolioCalendar;
use super::marks::{Marks, Span};
use super::{borrow_rate, cost_rate, Flows};
use crate::backtest::{Bars, Position};

/// Day arrays in currency, before division by the previous day's equity.
struct Currency {
    pnl: Vec<f64>,
    costs: Vec<f64>,
    benchmark: Vec<f64>,
    gross_exposure: Vec<f64>,
    net_exposure: Vec<f64>,
    turnover: Vec<f64>,
}

/// The daily columns of the buy-and-hold portfolio with `notional` per position, and each
/// position's weight on its first day (`notional`).
pub(crate) fn run(
    bars: &[Bars],
    positions: &[Position],
    cal: &PortfolioCalendar,
    spans: &[Span],
    notional: f64,
) -> (Flows, Vec<f64>) {
    let n = cal.len();
    let zeros = || vec![0.0; n];
    let mut cur = Currency {
        pnl: zeros(),
        costs: zeros(),
        benchmark: zeros(),
        gross_exposure: zeros(),
        net_exposure: zeros(),
        turnover: zeros(),
    };
    let mut f = Flows::zeros(n);
    let (start, order) = by_first_day(spans, n);
    let mut equity = 1.0;
    for t in 0..n {
        for &i in &order[start[t]..start[t + 1]] {
            let p = &positions[i];
            add_position(&mut cur, &mut f.positions, p, bars, cal, notional * equity);
        }
        let e = equity;
        f.gross[t] = cur.pnl[t] / e;
        f.net[t] = (cur.pnl[t] - cur.costs[t]) / e;
        f.benchmark[t] = cur.benchmark[t] / e;
        f.gross_exposure[t] = cur.gross_exposure[t] / e;
        f.net_exposure[t] = cur.net_exposure[t] / e;
        f.turnover[t] = cur.turnover[t] / e;
        equity *= 1.0 + f.net[t];
    }
    (f, vec![notional; positions.len()])
}

/// Position indices grouped by first day (a counting sort): the positions of day t are
/// `order[start[t]..start[t + 1]]`, in position order.
fn by_first_day(spans: &[Span], n: usize) -> (Vec<usize>, Vec<usize>) {
    let mut start = vec![0usize; n + 1];
    for s in spans {
        start[s.first + 1] += 1;
    }
    for t in 0..n {
        start[t + 1] += start[t];
    }
    let mut next = start.clone();
    let mut order = vec![0usize; spans.len()];
    for (i, s) in spans.iter().enumerate() {
        order[next[s.first]] = i;
        next[s.first] += 1;
    }
    (start, order)
}

/// Writes the life of one position opened with `notional` (currency) into the day arrays.
///
/// With g = S_{t−1}/S_entry and h = B_{t−1}/B_entry before day t, the day's profit is
/// `sign × notional × (g r_stock − β h r_bench)`; the stock leg's value at the start of the day
/// is `notional × g` (its exposure, the base of borrow and of the benchmark weight); entry and
/// exit trade `notional` and `notional × g_exit`.
fn add_position(
    cur: &mut Currency,
    count: &mut [u32],
    p: &Position,
    bars: &[Bars],
    cal: &PortfolioCalendar,
    notional: f64,
) {
    let sign = p.direction.sign();
    let beta = p.hedge.map_or(0.0, |h| h.beta);
    let c = cost_rate(p);
    let borrow = borrow_rate(p);
    let (mut g, mut h) = (1.0, 1.0);
    let mut last = None;
    for s in Marks::new(p, bars, cal) {
        let value = notional * g;
        if last.is_none() {
            cur.costs[s.t] += c * notional;
            cur.turnover[s.t] += notional;
        }
        cur.pnl[s.t] += sign * notional * (g * s.stock - beta * h * s.bench);
        if p.hedge.is_some() {
            cur.benchmark[s.t] += value * s.bench;
        }
        cur.gross_exposure[s.t] += value;
        cur.net_exposure[s.t] += sign * value;
        let nights = if s.overnight { cal.nights[s.t] } else { 0.0 };
        cur.costs[s.t] += value * borrow * nights;
        count[s.t] += 1;
        g *= 1.0 + s.stock;
        h *= 1.0 + s.bench;
        last = Some(s.t);
    }
    if let Some(t) = last {
        cur.costs[t] += c * notional * g;
        cur.turnover[t] += notional * g;
    }
}
