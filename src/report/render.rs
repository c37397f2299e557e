//! Rendering a study's report and writing it to a folder.

use std::path::Path;

use super::build::build;
use super::html::render_html;
use super::markdown::render_markdown;
use super::Report;
use crate::error::Result;
use crate::output::{write_atomic, write_folder, FolderOptions, Previous};
use crate::tables::StudyTables;

/// Renders the report of a study: Markdown, self-contained HTML and the SVG charts.
///
/// `tables` should be in §12 order ([`crate::output::sort_tables`]); windows appear in the
/// order of the `aggregate` table. `config_summary` is shown pretty-printed in the
/// "Study configuration" part; its entry `files_written` (a count), when present, is the
/// number of table files the run wrote, stated in the summary paragraph. `title` heads both
/// documents. Order (methodology §12.1): summary paragraph, headline table, findings in words,
/// group differences, charts of the groups that matter, per-event results, and an appendix of
/// collapsed parts (headline tests, counts, tests, aggregate table, model fits, day-0 mapping,
/// exclusions, configuration). Returns are shown in percent. Large studies are bounded as the
/// module documentation describes. Pure function: no I/O, deterministic.
///
/// # Examples
///
/// ```
/// use evstudy::report::render_report;
/// use evstudy::tables::StudyTables;
/// let r = render_report(&StudyTables::default(), &serde_json::json!({"model": "market_model"}), "Empty study");
/// assert!(r.html.starts_with("<!DOCTYPE html>"));
/// assert!(r.markdown.starts_with("# Empty study"));
/// assert!(r.svgs.is_empty());
/// ```
pub fn render_report(
    tables: &StudyTables,
    config_summary: &serde_json::Value,
    title: &str,
) -> Report {
    let held = tables.with_made_rows_held();
    let doc = build(held.as_ref().unwrap_or(tables), config_summary, title);
    Report {
        markdown: render_markdown(&doc.blocks),
        html: render_html(&doc.blocks, title),
        svgs: doc.svgs,
    }
}

/// Writes `report.md`, `report.html` and every chart (`figNN_….svg`) into `dir` as one
/// complete update of the folder ([`crate::output::write_folder`] with
/// [`Previous::Keep`](crate::output::Previous::Keep)): the other files of the folder (an
/// output folder's tables and `run.json`) are kept, the report and charts of an earlier
/// report are replaced, and `run.json`, if present, lists the new files. Called inside
/// another writer's `write_folder`, the files join that run.
///
/// # Errors
/// [`crate::Error::Io`] naming the folder or file that could not be written;
/// [`crate::Error::File`] for a folder `write_folder` refuses.
pub fn write_report(dir: &Path, report: &Report) -> Result<()> {
    let options = FolderOptions {
        inputs: &[],
        previous: Previous::Keep(&is_report_file),
    };
    write_folder(dir, &options, |dir| {
        write_atomic(&dir.join("report.md"), report.markdown.as_bytes())?;
        write_atomic(&dir.join("report.html"), report.html.as_bytes())?;
        for (name, svg) in &report.svgs {
            write_atomic(&dir.join(name), svg.as_bytes())?;
        }
        Ok(())
    })
}

/// Is `name` a file of a report (`report.md`, `report.html`, a chart `figNN_….svg`)? The
/// files a new report replaces in a folder.
///
/// # Examples
///
/// ```
/// assert!(evstudy::report::is_report_file("fig03_car_0_5.svg"));
/// assert!(!evstudy::report::is_report_file("cars.csv"));
/// ```
pub fn is_report_file(name: &str) -> bool {
    name == "report.md"
        || name == "report.html"
        || (name.starts_with("fig") && name.ends_with(".svg"))
}
