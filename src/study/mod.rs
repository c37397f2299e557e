//! A study: configuration ([`StudyConfig`], read from `study.toml` or built in code) and the
//! run that turns inputs into the tables of methodology §12.
//!
//! The run ([`run_study`]) is a sequence of phases, one file each: the run plan (every
//! setting parsed once), inputs, pairs (events × scopes, input checks), universe (calendars,
//! aligned series, series-level exclusions), day 0, the engine, per-pair rows, group labels
//! with their test battery, and same-date portfolios (§10). A run split across processes or
//! machines ([`run_partition`], [`merge_partials`]) runs the same phases, the engine's jobs
//! divided by security (`docs/scale.md`).
//!
//! # Examples
//! ```no_run
//! use evstudy::study::Study;
//! let study = Study::from_toml_file("datasets/demo/study.toml".as_ref())?;
//! let out = study.run()?;
//! println!("{} pairs analysed, {} exclusions", out.summary.pairs_analysed, out.tables.exclusions.len());
//! for (name, df) in out.dataframes()? {
//!     println!("{name}: {} rows", df.height());
//! }
//! # Ok::<(), evstudy::Error>(())
//! ```

mod battery;
mod bootstrap;
mod calendars;
mod car_regression;
mod compute;
mod config;
mod day0;
mod differences;
mod empty_run;
mod groups;
mod headline;
mod inputs;
mod made_rows;
mod merge;
mod metadata;
mod multiple_testing;
mod needed;
mod pairs;
mod partition;
mod plan;
mod portfolios;
mod rows;
mod run;
mod run_info;
mod securities;
mod series_checks;
mod single_firm;
mod timing;
mod universe;
mod volume;

pub use config::{parse_window, CalendarMode, SecuritySpec, StudyConfig, MODEL_NAMES};
pub use merge::merge_partials;
pub use partition::{
    partition_of, run_partition, PartialManifest, PartialRun, Partition, PARTIAL_FORMAT,
};
pub use rows::AbnormalReturnRows;
pub use run::{run_study, run_study_with};
pub use securities::read_securities_file;
pub use timing::{peak_memory_kib, PhaseTiming};
pub use volume::log_volume;

use crate::error::Result;
use crate::returns::AlignedSeries;
use crate::stats::GroupDiagnostics;
use crate::tables::StudyTables;
use std::path::Path;

/// What a run produces besides the tables.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Pairs from the event file after scope expansion.
    pub pairs_total: usize,
    /// Pairs analysed (passed day 0 and estimation).
    pub pairs_analysed: usize,
    /// Per group label, in label order: r̄, S_CDA, S_V and friends.
    pub diagnostics: Vec<LabelDiagnostics>,
    /// Input files with size and SHA-256.
    pub inputs: Vec<InputFile>,
    /// Wall time and peak memory at the end of each phase (not written to run.json: outputs
    /// stay deterministic).
    pub timings: Vec<PhaseTiming>,
    /// What would make the pairs analysable, when none passed the input checks (a security
    /// or benchmark ticker with no prices that is close to a ticker of the price files).
    pub hints: Vec<String>,
    /// Warnings about the inputs that do not stop the run (a factor file whose scale looks
    /// wrong).
    pub warnings: Vec<String>,
    /// Notes written to `run.json` (`notes`, only when there is one): a `[[differences]]`
    /// label that names no analysed group.
    pub notes: Vec<String>,
}

/// The diagnostics of one group label.
#[derive(Debug, Clone)]
pub struct LabelDiagnostics {
    /// Group label (`all`, a group name, `category:…`, `security_group:…`, `event:…`).
    pub group: String,
    /// r̄, S_CDA, S_V and friends.
    pub diagnostics: GroupDiagnostics,
}

/// An input file as listed in `run.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Path as configured.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// The result of [`run_study`].
#[derive(Debug, Clone)]
pub struct StudyRun {
    /// Every output table, sorted as methodology §12 says.
    pub tables: StudyTables,
    /// Counts, diagnostics, input hashes and timings.
    pub summary: RunSummary,
    /// The aligned series of every security that entered the analysis, in ticker order.
    pub series: std::sync::Arc<[AlignedSeries]>,
}

/// A configured study.
#[derive(Debug, Clone)]
pub struct Study {
    /// The configuration, paths resolved.
    pub config: StudyConfig,
}

/// The result of [`Study::run`].
#[derive(Debug, Clone)]
pub struct StudyOutput {
    /// Every output table, sorted as methodology §12 says.
    pub tables: StudyTables,
    /// Counts, diagnostics and input hashes.
    pub summary: RunSummary,
    /// `run.json`: version, configuration as resolved, inputs, counts.
    pub run_info: serde_json::Value,
}

impl Study {
    /// A study from a configuration built in code.
    pub fn new(config: StudyConfig) -> Study {
        Study { config }
    }

    /// Read `study.toml` (relative paths resolved against its folder).
    pub fn from_toml_file(path: &Path) -> Result<Study> {
        Ok(Study {
            config: StudyConfig::from_toml_file(path)?,
        })
    }

    /// Run the study: every table, sorted, plus `run.json`.
    ///
    /// # Errors
    /// Those of [`run_study`], and [`Error::NothingAnalysed`](crate::Error::NothingAnalysed)
    /// when every pair was excluded (the message names the most frequent reasons).
    pub fn run(&self) -> Result<StudyOutput> {
        study_output(&self.config, run_study(&self.config)?)
    }

    /// [`Study::run`] with the `abnormal_returns` rows held (as `run` does) or made when the
    /// tables are written ([`AbnormalReturnRows::Made`]: the writers' files are the same, the
    /// memory of millions of rows is not spent; the rows are then in
    /// `tables.abnormal_returns_made`, and `tables.abnormal_returns` is empty).
    ///
    /// # Errors
    /// As [`Study::run`].
    pub fn run_with(&self, ar: AbnormalReturnRows) -> Result<StudyOutput> {
        study_output(&self.config, run_study_with(&self.config, ar)?)
    }
}

/// The [`StudyOutput`] of a finished run: its tables, summary and `run.json`.
///
/// # Errors
/// [`Error::NothingAnalysed`](crate::Error::NothingAnalysed) when every pair was excluded.
fn study_output(config: &StudyConfig, run: StudyRun) -> Result<StudyOutput> {
    let StudyRun {
        tables, summary, ..
    } = run;
    if summary.pairs_analysed == 0 {
        return Err(empty_run::nothing_analysed(
            summary.pairs_total,
            &tables.exclusions,
            &summary.hints,
        ));
    }
    let run_info = run_info::run_info(config, &tables, &summary);
    Ok(StudyOutput {
        tables,
        summary,
        run_info,
    })
}

impl StudyOutput {
    /// The tables as polars DataFrames (dates as dates).
    pub fn dataframes(&self) -> Result<Vec<(&'static str, polars::prelude::DataFrame)>> {
        crate::output::to_dataframes(&self.tables)
    }
}
