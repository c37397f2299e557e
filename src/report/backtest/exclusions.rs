//! The events that did not trade: counts by reason, then the rows grouped by reason.

use std::collections::BTreeMap;

use super::table_of;
use crate::backtest::tables::BacktestExclusionRow;
use crate::backtest::{BacktestReason, BacktestTables};
use crate::report::document::{section_heading, Block, Cell};
use crate::report::format::fmt_count;
use crate::report::TABLE_MAX_ROWS;

/// The exclusions section: the count of each reason, then the first [`TABLE_MAX_ROWS`] rows
/// grouped by reason (the rarest reason first, ties in reason order; rows in table order) with
/// a note when there are more.
pub(crate) fn backtest_exclusion_section(bt: &BacktestTables) -> Vec<Block> {
    let mut blocks = vec![section_heading("Events not traded", "exclusions")];
    if bt.exclusions.is_empty() {
        blocks.push(Block::Para("Every event–security pair traded.".to_string()));
        return blocks;
    }
    let mut by_reason: BTreeMap<BacktestReason, Vec<&BacktestExclusionRow>> = BTreeMap::new();
    for r in &bt.exclusions {
        by_reason.entry(r.reason).or_default().push(r);
    }
    blocks.push(Block::Para(format!(
        "{} event–security pair(s) did not trade, by reason (rarest first):",
        fmt_count(bt.exclusions.len())
    )));
    // Rarest reason first: the few trades that could not fill matter more to a reader than
    // the many pairs the configuration or the study left out.
    let mut groups: Vec<(BacktestReason, Vec<&BacktestExclusionRow>)> =
        by_reason.into_iter().collect();
    groups.sort_by_key(|(_, rows)| rows.len());
    let counts: Vec<(BacktestReason, usize)> =
        groups.iter().map(|(k, rows)| (*k, rows.len())).collect();
    blocks.push(Block::Table(table_of(
        &["reason", "pairs"],
        &counts,
        |(k, n)| vec![Cell::text(k.as_str()), Cell::num(fmt_count(*n))],
    )));
    let grouped: Vec<&BacktestExclusionRow> =
        groups.into_iter().flat_map(|(_, rows)| rows).collect();
    if grouped.len() > TABLE_MAX_ROWS {
        blocks.push(Block::Para(format!(
            "Showing the first {} of {} rows; every row is in bt_exclusions.csv.",
            fmt_count(TABLE_MAX_ROWS),
            fmt_count(grouped.len())
        )));
    }
    let header = ["reason", "event", "security", "detail"];
    let shown = &grouped[..grouped.len().min(TABLE_MAX_ROWS)];
    blocks.push(Block::Table(table_of(&header, shown, |r| {
        [r.reason.as_str(), &r.event_id, &r.security, &r.detail]
            .map(Cell::text)
            .to_vec()
    })));
    blocks
}
