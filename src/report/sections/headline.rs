//! The headline section: the `headline` table (one row per group × event window) on the
//! first screen, returns in percent.

use std::collections::HashMap;

use super::distinct;
use crate::report::document::{hide_all_column, section_heading, Block, Cell, Table};
use crate::report::format::{fmt_num, fmt_pct as percent, stars};
use crate::report::significance::Significance;
use crate::tables::{HeadlineRow, StudyTables};
use crate::vocab::TestKind;

/// The headline rows as one table: n, CAAR (%), the three tests with stars and the p-values
/// they are marked by (raw or adjusted, `sig`), the share of positive CARs (%).
fn headline_table(rows: &[HeadlineRow], sig: &Significance) -> Table {
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
                    Cell::stat_p(r.csect_t, sig.p(r, TestKind::CsectT)),
                    Cell::stat_p(r.adj_bmp_t, sig.p(r, TestKind::AdjBmpT)),
                    Cell::stat_p(r.grank_t, sig.p(r, TestKind::GrankT)),
                    Cell::num(percent(r.share_positive)),
                ]
            })
            .collect(),
    }
}

/// The compact headline: one row per group, one column per window; each cell the CAAR in %
/// with the stars of the cross-sectional t (on the p-value `sig` marks by), and the t and n
/// below.
fn compact_table(rows: &[HeadlineRow], sig: &Significance) -> Table {
    let windows = distinct(rows.iter().map(|r| r.window.as_str()));
    let groups = distinct(rows.iter().map(|r| r.group.as_str()));
    let mut header = vec!["group".to_string()];
    header.extend(windows.iter().map(|w| format!("CAAR {w} (%)")));
    let by_key: HashMap<(&str, &str), &HeadlineRow> = rows
        .iter()
        .map(|r| ((r.group.as_str(), r.window.as_str()), r))
        .collect();
    let body = groups
        .iter()
        .map(|g| {
            let mut cells = vec![Cell::text(g.clone())];
            cells.extend(windows.iter().map(|w| {
                by_key
                    .get(&(g.as_str(), w.as_str()))
                    .map(|r| caar_cell(r, sig))
                    .unwrap_or_else(|| Cell::num(""))
            }));
            cells
        })
        .collect();
    hide_all_column(Table { header, rows: body }, "group")
}

/// A CAAR in % with the stars of its cross-sectional t; the t and n below (HTML) or in
/// parentheses (Markdown).
fn caar_cell(r: &HeadlineRow, sig: &Significance) -> Cell {
    let caar = r
        .caar
        .map(|v| percent(Some(v)))
        .unwrap_or_else(|| "NA".into());
    let t = r.csect_t.map(fmt_num).unwrap_or_else(|| "NA".into());
    Cell::starred(&caar, stars(sig.csect_p(r)), &format!("t {t}, n {}", r.n))
}

/// The headline section: the compact table of CAARs; empty when the tables have no headline
/// rows (an output folder written before the table existed). The stars are on the p-values
/// `sig` marks by, and the note says which.
pub(crate) fn headline_section(tables: &StudyTables, sig: &Significance) -> Vec<Block> {
    if tables.headline.is_empty() {
        return Vec::new();
    }
    let note = match sig.adjusted_phrase() {
        None => "CAAR in percent over each event window; stars from the cross-sectional t \
                 (methodology §8.1): * p < 0.1, ** p < 0.05, *** p < 0.01 (two-sided); t and \
                 number of pairs below. The adjusted BMP and rank tests are in the appendix and \
                 in `headline.csv`."
            .to_string(),
        Some(phrase) => format!(
            "CAAR in percent over each event window; stars on {phrase} of the cross-sectional t \
             (§8.1): * p < 0.1, ** p < 0.05, *** p < 0.01 (two-sided); t and number of pairs \
             below. The raw and adjusted p-values are in the appendix and in `tests.csv`; the \
             adjusted BMP and rank tests in the appendix and in `headline.csv`."
        ),
    };
    vec![
        section_heading("Headline results", "headline"),
        Block::Table(compact_table(&tables.headline, sig)),
        Block::Para(note),
    ]
}

/// The full headline table (all three tests, share of positive CARs), for the appendix; the
/// p-values below the statistics are the ones `sig` marks by.
pub(crate) fn headline_tests_section(tables: &StudyTables, sig: &Significance) -> Vec<Block> {
    if tables.headline.is_empty() {
        return Vec::new();
    }
    let p_values = match sig.adjusted_phrase() {
        None => "p-values below each statistic".to_string(),
        Some(phrase) => format!("{phrase} below each statistic (raw p-values in `tests.csv`)"),
    };
    vec![
        section_heading("Headline tests", "headline-tests"),
        Block::Para(format!(
            "CAAR over each event window with the cross-sectional t (methodology §8.1), the \
             Kolari–Pynnönen adjusted BMP t (§8.6) and the generalized rank t (§9.5); {p_values}; \
             * p < 0.1, ** p < 0.05, *** p < 0.01 (two-sided). Also in `headline.csv`."
        )),
        Block::Table(hide_all_column(
            headline_table(&tables.headline, sig),
            "group",
        )),
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
        let t = headline_table(&[row()], &Significance::default());
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
        assert!(headline_section(&StudyTables::default(), &Significance::default()).is_empty());
        let tables = StudyTables {
            headline: vec![row()],
            ..StudyTables::default()
        };
        assert_eq!(headline_section(&tables, &Significance::default()).len(), 3);
    }

    #[test]
    fn compact_table_has_a_column_per_window_and_hides_a_pooled_only_group() {
        let mut b = row();
        b.window = "0:5".into();
        b.caar = Some(-0.1312);
        b.csect_t = Some(-4.2);
        b.csect_p = Some(0.0004);
        let t = compact_table(&[row(), b.clone()], &Significance::default());
        assert_eq!(t.header, ["group", "CAAR -1:1 (%)", "CAAR 0:5 (%)"]);
        let cells: Vec<&str> = t.rows[0].iter().map(|c| c.markdown.as_str()).collect();
        assert_eq!(
            cells,
            [
                "category:model_release",
                "3.620** (t 2.410, n 29)",
                "-13.12*** (t -4.200, n 29)"
            ]
        );
        let mut pooled = b;
        pooled.group = "all".into();
        let t = compact_table(&[pooled], &Significance::default());
        assert_eq!(t.header, ["CAAR 0:5 (%)"]);
        assert_eq!(t.rows[0].len(), 1);
    }
}
