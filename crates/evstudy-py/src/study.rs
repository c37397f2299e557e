//! The settings of a study (`StudyFile`) held for Python, and its runs.

use crate::inputs::{stage, Given, Staged};
use crate::outcome::Outcome;
use evstudy::backtest::run_backtest;
use evstudy::study::Study;
use evstudy::StudyFile;
use pyo3::prelude::*;
use std::path::PathBuf;

/// A study's settings, as the study file holds them.
#[pyclass(frozen, module = "evstudy._evstudy")]
pub struct StudySpec {
    cfg: StudyFile,
}

#[pymethods]
impl StudySpec {
    /// Settings from a JSON object of study-file keys (paths as written, relative to the
    /// working folder); unknown keys rejected. The values are checked when the study runs,
    /// once its inputs are known.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<StudySpec> {
        let value: toml::Value = serde_json::from_str(text).map_err(crate::user_error)?;
        let toml_text = toml::to_string(&value).map_err(crate::user_error)?;
        let cfg = StudyFile::from_toml_str(&toml_text).map_err(crate::user_error)?;
        Ok(StudySpec { cfg })
    }

    /// Settings read from a study file (relative paths resolved against its folder).
    #[staticmethod]
    fn from_toml(path: PathBuf) -> PyResult<StudySpec> {
        let cfg = StudyFile::from_toml_file(&path).map_err(crate::user_error)?;
        Ok(StudySpec { cfg })
    }

    /// The settings as JSON (every key, defaults filled in).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.cfg).map_err(crate::user_error)
    }

    /// Runs the study; `prices`, `events`, `securities` replace the study file's inputs.
    #[pyo3(signature = (prices = None, events = None, securities = None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        prices: Option<Bound<'py, PyAny>>,
        events: Option<Bound<'py, PyAny>>,
        securities: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Outcome> {
        let (cfg, staged) = self.staged(Given {
            prices,
            events,
            securities,
        })?;
        let title = cfg.title.clone();
        let done = py.detach(|| Study::new(cfg).run());
        let output = done.map_err(|e| crate::user_error(staged.message(e)))?;
        Outcome::study(output, title)
    }

    /// Runs the study and its `[backtest]`.
    #[pyo3(signature = (prices = None, events = None, securities = None))]
    fn backtest<'py>(
        &self,
        py: Python<'py>,
        prices: Option<Bound<'py, PyAny>>,
        events: Option<Bound<'py, PyAny>>,
        securities: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Outcome> {
        let (cfg, staged) = self.staged(Given {
            prices,
            events,
            securities,
        })?;
        let done = py.detach(|| run_backtest(&cfg));
        let run = done.map_err(|e| crate::user_error(staged.message(e)))?;
        Outcome::backtest(run, &cfg)
    }
}

impl StudySpec {
    /// These settings with the inputs `given` as tables staged as files in their place.
    fn staged(&self, given: Given<'_>) -> PyResult<(StudyFile, Staged)> {
        let mut cfg = self.cfg.clone();
        let staged = stage(&mut cfg, &given)?;
        Ok((cfg, staged))
    }
}
