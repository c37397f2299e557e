//! The exit of a trade (methodology §16.1).

use super::{next_point, Excluded, Market, Side, Timed};
use crate::backtest::{BacktestReason, Fill, PricePoint};
use crate::design::ExitRule;

/// The exit fill of a trade entered at `entry`, exiting on `side`, for an event whose day 0
/// is session `day0`.
///
/// The rule's point is `point` of session entry + H (`hold = H`) or of the last session of
/// the exit window (day 0 + its end). When it cannot fill ([`Market::blocked`]), the exit
/// moves to the next price point that can — open or close — with a note: a position cannot
/// be abandoned, only closed later.
///
/// # Errors
/// `exit_before_entry` when the rule's point is not after the entry; `beyond_data` when it,
/// or every point after it, lies after the data.
pub fn exit_fill(
    m: &Market,
    rule: ExitRule,
    point: PricePoint,
    entry: Fill,
    day0: usize,
    side: Side,
) -> Result<Timed, Excluded> {
    let session = match rule {
        ExitRule::Hold { sessions } => Some(entry.session + sessions),
        ExitRule::WindowEnd { window } => {
            usize::try_from(i64::try_from(day0).unwrap_or(i64::MAX) + i64::from(window.end)).ok()
        }
    };
    let nominal = session.map(|session| Fill { session, point });
    let Some(nominal) = nominal.filter(|&f| f > entry) else {
        return Err(Excluded {
            reason: BacktestReason::ExitBeforeEntry,
            detail: format!(
                "the exit rule's {} is not after the entry at {}",
                point.as_str(),
                m.label(entry)
            ),
        });
    };
    let Some(reason) = m.blocked(nominal, side) else {
        return Ok(Timed {
            fill: nominal,
            note: String::new(),
        });
    };
    let mut f = next_point(nominal);
    while f.session < m.len() {
        if m.blocked(f, side).is_none() {
            return Ok(Timed {
                fill: f,
                note: format!("exit moved from {}: {}", m.label(nominal), reason.as_str()),
            });
        }
        f = next_point(f);
    }
    Err(Excluded {
        reason: BacktestReason::BeyondData,
        detail: format!(
            "exit at {} ({}): no fillable price after it in the data",
            m.label(nominal),
            reason.as_str()
        ),
    })
}
