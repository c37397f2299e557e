//! The study report: Markdown and a self-contained HTML page with inline SVG charts.
//!
//! [`render_report`] turns the output tables into a [`Report`] (no I/O); [`write_report`] writes
//! `report.md`, `report.html` and the charts as `.svg` files. The HTML page has inline CSS
//! and inline SVG only: no scripts, fonts, images or other resources are loaded, so it can be
//! opened offline or mailed as one file. Output is deterministic: the same tables give the
//! same bytes.
//!
//! Charts, drawn by hand in SVG:
//! 1. per group, the CAAR path CAAR_t = Σ_{s ≤ t} AAR_s from the first day of the event period
//!    H, with a 95 % band ±1.96 · √(Σ_{s ≤ t} sd_s² / n_s) — the cumulated cross-sectional
//!    standard error of the daily AARs from the `aggregate` rows, treating days as
//!    independent. This path is Σ AAR; it differs from the table's CAAR(W) (the mean of
//!    complete CARs, methodology §5.5) when the number of events varies by day;
//! 2. per group, the AAR of each day as bars;
//! 3. per event window, the CAR of every event–security pair as horizontal bars (colour by
//!    sign, whiskers ±1.96 · car_se) when the window has at most [`CAR_CHART_MAX_PAIRS`] rows;
//!    above that, the distribution of the pairs' CARs as a histogram of 40 equal bins over the
//!    0.5 %–99.5 % quantiles (values outside counted in the edge bins, and said so), with
//!    lines at 0 and at the mean and n, mean and median in the title.
//! 4. per event, the CAR of each security in each window as dots (colour by window), beside
//!    the event's table; with many events only the notable ones are drawn.
//!
//! The report stays readable and small for large studies: tables with one row per pair
//! (model fits, day-0 mapping, exclusions) show their first [`TABLE_MAX_ROWS`] rows with a
//! note naming the full output table, after a summary over all rows (fit-statistic quartiles,
//! day-0 status counts, exclusion counts by stage × reason); portfolio test tables list the
//! first [`PORTFOLIO_MAX_CLUSTERS`] portfolios after a per-column count of significant ones;
//! charts and tests are given for the first [`MAX_GROUPS_SHOWN`] groups. Every lookup is
//! hashed, so the time is linear in the size of the tables.
//!
//! Numbers in the report are rounded for reading (4 significant digits); the CSV/Parquet
//! outputs keep full precision.
//!
//! Where things are: `build.rs` puts the sections in order (methodology §12.1); `findings.rs`
//! writes the findings in words; `sections/` has one file per section (overview paragraph,
//! headline, differences, summary counts, charts, per-event results, tests, portfolios,
//! aggregate, model fits, day 0, exclusions, configuration, and the truncation of long
//! tables); `document.rs` is the document model
//! (blocks, tables, cells) that `html.rs` and `markdown.rs` render; `render.rs` holds
//! [`render_report`] and [`write_report`], `export.rs` [`export_files`] and [`write_export`];
//! `svg/` draws the charts; `format.rs` rounds numbers for reading; `backtest/` is the
//! backtest's report ([`render_backtest_report`], [`write_backtest_export`]), built from the
//! same blocks, renderers and charts.

mod backtest;
mod build;
mod document;
mod export;
mod findings;
mod format;
mod html;
mod markdown;
mod render;
mod sections;
mod significance;
pub(crate) mod svg;
#[cfg(test)]
mod tests;

pub use self::backtest::{
    backtest_export_files, backtest_report_info, render_backtest_report, write_backtest_export,
    BACKTEST_EXPORT_TABLES,
};
pub use self::export::{export_files, write_export, EXPORT_TABLES};
pub use self::render::{is_report_file, render_report, write_report};

/// A rendered report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The report as Markdown; charts are linked as `![…](file.svg)`.
    pub markdown: String,
    /// The report as one self-contained HTML page (inline CSS and SVG).
    pub html: String,
    /// The charts as `(file name, standalone SVG document)`, in report order.
    pub svgs: Vec<(String, String)>,
}

/// Largest number of event–security pairs of a window drawn one bar each; above it the
/// window's CAR chart is a histogram of the CAR distribution.
pub const CAR_CHART_MAX_PAIRS: usize = 60;
/// Largest number of rows of a per-pair table (model fits, day-0 mapping, exclusions) shown in
/// full; above it the first rows are shown with a note naming the full output table.
pub const TABLE_MAX_ROWS: usize = 200;
/// Largest number of same-date portfolios of a group listed in its portfolio test table;
/// above it the first ones are listed, after a per-column count of significant portfolios.
pub const PORTFOLIO_MAX_CLUSTERS: usize = 50;
/// Largest number of groups given their own charts and test tables; above it the first groups
/// (in name order) are shown with a note.
pub const MAX_GROUPS_SHOWN: usize = 30;

/// The `security` of the rows of a same-date portfolio.
const PORTFOLIO: &str = "PORTFOLIO";
