//! The report document: its sections in order, and the charts.

use std::collections::HashMap;

use super::document::Block;
use super::format::{fmt_count, slug};
use super::sections::*;
use super::svg;
use super::{CAR_CHART_MAX_PAIRS, MAX_GROUPS_SHOWN, PORTFOLIO, TABLE_MAX_ROWS};
use crate::tables::{AggregateRow, CarRow, StudyTables};

/// Builds the report document and the charts.
pub(crate) fn build(
    tables: &StudyTables,
    config_summary: &serde_json::Value,
    title: &str,
) -> (Vec<Block>, Vec<(String, String)>) {
    let windows = window_order(tables);
    let groups = groups_of(tables);
    let mut blocks = vec![Block::Heading(1, title.to_string(), None)];
    blocks.push(Block::Para(
        "Event-study results. Numbers are rounded to 4 significant digits for reading; the CSV and \
         Parquet tables keep full precision."
            .to_string(),
    ));

    blocks.push(Block::Heading(
        2,
        "Summary".to_string(),
        Some("summary".to_string()),
    ));
    blocks.push(Block::Table(summary_block(tables, &windows, &groups)));

    // Charts.
    blocks.push(Block::Heading(
        2,
        "Charts".to_string(),
        Some("charts".to_string()),
    ));
    blocks.push(Block::Para(
        "CAAR path: cumulative sum of the daily AARs from the first day of the event period; band \
         ±1.96 · √(Σ sd²/n), the cumulated cross-sectional standard error of the AARs (days treated \
         as independent). The path is Σ AAR and can differ from the CAAR of a window in the \
         aggregate table (the mean of complete CARs) when the number of events varies by day."
            .to_string(),
    ));
    let mut svgs: Vec<(String, String)> = Vec::new();
    let mut add_chart = |blocks: &mut Vec<Block>,
                         kind: &str,
                         key: &str,
                         alt: String,
                         draw: &dyn Fn(bool) -> String| {
        let file = format!("fig{:02}_{kind}_{}.svg", svgs.len() + 1, slug(key));
        svgs.push((file.clone(), draw(true)));
        blocks.push(Block::Chart {
            file,
            alt,
            inline_svg: draw(false),
        });
    };
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
        blocks.push(Block::Para(format!(
            "CAAR and AAR charts of the first {} of {} groups; the daily AARs of every group are \
             in the aggregate table below and in aggregate.csv.",
            MAX_GROUPS_SHOWN,
            fmt_count(charted.len())
        )));
    }
    for (g, rows) in charted.into_iter().take(MAX_GROUPS_SHOWN) {
        add_chart(
            &mut blocks,
            "caar",
            g,
            format!("CAAR path with 95% band, group {g}"),
            &|s| svg::caar_chart(g, rows, s),
        );
        add_chart(
            &mut blocks,
            "aar",
            g,
            format!("AAR by relative day, group {g}"),
            &|s| svg::aar_chart(g, rows, s),
        );
    }
    let mut cars_by_window: HashMap<&str, Vec<&CarRow>> = HashMap::new();
    for r in &tables.cars {
        cars_by_window.entry(r.window.as_str()).or_default().push(r);
    }
    for w in &windows {
        let Some(rows) = cars_by_window.get(w.as_str()) else {
            continue;
        };
        if rows.len() <= CAR_CHART_MAX_PAIRS {
            add_chart(
                &mut blocks,
                "car",
                w,
                format!("CAR by event, window {w}"),
                &|s| svg::car_chart(w, rows, s),
            );
        } else {
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
            add_chart(
                &mut blocks,
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
    }
    if svgs.is_empty() {
        blocks.push(Block::Para("No data to chart.".to_string()));
    }

    blocks.push(Block::Heading(
        2,
        "Tests".to_string(),
        Some("tests".to_string()),
    ));
    blocks.extend(test_blocks(tables, &groups));

    blocks.push(Block::Heading(
        2,
        "Aggregate abnormal returns".to_string(),
        Some("aggregate".to_string()),
    ));
    blocks.push(Block::Para(
        "AAR per day; CAAR and ABHAR per window are means over the events with a complete window \
         (methodology §5.5). share > 0: share of strictly positive values; sd with divisor n − 1."
            .to_string(),
    ));
    blocks.push(Block::Table(aggregate_table(&tables.aggregate)));

    blocks.push(Block::Heading(
        2,
        "Model fits".to_string(),
        Some("models".to_string()),
    ));
    push_truncated_preamble(
        &mut blocks,
        tables.model_fits.len(),
        Some(format!(
            "Distribution over all {} model fits (quartiles by linear interpolation):",
            fmt_count(tables.model_fits.len())
        )),
        || model_fit_distribution(tables),
        "model fits",
        "model_fits",
    );
    blocks.push(Block::Table(model_fit_table(tables, TABLE_MAX_ROWS)));

    blocks.push(Block::Heading(
        2,
        "Day-0 mapping".to_string(),
        Some("day0".to_string()),
    ));
    if tables.day0.is_empty() {
        blocks.push(Block::Para(
            "Not available (no day-0 mapping in these outputs).".to_string(),
        ));
    } else {
        push_truncated_preamble(
            &mut blocks,
            tables.day0.len(),
            None,
            || day0_status_counts(tables),
            "day-0 mappings",
            "day0_mapping",
        );
        blocks.push(Block::Table(day0_table(tables, TABLE_MAX_ROWS)));
    }

    blocks.push(Block::Heading(
        2,
        "Exclusions".to_string(),
        Some("exclusions".to_string()),
    ));
    if tables.exclusions.is_empty() {
        blocks.push(Block::Para("Nothing was excluded.".to_string()));
    } else {
        push_truncated_preamble(
            &mut blocks,
            tables.exclusions.len(),
            Some(format!(
                "All {} exclusion rows by stage and reason:",
                fmt_count(tables.exclusions.len())
            )),
            || exclusion_counts(tables),
            "exclusion rows",
            "exclusions",
        );
        blocks.push(Block::Table(exclusion_table(tables, TABLE_MAX_ROWS)));
    }

    blocks.push(Block::Heading(
        2,
        "Study configuration".to_string(),
        Some("configuration".to_string()),
    ));
    let json =
        serde_json::to_string_pretty(config_summary).unwrap_or_else(|_| config_summary.to_string());
    blocks.push(Block::Pre(json));
    (blocks, svgs)
}
