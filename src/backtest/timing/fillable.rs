//! Whether a price point can fill a buy or a sell (methodology §16.1).

use super::{Market, Side};
use crate::backtest::{BacktestReason, Fill, PricePoint};

impl Market<'_> {
    /// Why the point `f` cannot fill a trade on `side`, or `None` when it can.
    ///
    /// In order: a session after the last bar (`beyond_data`); a zero-volume placeholder bar
    /// (`no_volume`); a session without a close — a suspension, a `tradestatus` 0 row or a
    /// missing row — which cannot fill at either point (`suspended`); an open without a price
    /// or an exchange without an opening time (`no_open_price`); an A-share open locked at
    /// the daily limit: a buy when the open is at least `limit − tolerance` above the
    /// previous close, a sell when it is at least that far below (`limit_locked`). The
    /// previous close is the last close before the session that has a price.
    pub fn blocked(&self, f: Fill, side: Side) -> Option<BacktestReason> {
        let s = f.session;
        if s >= self.len() {
            return Some(BacktestReason::BeyondData);
        }
        if self.times.no_volume.get(s).copied().unwrap_or(false) {
            return Some(BacktestReason::NoVolume);
        }
        if !self.bars.close[s].is_finite() {
            return Some(BacktestReason::Suspended);
        }
        if f.point == PricePoint::Close {
            return None;
        }
        let open = self.bars.open[s];
        if !open.is_finite() || self.instant(f).is_none() {
            return Some(BacktestReason::NoOpenPrice);
        }
        let limit = self.times.limit?;
        let prev = self.bars.close[..s].iter().rev().find(|c| c.is_finite())?;
        let change = open / prev - 1.0;
        let locked = match side {
            Side::Buy => change >= limit - self.tolerance,
            Side::Sell => change <= -(limit - self.tolerance),
        };
        locked.then_some(BacktestReason::LimitLocked)
    }
}
