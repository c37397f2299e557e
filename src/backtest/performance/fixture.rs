//! The reference fixtures of `tests/fixtures/backtest/` (written by `make_fixtures.py` with
//! numpy and statsmodels), read for the tests of the performance metrics and the alpha
//! regression.

use chrono::NaiveDate;
use std::path::PathBuf;

/// A small comma-separated file without quoting: a header and rows of text cells.
pub(crate) struct Csv {
    header: Vec<String>,
    /// The data rows, one vector of cells each.
    pub(crate) rows: Vec<Vec<String>>,
}

impl Csv {
    /// Reads `tests/fixtures/backtest/<name>`.
    pub(crate) fn read(name: &str) -> Csv {
        let path: PathBuf = [
            env!("CARGO_MANIFEST_DIR"),
            "tests",
            "fixtures",
            "backtest",
            name,
        ]
        .iter()
        .collect();
        let text = std::fs::read_to_string(&path).expect("fixture file");
        let mut lines = text
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect());
        let header: Vec<String> = lines.next().expect("fixture header");
        Csv {
            header,
            rows: lines.collect(),
        }
    }

    /// Index of a column by name.
    pub(crate) fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("fixture column {name}"))
    }

    /// A column as numbers (`NaN` cells included).
    pub(crate) fn f64s(&self, name: &str) -> Vec<f64> {
        let c = self.col(name);
        self.rows
            .iter()
            .map(|r| number(&r[c]).expect("number"))
            .collect()
    }

    /// A column as dates.
    pub(crate) fn dates(&self, name: &str) -> Vec<NaiveDate> {
        let c = self.col(name);
        self.rows
            .iter()
            .map(|r| r[c].parse().expect("date"))
            .collect()
    }

    /// One cell of `row` as a number, `None` when empty.
    pub(crate) fn cell(&self, row: &[String], name: &str) -> Option<f64> {
        number(&row[self.col(name)])
    }

    /// One cell of `row` as text.
    pub(crate) fn text<'r>(&self, row: &'r [String], name: &str) -> &'r str {
        &row[self.col(name)]
    }
}

fn number(cell: &str) -> Option<f64> {
    (!cell.is_empty()).then(|| cell.parse().expect("numeric cell"))
}
