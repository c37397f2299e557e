//! The tests section: per group and scope, tests × days or windows with stars and p-values.

use std::collections::HashMap;

use super::portfolios::portfolio_blocks;
use super::{distinct, distinct_keys};
use crate::report::document::{balanced_chunks, section_heading, Block, Cell, Table};
use crate::report::format::fmt_count;
use crate::report::MAX_GROUPS_SHOWN;
use crate::stats::TestKind;
use crate::tables::{StudyTables, TestRow};

/// Pivot tables of the tests of one group and scope: rows = tests, columns = days or windows,
/// at most `chunk` columns per table.
fn pivot_tests(
    rows: &[&TestRow],
    keys: &[(Option<i32>, Option<String>)],
    chunk: usize,
    key_label: &dyn Fn(&(Option<i32>, Option<String>)) -> String,
) -> Vec<Table> {
    let tests: Vec<String> = {
        let mut t = distinct(rows.iter().map(|r| r.test.as_str()));
        t.sort_by_key(|name| {
            name.parse::<TestKind>()
                .map_or(TestKind::ALL.len(), TestKind::position)
        });
        t
    };
    // First row of each (test, day, window) and of each (day, window): hashed lookups.
    let mut by_key: HashMap<(&str, Option<i32>, Option<&str>), &TestRow> = HashMap::new();
    let mut n_of: HashMap<(Option<i32>, Option<&str>), u32> = HashMap::new();
    for r in rows {
        by_key
            .entry((r.test.as_str(), r.rel_day, r.window.as_deref()))
            .or_insert(r);
        n_of.entry((r.rel_day, r.window.as_deref())).or_insert(r.n);
    }
    let mut out = Vec::new();
    for cols in balanced_chunks(keys, chunk) {
        let mut header = vec!["test".to_string()];
        header.extend(cols.iter().map(key_label));
        let mut body = Vec::new();
        for t in &tests {
            let mut line = vec![Cell::text(t.clone())];
            for k in cols {
                let found = by_key.get(&(t.as_str(), k.0, k.1.as_deref())).copied();
                line.push(Cell::stat(found));
            }
            body.push(line);
        }
        let mut n_line = vec![Cell::text("n")];
        for k in cols {
            let n = n_of
                .get(&(k.0, k.1.as_deref()))
                .map(|n| n.to_string())
                .unwrap_or_default();
            n_line.push(Cell::num(n));
        }
        body.push(n_line);
        out.push(Table { header, rows: body });
    }
    out
}

/// The test tables of the first [`MAX_GROUPS_SHOWN`] groups with tests, after a note on how to
/// read a cell.
fn test_blocks(tables: &StudyTables, groups: &[String]) -> Vec<Block> {
    let mut blocks = vec![Block::Para(
        "Each cell: test statistic with significance stars (*** p < 0.01, ** p < 0.05, * p < 0.1) \
         and its two-sided p-value. The last row gives n, the size of the test set."
            .to_string(),
    )];
    if tables.tests.is_empty() {
        blocks.push(Block::Para("No test results.".to_string()));
        return blocks;
    }
    let mut by_group: HashMap<&str, Vec<&TestRow>> = HashMap::new();
    for r in &tables.tests {
        by_group.entry(r.group.as_str()).or_default().push(r);
    }
    let with_tests: Vec<&String> = groups
        .iter()
        .filter(|g| by_group.contains_key(g.as_str()))
        .collect();
    if with_tests.len() > MAX_GROUPS_SHOWN {
        blocks.push(Block::Para(format!(
            "Showing the tests of the first {} of {} groups; every test is in tests.csv (and \
             tests.parquet when Parquet output is written).",
            MAX_GROUPS_SHOWN,
            fmt_count(with_tests.len())
        )));
    }
    for g in with_tests.into_iter().take(MAX_GROUPS_SHOWN) {
        let Some(in_group) = by_group.get(g.as_str()) else {
            continue;
        };
        blocks.extend(scope_blocks(g, in_group));
        let pf: Vec<&TestRow> = in_group
            .iter()
            .copied()
            .filter(|r| r.cluster.is_some())
            .collect();
        if !pf.is_empty() {
            blocks.push(Block::Heading(
                3,
                format!("Group {g} — same-date portfolios (portfolio_t)"),
                None,
            ));
            blocks.extend(portfolio_blocks(&pf));
        }
    }
    blocks
}

/// The tables of one group's pair tests, per scope (day, CAR, BHAR): a heading and the
/// tests × days or windows pivots, at most 8 columns each.
fn scope_blocks(g: &str, in_group: &[&TestRow]) -> Vec<Block> {
    let mut blocks = Vec::new();
    for (scope, title) in [
        ("day", "daily abnormal returns (AAR)"),
        ("car", "cumulative abnormal returns (CAAR)"),
        ("bhar", "buy-and-hold abnormal returns"),
    ] {
        let rows: Vec<&TestRow> = in_group
            .iter()
            .copied()
            .filter(|r| r.scope == scope && r.cluster.is_none())
            .collect();
        if rows.is_empty() {
            continue;
        }
        let keys: Vec<(Option<i32>, Option<String>)> =
            distinct_keys(rows.iter().map(|r| (r.rel_day, r.window.clone())));
        blocks.push(Block::Heading(3, format!("Group {g} — {title}"), None));
        let label = |k: &(Option<i32>, Option<String>)| match (k.0, &k.1) {
            (Some(d), _) => format!("day {d}"),
            (None, Some(w)) => format!("window {w}"),
            _ => String::new(),
        };
        for t in pivot_tests(&rows, &keys, 8, &label) {
            blocks.push(Block::Table(t));
        }
    }
    blocks
}

/// The tests section: the test tables of the first groups.
pub(crate) fn tests_section(tables: &StudyTables, groups: &[String]) -> Vec<Block> {
    let mut blocks = vec![section_heading("Tests", "tests")];
    blocks.extend(test_blocks(tables, groups));
    blocks
}
