//! How the cells of a column are written, read back and typed, by the type of their field.

use chrono::NaiveDate;

use super::{Label, Stage};
use crate::error::{Error, Result};
use crate::vocab::{ExclusionReason, Metric, Scope, TestKind};

/// Receives the cells of a row in column order (the CSV writer implements it).
pub trait CellWriter {
    /// A text cell.
    fn text(&mut self, value: &str);
    /// A text cell, empty when `None`.
    fn opt_text(&mut self, value: Option<&str>);
    /// An integer cell.
    fn int(&mut self, value: i64);
    /// An integer cell, empty when `None`.
    fn opt_int(&mut self, value: Option<i64>);
    /// A number cell, empty (NA) when `None`.
    fn num(&mut self, value: Option<f64>);
    /// A date cell (`YYYY-MM-DD`), empty when `None`.
    fn date(&mut self, value: Option<NaiveDate>);
}

/// Gives the cells of one row in column order (the CSV reader implements it).
pub trait CellReader {
    /// The text of the next fixed column of the row.
    fn next_text(&mut self) -> &str;
    /// An error about the cell last given by [`CellReader::next_text`], naming the file, the
    /// row and the column.
    fn cell_error(&self, message: String) -> Error;
    /// The position of the row in its file (0 for the first data row): a sort key that keeps
    /// the file's order.
    fn row_order(&mut self) -> Result<i64>;
    /// The numeric cells of the columns beyond the fixed ones, sorted by column name.
    fn extra_columns(&mut self) -> Result<Vec<(String, Option<f64>)>>;
}

/// Collects the typed columns of a table (the DataFrame builder implements it). Each method
/// takes the column name and the function that reads the cell from a row.
pub trait ColumnSink<R> {
    /// A text column.
    fn text(&mut self, name: &'static str, get: impl Fn(&R) -> &str + Send + Sync + 'static);
    /// A nullable text column.
    fn opt_text(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<&str> + Send + Sync + 'static,
    );
    /// An `Int32` column.
    fn i32(&mut self, name: &'static str, get: impl Fn(&R) -> i32 + Send + Sync + 'static);
    /// A nullable `Int32` column.
    fn opt_i32(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<i32> + Send + Sync + 'static,
    );
    /// A `UInt32` column.
    fn u32(&mut self, name: &'static str, get: impl Fn(&R) -> u32 + Send + Sync + 'static);
    /// A nullable `UInt32` column.
    fn opt_u32(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<u32> + Send + Sync + 'static,
    );
    /// A nullable `Int64` column.
    fn opt_i64(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<i64> + Send + Sync + 'static,
    );
    /// A nullable `Float64` column.
    fn opt_f64(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<f64> + Send + Sync + 'static,
    );
    /// A nullable `Date` column.
    fn opt_date(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<NaiveDate> + Send + Sync + 'static,
    );
}

/// The type of a column's cells: how it is written, read back and typed in a DataFrame.
pub trait Cell: Sized + 'static {
    /// Hands the cell to a writer.
    fn write<W: CellWriter>(&self, w: &mut W);
    /// Reads the next cell of a row.
    ///
    /// # Errors
    /// [`Error::Cell`] naming file, row and column when the text does not parse.
    fn read<R: CellReader>(r: &mut R) -> Result<Self>;
    /// Hands the column `name`, read from each row by `get`, to a DataFrame builder.
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self);
}

/// Parses the text of an optional cell (empty is `None`), with `what` naming the expected
/// kind of value in the error.
fn parse_opt<T: std::str::FromStr, R: CellReader>(r: &mut R, what: &str) -> Result<Option<T>> {
    let s = r.next_text();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<T>() {
        Ok(v) => Ok(Some(v)),
        Err(_) => {
            let message = format!("'{s}' {what}");
            Err(r.cell_error(message))
        }
    }
}

/// Parses a required integer cell.
fn parse_int<T: std::str::FromStr, R: CellReader>(r: &mut R) -> Result<T> {
    parse_opt(r, INT)?.ok_or_else(|| r.cell_error("empty; an integer is required".to_string()))
}

/// The error text of an integer cell that does not parse.
const INT: &str = "is not an integer in range";

impl Cell for String {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.text(self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        Ok(r.next_text().to_string())
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.text(name, move |r| get(r).as_str())
    }
}

impl Cell for Label {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.text(self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        Ok(Label::from(r.next_text()))
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.text(name, move |r| get(r).as_str())
    }
}

impl Cell for Option<String> {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.opt_text(self.as_deref())
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        Ok(Some(r.next_text())
            .filter(|s| !s.is_empty())
            .map(String::from))
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.opt_text(name, move |r| get(r).as_deref())
    }
}

/// [`Cell`] for an integer type and its `Option`, typed in a DataFrame by the given
/// [`ColumnSink`] methods.
macro_rules! int_cells {
    ($t:ty, $plain:ident, $opt:ident) => {
        impl Cell for $t {
            fn write<W: CellWriter>(&self, w: &mut W) {
                w.int(i64::from(*self))
            }
            fn read<R: CellReader>(r: &mut R) -> Result<Self> {
                parse_int(r)
            }
            fn column<R: 'static, S: ColumnSink<R>>(
                s: &mut S,
                name: &'static str,
                get: fn(&R) -> &Self,
            ) {
                s.$plain(name, move |r| *get(r))
            }
        }
        impl Cell for Option<$t> {
            fn write<W: CellWriter>(&self, w: &mut W) {
                w.opt_int(self.map(i64::from))
            }
            fn read<R: CellReader>(r: &mut R) -> Result<Self> {
                parse_opt(r, INT)
            }
            fn column<R: 'static, S: ColumnSink<R>>(
                s: &mut S,
                name: &'static str,
                get: fn(&R) -> &Self,
            ) {
                s.$opt(name, move |r| *get(r))
            }
        }
    };
}
int_cells!(i32, i32, opt_i32);
int_cells!(u32, u32, opt_u32);

impl Cell for Option<i64> {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.opt_int(*self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        parse_opt(r, INT)
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.opt_i64(name, move |r| *get(r))
    }
}

impl Cell for Option<f64> {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.num(*self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        parse_opt(r, "is not a number")
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.opt_f64(name, move |r| *get(r))
    }
}

impl Cell for Option<NaiveDate> {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.date(*self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        let s = r.next_text();
        if s.is_empty() {
            return Ok(None);
        }
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Ok(Some(d)),
            Err(_) => {
                let message = format!("'{s}' is not a date YYYY-MM-DD");
                Err(r.cell_error(message))
            }
        }
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.opt_date(name, move |r| *get(r))
    }
}

impl Cell for Stage {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.text(self.as_str())
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        let s = r.next_text();
        match Stage::ALL.into_iter().find(|st| st.as_str() == s) {
            Some(stage) => Ok(stage),
            None => {
                let message = format!(
                    "unknown stage '{s}' (input, day0, estimation, event_day, car, portfolio)"
                );
                Err(r.cell_error(message))
            }
        }
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.text(name, move |r| get(r).as_str())
    }
}

/// A fixed vocabulary, written and read as its output text.
macro_rules! vocabulary_cell {
    ($($t:ty => $what:literal),+) => {$(
        impl Cell for $t {
            fn write<W: CellWriter>(&self, w: &mut W) {
                w.text(self.as_str())
            }
            fn read<R: CellReader>(r: &mut R) -> Result<Self> {
                let s = r.next_text().to_string();
                match s.parse::<$t>() {
                    Ok(value) => Ok(value),
                    Err(_) => Err(r.cell_error(format!(concat!("unknown ", $what, " '{}'"), s))),
                }
            }
            fn column<R: 'static, S: ColumnSink<R>>(
                s: &mut S,
                name: &'static str,
                get: fn(&R) -> &Self,
            ) {
                s.text(name, move |r| get(r).as_str())
            }
        }
    )+};
}
pub(crate) use vocabulary_cell;

vocabulary_cell!(
    ExclusionReason => "exclusion reason",
    TestKind => "test",
    Scope => "scope",
    Metric => "metric"
);
