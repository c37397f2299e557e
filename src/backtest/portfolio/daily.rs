//! The daily-rebalanced portfolio (methodology §16.2): every day the positions whose return
//! interval falls on it get weights ∝ their size, summing to 1; the drift of the previous
//! day's weights is traded back every day, and those trades pay costs.

use super::calendar::PortfolioCalendar;
use super::legs::{sorted_legs, Leg};
use super::trades::TradeBook;
use super::Flows;
use crate::backtest::{Bars, Position, PricePoint};

/// A position's size as a weight numerator: positive and finite, else 0 (the position is
/// held at weight 0).
fn effective_size(leg: &Leg) -> f64 {
    if leg.size.is_finite() && leg.size > 0.0 {
        leg.size
    } else {
        0.0
    }
}

/// The daily columns of the daily-rebalanced portfolio and the trades, weights set to each
/// position's weight on its first day.
///
/// Positions are walked security by security, in order of entry (one pass over the prices); the stock's day
/// returns are kept in one buffer for the cost pass, which needs the day's portfolio return.
pub(crate) fn run(
    bars: &[Bars],
    positions: &[Position],
    cal: &PortfolioCalendar,
) -> (Flows, TradeBook) {
    let n = cal.len();
    let sessions = bars.iter().map(|b| b.dates.len()).max().unwrap_or(0);
    let legs = sorted_legs(
        positions,
        cal,
        &[
            (bars.len(), &|l: &Leg| l.security),
            (sessions, &|l: &Leg| l.entry.session),
        ],
    );
    let mut book = TradeBook::new(positions);
    let mut f = Flows::zeros(n);
    let mut total = vec![0.0; n];
    let mut signed = vec![0.0; n];
    let mut stock = Vec::with_capacity(legs.iter().map(Leg::days).sum());
    book.walk_all(&legs, bars, cal, |leg, s| {
        let size = effective_size(leg);
        f.gross[s.t] += size * leg.sign * (s.stock - leg.beta() * s.bench);
        f.benchmark[s.t] += size * s.bench;
        total[s.t] += size;
        signed[s.t] += leg.sign * size;
        f.positions[s.t] += 1;
        stock.push(s.stock);
    });
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
    let costs = trading_costs(&legs, &stock, cal, &inv_total, &mut f);
    for t in 0..n {
        f.net[t] = f.gross[t] - costs[t];
    }
    for leg in &legs {
        book.outcomes[leg.index].weight = effective_size(leg) * inv_total[leg.first];
    }
    (f, book)
}

/// Transaction and borrow costs of each day as a fraction of the previous day's equity;
/// writes the day's turnover into `f`. `stock` holds the legs' stock returns day by day, leg
/// after leg.
///
/// A position's weight at the start of day t is `size / Σ size`; the weight it drifted to by
/// the end of day t − 1 is `w_{t−1} (1 + r_stock) / (1 + R_{t−1})`; the trade between them,
/// its entry (from 0) and its exit (its value at the exit, `w (1 + r_stock)` on the last day)
/// each cost `cost_bps / 1e4` of the notional traded. Shorts pay borrow on |w| for the nights
/// of the day's interval.
fn trading_costs(
    legs: &[Leg],
    stock: &[f64],
    cal: &PortfolioCalendar,
    inv_total: &[f64],
    f: &mut Flows,
) -> Vec<f64> {
    let n = cal.len();
    // the start-of-day weight per unit size of day t + 1 before rebalancing, per unit of
    // (1 + r_stock) over day t
    let drift: Vec<f64> = (0..n).map(|t| inv_total[t] / (1.0 + f.gross[t])).collect();
    let mut costs = vec![0.0; n];
    let mut at = 0;
    for leg in legs {
        let size = effective_size(leg);
        let returns = &stock[at..at + leg.days()];
        at += leg.days();
        for (i, t) in (leg.first..=leg.last).enumerate() {
            let w = size * inv_total[t];
            let (traded, nights) = match i {
                0 if leg.entry.point == PricePoint::Open => (w, 0.0),
                0 => (w, cal.nights[t]),
                _ => (
                    (w - size * drift[t - 1] * (1.0 + returns[i - 1])).abs(),
                    cal.nights[t],
                ),
            };
            costs[t] += leg.cost * traded + w * leg.borrow * nights;
            f.turnover[t] += traded;
        }
        let exit = size * inv_total[leg.last] * (1.0 + returns[leg.days() - 1]);
        costs[leg.last] += leg.cost * exit;
        f.turnover[leg.last] += exit;
    }
    costs
}
