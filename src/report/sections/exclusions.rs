//! The exclusions section: the excluded rows and, in big studies, counts by stage and reason.

use std::collections::BTreeMap;

use crate::report::document::{Cell, Table};
use crate::tables::{Stage, StudyTables};

/// The first `limit` exclusion rows as a table.
pub(crate) fn exclusion_table(tables: &StudyTables, limit: usize) -> Table {
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
                    Cell::text(r.reason.clone()),
                    Cell::text(r.detail.clone()),
                ]
            })
            .collect(),
    }
}

/// Exclusion rows counted by stage and reason (stage order, then reason name).
pub(crate) fn exclusion_counts(tables: &StudyTables) -> Table {
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
