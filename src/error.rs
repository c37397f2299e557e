//! The library's one error type.
//!
//! Every error a user can cause names what to fix: the file, the 1-based row as the user sees
//! it in the file (the header is row 1), and the column. Errors stop a run; everything that
//! only affects one event is an [`Exclusion`](crate::tables::ExclusionRow) instead.

use std::path::PathBuf;

/// Result alias used throughout evstudy.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a study.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value in an input file is unusable. `row` is 1-based as seen in the file (header = 1).
    #[error("{file}: row {row}, column '{column}': {message}")]
    Cell {
        /// The file the value came from.
        file: String,
        /// 1-based row number in the file (the header is row 1).
        row: usize,
        /// Column name.
        column: String,
        /// What is wrong and, where possible, what to do.
        message: String,
    },
    /// A required column is absent.
    #[error("{file}: missing column '{column}' (columns present: {present})")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column that was expected.
        column: String,
        /// The columns that are present, comma-separated.
        present: String,
    },
    /// A file-level problem (empty, unreadable, wrong format).
    #[error("{file}: {message}")]
    File {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An I/O error on a path.
    #[error("{path}: {error}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error, shown in the message. Not named `source`: thiserror would
        /// chain it as the error's source, and `{:#}` would print its text twice.
        error: std::io::Error,
    },
    /// The study configuration is inconsistent (methodology §0.4).
    #[error("configuration: {0}")]
    Config(String),
    /// The run analysed no event–security pair: every pair was excluded. The message lists
    /// the most frequent exclusion reasons and what would make the pairs analysable.
    #[error("no pair analysed ({pairs} pair(s), all excluded): {reasons}{hints}")]
    NothingAnalysed {
        /// Pairs after scope expansion.
        pairs: usize,
        /// The most frequent exclusion reasons with their counts, e.g.
        /// `unknown_benchmark ×2, bad_event_time ×1`.
        reasons: String,
        /// Suggestions, each starting with `; ` (empty when there is none).
        hints: String,
    },
    /// An error reported by polars that could not be attributed to a cell.
    #[error("{file}: {message}")]
    Polars {
        /// The file being read or written.
        file: String,
        /// polars' message.
        message: String,
    },
}

impl Error {
    /// A configuration error.
    pub fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }
    /// A cell error.
    pub fn cell(
        file: impl Into<String>,
        row: usize,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Cell {
            file: file.into(),
            row,
            column: column.into(),
            message: message.into(),
        }
    }
    /// A file-level error.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Error::File {
            file: file.into(),
            message: message.into(),
        }
    }
    /// An I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error,
        }
    }
}
