//! The entry of a trade (methodology §16.1).

use chrono::{DateTime, Utc};

use super::{next_point, Excluded, Market, Side, Timed};
use crate::backtest::{BacktestReason, Fill, PricePoint};
use crate::design::{EntryRule, Unfillable};

/// The entry fill of a trade on `side` for an event known at `known_at` (event instant plus
/// latency) whose day 0 is session `day0`.
///
/// The rule's own point comes first: for `first_tradable`, the first allowed price point
/// whose instant is at or after `known_at`; for `open:K` / `close:K`, that point of session
/// day 0 + K. When it cannot fill ([`Market::blocked`]), `next` moves to the next allowed
/// point that can, at most `max_delay` sessions later (the fill keeps a note saying from
/// where and why), and `exclude` excludes the trade with the point's reason.
///
/// # Errors
/// The [`Excluded`] reason and detail: the blocked point's reason with `exclude`, `no_fill`
/// when `next` finds no fillable point within `max_delay` sessions (the blocked point's reason
/// in the detail), or `beyond_data` when no point of the data comes after the event.
pub fn entry_fill(
    m: &Market,
    rule: EntryRule,
    unfillable: Unfillable,
    known_at: DateTime<Utc>,
    day0: usize,
    side: Side,
) -> Result<Timed, Excluded> {
    let (nominal, only) = nominal_entry(m, rule, known_at, day0)?;
    let allowed = |p: PricePoint| only.is_none_or(|q| q == p);
    let Some(reason) = m.blocked(nominal, side) else {
        return Ok(Timed {
            fill: nominal,
            note: String::new(),
        });
    };
    let detail = format!("entry at {}: {}", m.label(nominal), reason.as_str());
    let max_delay = match unfillable {
        Unfillable::Exclude => return Err(Excluded { reason, detail }),
        Unfillable::Next { max_delay } => max_delay,
    };
    let last = nominal.session.saturating_add(max_delay).min(m.len());
    let mut f = next_point(nominal);
    while f.session <= last && f.session < m.len() {
        if allowed(f.point) && m.blocked(f, side).is_none() {
            return Ok(Timed {
                fill: f,
                note: format!(
                    "entry moved from {}",
                    detail.trim_start_matches("entry at ")
                ),
            });
        }
        f = next_point(f);
    }
    Err(Excluded {
        reason: BacktestReason::NoFill,
        detail: format!("{detail}; no fillable entry within max_delay = {max_delay} sessions"),
    })
}

/// The point the rule asks for, and the one point it may move to (`None`: open or close).
fn nominal_entry(
    m: &Market,
    rule: EntryRule,
    known_at: DateTime<Utc>,
    day0: usize,
) -> Result<(Fill, Option<PricePoint>), Excluded> {
    match rule {
        EntryRule::Fixed { point, rel_day } => {
            let session = i64::try_from(day0).unwrap_or(i64::MAX) + i64::from(rel_day);
            let session = usize::try_from(session).map_err(|_| Excluded {
                reason: BacktestReason::BeyondData,
                detail: format!(
                    "entry {}:{rel_day} falls before the first session",
                    point.as_str()
                ),
            })?;
            Ok((Fill { session, point }, Some(point)))
        }
        EntryRule::FirstTradable { points } => {
            let allowed = |p: PricePoint| points.is_none_or(|q| q == p);
            // Sessions closing before the event cannot hold a later point.
            let session = m.times.close.partition_point(|&c| c < known_at);
            let mut f = Fill {
                session,
                point: PricePoint::Open,
            };
            while f.session < m.len() {
                if allowed(f.point) && m.instant(f).is_some_and(|t| t >= known_at) {
                    return Ok((f, points));
                }
                f = next_point(f);
            }
            Err(Excluded {
                reason: BacktestReason::BeyondData,
                detail: format!(
                    "no price point at or after {} (event plus latency) in the data",
                    crate::calendar::format_utc(known_at)
                ),
            })
        }
    }
}
