//! Where a price file is and how to read it ([`PriceSource`], [`Layout`], [`ValueKind`]),
//! and [`read_prices`], which reads one file into a panel.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::csv::read_csv_text;
use super::folder::read_folder_text;
use super::long::{read_long, LongColumns};
use super::panel::PricePanel;
use super::parquet::{read_parquet_text, ParquetBatches, BATCH_ROWS};
use super::wide::read_wide;
use crate::error::{Error, Result};

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
    /// CSV or Parquet file (by extension `.parquet`/`.pq`, else CSV), or a folder of Parquet
    /// files, hive-partitioned or not (long layout; see [`parquet_folder_files`](super::parquet_folder_files)).
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
    /// Opening-price column of a long file, on the same adjustment basis as `price_col`
    /// (backtests that trade at the open, methodology §16.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_col: Option<String>,
    /// Traded-volume column of a long file: a bar whose volume is 0 or missing is a
    /// placeholder without a real open or close (backtests, §16.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_col: Option<String>,
}

pub(crate) fn default_date_col() -> String {
    "date".into()
}
pub(super) fn default_ticker_col() -> String {
    "ticker".into()
}
pub(super) fn default_price_col() -> String {
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
            open_col: None,
            volume_col: None,
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
    pub(crate) fn is_parquet(&self) -> bool {
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
    read_prices_for(src, None)
}

/// Read one price source into a panel, for a run that needs only the tickers `wanted`
/// (`None`: every ticker). A file is read whole (a long Parquet file a batch of row groups at
/// a time, so that its cells are never all in memory at once); of a folder of Parquet files
/// only the files [`parquet_folder_files`](super::parquet_folder_files) names are read.
///
/// # Errors
/// As [`read_prices`].
pub fn read_prices_for(src: &PriceSource, wanted: Option<&BTreeSet<String>>) -> Result<PricePanel> {
    if src.layout == Layout::Long && src.is_parquet() && !src.path.is_dir() {
        return read_long_parquet(src, BATCH_ROWS);
    }
    let table = if src.path.is_dir() {
        read_folder_text(src, wanted)?
    } else if src.is_parquet() {
        read_parquet_text(src)?
    } else {
        read_csv_text(src)?
    };
    if table.height() == 0 {
        return Err(header_only(&table.file));
    }
    match src.layout {
        Layout::Long => read_long(src, table),
        Layout::Wide => read_wide(src, &table),
    }
}

/// A long Parquet file, read a batch of whole row groups (at least `batch_rows` rows) at a
/// time ([`ParquetBatches`]).
pub(super) fn read_long_parquet(src: &PriceSource, batch_rows: usize) -> Result<PricePanel> {
    let batches = ParquetBatches::open(src, batch_rows)?;
    if batches.rows() == 0 {
        return Err(header_only(batches.file()));
    }
    let file = batches.file().to_string();
    let mut columns = LongColumns::new(src, file, 1, Some(batches.rows()));
    batches.for_each(src, |table| columns.add(table))?;
    columns.finish()
}

/// The error of a file with a header and no data rows.
fn header_only(file: &str) -> Error {
    Error::file(file, "header only: the file has no data rows")
}
