//! An input file's columns as read by polars ([`TextTable`]) and typed values from its cells:
//! dates, prices or returns, each error naming file, row and column.

use chrono::NaiveDate;
use polars::prelude::*;

use super::parse::{self, check_date_range, parse_date, parse_number};
use super::source::{PriceSource, ValueKind};
use crate::error::{Error, Result};

/// One column of an input file, kept in polars' memory (no per-cell copies).
pub(super) enum CellColumn {
    /// Text (every CSV column; Parquet strings).
    Text(StringChunked),
    /// Parquet numbers, as f64.
    Number(Float64Chunked),
    /// Parquet dates (days since 1970-01-01).
    Date(Int32Chunked),
}

/// One cell of an input file.
#[derive(Debug, Clone, Copy)]
pub(super) enum Cell<'a> {
    Null,
    Text(&'a str),
    Number(f64),
    Date(i32),
}

impl CellColumn {
    #[inline]
    pub(super) fn get(&self, i: usize) -> Cell<'_> {
        match self {
            CellColumn::Text(ca) => ca
                .get(i)
                .map(|s| Cell::Text(s.trim_end_matches('\r')))
                .unwrap_or(Cell::Null),
            CellColumn::Number(ca) => ca.get(i).map(Cell::Number).unwrap_or(Cell::Null),
            CellColumn::Date(ca) => ca.get(i).map(Cell::Date).unwrap_or(Cell::Null),
        }
    }
    pub(super) fn len(&self) -> usize {
        match self {
            CellColumn::Text(ca) => ca.len(),
            CellColumn::Number(ca) => ca.len(),
            CellColumn::Date(ca) => ca.len(),
        }
    }
}

impl<'a> Cell<'a> {
    /// The cell as trimmed text ("" for null); numbers are written back as text.
    pub(super) fn text(self) -> std::borrow::Cow<'a, str> {
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
pub(super) struct TextTable {
    pub(super) file: String,
    pub(super) names: Vec<String>,
    pub(super) columns: Vec<CellColumn>,
    /// Row number (1-based, as seen by a user) of the first data row.
    pub(super) first_row: usize,
}

impl TextTable {
    pub(super) fn column(&self, name: &str) -> Result<&CellColumn> {
        match self.names.iter().position(|n| n == name) {
            Some(i) => Ok(&self.columns[i]),
            None => Err(self.missing(name)),
        }
    }
    /// The error of a missing column: with the configuration key to set when a present
    /// column looks like it (`symbol` for the default `ticker`).
    fn missing(&self, name: &str) -> Error {
        let key = match name {
            "date" => Some("date_col"),
            "ticker" => Some("ticker_col"),
            "close" => Some("price_col"),
            _ => None,
        };
        let found = key.and_then(|k| {
            super::names::look_alike_column(name, self.names.iter().map(String::as_str))
                .map(|f| (k, f))
        });
        match found {
            Some((key, found)) => Error::file(
                self.file.clone(),
                format!(
                    "missing column '{name}' (columns present: {}); did you mean '{found}'? \
                     set {key} = \"{found}\"",
                    self.names.join(", ")
                ),
            ),
            None => Error::MissingColumn {
                file: self.file.clone(),
                column: name.to_string(),
                present: self.names.join(", "),
            },
        }
    }
    pub(super) fn height(&self) -> usize {
        self.columns.iter().map(CellColumn::len).max().unwrap_or(0)
    }
    /// Free the data of column `name` once it has been read (a long file's columns are as
    /// large as the panel built from them, so each is let go before the next is converted);
    /// the column is empty afterwards.
    pub(super) fn release(&mut self, name: &str) {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            self.columns[i] = match &self.columns[i] {
                CellColumn::Text(ca) => CellColumn::Text(ca.clear()),
                CellColumn::Number(ca) => CellColumn::Number(ca.clear()),
                CellColumn::Date(ca) => CellColumn::Date(ca.clear()),
            };
        }
    }
}

pub(super) fn parse_dates(src: &PriceSource, table: &TextTable) -> Result<Vec<NaiveDate>> {
    let dates = parse_date_cells(src, table)?;
    let (Some(lo), Some(hi)) = (dates.iter().min(), dates.iter().max()) else {
        return Ok(dates);
    };
    if check_date_range(*lo).is_err() || check_date_range(*hi).is_err() {
        if let Some((i, m)) = dates
            .iter()
            .enumerate()
            .find_map(|(i, d)| check_date_range(*d).err().map(|m| (i, m)))
        {
            return Err(Error::cell(
                &table.file,
                table.first_row + i,
                &src.date_col,
                m,
            ));
        }
    }
    Ok(dates)
}

fn parse_date_cells(src: &PriceSource, table: &TextTable) -> Result<Vec<NaiveDate>> {
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
pub(super) fn dates_by_lookup(days: &Int32Chunked) -> Option<Vec<NaiveDate>> {
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

pub(super) fn parse_value(
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
pub(super) fn for_each_cell<'a>(
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

/// Row order of a one-row-per-date file sorted by date; a date on two rows is an error naming
/// both rows (wide price files, factor files).
pub(super) fn date_order_unique(
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
