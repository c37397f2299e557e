//! The adjusted p-values section (`[multiple_testing]`, §8.9): the raw and adjusted p-values
//! of the headline tests (and of `wild_boot_t` when the bootstrap ran), window by window.

use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_num;
use crate::stats::{Scope, TestKind};
use crate::tables::{StudyTables, TestRow};

/// The tests listed: the three of the headline table and the wild cluster bootstrap.
const LISTED: [TestKind; 4] = [
    TestKind::CsectT,
    TestKind::AdjBmpT,
    TestKind::GrankT,
    TestKind::WildBootT,
];

/// A p-value cell, empty when missing.
fn p_cell(p: Option<f64>) -> Cell {
    Cell::num(p.map(fmt_num).unwrap_or_default())
}

/// The adjusted p-value of `row` in column `name`, if the column exists.
fn extra(row: &TestRow, name: &str) -> Option<f64> {
    row.extras
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| *v)
}

/// The section; empty when the `tests` table has no adjusted p-value columns.
pub(crate) fn multiple_testing_section(tables: &StudyTables) -> Vec<Block> {
    let Some(first) = tables.tests.iter().find(|r| !r.extras.is_empty()) else {
        return Vec::new();
    };
    let columns: Vec<String> = first.extras.iter().map(|(n, _)| n.clone()).collect();
    let mut header: Vec<String> = ["group", "window", "test", "statistic", "p"]
        .map(String::from)
        .to_vec();
    header.extend(columns.iter().cloned());
    let rows = tables
        .tests
        .iter()
        .filter(|r| r.scope == Scope::Car && r.cluster.is_none() && LISTED.contains(&r.test))
        .map(|r| {
            let mut cells = vec![
                Cell::text(r.group.clone()),
                Cell::num(r.window.clone().unwrap_or_default()),
                Cell::text(r.test.as_str().to_string()),
                Cell::num(r.statistic.map(fmt_num).unwrap_or_default()),
                p_cell(r.p_value),
            ];
            cells.extend(columns.iter().map(|c| p_cell(extra(r, c))));
            cells
        })
        .collect();
    vec![
        section_heading("Adjusted p-values", "multiple-testing"),
        Block::Para(
            "Two-sided p-values of the CAR tests of each group and window with their \
             multiple-testing adjustments (methodology §8.9): `p_holm` controls the \
             family-wise error rate (Holm 1979), `p_bh` the false discovery rate (Benjamini & \
             Hochberg 1995). The family is set by `[multiple_testing] family`; every adjusted \
             p-value of the `tests` table is in `tests.csv`."
                .to_string(),
        ),
        Block::Table(Table { header, rows }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(test: TestKind, p: f64, extras: Vec<(String, Option<f64>)>) -> TestRow {
        TestRow {
            group: "all".into(),
            scope: Scope::Car,
            window: Some("-1:1".into()),
            rel_day: None,
            test,
            statistic: Some(2.0),
            p_value: Some(p),
            df: None,
            n: 9,
            cluster: None,
            extras,
        }
    }

    #[test]
    fn lists_headline_tests_with_their_adjusted_columns() {
        let mut t = StudyTables::default();
        t.tests.push(row(TestKind::CsectT, 0.01, Vec::new()));
        assert!(multiple_testing_section(&t).is_empty());
        let e = |h: f64, b: f64| vec![("p_bh".into(), Some(b)), ("p_holm".into(), Some(h))];
        t.tests = vec![
            row(TestKind::CsectT, 0.01, e(0.03, 0.02)),
            row(TestKind::PatellZ, 0.02, e(0.04, 0.02)),
            row(TestKind::WildBootT, 0.2, e(0.6, 0.3)),
        ];
        let blocks = multiple_testing_section(&t);
        let Block::Table(table) = &blocks[2] else {
            panic!("no table")
        };
        assert_eq!(
            table.header[5..],
            ["p_bh".to_string(), "p_holm".to_string()]
        );
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0][6].markdown, fmt_num(0.03));
        assert_eq!(table.rows[1][2].markdown, "wild_boot_t");
    }
}
