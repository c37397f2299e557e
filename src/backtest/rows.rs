//! The `bt_*` rows built from a run's results (methodology §16.7).

use super::bars::MarketData;
use super::positions::{Planned, StudyPair};
use super::tables::{BacktestExclusionRow, TradeRow};
use super::timing::{Excluded, Market};
use super::{BacktestReason, Fill, PricePoint};
use crate::calendar::format_utc;
use crate::tables::ExclusionRow;

/// A pair the study excluded: `excluded_by_study`, with the study's stage, reason and detail.
pub(crate) fn exclusion_from_study(x: &ExclusionRow) -> BacktestExclusionRow {
    BacktestExclusionRow {
        event_id: x.event_id.clone(),
        security: x.security.clone(),
        reason: BacktestReason::ExcludedByStudy,
        detail: format!("{} ({}): {}", x.reason.as_str(), x.stage.as_str(), x.detail),
    }
}

/// An analysed pair that does not trade.
pub(crate) fn exclusion_row(pair: &StudyPair, x: Excluded) -> BacktestExclusionRow {
    BacktestExclusionRow {
        event_id: pair.event.event_id.to_string(),
        security: pair.security.to_string(),
        reason: x.reason,
        detail: x.detail,
    }
}

/// The relative days whose close-to-close abnormal return falls inside a holding from
/// `entry` to `exit` (entry instant < close ≤ exit instant): an entry at a close does not
/// count its own day, an exit at an open does not count its day.
pub(crate) fn held_days(entry: Fill, exit: Fill, day0: usize) -> (i32, i32) {
    let rel = |f: Fill| i32::try_from(f.session as i64 - day0 as i64).unwrap_or(i32::MAX);
    let first = rel(entry) + i32::from(entry.point == PricePoint::Close);
    let last = rel(exit) - i32::from(exit.point == PricePoint::Open);
    (first, last)
}

/// What the simulation says of one trade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TradeResult {
    /// Signed return before costs.
    pub gross: f64,
    /// After costs.
    pub net: f64,
    /// Weight when it opened.
    pub weight: f64,
}

/// The `bt_trades` row of a position.
pub(crate) fn trade_row(
    pair: &StudyPair,
    planned: &Planned,
    market: &MarketData,
    tolerance: f64,
    result: Option<TradeResult>,
) -> TradeRow {
    let p = &planned.position;
    let m = Market {
        bars: &market.bars[p.security],
        times: &market.times[p.security],
        tolerance,
    };
    let day0 = p.day0.unwrap_or(0);
    let rel = |f: Fill| i32::try_from(f.session as i64 - day0 as i64).ok();
    let (first, last) = held_days(p.entry, p.exit, day0);
    let car_held = pair.car(first, last);
    let car_day0_to_exit = pair.car(0, last);
    let finite = |v: f64| v.is_finite().then_some(v);
    TradeRow {
        event_id: p.event_id.clone(),
        security: pair.security.to_string(),
        category: pair.event.category.to_string(),
        direction: p.direction,
        event_instant_utc: format_utc(planned.event_instant),
        entry_date: m.bars.dates.get(p.entry.session).copied(),
        entry_point: p.entry.point,
        entry_instant_utc: m.instant(p.entry).map(format_utc).unwrap_or_default(),
        entry_price: finite(m.price(p.entry)),
        entry_rel_day: rel(p.entry),
        exit_date: m.bars.dates.get(p.exit.session).copied(),
        exit_point: p.exit.point,
        exit_price: finite(m.price(p.exit)),
        exit_rel_day: rel(p.exit),
        sessions_held: u32::try_from(p.exit.session - p.entry.session).unwrap_or(u32::MAX),
        weight: result.and_then(|r| finite(r.weight)),
        gross_return: result.and_then(|r| finite(r.gross)),
        net_return: result.and_then(|r| finite(r.net)),
        car_held,
        car_day0_to_exit,
        timing_gap: car_day0_to_exit.zip(car_held).map(|(a, b)| a - b),
        note: planned.note.clone(),
    }
}
