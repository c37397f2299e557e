//! Factor files (Fama–French and similar): `date` plus one column per factor, optional
//! risk-free column (methodology §4.4).

use super::csv::read_csv_text;
use super::parquet::read_parquet_text;
use super::parse::parse_number;
use super::source::PriceSource;
use super::table::{date_order_unique, parse_dates, Cell};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How to read a factor file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorSource {
    /// CSV or Parquet file.
    pub path: PathBuf,
    /// Date column (default `date`).
    #[serde(default = "super::source::default_date_col")]
    pub date_col: String,
    /// Factor columns in model order, e.g. `["mkt_rf", "smb", "hml"]`.
    pub columns: Vec<String>,
    /// Risk-free column (regressand becomes R − rf), if any.
    #[serde(default)]
    pub rf_col: Option<String>,
    /// Multiplier for factor and rf values: 0.01 for Kenneth French files in percent.
    #[serde(default = "one")]
    pub scale: f64,
    /// Date format when not ISO.
    #[serde(default)]
    pub date_format: Option<String>,
}

fn one() -> f64 {
    1.0
}

/// Factor values by date (ascending), NaN = missing.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorTable {
    /// Dates, ascending, unique.
    pub dates: Vec<NaiveDate>,
    /// Factor names in model order.
    pub names: Vec<String>,
    /// One column per factor, parallel to `dates`, already scaled.
    pub columns: Vec<Vec<f64>>,
    /// Risk-free rate, scaled; empty when there is no rf column.
    pub rf: Vec<f64>,
    /// The file.
    pub file: String,
}

impl FactorTable {
    /// Position of `date`, if the file has a row for it.
    pub fn position(&self, date: NaiveDate) -> Option<usize> {
        self.dates.binary_search(&date).ok()
    }
}

/// Read a factor file. Empty cells are missing values (NaN); text that is not a number and
/// duplicate dates are errors naming file, row and column.
///
/// # Examples
/// ```
/// use evstudy::data::{read_factors, FactorSource};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("ff.csv");
/// std::fs::write(&path, "date,mkt_rf,rf\n2025-01-27,-1.49,0.02\n").unwrap();
/// let src = FactorSource { path, date_col: "date".into(), columns: vec!["mkt_rf".into()],
///     rf_col: Some("rf".into()), scale: 0.01, date_format: None };
/// let t = read_factors(&src).unwrap();
/// assert!((t.columns[0][0] + 0.0149).abs() < 1e-15);
/// ```
pub fn read_factors(src: &FactorSource) -> Result<FactorTable> {
    let ps = PriceSource {
        date_format: src.date_format.clone(),
        date_col: src.date_col.clone(),
        ..PriceSource::new(&src.path)
    };
    let table = if ps.is_parquet() {
        read_parquet_text(&ps)?
    } else {
        read_csv_text(&ps)?
    };
    if table.height() == 0 {
        return Err(Error::file(
            table.file.clone(),
            "header only: the file has no data rows",
        ));
    }
    if !(src.scale.is_finite() && src.scale != 0.0) {
        return Err(Error::config(format!(
            "{}: factor scale must be a finite non-zero number",
            table.file
        )));
    }
    let dates = parse_dates(&ps, &table)?;
    let order = date_order_unique(&table, &src.date_col, &dates)?;
    let read_col = |name: &str| -> Result<Vec<f64>> {
        let col = table.column(name)?;
        order
            .iter()
            .map(|&i| match col.get(i) {
                Cell::Number(x) => Ok(x * src.scale),
                cell => {
                    let t = cell.text();
                    if t.is_empty() {
                        Ok(f64::NAN)
                    } else {
                        parse_number(&t, false)
                            .map(|x| x * src.scale)
                            .map_err(|m| Error::cell(&table.file, table.first_row + i, name, m))
                    }
                }
            })
            .collect()
    };
    let columns = src
        .columns
        .iter()
        .map(|c| read_col(c))
        .collect::<Result<Vec<_>>>()?;
    let rf = match &src.rf_col {
        Some(c) => read_col(c)?,
        None => Vec::new(),
    };
    Ok(FactorTable {
        dates: order.iter().map(|&i| dates[i]).collect(),
        names: src.columns.clone(),
        columns,
        rf,
        file: table.file.clone(),
    })
}

/// Median absolute daily value above which a market factor read as decimals is in percent.
const PERCENT_AS_DECIMAL: f64 = 0.2;
/// Median absolute daily value below which a market factor scaled by 0.01 was in decimals.
const DECIMAL_AS_PERCENT: f64 = 0.0005;

/// A warning when the first factor column (the market factor, `mkt_rf`) has a scale the data
/// make obvious is wrong: a median absolute daily value above 0.2 (20 % a day: percent read as
/// decimals) or, with `scale` 0.01, below 0.0005 (decimals scaled as percent). `None` when the
/// scale looks right or the table has no usable value.
///
/// # Examples
/// ```
/// use evstudy::data::{factor_scale_warning, FactorTable};
/// let t = FactorTable { dates: vec![], names: vec!["mkt_rf".into()],
///     columns: vec![vec![0.8, -1.2, 0.5]], rf: vec![], file: "ff.csv".into() };
/// assert!(factor_scale_warning(&t, 1.0).unwrap().contains("scale = 0.01"));
/// let t = FactorTable { columns: vec![vec![0.008, -0.012, 0.005]], ..t };
/// assert_eq!(factor_scale_warning(&t, 1.0), None);
/// ```
pub fn factor_scale_warning(table: &FactorTable, scale: f64) -> Option<String> {
    let mut abs: Vec<f64> = table
        .columns
        .first()?
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v.abs())
        .collect();
    if abs.is_empty() {
        return None;
    }
    abs.sort_by(f64::total_cmp);
    let median = abs[abs.len() / 2];
    let name = &table.names[0];
    if median > PERCENT_AS_DECIMAL {
        Some(format!(
            "{}: the median |{name}| is {median} (over 20 % a day): the file looks like percent; set scale = 0.01",
            table.file
        ))
    } else if scale != 1.0 && median < DECIMAL_AS_PERCENT {
        Some(format!(
            "{}: the median |{name}| after scale = {scale} is {median}: the file looks like decimals already; remove scale",
            table.file
        ))
    } else {
        None
    }
}
