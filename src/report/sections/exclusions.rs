//! The exclusions section: the excluded rows and, in big studies, counts by stage and reason.

use std::collections::BTreeMap;

use super::push_truncated_preamble;
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_count;
use crate::report::TABLE_MAX_ROWS;
use crate::tables::{Stage, StudyTables};

/// The first `limit` exclusion rows as a table.
fn exclusion_table(tables: &StudyTables, limit: usize) -> Table {
    Table {
        header: ["event", "security", "stage", "reason", "detail"]
            .map(String::from)
            .to_vec(),
        rows: tables
            .exclusions
            .iter()
            .take(limit)
            .map(|r| {
                vec![
                    Cell::text(if r.event_id.is_empty() {
                        "—".to_string()
                    } else {
                        r.event_id.clone()
                    }),
                    Cell::text(r.security.clone()),
                    Cell::text(r.stage.as_str()),
                    Cell::text(r.reason.as_str()),
                    Cell::text(r.detail.clone()),
                ]
            })
            .collect(),
    }
}

/// Exclusion rows counted by stage and reason (stage order, then reason name).
fn exclusion_counts(tables: &StudyTables) -> Table {
    let mut counts: BTreeMap<(Stage, &str), usize> = BTreeMap::new();
    for r in &tables.exclusions {
        *counts.entry((r.stage, r.reason.as_str())).or_insert(0) += 1;
    }
    Table {
        header: ["stage", "reason", "rows"].map(String::from).to_vec(),
        rows: counts
            .into_iter()
            .map(|((stage, reason), n)| {
                vec![
                    Cell::text(stage.as_str()),
                    Cell::text(reason),
                    Cell::num(n.to_string()),
                ]
            })
            .collect(),
    }
}

/// The exclusions section: the first [`TABLE_MAX_ROWS`] exclusion rows, after the counts by
/// stage and reason when there are more.
pub(crate) fn exclusion_section(tables: &StudyTables) -> Vec<Block> {
    let mut blocks = vec![section_heading("Exclusions", "exclusions")];
    if tables.exclusions.is_empty() {
        blocks.push(Block::Para("Nothing was excluded.".to_string()));
        return blocks;
    }
    push_truncated_preamble(
        &mut blocks,
        tables.exclusions.len(),
        Some(format!(
            "All {} exclusion rows by stage and reason:",
            fmt_count(tables.exclusions.len())
        )),
        || exclusion_counts(tables),
        "exclusion rows",
        "exclusions",
    );
    blocks.push(Block::Table(exclusion_table(tables, TABLE_MAX_ROWS)));
    blocks
}
