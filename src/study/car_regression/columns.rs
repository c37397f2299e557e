//! The columns a regressor can name: those of the characteristics file (CSV or Parquet, keyed
//! by `event_id` and `security`, or by `security` alone) and those of the events file (keyed
//! by the event id), each typed once as numeric or text (§7.6).

use crate::data::{read_parquet_records, split_csv_records, CsvRecord, PriceSource};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// A value of a regressor for one pair.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// A number, used as is.
    Number(f64),
    /// A level of a categorical regressor.
    Level(String),
}

/// A CSV or Parquet file read for its columns, with the row of each key.
pub(super) struct ColumnFile {
    /// The path, as named in messages.
    pub path: String,
    /// Column names (trimmed).
    names: Vec<String>,
    records: Vec<CsvRecord>,
    /// Key columns, never regressors.
    keys: Vec<usize>,
    /// Row (index in `records`) of each key, the first when a key is repeated.
    by_key: HashMap<(String, String), usize>,
    /// Rows are keyed by event id.
    by_event: bool,
    /// Rows are keyed by security.
    by_security: bool,
}

impl ColumnFile {
    /// Reads a characteristics file: a `security` column is required, `event_id` optional.
    pub fn characteristics(path: &Path) -> Result<ColumnFile> {
        let mut f = ColumnFile::read(path)?;
        let security = f.find("security").ok_or_else(|| {
            Error::file(
                f.path.clone(),
                format!(
                    "a characteristics file needs a 'security' column (and optionally \
                     'event_id'); columns present: {}",
                    f.names.join(", ")
                ),
            )
        })?;
        let event = f.find("event_id");
        f.index(event, Some(security));
        Ok(f)
    }

    /// Reads a CSV events file for its columns, keyed by `event_id` (or `id`).
    pub fn events(path: &Path) -> Result<ColumnFile> {
        let mut f = ColumnFile::read(path)?;
        let id = f.find("event_id").or_else(|| f.find("id"));
        f.index(id, None);
        Ok(f)
    }

    /// Reads a CSV file, or a Parquet file (extension `.parquet` or `.pq`) with the project's
    /// Parquet reader; Parquet rows are numbered from 1 in messages.
    fn read(path: &Path) -> Result<ColumnFile> {
        let name = path.display().to_string();
        let mut records = if PriceSource::new(path).is_parquet() {
            read_parquet_records(path)?
        } else {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            split_csv_records(&text, &name)?
        };
        if records.is_empty() {
            return Err(Error::file(name, "is empty: a header row is needed"));
        }
        let header = records.remove(0);
        Ok(ColumnFile {
            path: name,
            names: header.fields.iter().map(|s| s.trim().to_string()).collect(),
            records,
            keys: Vec::new(),
            by_key: HashMap::new(),
            by_event: false,
            by_security: false,
        })
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    fn cell(&self, row: usize, col: usize) -> &str {
        self.records[row].fields.get(col).map_or("", |s| s.trim())
    }

    fn index(&mut self, event: Option<usize>, security: Option<usize>) {
        self.keys = event.into_iter().chain(security).collect();
        (self.by_event, self.by_security) = (event.is_some(), security.is_some());
        for row in 0..self.records.len() {
            let key = |c: Option<usize>| c.map_or(String::new(), |c| self.cell(row, c).to_string());
            let k = (key(event), key(security));
            self.by_key.entry(k).or_insert(row);
        }
    }

    /// The key of the pair (`event_id`, `security`) in `by_key`: a part the file is not
    /// keyed by is left empty.
    fn key_of(&self, event_id: &str, security: &str) -> (String, String) {
        let part = |keyed: bool, v: &str| if keyed { v.to_string() } else { String::new() };
        (
            part(self.by_event, event_id),
            part(self.by_security, security),
        )
    }

    /// The regressor columns (all but the keys), for messages.
    pub fn candidates(&self) -> Vec<&str> {
        (0..self.names.len())
            .filter(|c| !self.keys.contains(c))
            .map(|c| self.names[c].as_str())
            .collect()
    }

    /// Column `name` typed: numeric when any of its non-empty cells is a number (then every
    /// non-empty cell must be one), text otherwise; `None` when the file has no such column.
    ///
    /// # Errors
    /// [`Error::Cell`] naming the file, row and column of a text cell in a numeric column.
    pub fn column(&self, name: &str) -> Result<Option<Column<'_>>> {
        let Some(col) = self.find(name).filter(|c| !self.keys.contains(c)) else {
            return Ok(None);
        };
        let number = |row: usize| self.cell(row, col).parse::<f64>().ok();
        let numeric = (0..self.records.len()).any(|r| number(r).is_some());
        if numeric {
            if let Some(r) = (0..self.records.len())
                .find(|&r| !self.cell(r, col).is_empty() && number(r).is_none())
            {
                return Err(Error::cell(
                    self.path.clone(),
                    self.records[r].row,
                    name,
                    format!(
                        "'{}' is not a number, but the column holds numbers (a categorical \
                         column must hold no number)",
                        self.cell(r, col)
                    ),
                ));
            }
        }
        Ok(Some(Column {
            file: self,
            col,
            numeric,
        }))
    }
}

/// One typed column of a [`ColumnFile`].
pub(super) struct Column<'a> {
    file: &'a ColumnFile,
    col: usize,
    /// Numeric (used as is) rather than categorical.
    pub numeric: bool,
}

impl Column<'_> {
    /// The value for the pair (`event_id`, `security`); `None` when the file has no row for
    /// it or the cell is empty.
    pub fn value(&self, event_id: &str, security: &str) -> Option<Value> {
        let row = *self
            .file
            .by_key
            .get(&self.file.key_of(event_id, security))?;
        let text = self.file.cell(row, self.col);
        if text.is_empty() {
            return None;
        }
        Some(match self.numeric {
            true => Value::Number(text.parse().ok()?),
            false => Value::Level(text.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{Column as PlColumn, DataFrame, DataType, ParquetWriter};

    const SECURITIES: [&str; 6] = [
        "688256.SS",
        "688981.SS",
        "0981.HK",
        "NVDA",
        "AMD",
        "0700.HK",
    ];
    const SIZE: [f64; 6] = [1.5, 2.5, 0.5, 9.0, 7.0, 3.0];
    const VENUE: [&str; 6] = ["star", "star", "hk", "us", "us", "hk"];

    /// The same characteristics as CSV text and as a Parquet file (typed columns: text,
    /// float, text with a null, and a date).
    fn write_both(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
        let mut csv = String::from("security,size,venue,listed\n");
        for k in 0..6 {
            let venue = if k == 5 { "" } else { VENUE[k] };
            csv += &format!("{},{},{venue},2020-01-0{}\n", SECURITIES[k], SIZE[k], k + 1);
        }
        let csv_path = dir.join("chars.csv");
        std::fs::write(&csv_path, csv).unwrap();
        let venue: Vec<Option<&str>> = (0..6).map(|k| (k < 5).then_some(VENUE[k])).collect();
        // 2020-01-01 is day 18262 after 1970-01-01
        let listed = PlColumn::new(
            "listed".into(),
            (0..6).map(|k| 18262 + k).collect::<Vec<i32>>(),
        )
        .cast(&DataType::Date)
        .unwrap();
        let mut df = DataFrame::new(
            6,
            vec![
                PlColumn::new("security".into(), SECURITIES.to_vec()),
                PlColumn::new("size".into(), SIZE.to_vec()),
                PlColumn::new("venue".into(), venue),
                listed,
            ],
        )
        .unwrap();
        let pq_path = dir.join("chars.parquet");
        ParquetWriter::new(std::fs::File::create(&pq_path).unwrap())
            .finish(&mut df)
            .unwrap();
        (csv_path, pq_path)
    }

    #[test]
    fn parquet_characteristics_read_as_the_same_csv() {
        let dir = tempfile::tempdir().unwrap();
        let (csv_path, pq_path) = write_both(dir.path());
        let csv = ColumnFile::characteristics(&csv_path).unwrap();
        let pq = ColumnFile::characteristics(&pq_path).unwrap();
        assert_eq!(pq.candidates(), ["size", "venue", "listed"]);
        assert_eq!(pq.candidates(), csv.candidates());
        for name in ["size", "venue", "listed"] {
            let (a, b) = (
                csv.column(name).unwrap().unwrap(),
                pq.column(name).unwrap().unwrap(),
            );
            assert_eq!(a.numeric, b.numeric, "{name}");
            for s in SECURITIES.iter().chain(&["BIDU"]) {
                assert_eq!(a.value("E1", s), b.value("E1", s), "{name} {s}");
            }
        }
        let size = pq.column("size").unwrap().unwrap();
        assert_eq!(size.value("any", "NVDA"), Some(Value::Number(9.0)));
        let venue = pq.column("venue").unwrap().unwrap();
        assert_eq!(venue.value("any", "0700.HK"), None);
        let listed = pq.column("listed").unwrap().unwrap();
        assert_eq!(
            listed.value("any", "0981.HK"),
            Some(Value::Level("2020-01-03".into()))
        );
    }

    #[test]
    fn bad_parquet_characteristics_name_file_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, columns: Vec<PlColumn>| {
            let path = dir.path().join(name);
            let mut df = DataFrame::new(2, columns).unwrap();
            ParquetWriter::new(std::fs::File::create(&path).unwrap())
                .finish(&mut df)
                .unwrap();
            path
        };
        let ids = || PlColumn::new("security".into(), vec!["NVDA", "AMD"]);
        let text = write(
            "text.parquet",
            vec![ids(), PlColumn::new("size".into(), vec!["1.5", "big"])],
        );
        let f = ColumnFile::characteristics(&text).unwrap();
        let err = f.column("size").err().unwrap().to_string();
        assert!(
            err.contains("text.parquet") && err.contains("row 2") && err.contains("'big'"),
            "{err}"
        );
        let flag = write(
            "flag.parquet",
            vec![
                ids(),
                PlColumn::new("state_owned".into(), vec![true, false]),
            ],
        );
        let err = ColumnFile::characteristics(&flag)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("flag.parquet") && err.contains("column 'state_owned'"),
            "{err}"
        );
        let keyless = write(
            "keyless.parquet",
            vec![PlColumn::new("ticker".into(), vec!["NVDA", "AMD"])],
        );
        let err = ColumnFile::characteristics(&keyless)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("needs a 'security' column") && err.contains("ticker"),
            "{err}"
        );
        let err = ColumnFile::characteristics(&dir.path().join("absent.parquet"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("absent.parquet"), "{err}");
    }

    /// The demo study's CAR regression on a Parquet characteristics file equals the one on
    /// the same CSV file.
    #[test]
    fn demo_regression_on_parquet_equals_csv() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let (csv_path, pq_path) = write_both(dir.path());
        let run = |path: &Path| {
            let mut study =
                crate::Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap();
            study.config.car_regression = vec![crate::design::CarRegressionFile {
                name: Some("size".into()),
                window: "0:5".into(),
                group: None,
                regressors: vec!["size".into(), "venue".into()],
                cluster: None,
                characteristics: Some(path.to_path_buf()),
            }];
            study.run().unwrap().tables.car_regression
        };
        let (a, b) = (run(&csv_path), run(&pq_path));
        assert!(a.len() > 2 && a.iter().any(|r| r.estimate.is_some()));
        assert_eq!(a, b);
    }
}
