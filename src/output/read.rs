//! Reading the CSV outputs of a study back into [`StudyTables`] (for `evstudy report`).
//!
//! Each table is read through its [`Table`] definition: columns are found by name, cells are
//! parsed by the type of their field, and every error names the file, the row and the column.

use std::path::Path;

use crate::data::records::{csv_records, Dialect, QuoteErrorKind};
use crate::error::{Error, Result};
use crate::tables::{
    AbnormalReturnRow, AggregateRow, CarRow, CellReader, ExclusionRow, ModelFitRow, StudyTables,
    Table, TestRow, VolumeAbnormalRow, VolumeTables,
};

/// A parsed CSV table with named columns.
struct CsvTable {
    file: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl CsvTable {
    fn read(path: &Path) -> Result<CsvTable> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let records = csv_records(&text, Dialect::Written).map_err(|e| {
            debug_assert_eq!(e.kind, QuoteErrorKind::Unclosed);
            // The quote is open at the end of the file: name its last line.
            let line = 1 + text.bytes().filter(|&b| b == b'\n').count();
            Error::file(&file, format!("unterminated quoted field (line {line})"))
        })?;
        let mut records = records.into_iter().map(|r| r.fields);
        let header = records
            .next()
            .ok_or_else(|| Error::file(&file, "empty file (expected a header row)"))?;
        let rows: Vec<Vec<String>> = records.collect();
        for (k, r) in rows.iter().enumerate() {
            if r.len() != header.len() {
                return Err(Error::file(
                    &file,
                    format!(
                        "row {}: {} fields, the header has {}",
                        k + 2,
                        r.len(),
                        header.len()
                    ),
                ));
            }
        }
        Ok(CsvTable { file, header, rows })
    }

    /// Index of a required column.
    fn col(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                file: self.file.clone(),
                column: name.to_string(),
                present: self.header.join(", "),
            })
    }

    /// The rows as `T`: the fixed columns found by name, every other column an extra cell.
    fn rows<T: Table>(&self) -> Result<Vec<T>> {
        let fixed = T::COLUMNS
            .iter()
            .map(|name| self.col(name))
            .collect::<Result<Vec<usize>>>()?;
        let mut extras: Vec<usize> = (0..self.header.len())
            .filter(|k| !fixed.contains(k))
            .collect();
        extras.sort_by(|&a, &b| self.header[a].as_bytes().cmp(self.header[b].as_bytes()));
        (0..self.rows.len())
            .map(|row| {
                T::read_cells(&mut Fields {
                    table: self,
                    row,
                    fixed: &fixed,
                    extras: &extras,
                    next: 0,
                    col: 0,
                })
            })
            .collect()
    }
}

/// The cells of one row, given in column order, with errors that name file, row and column.
struct Fields<'a> {
    table: &'a CsvTable,
    row: usize,
    fixed: &'a [usize],
    extras: &'a [usize],
    /// The next fixed column to give.
    next: usize,
    /// The column of the cell given last.
    col: usize,
}

impl Fields<'_> {
    fn error_at(&self, col: usize, message: String) -> Error {
        Error::cell(
            &self.table.file,
            self.row + 2,
            &self.table.header[col],
            message,
        )
    }
}

impl CellReader for Fields<'_> {
    fn next_text(&mut self) -> &str {
        self.col = self.fixed[self.next];
        self.next += 1;
        &self.table.rows[self.row][self.col]
    }
    fn cell_error(&self, message: String) -> Error {
        self.error_at(self.col, message)
    }
    fn row_order(&mut self) -> Result<i64> {
        // The file is already in §12 order; the row index keeps that order on a re-sort.
        Ok(self.row as i64)
    }
    fn extra_columns(&mut self) -> Result<Vec<(String, Option<f64>)>> {
        self.extras
            .iter()
            .map(|&k| {
                let s = &self.table.rows[self.row][k];
                if s.is_empty() {
                    return Ok((self.table.header[k].clone(), None));
                }
                let value = s
                    .parse::<f64>()
                    .map_err(|_| self.error_at(k, format!("'{s}' is not a number")))?;
                Ok((self.table.header[k].clone(), Some(value)))
            })
            .collect()
    }
}

/// The tables [`read_csv_tables`] requires.
const REQUIRED: [&str; 6] = [
    AbnormalReturnRow::NAME,
    CarRow::NAME,
    ModelFitRow::NAME,
    AggregateRow::NAME,
    TestRow::NAME,
    ExclusionRow::NAME,
];

/// Reads the CSV outputs of a study run from `dir` back into [`StudyTables`].
///
/// The six tables of §12 (`abnormal_returns.csv`, `cars.csv`, `model_fits.csv`,
/// `aggregate.csv`, `tests.csv`, `exclusions.csv`) are required; `day0_mapping.csv`,
/// `headline.csv` and `differences.csv` are read when present, `events.csv` and
/// `securities.csv` when present with their table's header (else those tables are empty).
/// Columns are found by name. In `model_fits`
/// every column beyond the fixed ten becomes an extra of every row (NA where empty), and so
/// does every column of `cars` beyond its fixed eleven (the quantile columns of §6.1).
/// `exclusions.order` is set to the row index, so re-sorting keeps the file's order.
/// The CSV rules are those of the files written: RFC 4180 quoting, a line ends at `\n` (a
/// `\r` before it is dropped).
///
/// # Errors
/// A missing file or column, a malformed CSV, or a cell that does not parse (the error names
/// the file, the 1-based row with the header as row 1, and the column).
pub fn read_csv_tables(dir: &Path) -> Result<StudyTables> {
    let mut files = Vec::with_capacity(REQUIRED.len());
    for name in REQUIRED {
        let path = dir.join(format!("{name}.csv"));
        if !path.is_file() {
            return Err(Error::file(
                path.display().to_string(),
                "missing: not a study output folder written with the CSV format",
            ));
        }
        files.push(CsvTable::read(&path)?);
    }
    let [abnormal_returns, cars, model_fits, aggregate, tests, exclusions] =
        <[CsvTable; 6]>::try_from(files).unwrap_or_else(|_| unreachable!("six tables read"));
    Ok(StudyTables {
        abnormal_returns: abnormal_returns.rows()?,
        cars: cars.rows()?,
        model_fits: model_fits.rows()?,
        aggregate: aggregate.rows()?,
        tests: tests.rows()?,
        exclusions: exclusions.rows()?,
        day0: read_optional(dir)?,
        headline: read_optional(dir)?,
        differences: read_optional(dir)?,
        events: read_if_written(dir)?,
        securities: read_if_written(dir)?,
        volume: read_volume(dir)?,
        car_regression: read_optional(dir)?,
        variance_ratio: read_optional(dir)?,
        ..StudyTables::default()
    })
}

/// The tables of the abnormal-volume study, when `dir` has `volume_abnormal.csv`.
fn read_volume(dir: &Path) -> Result<Option<VolumeTables>> {
    if !dir.join(VolumeAbnormalRow::CSV_FILE).is_file() {
        return Ok(None);
    }
    Ok(Some(VolumeTables {
        abnormal: read_optional(dir)?,
        cars: read_optional(dir)?,
        aggregate: read_optional(dir)?,
        tests: read_optional(dir)?,
    }))
}

/// The rows of an optional table of `dir`, empty when its CSV file is absent.
fn read_optional<T: Table>(dir: &Path) -> Result<Vec<T>> {
    let path = dir.join(T::CSV_FILE);
    if path.is_file() {
        CsvTable::read(&path)?.rows()
    } else {
        Ok(Vec::new())
    }
}

/// The rows of table `T` in `dir` when its CSV file is there with the table's exact header;
/// none otherwise, since `events.csv` and `securities.csv` are also common names of input files
/// kept beside the outputs.
fn read_if_written<T: Table>(dir: &Path) -> Result<Vec<T>> {
    let path = dir.join(T::CSV_FILE);
    let header = T::COLUMNS.join(",");
    let written = std::fs::read_to_string(&path)
        .is_ok_and(|text| text.lines().next() == Some(header.as_str()));
    if written {
        CsvTable::read(&path)?.rows()
    } else {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::csv_files;

    #[test]
    fn bad_cell_error_names_file_row_column() {
        let dir = tempfile::tempdir().unwrap();
        let tables = StudyTables::default();
        for (name, text) in csv_files(&tables) {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        std::fs::write(
            dir.path().join("cars.csv"),
            format!("{}\nE1,S1,all,-1:1,abc,,,,,,3\n", CarRow::COLUMNS.join(",")),
        )
        .unwrap();
        let err = read_csv_tables(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("cars.csv") && err.contains("row 2") && err.contains("'car'"),
            "{err}"
        );
    }

    #[test]
    fn malformed_files_name_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let read_err = |text: &str| {
            std::fs::write(&path, text).unwrap();
            match CsvTable::read(&path) {
                Err(e) => e.to_string(),
                Ok(_) => String::from("read"),
            }
        };
        assert!(read_err("a,\"b\n1,2\n").contains("unterminated quoted field (line 3)"));
        assert!(read_err("").contains("empty file (expected a header row)"));
        assert!(read_err("a,b\n1\n").contains("row 2: 1 fields, the header has 2"));
        std::fs::write(&path, "a,b\r\n1,\"x,\"\"y\"\"\"\r\n").unwrap();
        let t = CsvTable::read(&path).unwrap();
        assert_eq!(t.rows, vec![vec!["1".to_string(), "x,\"y\"".to_string()]]);
    }
}
