//! The buy-and-hold portfolio (methodology §16.2): each position opens with a fixed share of
//! the current net equity and then drifts with its prices until its exit.
//!
//! A position's notional depends on the equity when it opens, which depends on every earlier
//! day, so days are finished in order: at day t the positions whose first day is t are sized
//! on the equity at the end of day t − 1 and their whole life is written into the day arrays
//! (in currency); day t is then complete and its returns and equity follow.

use super::calendar::PortfolioCalendar;
use super::legs::{sorted_legs, Leg};
use super::trades::TradeBook;
use super::Flows;
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

/// The daily columns of the buy-and-hold portfolio with `notional` per position, and the
/// trades, weights set to `notional`.
pub(crate) fn run(
    bars: &[Bars],
    positions: &[Position],
    cal: &PortfolioCalendar,
    notional: f64,
) -> (Flows, TradeBook) {
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
    let mut book = TradeBook::new(positions);
    let legs = sorted_legs(positions, cal, &[(n, &|l: &Leg| l.first)]);
    let mut next = 0;
    let mut equity = 1.0;
    for t in 0..n {
        let end = next + legs[next..].iter().take_while(|l| l.first == t).count();
        let opened = &legs[next..end];
        next = end;
        for leg in opened {
            book.outcomes[leg.index].weight = notional;
        }
        add_positions(
            &mut cur,
            &mut f.positions,
            &mut book,
            opened,
            bars,
            cal,
            notional * equity,
        );
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

/// Writes the lives of positions opened with `notional` (currency) each into the day arrays.
///
/// With g = S_{t−1}/S_entry and h = B_{t−1}/B_entry before day t, the day's profit is
/// `sign × notional × (g r_stock − β h r_bench)`; the stock leg's value at the start of the day
/// is `notional × g` (its exposure, the base of borrow and of the benchmark weight); entry and
/// exit trade `notional` and `notional × g_exit`.
fn add_positions(
    cur: &mut Currency,
    count: &mut [u32],
    book: &mut TradeBook,
    legs: &[Leg],
    bars: &[Bars],
    cal: &PortfolioCalendar,
    notional: f64,
) {
    let (mut g, mut h) = (1.0, 1.0);
    book.walk_all(legs, bars, cal, |leg, s| {
        if s.t == leg.first {
            (g, h) = (1.0, 1.0);
            cur.costs[s.t] += leg.cost * notional;
            cur.turnover[s.t] += notional;
        }
        let value = notional * g;
        cur.pnl[s.t] += leg.sign * notional * (g * s.stock - leg.beta() * h * s.bench);
        if leg.hedge.is_some() {
            cur.benchmark[s.t] += value * s.bench;
        }
        cur.gross_exposure[s.t] += value;
        cur.net_exposure[s.t] += leg.sign * value;
        let nights = if s.overnight { cal.nights[s.t] } else { 0.0 };
        cur.costs[s.t] += value * leg.borrow * nights;
        count[s.t] += 1;
        g *= 1.0 + s.stock;
        h *= 1.0 + s.bench;
        if s.t == leg.last {
            cur.costs[s.t] += leg.cost * notional * g;
            cur.turnover[s.t] += notional * g;
        }
    });
}
