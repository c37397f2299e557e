//! The charts section: per group the CAAR path and the AAR bars, per window the CAR bars or,
//! for many pairs, the CAR histogram.

use std::collections::HashMap;

use crate::report::document::{section_heading, Block};
use crate::report::format::{fmt_count, slug};
use crate::report::svg;
use crate::report::{CAR_CHART_MAX_PAIRS, MAX_GROUPS_SHOWN, PORTFOLIO};
use crate::tables::{AggregateRow, CarRow, StudyTables};

/// The blocks of the charts section and the chart files they show, numbered in report order.
pub(crate) struct Charts {
    /// Heading, notes and one [`Block::Chart`] per chart.
    pub(crate) blocks: Vec<Block>,
    /// The charts as `(file name, standalone SVG document)`.
    pub(crate) svgs: Vec<(String, String)>,
}

impl Charts {
    /// Adds the chart `figNN_<kind>_<key>.svg`: drawn once standalone (the file) and once
    /// inline (the HTML page).
    pub(crate) fn add(
        &mut self,
        kind: &str,
        key: &str,
        alt: String,
        draw: &dyn Fn(bool) -> String,
    ) {
        let file = format!("fig{:02}_{kind}_{}.svg", self.svgs.len() + 1, slug(key));
        self.svgs.push((file.clone(), draw(true)));
        self.blocks.push(Block::Chart {
            file,
            alt,
            inline_svg: draw(false),
        });
    }
}

/// The charts section: group charts first, then the CAR chart of each window.
pub(crate) fn chart_section(tables: &StudyTables, windows: &[String], groups: &[String]) -> Charts {
    let mut charts = Charts {
        blocks: vec![section_heading("Charts", "charts")],
        svgs: Vec::new(),
    };
    charts.blocks.push(Block::Para(
        "CAAR path: cumulative sum of the daily AARs from the first day of the event period; band \
         ±1.96 · √(Σ sd²/n), the cumulated cross-sectional standard error of the AARs (days treated \
         as independent). The path is Σ AAR and can differ from the CAAR of a window in the \
         aggregate table (the mean of complete CARs) when the number of events varies by day."
            .to_string(),
    ));
    add_group_charts(&mut charts, tables, groups);
    add_window_charts(&mut charts, tables, windows);
    if charts.svgs.is_empty() {
        charts
            .blocks
            .push(Block::Para("No data to chart.".to_string()));
    }
    charts
}

/// The CAAR and AAR charts of the first [`MAX_GROUPS_SHOWN`] groups with daily AARs.
fn add_group_charts(charts: &mut Charts, tables: &StudyTables, groups: &[String]) {
    let mut aggregate_by_group: HashMap<&str, Vec<&AggregateRow>> = HashMap::new();
    for r in &tables.aggregate {
        aggregate_by_group
            .entry(r.group.as_str())
            .or_default()
            .push(r);
    }
    let charted: Vec<(&String, &Vec<&AggregateRow>)> = groups
        .iter()
        .filter_map(|g| Some((g, aggregate_by_group.get(g.as_str())?)))
        .filter(|(_, rows)| rows.iter().any(|r| r.metric == "ar"))
        .collect();
    if charted.len() > MAX_GROUPS_SHOWN {
        charts.blocks.push(Block::Para(format!(
            "CAAR and AAR charts of the first {} of {} groups; the daily AARs of every group are \
             in the aggregate table below and in aggregate.csv.",
            MAX_GROUPS_SHOWN,
            fmt_count(charted.len())
        )));
    }
    for (g, rows) in charted.into_iter().take(MAX_GROUPS_SHOWN) {
        charts.add(
            "caar",
            g,
            format!("CAAR path with 95% band, group {g}"),
            &|s| svg::caar_chart(g, rows, s),
        );
        charts.add("aar", g, format!("AAR by relative day, group {g}"), &|s| {
            svg::aar_chart(g, rows, s)
        });
    }
}

/// The CAR chart of each window: one bar per pair up to [`CAR_CHART_MAX_PAIRS`] rows, else
/// the histogram of the pairs' CARs.
fn add_window_charts(charts: &mut Charts, tables: &StudyTables, windows: &[String]) {
    let mut cars_by_window: HashMap<&str, Vec<&CarRow>> = HashMap::new();
    for r in &tables.cars {
        cars_by_window.entry(r.window.as_str()).or_default().push(r);
    }
    for w in windows {
        let Some(rows) = cars_by_window.get(w.as_str()) else {
            continue;
        };
        if rows.len() <= CAR_CHART_MAX_PAIRS {
            charts.add("car", w, format!("CAR by event, window {w}"), &|s| {
                svg::car_chart(w, rows, s)
            });
        } else {
            add_car_histogram(charts, w, rows);
        }
    }
}

/// The CAR histogram of window `w`, captioned with the distribution's summary.
fn add_car_histogram(charts: &mut Charts, w: &str, rows: &[&CarRow]) {
    // Same-date portfolio CARs average the pairs: not part of the distribution.
    let pairs: Vec<&CarRow> = rows
        .iter()
        .copied()
        .filter(|r| r.security != PORTFOLIO)
        .collect();
    let portfolios = rows.len() - pairs.len();
    let values: Vec<f64> = pairs.iter().filter_map(|r| r.car).collect();
    let n_na = pairs.len() - values.len();
    let summary = svg::car_histogram(&values, svg::HIST_BINS)
        .map(|h| svg::car_histogram_summary(&h, n_na))
        .unwrap_or_else(|| "no complete CAR".to_string());
    charts.add(
        "car",
        w,
        format!(
            "Distribution of CAR, window {w}, over {} event–security pairs ({summary}); \
             histogram of {} equal bins over the 0.5%–99.5% quantiles, values outside \
             counted in the edge bins{}",
            fmt_count(pairs.len()),
            svg::HIST_BINS,
            if portfolios > 0 {
                format!(
                    "; {} same-date portfolio CARs not included",
                    fmt_count(portfolios)
                )
            } else {
                String::new()
            }
        ),
        &|s| svg::car_histogram_chart(w, &pairs, portfolios, s),
    );
}
