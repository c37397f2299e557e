//! The abnormal-trading-volume section: CAAV per group and window with the cross-sectional t
//! and the rank test, and the AAV bars of the pooled sample (methodology §5.6). Abnormal log
//! volume is a log difference, so it is shown in percent like returns (0.10 ≈ 10 % above
//! normal volume).

use super::Charts;
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_num;
use crate::report::svg::day_bars;
use crate::tables::{VolumeAggregateRow, VolumeMetric, VolumeTables, VolumeTestRow};
use crate::vocab::{Scope, TestKind};

/// The group whose AAV bars are drawn: every pair of the study.
const POOLED: &str = "all";

/// A fraction written in percent, empty when missing.
fn percent(x: Option<f64>) -> String {
    x.map(|v| fmt_num(100.0 * v)).unwrap_or_default()
}

/// The `car`-scope test `kind` of `group` over `window`.
fn window_test<'a>(
    tests: &'a [VolumeTestRow],
    group: &str,
    window: Option<&str>,
    kind: TestKind,
) -> Option<&'a VolumeTestRow> {
    tests.iter().find(|t| {
        t.scope == Scope::Car && t.test == kind && t.group == group && t.window.as_deref() == window
    })
}

/// One row per group × window: n, CAAV, median, share positive, csect t and rank z.
fn caav_table(v: &VolumeTables) -> Table {
    let rows = v
        .aggregate
        .iter()
        .filter(|a| a.metric == VolumeMetric::Caav)
        .map(|a: &VolumeAggregateRow| {
            let test = |kind| {
                let t = window_test(&v.tests, &a.group, a.window.as_deref(), kind);
                Cell::stat_p(t.and_then(|t| t.statistic), t.and_then(|t| t.p_value))
            };
            vec![
                Cell::text(a.group.clone()),
                Cell::num(a.window.clone().unwrap_or_default()),
                Cell::num(a.n.to_string()),
                Cell::num(percent(a.mean)),
                Cell::num(percent(a.median)),
                Cell::num(percent(a.share_positive)),
                test(TestKind::CsectT),
                test(TestKind::RankZ),
            ]
        })
        .collect();
    Table {
        header: [
            "group",
            "window",
            "n",
            "CAAV (%)",
            "median CAV (%)",
            "% positive",
            "t (csect)",
            "rank z",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

/// The abnormal-volume section; empty when the study declares no `[volume]`. Its chart is
/// numbered after those already in `charts`, whose svgs it joins.
pub(crate) fn volume_section(
    tables: &crate::tables::StudyTables,
    charts: &mut Charts,
) -> Vec<Block> {
    let Some(v) = &tables.volume else {
        return Vec::new();
    };
    let mut out = vec![section_heading("Abnormal trading volume", "volume")];
    out.push(Block::Para(
        "Abnormal log volume AV = ln(1 + V) minus its normal level (the estimation-window mean, \
         or the market model on the market log volume), in percent; CAAV is the \
         mean cumulative abnormal log volume over the pairs with a complete window. Statistics: \
         the cross-sectional t and the Cowan rank z, p-values below (methodology §5.6). Also in \
         `volume_aggregate.csv` and `volume_tests.csv`."
            .to_string(),
    ));
    out.push(Block::Table(caav_table(v)));
    let days: Vec<(i32, f64)> = v
        .aggregate
        .iter()
        .filter(|a| a.metric == VolumeMetric::Aav && a.group == POOLED)
        .filter_map(|a| Some((a.rel_day?, 100.0 * a.mean?)))
        .collect();
    if !days.is_empty() {
        let title = "AAV (%) by relative day — all pairs";
        let draw = |standalone| day_bars(title, "AAV (%)", days.clone(), standalone);
        charts.add("volume_aav", POOLED, title.to_string(), &draw);
        out.append(&mut charts.blocks);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::StudyTables;

    fn aggregate(
        metric: VolumeMetric,
        window: Option<&str>,
        rel_day: Option<i32>,
    ) -> VolumeAggregateRow {
        VolumeAggregateRow {
            group: "all".into(),
            metric,
            window: window.map(String::from),
            rel_day,
            n: 4,
            mean: Some(0.25),
            median: Some(0.2),
            share_positive: Some(0.75),
        }
    }

    #[test]
    fn no_volume_no_section() {
        let mut charts = Charts {
            blocks: Vec::new(),
            svgs: Vec::new(),
        };
        let out = volume_section(&StudyTables::default(), &mut charts);
        assert!(out.is_empty() && charts.svgs.is_empty());
    }

    #[test]
    fn caav_in_percent_with_the_window_tests_and_one_chart() {
        let volume = VolumeTables {
            aggregate: vec![
                aggregate(VolumeMetric::Aav, None, Some(0)),
                aggregate(VolumeMetric::Caav, Some("0:5"), None),
            ],
            tests: vec![VolumeTestRow {
                group: "all".into(),
                scope: Scope::Car,
                window: Some("0:5".into()),
                rel_day: None,
                test: TestKind::RankZ,
                statistic: Some(2.5),
                p_value: Some(0.0124),
                df: None,
                n: 4,
            }],
            ..VolumeTables::default()
        };
        let tables = StudyTables {
            volume: Some(volume),
            ..StudyTables::default()
        };
        let earlier = ("fig01_caar_all.svg".to_string(), String::new());
        let mut charts = Charts {
            blocks: Vec::new(),
            svgs: vec![earlier],
        };
        let out = volume_section(&tables, &mut charts);
        let Block::Table(t) = &out[2] else {
            panic!("a table")
        };
        assert_eq!(t.rows.len(), 1);
        let md: Vec<&str> = t.rows[0].iter().map(|c| c.markdown.as_str()).collect();
        assert_eq!(&md[..6], ["all", "0:5", "4", "25.00", "20.00", "75.00"]);
        assert_eq!(md[6], "NA (NA)");
        assert_eq!(md[7], "2.500** (0.01240)");
        assert_eq!(charts.svgs.len(), 2);
        assert_eq!(
            charts.svgs[1].0, "fig02_volume_aav_all.svg",
            "numbered after fig01"
        );
        assert!(matches!(out[3], Block::Chart { .. }) && charts.blocks.is_empty());
    }
}
