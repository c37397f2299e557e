//! Writers for the output tables (methodology §12): CSV and Parquet, atomic and deterministic.
//!
//! * [`format_g17`] / [`write_g17`] write numbers like C's `%.17g`;
//! * [`sort_tables`] puts the rows in §12 order (call it before writing);
//! * [`write_outputs`] writes every table as CSV and/or Parquet plus `run.json` as one
//!   complete run ([`write_folder`]: staged beside the target, swapped in at the end, locked
//!   against a concurrent run, `run.json` listing every file with its size and SHA-256);
//! * [`write_folder`] is that contract for any writer (every command writing a folder uses
//!   it); [`folder_files`] lists a folder's files as `run.json` does;
//! * [`table_csv`] gives one table as CSV text, [`push_csv_field`] quotes one CSV field;
//! * [`read_csv_tables`] reads a CSV output folder back (for `evstudy report`);
//! * [`to_dataframes`] gives the tables as polars DataFrames;
//! * [`write_latex`] writes `headline.tex` (and `differences.tex`) for a paper.
//!
//! Same tables in, byte-identical files out (Parquet included: no timestamps, no variable
//! metadata).

mod csv;
mod digest;
mod folder;
mod format;
mod frames;
mod latex;
mod lock;
mod manifest;
mod parquet;
mod read;
mod sort;
mod swap;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use self::csv::{
    abnormal_returns_csv, cars_csv, csv_files, day0_csv, model_fit_extra_columns, model_fits_csv,
    push_csv_field, table_csv, tests_csv,
};
pub use self::folder::{refuse_inputs, write_folder, FolderOptions, Previous};
pub use self::format::{format_g17, write_g17};
pub use self::frames::{parquet_bytes, to_dataframes};
pub use self::latex::{differences_tex, headline_tex, latex_escape, latex_files, write_latex};
pub use self::manifest::{folder_files, FileEntry};
pub use self::read::read_csv_tables;
pub use self::sort::sort_tables;
pub(crate) use digest::{hex, read_digest};

use crate::error::{Error, Result};
use crate::tables::TableSet;

/// A file format for the output tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// Comma-separated text, numbers with `%.17g` (§12).
    Csv,
    /// Apache Parquet (zstd), typed columns.
    Parquet,
}

impl OutputFormat {
    /// The file extension (and the name accepted by [`std::str::FromStr`]).
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Csv => "csv",
            OutputFormat::Parquet => "parquet",
        }
    }
}

impl std::str::FromStr for OutputFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(OutputFormat::Csv),
            "parquet" => Ok(OutputFormat::Parquet),
            other => Err(Error::config(format!(
                "unknown output format '{other}' (use csv or parquet)"
            ))),
        }
    }
}

/// Writes `bytes` to `path` atomically: first to `<name>.tmp-<pid>` in the same folder, flushed
/// to disk, then renamed over `path`. A failed write removes the temporary file.
///
/// # Errors
/// [`Error::Io`] naming the path that could not be written or renamed.
///
/// # Examples
///
/// ```
/// let dir = std::env::temp_dir().join(format!("evstudy-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// evstudy::output::write_atomic(&dir.join("a.txt"), b"hello").unwrap();
/// assert_eq!(std::fs::read(dir.join("a.txt")).unwrap(), b"hello");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// [`write_atomic`] of the bytes `fill` writes into the (temporary) file; their SHA-256 is
/// taken as they are written, for `run.json` ([`digest`]).
fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut digest::HashingFile) -> std::io::Result<()>,
) -> Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::file(path.display().to_string(), "not a file path"))?
        .to_string_lossy()
        .into_owned();
    let tmp = path.with_file_name(format!("{file_name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = digest::HashingFile::new(std::fs::File::create(&tmp)?);
        fill(&mut f)?;
        f.sync_and_record(path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Creates `dir` (and parents) with an error that names it.
pub(crate) fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    if !dir.is_dir() {
        return Err(Error::file(
            dir.display().to_string(),
            "exists and is not a folder",
        ));
    }
    Ok(())
}

/// Writes a set of output tables (a study's or a backtest's) into `dir` and returns the paths
/// written, in order.
///
/// For each format in `formats` (duplicates ignored) every table of the set (for a study the
/// ten tables `abnormal_returns`, `cars`, `model_fits`, `aggregate`, `tests`, `exclusions`,
/// `day0_mapping`, `headline`, `events` and `securities`, plus `differences` when it has rows)
/// is written as `<table>.csv` / `<table>.parquet`, then `run.json` (pretty-printed `run_json`, `\n`
/// at the end, plus the `files` list of [`write_folder`]). Rows are written in the order they
/// have in `tables`: call [`sort_tables`] first for the §12 order. The folder is one complete
/// run ([`write_folder`] with [`FolderOptions::REPLACE`]): nothing of a previous run is kept.
/// Called inside another writer's [`write_folder`], the files join that run. Same inputs give
/// byte-identical files (`run.json` aside, whose `files` list follows the other files).
///
/// # Errors
/// [`Error::Io`] naming the folder or file that could not be created or written (for
/// example a read-only folder); [`Error::File`] for a folder [`write_folder`] refuses;
/// [`Error::Polars`] if Parquet encoding fails.
///
/// # Examples
///
/// ```
/// use evstudy::output::{write_outputs, OutputFormat};
/// use evstudy::tables::StudyTables;
/// let dir = std::env::temp_dir().join(format!("evstudy-doc-out-{}", std::process::id()));
/// let files = write_outputs(&dir, &StudyTables::default(), &[OutputFormat::Csv],
///                           &serde_json::json!({"model": "market_model"})).unwrap();
/// assert_eq!(files.len(), 11);
/// assert_eq!(std::fs::read_to_string(dir.join("exclusions.csv")).unwrap(),
///            "event_id,security,stage,reason,detail\n");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_outputs<S: TableSet>(
    dir: &Path,
    tables: &S,
    formats: &[OutputFormat],
    run_json: &serde_json::Value,
) -> Result<Vec<PathBuf>> {
    write_folder(dir, &FolderOptions::REPLACE, |staging| {
        let written = write_tables(staging, tables, formats, run_json)?;
        Ok(written
            .iter()
            .map(|p| dir.join(p.strip_prefix(staging).unwrap_or(p)))
            .collect())
    })
}

/// [`write_outputs`] into the existing folder `dir`, file by file.
fn write_tables<S: TableSet>(
    dir: &Path,
    tables: &S,
    formats: &[OutputFormat],
    run_json: &serde_json::Value,
) -> Result<Vec<PathBuf>> {
    let want_csv = formats.contains(&OutputFormat::Csv);
    let want_parquet = formats.contains(&OutputFormat::Parquet);
    // CSV and Parquet are rendered concurrently, each format writing its files as soon as
    // they are rendered (so one format's file I/O overlaps the other's rendering).
    let (csv_paths, parquet_paths) = rayon::join(
        || {
            if want_csv {
                write_csv_files(dir, tables)
            } else {
                Ok(Vec::new())
            }
        },
        || {
            if want_parquet {
                write_parquet_files(dir, tables)
            } else {
                Ok(Vec::new())
            }
        },
    );
    let (csv_paths, parquet_paths) = (csv_paths?, parquet_paths?);
    // The paths in `formats` order (duplicates ignored).
    let mut written = Vec::new();
    let mut done_csv = false;
    let mut done_parquet = false;
    for &format in formats {
        match format {
            OutputFormat::Csv if !done_csv => {
                done_csv = true;
                written.extend(csv_paths.iter().cloned());
            }
            OutputFormat::Parquet if !done_parquet => {
                done_parquet = true;
                written.extend(parquet_paths.iter().cloned());
            }
            _ => {}
        }
    }
    let mut json = serde_json::to_string_pretty(run_json)
        .map_err(|e| Error::file(dir.join("run.json").display().to_string(), e.to_string()))?;
    json.push('\n');
    let path = dir.join("run.json");
    write_atomic(&path, json.as_bytes())?;
    written.push(path);
    Ok(written)
}

/// Writes the CSV files of the tables into `dir`, each streamed a batch of rows at a time
/// into its temporary file (the rows are formatted in parallel chunks kept in order, and no
/// table is held in memory as text); returns the paths in table order.
fn write_csv_files<S: TableSet>(dir: &Path, tables: &S) -> Result<Vec<PathBuf>> {
    use rayon::prelude::*;
    csv::csv_renderers(tables)
        .par_iter()
        .map(|(name, render)| {
            let path = dir.join(name);
            write_atomic_with(&path, |f| render(&mut |bytes: &[u8]| f.write_all(bytes)))?;
            Ok(path)
        })
        .collect()
}

/// Writes the Parquet files of the tables into `dir`, each row group by row group
/// ([`parquet::write_parquet_table`]); returns the paths in table order. The bytes do not
/// depend on the thread count.
fn write_parquet_files<S: TableSet>(dir: &Path, tables: &S) -> Result<Vec<PathBuf>> {
    use crate::tables::{RowSource, Table, TableRows, TableVisitor};
    use rayon::prelude::*;
    type Writer<'a> = Box<dyn Fn(&Path) -> Result<PathBuf> + Send + Sync + 'a>;
    struct Writers<'a>(Vec<Writer<'a>>);
    impl<'a> Writers<'a> {
        fn push<T: Table>(&mut self, rows: TableRows<'a, T>) {
            self.0.push(Box::new(move |dir: &Path| {
                let path = dir.join(format!("{}.parquet", T::NAME));
                parquet::write_parquet_table(&path, rows)?;
                Ok(path)
            }));
        }
    }
    impl<'a> TableVisitor<'a> for Writers<'a> {
        fn table<T: Table>(&mut self, rows: &'a [T]) {
            self.push(TableRows::Held(rows));
        }
        fn made<T: Table>(&mut self, rows: &'a dyn RowSource<T>) {
            self.push(TableRows::Made(rows));
        }
    }
    let mut writers = Writers(Vec::new());
    tables.visit(&mut writers);
    writers.0.par_iter().map(|write| write(dir)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::StudyTables;

    fn golden_tables() -> Option<StudyTables> {
        let shared = crate::shared_data::shared_dir()?;
        Some(read_csv_tables(&shared.join("golden/spec/b_panel")).expect("golden parses"))
    }

    #[test]
    fn write_outputs_is_byte_identical_across_runs() {
        let Some(tables) = golden_tables() else {
            return;
        };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let json = serde_json::json!({"model": "market_model", "windows": ["-1:1", "0:3"]});
        let formats = [OutputFormat::Csv, OutputFormat::Parquet];
        let fa = write_outputs(&a.path().join("out"), &tables, &formats, &json).unwrap();
        let fb = write_outputs(&b.path().join("out"), &tables, &formats, &json).unwrap();
        assert_eq!(fa.len(), 21);
        for (pa, pb) in fa.iter().zip(&fb) {
            assert_eq!(pa.file_name(), pb.file_name());
            assert_eq!(
                std::fs::read(pa).unwrap(),
                std::fs::read(pb).unwrap(),
                "{}",
                pa.display()
            );
        }
        // No temporary files left behind.
        let leftovers: Vec<_> = std::fs::read_dir(a.path().join("out"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
        // The CSV output reads back to the same tables.
        let back = read_csv_tables(&a.path().join("out")).unwrap();
        assert_eq!(back.cars, tables.cars);
        assert_eq!(back.tests, tables.tests);
        assert_eq!(back.exclusions, tables.exclusions);
    }

    #[test]
    fn parquet_reads_back_with_types() {
        let Some(tables) = golden_tables() else {
            return;
        };
        let frames = to_dataframes(&tables).unwrap();
        let (name, df) = &frames[0];
        let bytes = parquet_bytes(name, df).unwrap();
        let back = polars::prelude::ParquetReader::new(std::io::Cursor::new(bytes));
        use polars::prelude::SerReader;
        let back = back.finish().unwrap();
        assert_eq!(back.shape(), (50, 12));
        assert_eq!(
            back.column("date").unwrap().dtype(),
            &polars::prelude::DataType::Date
        );
        let ar = back.column("ar").unwrap().f64().unwrap().clone();
        for (k, row) in tables.abnormal_returns.iter().enumerate() {
            assert_eq!(ar.get(k), row.ar);
        }
    }

    #[test]
    fn unwritable_folder_error_names_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        // A folder below a regular file cannot be created.
        let target = blocker.join("out");
        let err = write_outputs(
            &target,
            &StudyTables::default(),
            &[OutputFormat::Csv],
            &serde_json::json!({}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains(&target.display().to_string()), "{err}");
    }

    #[test]
    fn output_format_parses() {
        assert_eq!("CSV".parse::<OutputFormat>().unwrap(), OutputFormat::Csv);
        assert_eq!(
            "parquet".parse::<OutputFormat>().unwrap(),
            OutputFormat::Parquet
        );
        assert!("xlsx".parse::<OutputFormat>().is_err());
    }
}
