//! When a trade can fill (methodology §16.1): entry and exit price points from the event
//! instant, the exchange's sessions and the fillability of each bar.
//!
//! A security's price points are ordered in time: the open of session 0, its close, the open
//! of session 1, … ([`Fill`]'s order). [`Market`] tells whether one of them can fill a buy or
//! a sell ([`fillable`]); [`entry`] finds the entry after an event, [`exit`] the exit after
//! an entry; [`limits`] gives each A-share's daily price limit.

pub mod entry;
pub mod exit;
pub mod fillable;
pub mod limits;

pub use entry::entry_fill;
pub use exit::exit_fill;
pub use limits::daily_limit;

use chrono::{DateTime, Utc};

use super::{BacktestReason, Bars, Direction, Fill, PricePoint, SessionTimes};

/// Buying or selling at a price point: a limit-up open cannot be bought, a limit-down open
/// cannot be sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Buying (a long's entry, a short's exit).
    Buy,
    /// Selling (a long's exit, a short's entry).
    Sell,
}

impl Side {
    /// The side of the entry of a position in `direction`.
    pub fn entering(direction: Direction) -> Side {
        match direction {
            Direction::Long => Side::Buy,
            Direction::Short => Side::Sell,
        }
    }

    /// The side of the exit of a position in `direction`.
    pub fn exiting(direction: Direction) -> Side {
        match Side::entering(direction) {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

/// A fill found, with a note when it is not the first point the rule asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    /// The fill.
    pub fill: Fill,
    /// Empty, or why the fill moved (e.g. `entry moved from open 2024-03-04: suspended`).
    pub note: String,
}

/// A trade that cannot be placed: the `bt_exclusions` reason and its detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// Why.
    pub reason: BacktestReason,
    /// Human-readable detail.
    pub detail: String,
}

/// One security's bars and session instants, as the timing rules read them.
#[derive(Debug, Clone, Copy)]
pub struct Market<'a> {
    /// Prices.
    pub bars: &'a Bars,
    /// Session instants, placeholder bars and the daily limit.
    pub times: &'a SessionTimes,
    /// Tolerance of the limit test (fraction of the previous close).
    pub tolerance: f64,
}

impl Market<'_> {
    /// Number of sessions.
    pub fn len(&self) -> usize {
        self.bars.dates.len()
    }

    /// True when there are no sessions.
    pub fn is_empty(&self) -> bool {
        self.bars.dates.is_empty()
    }

    /// The instant of a price point (`None` for an open of an exchange without an opening
    /// time, or a session beyond the bars).
    pub fn instant(&self, f: Fill) -> Option<DateTime<Utc>> {
        match f.point {
            PricePoint::Open => self.times.open.get(f.session).copied().flatten(),
            PricePoint::Close => self.times.close.get(f.session).copied(),
        }
    }

    /// The price of a point (NaN when none).
    pub fn price(&self, f: Fill) -> f64 {
        let col = match f.point {
            PricePoint::Open => &self.bars.open,
            PricePoint::Close => &self.bars.close,
        };
        col.get(f.session).copied().unwrap_or(f64::NAN)
    }

    /// The session date of a point, written `YYYY-MM-DD`.
    pub fn label(&self, f: Fill) -> String {
        match self.bars.dates.get(f.session) {
            Some(d) => format!("{} {d}", f.point.as_str()),
            None => format!("{} after the last session", f.point.as_str()),
        }
    }
}

/// The price point after `f`: the close of the same session after an open, the next
/// session's open after a close.
pub fn next_point(f: Fill) -> Fill {
    match f.point {
        PricePoint::Open => Fill {
            session: f.session,
            point: PricePoint::Close,
        },
        PricePoint::Close => Fill {
            session: f.session + 1,
            point: PricePoint::Open,
        },
    }
}

#[cfg(test)]
pub(crate) mod tests;
