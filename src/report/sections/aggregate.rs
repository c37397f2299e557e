//! The aggregate section: AAR per day, CAAR and ABHAR per window.

use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_pct;
use crate::tables::{AggregateRow, StudyTables};

/// The aggregate rows as one table (AAR, CAAR, ABHAR).
fn aggregate_table(rows: &[AggregateRow]) -> Table {
    Table {
        header: [
            "group",
            "metric",
            "day / window",
            "n",
            "mean (%)",
            "median (%)",
            "share > 0 (%)",
            "sd (%)",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                let key = match (r.rel_day, &r.window) {
                    (Some(d), _) => d.to_string(),
                    (None, Some(w)) => w.clone(),
                    _ => String::new(),
                };
                let metric = match r.metric.as_str() {
                    "ar" => "AAR",
                    "car" => "CAAR",
                    "bhar" => "ABHAR",
                    other => other,
                };
                vec![
                    Cell::text(r.group.clone()),
                    Cell::text(metric),
                    Cell::num(key),
                    Cell::num(r.n.to_string()),
                    Cell::num(fmt_pct(r.mean)),
                    Cell::num(fmt_pct(r.median)),
                    Cell::num(fmt_pct(r.share_positive)),
                    Cell::num(fmt_pct(r.sd)),
                ]
            })
            .collect(),
    }
}

/// The aggregate section: a note on the means, then every aggregate row.
pub(crate) fn aggregate_section(tables: &StudyTables) -> Vec<Block> {
    vec![
        section_heading("Aggregate abnormal returns", "aggregate"),
        Block::Para(
            "AAR per day; CAAR and ABHAR per window are means over the events with a complete \
             window (methodology §5.5), in percent. share > 0: share of strictly positive values; sd with \
             divisor n − 1."
                .to_string(),
        ),
        Block::Table(aggregate_table(&tables.aggregate)),
    ]
}
