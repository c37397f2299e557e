//! The summary section: counts of events, portfolios, groups, windows and exclusions.

use std::collections::BTreeSet;

use super::distinct;
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::PORTFOLIO;
use crate::tables::{Stage, StudyTables};

fn summary_block(tables: &StudyTables, windows: &[String], groups: &[String]) -> Table {
    let is_pf = |s: &str| s == PORTFOLIO;
    let events = tables
        .model_fits
        .iter()
        .filter(|r| !is_pf(&r.security))
        .count();
    let portfolios = tables
        .model_fits
        .iter()
        .filter(|r| is_pf(&r.security))
        .count();
    let models = distinct(tables.model_fits.iter().map(|r| r.model.as_str()));
    let days: BTreeSet<i32> = tables.abnormal_returns.iter().map(|r| r.rel_day).collect();
    let period = match (days.first(), days.last()) {
        (Some(a), Some(b)) => format!("[{a}, {b}] ({} days)", days.len()),
        _ => "—".to_string(),
    };
    let mut by_stage = Vec::new();
    for stage in [
        Stage::Input,
        Stage::Day0,
        Stage::Estimation,
        Stage::EventDay,
        Stage::Car,
        Stage::Portfolio,
    ] {
        let n = tables
            .exclusions
            .iter()
            .filter(|r| r.stage == stage)
            .count();
        if n > 0 {
            by_stage.push(format!("{} {n}", stage.as_str()));
        }
    }
    let dropped: BTreeSet<(&str, &str)> = tables
        .exclusions
        .iter()
        .filter(|r| {
            !r.event_id.is_empty()
                && matches!(r.stage, Stage::Input | Stage::Day0 | Stage::Estimation)
        })
        .map(|r| (r.event_id.as_str(), r.security.as_str()))
        .collect();
    let shifted = tables
        .day0
        .iter()
        .filter(|r| r.shift_days.unwrap_or(0) > 0)
        .count();
    let incomplete = tables.cars.iter().filter(|r| r.car.is_none()).count();
    let mut rows = vec![
        (
            "events analysed (event–security pairs with a model fit)",
            events.to_string(),
        ),
        (
            "events excluded before the analysis",
            dropped.len().to_string(),
        ),
        ("same-date portfolios", portfolios.to_string()),
        (
            "groups",
            if groups.is_empty() {
                "—".to_string()
            } else {
                groups.join(", ")
            },
        ),
        (
            "model",
            if models.is_empty() {
                "—".to_string()
            } else {
                models.join(", ")
            },
        ),
        ("event period H (relative days)", period),
        (
            "event windows",
            if windows.is_empty() {
                "—".to_string()
            } else {
                windows.join(", ")
            },
        ),
        ("incomplete CARs (NA)", incomplete.to_string()),
        (
            "exclusion rows",
            if by_stage.is_empty() {
                "0".to_string()
            } else {
                format!("{} ({})", tables.exclusions.len(), by_stage.join(", "))
            },
        ),
    ];
    if !tables.day0.is_empty() {
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
