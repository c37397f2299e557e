//! Rows that are generated a range at a time instead of held: a table of millions of rows
//! whose writer never needs all of them at once.

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::NaiveDate;

use super::AbnormalReturnRow;

/// A table's rows made on demand, in their final order.
pub trait RowSource<T>: Send + Sync + std::fmt::Debug {
    /// Number of rows.
    fn len(&self) -> usize;
    /// Whether the table has no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Rows `range` (within `0..len()`), in order.
    fn rows(&self, range: Range<usize>) -> Vec<T>;
    /// Rows `range` as columns in the table's column order ([`Table::COLUMNS`](super::Table::COLUMNS)),
    /// for a source that makes them without the row structs; `None` (the default) when it
    /// does not, and the writers read [`RowSource::rows`]. The values are those of the rows.
    fn columns(&self, _range: Range<usize>) -> Option<Vec<ColumnValues<'_>>> {
        None
    }
}

/// The values of one column of some rows, as a [`RowSource`] makes them.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues<'a> {
    /// Text, as runs of one value: (value, number of rows).
    TextRuns(Vec<(&'a str, usize)>),
    /// `Int32`.
    I32(Vec<i32>),
    /// Nullable `Date`.
    OptDate(Vec<Option<NaiveDate>>),
    /// Nullable `Float64`.
    OptF64(Vec<Option<f64>>),
    /// Nullable `Float64`, null where the value is not finite (NaN: a missing value).
    FiniteF64(Vec<f64>),
    /// Nullable `UInt32`.
    OptU32(Vec<Option<u32>>),
}

/// The rows of `abnormal_returns` made on demand, with the facts the report reads from the
/// table without going through its rows.
pub trait AbnormalReturnSource: RowSource<AbnormalReturnRow> {
    /// The distinct relative days of the rows.
    fn rel_days(&self) -> BTreeSet<i32>;
    /// The distinct `group` values of the rows.
    fn groups(&self) -> BTreeSet<String>;
}

/// The rows of a table as a writer reads them: held, or made a range at a time.
pub enum TableRows<'a, T> {
    /// Every row, held.
    Held(&'a [T]),
    /// Rows made on demand.
    Made(&'a dyn RowSource<T>),
}

impl<T> Clone for TableRows<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for TableRows<'_, T> {}

impl<T> TableRows<'_, T> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            TableRows::Held(rows) => rows.len(),
            TableRows::Made(src) => src.len(),
        }
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `f` of rows `range` (within `0..len()`): the held rows themselves, or rows made for
    /// the call and dropped after it.
    pub fn with_chunk<R>(&self, range: Range<usize>, f: impl FnOnce(&[T]) -> R) -> R {
        match self {
            TableRows::Held(rows) => f(&rows[range]),
            TableRows::Made(src) => f(&src.rows(range)),
        }
    }
}
