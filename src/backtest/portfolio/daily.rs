//! The daily-rebalanced portfolio (methodology §16.2): every day the positions whose return
//! interval falls on it get weights ∝ their size, summing to 1; the drift of the previous
//! day's weights is traded back every day, and those trades pay costs.

use super::calendar::PortfolioCalendar;
use super::marks::{Marks, Span};
use super::{borrow_rate, cost_rate, Flows};
use crate::backtest::{Bars, Position};

/// A position's size as a weight numerator: positive and finite, else 0 (the position is
/// held at weight 0).
fn effective_size(p: &Position) -> f64 {
    if p.size.is_finite() && p.size > 0.0 {
        p.size
    } else {
        0.0
    }
}

/// The daily columns of the daily-rebalanced portfolio and each position's weight on its
/// first day.
pub(crate) fn run(
    bars: &[Bars],
    positions: &[Position],
    cal: &PortfolioCalendar,
    spans: &[Span],
) -> (Flows, Vec<f64>) {
    let n = cal.len();
    let mut f = Flows::zeros(n);
    let mut total = vec![0.0; n];
    let mut signed = vec![0.0; n];
    for p in positions {
        let size = effective_size(p);
        let sign = p.direction.sign();
        let beta = p.hedge.map_or(0.0, |h| h.beta);
        for s in Marks::new(p, bars, cal) {
            f.gross[s.t] += size * sign * (s.stock - beta * s.bench);
            f.benchmark[s.t] += size * s.bench;
            total[s.t] += size;
            signed[s.t] += sign * size;
            f.positions[s.t] += 1;
        }
    }
    let inv_total: Vec<f64> = total
        .iter()
        .map(|&x| if x > 0.0 { 1.0 / x } else { 0.0 })
        .collect();
    for t in 0..n {
        f.gross[t] *= inv_total[t];
        f.benchmark[t] *= inv_total[t];
        f.gross_exposure[t] = total[t] * inv_total[t];
        f.net_exposure[t] = signed[t] * inv_total[t];
    }
    let costs = trading_costs(bars, positions, cal, &inv_total, &mut f);
    for t in 0..n {
        f.net[t] = f.gross[t] - costs[t];
    }
    let weights = positions
        .iter()
        .zip(spans)
        .map(|(p, s)| effective_size(p) * inv_total[s.first])
        .collect();
    (f, weights)
}

/// Transaction and borrow costs of each day as a fraction of the previous day's equity;
/// writes the day's turnover into `f`.
///
/// A position's weight at the start of day t is `size / Σ size`; the weight it drifted to by
/// the end of day t − 1 is `w_{t−1} (1 + r_stock) / (1 + R_{t−1})`; the trade between them,
/// its entry (from 0) and its exit (its value at the exit, `w (1 + r_stock)` on the last day)
/// each cost `cost_bps / 1e4` of the notional traded. Shorts pay borrow on |w| for the nights
/// of the day's interval.
fn trading_costs(
    bars: &[Bars],
    positions: &[Position],
    cal: &PortfolioCalendar,
    inv_total: &[f64],
    f: &mut Flows,
) -> Vec<f64> {
    let n = cal.len();
    // the start-of-day weight per unit size of day t + 1 before rebalancing, per unit of
    // (1 + r_stock) over day t
    let drift: Vec<f64> = (0..n).map(|t| inv_total[t] / (1.0 + f.gross[t])).collect();
    let mut costs = vec![0.0; n];
    for p in positions {
        let size = effective_size(p);
        let c = cost_rate(p);
        let borrow = borrow_rate(p);
        let mut prev: Option<(usize, f64)> = None;
        for s in Marks::new(p, bars, cal) {
            let w = size * inv_total[s.t];
            let traded = match prev {
                None => w,
                Some((t, r)) => (w - size * drift[t] * (1.0 + r)).abs(),
            };
            let nights = if s.overnight { cal.nights[s.t] } else { 0.0 };
            costs[s.t] += c * traded + w * borrow * nights;
            f.turnover[s.t] += traded;
            prev = Some((s.t, s.stock));
        }
        if let Some((t, r)) = prev {
            let exit = size * inv_total[t] * (1.0 + r);
            costs[t] += c * exit;
            f.turnover[t] += exit;
        }
    }
    costs
}
