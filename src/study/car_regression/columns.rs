//! The columns a regressor can name: those of the characteristics file (CSV or Parquet, keyed
//! by `event_id` and `security`, or by `security` alone) and those of the events file (CSV
//! columns or the keys of TOML `[[event]]` tables, keyed by the event id), each typed once as
//! numeric or text (§7.6).

use crate::calendar::{event_header_lines, toml_event_tables};
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

    /// Reads a TOML events file (`[[event]]` tables) for its keys, keyed by `event_id` (or
    /// `id`): every key of any event is a column (the first event's keys in name order, then
    /// the new keys of each following event); a number or a boolean is used as its text, a
    /// date as written, a list joined by `;`, a missing key
    /// is an empty cell. The row of an event in messages is the line of its `[[event]]`
    /// header (its 1-based index when the events are an inline array).
    pub fn events_toml(path: &Path) -> Result<ColumnFile> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let events = toml_event_tables(text, &name)?;
        let header_lines = event_header_lines(text);
        let mut names: Vec<String> = Vec::new();
        let mut tables = Vec::with_capacity(events.len());
        for (k, value) in events.iter().enumerate() {
            let row = match header_lines.len() == events.len() {
                true => header_lines[k],
                false => k + 1,
            };
            let table = value.as_table().ok_or_else(|| {
                Error::cell(name.clone(), row, "event", "each event must be a table")
            })?;
            for key in table.keys() {
                if !names.contains(key) {
                    names.push(key.clone());
                }
            }
            tables.push((row, table));
        }
        let records = tables
            .iter()
            .map(|(row, table)| CsvRecord {
                row: *row,
                fields: names
                    .iter()
                    .map(|n| table.get(n).map(toml_text).unwrap_or_default())
                    .collect(),
            })
            .collect();
        let mut f = ColumnFile {
            path: name,
            names,
            records,
            keys: Vec::new(),
            by_key: HashMap::new(),
            by_event: false,
            by_security: false,
        };
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

/// A TOML value as the text of a cell: strings as is, numbers and booleans as written by
/// Rust (they parse back to the same value), dates as written, lists joined by `;`.
fn toml_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) => x.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(items) => items.iter().map(toml_text).collect::<Vec<_>>().join(";"),
        toml::Value::Table(t) => t.to_string(),
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

    #[test]
    fn toml_event_keys_are_columns_with_the_header_line_as_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.toml");
        std::fs::write(
            &path,
            "# calendar\n[[event]]\nid = \"E1\"\ndate = 2025-01-20\nseverity = 3\n\
             scope = [\"NVDA\", \"AMD\"]\nstate = true\n\n[[event]]\nid = \"E2\"\n\
             date = \"2025-02-01\"\nseverity = 2.5\nvenue = \"us\"\n\n\
             [[event]]\nid = \"E3\"\ndate = 2025-03-01\nseverity = \"high\"\n",
        )
        .unwrap();
        let f = ColumnFile::events_toml(&path).unwrap();
        assert_eq!(
            f.candidates(),
            ["date", "scope", "severity", "state", "venue"]
        );
        let date = f.column("date").unwrap().unwrap();
        assert_eq!(
            date.value("E1", ""),
            Some(Value::Level("2025-01-20".into()))
        );
        let scope = f.column("scope").unwrap().unwrap();
        assert_eq!(
            scope.value("E1", "x"),
            Some(Value::Level("NVDA;AMD".into()))
        );
        let venue = f.column("venue").unwrap().unwrap();
        assert_eq!(
            (venue.value("E1", ""), venue.value("E2", "")),
            (None, Some(Value::Level("us".into())))
        );
        let state = f.column("state").unwrap().unwrap();
        assert_eq!(state.value("E1", ""), Some(Value::Level("true".into())));
        // severity holds numbers and the text "high" of the event on line 15
        let err = f.column("severity").err().unwrap().to_string();
        assert!(
            err.contains("events.toml") && err.contains("row 15") && err.contains("'high'"),
            "{err}"
        );
        std::fs::write(&path, "[[event]]\nevent_id = \"E1\"\nsize = 4\n").unwrap();
        let f = ColumnFile::events_toml(&path).unwrap();
        let size = f.column("size").unwrap().unwrap();
        assert!(size.numeric);
        assert_eq!(size.value("E1", "NVDA"), Some(Value::Number(4.0)));
        assert_eq!(size.value("E9", "NVDA"), None);
    }

    /// The demo study with its events as TOML `[[event]]` tables carrying a numeric key
    /// `severity` and a text key `venue` gives the same CAR regression as the CSV events with
    /// those two columns added.
    #[test]
    fn demo_regression_on_toml_event_keys_equals_csv_columns() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let csv_text =
            std::fs::read_to_string(root.join("datasets/events/china_ai_chips.csv")).unwrap();
        let records = split_csv_records(&csv_text, "events").unwrap();
        let (header, rows) = records.split_first().unwrap();
        // a TOML basic string and an RFC 4180 CSV field
        let toml_quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let csv_quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let (mut csv, mut toml) = (header.fields.join(",") + ",severity,venue\n", String::new());
        for (k, r) in rows.iter().enumerate() {
            let (severity, venue) = ((k * 7 % 5) as f64 * 0.5, ["a", "b", "c"][k % 3]);
            let fields: Vec<String> = r.fields.iter().map(|f| csv_quote(f)).collect();
            csv += &format!("{},{severity},{venue}\n", fields.join(","));
            toml += "[[event]]\n";
            for (name, value) in header.fields.iter().zip(&r.fields) {
                toml += &format!("{name} = {}\n", toml_quote(value));
            }
            toml += &format!("severity = {severity:?}\nvenue = \"{venue}\"\n\n");
        }
        let dir = tempfile::tempdir().unwrap();
        let run = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let mut study =
                crate::Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap();
            study.config.events = Some(path.clone());
            study.config.car_regression = vec![crate::design::CarRegressionFile {
                name: Some("severity".into()),
                window: "0:5".into(),
                group: None,
                regressors: vec!["severity".into(), "venue".into()],
                cluster: None,
                characteristics: None,
            }];
            study.run().unwrap().tables.car_regression
        };
        let (a, b) = (run("events.csv", &csv), run("events.toml", &toml));
        assert!(
            a.len() == 4 && a.iter().all(|r| r.estimate.is_some()),
            "{a:?}"
        );
        assert_eq!(a, b);
    }
}
