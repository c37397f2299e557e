//! The group-differences section: CAAR of group A minus CAAR of group B per window, with
//! Welch's t and the Mann–Whitney test (methodology §7.5), returns in percent.

use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_pct as percent;
use crate::tables::{DifferenceRow, StudyTables};

/// The difference rows as one table.
fn difference_table(rows: &[DifferenceRow]) -> Table {
    Table {
        header: [
            "group A",
            "group B",
            "window",
            "n A",
            "n B",
            "CAAR A (%)",
            "CAAR B (%)",
            "A − B (%)",
            "Welch t",
            "Mann–Whitney z",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(r.group_a.clone()),
                    Cell::text(r.group_b.clone()),
                    Cell::num(r.window.clone()),
                    Cell::num(r.n_a.to_string()),
                    Cell::num(r.n_b.to_string()),
                    Cell::num(percent(r.caar_a)),
                    Cell::num(percent(r.caar_b)),
                    Cell::num(percent(r.difference)),
                    Cell::stat_p(r.welch_t, r.welch_p),
                    Cell::stat_p(r.mann_whitney_z, r.mann_whitney_p),
                ]
            })
            .collect(),
    }
}

/// The group-differences section; empty when the study declares no pair of groups.
pub(crate) fn differences_section(tables: &StudyTables) -> Vec<Block> {
    if tables.differences.is_empty() {
        return Vec::new();
    }
    vec![
        section_heading("Group differences", "differences"),
        Block::Para(
            "CAAR of group A minus CAAR of group B over each window: Welch's unequal-variance t \
             with Welch–Satterthwaite degrees of freedom and the Mann–Whitney rank-sum z with \
             the tie correction (methodology §7.5); p-values below each statistic. Also in \
             `differences.csv`."
                .to_string(),
        ),
        Block::Table(difference_table(&tables.differences)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difference_table_is_in_percent() {
        let row = DifferenceRow {
            group_a: "a".into(),
            group_b: "b".into(),
            window: "0:5".into(),
            n_a: 3,
            n_b: 2,
            caar_a: Some(0.02),
            caar_b: Some(-0.005),
            difference: Some(0.025),
            welch_t: Some(-3.0),
            welch_df: Some(2.5),
            welch_p: Some(0.004),
            mann_whitney_u: Some(0.0),
            mann_whitney_z: None,
            mann_whitney_p: None,
        };
        let t = difference_table(&[row]);
        let cells: Vec<&str> = t.rows[0].iter().map(|c| c.markdown.as_str()).collect();
        assert_eq!(
            cells,
            [
                "a",
                "b",
                "0:5",
                "3",
                "2",
                "2.000",
                "-0.5000",
                "2.500",
                "-3.000*** (0.004000)",
                "NA (NA)"
            ]
        );
        assert!(differences_section(&StudyTables::default()).is_empty());
    }
}
