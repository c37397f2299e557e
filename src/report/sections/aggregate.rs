//! The aggregate section: AAR per day, CAAR and ABHAR per window.

use crate::report::document::{Cell, Table};
use crate::report::format::fmt_opt;
use crate::tables::AggregateRow;

/// The aggregate rows as one table (AAR, CAAR, ABHAR).
pub(crate) fn aggregate_table(rows: &[AggregateRow]) -> Table {
    Table {
        header: [
            "group",
            "metric",
            "day / window",
            "n",
            "mean",
            "median",
            "share > 0",
            "sd",
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
                    Cell::num(fmt_opt(r.mean)),
                    Cell::num(fmt_opt(r.median)),
                    Cell::num(fmt_opt(r.share_positive)),
                    Cell::num(fmt_opt(r.sd)),
                ]
            })
            .collect(),
    }
}
