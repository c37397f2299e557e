//! A folder of Parquet files as one long price source (methodology §1.1), as Spark, polars
//! (`write_parquet(partition_by=…)`) and pyarrow datasets store large panels: the files below
//! the folder are read in path order, each with only the columns the source uses; hive
//! partitions (`key=value` folder names such as `ticker=NVDA/` or `year=2024/`) become text
//! columns; and a partition of the ticker column whose ticker the run does not need is never
//! opened, so a study that touches a tenth of the securities reads about a tenth of the bytes.

use polars::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::csv::display_path;
use super::parquet::{frame_to_text, read_parquet_frame, Projection};
use super::source::{Layout, PriceSource};
use super::table::TextTable;
use crate::error::{Error, Result};

/// A Parquet file of a folder source with the hive partitions of its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartFile {
    /// The file.
    pub path: PathBuf,
    /// `(key, value)` of each `key=value` folder between the source folder and the file,
    /// outermost first, values percent-decoded (`%5EGSPC` → `^GSPC`).
    pub partitions: Vec<(String, String)>,
}

/// The Parquet files of the folder source `src` that a run needing the tickers `wanted`
/// (`None`: every ticker) reads, in path order: every `.parquet`/`.pq` file below the folder,
/// less those in a partition of the ticker column (`<ticker_col>=<ticker>`) whose ticker,
/// after `rename`, is outside `wanted` or the source's `tickers` filter. Hidden files and
/// folders (`.` or `_` first, e.g. `_SUCCESS`) are skipped.
///
/// # Errors
/// A folder that cannot be listed; a folder without Parquet files.
///
/// # Examples
/// ```
/// use evstudy::data::{parquet_folder_files, PriceSource};
/// use std::collections::BTreeSet;
/// let dir = tempfile::tempdir().unwrap();
/// for t in ["AAA", "BBB"] {
///     let part = dir.path().join(format!("ticker={t}"));
///     std::fs::create_dir(&part).unwrap();
///     std::fs::write(part.join("part-0.parquet"), b"").unwrap();
/// }
/// let wanted = BTreeSet::from(["BBB".to_string()]);
/// let files = parquet_folder_files(&PriceSource::new(dir.path()), Some(&wanted)).unwrap();
/// assert_eq!(files.len(), 1);
/// assert_eq!(files[0].partitions, [("ticker".to_string(), "BBB".to_string())]);
/// ```
pub fn parquet_folder_files(
    src: &PriceSource,
    wanted: Option<&BTreeSet<String>>,
) -> Result<Vec<PartFile>> {
    let mut files = Vec::new();
    walk(&src.path, &mut Vec::new(), &mut files)?;
    if files.is_empty() {
        return Err(Error::file(
            display_path(&src.path),
            "is a directory, expected a CSV or Parquet file, or a folder of Parquet files \
             (*.parquet, *.pq), and it holds none",
        ));
    }
    files.retain(|f| needed(src, f, wanted));
    Ok(files)
}

/// Collect the Parquet files below `dir` (sorted by name at each level) into `out`.
fn walk(dir: &Path, parts: &mut Vec<(String, String)>, out: &mut Vec<PartFile>) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<PathBuf>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        if path.is_dir() {
            let pushed = match name.split_once('=') {
                Some((k, v)) => {
                    parts.push((k.to_string(), percent_decode(v)));
                    true
                }
                None => false,
            };
            walk(&path, parts, out)?;
            if pushed {
                parts.pop();
            }
        } else if is_parquet_name(name) {
            out.push(PartFile {
                path,
                partitions: parts.clone(),
            });
        }
    }
    Ok(())
}

fn is_parquet_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".parquet") || lower.ends_with(".pq")
}

/// `%XX` escapes decoded (hive writers escape characters such as `^` and `/`); anything that
/// is not a valid escape is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a file's ticker partition (if any) names a ticker the run reads.
fn needed(src: &PriceSource, f: &PartFile, wanted: Option<&BTreeSet<String>>) -> bool {
    let Some((_, raw)) = f.partitions.iter().find(|(k, _)| *k == src.ticker_col) else {
        return true;
    };
    let ticker = src.rename.get(raw).unwrap_or(raw);
    let listed = src.tickers.as_ref().is_none_or(|t| t.contains(ticker));
    listed && wanted.is_none_or(|w| w.contains(ticker))
}

/// The rows of the folder source `src` that a run needing `wanted` reads, as one table of
/// cells: the files of [`parquet_folder_files`] stacked in path order, each with its used columns and
/// its used partition columns. Rows in messages count across those files in that order.
///
/// # Errors
/// A wide layout (a folder is read as a long table); an unreadable file; files whose
/// columns differ, naming the file.
pub(super) fn read_folder_text(
    src: &PriceSource,
    wanted: Option<&BTreeSet<String>>,
) -> Result<TextTable> {
    let folder = display_path(&src.path);
    if src.layout == Layout::Wide {
        return Err(Error::file(
            folder,
            "a folder of Parquet files is read as a long table: set layout = \"long\"",
        ));
    }
    let mut stacked: Option<DataFrame> = None;
    for part in parquet_folder_files(src, wanted)? {
        let df = part_frame(src, &part)?;
        match stacked.as_mut() {
            None => stacked = Some(df),
            Some(all) => stack(all, &df, &part.path)?,
        }
    }
    let df = stacked.unwrap_or_default();
    frame_to_text(
        format!("{folder} (rows counted across its files in path order)"),
        &df,
        src,
    )
}

/// One file's used columns, its used partition columns added, numbers as `f64`.
fn part_frame(src: &PriceSource, part: &PartFile) -> Result<DataFrame> {
    let mut df = read_parquet_frame(&part.path, src, Projection::Used)?;
    let file = display_path(&part.path);
    let height = df.height();
    for (key, value) in &part.partitions {
        let used = *key == src.ticker_col
            || src.source_col.as_deref() == Some(key)
            || src.tradestatus_col.as_deref() == Some(key);
        if used && df.column(key).is_err() {
            let col = Column::new(key.as_str().into(), vec![value.as_str(); height]);
            df.with_column(col).map_err(|e| polars_error(&file, e))?;
        }
    }
    let numeric: Vec<String> = df
        .columns()
        .iter()
        .filter(|c| c.dtype().is_primitive_numeric() && c.dtype() != &DataType::Float64)
        .map(|c| c.name().to_string())
        .collect();
    for name in numeric {
        let cast = df
            .column(&name)
            .and_then(|c| c.cast(&DataType::Float64))
            .map_err(|e| polars_error(&file, e))?;
        df.with_column(cast).map_err(|e| polars_error(&file, e))?;
    }
    Ok(df)
}

/// Append `df` (read from `path`) below `all`, its columns in `all`'s order.
fn stack(all: &mut DataFrame, df: &DataFrame, path: &Path) -> Result<()> {
    let file = display_path(path);
    let names: Vec<PlSmallStr> = all.get_column_names_owned();
    let same_set = df.width() == names.len() && names.iter().all(|n| df.column(n).is_ok());
    if !same_set {
        return Err(Error::file(
            file,
            format!(
                "its columns [{}] differ from those of the folder's first file [{}]",
                column_list(df),
                column_list(all)
            ),
        ));
    }
    let ordered = df.select(names).map_err(|e| polars_error(&file, e))?;
    all.vstack_mut(&ordered)
        .map_err(|e| polars_error(&file, e))?;
    Ok(())
}

fn column_list(df: &DataFrame) -> String {
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    names.join(", ")
}

fn polars_error(file: &str, e: PolarsError) -> Error {
    Error::Polars {
        file: file.to_string(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_of_hive_folders_are_decoded() {
        assert_eq!(percent_decode("%5EGSPC"), "^GSPC");
        assert_eq!(percent_decode("0700.HK"), "0700.HK");
        assert_eq!(percent_decode("a%2"), "a%2", "an incomplete escape is kept");
        assert_eq!(percent_decode("%zz1"), "%zz1", "not hex: kept");
    }

    #[test]
    fn ticker_partitions_are_pruned_after_rename_and_filter() {
        let mut src = PriceSource::new("unused");
        src.rename.insert("OLD".into(), "NEW".into());
        src.tickers = Some(vec!["NEW".into(), "B".into()]);
        let part = |t: &str| PartFile {
            path: PathBuf::from("x.parquet"),
            partitions: vec![("year".into(), "2024".into()), ("ticker".into(), t.into())],
        };
        let wanted = BTreeSet::from(["NEW".to_string()]);
        assert!(needed(&src, &part("OLD"), Some(&wanted)), "renamed, wanted");
        assert!(
            !needed(&src, &part("B"), Some(&wanted)),
            "listed, not wanted"
        );
        assert!(needed(&src, &part("B"), None), "every ticker wanted");
        assert!(
            !needed(&src, &part("C"), None),
            "outside the tickers filter"
        );
        let unpartitioned = PartFile {
            path: PathBuf::from("x.parquet"),
            partitions: vec![("year".into(), "2024".into())],
        };
        assert!(needed(&src, &unpartitioned, Some(&wanted)));
    }
}
