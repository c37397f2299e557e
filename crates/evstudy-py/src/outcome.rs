//! The result of a run held for Python: its tables by name (whatever the run's `TableSet`
//! visits, so a new table needs no change here), its files and its report.

use crate::arrow::ArrowTable;
use evstudy::backtest::BacktestRun;
use evstudy::output::{
    to_dataframes, write_folder, write_latex, write_outputs, FolderOptions, OutputFormat,
};
use evstudy::report::{backtest_report_info, render_backtest_report, render_report, write_report};
use evstudy::{StudyFile, StudyOutput};
use polars::prelude::DataFrame;
use pyo3::prelude::*;
use std::path::PathBuf;

enum Run {
    Study(StudyOutput),
    Backtest(Box<BacktestRun>, serde_json::Value),
}

/// A finished run: tables, `run.json`, report.
#[pyclass(frozen, module = "evstudy._evstudy")]
pub struct Outcome {
    run: Run,
    title: String,
    frames: Vec<(&'static str, DataFrame)>,
}

impl Outcome {
    pub(crate) fn study(output: StudyOutput, title: String) -> PyResult<Outcome> {
        let frames = to_dataframes(&output.tables).map_err(crate::user_error)?;
        Ok(Outcome {
            run: Run::Study(output),
            title,
            frames,
        })
    }

    pub(crate) fn backtest(run: BacktestRun, cfg: &StudyFile) -> PyResult<Outcome> {
        let frames = to_dataframes(&run.tables).map_err(crate::user_error)?;
        let info = backtest_report_info(cfg, &run.notes);
        Ok(Outcome {
            run: Run::Backtest(Box::new(run), info),
            title: cfg.title.clone(),
            frames,
        })
    }
}

#[pymethods]
impl Outcome {
    /// The names of the tables, in file order.
    fn table_names(&self) -> Vec<&'static str> {
        self.frames.iter().map(|(n, _)| *n).collect()
    }

    /// One table as an Arrow C stream.
    fn table(&self, name: &str) -> PyResult<ArrowTable> {
        self.frames
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, f)| ArrowTable::new(n, f.clone()))
            .ok_or_else(|| {
                pyo3::exceptions::PyKeyError::new_err(format!(
                    "no table '{name}' (tables: {})",
                    self.table_names().join(", ")
                ))
            })
    }

    /// The study's title.
    #[getter]
    fn title(&self) -> &str {
        &self.title
    }

    /// `run.json` of the run (settings, counts, warnings), as JSON text.
    fn run_info_json(&self) -> String {
        match &self.run {
            Run::Study(o) => o.run_info.to_string(),
            Run::Backtest(_, info) => info.to_string(),
        }
    }

    /// Writes the tables (and `run.json`, and for a study the LaTeX tables) into `dir`, as
    /// `evstudy run` does; returns the files written.
    fn write(&self, py: Python<'_>, dir: PathBuf, formats: Vec<String>) -> PyResult<Vec<PathBuf>> {
        let formats = formats
            .iter()
            .map(|f| f.parse::<OutputFormat>())
            .collect::<evstudy::Result<Vec<_>>>()
            .map_err(crate::user_error)?;
        py.detach(|| {
            write_folder::<_, evstudy::Error>(&dir, &FolderOptions::REPLACE, |staging| {
                let mut written = match &self.run {
                    Run::Study(o) => {
                        let mut w = write_outputs(staging, &o.tables, &formats, &o.run_info)?;
                        w.extend(write_latex(staging, &o.tables)?);
                        w
                    }
                    Run::Backtest(b, info) => write_outputs(staging, &b.tables, &formats, info)?,
                };
                for p in &mut written {
                    *p = dir.join(p.strip_prefix(staging).unwrap_or(p));
                }
                Ok(written)
            })
        })
        .map_err(crate::user_error)
    }

    /// Writes the report (`report.html`, `report.md`, charts) into `dir`.
    fn report(&self, py: Python<'_>, dir: PathBuf) -> PyResult<()> {
        py.detach(|| {
            let report = match &self.run {
                Run::Study(o) => render_report(&o.tables, &o.run_info, &self.title),
                Run::Backtest(b, info) => {
                    render_backtest_report(&b.tables, &b.study.tables, info, &self.title)
                }
            };
            write_report(&dir, &report)
        })
        .map_err(crate::user_error)
    }
}
