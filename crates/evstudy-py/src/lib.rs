//! The `evstudy._evstudy` extension module: the study of the `evstudy` library called from
//! Python. The Python package (`python/evstudy/`) wraps it; this module keeps to four jobs:
//! settings in (JSON or a study file → `StudyFile`), tables in (Arrow C streams or paths →
//! the files the library reads), the run (with the GIL released) and tables out (Arrow C
//! streams).

use pyo3::prelude::*;

mod arrow;
mod inputs;
mod outcome;
mod study;

pyo3::create_exception!(
    evstudy,
    EvstudyError,
    pyo3::exceptions::PyValueError,
    "A user error: a bad setting or input file; the message names the file, row and column."
);

/// A library error as the Python exception `EvstudyError`, with the command line's message.
pub(crate) fn user_error(e: impl std::fmt::Display) -> PyErr {
    EvstudyError::new_err(e.to_string())
}

#[pymodule]
fn _evstudy(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("EvstudyError", m.py().get_type::<EvstudyError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<study::StudySpec>()?;
    m.add_class::<outcome::Outcome>()?;
    m.add_class::<arrow::ArrowTable>()?;
    Ok(())
}
