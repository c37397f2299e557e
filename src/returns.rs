//! Returns aligned on a security's own session calendar (methodology §1).
//!
//! An [`AlignedSeries`] holds, for one security, contiguous `f64` columns indexed by session
//! position on its calendar: the security's return, the benchmark's return on the same sessions,
//! factor values and the risk-free rate. NaN means missing. The hot paths (`model`,
//! `abnormal`) work on slices of these columns.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// Simple or log returns (§1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnKind {
    /// R_j = P_j / P_{j−1} − 1
    #[default]
    Simple,
    /// R_j = ln(P_j / P_{j−1})
    Log,
}

/// One security's inputs on its session calendar.
///
/// Every column has the length of `ret`, or is empty: `dates` when the caller needs no dates
/// (the engine reads none), `span` outside trade-to-trade mode, `bench`, `bench_daily`,
/// `factors` and `rf` when the model does not use them; `factor_names` is parallel to
/// non-empty `factors`. Position j is session `dates[j]`. [`AlignedSeries::new`] and the `with_*`
/// methods build a series with these invariants checked; [`AlignedSeries::check`] checks one
/// built field by field.
///
/// # Examples
/// ```
/// use evstudy::returns::AlignedSeries;
/// let s = AlignedSeries::new("ABC", Vec::new().into(), vec![0.01, f64::NAN, -0.02])?
///     .with_span(vec![1, 0, 1])?
///     .with_benchmark(vec![0.005, 0.001, -0.01].into(), Vec::new().into())?;
/// assert_eq!(s.bench.len(), 3);
/// assert!(s.clone().with_span(vec![1; 2]).is_err());
/// # Ok::<(), evstudy::error::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AlignedSeries {
    /// Security ticker.
    pub security: String,
    /// Session dates of the security's calendar, ascending. Shared (not copied) by the
    /// securities on the same calendar.
    pub dates: Arc<[NaiveDate]>,
    /// Security return assigned to each session (span return in trade-to-trade mode); NaN = none.
    pub ret: Vec<f64>,
    /// Span d_j in sessions of the return at j (1 for daily returns); 0 where `ret` is NaN.
    /// Read only in trade-to-trade mode, so it may be left empty for daily returns.
    pub span: Vec<u32>,
    /// Benchmark return on the same sessions (same span as `ret` in trade-to-trade mode).
    /// Empty when the model uses no benchmark. Shared (not copied) by the securities that have
    /// the same benchmark on the same calendar: one column in memory, hot in cache for all
    /// their pairs.
    pub bench: Arc<[f64]>,
    /// Benchmark *daily* returns on the security's sessions (used for Scholes–Williams / Dimson
    /// leads and lags). Empty when unused; shared like `bench`.
    pub bench_daily: Arc<[f64]>,
    /// Factor columns (each the length of `dates`), in configuration order; span-compounded
    /// in trade-to-trade mode. Empty for non-factor models.
    pub factors: Vec<Vec<f64>>,
    /// Factor names, parallel to `factors`.
    pub factor_names: Vec<String>,
    /// Risk-free rate on each session (span-compounded in trade-to-trade mode); empty if none.
    pub rf: Vec<f64>,
}

impl AlignedSeries {
    /// A series of `ret` on the sessions `dates` (empty, or one date per return), without
    /// benchmark, factors or spans.
    ///
    /// # Errors
    /// [`Error::Config`] when `dates` is neither empty nor the length of `ret`.
    pub fn new(
        security: impl Into<String>,
        dates: Arc<[NaiveDate]>,
        ret: Vec<f64>,
    ) -> Result<Self> {
        let series = AlignedSeries {
            security: security.into(),
            dates,
            ret,
            ..Default::default()
        };
        series.check()?;
        Ok(series)
    }

    /// The series with the spans d_j of its returns (trade-to-trade mode).
    ///
    /// # Errors
    /// [`Error::Config`] when `span` is neither empty nor the length of `ret`.
    pub fn with_span(mut self, span: Vec<u32>) -> Result<Self> {
        self.span = span;
        self.check()?;
        Ok(self)
    }

    /// The series with its benchmark's returns on the same sessions and, for Scholes–Williams
    /// and Dimson, its daily returns (either may be empty).
    ///
    /// # Errors
    /// [`Error::Config`] when a column is neither empty nor the length of `ret`.
    pub fn with_benchmark(mut self, bench: Arc<[f64]>, bench_daily: Arc<[f64]>) -> Result<Self> {
        self.bench = bench;
        self.bench_daily = bench_daily;
        self.check()?;
        Ok(self)
    }

    /// The series with named factor columns and the risk-free rate (may be empty).
    ///
    /// # Errors
    /// [`Error::Config`] when a column is neither empty nor the length of `ret`, or the names
    /// do not match the columns one to one.
    pub fn with_factors(
        mut self,
        names: Vec<String>,
        factors: Vec<Vec<f64>>,
        rf: Vec<f64>,
    ) -> Result<Self> {
        self.factor_names = names;
        self.factors = factors;
        self.rf = rf;
        self.check()?;
        Ok(self)
    }

    /// Checks the invariants of the type: every column empty or the length of `ret`, one name
    /// per factor column when there are factor columns.
    ///
    /// # Errors
    /// [`Error::Config`] naming the security and the first column that breaks them.
    pub fn check(&self) -> Result<()> {
        let n = self.ret.len();
        let mut lengths = vec![
            ("dates", self.dates.len()),
            ("span", self.span.len()),
            ("bench", self.bench.len()),
            ("bench_daily", self.bench_daily.len()),
            ("rf", self.rf.len()),
        ];
        lengths.extend(self.factors.iter().map(|f| ("factor", f.len())));
        if let Some((column, len)) = lengths.into_iter().find(|&(_, len)| len != 0 && len != n) {
            return Err(Error::config(format!(
                "aligned series '{}': column '{column}' has {len} values for {n} returns",
                self.security
            )));
        }
        if !self.factors.is_empty() && self.factor_names.len() != self.factors.len() {
            return Err(Error::config(format!(
                "aligned series '{}': {} factor names for {} factor columns",
                self.security,
                self.factor_names.len(),
                self.factors.len()
            )));
        }
        Ok(())
    }
}

/// Daily simple or log return from two closes. NaN if either is missing (NaN or ≤ 0).
///
/// # Formula
/// simple: R = P₁/P₀ − 1; log: R = ln(P₁/P₀) (methodology §1.2).
///
/// # Examples
/// ```
/// use evstudy::returns::{period_return, ReturnKind};
/// assert!((period_return(100.0, 110.0, ReturnKind::Simple) - 0.10).abs() < 1e-15);
/// assert!(period_return(f64::NAN, 110.0, ReturnKind::Simple).is_nan());
/// ```
#[inline]
pub fn period_return(p0: f64, p1: f64, kind: ReturnKind) -> f64 {
    if !(p0.is_finite() && p1.is_finite() && p0 > 0.0 && p1 > 0.0) {
        return f64::NAN;
    }
    match kind {
        ReturnKind::Simple => p1 / p0 - 1.0,
        ReturnKind::Log => (p1 / p0).ln(),
    }
}

/// A price (or return) series placed on a session calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct OnCalendar {
    /// Value on each session (NaN where the series has no usable row).
    pub values: Vec<f64>,
    /// Rows dated on days that are not sessions of the calendar (ignored, §1.1).
    pub off_calendar: usize,
    /// First such date.
    pub first_off_calendar: Option<NaiveDate>,
}

/// Place a dated series (dates ascending) on session dates (ascending) by a merge join.
/// Rows on non-session dates are counted, not used (methodology §1.1).
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::returns::align_to_sessions;
/// let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
/// let sessions = [d("2024-06-28"), d("2024-07-01")];
/// let on = align_to_sessions(&[d("2024-06-28"), d("2024-06-29")], &[10.0, 11.0], &sessions);
/// assert_eq!(on.values[0], 10.0);
/// assert!(on.values[1].is_nan());
/// assert_eq!(on.off_calendar, 1); // Saturday row ignored and counted
/// ```
pub fn align_to_sessions(
    dates: &[NaiveDate],
    values: &[f64],
    sessions: &[NaiveDate],
) -> OnCalendar {
    let mut out = vec![f64::NAN; sessions.len()];
    let (mut off, mut first_off) = (0usize, None);
    let mut j = 0usize;
    for (i, &dt) in dates.iter().enumerate() {
        while j < sessions.len() && sessions[j] < dt {
            j += 1;
        }
        if j < sessions.len() && sessions[j] == dt {
            out[j] = values[i];
        } else if sessions.first().is_some_and(|&f| dt >= f)
            && sessions.last().is_some_and(|&l| dt <= l)
        {
            // Inside the calendar's span but not a session: off-calendar.
            off += 1;
            first_off.get_or_insert(dt);
        }
    }
    OnCalendar {
        values: out,
        off_calendar: off,
        first_off_calendar: first_off,
    }
}

/// Daily returns from closes on consecutive sessions (methodology §1.2): a missing close
/// makes both adjacent returns missing; R_0 is NaN.
///
/// # Formula
/// R_j = P_j / P_{j−1} − 1 (simple) or ln(P_j / P_{j−1}) (log).
///
/// # Examples
/// ```
/// use evstudy::returns::{daily_returns, ReturnKind};
/// let r = daily_returns(&[100.0, 110.0, 105.0], ReturnKind::Simple);
/// assert!(r[0].is_nan());
/// assert!((r[1] - 0.10).abs() < 1e-15);
/// assert!((r[2] - (105.0 / 110.0 - 1.0)).abs() < 1e-15);
/// ```
pub fn daily_returns(closes: &[f64], kind: ReturnKind) -> Vec<f64> {
    let mut out = vec![f64::NAN; closes.len()];
    for j in 1..closes.len() {
        out[j] = period_return(closes[j - 1], closes[j], kind);
    }
    out
}

/// Trade-to-trade returns (methodology §1.3, Maynes & Rumsey 1993): every session with a
/// close and an earlier close gets the return from the last earlier close, with span
/// d_j = j − s in sessions; sessions without a close get NaN and span 0.
///
/// # Formula
/// R_j = P_j / P_s − 1 (simple) or ln(P_j / P_s) (log), d_j = j − s.
///
/// # Examples
/// ```
/// use evstudy::returns::{trade_to_trade_returns, ReturnKind};
/// let (r, d) = trade_to_trade_returns(&[100.0, f64::NAN, 121.0], ReturnKind::Simple);
/// assert!(r[1].is_nan());
/// assert!((r[2] - 0.21).abs() < 1e-15);
/// assert_eq!(d, vec![0, 0, 2]);
/// ```
pub fn trade_to_trade_returns(closes: &[f64], kind: ReturnKind) -> (Vec<f64>, Vec<u32>) {
    let mut ret = vec![f64::NAN; closes.len()];
    let mut span = vec![0u32; closes.len()];
    let mut last: Option<usize> = None;
    for j in 0..closes.len() {
        let ok = closes[j].is_finite() && closes[j] > 0.0;
        if !ok {
            continue;
        }
        if let Some(s) = last {
            ret[j] = period_return(closes[s], closes[j], kind);
            span[j] = (j - s) as u32;
        }
        last = Some(j);
    }
    (ret, span)
}

/// Span returns of another series (the benchmark) over the same sessions as `span`
/// (methodology §1.3): R_m over (j − d_j, j], NaN if either close is missing.
///
/// # Examples
/// ```
/// use evstudy::returns::{span_returns_from_closes, ReturnKind};
/// let r = span_returns_from_closes(&[100.0, 90.0, 110.0], &[0, 0, 2], ReturnKind::Simple);
/// assert!((r[2] - 0.10).abs() < 1e-15);
/// ```
pub fn span_returns_from_closes(closes: &[f64], span: &[u32], kind: ReturnKind) -> Vec<f64> {
    (0..closes.len())
        .map(|j| {
            let d = span[j] as usize;
            if d == 0 || d > j {
                f64::NAN
            } else {
                period_return(closes[j - d], closes[j], kind)
            }
        })
        .collect()
}

/// Compound daily values (factors, rf) over each span (methodology §1.3): the product
/// Π(1 + x) − 1 for simple returns, the sum for log returns; NaN if any daily value is missing.
///
/// # Examples
/// ```
/// use evstudy::returns::{compound_over_spans, ReturnKind};
/// let c = compound_over_spans(&[0.0, 0.1, 0.1], &[0, 1, 2], ReturnKind::Simple);
/// assert!((c[2] - 0.21).abs() < 1e-15);
/// ```
pub fn compound_over_spans(daily: &[f64], span: &[u32], kind: ReturnKind) -> Vec<f64> {
    (0..daily.len())
        .map(|j| {
            let d = span[j] as usize;
            if d == 0 || d > j + 1 {
                return f64::NAN;
            }
            let w = &daily[j + 1 - d..=j];
            match kind {
                ReturnKind::Simple => w.iter().fold(1.0, |a, x| a * (1.0 + x)) - 1.0,
                ReturnKind::Log => w.iter().sum(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_series_rejects_columns_of_another_length() {
        let d = |i: u64| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i);
        let dates: Arc<[NaiveDate]> = (0..3).map(d).collect();
        assert!(AlignedSeries::new("A", dates.clone(), vec![0.0; 3]).is_ok());
        let e = AlignedSeries::new("A", dates.clone(), vec![0.0; 2]).unwrap_err();
        assert!(e
            .to_string()
            .contains("column 'dates' has 3 values for 2 returns"));
        let s = AlignedSeries::new("A", dates, vec![0.0; 3]).unwrap();
        assert!(s
            .clone()
            .with_benchmark(vec![0.0; 4].into(), Vec::new().into())
            .is_err());
        assert!(s
            .clone()
            .with_factors(vec!["f".into()], vec![vec![0.0; 2]], vec![])
            .is_err());
        assert!(s
            .clone()
            .with_factors(vec![], vec![vec![0.0; 3]], vec![])
            .is_err());
        let ok = s.with_factors(vec!["f".into()], vec![vec![0.0; 3]], vec![0.0; 3]);
        assert!(ok.unwrap().check().is_ok());
    }
    use approx::assert_relative_eq;

    #[test]
    fn missing_close_makes_both_adjacent_returns_missing() {
        let r = daily_returns(&[100.0, 110.0, f64::NAN, 99.0, 108.9], ReturnKind::Simple);
        assert!(r[0].is_nan() && r[2].is_nan() && r[3].is_nan());
        assert_relative_eq!(r[1], 0.1, max_relative = 1e-15);
        assert_relative_eq!(r[4], 0.1, max_relative = 1e-14);
    }

    #[test]
    fn log_returns_hand_computed() {
        let r = daily_returns(&[100.0, 110.0, 105.0], ReturnKind::Log);
        assert_relative_eq!(r[1], 0.09531017980432493, max_relative = 1e-14);
        assert_relative_eq!(r[2], -0.04652001563489282, max_relative = 1e-14);
    }

    #[test]
    fn sipemu_fix5_case() {
        // Prices 100, 110, 105 must give NA, 0.10, −0.0454545… (methodology §1.2).
        let r = daily_returns(&[100.0, 110.0, 105.0], ReturnKind::Simple);
        assert_relative_eq!(r[2], -0.045454545454545456, max_relative = 1e-14);
    }

    #[test]
    fn trade_to_trade_span_and_benchmark() {
        let closes = [10.0, f64::NAN, f64::NAN, 13.0, 13.0];
        let (r, d) = trade_to_trade_returns(&closes, ReturnKind::Simple);
        assert_eq!(d, vec![0, 0, 0, 3, 1]);
        assert_relative_eq!(r[3], 0.3, max_relative = 1e-15);
        assert_eq!(r[4], 0.0);
        let m = span_returns_from_closes(&[100.0, 1.0, 1.0, 120.0, 60.0], &d, ReturnKind::Simple);
        assert_relative_eq!(m[3], 0.2, max_relative = 1e-15);
        assert_relative_eq!(m[4], -0.5, max_relative = 1e-15);
        let f = compound_over_spans(&[0.0, 0.01, 0.02, 0.03, 0.0], &d, ReturnKind::Simple);
        assert_relative_eq!(f[3], 1.01 * 1.02 * 1.03 - 1.0, max_relative = 1e-14);
        let fl = compound_over_spans(&[0.0, 0.01, 0.02, 0.03, 0.0], &d, ReturnKind::Log);
        assert_relative_eq!(fl[3], 0.06, max_relative = 1e-14);
    }

    #[test]
    fn align_counts_off_calendar_rows_inside_span_only() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let sessions = [d("2024-06-27"), d("2024-06-28"), d("2024-07-01")];
        let on = align_to_sessions(
            &[
                d("2024-06-01"),
                d("2024-06-28"),
                d("2024-06-29"),
                d("2024-07-01"),
            ],
            &[1.0, 2.0, 3.0, 4.0],
            &sessions,
        );
        assert!(on.values[0].is_nan());
        assert_eq!(&on.values[1..], &[2.0, 4.0]);
        assert_eq!(on.off_calendar, 1);
        assert_eq!(on.first_off_calendar, Some(d("2024-06-29")));
    }
}
