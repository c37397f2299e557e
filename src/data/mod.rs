//! Price ingest: long or wide tables from CSV or Parquet, read with polars (methodology §1.1).
//!
//! A [`PriceSource`] says where a file is and how to read it (column names are
//! configuration: `adj_close` in one file, `close` in another). [`read_prices`] turns it into a
//! [`PricePanel`]: one [`PriceSeries`] per ticker, dates ascending, values as contiguous `f64`
//! (NaN = missing). Several panels combine with [`combine_panels`].
//!
//! Rules (methodology §1.1 and the ingest issue):
//! * a present but unusable close (empty, not finite, ≤ 0) is *missing*, counted per series
//!   and reported as an input exclusion `bad_price` — it never stops the run (unless
//!   [`PriceSource::strict`] is set, then it is an error naming file, row and column);
//! * a value that is not a number at all (`abc`) is an error naming file, row and column;
//! * a row marked suspended (`tradestatus_col` = 0) is a missing price, reported as
//!   `suspended` (count and first date);
//! * the same (date, ticker) twice in one file is an error, unless `source_col` and
//!   `source_priority` say which row wins; across files it is an error unless
//!   [`combine_panels`] is told which file wins;
//! * unsorted rows are fine.
//!
//! Row numbers in messages are 1-based as a user sees them in the file: the header is row 1,
//! the first data row is row 2 (Parquet: the first data row is row 1).

mod factors;
mod parse;

use crate::error::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub use factors::{read_factors, FactorSource, FactorTable};
pub use parse::{parse_date, parse_number};

/// Long (`date, ticker, value`) or wide (`date` + one column per ticker) layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per (date, ticker).
    #[default]
    Long,
    /// One row per date, one column per ticker.
    Wide,
}

/// What the value column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Adjusted closing prices (returns are computed, §1.2).
    #[default]
    Price,
    /// Returns already computed (simple or log, as the study's `returns` setting says).
    Return,
}

/// How to read one price file. Every field but `path` has a default.
///
/// # Examples
/// ```
/// use evstudy::data::PriceSource;
/// let src = PriceSource::new("prices.csv").with_columns("date", "ticker", "adj_close");
/// assert_eq!(src.price_col, "adj_close");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSource {
    /// CSV or Parquet file (by extension `.parquet`/`.pq`, else CSV).
    pub path: PathBuf,
    /// Long or wide.
    #[serde(default)]
    pub layout: Layout,
    /// Date column (default `date`).
    #[serde(default = "default_date_col")]
    pub date_col: String,
    /// Ticker column of a long file (default `ticker`).
    #[serde(default = "default_ticker_col")]
    pub ticker_col: String,
    /// Value column of a long file (default `close`).
    #[serde(default = "default_price_col")]
    pub price_col: String,
    /// Prices or returns.
    #[serde(default)]
    pub value: ValueKind,
    /// CSV field separator (default `,`).
    #[serde(default)]
    pub separator: Option<char>,
    /// Numbers written with a decimal comma (`1234,5`); implies a `;` separator by default.
    #[serde(default)]
    pub decimal_comma: bool,
    /// Date format (chrono `strftime` syntax) when dates are not ISO `YYYY-MM-DD`.
    #[serde(default)]
    pub date_format: Option<String>,
    /// Column whose value 0 marks a suspended day (baostock `tradestatus`).
    #[serde(default)]
    pub tradestatus_col: Option<String>,
    /// Column naming the source of each row, for files that mix sources.
    #[serde(default)]
    pub source_col: Option<String>,
    /// Sources in order of preference: for a (date, ticker) given by several sources, the
    /// earliest listed wins. Sources not listed rank after all listed ones.
    #[serde(default)]
    pub source_priority: Vec<String>,
    /// Keep only these tickers (default: all).
    #[serde(default)]
    pub tickers: Option<Vec<String>>,
    /// Rename tickers (`from = to`), applied before `tickers`.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Treat an unusable price (≤ 0, NaN, inf, empty) as an error instead of a missing close.
    #[serde(default)]
    pub strict: bool,
}

fn default_date_col() -> String {
    "date".into()
}
fn default_ticker_col() -> String {
    "ticker".into()
}
fn default_price_col() -> String {
    "close".into()
}

impl PriceSource {
    /// A long-format source with the default columns `date, ticker, close`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        PriceSource {
            path: path.into(),
            layout: Layout::Long,
            date_col: default_date_col(),
            ticker_col: default_ticker_col(),
            price_col: default_price_col(),
            value: ValueKind::Price,
            separator: None,
            decimal_comma: false,
            date_format: None,
            tradestatus_col: None,
            source_col: None,
            source_priority: Vec::new(),
            tickers: None,
            rename: BTreeMap::new(),
            strict: false,
        }
    }
    /// Set the date, ticker and value column names.
    pub fn with_columns(mut self, date: &str, ticker: &str, price: &str) -> Self {
        self.date_col = date.into();
        self.ticker_col = ticker.into();
        self.price_col = price.into();
        self
    }
    /// Wide layout.
    pub fn wide(mut self) -> Self {
        self.layout = Layout::Wide;
        self
    }
    /// Resolve a relative path against `base` (the folder of the study file).
    pub fn resolve_against(mut self, base: &Path) -> Self {
        if self.path.is_relative() {
            self.path = base.join(&self.path);
        }
        self
    }
    fn is_parquet(&self) -> bool {
        matches!(
            self.path
                .extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase())
                .as_deref(),
            Some("parquet") | Some("pq")
        )
    }
}

/// Counts of values that were present but could not be used, for one series (reported as
/// input exclusions).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueIssues {
    /// Unusable prices (≤ 0, not finite, empty): count and first date.
    pub bad_price: usize,
    /// First date with an unusable price.
    pub first_bad_price: Option<NaiveDate>,
    /// Suspended days (tradestatus 0): count and first date.
    pub suspended: usize,
    /// First suspended date.
    pub first_suspended: Option<NaiveDate>,
    /// Close-to-close moves between consecutive usable prices by a factor above
    /// [`PRICE_JUMP_FACTOR`] (up or down): count (the prices are kept; reported as the input
    /// exclusion `price_jump` so that a unit or decimal error does not go unnoticed).
    pub price_jumps: usize,
    /// Date of the first such jump (the date of the later close).
    pub first_price_jump: Option<NaiveDate>,
    /// Largest jump factor (≥ [`PRICE_JUMP_FACTOR`]) and its date.
    pub largest_price_jump: Option<(f64, NaiveDate)>,
}

/// A close more than this factor above or below the previous usable close of the same series
/// is reported as a `price_jump` (a 1000× move in one step is a data error — units, a missing
/// split adjustment, a misplaced decimal point — far more often than a market move).
pub const PRICE_JUMP_FACTOR: f64 = 1000.0;

/// Count the close-to-close jumps above [`PRICE_JUMP_FACTOR`] of a price series (dates
/// ascending) into its [`ValueIssues`]. Missing closes (NaN) are skipped: the jump is measured
/// from the previous usable close.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::data::{flag_price_jumps, PriceSeries, ValueKind};
/// let d = |day| NaiveDate::from_ymd_opt(2025, 1, day).unwrap();
/// let mut s = PriceSeries { ticker: "X".into(), dates: vec![d(2), d(3), d(6), d(7)],
///     values: vec![10.0, f64::NAN, 1.0e7, 10.0], kind: ValueKind::Price, file: "x.csv".into(),
///     issues: Default::default() };
/// flag_price_jumps(&mut s);
/// assert_eq!(s.issues.price_jumps, 2); // 10 → 1e7 and back
/// assert_eq!(s.issues.first_price_jump, Some(d(6)));
/// assert_eq!(s.issues.largest_price_jump, Some((1.0e6, d(6))));
/// ```
pub fn flag_price_jumps(series: &mut PriceSeries) {
    if series.kind != ValueKind::Price {
        return;
    }
    let mut prev: Option<f64> = None;
    for (d, &v) in series.dates.iter().zip(&series.values) {
        if !(v.is_finite() && v > 0.0) {
            continue;
        }
        if let Some(p) = prev {
            let factor = if v > p { v / p } else { p / v };
            if factor > PRICE_JUMP_FACTOR {
                let issues = &mut series.issues;
                issues.price_jumps += 1;
                issues.first_price_jump.get_or_insert(*d);
                if issues.largest_price_jump.map_or(true, |(f, _)| factor > f) {
                    issues.largest_price_jump = Some((factor, *d));
                }
            }
        }
        prev = Some(v);
    }
}

/// One ticker's values, dates ascending and unique.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceSeries {
    /// Ticker.
    pub ticker: String,
    /// Dates, ascending, unique.
    pub dates: Vec<NaiveDate>,
    /// Close (or return) on each date; NaN = missing.
    pub values: Vec<f64>,
    /// Prices or returns.
    pub kind: ValueKind,
    /// File the series came from.
    pub file: String,
    /// Values present but unusable.
    pub issues: ValueIssues,
}

impl PriceSeries {
    /// Value on `date`, if the series has a row that day (NaN if the row is unusable).
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use evstudy::data::{PriceSeries, ValueKind};
    /// let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    /// let s = PriceSeries { ticker: "X".into(), dates: vec![d("2025-01-02")], values: vec![10.0],
    ///     kind: ValueKind::Price, file: "x.csv".into(), issues: Default::default() };
    /// assert_eq!(s.value_on(d("2025-01-02")), Some(10.0));
    /// assert_eq!(s.value_on(d("2025-01-03")), None);
    /// ```
    pub fn value_on(&self, date: NaiveDate) -> Option<f64> {
        self.dates.binary_search(&date).ok().map(|i| self.values[i])
    }
}

/// Every series read from one or more files, by ticker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PricePanel {
    /// Series by ticker (sorted by ticker).
    pub series: BTreeMap<String, PriceSeries>,
}

impl PricePanel {
    /// Number of tickers.
    pub fn len(&self) -> usize {
        self.series.len()
    }
    /// True when no ticker was read.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
    /// The series of `ticker`.
    pub fn get(&self, ticker: &str) -> Option<&PriceSeries> {
        self.series.get(ticker)
    }
    /// Total number of (date, ticker) rows.
    pub fn n_rows(&self) -> usize {
        self.series.values().map(|s| s.dates.len()).sum()
    }
}

/// One column of an input file, kept in polars' memory (no per-cell copies).
pub(crate) enum CellColumn {
    /// Text (every CSV column; Parquet strings).
    Text(StringChunked),
    /// Parquet numbers, as f64.
    Number(Float64Chunked),
    /// Parquet dates (days since 1970-01-01).
    Date(Int32Chunked),
}

/// One cell of an input file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Text(&'a str),
    Number(f64),
    Date(i32),
}

impl CellColumn {
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Cell<'_> {
        match self {
            CellColumn::Text(ca) => ca
                .get(i)
                .map(|s| Cell::Text(s.trim_end_matches('\r')))
                .unwrap_or(Cell::Null),
            CellColumn::Number(ca) => ca.get(i).map(Cell::Number).unwrap_or(Cell::Null),
            CellColumn::Date(ca) => ca.get(i).map(Cell::Date).unwrap_or(Cell::Null),
        }
    }
    fn len(&self) -> usize {
        match self {
            CellColumn::Text(ca) => ca.len(),
            CellColumn::Number(ca) => ca.len(),
            CellColumn::Date(ca) => ca.len(),
        }
    }
}

impl<'a> Cell<'a> {
    /// The cell as trimmed text ("" for null); numbers are written back as text.
    pub(crate) fn text(self) -> std::borrow::Cow<'a, str> {
        match self {
            Cell::Null => "".into(),
            Cell::Text(s) => s.trim().into(),
            Cell::Number(x) => format!("{x}").into(),
            Cell::Date(d) => parse::date_from_epoch_days(d)
                .map(|d| d.to_string())
                .unwrap_or_default()
                .into(),
        }
    }
}

/// The columns of a file, with the row number each value had in the file.
pub(crate) struct TextTable {
    file: String,
    names: Vec<String>,
    columns: Vec<CellColumn>,
    /// Row number (1-based, as seen by a user) of the first data row.
    first_row: usize,
}

impl TextTable {
    fn column(&self, name: &str) -> Result<&CellColumn> {
        match self.names.iter().position(|n| n == name) {
            Some(i) => Ok(&self.columns[i]),
            None => Err(Error::MissingColumn {
                file: self.file.clone(),
                column: name.to_string(),
                present: self.names.join(", "),
            }),
        }
    }
    fn height(&self) -> usize {
        self.columns.iter().map(CellColumn::len).max().unwrap_or(0)
    }
    /// Free the data of column `name` once it has been read (a long file's columns are as
    /// large as the panel built from them, so each is let go before the next is converted);
    /// the column is empty afterwards.
    fn release(&mut self, name: &str) {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            self.columns[i] = match &self.columns[i] {
                CellColumn::Text(ca) => CellColumn::Text(ca.clear()),
                CellColumn::Number(ca) => CellColumn::Number(ca.clear()),
                CellColumn::Date(ca) => CellColumn::Date(ca.clear()),
            };
        }
    }
}

fn display_path(p: &Path) -> String {
    p.display().to_string()
}

fn check_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::file(
            display_path(path),
            "is a directory, expected a CSV or Parquet file",
        ));
    }
    if meta.len() == 0 {
        return Err(Error::file(
            display_path(path),
            "file is empty (no header, no rows)",
        ));
    }
    Ok(())
}

/// Read a CSV file with polars, every column as text (so that each value can be parsed and,
/// when bad, reported with its row and column).
fn read_csv_text(src: &PriceSource) -> Result<TextTable> {
    let file = display_path(&src.path);
    check_file(&src.path)?;
    let sep = src
        .separator
        .unwrap_or(if src.decimal_comma { ';' } else { ',' });
    if !sep.is_ascii() {
        return Err(Error::config(format!(
            "{file}: separator '{sep}' must be a single ASCII character"
        )));
    }
    let parse = CsvParseOptions::default()
        .with_separator(sep as u8)
        .with_missing_is_null(true);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_parse_options(parse)
        .with_raise_if_empty(true)
        .try_into_reader_with_file_path(Some(src.path.clone()))
        .and_then(|r| r.finish())
        .map_err(|e| {
            // polars does not say which row is wrong: find it ourselves (error path only).
            diagnose_csv_shape(&src.path, &file, sep as u8).unwrap_or_else(|| Error::Polars {
                file: file.clone(),
                message: format!("cannot read as CSV: {e}"),
            })
        })?;
    let mut any_null = false;
    let mut names = Vec::with_capacity(df.width());
    let mut columns = Vec::with_capacity(df.width());
    for col in df.columns() {
        // A UTF-8 byte-order mark may stick to the first header name.
        names.push(
            col.name()
                .as_str()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string(),
        );
        let ca = col.str().map_err(|e| Error::Polars {
            file: file.clone(),
            message: e.to_string(),
        })?;
        any_null |= ca.null_count() > 0;
        columns.push(CellColumn::Text(ca.clone()));
    }
    if names.len() == 1 {
        if let Some(e) = separator_hint(&file, &names[0], sep) {
            return Err(e);
        }
    }
    // polars fills the missing fields of a short row with nulls: tell a short row (an error)
    // from an empty cell (a missing value). Only scanned when some cell is null.
    if any_null {
        if let Some(e) = diagnose_csv_shape(&src.path, &file, sep as u8) {
            return Err(e);
        }
    }
    Ok(TextTable {
        file,
        names,
        columns,
        first_row: 2,
    })
}

/// When a header is one column that contains another usual separator, the file was written
/// with that separator: say so (instead of "missing column 'date'").
fn separator_hint(file: &str, header: &str, sep: char) -> Option<Error> {
    let other = [';', '\t', '|', ',']
        .into_iter()
        .find(|&c| c != sep && header.contains(c))?;
    let shown = if other == '\t' {
        "\\t".to_string()
    } else {
        other.to_string()
    };
    Some(Error::file(
        file,
        format!(
            "the header '{}' has no '{sep}' but has '{shown}': the file seems to use '{shown}' as separator; \
             set separator = \"{shown}\" in its [[prices]] entry (and decimal_comma = true for numbers written 1,5)",
            header.trim_start_matches('\u{feff}')
        ),
    ))
}

/// Find the first record whose number of fields differs from the header's (quote-aware; the
/// row is the 1-based line where the record starts). `None` when every record has the
/// header's shape (or the file cannot be read).
fn diagnose_csv_shape(path: &Path, file: &str, sep: u8) -> Option<Error> {
    let bytes = std::fs::read(path).ok()?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut header_fields: Option<usize> = None;
    let mut header_text: &[u8] = &[];
    let (mut line, mut start_line, mut fields, mut in_quotes, mut empty_record) =
        (1usize, 1usize, 1usize, false, true);
    let mut record_start = 0usize;
    let mut i = 0usize;
    while i <= bytes.len() {
        let b = bytes.get(i).copied();
        match b {
            Some(b'"') => {
                in_quotes = !in_quotes;
                empty_record = false;
            }
            Some(c) if c == sep && !in_quotes => {
                fields += 1;
                empty_record = false;
            }
            Some(b'\n') if in_quotes => line += 1,
            None | Some(b'\n') => {
                if !empty_record {
                    match header_fields {
                        None => {
                            header_fields = Some(fields);
                            header_text = &bytes[record_start..i];
                        }
                        Some(h) if h != fields => {
                            let header = String::from_utf8_lossy(header_text);
                            if h == 1 {
                                if let Some(e) =
                                    separator_hint(file, header.trim_end_matches('\r'), sep as char)
                                {
                                    return Some(e);
                                }
                            }
                            let column = if fields < h {
                                header
                                    .trim_end_matches('\r')
                                    .split(sep as char)
                                    .nth(fields)
                                    .unwrap_or("")
                                    .trim()
                                    .to_string()
                            } else {
                                format!("field {}", h + 1)
                            };
                            return Some(Error::cell(
                                file,
                                start_line,
                                column,
                                format!("row has {fields} field(s) but the header has {h}"),
                            ));
                        }
                        Some(_) => {}
                    }
                }
                line += 1;
                start_line = line;
                fields = 1;
                empty_record = true;
                record_start = i + 1;
            }
            Some(b'\r') => {}
            Some(_) => empty_record = false,
        }
        i += 1;
    }
    None
}

/// Read a Parquet file with polars; every column is turned into text for uniform parsing,
/// except that date and numeric columns keep their meaning (dates as ISO strings).
fn read_parquet_text(src: &PriceSource) -> Result<TextTable> {
    let file = display_path(&src.path);
    check_file(&src.path)?;
    let f = std::fs::File::open(&src.path).map_err(|e| Error::io(&src.path, e))?;
    let df = ParquetReader::new(f).finish().map_err(|e| Error::Polars {
        file: file.clone(),
        message: format!("unreadable Parquet file: {e}"),
    })?;
    let mut names = Vec::with_capacity(df.width());
    let mut columns = Vec::with_capacity(df.width());
    // Columns the reader uses (every column but the date is a ticker in a wide file).
    let used = |name: &str| -> bool {
        src.layout == Layout::Wide
            || name == src.date_col
            || name == src.ticker_col
            || name == src.price_col
            || src.tradestatus_col.as_deref() == Some(name)
            || src.source_col.as_deref() == Some(name)
    };
    for col in df.columns() {
        let name = col.name().as_str().to_string();
        if name == src.date_col && col.dtype().is_primitive_numeric() {
            return Err(Error::cell(
                file.clone(),
                1,
                name.clone(),
                format!(
                    "the date column holds numbers (Parquet type {}), expected a date, a timestamp or text YYYY-MM-DD",
                    col.dtype()
                ),
            ));
        }
        let values = match col.dtype() {
            DataType::String => CellColumn::Text(col.str().map_err(|e| perr(&file, e))?.clone()),
            DataType::Date | DataType::Datetime(_, _) => {
                let days = col
                    .cast(&DataType::Date)
                    .and_then(|c| c.cast(&DataType::Int32))
                    .map_err(|e| perr(&file, e))?;
                CellColumn::Date(days.i32().map_err(|e| perr(&file, e))?.clone())
            }
            dt if dt.is_primitive_numeric() => {
                let x = col.cast(&DataType::Float64).map_err(|e| perr(&file, e))?;
                CellColumn::Number(x.f64().map_err(|e| perr(&file, e))?.clone())
            }
            _ if !used(&name) => continue, // a column evstudy does not read: its type does not matter
            other => {
                return Err(Error::file(
                    file.clone(),
                    format!(
                    "column '{name}' has Parquet type {other}, expected text, a date or a number"
                ),
                ))
            }
        };
        names.push(name);
        columns.push(values);
    }
    Ok(TextTable {
        file,
        names,
        columns,
        first_row: 1,
    })
}

fn perr(file: &str, e: PolarsError) -> Error {
    Error::Polars {
        file: file.to_string(),
        message: e.to_string(),
    }
}

/// The row is a suspended day (trade status 0).
const OBS_SUSPENDED: u8 = 1;
/// The row's value is present but unusable (≤ 0 price, non-finite).
const OBS_BAD: u8 = 2;

/// Read one price file into a panel.
///
/// # Errors
/// Missing column, unparsable date, a value that is not a number, a duplicate (date, ticker)
/// (unless `source_priority` resolves it), an empty file or header-only file, an unreadable
/// Parquet file: each names the file, the 1-based row and the column.
///
/// # Examples
/// ```
/// use evstudy::data::{read_prices, PriceSource};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("p.csv");
/// std::fs::write(&path, "date,ticker,close\n2025-01-03,AAA,11\n2025-01-02,AAA,10\n").unwrap();
/// let panel = read_prices(&PriceSource::new(&path)).unwrap();
/// let s = panel.get("AAA").unwrap();
/// assert_eq!(s.values, vec![10.0, 11.0]); // sorted by date
/// ```
pub fn read_prices(src: &PriceSource) -> Result<PricePanel> {
    let table = if src.is_parquet() {
        read_parquet_text(src)?
    } else {
        read_csv_text(src)?
    };
    if table.height() == 0 {
        return Err(Error::file(
            table.file.clone(),
            "header only: the file has no data rows",
        ));
    }
    match src.layout {
        Layout::Long => read_long(src, table),
        Layout::Wide => read_wide(src, &table),
    }
}

fn source_rank(src: &PriceSource, source: Option<&str>) -> usize {
    match source {
        Some(s) => src
            .source_priority
            .iter()
            .position(|p| p == s)
            .unwrap_or(src.source_priority.len()),
        None => src.source_priority.len(),
    }
}

fn parse_dates(src: &PriceSource, table: &TextTable) -> Result<Vec<NaiveDate>> {
    let col = table.column(&src.date_col)?;
    if let CellColumn::Date(days) = col {
        if let Some(out) = dates_by_lookup(days) {
            return Ok(out);
        }
    }
    let mut out = Vec::with_capacity(col.len());
    for_each_cell(col, |i, cell| {
        let row = table.first_row + i;
        let d = match cell {
            Cell::Date(days) => parse::date_from_epoch_days(days)
                .ok_or_else(|| format!("date out of range ({days} days)")),
            Cell::Number(x) => Err(format!("expected a date, got the number {x}")),
            Cell::Text(t) => parse_date(t, src.date_format.as_deref()),
            Cell::Null => parse_date("", None),
        }
        .map_err(|msg| Error::cell(&table.file, row, &src.date_col, msg))?;
        out.push(d);
        Ok(())
    })?;
    Ok(out)
}

/// A Parquet date column converted through a table of its distinct days (a long file repeats
/// each date once per ticker, and chrono's day conversion costs more than a lookup). `None`
/// when the column has nulls, out-of-range days or too wide a span: the cell-by-cell path
/// then reports the row.
fn dates_by_lookup(days: &Int32Chunked) -> Option<Vec<NaiveDate>> {
    if days.null_count() > 0 || days.is_empty() {
        return None;
    }
    let (lo, hi) = (days.min()?, days.max()?);
    if (hi as i64 - lo as i64) > 1_000_000 {
        return None;
    }
    let table: Vec<NaiveDate> = (lo..=hi)
        .map(parse::date_from_epoch_days)
        .collect::<Option<Vec<_>>>()?;
    let mut out = Vec::with_capacity(days.len());
    for arr in days.downcast_iter() {
        out.extend(arr.values().iter().map(|&d| table[(d - lo) as usize]));
    }
    Some(out)
}

fn parse_value(
    src: &PriceSource,
    file: &str,
    row: usize,
    column: &str,
    cell: Cell<'_>,
) -> Result<(f64, bool)> {
    // Returns (value, bad). Empty → missing and bad (present but unusable row).
    let (x, text) = match cell {
        Cell::Number(x) => (x, std::borrow::Cow::Borrowed("")),
        Cell::Date(_) => {
            return Err(Error::cell(
                file,
                row,
                column,
                "expected a number, got a date",
            ))
        }
        other => {
            let t = other.text();
            if t.is_empty() {
                if src.strict {
                    return Err(Error::cell(file, row, column, "empty value"));
                }
                return Ok((f64::NAN, true));
            }
            (
                parse_number(&t, src.decimal_comma)
                    .map_err(|msg| Error::cell(file, row, column, msg))?,
                t,
            )
        }
    };
    let bad = match src.value {
        ValueKind::Price => !(x.is_finite() && x > 0.0),
        ValueKind::Return => !x.is_finite(),
    };
    if bad && src.strict {
        let what = if src.value == ValueKind::Price {
            "price must be finite and > 0"
        } else {
            "return must be finite"
        };
        let shown = if text.is_empty() {
            format!("{x}")
        } else {
            text.into_owned()
        };
        return Err(Error::cell(
            file,
            row,
            column,
            format!("{what}, got '{shown}'"),
        ));
    }
    Ok((if bad { f64::NAN } else { x }, bad))
}

/// Visit every cell of a column in order with a closure that is monomorphic per column type
/// (no boxed iterator, no per-cell dispatch).
fn for_each_cell<'a>(
    col: &'a CellColumn,
    mut f: impl FnMut(usize, Cell<'a>) -> Result<()>,
) -> Result<()> {
    let mut i = 0;
    match col {
        CellColumn::Text(ca) => {
            for arr in ca.downcast_iter() {
                for v in arr.iter() {
                    f(
                        i,
                        v.map(|s| Cell::Text(s.trim_end_matches('\r')))
                            .unwrap_or(Cell::Null),
                    )?;
                    i += 1;
                }
            }
        }
        CellColumn::Number(ca) => {
            for arr in ca.downcast_iter() {
                for v in arr.iter() {
                    f(i, v.copied().map(Cell::Number).unwrap_or(Cell::Null))?;
                    i += 1;
                }
            }
        }
        CellColumn::Date(ca) => {
            for arr in ca.downcast_iter() {
                for v in arr.iter() {
                    f(i, v.copied().map(Cell::Date).unwrap_or(Cell::Null))?;
                    i += 1;
                }
            }
        }
    }
    Ok(())
}

/// Marks a row left out by the `tickers` filter.
const NO_TICKER: u32 = u32::MAX;

/// Ticker id of every row (`NO_TICKER` for rows the `tickers` filter leaves out) and the
/// ticker names by id. A ticker cell is trimmed, renamed and filtered only when it differs
/// from the cell above it (long files repeat each ticker on consecutive rows).
fn ticker_ids_by_row(
    src: &PriceSource,
    table: &TextTable,
    n_rows: usize,
) -> Result<(Vec<u32>, Vec<String>)> {
    let tickers = table.column(&src.ticker_col)?;
    let keep: Option<std::collections::HashSet<&str>> = src
        .tickers
        .as_ref()
        .map(|v| v.iter().map(String::as_str).collect());
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut by_row: Vec<u32> = Vec::with_capacity(n_rows);
    // The id of one ticker cell; `last` is the text cell above and its id.
    let mut resolve = |i: usize, cell: Cell<'_>, last: Option<(&str, u32)>| -> Result<u32> {
        if let (Cell::Text(raw), Some((prev, id))) = (cell, last) {
            if raw == prev {
                return Ok(id);
            }
        }
        let text = cell.text();
        if text.is_empty() {
            return Err(Error::cell(
                &table.file,
                table.first_row + i,
                &src.ticker_col,
                "empty ticker",
            ));
        }
        let name = src
            .rename
            .get(text.as_ref())
            .map(String::as_str)
            .unwrap_or(&text);
        Ok(match &keep {
            Some(k) if !k.contains(name) => NO_TICKER,
            _ => match ids.get(name) {
                Some(id) => *id,
                None => {
                    let id = names.len() as u32;
                    names.push(name.to_string());
                    ids.insert(name.to_string(), id);
                    id
                }
            },
        })
    };
    let text_without_nulls = match tickers {
        CellColumn::Text(ca) if ca.null_count() == 0 => Some(ca),
        _ => None,
    };
    if let Some(ca) = text_without_nulls {
        // Fast route: a view (length, prefix, buffer, offset) equal to the one above is the
        // same text, so the row takes the id above without looking at the text.
        let mut last: Option<(&str, u32)> = None;
        for arr in ca.downcast_iter() {
            let mut last_view: Option<u128> = None;
            for (j, view) in arr.views().iter().enumerate() {
                let i = by_row.len();
                if i >= n_rows {
                    break;
                }
                if last_view == Some(view.as_u128()) {
                    by_row.push(by_row[i - 1]);
                    continue;
                }
                // SAFETY: j < arr.len(), as it indexes arr.views().
                let raw = unsafe { arr.value_unchecked(j) }.trim_end_matches('\r');
                let id = resolve(i, Cell::Text(raw), last)?;
                by_row.push(id);
                last = Some((raw, id));
                last_view = Some(view.as_u128());
            }
        }
    } else {
        let mut last: Option<(&str, u32)> = None;
        for_each_cell(tickers, |i, cell| {
            if i < n_rows {
                let id = resolve(i, cell, last)?;
                by_row.push(id);
                last = match cell {
                    Cell::Text(raw) => Some((raw, id)),
                    _ => None,
                };
            }
            Ok(())
        })?;
    }
    Ok((by_row, names))
}

/// Per-row values and flags ([`OBS_SUSPENDED`] | [`OBS_BAD`]) of a long file; rows the
/// ticker filter leaves out are not parsed.
fn values_by_row(
    src: &PriceSource,
    table: &TextTable,
    ticker_by_row: &[u32],
) -> Result<(Vec<f64>, Vec<u8>)> {
    let n = ticker_by_row.len();
    let mut values = vec![f64::NAN; n];
    let mut flags = vec![0u8; n];
    if let Some(c) = &src.tradestatus_col {
        for_each_cell(table.column(c)?, |i, cell| {
            if i >= n || ticker_by_row[i] == NO_TICKER {
                return Ok(());
            }
            let x = parse_number(&cell.text(), false)
                .map_err(|m| Error::cell(&table.file, table.first_row + i, c, m))?;
            if x == 0.0 {
                flags[i] = OBS_SUSPENDED;
            }
            Ok(())
        })?;
    }
    let column = table.column(&src.price_col)?;
    let numbers_without_nulls = match column {
        CellColumn::Number(ca) if ca.null_count() == 0 => Some(ca),
        _ => None,
    };
    if let (Some(ca), false, None) = (numbers_without_nulls, src.strict, &src.tradestatus_col) {
        // Fast route for numeric Parquet columns: no text, no per-cell errors possible.
        let mut i = 0;
        for arr in ca.downcast_iter() {
            for &x in arr.values().iter() {
                if i >= n {
                    break;
                }
                let usable = match src.value {
                    ValueKind::Price => x.is_finite() && x > 0.0,
                    ValueKind::Return => x.is_finite(),
                };
                if ticker_by_row[i] != NO_TICKER {
                    values[i] = if usable { x } else { f64::NAN };
                    flags[i] = if usable { 0 } else { OBS_BAD };
                }
                i += 1;
            }
        }
        return Ok((values, flags));
    }
    for_each_cell(column, |i, cell| {
        if i >= n || ticker_by_row[i] == NO_TICKER || flags[i] & OBS_SUSPENDED != 0 {
            return Ok(());
        }
        let (value, bad) =
            parse_value(src, &table.file, table.first_row + i, &src.price_col, cell)?;
        values[i] = value;
        if bad {
            flags[i] = OBS_BAD;
        }
        Ok(())
    })?;
    Ok((values, flags))
}

/// Per-row rank of the row's source in `source_priority` (empty without `source_col`).
fn source_ranks_by_row(src: &PriceSource, table: &TextTable, n: usize) -> Result<Vec<u16>> {
    let Some(c) = &src.source_col else {
        return Ok(Vec::new());
    };
    let mut ranks = Vec::with_capacity(n);
    for_each_cell(table.column(c)?, |i, cell| {
        if i < n {
            let text = cell.text();
            ranks.push(source_rank(src, Some(&text)).min(u16::MAX as usize) as u16);
        }
        Ok(())
    })?;
    Ok(ranks)
}

fn read_long(src: &PriceSource, mut table: TextTable) -> Result<PricePanel> {
    // Each input column is released after its last use (the order below), unless another
    // role names the same column.
    let roles = [
        Some(src.date_col.as_str()),
        Some(src.ticker_col.as_str()),
        src.tradestatus_col.as_deref(),
        Some(src.price_col.as_str()),
        src.source_col.as_deref(),
    ];
    let release_role = |table: &mut TextTable, role: usize| {
        if let Some(name) = roles[role] {
            if !roles
                .iter()
                .enumerate()
                .any(|(r, n)| r != role && *n == Some(name))
            {
                table.release(name);
            }
        }
    };
    let dates = parse_dates(src, &table)?;
    release_role(&mut table, 0);
    let table = &mut table;
    if table.first_row + dates.len() > u32::MAX as usize {
        return Err(Error::file(
            table.file.clone(),
            format!(
                "{} rows: a long price file is limited to {} rows; split it into several files",
                dates.len(),
                u32::MAX as usize - table.first_row
            ),
        ));
    }
    let (ticker_by_row, ticker_names) = ticker_ids_by_row(src, table, dates.len())?;
    release_role(table, 1);
    let n = ticker_by_row.len();
    let (values, flags) = values_by_row(src, table, &ticker_by_row)?;
    release_role(table, 2);
    release_role(table, 3);
    let ranks = source_ranks_by_row(src, table, n)?;
    release_role(table, 4);
    let table = &*table;
    let rank_at = |i: usize| ranks.get(i).copied().unwrap_or(0);
    // Bucket the rows by ticker in name order (stable, O(n)), then sort each bucket by (date,
    // source rank, row) unless it is already in that order — the usual case for files sorted
    // by ticker or by date.
    let mut by_name: Vec<u32> = (0..ticker_names.len() as u32).collect();
    by_name.sort_unstable_by(|&a, &b| ticker_names[a as usize].cmp(&ticker_names[b as usize]));
    let mut name_rank = vec![0u32; ticker_names.len()];
    for (r, &id) in by_name.iter().enumerate() {
        name_rank[id as usize] = r as u32;
    }
    let mut counts = vec![0usize; ticker_names.len() + 1];
    for &t in &ticker_by_row {
        if t != NO_TICKER {
            counts[name_rank[t as usize] as usize + 1] += 1;
        }
    }
    for k in 1..counts.len() {
        counts[k] += counts[k - 1];
    }
    // Row indices fit in u32 (checked above).
    let mut idx = vec![0u32; counts[ticker_names.len()]];
    {
        let mut next = counts.clone();
        for (i, &t) in ticker_by_row.iter().enumerate() {
            if t != NO_TICKER {
                let b = name_rank[t as usize] as usize;
                idx[next[b]] = i as u32;
                next[b] += 1;
            }
        }
    }
    drop(ticker_by_row);
    // One series per bucket, in parallel; the first error in name order is reported.
    let build = |b: usize, bucket: &mut [u32]| -> Result<PriceSeries> {
        let key = |&a: &u32| (dates[a as usize], rank_at(a as usize), a);
        if !bucket.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            bucket.sort_unstable_by_key(key);
        }
        let name = &ticker_names[by_name[b] as usize];
        let mut s = PriceSeries {
            ticker: name.clone(),
            dates: Vec::with_capacity(bucket.len()),
            values: Vec::with_capacity(bucket.len()),
            kind: src.value,
            file: table.file.clone(),
            issues: ValueIssues::default(),
        };
        let mut prev: Option<usize> = None;
        for &i in bucket.iter() {
            let i = i as usize;
            let date = dates[i];
            if let Some(p) = prev {
                if dates[p] == date {
                    if src.source_col.is_some() && rank_at(p) < rank_at(i) {
                        continue; // lower-priority source for the same day: the preferred row wins
                    }
                    return Err(Error::cell(
                        &table.file,
                        table.first_row + i.max(p),
                        &src.date_col,
                        format!(
                            "duplicate (date, ticker) = ({}, {}): also on row {}{}",
                            date,
                            name,
                            table.first_row + i.min(p),
                            if src.source_col.is_some() {
                                " with the same source priority"
                            } else {
                                "; set source_col/source_priority to say which row wins"
                            }
                        ),
                    ));
                }
            }
            s.dates.push(date);
            s.values.push(values[i]);
            if flags[i] & OBS_SUSPENDED != 0 {
                s.issues.suspended += 1;
                s.issues.first_suspended.get_or_insert(date);
            } else if flags[i] & OBS_BAD != 0 {
                s.issues.bad_price += 1;
                s.issues.first_bad_price.get_or_insert(date);
            }
            prev = Some(i);
        }
        flag_price_jumps(&mut s);
        Ok(s)
    };
    let mut buckets: Vec<(usize, &mut [u32])> = Vec::with_capacity(ticker_names.len());
    let mut rest: &mut [u32] = &mut idx;
    for b in 0..ticker_names.len() {
        let (head, tail) = rest.split_at_mut(counts[b + 1] - counts[b]);
        buckets.push((b, head));
        rest = tail;
    }
    use rayon::prelude::*;
    let built: Vec<Result<PriceSeries>> = buckets
        .into_par_iter()
        .map(|(b, bucket)| build(b, bucket))
        .collect();
    let mut panel = PricePanel::default();
    for s in built {
        let s = s?;
        panel.series.insert(s.ticker.clone(), s);
    }
    Ok(panel)
}

/// Row order of a one-row-per-date file sorted by date; a date on two rows is an error naming
/// both rows (wide price files, factor files).
pub(crate) fn date_order_unique(
    table: &TextTable,
    date_col: &str,
    dates: &[NaiveDate],
) -> Result<Vec<usize>> {
    let mut order: Vec<usize> = (0..dates.len()).collect();
    order.sort_by_key(|&i| (dates[i], i));
    for w in order.windows(2) {
        if dates[w[0]] == dates[w[1]] {
            return Err(Error::cell(
                &table.file,
                table.first_row + w[1],
                date_col,
                format!(
                    "duplicate date {} (also on row {})",
                    dates[w[0]],
                    table.first_row + w[0]
                ),
            ));
        }
    }
    Ok(order)
}

fn read_wide(src: &PriceSource, table: &TextTable) -> Result<PricePanel> {
    let dates = parse_dates(src, table)?;
    // Duplicate dates in a wide file.
    let order = date_order_unique(table, &src.date_col, &dates)?;
    let mut panel = PricePanel::default();
    for (ci, name) in table.names.iter().enumerate() {
        if name == &src.date_col || name.is_empty() {
            continue;
        }
        let ticker = src
            .rename
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.clone());
        if let Some(k) = &src.tickers {
            if !k.contains(&ticker) {
                continue;
            }
        }
        let col = &table.columns[ci];
        let mut s = PriceSeries {
            ticker: ticker.clone(),
            dates: Vec::with_capacity(dates.len()),
            values: Vec::with_capacity(dates.len()),
            kind: src.value,
            file: table.file.clone(),
            issues: ValueIssues::default(),
        };
        for &i in &order {
            let cell = col.get(i);
            if matches!(cell, Cell::Null) || cell.text().is_empty() {
                continue; // in a wide file an empty cell is an absent row
            }
            let (v, bad) = parse_value(src, &table.file, table.first_row + i, name, cell)?;
            s.dates.push(dates[i]);
            s.values.push(v);
            if bad {
                s.issues.bad_price += 1;
                s.issues.first_bad_price.get_or_insert(dates[i]);
            }
        }
        flag_price_jumps(&mut s);
        if panel.series.insert(ticker.clone(), s).is_some() {
            return Err(Error::file(
                table.file.clone(),
                format!("ticker '{ticker}' appears in two columns"),
            ));
        }
    }
    Ok(panel)
}

/// Combine panels read from several files. A ticker present in two files is an error unless
/// `winner` names the file (its path as given) whose series is kept; the same ticker from two
/// files is otherwise ambiguous even when the dates do not overlap.
///
/// # Examples
/// ```
/// use evstudy::data::{combine_panels, PricePanel};
/// let merged = combine_panels(vec![PricePanel::default(), PricePanel::default()], None).unwrap();
/// assert!(merged.is_empty());
/// ```
pub fn combine_panels(panels: Vec<PricePanel>, winner: Option<&str>) -> Result<PricePanel> {
    let mut out = PricePanel::default();
    for p in panels {
        for (ticker, s) in p.series {
            match out.series.get(&ticker) {
                None => {
                    out.series.insert(ticker, s);
                }
                Some(existing) => {
                    let overlap = s
                        .dates
                        .iter()
                        .find(|d| existing.dates.binary_search(d).is_ok());
                    match winner {
                        Some(w) if w == s.file => {
                            out.series.insert(ticker, s);
                        }
                        Some(w) if w == existing.file => {}
                        _ => {
                            return Err(Error::file(
                                s.file.clone(),
                                format!(
                                    "ticker '{ticker}' is also in {}{}; name the file that wins (prefer = \"...\")",
                                    existing.file,
                                    overlap.map(|d| format!(" (both have {d})")).unwrap_or_default()
                                ),
                            ))
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Read several sources and combine them ([`combine_panels`]).
pub fn read_all(sources: &[PriceSource], winner: Option<&str>) -> Result<PricePanel> {
    let panels = sources
        .iter()
        .map(read_prices)
        .collect::<Result<Vec<_>>>()?;
    combine_panels(panels, winner)
}

#[cfg(test)]
mod tests;
