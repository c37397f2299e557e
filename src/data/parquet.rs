//! Parquet price and factor files → [`TextTable`].

use polars::prelude::*;

use super::csv::{check_file, display_path};
use super::source::{Layout, PriceSource};
use super::table::{CellColumn, TextTable};
use crate::error::{Error, Result};

/// Read a Parquet file with polars; every column is turned into text for uniform parsing,
/// except that date and numeric columns keep their meaning (dates as ISO strings).
pub(super) fn read_parquet_text(src: &PriceSource) -> Result<TextTable> {
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
