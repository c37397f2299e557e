//! The columns a regressor can name: those of the characteristics file (keyed by `event_id`
//! and `security`, or by `security` alone) and those of the events file (keyed by the event
//! id), each typed once as numeric or text (§7.6).

use crate::data::{split_csv_records, CsvRecord};
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

/// A CSV file read for its columns, with the row of each key.
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

    fn read(path: &Path) -> Result<ColumnFile> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut records = split_csv_records(&text, &name)?;
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
