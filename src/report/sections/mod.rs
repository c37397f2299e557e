//! The sections of the report, one file each, and the lookups they share.

mod aggregate;
mod car_regression;
mod charts;
mod configuration;
mod day0;
mod differences;
mod events;
mod exclusions;
mod headline;
mod model_fits;
mod multiple_testing;
mod overview;
mod portfolios;
mod summary;
mod test_tables;
mod truncation;
mod variance_ratio;
mod volume;

use std::collections::{BTreeSet, HashSet};
use std::hash::Hash;

use crate::tables::StudyTables;

pub(crate) use self::aggregate::aggregate_section;
pub(crate) use self::car_regression::car_regression_section;
pub(crate) use self::charts::{chart_section, Charts};
pub(crate) use self::configuration::configuration_section;
pub(crate) use self::day0::day0_section;
pub(crate) use self::differences::differences_section;
pub(crate) use self::events::event_sections;
pub(crate) use self::exclusions::exclusion_section;
pub(crate) use self::headline::{headline_section, headline_tests_section};
pub(crate) use self::model_fits::model_fit_section;
pub(crate) use self::multiple_testing::multiple_testing_section;
pub(crate) use self::overview::overview_paragraph;
pub(crate) use self::summary::summary_section;
pub(crate) use self::test_tables::tests_section;
use self::truncation::push_truncated_preamble;
pub(crate) use self::variance_ratio::variance_ratio_section;
pub(crate) use self::volume::volume_section;

/// Distinct values in first-appearance order (linear time).
pub(crate) fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for s in items {
        if seen.insert(s) {
            out.push(s.to_string());
        }
    }
    out
}

/// Distinct values in first-appearance order (linear time), for any hashable key.
pub(crate) fn distinct_keys<K: Clone + Eq + Hash>(items: impl Iterator<Item = K>) -> Vec<K> {
    let mut seen: HashSet<K> = HashSet::new();
    let mut out: Vec<K> = Vec::new();
    for k in items {
        if seen.insert(k.clone()) {
            out.push(k);
        }
    }
    out
}

/// The event windows in configuration order (as the sorted tables list them).
pub(crate) fn window_order(tables: &StudyTables) -> Vec<String> {
    let mut order = distinct(
        tables
            .aggregate
            .iter()
            .filter(|r| r.metric == "car")
            .filter_map(|r| r.window.as_deref()),
    );
    for w in distinct(tables.cars.iter().map(|r| r.window.as_str())) {
        if !order.contains(&w) {
            order.push(w);
        }
    }
    order
}

pub(crate) fn groups_of(tables: &StudyTables) -> Vec<String> {
    let made = tables
        .abnormal_returns_made
        .as_ref()
        .map(|m| m.groups())
        .unwrap_or_default();
    let set: BTreeSet<&str> = tables
        .aggregate
        .iter()
        .map(|r| r.group.as_str())
        .chain(tables.abnormal_returns.iter().map(|r| r.group.as_str()))
        .chain(made.iter().map(String::as_str))
        .chain(tables.tests.iter().map(|r| r.group.as_str()))
        .collect();
    set.into_iter().map(String::from).collect()
}
