//! Polars DataFrames of the output tables and their Parquet form.

use chrono::NaiveDate;
use polars::prelude::*;

use super::csv::model_fit_extra_columns;
use crate::error::{Error, Result};
use crate::tables::StudyTables;

/// Days from 1970-01-01 (polars' physical Date representation).
fn epoch_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    // 1970-01-01 is day 719,163 counted from 0001-01-01 (day 1).
    d.num_days_from_ce() - 719_163
}

/// A text column from borrowed row fields (no per-row `String` copy).
fn str_col<'a, T>(name: &str, rows: &'a [T], get: impl Fn(&'a T) -> &'a str) -> Column {
    StringChunked::from_iter_values(name.into(), rows.iter().map(get)).into_column()
}

/// A nullable text column from borrowed row fields.
fn opt_str_col<'a, T>(name: &str, rows: &'a [T], get: impl Fn(&'a T) -> Option<&'a str>) -> Column {
    StringChunked::from_iter_options(name.into(), rows.iter().map(get)).into_column()
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

/// A nullable `Float64` column.
fn f64_col<T>(name: &str, rows: &[T], get: impl Fn(&T) -> Option<f64>) -> Column {
    opt_numeric::<Float64Type, T>(name, rows, get).into_column()
}

/// A nullable `Date` column.
fn date_col<T>(name: &str, rows: &[T], get: impl Fn(&T) -> Option<NaiveDate>) -> Column {
    opt_numeric::<Int32Type, T>(name, rows, |r| get(r).map(epoch_days))
        .into_date()
        .into_column()
}

/// One column of a frame, built on demand (the columns of a frame are built in parallel).
type ColumnBuilder<'a> = Box<dyn Fn() -> Column + Send + Sync + 'a>;

/// Builds the columns (in parallel, rayon) and the frame.
fn frame(table: &str, builders: Vec<ColumnBuilder<'_>>, height: usize) -> Result<DataFrame> {
    use rayon::prelude::*;
    let columns: Vec<Column> = builders.par_iter().map(|build| build()).collect();
    DataFrame::new(height, columns).map_err(|e| Error::Polars {
        file: table.to_string(),
        message: e.to_string(),
    })
}

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
pub fn to_dataframes(tables: &StudyTables) -> Result<Vec<(&'static str, DataFrame)>> {
    let ((ar, (cars, fits)), ((aggregate, tests), (exclusions, day0))) = rayon::join(
        || {
            rayon::join(
                || abnormal_returns_frame(tables),
                || rayon::join(|| cars_frame(tables), || model_fits_frame(tables)),
            )
        },
        || {
            rayon::join(
                || rayon::join(|| aggregate_frame(tables), || tests_frame(tables)),
                || rayon::join(|| exclusions_frame(tables), || day0_frame(tables)),
            )
        },
    );
    Ok(vec![
        ("abnormal_returns", ar?),
        ("cars", cars?),
        ("model_fits", fits?),
        ("aggregate", aggregate?),
        ("tests", tests?),
        ("exclusions", exclusions?),
        ("day0_mapping", day0?),
    ])
}

fn abnormal_returns_frame(tables: &StudyTables) -> Result<DataFrame> {
    let r = &tables.abnormal_returns;
    frame(
        "abnormal_returns",
        vec![
            Box::new(|| str_col("event_id", r, |x| &x.event_id)),
            Box::new(|| str_col("security", r, |x| &x.security)),
            Box::new(|| str_col("group", r, |x| &x.group)),
            Box::new(|| {
                Int32Chunked::from_iter_values("rel_day".into(), r.iter().map(|x| x.rel_day))
                    .into_column()
            }),
            Box::new(|| date_col("date", r, |x| x.date)),
            Box::new(|| f64_col("ret", r, |x| x.ret)),
            Box::new(|| f64_col("expected_ret", r, |x| x.expected_ret)),
            Box::new(|| f64_col("ar", r, |x| x.ar)),
            Box::new(|| f64_col("sar", r, |x| x.sar)),
            Box::new(|| f64_col("ar_se", r, |x| x.ar_se)),
            Box::new(|| f64_col("ar_p", r, |x| x.ar_p)),
            Box::new(|| opt_numeric::<UInt32Type, _>("span", r, |x| x.span).into_column()),
        ],
        r.len(),
    )
}

fn cars_frame(tables: &StudyTables) -> Result<DataFrame> {
    let r = &tables.cars;
    frame(
        "cars",
        vec![
            Box::new(|| str_col("event_id", r, |x| &x.event_id)),
            Box::new(|| str_col("security", r, |x| &x.security)),
            Box::new(|| str_col("group", r, |x| &x.group)),
            Box::new(|| str_col("window", r, |x| &x.window)),
            Box::new(|| f64_col("car", r, |x| x.car)),
            Box::new(|| f64_col("car_se", r, |x| x.car_se)),
            Box::new(|| f64_col("car_t", r, |x| x.car_t)),
            Box::new(|| f64_col("car_p", r, |x| x.car_p)),
            Box::new(|| f64_col("scar", r, |x| x.scar)),
            Box::new(|| f64_col("bhar", r, |x| x.bhar)),
            Box::new(|| {
                UInt32Chunked::from_iter_values("n_days".into(), r.iter().map(|x| x.n_days))
                    .into_column()
            }),
        ],
        r.len(),
    )
}

fn model_fits_frame(tables: &StudyTables) -> Result<DataFrame> {
    let r = &tables.model_fits;
    let mut cols: Vec<ColumnBuilder<'_>> = vec![
        Box::new(|| str_col("event_id", r, |x| &x.event_id)),
        Box::new(|| str_col("security", r, |x| &x.security)),
        Box::new(|| str_col("group", r, |x| &x.group)),
        Box::new(|| str_col("model", r, |x| &x.model)),
        Box::new(|| {
            UInt32Chunked::from_iter_values("n_est".into(), r.iter().map(|x| x.n_est)).into_column()
        }),
        Box::new(|| {
            UInt32Chunked::from_iter_values("df".into(), r.iter().map(|x| x.df)).into_column()
        }),
        Box::new(|| f64_col("sigma", r, |x| x.sigma)),
        Box::new(|| f64_col("alpha", r, |x| x.alpha)),
        Box::new(|| f64_col("beta", r, |x| x.beta)),
        Box::new(|| f64_col("r2", r, |x| x.r2)),
    ];
    for name in model_fit_extra_columns(r) {
        cols.push(Box::new(move || {
            f64_col(&name, r, |x| {
                x.extras
                    .iter()
                    .find(|(n, _)| **n == *name)
                    .and_then(|(_, v)| *v)
            })
        }));
    }
    frame("model_fits", cols, r.len())
}

fn aggregate_frame(tables: &StudyTables) -> Result<DataFrame> {
    let r = &tables.aggregate;
    frame(
        "aggregate",
        vec![
            Box::new(|| str_col("group", r, |x| &x.group)),
            Box::new(|| str_col("metric", r, |x| &x.metric)),
            Box::new(|| opt_str_col("window", r, |x| x.window.as_deref())),
            Box::new(|| {
                Int32Chunked::from_iter_options("rel_day".into(), r.iter().map(|x| x.rel_day))
                    .into_column()
            }),
            Box::new(|| {
                UInt32Chunked::from_iter_values("n".into(), r.iter().map(|x| x.n)).into_column()
            }),
            Box::new(|| f64_col("mean", r, |x| x.mean)),
            Box::new(|| f64_col("median", r, |x| x.median)),
            Box::new(|| f64_col("share_positive", r, |x| x.share_positive)),
            Box::new(|| f64_col("sd", r, |x| x.sd)),
        ],
        r.len(),
    )
}

fn tests_frame(tables: &StudyTables) -> Result<DataFrame> {
    let r = &tables.tests;
    frame(
        "tests",
        vec![
            Box::new(|| str_col("group", r, |x| &x.group)),
            Box::new(|| str_col("scope", r, |x| &x.scope)),
            Box::new(|| opt_str_col("window", r, |x| x.window.as_deref())),
            Box::new(|| {
                Int32Chunked::from_iter_options("rel_day".into(), r.iter().map(|x| x.rel_day))
                    .into_column()
            }),
            Box::new(|| str_col("test", r, |x| &x.test)),
            Box::new(|| f64_col("statistic", r, |x| x.statistic)),
            Box::new(|| f64_col("p_value", r, |x| x.p_value)),
            Box::new(|| f64_col("df", r, |x| x.df)),
            Box::new(|| {
                UInt32Chunked::from_iter_values("n".into(), r.iter().map(|x| x.n)).into_column()
            }),
            Box::new(|| opt_str_col("cluster", r, |x| x.cluster.as_deref())),
        ],
        r.len(),
    )
}

fn exclusions_frame(tables: &StudyTables) -> Result<DataFrame> {
    let r = &tables.exclusions;
    frame(
        "exclusions",
        vec![
            Box::new(|| str_col("event_id", r, |x| &x.event_id)),
            Box::new(|| str_col("security", r, |x| &x.security)),
            Box::new(|| str_col("stage", r, |x| x.stage.as_str())),
            Box::new(|| str_col("reason", r, |x| &x.reason)),
            Box::new(|| str_col("detail", r, |x| &x.detail)),
        ],
        r.len(),
    )
}

fn day0_frame(tables: &StudyTables) -> Result<DataFrame> {
    let r = &tables.day0;
    frame(
        "day0_mapping",
        vec![
            Box::new(|| str_col("event_id", r, |x| &x.event_id)),
            Box::new(|| str_col("security", r, |x| &x.security)),
            Box::new(|| str_col("exchange", r, |x| &x.exchange)),
            Box::new(|| str_col("event_instant_utc", r, |x| &x.event_instant_utc)),
            Box::new(|| str_col("event_instant_local", r, |x| &x.event_instant_local)),
            Box::new(|| date_col("day0", r, |x| x.day0)),
            Box::new(|| {
                Int64Chunked::from_iter_options("shift_days".into(), r.iter().map(|x| x.shift_days))
                    .into_column()
            }),
            Box::new(|| {
                Int64Chunked::from_iter_options(
                    "shift_sessions".into(),
                    r.iter().map(|x| x.shift_sessions),
                )
                .into_column()
            }),
            Box::new(|| str_col("status", r, |x| &x.status)),
        ],
        r.len(),
    )
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
    use crate::tables::{AbnormalReturnRow, Day0Row};

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
                "day0_mapping"
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
