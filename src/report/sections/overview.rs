//! The one-paragraph summary under the title: events, securities, pairs analysed and
//! excluded, and the files written.

use super::distinct;
use crate::report::format::fmt_count;
use crate::report::PORTFOLIO;
use crate::tables::StudyTables;

/// The summary paragraph. Counts come from the `events` and `securities` tables, or, for an
/// older output folder without them, from the `cars` and `model_fits` tables. `files_written`
/// is the number of table files the run wrote besides the report (the `files_written` entry
/// of the run information, absent when the report is made from an existing folder);
/// `report_files` the report's own files (Markdown, HTML and charts).
pub(crate) fn overview_paragraph(
    tables: &StudyTables,
    files_written: Option<u64>,
    report_files: usize,
) -> String {
    let events = if tables.events.is_empty() {
        distinct(tables.cars.iter().map(|r| r.event_id.as_str())).len()
    } else {
        tables.events.len()
    };
    let securities = if tables.securities.is_empty() {
        distinct(
            tables
                .cars
                .iter()
                .filter(|r| r.security != PORTFOLIO)
                .map(|r| r.security.as_str()),
        )
        .len()
    } else {
        tables.securities.len()
    };
    let pairs = if tables.events.is_empty() {
        None
    } else {
        let total: u64 = tables.events.iter().map(|e| u64::from(e.n_pairs)).sum();
        let analysed: u64 = tables.events.iter().map(|e| u64::from(e.n_analysed)).sum();
        Some((total, analysed))
    };
    let analysed_fits = tables
        .model_fits
        .iter()
        .filter(|r| r.security != PORTFOLIO)
        .count();
    let pairs_text = match pairs {
        Some((total, analysed)) => format!(
            "{} event–security pairs, of which {} analysed and {} excluded (reasons in the \
             appendix)",
            fmt_count(total as usize),
            fmt_count(analysed as usize),
            fmt_count(total.saturating_sub(analysed) as usize)
        ),
        None => format!("{} event–security pairs analysed", fmt_count(analysed_fits)),
    };
    let files = match files_written {
        Some(n) => format!(
            "This run wrote {} table files and this report ({} files: report.md, report.html \
             and {} charts).",
            fmt_count(n as usize),
            fmt_count(report_files + 2),
            fmt_count(report_files)
        ),
        None => format!(
            "This report has {} files (report.md, report.html and {} charts).",
            fmt_count(report_files + 2),
            fmt_count(report_files)
        ),
    };
    format!(
        "{} events and {} securities: {pairs_text}. Returns, AR, CAR and CAAR are in percent \
         throughout; statistics and p-values are plain numbers, rounded to 4 significant \
         digits (the CSV and Parquet tables keep full precision). {files}",
        fmt_count(events),
        fmt_count(securities)
    )
}
