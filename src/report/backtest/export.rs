//! The compact export of a backtest: its report and the small `bt_*` CSV tables.

use std::path::Path;

use super::render_backtest_report;
use crate::backtest::BacktestTables;
use crate::error::Result;
use crate::report::export::write_files;
use crate::study::StudyConfig;
use crate::tables::StudyTables;

/// The CSV tables kept in a committed backtest export: everything but the daily portfolio
/// (one row per day, drawn in the report's charts).
pub const BACKTEST_EXPORT_TABLES: &[&str] = &[
    "bt_trades.csv",
    "bt_metrics.csv",
    "bt_alpha.csv",
    "bt_placebo.csv",
    "bt_path.csv",
    "bt_exclusions.csv",
];

/// The configuration shown at the end of a backtest's report: the study file as read
/// (`config`, with its `[backtest]` table) and the run's notes (`notes`, statements the tables
/// cannot carry, such as which benchmark the CAPM regression used).
///
/// # Examples
/// ```
/// use evstudy::report::backtest_report_info;
/// use evstudy::study::StudyConfig;
/// let info = backtest_report_info(&StudyConfig::default(), &["CAPM on ^GSPC".to_string()]);
/// assert_eq!(info["notes"][0], "CAPM on ^GSPC");
/// assert!(info["config"].is_object());
/// ```
pub fn backtest_report_info(config: &StudyConfig, notes: &[String]) -> serde_json::Value {
    serde_json::json!({ "config": config, "notes": notes })
}

/// The files of a backtest export: `report.md`, `report.html`, the charts and the CSV tables of
/// [`BACKTEST_EXPORT_TABLES`], as `(file name, bytes)`. Deterministic.
///
/// # Examples
/// ```
/// use evstudy::backtest::BacktestTables;
/// use evstudy::report::backtest_export_files;
/// use evstudy::tables::StudyTables;
/// let files = backtest_export_files(
///     &BacktestTables::default(),
///     &StudyTables::default(),
///     &serde_json::json!({}),
///     "Empty backtest",
/// );
/// let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
/// assert_eq!(names[..2], ["report.md", "report.html"]);
/// assert!(names.contains(&"bt_metrics.csv"));
/// assert!(!names.contains(&"bt_daily.csv"));
/// ```
pub fn backtest_export_files(
    bt: &BacktestTables,
    study: &StudyTables,
    run_info: &serde_json::Value,
    title: &str,
) -> Vec<(String, Vec<u8>)> {
    let report = render_backtest_report(bt, study, run_info, title);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("report.md".to_string(), report.markdown.into_bytes()),
        ("report.html".to_string(), report.html.into_bytes()),
    ];
    for (name, svg) in report.svgs {
        files.push((name, svg.into_bytes()));
    }
    for (name, text) in crate::output::csv_files(bt) {
        if BACKTEST_EXPORT_TABLES.contains(&name) {
            files.push((name.to_string(), text.into_bytes()));
        }
    }
    files
}

/// Writes [`backtest_export_files`] into `dir` (created if needed), file by file atomically;
/// returns the file names.
///
/// # Errors
/// [`crate::Error::Io`] naming the folder or file that could not be written.
pub fn write_backtest_export(
    dir: &Path,
    bt: &BacktestTables,
    study: &StudyTables,
    run_info: &serde_json::Value,
    title: &str,
) -> Result<Vec<String>> {
    write_files(dir, backtest_export_files(bt, study, run_info, title))
}
