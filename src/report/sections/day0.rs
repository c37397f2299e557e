//! The day-0 section: the mapping of event instants to day 0 and, in big studies, status counts.

use std::collections::BTreeMap;

use super::push_truncated_preamble;
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::TABLE_MAX_ROWS;
use crate::tables::StudyTables;

/// The first `limit` rows of the day-0 mapping as a table.
fn day0_table(tables: &StudyTables, limit: usize) -> Table {
    Table {
        header: [
            "event",
            "security",
            "exchange",
            "event instant (UTC)",
            "event instant (local)",
            "day 0",
            "shift (days)",
            "shift (sessions)",
            "status",
        ]
        .map(String::from)
        .to_vec(),
        rows: tables
            .day0
            .iter()
            .take(limit)
            .map(|r| {
                vec![
                    Cell::text(r.event_id.clone()),
                    Cell::text(r.security.clone()),
                    Cell::text(r.exchange.clone()),
                    Cell::text(r.event_instant_utc.clone()),
                    Cell::text(r.event_instant_local.clone()),
                    Cell::text(
                        r.day0
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default(),
                    ),
                    Cell::num(r.shift_days.map(|v| v.to_string()).unwrap_or_default()),
                    Cell::num(r.shift_sessions.map(|v| v.to_string()).unwrap_or_default()),
                    Cell::text(r.status.clone()),
                ]
            })
            .collect(),
    }
}

/// Day-0 rows counted by status (status name order).
fn day0_status_counts(tables: &StudyTables) -> Table {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &tables.day0 {
        *counts.entry(r.status.as_str()).or_insert(0) += 1;
    }
    let shifted = tables
        .day0
        .iter()
        .filter(|r| r.shift_days.unwrap_or(0) > 0)
        .count();
    let mut rows: Vec<Vec<Cell>> = counts
        .into_iter()
        .map(|(status, n)| {
            vec![
                Cell::text(format!("status {status}")),
                Cell::num(n.to_string()),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::text("day 0 after the announcement date"),
        Cell::num(shifted.to_string()),
    ]);
    Table {
        header: ["day-0 mappings", "rows"].map(String::from).to_vec(),
        rows,
    }
}

/// The day-0 section: the first [`TABLE_MAX_ROWS`] mappings, after the status counts when there
/// are more; a note when the outputs have no mapping.
pub(crate) fn day0_section(tables: &StudyTables) -> Vec<Block> {
    let mut blocks = vec![section_heading("Day-0 mapping", "day0")];
    if tables.day0.is_empty() {
        blocks.push(Block::Para(
            "Not available (no day-0 mapping in these outputs).".to_string(),
        ));
        return blocks;
    }
    push_truncated_preamble(
        &mut blocks,
        tables.day0.len(),
        None,
        || day0_status_counts(tables),
        "day-0 mappings",
        "day0_mapping",
    );
    blocks.push(Block::Table(day0_table(tables, TABLE_MAX_ROWS)));
    blocks
}
