//! Rendering a backtest's report: the sections in order.

use super::alpha::alpha_section;
use super::charts::backtest_chart_section;
use super::exclusions::backtest_exclusion_section;
use super::headline::headline_section;
use super::trades::trades_section;
use crate::backtest::BacktestTables;
use crate::report::document::Block;
use crate::report::html::render_html;
use crate::report::markdown::render_markdown;
use crate::report::sections::configuration_section;
use crate::report::Report;
use crate::tables::StudyTables;

/// Renders the report of a backtest: Markdown, self-contained HTML and the SVG charts, in the
/// same [`Report`] as the study's, so [`crate::report::write_report`] writes it.
///
/// Sections, the answer first: headline (a sentence generated from the numbers; total return,
/// CAGR, Sharpe ± standard error, maximum drawdown, hit rate and trades, gross and net of
/// costs; the CAPM, Fama–French 3 and Carhart alphas with Newey–West t and p; the placebo
/// p-values), charts (equity curves gross, net and benchmark; drawdown; open positions; the
/// distribution of net trade returns; the study's CAAR of group `all` beside the average
/// trade's cumulative return by day relative to day 0), the alpha regressions with every kind
/// of standard error, the trades (the largest 200 by |net return| when there are more), the
/// events not traded by reason, and `run_info` as the configuration. `study` supplies the
/// CAAR. Pure function: no I/O, deterministic.
///
/// # Examples
/// ```
/// use evstudy::backtest::BacktestTables;
/// use evstudy::report::render_backtest_report;
/// use evstudy::tables::StudyTables;
/// let r = render_backtest_report(
///     &BacktestTables::default(),
///     &StudyTables::default(),
///     &serde_json::json!({"hold": 5}),
///     "Empty backtest",
/// );
/// assert!(r.html.starts_with("<!DOCTYPE html>"));
/// assert!(r.markdown.starts_with("# Empty backtest"));
/// assert!(r.markdown.contains("No event traded"));
/// ```
pub fn render_backtest_report(
    bt: &BacktestTables,
    study: &StudyTables,
    run_info: &serde_json::Value,
    title: &str,
) -> Report {
    let mut blocks = vec![
        Block::Heading(1, title.to_string(), None),
        Block::Para(
            "Event-driven backtest. Returns in percent, rounded to 4 significant digits for \
             reading; the CSV and Parquet tables keep full precision as fractions."
                .to_string(),
        ),
    ];
    blocks.extend(headline_section(bt));
    let charts = backtest_chart_section(bt, study);
    blocks.extend(charts.blocks);
    blocks.extend(alpha_section(bt));
    blocks.extend(trades_section(bt));
    blocks.extend(backtest_exclusion_section(bt));
    blocks.extend(configuration_section(run_info));
    Report {
        markdown: render_markdown(&blocks),
        html: render_html(&blocks, title),
        svgs: charts.svgs,
    }
}
