//! The headline section: the `headline` table (one row per group × event window) on the
//! first screen, returns in percent.

use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_num;
use crate::tables::{HeadlineRow, StudyTables};

/// A fraction written in percent (`0.0123` → `1.230`), empty when missing.
fn percent(x: Option<f64>) -> String {
    x.map(|v| fmt_num(100.0 * v)).unwrap_or_default()
}

/// The headline rows as one table: n, CAAR (%), the three tests with stars and p-values,
/// the share of positive CARs (%).
fn headline_table(rows: &[HeadlineRow]) -> Table {
    Table {
        header: [
            "group",
            "window",
            "n",
            "CAAR (%)",
            "cross-sectional t",
            "adj. BMP t",
            "GRANK t",
            "CAR > 0 (%)",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(r.group.clone()),
                    Cell::num(r.window.clone()),
                    Cell::num(r.n.to_string()),
                    Cell::num(percent(r.caar)),
                    Cell::stat_p(r.csect_t, r.csect_p),
                    Cell::stat_p(r.adj_bmp_t, r.adj_bmp_p),
                    Cell::stat_p(r.grank_t, r.grank_p),
                    Cell::num(percent(r.share_positive)),
                ]
            })
            .collect(),
    }
}

/// The headline section; empty when the tables have no headline rows (an output folder
/// written before the table existed).
pub(crate) fn headline_section(tables: &StudyTables) -> Vec<Block> {
    if tables.headline.is_empty() {
        return Vec::new();
    }
    vec![
        section_heading("Headline results", "headline"),
        Block::Para(
            "CAAR over each event window with the cross-sectional t (methodology §8.1), the \
             Kolari–Pynnönen adjusted BMP t (§8.6) and the generalized rank t (§9.5); p-values \
             below each statistic; * p < 0.1, ** p < 0.05, *** p < 0.01 (two-sided). Also in \
             `headline.csv`."
                .to_string(),
        ),
        Block::Table(headline_table(&tables.headline)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> HeadlineRow {
        HeadlineRow {
            group: "category:model_release".into(),
            window: "-1:1".into(),
            n: 29,
            caar: Some(0.0362),
            share_positive: Some(0.62),
            csect_t: Some(2.41),
            csect_p: Some(0.023),
            adj_bmp_t: Some(1.7),
            adj_bmp_p: Some(0.099),
            grank_t: None,
            grank_p: None,
        }
    }

    #[test]
    fn headline_table_is_in_percent_with_stars() {
        let t = headline_table(&[row()]);
        let cells: Vec<&str> = t.rows[0].iter().map(|c| c.markdown.as_str()).collect();
        assert_eq!(
            cells,
            [
                "category:model_release",
                "-1:1",
                "29",
                "3.620",
                "2.410** (0.02300)",
                "1.700* (0.09900)",
                "NA (NA)",
                "62.00"
            ]
        );
    }

    #[test]
    fn no_headline_rows_no_section() {
        assert!(headline_section(&StudyTables::default()).is_empty());
        let tables = StudyTables {
            headline: vec![row()],
            ..StudyTables::default()
        };
        assert_eq!(headline_section(&tables).len(), 3);
    }
}
