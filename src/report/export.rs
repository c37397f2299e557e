//! The compact export of a study: the report and the small CSV summaries.

use std::path::Path;

use super::render::is_report_file;
use super::render_report;
use crate::error::Result;
use crate::output::{write_atomic, write_folder, FolderOptions, Previous};
use crate::tables::StudyTables;

/// The CSV summaries kept in a committed export (small tables only).
pub const EXPORT_TABLES: &[&str] = &[
    "aggregate.csv",
    "cars.csv",
    "model_fits.csv",
    "exclusions.csv",
    "day0_mapping.csv",
];

/// Write a compact export of a study: the report (Markdown, HTML, SVGs) and the small CSV
/// summaries of [`EXPORT_TABLES`]. Returns the file names written. Deterministic.
pub fn export_files(
    tables: &StudyTables,
    run_info: &serde_json::Value,
    title: &str,
) -> Vec<(String, Vec<u8>)> {
    let report = render_report(tables, run_info, title);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("report.md".to_string(), report.markdown.into_bytes()),
        ("report.html".to_string(), report.html.into_bytes()),
    ];
    for (name, svg) in report.svgs {
        files.push((name, svg.into_bytes()));
    }
    for (name, text) in crate::output::csv_files(tables) {
        if EXPORT_TABLES.contains(&name) {
            files.push((name.to_string(), text.into_bytes()));
        }
    }
    files
}

/// Write [`export_files`] into `dir` as one complete update of the folder
/// ([`crate::output::write_folder`] with
/// [`Previous::Keep`](crate::output::Previous::Keep)): files the export does not make (a
/// README) are kept, the charts of an earlier export are replaced.
///
/// # Errors
/// [`crate::Error::Io`] naming the folder or file that could not be written;
/// [`crate::Error::File`] for a folder `write_folder` refuses.
pub fn write_export(
    dir: &Path,
    tables: &StudyTables,
    run_info: &serde_json::Value,
    title: &str,
) -> Result<Vec<String>> {
    write_files(dir, export_files(tables, run_info, title))
}

/// Writes `(name, bytes)` files into the export folder `dir` as one complete run (through
/// [`write_folder`], keeping files of the folder that are not report files, such as its
/// README); returns the names.
pub(crate) fn write_files(dir: &Path, files: Vec<(String, Vec<u8>)>) -> Result<Vec<String>> {
    let options = FolderOptions {
        inputs: &[],
        previous: Previous::Keep(&is_report_file),
    };
    write_folder(dir, &options, |dir| -> Result<()> {
        for (name, bytes) in &files {
            write_atomic(&dir.join(name), bytes)?;
        }
        Ok(())
    })?;
    Ok(files.into_iter().map(|(n, _)| n).collect())
}
