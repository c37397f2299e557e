//! Price ingest: long or wide tables from CSV or Parquet, read with polars (methodology §1.1).
//!
//! A [`PriceSource`] says where a file is and how to read it (column names are
//! configuration: `adj_close` in one file, `close` in another). [`read_prices`] turns it into a
//! [`PricePanel`]: one [`PriceSeries`] per ticker, dates ascending, values as contiguous `f64`
//! (NaN = missing). Several panels combine with [`combine_panels`].
//!
//! Rules (methodology §1.1):
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

mod combine;
mod csv;
mod factors;
mod folder;
mod long;
mod names;
mod panel;
mod parquet;
mod parse;
pub(crate) mod records;
pub(crate) mod sniff;
mod source;
mod table;
mod wide;

pub use combine::{combine_panels, read_all, read_all_for};
pub use factors::{factor_scale_warning, read_factors, FactorSource, FactorTable};
pub use folder::{parquet_folder_files, PartFile};
pub use names::{look_alike_column, nearest_name};
pub use panel::{
    flag_price_jumps, PricePanel, PriceSeries, ValueIssues, LOW_RETURN_DATES_KEPT,
    PRICE_JUMP_FACTOR,
};
pub(crate) use parquet::read_parquet_records;
pub use parse::{check_date_range, parse_date, parse_number, DATE_YEARS};
pub use records::{split_csv_records, CsvRecord};
pub use source::{read_prices, read_prices_for, Layout, PriceSource, ValueKind};

#[cfg(test)]
mod tests;
