//! Placebo inference for a backtest (methodology §16.6): the strategy's statistics against
//! their distribution over random event calendars.
//!
//! A placebo calendar keeps everything of the real backtest but the dates: each position is
//! moved to a random session of its own security where the same entry and exit points can
//! be filled, inside the real backtest's span, with the same holding length, direction, size,
//! hedge and costs. The statistics (Sharpe ratio, alpha, …) are supplied by the caller, so
//! this module depends only on the portfolio simulation.

mod calendars;
mod inference;
mod run;

pub use calendars::placebo_positions;
pub use inference::{placebo_p_value, placebo_rows};
pub use run::run_placebo;

/// Settings of the placebo inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceboSettings {
    /// Number of placebo calendars K.
    pub calendars: u32,
    /// Seed; calendar k draws from the stream (seed, k).
    pub seed: u64,
}
