//! A study: configuration ([`StudyConfig`], read from `study.toml` or built in code) and the
//! pipeline that turns inputs into the tables of methodology §12.
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

mod config;
mod pipeline;

pub use config::{parse_window, CalendarMode, SecuritySpec, StudyConfig, MODEL_NAMES};
pub use pipeline::{read_securities_file, run_study, run_study_with_series, RunSummary};

use crate::error::Result;
use crate::tables::StudyTables;
use std::path::Path;

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
    pub fn run(&self) -> Result<StudyOutput> {
        let (mut tables, summary) = run_study(&self.config)?;
        let window_order: Vec<String> = self
            .config
            .event_windows
            .iter()
            .map(|w| {
                crate::study::parse_window(w)
                    .map(|w| w.label())
                    .unwrap_or_else(|_| w.clone())
            })
            .collect();
        let t0 = std::time::Instant::now();
        crate::output::sort_tables(&mut tables, &window_order);
        let mut summary = summary;
        summary.timings.push(("sort", t0.elapsed().as_secs_f64()));
        let run_info = self.run_info(&tables, &summary);
        Ok(StudyOutput {
            tables,
            summary,
            run_info,
        })
    }

    fn run_info(&self, tables: &StudyTables, summary: &RunSummary) -> serde_json::Value {
        let mut excluded: std::collections::BTreeMap<String, usize> = Default::default();
        for e in &tables.exclusions {
            *excluded
                .entry(format!("{}:{}", e.stage.as_str(), e.reason))
                .or_default() += 1;
        }
        serde_json::json!({
            "evstudy_version": env!("CARGO_PKG_VERSION"),
            "config": self.config,
            "inputs": summary.inputs.iter().map(|(p, size, hash)| serde_json::json!({"path": p, "bytes": size, "sha256": hash})).collect::<Vec<_>>(),
            "counts": {
                "pairs": summary.pairs_total,
                "pairs_analysed": summary.pairs_analysed,
                "exclusions_by_reason": excluded,
            },
            "group_diagnostics": summary.diagnostics.iter().map(|(g, d)| serde_json::json!({
                "group": g, "n_events": d.n_events, "rbar": d.rbar, "n_pairs_used": d.n_pairs_used,
                "s_cda": d.s_cda, "df_cda": d.df_cda, "s_rank": d.s_rank, "n_rank_days": d.n_rank_days,
            })).collect::<Vec<_>>(),
        })
    }
}

impl StudyOutput {
    /// The tables as polars DataFrames (dates as dates).
    pub fn dataframes(&self) -> Result<Vec<(&'static str, polars::prelude::DataFrame)>> {
        crate::output::to_dataframes(&self.tables)
    }
}
