//! The summary section: counts of events, portfolios, groups, windows and exclusions.

use std::collections::{BTreeMap, BTreeSet};

use super::distinct;
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::PORTFOLIO;
use crate::tables::{Stage, StudyTables};

/// The summary table: one `quantity | value` row per count.
fn summary_block(tables: &StudyTables, windows: &[String], groups: &[String]) -> Table {
    let events = tables
        .model_fits
        .iter()
        .filter(|r| r.security != PORTFOLIO)
        .count();
    let portfolios = tables.model_fits.len() - events;
    let models = distinct(tables.model_fits.iter().map(|r| r.model.as_str()));
    let incomplete = tables.cars.iter().filter(|r| r.car.is_none()).count();
    let mut rows = vec![
        (
            "events analysed (event–security pairs with a model fit)",
            events.to_string(),
        ),
        (
            "events excluded before the analysis",
            events_dropped(tables).to_string(),
        ),
        ("same-date portfolios", portfolios.to_string()),
        ("groups", list_or_dash(groups)),
        ("model", list_or_dash(&models)),
        ("event period H (relative days)", event_period(tables)),
        ("event windows", list_or_dash(windows)),
        ("incomplete CARs (NA)", incomplete.to_string()),
        ("exclusion rows", exclusion_rows(tables)),
    ];
    if !tables.day0.is_empty() {
        let shifted = tables
            .day0
            .iter()
            .filter(|r| r.shift_days.unwrap_or(0) > 0)
            .count();
        rows.push((
            "events whose day 0 is after the announcement date",
            shifted.to_string(),
        ));
    }
    Table {
        header: vec!["quantity".into(), "value".into()],
        rows: rows
            .into_iter()
            .map(|(k, v)| vec![Cell::text(k), Cell::text(v)])
            .collect(),
    }
}

/// The items joined by `, `, or `—` when there are none.
fn list_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        items.join(", ")
    }
}

/// The event period H as `[first, last] (n days)` of the relative days with an abnormal return.
fn event_period(tables: &StudyTables) -> String {
    let days: BTreeSet<i32> = match &tables.abnormal_returns_made {
        Some(made) => made.rel_days(),
        None => tables.abnormal_returns.iter().map(|r| r.rel_day).collect(),
    };
    match (days.first(), days.last()) {
        (Some(a), Some(b)) => format!("[{a}, {b}] ({} days)", days.len()),
        _ => "—".to_string(),
    }
}

/// Distinct event–security pairs excluded before the analysis (input, day-0 or estimation
/// stage).
fn events_dropped(tables: &StudyTables) -> usize {
    let dropped: BTreeSet<(&str, &str)> = tables
        .exclusions
        .iter()
        .filter(|r| {
            !r.event_id.is_empty()
                && matches!(r.stage, Stage::Input | Stage::Day0 | Stage::Estimation)
        })
        .map(|r| (r.event_id.as_str(), r.security.as_str()))
        .collect();
    dropped.len()
}

/// The number of exclusion rows with the count of each stage that has any, in the order of
/// [`Stage`]: `12 (input 2, car 10)`.
fn exclusion_rows(tables: &StudyTables) -> String {
    let mut counts: BTreeMap<Stage, usize> = BTreeMap::new();
    for r in &tables.exclusions {
        *counts.entry(r.stage).or_insert(0) += 1;
    }
    let by_stage: Vec<String> = counts
        .into_iter()
        .map(|(stage, n)| format!("{} {n}", stage.as_str()))
        .collect();
    if by_stage.is_empty() {
        "0".to_string()
    } else {
        format!("{} ({})", tables.exclusions.len(), by_stage.join(", "))
    }
}

/// The summary section: one table of counts over the whole study.
pub(crate) fn summary_section(
    tables: &StudyTables,
    windows: &[String],
    groups: &[String],
) -> Vec<Block> {
    vec![
        section_heading("Summary", "summary"),
        Block::Table(summary_block(tables, windows, groups)),
    ]
}
