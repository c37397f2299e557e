//! The session instants of a security's [`Bars`] (methodology §16.1): when each session opens
//! and closes in UTC, which bars are zero-volume placeholders, and the security's daily price
//! limit. The timing phase reads them beside the prices.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::Bars;
use crate::calendar::{local_to_utc, ExchangeSpec, HolidayTable, SessionCalendar};

/// The open and close instants of every session of one [`Bars`], and what makes a bar
/// unfillable besides a missing price.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionTimes {
    /// Exchange code (`DATA` for a data calendar).
    pub exchange: String,
    /// Opening instant of each session (`None`: the exchange's opening time is unknown).
    pub open: Vec<Option<DateTime<Utc>>>,
    /// Closing instant of each session (the holiday table's early closes included).
    pub close: Vec<DateTime<Utc>>,
    /// True where the bar's volume is 0 or missing (a placeholder without real prices).
    pub no_volume: Vec<bool>,
    /// Daily price limit as a fraction (A-shares), if the security has one.
    pub limit: Option<f64>,
}

impl SessionTimes {
    /// The instants of `dates` on `spec`'s exchange: each session closes at the holiday
    /// table's early close if it has one, else at the regular close, and opens at the
    /// exchange's regular open, in the exchange's zone (§2.1).
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use evstudy::backtest::SessionTimes;
    /// use evstudy::calendar::{builtin_exchange, HolidayTable};
    /// let d = NaiveDate::from_ymd_opt(2024, 11, 29).unwrap(); // NYSE closes at 13:00
    /// let t = SessionTimes::for_exchange(&builtin_exchange("XNYS").unwrap(), &HolidayTable::builtin(), &[d]);
    /// assert_eq!(t.open[0].unwrap().format("%H:%M").to_string(), "14:30");
    /// assert_eq!(t.close[0].format("%H:%M").to_string(), "18:00");
    /// ```
    pub fn for_exchange(
        spec: &ExchangeSpec,
        holidays: &HolidayTable,
        dates: &[NaiveDate],
    ) -> SessionTimes {
        let cal = SessionCalendar::for_exchange(spec, holidays, dates);
        let close = dates
            .iter()
            .map(|&d| {
                let local = cal
                    .position(d)
                    .and_then(|i| cal.close_time(i))
                    .unwrap_or(spec.close);
                local_to_utc(spec.tz, d.and_time(local))
            })
            .collect();
        let open = dates
            .iter()
            .map(|&d| spec.open.map(|t| local_to_utc(spec.tz, d.and_time(t))))
            .collect();
        SessionTimes {
            exchange: spec.code.clone(),
            open,
            close,
            no_volume: vec![false; dates.len()],
            limit: None,
        }
    }

    /// The instants of a data calendar (§2.2): wall-clock times with no zone, written as if
    /// they were UTC, compared with event times read the same way; sessions open at `open`
    /// and close at `close`.
    pub fn for_data_calendar(dates: &[NaiveDate], open: NaiveTime, close: NaiveTime) -> Self {
        SessionTimes {
            exchange: crate::calendar::DATA_CALENDAR_LABEL.to_string(),
            open: dates
                .iter()
                .map(|d| Some(d.and_time(open).and_utc()))
                .collect(),
            close: dates.iter().map(|d| d.and_time(close).and_utc()).collect(),
            no_volume: vec![false; dates.len()],
            limit: None,
        }
    }
}

/// Bars of `ticker` on `dates`: each session's open and close from the price series (NaN
/// where a series has no usable value), with zero-volume placeholder bars blanked out (they
/// have no real price, so the simulation carries the last one across them). Returns the bars
/// and the placeholder flags.
pub(crate) fn bars_on(
    ticker: &str,
    dates: &[NaiveDate],
    close: Option<&crate::data::PriceSeries>,
    open: Option<&crate::data::PriceSeries>,
    volume: Option<&crate::data::PriceSeries>,
) -> (Bars, Vec<bool>) {
    let on = |s: Option<&crate::data::PriceSeries>, d: NaiveDate| {
        s.and_then(|s| s.value_on(d)).unwrap_or(f64::NAN)
    };
    let mut bars = Bars {
        ticker: ticker.to_string(),
        dates: dates.to_vec(),
        open: dates.iter().map(|&d| on(open, d)).collect(),
        close: dates.iter().map(|&d| on(close, d)).collect(),
    };
    let no_volume: Vec<bool> = dates
        .iter()
        .map(|&d| volume.is_some_and(|_| !(on(volume, d) > 0.0)))
        .collect();
    for (i, &flag) in no_volume.iter().enumerate() {
        if flag {
            bars.open[i] = f64::NAN;
            bars.close[i] = f64::NAN;
        }
    }
    (bars, no_volume)
}
