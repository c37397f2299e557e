//! The report document: its sections in order, and the charts.

use super::document::{collapsed, section_heading, Block, Document};
use super::findings::findings;
use super::sections::{
    aggregate_section, car_regression_section, chart_section, configuration_section, day0_section,
    differences_section, event_sections, exclusion_section, groups_of, headline_section,
    headline_tests_section, model_fit_section, multiple_testing_section, overview_paragraph,
    summary_section, tests_section, variance_ratio_section, volume_section, window_order, Charts,
};
use super::significance::Significance;
use crate::tables::StudyTables;

/// Largest number of category and cross groups given charts in the body of the report.
const MAX_CHARTED_GROUPS: usize = 6;

/// Builds the report document and the charts: title, summary paragraph, headline table,
/// findings, group differences, CAR regressions, charts of the groups that matter, per-event
/// results, abnormal volume and event-induced volatility (when the study has them), then an
/// appendix of collapsed details (headline tests, adjusted p-values, counts, tests by day and
/// window, aggregate table, model fits, day-0 mapping, exclusions, all events, configuration).
pub(crate) fn build(
    tables: &StudyTables,
    config_summary: &serde_json::Value,
    title: &str,
) -> Document {
    let windows = window_order(tables);
    let groups = groups_of(tables);
    let sig = Significance::new(tables, config_summary);
    let mut blocks = vec![Block::Heading(1, title.to_string(), None)];
    blocks.extend(headline_section(tables, &sig));
    blocks.extend(findings_section(tables, &sig));
    blocks.extend(differences_section(tables));
    blocks.extend(car_regression_section(tables));
    let charted = charted_groups(tables, &groups, &sig);
    let mut charts = chart_section(tables, &windows, &charted);
    if charted.len() < groups.len() {
        charts.blocks.insert(
            1,
            Block::Para(format!(
                "Charts of the pooled group and of the category and cross groups with a CAAR \
                 significant at 5 % (cross-sectional t{}) in some window, at most {} ({} of {} \
                 groups); every group's daily AARs are in the appendix and in aggregate.csv.",
                sig.column().map(|c| format!(", {c}")).unwrap_or_default(),
                MAX_CHARTED_GROUPS,
                charted.len(),
                groups.len()
            )),
        );
    }
    blocks.append(&mut charts.blocks);
    let events = event_sections(tables, &windows, &mut charts);
    blocks.extend(events.main);
    blocks.extend(volume_section(tables, &mut charts));
    blocks.extend(variance_ratio_section(tables));
    blocks.push(section_heading("Appendix", "appendix"));
    for section in [
        headline_tests_section(tables, &sig),
        multiple_testing_section(tables),
        summary_section(tables, &windows, &groups),
        tests_section(tables, &groups),
        aggregate_section(tables),
        model_fit_section(tables),
        day0_section(tables),
        exclusion_section(tables),
        events.appendix,
        configuration_section(config_summary),
    ] {
        blocks.extend(collapsed(section));
    }
    let files_written = config_summary
        .get("files_written")
        .and_then(serde_json::Value::as_u64);
    let overview = overview_paragraph(tables, files_written, charts.svgs.len());
    blocks.insert(1, Block::Para(overview));
    let Charts { svgs, .. } = charts;
    Document { blocks, svgs }
}

/// The findings in words as a section; none without headline rows.
fn findings_section(tables: &StudyTables, sig: &Significance) -> Vec<Block> {
    let sentences = findings(tables, sig);
    if sentences.is_empty() {
        return Vec::new();
    }
    vec![
        section_heading("Findings", "findings"),
        Block::Para(sentences.join(" ")),
    ]
}

/// The groups charted in the body: `all` and the category and cross groups with a CAAR
/// significant at 5 % (cross-sectional t, on the p-value `sig` marks by) in some window, the
/// most significant first, at most [`MAX_CHARTED_GROUPS`]; every group when the study has no
/// headline rows (a folder written before the table existed).
fn charted_groups(tables: &StudyTables, groups: &[String], sig: &Significance) -> Vec<String> {
    if tables.headline.is_empty() {
        return groups.to_vec();
    }
    let mut best: Vec<(f64, &str)> = Vec::new();
    for r in &tables.headline {
        let matters = r.group.starts_with("category:") || r.group.contains('*');
        let Some(p) = sig.csect_p(r).filter(|p| matters && *p < 0.05) else {
            continue;
        };
        match best.iter_mut().find(|(_, g)| *g == r.group) {
            Some(entry) => entry.0 = entry.0.min(p),
            None => best.push((p, r.group.as_str())),
        }
    }
    best.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let chosen: Vec<&str> = best
        .iter()
        .take(MAX_CHARTED_GROUPS)
        .map(|(_, g)| *g)
        .collect();
    groups
        .iter()
        .filter(|g| g.as_str() == "all" || chosen.contains(&g.as_str()))
        .cloned()
        .collect()
}
