//! The inputs given to `Study.run`: a path replaces the study file's, and an in-memory table
//! (anything with `__arrow_c_stream__`) is written to a private folder in the format the
//! library reads (Parquet for prices, which keeps every value exactly; CSV for events and
//! securities, the only formats of those files), and the study file then points at it.

use crate::arrow::import_frame;
use evstudy::data::PriceSource;
use evstudy::StudyFile;
use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, SerWriter};
use pyo3::prelude::*;
use std::path::{Path, PathBuf};

/// The in-memory tables of one run, staged as files; the folder goes when this is dropped.
pub(crate) struct Staged {
    dir: Option<tempfile::TempDir>,
    /// (file written, the name given in messages instead).
    labels: Vec<(String, String)>,
}

impl Staged {
    /// A library message with the staged files' paths replaced by the names of the tables
    /// they came from.
    pub(crate) fn message(&self, e: impl std::fmt::Display) -> String {
        let mut text = e.to_string();
        for (path, label) in &self.labels {
            text = text.replace(path.as_str(), label);
        }
        text
    }
}

/// The three inputs of `run`, each `None` (keep the study file's), a path or a table.
pub(crate) struct Given<'py> {
    pub prices: Option<Bound<'py, PyAny>>,
    pub events: Option<Bound<'py, PyAny>>,
    pub securities: Option<Bound<'py, PyAny>>,
}

/// Applies the inputs to `cfg`, writing the in-memory ones into a new private folder.
pub(crate) fn stage(cfg: &mut StudyFile, given: &Given<'_>) -> PyResult<Staged> {
    let mut staged = Staged {
        dir: None,
        labels: Vec::new(),
    };
    if let Some(obj) = &given.prices {
        let path = place(&mut staged, obj, "prices", "parquet")?;
        let first = cfg.prices.first().cloned();
        cfg.prices = vec![price_source(first, path)?];
    }
    if let Some(obj) = &given.events {
        cfg.events = Some(place(&mut staged, obj, "events", "csv")?);
    }
    if let Some(obj) = &given.securities {
        cfg.securities_file = Some(place(&mut staged, obj, "securities", "csv")?);
    }
    Ok(staged)
}

/// The study file's price settings (columns, layout, value kind) with `path` as the file;
/// the defaults when the study file names no price file.
fn price_source(first: Option<PriceSource>, path: PathBuf) -> PyResult<PriceSource> {
    match first {
        Some(src) => Ok(PriceSource { path, ..src }),
        None => {
            serde_json::from_value(serde_json::json!({ "path": path })).map_err(crate::user_error)
        }
    }
}

/// The path of `obj`: its own when it is a path, else the file it is written to.
fn place(staged: &mut Staged, obj: &Bound<'_, PyAny>, what: &str, ext: &str) -> PyResult<PathBuf> {
    if obj.hasattr("__arrow_c_stream__")? {
        let mut frame = import_frame(obj, what)?;
        let dir = match &staged.dir {
            Some(d) => d.path().to_path_buf(),
            None => {
                let d = tempfile::Builder::new()
                    .prefix("evstudy-inputs-")
                    .tempdir()
                    .map_err(crate::user_error)?;
                let p = d.path().to_path_buf();
                staged.dir = Some(d);
                p
            }
        };
        let path = dir.join(format!("{what}.{ext}"));
        write_frame(&path, &mut frame, ext)
            .map_err(|e| crate::user_error(format!("{what}: {e}")))?;
        staged.labels.push((
            path.display().to_string(),
            format!("{what} (in-memory table)"),
        ));
        return Ok(path);
    }
    obj.extract::<PathBuf>().map_err(|_| {
        crate::user_error(format!(
            "{what}: expected a path or a table (polars, pandas or pyarrow), got {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })
}

fn write_frame(path: &Path, frame: &mut DataFrame, ext: &str) -> polars::prelude::PolarsResult<()> {
    let file = std::fs::File::create(path)?;
    if ext == "parquet" {
        ParquetWriter::new(file).finish(frame)?;
    } else {
        CsvWriter::new(file).finish(frame)?;
    }
    Ok(())
}
