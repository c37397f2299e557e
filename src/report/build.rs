//! The report document: its sections in order, and the charts.

use super::document::{Block, Document};
use super::sections::{
    aggregate_section, car_regression_section, chart_section, configuration_section, day0_section,
    differences_section, exclusion_section, groups_of, headline_section, model_fit_section,
    multiple_testing_section, summary_section, tests_section, variance_ratio_section,
    volume_section, window_order,
};
use crate::tables::StudyTables;

/// Builds the report document and the charts: title, headline results, group differences,
/// summary, charts, tests, aggregate returns, model fits, day-0 mapping, exclusions and
/// configuration, in that order.
pub(crate) fn build(
    tables: &StudyTables,
    config_summary: &serde_json::Value,
    title: &str,
) -> Document {
    let windows = window_order(tables);
    let groups = groups_of(tables);
    let mut blocks = vec![
        Block::Heading(1, title.to_string(), None),
        Block::Para(
            "Event-study results. Numbers are rounded to 4 significant digits for reading; the \
             CSV and Parquet tables keep full precision."
                .to_string(),
        ),
    ];
    blocks.extend(headline_section(tables));
    blocks.extend(differences_section(tables));
    blocks.extend(summary_section(tables, &windows, &groups));
    let charts = chart_section(tables, &windows, &groups);
    blocks.extend(charts.blocks);
    blocks.extend(tests_section(tables, &groups));
    blocks.extend(aggregate_section(tables));
    blocks.extend(model_fit_section(tables));
    blocks.extend(day0_section(tables));
    blocks.extend(exclusion_section(tables));
    let volume = volume_section(tables);
    blocks.extend(volume.blocks);
    blocks.extend(multiple_testing_section(tables));
    blocks.extend(car_regression_section(tables));
    blocks.extend(variance_ratio_section(tables));
    blocks.extend(configuration_section(config_summary));
    Document {
        blocks,
        svgs: [charts.svgs, volume.svgs].concat(),
    }
}
