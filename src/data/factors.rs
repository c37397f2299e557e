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
