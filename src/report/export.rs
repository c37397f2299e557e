//! The compact export of a study: the report and the small CSV summaries.

use std::path::Path;

use super::findings::findings;
use super::render::is_report_file;
use super::render_report;
use super::significance::Significance;
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

/// Write a compact export of a study: the report (Markdown, HTML, SVGs), the small CSV
/// summaries of [`EXPORT_TABLES`] and a `README.md` stating the findings in words (the
/// report's own sentences). Returns the files as `(name, bytes)`. Deterministic.
pub fn export_files(
    tables: &StudyTables,
    run_info: &serde_json::Value,
    title: &str,
) -> Vec<(String, Vec<u8>)> {
    let csvs: Vec<(&str, String)> = crate::output::csv_files(tables)
        .into_iter()
        .filter(|(name, _)| EXPORT_TABLES.contains(name))
        .collect();
    let mut info = run_info.clone();
    if let Some(map) = info.as_object_mut() {
        map.insert("files_written".to_string(), (csvs.len() + 1).into());
    }
    let report = render_report(tables, &info, title);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("report.md".to_string(), report.markdown.into_bytes()),
        ("report.html".to_string(), report.html.into_bytes()),
    ];
    for (name, svg) in report.svgs {
        files.push((name, svg.into_bytes()));
    }
    for (name, text) in csvs {
        files.push((name.to_string(), text.into_bytes()));
    }
    let sig = Significance::new(tables, run_info);
    files.push((
        "README.md".to_string(),
        readme(tables, &sig, title).into_bytes(),
    ));
    files
}

/// The export's README: title, the findings in words, and what the folder holds.
fn readme(tables: &StudyTables, sig: &Significance, title: &str) -> String {
    let sentences = findings(tables, sig);
    let findings_text = if sentences.is_empty() {
        "The study has no headline table; see `report.html`.".to_string()
    } else {
        sentences.join("\n")
    };
    format!(
        "# {title} — export\n\n\
         Written by `evstudy run --export`: the report (`report.html`, self-contained, opens \
         offline; `report.md` with the charts as `fig*.svg`) and the small tables {}.\n\n\
         ## Findings\n\n{findings_text}\n\n\
         Returns in percent; the numbers are those of the report's headline table.\n",
        EXPORT_TABLES
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
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
