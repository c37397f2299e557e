//! The CAR-regressions section: one coefficient table per declared cross-sectional regression
//! (methodology §7.6), with stars, coefficients of returns in percent.

use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::{fmt_num, fmt_opt};
use crate::tables::{CarRegressionRow, StudyTables};

/// A coefficient or standard error as shown: in percent of CAR per unit of the regressor,
/// except for a `car:` regressor, whose coefficient is CAR per unit of CAR (a plain number).
fn shown(term: &str, x: Option<f64>) -> String {
    let scale = if term.starts_with("car:") { 1.0 } else { 100.0 };
    x.map(|v| fmt_num(scale * v)).unwrap_or_default()
}

/// The coefficient table of one regression.
fn coefficient_table(rows: &[&CarRegressionRow]) -> Table {
    Table {
        header: ["term", "base", "estimate", "t (p)", "robust SE"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(r.term.clone()),
                    Cell::text(r.base.clone()),
                    Cell::num(shown(&r.term, r.estimate)),
                    Cell::stat_p(r.t, r.p),
                    Cell::num(shown(&r.term, r.se)),
                ]
            })
            .collect(),
    }
}

/// The heading of a regression: its name, dependent CAR and sample.
fn regression_heading(r: &CarRegressionRow) -> Block {
    Block::Heading(
        3,
        format!("{}: CAR({}) of {}", r.name, r.window, r.group),
        None,
    )
}

/// The line above a regression's table: size, errors, fit.
fn regression_line(r: &CarRegressionRow) -> String {
    let errors = match r.n_clusters {
        Some(g) => format!("{} clustered by {} ({g} clusters)", r.se_kind, r.cluster),
        None if r.se_kind == "CR1" => format!("{} clustered by {}", r.se_kind, r.cluster),
        None => r.se_kind.clone(),
    };
    let mut line = format!(
        "{} coefficient(s); n = {}, {} left out; standard errors {errors}; R² = {}, adjusted \
         R² = {}.",
        r.k,
        r.n,
        r.n_excluded,
        fmt_opt(r.r2),
        fmt_opt(r.adj_r2)
    );
    if !r.note.is_empty() {
        line.push_str(&format!(" Note: {}.", r.note));
    }
    line
}

/// The CAR-regressions section; empty when the study declares no regression.
pub(crate) fn car_regression_section(tables: &StudyTables) -> Vec<Block> {
    let rows = &tables.car_regression;
    if rows.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![
        section_heading("CAR regressions", "car-regressions"),
        Block::Para(
            "Cross-sectional OLS of each pair's CAR over the window on the declared regressors \
             (methodology §7.6). Estimates and robust standard errors in percent of CAR per unit \
             of the regressor (a dummy: the difference from the base level); the coefficient of \
             a `car:` regressor is a plain number. Stars: * p < 0.10, ** p < 0.05, *** p < 0.01. \
             Also in `car_regression.csv`."
                .to_string(),
        ),
    ];
    let mut start = 0;
    while start < rows.len() {
        let end = start
            + rows[start..]
                .iter()
                .take_while(|r| r.name == rows[start].name)
                .count();
        let group: Vec<&CarRegressionRow> = rows[start..end].iter().collect();
        blocks.push(regression_heading(group[0]));
        blocks.push(Block::Para(regression_line(group[0])));
        if !group[0].term.is_empty() {
            blocks.push(Block::Table(coefficient_table(&group)));
        }
        start = end;
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(term: &str, estimate: Option<f64>, p: Option<f64>) -> CarRegressionRow {
        CarRegressionRow {
            name: "r".into(),
            window: "0:5".into(),
            group: "all_pairs".into(),
            term: term.into(),
            base: if term.contains('=') { "XHKG" } else { "" }.into(),
            estimate,
            se: estimate.map(|e| e / 2.0),
            t: estimate.map(|_| 2.0),
            p,
            df: Some(11.0),
            se_kind: "CR1".into(),
            cluster: "event_date".into(),
            n: 40,
            k: 3,
            n_clusters: Some(12),
            n_excluded: 1,
            r2: Some(0.25),
            adj_r2: Some(0.2),
            note: String::new(),
        }
    }

    #[test]
    fn coefficients_in_percent_with_stars_and_failures_as_notes() {
        let mut failed = row("", None, None);
        failed.name = "f".into();
        failed.note = "too few observations".into();
        let tables = StudyTables {
            car_regression: vec![
                row("intercept", Some(0.012), Some(0.03)),
                row("exchange=XSHG", Some(-0.004), Some(0.2)),
                row("car:-5:-1", Some(0.5), Some(0.004)),
                failed,
            ],
            ..StudyTables::default()
        };
        let blocks = car_regression_section(&tables);
        assert_eq!(blocks.len(), 7);
        let Block::Heading(3, title, None) = &blocks[2] else {
            panic!("a heading")
        };
        assert_eq!(title, "r: CAR(0:5) of all_pairs");
        let Block::Table(t) = &blocks[4] else {
            panic!("a table")
        };
        let cells: Vec<Vec<&str>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.markdown.as_str()).collect())
            .collect();
        assert_eq!(
            cells[0],
            ["intercept", "", "1.200", "2.000** (0.03000)", "0.6000"]
        );
        assert_eq!(cells[1][..3], ["exchange=XSHG", "XHKG", "-0.4000"]);
        assert_eq!(cells[2][2..], ["0.5000", "2.000*** (0.004000)", "0.2500"]);
        let Block::Para(last) = &blocks[6] else {
            panic!("a paragraph")
        };
        assert!(last.contains("too few observations"), "{last}");
        assert!(car_regression_section(&StudyTables::default()).is_empty());
    }
}
