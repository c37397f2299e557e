//! The price panel: [`PricePanel`], [`PriceSeries`], [`ValueIssues`] and the price-jump flag.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::source::ValueKind;

/// Counts of values that were present but could not be used, for one series (reported as
/// input exclusions).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueIssues {
    /// Unusable prices (≤ 0, not finite, empty): count and first date.
    pub bad_price: usize,
    /// First date with an unusable price.
    pub first_bad_price: Option<NaiveDate>,
    /// Suspended days (tradestatus 0): count and first date.
    pub suspended: usize,
    /// First suspended date.
    pub first_suspended: Option<NaiveDate>,
    /// Close-to-close moves between consecutive usable prices by a factor above
    /// [`PRICE_JUMP_FACTOR`] (up or down): count (the prices are kept; reported as the input
    /// exclusion `price_jump` so that a unit or decimal error does not go unnoticed).
    pub price_jumps: usize,
    /// Date of the first such jump (the date of the later close).
    pub first_price_jump: Option<NaiveDate>,
    /// Largest jump factor (≥ [`PRICE_JUMP_FACTOR`]) and its date.
    pub largest_price_jump: Option<(f64, NaiveDate)>,
    /// Values of −1 or less in a returns series: count. As simple returns they are
    /// impossible (−100 % or worse); as log returns they are large but possible, so the
    /// study decides (methodology §11, `impossible_return`).
    pub low_returns: usize,
    /// File row (1-based, as in messages) of the first such value.
    pub first_low_return_row: Option<usize>,
    /// Dates of the first [`LOW_RETURN_DATES_KEPT`] such values.
    pub low_return_dates: Vec<NaiveDate>,
    /// Values dropped (made missing) as impossible simple returns; set by the study.
    pub impossible_returns: usize,
}

/// How many dates of low returns a series keeps for its exclusion row.
pub const LOW_RETURN_DATES_KEPT: usize = 5;

impl ValueIssues {
    /// Note a returns value at or below −1 on `date`, file row `row`.
    pub(super) fn note_low_return(&mut self, date: NaiveDate, row: usize) {
        self.low_returns += 1;
        self.first_low_return_row.get_or_insert(row);
        if self.low_return_dates.len() < LOW_RETURN_DATES_KEPT {
            self.low_return_dates.push(date);
        }
    }
}

/// A close more than this factor above or below the previous usable close of the same series
/// is reported as a `price_jump` (a 1000× move in one step is a data error — units, a missing
/// split adjustment, a misplaced decimal point — far more often than a market move).
pub const PRICE_JUMP_FACTOR: f64 = 1000.0;

/// Count the close-to-close jumps above [`PRICE_JUMP_FACTOR`] of a price series (dates
/// ascending) into its [`ValueIssues`]. Missing closes (NaN) are skipped: the jump is measured
/// from the previous usable close.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::data::{flag_price_jumps, PriceSeries, ValueKind};
/// let d = |day| NaiveDate::from_ymd_opt(2025, 1, day).unwrap();
/// let mut s = PriceSeries { ticker: "X".into(), dates: vec![d(2), d(3), d(6), d(7)],
///     values: vec![10.0, f64::NAN, 1.0e7, 10.0], kind: ValueKind::Price, file: "x.csv".into(),
///     issues: Default::default() };
/// flag_price_jumps(&mut s);
/// assert_eq!(s.issues.price_jumps, 2); // 10 → 1e7 and back
/// assert_eq!(s.issues.first_price_jump, Some(d(6)));
/// assert_eq!(s.issues.largest_price_jump, Some((1.0e6, d(6))));
/// ```
pub fn flag_price_jumps(series: &mut PriceSeries) {
    if series.kind != ValueKind::Price {
        return;
    }
    let mut prev: Option<f64> = None;
    for (d, &v) in series.dates.iter().zip(&series.values) {
        if !(v.is_finite() && v > 0.0) {
            continue;
        }
        if let Some(p) = prev {
            let factor = if v > p { v / p } else { p / v };
            if factor > PRICE_JUMP_FACTOR {
                let issues = &mut series.issues;
                issues.price_jumps += 1;
                issues.first_price_jump.get_or_insert(*d);
                if issues.largest_price_jump.map_or(true, |(f, _)| factor > f) {
                    issues.largest_price_jump = Some((factor, *d));
                }
            }
        }
        prev = Some(v);
    }
}

/// One ticker's values, dates ascending and unique.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceSeries {
    /// Ticker.
    pub ticker: String,
    /// Dates, ascending, unique.
    pub dates: Vec<NaiveDate>,
    /// Close (or return) on each date; NaN = missing.
    pub values: Vec<f64>,
    /// Prices or returns.
    pub kind: ValueKind,
    /// File the series came from.
    pub file: String,
    /// Values present but unusable.
    pub issues: ValueIssues,
}

impl PriceSeries {
    /// Value on `date`, if the series has a row that day (NaN if the row is unusable).
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use evstudy::data::{PriceSeries, ValueKind};
    /// let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    /// let s = PriceSeries { ticker: "X".into(), dates: vec![d("2025-01-02")], values: vec![10.0],
    ///     kind: ValueKind::Price, file: "x.csv".into(), issues: Default::default() };
    /// assert_eq!(s.value_on(d("2025-01-02")), Some(10.0));
    /// assert_eq!(s.value_on(d("2025-01-03")), None);
    /// ```
    pub fn value_on(&self, date: NaiveDate) -> Option<f64> {
        self.dates.binary_search(&date).ok().map(|i| self.values[i])
    }
}

/// Every series read from one or more files, by ticker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PricePanel {
    /// Series by ticker (sorted by ticker).
    pub series: BTreeMap<String, PriceSeries>,
}

impl PricePanel {
    /// Number of tickers.
    pub fn len(&self) -> usize {
        self.series.len()
    }
    /// True when no ticker was read.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
    /// The series of `ticker`.
    pub fn get(&self, ticker: &str) -> Option<&PriceSeries> {
        self.series.get(ticker)
    }
    /// Total number of (date, ticker) rows.
    pub fn n_rows(&self) -> usize {
        self.series.values().map(|s| s.dates.len()).sum()
    }
}
