//! Polars DataFrames of the output tables and their Parquet form.

use chrono::NaiveDate;
use polars::prelude::*;

use super::csv::model_fit_extra_columns;
use crate::error::{Error, Result};
use crate::tables::StudyTables;

/// Days from 1970-01-01 (polars' physical Date representation).
fn epoch_days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    (d - epoch).num_days() as i32
}

fn str_col(name: &str, values: Vec<String>) -> Column {
    Column::new(name.into(), values)
}

fn opt_str_col(name: &str, values: Vec<Option<String>>) -> Column {
    Column::new(name.into(), values)
}

fn f64_col(name: &str, values: Vec<Option<f64>>) -> Column {
    Column::new(name.into(), values)
}

fn date_col(name: &str, values: Vec<Option<NaiveDate>>) -> Column {
    let days: Vec<Option<i32>> = values.into_iter().map(|d| d.map(epoch_days)).collect();
    Series::new(name.into(), days).into_date().into_column()
}

fn frame(table: &str, columns: Vec<Column>, height: usize) -> Result<DataFrame> {
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
/// (including `tests.df`); NA is null.
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
    let mut out = Vec::with_capacity(7);

    let r = &tables.abnormal_returns;
    out.push((
        "abnormal_returns",
        frame(
            "abnormal_returns",
            vec![
                str_col("event_id", r.iter().map(|x| x.event_id.clone()).collect()),
                str_col("security", r.iter().map(|x| x.security.clone()).collect()),
                str_col("group", r.iter().map(|x| x.group.clone()).collect()),
                Column::new(
                    "rel_day".into(),
                    r.iter().map(|x| x.rel_day).collect::<Vec<i32>>(),
                ),
                date_col("date", r.iter().map(|x| x.date).collect()),
                f64_col("ret", r.iter().map(|x| x.ret).collect()),
                f64_col("expected_ret", r.iter().map(|x| x.expected_ret).collect()),
                f64_col("ar", r.iter().map(|x| x.ar).collect()),
                f64_col("sar", r.iter().map(|x| x.sar).collect()),
                f64_col("ar_se", r.iter().map(|x| x.ar_se).collect()),
                f64_col("ar_p", r.iter().map(|x| x.ar_p).collect()),
                Column::new(
                    "span".into(),
                    r.iter().map(|x| x.span).collect::<Vec<Option<u32>>>(),
                ),
            ],
            r.len(),
        )?,
    ));

    let r = &tables.cars;
    out.push((
        "cars",
        frame(
            "cars",
            vec![
                str_col("event_id", r.iter().map(|x| x.event_id.clone()).collect()),
                str_col("security", r.iter().map(|x| x.security.clone()).collect()),
                str_col("group", r.iter().map(|x| x.group.clone()).collect()),
                str_col("window", r.iter().map(|x| x.window.clone()).collect()),
                f64_col("car", r.iter().map(|x| x.car).collect()),
                f64_col("car_se", r.iter().map(|x| x.car_se).collect()),
                f64_col("car_t", r.iter().map(|x| x.car_t).collect()),
                f64_col("car_p", r.iter().map(|x| x.car_p).collect()),
                f64_col("scar", r.iter().map(|x| x.scar).collect()),
                f64_col("bhar", r.iter().map(|x| x.bhar).collect()),
                Column::new(
                    "n_days".into(),
                    r.iter().map(|x| x.n_days).collect::<Vec<u32>>(),
                ),
            ],
            r.len(),
        )?,
    ));

    let r = &tables.model_fits;
    let mut cols = vec![
        str_col("event_id", r.iter().map(|x| x.event_id.clone()).collect()),
        str_col("security", r.iter().map(|x| x.security.clone()).collect()),
        str_col("group", r.iter().map(|x| x.group.clone()).collect()),
        str_col("model", r.iter().map(|x| x.model.clone()).collect()),
        Column::new(
            "n_est".into(),
            r.iter().map(|x| x.n_est).collect::<Vec<u32>>(),
        ),
        Column::new("df".into(), r.iter().map(|x| x.df).collect::<Vec<u32>>()),
        f64_col("sigma", r.iter().map(|x| x.sigma).collect()),
        f64_col("alpha", r.iter().map(|x| x.alpha).collect()),
        f64_col("beta", r.iter().map(|x| x.beta).collect()),
        f64_col("r2", r.iter().map(|x| x.r2).collect()),
    ];
    for name in model_fit_extra_columns(r) {
        let values = r
            .iter()
            .map(|x| {
                x.extras
                    .iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, v)| *v)
            })
            .collect();
        cols.push(f64_col(&name, values));
    }
    out.push(("model_fits", frame("model_fits", cols, r.len())?));

    let r = &tables.aggregate;
    out.push((
        "aggregate",
        frame(
            "aggregate",
            vec![
                str_col("group", r.iter().map(|x| x.group.clone()).collect()),
                str_col("metric", r.iter().map(|x| x.metric.clone()).collect()),
                opt_str_col("window", r.iter().map(|x| x.window.clone()).collect()),
                Column::new(
                    "rel_day".into(),
                    r.iter().map(|x| x.rel_day).collect::<Vec<Option<i32>>>(),
                ),
                Column::new("n".into(), r.iter().map(|x| x.n).collect::<Vec<u32>>()),
                f64_col("mean", r.iter().map(|x| x.mean).collect()),
                f64_col("median", r.iter().map(|x| x.median).collect()),
                f64_col(
                    "share_positive",
                    r.iter().map(|x| x.share_positive).collect(),
                ),
                f64_col("sd", r.iter().map(|x| x.sd).collect()),
            ],
            r.len(),
        )?,
    ));

    let r = &tables.tests;
    out.push((
        "tests",
        frame(
            "tests",
            vec![
                str_col("group", r.iter().map(|x| x.group.clone()).collect()),
                str_col("scope", r.iter().map(|x| x.scope.clone()).collect()),
                opt_str_col("window", r.iter().map(|x| x.window.clone()).collect()),
                Column::new(
                    "rel_day".into(),
                    r.iter().map(|x| x.rel_day).collect::<Vec<Option<i32>>>(),
                ),
                str_col("test", r.iter().map(|x| x.test.clone()).collect()),
                f64_col("statistic", r.iter().map(|x| x.statistic).collect()),
                f64_col("p_value", r.iter().map(|x| x.p_value).collect()),
                f64_col("df", r.iter().map(|x| x.df).collect()),
                Column::new("n".into(), r.iter().map(|x| x.n).collect::<Vec<u32>>()),
                opt_str_col("cluster", r.iter().map(|x| x.cluster.clone()).collect()),
            ],
            r.len(),
        )?,
    ));

    let r = &tables.exclusions;
    out.push((
        "exclusions",
        frame(
            "exclusions",
            vec![
                str_col("event_id", r.iter().map(|x| x.event_id.clone()).collect()),
                str_col("security", r.iter().map(|x| x.security.clone()).collect()),
                str_col(
                    "stage",
                    r.iter().map(|x| x.stage.as_str().to_string()).collect(),
                ),
                str_col("reason", r.iter().map(|x| x.reason.clone()).collect()),
                str_col("detail", r.iter().map(|x| x.detail.clone()).collect()),
            ],
            r.len(),
        )?,
    ));

    let r = &tables.day0;
    out.push((
        "day0_mapping",
        frame(
            "day0_mapping",
            vec![
                str_col("event_id", r.iter().map(|x| x.event_id.clone()).collect()),
                str_col("security", r.iter().map(|x| x.security.clone()).collect()),
                str_col("exchange", r.iter().map(|x| x.exchange.clone()).collect()),
                str_col(
                    "event_instant_utc",
                    r.iter().map(|x| x.event_instant_utc.clone()).collect(),
                ),
                str_col(
                    "event_instant_local",
                    r.iter().map(|x| x.event_instant_local.clone()).collect(),
                ),
                date_col("day0", r.iter().map(|x| x.day0).collect()),
                Column::new(
                    "shift_days".into(),
                    r.iter().map(|x| x.shift_days).collect::<Vec<Option<i64>>>(),
                ),
                Column::new(
                    "shift_sessions".into(),
                    r.iter()
                        .map(|x| x.shift_sessions)
                        .collect::<Vec<Option<i64>>>(),
                ),
                str_col("status", r.iter().map(|x| x.status.clone()).collect()),
            ],
            r.len(),
        )?,
    ));

    Ok(out)
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
        let d0 = &frames[6].1;
        assert_eq!(d0.column("day0").unwrap().dtype(), &DataType::Date);
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
