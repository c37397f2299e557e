//! Running a command's work inside its output folder (`evstudy::output::write_folder`): the
//! folder's lock is held from the start and the folder receives one complete run.

use evstudy::output::{write_folder, FolderOptions, Previous};
use evstudy::report::is_report_file;
use std::path::{Path, PathBuf};

/// The folder options of a run whose inputs are `inputs`: a full run replaces the previous
/// run; an export (`--export`) keeps the folder's files that are not report files (its
/// README).
pub(crate) fn run_options(inputs: &[PathBuf], export: bool) -> FolderOptions<'_> {
    FolderOptions {
        inputs,
        previous: if export {
            Previous::Keep(&is_report_file)
        } else {
            Previous::Replace
        },
    }
}

/// Runs `work` on the staging folder of `out_dir` and swaps it in; returns the summary line
/// `work` gives. Errors of the folder itself (not of the work in it) name the output folder.
pub(crate) fn run_in_folder(
    out_dir: &Path,
    options: &FolderOptions,
    work: impl FnOnce(&Path) -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    let mut in_work = false;
    let line = write_folder(out_dir, options, |staging| {
        in_work = true;
        let line = work(staging)?;
        in_work = false;
        Ok::<_, anyhow::Error>(line)
    });
    match line {
        Err(e) if !in_work => Err(e.context(format!("writing outputs to {}", out_dir.display()))),
        other => other,
    }
}
