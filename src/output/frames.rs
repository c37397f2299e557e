//! Polars DataFrames of the output tables and their Parquet form.

use std::ops::Range;

use chrono::NaiveDate;
use polars::prelude::*;

use super::csv::extra_columns;
use crate::error::{Error, Result};
use crate::tables::{ColumnSink, ColumnValues, RowSource, Table, TableSet, TableVisitor};

/// Days from 1970-01-01 (polars' physical Date representation).
fn epoch_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    // 1970-01-01 is day 719,163 counted from 0001-01-01 (day 1).
    d.num_days_from_ce() - 719_163
}

/// A `Float64` column of `values`, null where a value is not finite (the column
/// [`opt_numeric`] makes of the options, 0.0 under each null).
fn finite_f64_col(name: &str, values: &[f64]) -> Float64Chunked {
    if values.iter().all(|x| x.is_finite()) {
        return Float64Chunked::from_vec(name.into(), values.to_vec());
    }
    let valid: polars_arrow::bitmap::Bitmap = values.iter().map(|x| x.is_finite()).collect();
    let cells = values
        .iter()
        .map(|&x| if x.is_finite() { x } else { 0.0 })
        .collect();
    Float64Chunked::from_vec_validity(name.into(), cells, Some(valid))
}

/// A nullable numeric column. Without NA (the usual case) the values are collected into a
/// plain `Vec` (one pass, no validity builder); with NA through the option builder.
fn opt_numeric<N: PolarsNumericType, T>(
    name: &str,
    rows: &[T],
    get: impl Fn(&T) -> Option<N::Native>,
) -> ChunkedArray<N> {
    let mut has_null = false;
    let values: Vec<N::Native> = rows
        .iter()
        .map(|r| {
            get(r).unwrap_or_else(|| {
                has_null = true;
                N::Native::default()
            })
        })
        .collect();
    if has_null {
        ChunkedArray::<N>::from_iter_options(name.into(), rows.iter().map(get))
    } else {
        ChunkedArray::<N>::from_vec(name.into(), values)
    }
}

/// One column of a frame, built on demand (the columns of a frame are built in parallel).
type ColumnBuilder<'a> = Box<dyn Fn() -> Column + Send + Sync + 'a>;

/// The columns of one table's frame, each built on demand from the rows.
struct FrameColumns<'a, R> {
    rows: &'a [R],
    builders: Vec<ColumnBuilder<'a>>,
}

impl<'a, R: Sync> FrameColumns<'a, R> {
    fn push(&mut self, build: impl Fn(&'a [R]) -> Column + Send + Sync + 'a) {
        let rows = self.rows;
        self.builders.push(Box::new(move || build(rows)));
    }
}

impl<'a, R: Sync> ColumnSink<R> for FrameColumns<'a, R> {
    fn text(&mut self, name: &'static str, get: impl Fn(&R) -> &str + Send + Sync + 'static) {
        self.push(move |rows| {
            StringChunked::from_iter_values(name.into(), rows.iter().map(&get)).into_column()
        })
    }
    fn opt_text(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<&str> + Send + Sync + 'static,
    ) {
        self.push(move |rows| {
            StringChunked::from_iter_options(name.into(), rows.iter().map(&get)).into_column()
        })
    }
    fn i32(&mut self, name: &'static str, get: impl Fn(&R) -> i32 + Send + Sync + 'static) {
        self.push(move |rows| {
            Int32Chunked::from_iter_values(name.into(), rows.iter().map(&get)).into_column()
        })
    }
    fn opt_i32(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<i32> + Send + Sync + 'static,
    ) {
        self.push(move |rows| {
            Int32Chunked::from_iter_options(name.into(), rows.iter().map(&get)).into_column()
        })
    }
    fn u32(&mut self, name: &'static str, get: impl Fn(&R) -> u32 + Send + Sync + 'static) {
        self.push(move |rows| {
            UInt32Chunked::from_iter_values(name.into(), rows.iter().map(&get)).into_column()
        })
    }
    fn opt_u32(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<u32> + Send + Sync + 'static,
    ) {
        self.push(move |rows| opt_numeric::<UInt32Type, _>(name, rows, &get).into_column())
    }
    fn opt_i64(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<i64> + Send + Sync + 'static,
    ) {
        self.push(move |rows| {
            Int64Chunked::from_iter_options(name.into(), rows.iter().map(&get)).into_column()
        })
    }
    fn opt_f64(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<f64> + Send + Sync + 'static,
    ) {
        self.push(move |rows| f64_col(name, rows, &get))
    }
    fn opt_date(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<NaiveDate> + Send + Sync + 'static,
    ) {
        self.push(move |rows| {
            opt_numeric::<Int32Type, _>(name, rows, |r| get(r).map(epoch_days))
                .into_date()
                .into_column()
        })
    }
}

/// A nullable `Float64` column.
fn f64_col<T>(name: &str, rows: &[T], get: impl Fn(&T) -> Option<f64>) -> Column {
    opt_numeric::<Float64Type, T>(name, rows, get).into_column()
}

/// The frame of one table: its fixed columns, then its extra columns (sorted by name, null
/// where a row has no such extra), the columns built in parallel (rayon).
fn table_frame<T: Table>(rows: &[T]) -> Result<DataFrame> {
    table_frame_with(rows, &extra_columns(rows))
}

/// [`table_frame`] of some rows of a table whose extra columns are `extras` (the union over
/// the whole table, so every slice of it has the same columns).
pub(super) fn table_frame_with<T: Table>(rows: &[T], extras: &[String]) -> Result<DataFrame> {
    use rayon::prelude::*;
    let mut columns = FrameColumns {
        rows,
        builders: Vec::with_capacity(T::COLUMNS.len()),
    };
    T::frame_columns(&mut columns);
    for name in extras.iter().cloned() {
        columns.push(move |rows| {
            f64_col(&name, rows, |x| {
                x.extra_cells()
                    .iter()
                    .find(|(n, _)| **n == *name)
                    .and_then(|(_, v)| *v)
            })
        });
    }
    let columns: Vec<Column> = columns.builders.par_iter().map(|build| build()).collect();
    DataFrame::new(rows.len(), columns).map_err(|e| Error::Polars {
        file: T::NAME.to_string(),
        message: e.to_string(),
    })
}

/// The frame of rows `range` of a made table: from the columns the source makes when it
/// makes them ([`RowSource::columns`]), else from its rows. Made tables have no extra
/// columns.
pub(super) fn made_frame<T: Table>(
    src: &dyn RowSource<T>,
    range: Range<usize>,
) -> Result<DataFrame> {
    match src.columns(range.clone()) {
        Some(columns) => columns_frame::<T>(columns, range.len()),
        None => table_frame_with(&src.rows(range), &[]),
    }
}

/// The frame of `n` rows given as columns, in the table's column order: the columns, types
/// and nulls [`table_frame_with`] builds from the same rows.
fn columns_frame<T: Table>(columns: Vec<ColumnValues>, n: usize) -> Result<DataFrame> {
    let polars_error = |message: String| Error::Polars {
        file: T::NAME.to_string(),
        message,
    };
    if columns.len() != T::COLUMNS.len() {
        let got = columns.len();
        return Err(polars_error(format!(
            "{got} columns made, {} expected",
            T::COLUMNS.len()
        )));
    }
    let same = |r: &Option<f64>| *r;
    let built: Vec<Column> = columns
        .iter()
        .zip(T::COLUMNS)
        .map(|(values, &name)| match values {
            ColumnValues::TextRuns(runs) => text_runs_column(name, runs),
            ColumnValues::I32(v) => {
                Int32Chunked::from_iter_values(name.into(), v.iter().copied()).into_column()
            }
            ColumnValues::OptDate(v) => opt_numeric::<Int32Type, _>(name, v, |d| d.map(epoch_days))
                .into_date()
                .into_column(),
            ColumnValues::OptF64(v) => f64_col(name, v, same),
            ColumnValues::FiniteF64(v) => finite_f64_col(name, v).into_column(),
            ColumnValues::OptU32(v) => opt_numeric::<UInt32Type, _>(name, v, |x| *x).into_column(),
        })
        .collect();
    DataFrame::new(n, built).map_err(|e| polars_error(e.to_string()))
}

/// A text column of runs of equal values (value, count): each value is stored once per run
/// and its view repeated, the column polars makes of the cells one by one (the same values,
/// so the same files).
fn text_runs_column(name: &str, runs: &[(&str, usize)]) -> Column {
    let n = runs.iter().map(|r| r.1).sum();
    let mut values = polars_arrow::array::MutableBinaryViewArray::<str>::with_capacity(n);
    for &(v, k) in runs {
        values.extend_constant(k, Some(v));
    }
    StringChunked::with_chunk(name.into(), values.freeze()).into_column()
}

/// One table's frame, built on demand (the frames are built in parallel).
type FrameBuilder<'a> = Box<dyn Fn() -> Result<DataFrame> + Send + Sync + 'a>;

/// The output tables as polars DataFrames, named like their files (without extension):
/// `abnormal_returns`, `cars`, `model_fits`, `aggregate`, `tests`, `exclusions`,
/// `day0_mapping`.
///
/// Columns and order are those of the CSV files (methodology §12). Types: text as `String`
/// (nullable where the field is optional, e.g. `window`, `cluster`), dates as `Date`,
/// `rel_day` as `Int32`, counts (`span`, `n_days`, `n_est`, `df` of model_fits, `n`) as
/// `UInt32`, `shift_days`/`shift_sessions` as `Int64`, every other number as `Float64`
/// (including `tests.df`); NA is null. The tables, and the columns of each table, are built
/// in parallel.
///
/// # Errors
/// [`Error::Polars`] if polars rejects a column (not expected for well-formed tables).
///
/// # Examples
///
/// ```
/// use evstudy::output::to_dataframes;
/// use evstudy::tables::StudyTables;
/// let frames = to_dataframes(&StudyTables::default()).unwrap();
/// assert_eq!(frames[0].0, "abnormal_returns");
/// assert_eq!(frames[0].1.width(), 12);
/// ```
pub fn to_dataframes<S: TableSet>(tables: &S) -> Result<Vec<(&'static str, DataFrame)>> {
    use rayon::prelude::*;
    struct Frames<'a>(Vec<(&'static str, FrameBuilder<'a>)>);
    impl<'a> TableVisitor<'a> for Frames<'a> {
        fn table<T: Table>(&mut self, rows: &'a [T]) {
            self.0.push((T::NAME, Box::new(move || table_frame(rows))));
        }
        fn made<T: Table>(&mut self, rows: &'a dyn RowSource<T>) {
            let all = move || made_frame(rows, 0..rows.len());
            self.0.push((T::NAME, Box::new(all)));
        }
    }
    let mut frames = Frames(Vec::with_capacity(7));
    tables.visit(&mut frames);
    frames
        .0
        .par_iter()
        .map(|(name, build)| Ok((*name, build()?)))
        .collect()
}

/// Serializes one DataFrame as Parquet bytes: zstd compression, statistics on, single-threaded
/// and without custom metadata, so the same frame always gives the same bytes.
///
/// # Errors
/// [`Error::Polars`] naming `name` when polars fails to encode the frame.
pub fn parquet_bytes(name: &str, df: &DataFrame) -> Result<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::new();
    let mut df = df.clone();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Zstd(None))
        .set_parallel(false)
        .finish(&mut df)
        .map_err(|e| Error::Polars {
            file: format!("{name}.parquet"),
            message: e.to_string(),
        })?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{AbnormalReturnRow, Day0Row, StudyTables};

    fn sample() -> StudyTables {
        let mut t = StudyTables::default();
        t.abnormal_returns.push(AbnormalReturnRow {
            event_id: "E1".into(),
            security: "S1".into(),
            group: "all".into(),
            rel_day: -1,
            date: NaiveDate::from_ymd_opt(2024, 6, 25),
            ret: Some(0.01),
            expected_ret: None,
            ar: None,
            sar: None,
            ar_se: None,
            ar_p: None,
            span: None,
        });
        t.abnormal_returns.push(AbnormalReturnRow {
            rel_day: 0,
            date: None,
            span: Some(2),
            ar: Some(-0.5),
            ..t.abnormal_returns[0].clone()
        });
        t.day0.push(Day0Row {
            event_id: "E1".into(),
            security: "S1".into(),
            exchange: "XNYS".into(),
            event_instant_utc: "2024-06-26T16:00Z".into(),
            event_instant_local: "2024-06-26 12:00".into(),
            day0: NaiveDate::from_ymd_opt(2024, 6, 26),
            shift_days: Some(0),
            shift_sessions: Some(0),
            status: "ok".into(),
        });
        t
    }

    /// NaN and infinities are nulls; the column is the one the options make, to the Parquet
    /// bytes.
    #[test]
    fn finite_floats_make_the_column_of_their_options() {
        let values = [
            0.5,
            f64::NAN,
            -1.25,
            f64::INFINITY,
            0.0,
            -0.0,
            f64::NEG_INFINITY,
        ];
        let options: Vec<Option<f64>> =
            values.iter().map(|x| x.is_finite().then_some(*x)).collect();
        let a = finite_f64_col("x", &values);
        let b = opt_numeric::<Float64Type, _>("x", &options, |x| *x);
        assert_eq!(a.null_count(), 3);
        let cells = |c: &Float64Chunked| c.iter().collect::<Vec<_>>();
        assert_eq!(cells(&a), options);
        assert_eq!(cells(&b), options);
        let bytes = |c: Float64Chunked| {
            let df = DataFrame::new(values.len(), vec![c.into_column()]).unwrap();
            crate::output::parquet_bytes("x", &df).unwrap()
        };
        assert_eq!(bytes(a), bytes(b));
        let finite = finite_f64_col("x", &[1.0, 2.0]);
        assert_eq!(finite.null_count(), 0);
    }

    #[test]
    fn column_types_and_nulls() {
        let frames = to_dataframes(&sample()).unwrap();
        let names: Vec<&str> = frames.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "abnormal_returns",
                "cars",
                "model_fits",
                "aggregate",
                "tests",
                "exclusions",
                "day0_mapping",
                "headline",
                "events",
                "securities"
            ]
        );
        let ar = &frames[0].1;
        assert_eq!(ar.height(), 2);
        assert_eq!(ar.column("date").unwrap().dtype(), &DataType::Date);
        assert_eq!(ar.column("rel_day").unwrap().dtype(), &DataType::Int32);
        assert_eq!(ar.column("span").unwrap().dtype(), &DataType::UInt32);
        assert_eq!(ar.column("ar").unwrap().dtype(), &DataType::Float64);
        assert_eq!(ar.column("ar").unwrap().null_count(), 1);
        assert_eq!(ar.column("date").unwrap().null_count(), 1);
        // 2024-06-25 is day 19899 after 1970-01-01.
        let days = ar.column("date").unwrap().cast(&DataType::Int32).unwrap();
        assert_eq!(days.i32().unwrap().get(0), Some(19899));
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for d in [
            epoch,
            NaiveDate::from_ymd_opt(1969, 12, 31).unwrap(),
            NaiveDate::MIN,
        ] {
            assert_eq!(epoch_days(d) as i64, (d - epoch).num_days());
        }
        let d0 = &frames[6].1;
        assert_eq!(d0.column("day0").unwrap().dtype(), &DataType::Date);
    }

    #[test]
    fn numeric_columns_with_and_without_na_match_the_option_builder() {
        for values in [
            vec![Some(0.5), Some(-1.25), Some(3.0)],
            vec![Some(0.5), None, Some(3.0)],
            vec![None, None],
            vec![],
        ] {
            let fast = opt_numeric::<Float64Type, _>("x", &values, |v| *v);
            let reference = Float64Chunked::from_iter_options("x".into(), values.iter().copied());
            assert_eq!(fast.len(), values.len());
            assert_eq!(fast.null_count(), reference.null_count());
            let got: Vec<Option<f64>> = fast.iter().collect();
            assert_eq!(got, values);
            // Same Parquet bytes either way.
            let frame_of = |ca: &Float64Chunked| {
                DataFrame::new(ca.len(), vec![ca.clone().into_column()]).unwrap()
            };
            assert_eq!(
                parquet_bytes("x", &frame_of(&fast)).unwrap(),
                parquet_bytes("x", &frame_of(&reference)).unwrap()
            );
        }
    }

    #[test]
    fn parquet_is_deterministic() {
        let frames = to_dataframes(&sample()).unwrap();
        for (name, df) in &frames {
            let a = parquet_bytes(name, df).unwrap();
            let b = parquet_bytes(name, &df.clone()).unwrap();
            assert!(a.starts_with(b"PAR1") && a.ends_with(b"PAR1"));
            assert_eq!(a, b, "{name}");
        }
    }
}
