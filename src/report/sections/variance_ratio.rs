//! The event-induced volatility section: the `variance_ratio` table (methodology §7.7).

use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_num;
use crate::tables::{StudyTables, VarianceRatioRow};

/// A number, empty when missing.
fn num(x: Option<f64>) -> String {
    x.map(fmt_num).unwrap_or_default()
}

/// The variance-ratio rows as one table.
fn variance_ratio_table(rows: &[VarianceRatioRow]) -> Table {
    Table {
        header: ["group", "window", "n", "variance ratio", "χ²", "df"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(r.group.clone()),
                    Cell::num(r.window.clone()),
                    Cell::num(r.n.to_string()),
                    Cell::num(num(r.ratio)),
                    Cell::stat_p(r.statistic, r.p_value),
                    Cell::num(r.df.map(|d| format!("{d:.0}")).unwrap_or_default()),
                ]
            })
            .collect(),
    }
}

/// The event-induced volatility section; empty when the study does not ask for the
/// `variance_ratio` table.
pub(crate) fn variance_ratio_section(tables: &StudyTables) -> Vec<Block> {
    if tables.variance_ratio.is_empty() {
        return Vec::new();
    }
    vec![
        section_heading("Event-induced volatility", "variance-ratio"),
        Block::Para(
            "Cross-sectional variance of the standardized CARs over its value without an event \
             (the mean of ν/(ν − 2)): a ratio above 1 is event-induced variance. χ² = (n − 1) · \
             ratio on n − 1 degrees of freedom, one-sided p-value (variance increase) below \
             the statistic (methodology §7.7). Also in `variance_ratio.csv`."
                .to_string(),
        ),
        Block::Table(variance_ratio_table(&tables.variance_ratio)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_ratio_table_cells() {
        let row = VarianceRatioRow {
            group: "all".into(),
            window: "0:5".into(),
            n: 12,
            ratio: Some(2.5),
            statistic: Some(27.5),
            df: Some(11.0),
            p_value: Some(0.004),
        };
        let t = variance_ratio_table(&[row]);
        let cells: Vec<&str> = t.rows[0].iter().map(|c| c.markdown.as_str()).collect();
        assert_eq!(
            cells,
            ["all", "0:5", "12", "2.500", "27.50*** (0.004000)", "11"]
        );
        assert!(variance_ratio_section(&StudyTables::default()).is_empty());
    }
}
