//! Parquet price and factor files → [`TextTable`].

use polars::prelude::*;
use std::path::Path;

use super::csv::{check_file, display_path};
use super::source::{Layout, PriceSource};
use super::table::{CellColumn, TextTable};
use crate::error::{Error, Result};

/// Read a Parquet file with polars; every column is turned into text for uniform parsing,
/// except that date and numeric columns keep their meaning (dates as ISO strings).
pub(super) fn read_parquet_text(src: &PriceSource) -> Result<TextTable> {
    let file = display_path(&src.path);
    check_file(&src.path)?;
    let df = read_parquet_frame(&src.path, src, Projection::Readable)?;
    frame_to_text(file, &df, src)
}

/// Rows a batch of a long Parquet file holds at least (whole row groups), when the file is
/// read batch by batch ([`ParquetBatches`]).
pub(super) const BATCH_ROWS: usize = 1 << 20;

/// A long Parquet price file read a batch of whole row groups at a time: each batch is read
/// (in parallel over its row groups), turned into cells, parsed and dropped before the next,
/// so a file's cells are never all in memory at once.
pub(super) struct ParquetBatches {
    file: String,
    path: std::path::PathBuf,
    metadata: polars::io::parquet::metadata::FileMetadataRef,
    columns: Vec<String>,
    /// (first row, rows) of each batch.
    batches: Vec<(usize, usize)>,
}

impl ParquetBatches {
    /// The batches of the Parquet file of `src`, from its metadata: whole row groups, at
    /// least `batch_rows` rows each but the last.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Polars`] naming the file when it cannot be opened or its
    /// metadata read; [`Error::File`] for a used column of a type evstudy does not read.
    pub fn open(src: &PriceSource, batch_rows: usize) -> Result<ParquetBatches> {
        let file = display_path(&src.path);
        check_file(&src.path)?;
        let f = std::fs::File::open(&src.path).map_err(|e| Error::io(&src.path, e))?;
        let mut reader = ParquetReader::new(f);
        let schema = reader.schema().map_err(|e| unreadable(&file, e))?;
        let columns = readable_columns(&file, &schema, |name| used_column(src, name))?;
        let metadata = reader
            .get_metadata()
            .map_err(|e| unreadable(&file, e))?
            .clone();
        let mut batches = Vec::new();
        let (mut start, mut rows) = (0, 0);
        for rg in &metadata.row_groups {
            rows += rg.num_rows();
            if rows >= batch_rows {
                batches.push((start, rows));
                (start, rows) = (start + rows, 0);
            }
        }
        if rows > 0 {
            batches.push((start, rows));
        }
        Ok(ParquetBatches {
            file,
            path: src.path.clone(),
            metadata,
            columns,
            batches,
        })
    }

    /// The file, as named in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.metadata.num_rows
    }

    /// Reads every batch in turn as cells for the readers of `src` (each numbered from its
    /// row in the file) and hands it to `each`; the next batch is read while `each` parses
    /// the current one.
    ///
    /// # Errors
    /// Those of reading a batch, and the first of `each`.
    pub fn for_each(
        &self,
        src: &PriceSource,
        mut each: impl FnMut(TextTable) -> Result<()> + Send,
    ) -> Result<()> {
        let Some(first) = self.batches.first() else {
            return Ok(());
        };
        let mut current = self.read(*first, src)?;
        for k in 1..=self.batches.len() {
            let (next, parsed) = rayon::join(
                || self.batches.get(k).map(|b| self.read(*b, src)).transpose(),
                || each(current),
            );
            parsed?;
            match next? {
                Some(table) => current = table,
                None => break,
            }
        }
        Ok(())
    }

    /// The batch of `rows` rows from row index `start`, as cells.
    fn read(&self, (start, rows): (usize, usize), src: &PriceSource) -> Result<TextTable> {
        let f = std::fs::File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let mut reader = ParquetReader::new(f);
        reader.set_metadata(self.metadata.clone());
        let df = reader
            .with_columns(Some(self.columns.clone()))
            .with_slice(Some((start, rows)))
            .finish()
            .map_err(|e| unreadable(&self.file, e))?;
        let mut table = frame_to_text(self.file.clone(), &df, src)?;
        table.first_row = start + 1;
        Ok(table)
    }
}

/// The error of a Parquet file polars cannot read.
fn unreadable(file: &str, e: PolarsError) -> Error {
    Error::Polars {
        file: file.to_string(),
        message: format!("unreadable Parquet file: {e}"),
    }
}

/// Which columns of a Parquet file are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Projection {
    /// Every column of a type polars reads.
    Readable,
    /// Only the columns the source uses (a long source's date, ticker, value, status and
    /// source columns).
    Used,
}

/// Whether the reader of `src` uses column `name` (every column of a wide file is a ticker).
fn used_column(src: &PriceSource, name: &str) -> bool {
    src.layout == Layout::Wide
        || name == src.date_col
        || name == src.ticker_col
        || name == src.price_col
        || src.tradestatus_col.as_deref() == Some(name)
        || src.source_col.as_deref() == Some(name)
}

/// The columns of the Parquet file at `path` that `projection` selects, as polars reads them.
pub(super) fn read_parquet_frame(
    path: &Path,
    src: &PriceSource,
    projection: Projection,
) -> Result<DataFrame> {
    let file = display_path(path);
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = ParquetReader::new(f);
    let schema = reader.schema().map_err(|e| unreadable(&file, e))?;
    let mut columns = readable_columns(&file, &schema, |name| used_column(src, name))?;
    if projection == Projection::Used {
        columns.retain(|name| used_column(src, name));
    }
    reader
        .with_columns(Some(columns))
        .finish()
        .map_err(|e| unreadable(&file, e))
}

/// The columns of `df` as cells for the readers of `src`; `file` names the data in messages.
pub(super) fn frame_to_text(file: String, df: &DataFrame, src: &PriceSource) -> Result<TextTable> {
    let used = |name: &str| used_column(src, name);
    let mut names = Vec::with_capacity(df.width());
    let mut columns = Vec::with_capacity(df.width());
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
            DataType::Datetime(unit, Some(zone)) => {
                CellColumn::Date(local_dates(&file, &name, col, *unit, zone)?)
            }
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

/// The columns polars can read without a panic: every column of a type it reads, and the
/// used columns, whose type must be one of those (else an error naming file, column and
/// type, with the conversion to make). Columns of other types that are not used are left
/// out.
fn readable_columns(
    file: &str,
    schema: &ArrowSchema,
    used: impl Fn(&str) -> bool,
) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(schema.len());
    for (name, field) in schema.iter() {
        if readable_type(&field.dtype) {
            out.push(name.to_string());
        } else if used(name) {
            return Err(Error::file(
                file,
                format!(
                    "column '{name}' has the Parquet type {}, which evstudy does not read: {}",
                    arrow_type_name(&field.dtype),
                    conversion_hint(name, &field.dtype)
                ),
            ));
        }
    }
    Ok(out)
}

/// Arrow types that polars, as built here, turns into a column (others need polars features
/// this build leaves out, and polars panics on them).
fn readable_type(t: &ArrowDataType) -> bool {
    use ArrowDataType as A;
    match t {
        A::Null
        | A::Boolean
        | A::Int32
        | A::Int64
        | A::UInt32
        | A::UInt64
        | A::Float32
        | A::Float64
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View
        | A::Date32
        | A::Date64
        | A::Timestamp(_, _) => true,
        A::List(inner) | A::LargeList(inner) => readable_type(&inner.dtype),
        _ => false,
    }
}

/// A short name of an Arrow type for messages (`decimal(12, 4)`, `int16`, …).
fn arrow_type_name(t: &ArrowDataType) -> String {
    use ArrowDataType as A;
    match t {
        A::Decimal(p, s) | A::Decimal32(p, s) | A::Decimal64(p, s) | A::Decimal256(p, s) => {
            format!("decimal({p}, {s})")
        }
        A::Dictionary(..) => "dictionary (categorical)".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// What to do with a column of an unread type.
fn conversion_hint(name: &str, t: &ArrowDataType) -> String {
    use ArrowDataType as A;
    match t {
        A::Decimal(..)
        | A::Decimal32(..)
        | A::Decimal64(..)
        | A::Decimal256(..)
        | A::Int8
        | A::Int16
        | A::UInt8
        | A::UInt16
        | A::Float16 => format!(
            "store it as float64 (pandas: df['{name}'] = df['{name}'].astype('float64'); \
             polars: pl.col('{name}').cast(pl.Float64))"
        ),
        A::Dictionary(..) => {
            format!("store it as plain text (pandas: df['{name}'] = df['{name}'].astype(str))")
        }
        _ => "store it as text, a date or a float64 number".into(),
    }
}

/// The dates a user sees in a column of time-zone-aware timestamps: each instant's calendar
/// date in the column's own zone (an instant at local midnight in Shanghai is the previous
/// day in UTC, so converting in UTC would shift every date back one day).
fn local_dates(
    file: &str,
    column: &str,
    col: &Column,
    unit: TimeUnit,
    zone: &str,
) -> Result<Int32Chunked> {
    let offset_of = zone_offsets(zone).ok_or_else(|| {
        Error::file(
            file,
            format!("column '{column}': unknown time zone '{zone}' of its timestamps"),
        )
    })?;
    let per_second: i64 = match unit {
        TimeUnit::Nanoseconds => 1_000_000_000,
        TimeUnit::Microseconds => 1_000_000,
        TimeUnit::Milliseconds => 1_000,
    };
    let stamps = col.datetime().map_err(|e| perr(file, e))?.physical();
    // Long files repeat each timestamp once per ticker on consecutive rows: convert once.
    let mut last: Option<(i64, Option<i32>)> = None;
    let days: Int32Chunked = stamps
        .iter()
        .map(|v| {
            let v = v?;
            if let Some((_, day)) = last.filter(|(p, _)| *p == v) {
                return day;
            }
            let secs = v.div_euclid(per_second);
            let local = secs.checked_add(offset_of(secs)?)?;
            let day = i32::try_from(local.div_euclid(86_400)).ok();
            last = Some((v, day));
            day
        })
        .collect();
    Ok(days)
}

/// The UTC offset in seconds at each UTC instant (seconds since 1970) of an IANA zone name or
/// a fixed offset such as `+08:00`.
fn zone_offsets(zone: &str) -> Option<Box<dyn Fn(i64) -> Option<i64>>> {
    use chrono::{Offset, TimeZone};
    if let Ok(tz) = zone.parse::<chrono_tz::Tz>() {
        return Some(Box::new(move |secs| {
            let utc = chrono::DateTime::from_timestamp(secs, 0)?.naive_utc();
            Some(i64::from(
                tz.offset_from_utc_datetime(&utc).fix().local_minus_utc(),
            ))
        }));
    }
    let fixed = zone.parse::<chrono::FixedOffset>().ok()?;
    let off = i64::from(fixed.local_minus_utc());
    Some(Box::new(move |_| Some(off)))
}

fn perr(file: &str, e: PolarsError) -> Error {
    Error::Polars {
        file: file.to_string(),
        message: e.to_string(),
    }
}

/// A Parquet file as text records, header first, like [`split_csv_records`] of a CSV file,
/// for the readers of side tables keyed by text (the characteristics of a CAR regression,
/// §7.6). Every column is read: text as is (trimmed), numbers written back as text (they parse
/// to the same f64), dates as YYYY-MM-DD, nulls as empty cells. The header record has row 0
/// and data row k has row k (the Parquet row numbering of §1.1).
///
/// # Errors
/// A missing or unreadable file, or a column of a type evstudy does not read (the error
/// names the file and the column, with the conversion to make).
///
/// [`split_csv_records`]: super::split_csv_records
pub(crate) fn read_parquet_records(path: &Path) -> Result<Vec<super::CsvRecord>> {
    check_file(path)?;
    // Wide: every column is used, so an unreadable type is an error naming it; no column is
    // the date column, so numeric columns stay numbers.
    let src = PriceSource {
        layout: Layout::Wide,
        date_col: String::new(),
        ..PriceSource::new(path)
    };
    let df = read_parquet_frame(path, &src, Projection::Readable)?;
    let table = frame_to_text(display_path(path), &df, &src)?;
    let mut records = Vec::with_capacity(table.height() + 1);
    records.push(super::CsvRecord {
        row: 0,
        fields: table.names.clone(),
    });
    for i in 0..table.height() {
        records.push(super::CsvRecord {
            row: i + 1,
            fields: table
                .columns
                .iter()
                .map(|c| c.get(i).text().into_owned())
                .collect(),
        });
    }
    Ok(records)
}
