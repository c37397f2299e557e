//! Session calendars: exchange calendars and data calendars (methodology §2.2).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::exchange::{holiday_source, ExchangeSpec};
use super::holidays::{HolidayStatus, HolidayTable};

/// The label of a data calendar (no exchange).
pub const DATA_CALENDAR_LABEL: &str = "DATA";

/// Wall-clock close of every data-calendar session (methodology §2.2).
pub fn data_calendar_close() -> NaiveTime {
    NaiveTime::MIN + chrono::Duration::hours(16)
}

/// The trading sessions of one calendar, ascending, with each session's close.
///
/// Two kinds (methodology §2.2):
/// * an **exchange calendar** ([`SessionCalendar::for_exchange`]): label = exchange code, every
///   session closes at a fixed instant (its date at the regular or early close in the
///   exchange's zone);
/// * a **data calendar** ([`SessionCalendar::from_data_dates`]): label `DATA`, every session
///   closes at 16:00 wall clock in the *event's own* time zone, so [`SessionCalendar::tz`] is
///   `None` and there is no close instant; day 0 is found by comparing (date, time) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionCalendar {
    label: String,
    tz: Option<Tz>,
    dates: Vec<NaiveDate>,
    closes: Vec<NaiveTime>,
}

impl SessionCalendar {
    /// The exchange calendar of `spec` (methodology §2.2).
    ///
    /// With `S` = the span from the earliest to the latest of `data_dates` (the dates on which
    /// any price series mapped to the exchange has a row), a date d of S is a session when
    /// * d lies in a *covered year* (the holiday table has a row for the exchange in that
    ///   year), d is Monday–Friday and the table does not list d as `closed`/`closed_adhoc`; or
    /// * d lies outside the covered years and d is one of `data_dates` (data fallback).
    ///
    /// Each session closes at the table's early-close time if it has one, else at
    /// `spec.close`, in `spec.tz`. Holiday rows are looked up under `spec.code`, or under
    /// [`holiday_source`]`(spec.code)` (XSHE → XSHG, XNAS → XNYS) when the table has no row
    /// for the code itself.
    ///
    /// Empty `data_dates` give an empty calendar (every event then maps to `no_session`);
    /// use [`SessionCalendar::for_exchange_range`] to build a calendar from the table alone.
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use evstudy::calendar::{builtin_exchange, HolidayTable, SessionCalendar};
    /// let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    /// let cal = SessionCalendar::for_exchange(&builtin_exchange("XNYS").unwrap(),
    ///     &HolidayTable::builtin(), &[d(2024, 6, 17), d(2024, 6, 24)]);
    /// // Juneteenth (06-19) and the weekend are not sessions.
    /// assert_eq!(cal.dates(), &[d(2024, 6, 17), d(2024, 6, 18), d(2024, 6, 20), d(2024, 6, 21), d(2024, 6, 24)]);
    /// ```
    pub fn for_exchange(
        spec: &ExchangeSpec,
        holidays: &HolidayTable,
        data_dates: &[NaiveDate],
    ) -> SessionCalendar {
        let (Some(&start), Some(&end)) = (data_dates.iter().min(), data_dates.iter().max()) else {
            return SessionCalendar {
                label: spec.code.clone(),
                tz: Some(spec.tz),
                dates: Vec::new(),
                closes: Vec::new(),
            };
        };
        let data: BTreeSet<NaiveDate> = data_dates.iter().copied().collect();
        build_exchange_calendar(spec, holidays, start, end, Some(&data))
    }

    /// The exchange calendar of `spec` over `start..=end` from the holiday table alone (no
    /// price data, hence no data fallback): the weekday/holiday rule of
    /// [`SessionCalendar::for_exchange`] in covered years, and no sessions at all in years the
    /// table does not cover.
    ///
    /// This is how the golden day-0 case builds its calendars (2022-01-01..2026-12-31).
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use evstudy::calendar::{builtin_exchange, HolidayTable, SessionCalendar};
    /// let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    /// let cal = SessionCalendar::for_exchange_range(&builtin_exchange("XSHG").unwrap(),
    ///     &HolidayTable::builtin(), d(2026, 12, 1), d(2027, 1, 31));
    /// assert_eq!(cal.dates().last(), Some(&d(2026, 12, 31))); // 2027 is not covered
    /// ```
    pub fn for_exchange_range(
        spec: &ExchangeSpec,
        holidays: &HolidayTable,
        start: NaiveDate,
        end: NaiveDate,
    ) -> SessionCalendar {
        build_exchange_calendar(spec, holidays, start, end, None)
    }

    /// A data calendar: the given dates (sorted, duplicates removed), label `DATA`, every
    /// session closing at 16:00 wall clock in the event's own zone (methodology §2.2).
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use evstudy::calendar::SessionCalendar;
    /// let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    /// let cal = SessionCalendar::from_data_dates(&[d(2024, 1, 3), d(2024, 1, 2), d(2024, 1, 3)]);
    /// assert_eq!(cal.label(), "DATA");
    /// assert_eq!(cal.len(), 2);
    /// assert_eq!(cal.position(d(2024, 1, 3)), Some(1));
    /// ```
    pub fn from_data_dates(dates: &[NaiveDate]) -> SessionCalendar {
        let set: BTreeSet<NaiveDate> = dates.iter().copied().collect();
        let dates: Vec<NaiveDate> = set.into_iter().collect();
        let closes = vec![data_calendar_close(); dates.len()];
        SessionCalendar {
            label: DATA_CALENDAR_LABEL.to_string(),
            tz: None,
            dates,
            closes,
        }
    }

    /// The calendar's label: the exchange code, or `DATA` for a data calendar.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The exchange's time zone; `None` for a data calendar.
    pub fn tz(&self) -> Option<Tz> {
        self.tz
    }

    /// True for a data calendar (wall-clock closes, no time zone).
    pub fn is_data_calendar(&self) -> bool {
        self.tz.is_none()
    }

    /// The session dates, ascending and distinct.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// Number of sessions.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when the calendar has no session.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// Index of `date` among the sessions, if it is one.
    pub fn position(&self, date: NaiveDate) -> Option<usize> {
        self.dates.binary_search(&date).ok()
    }

    /// Date of session `i` (`None` out of range).
    pub fn date(&self, i: usize) -> Option<NaiveDate> {
        self.dates.get(i).copied()
    }

    /// Local close time of session `i` (early close where the table gives one; 16:00 wall
    /// clock for a data calendar).
    pub fn close_time(&self, i: usize) -> Option<NaiveTime> {
        self.closes.get(i).copied()
    }

    /// Close instant of session `i` in UTC; `None` out of range and for a data calendar.
    pub fn close_instant(&self, i: usize) -> Option<DateTime<Utc>> {
        let tz = self.tz?;
        let local = self.dates.get(i)?.and_time(*self.closes.get(i)?);
        Some(super::day0::local_to_utc(tz, local))
    }

    /// Number of sessions with `after < date < before` (both bounds excluded).
    pub fn sessions_strictly_between(&self, after: NaiveDate, before: NaiveDate) -> usize {
        if before <= after {
            return 0;
        }
        let lo = self.dates.partition_point(|d| *d <= after);
        let hi = self.dates.partition_point(|d| *d < before);
        hi.saturating_sub(lo)
    }
}

fn build_exchange_calendar(
    spec: &ExchangeSpec,
    holidays: &HolidayTable,
    start: NaiveDate,
    end: NaiveDate,
    data: Option<&BTreeSet<NaiveDate>>,
) -> SessionCalendar {
    let source = if holidays.has_exchange(&spec.code) {
        spec.code.as_str()
    } else {
        holiday_source(&spec.code)
    };
    let mut dates = Vec::new();
    let mut closes = Vec::new();
    let mut d = start;
    while d <= end {
        let session_close = if holidays.covers_year(source, d.year()) {
            let weekday = !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
            match holidays.status(source, d) {
                _ if !weekday => None,
                Some(s) if s.is_closed() => None,
                Some(HolidayStatus::EarlyClose(t)) => Some(t),
                _ => Some(spec.close),
            }
        } else if data.is_some_and(|set| set.contains(&d)) {
            Some(spec.close)
        } else {
            None
        };
        if let Some(t) = session_close {
            dates.push(d);
            closes.push(t);
        }
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    SessionCalendar {
        label: spec.code.clone(),
        tz: Some(spec.tz),
        dates,
        closes,
    }
}

/// Convenience: the UTC instant of a local wall-clock time in `tz` (used in tests).
#[cfg(test)]
pub(crate) fn utc(tz: Tz, y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    use chrono::TimeZone;
    tz.with_ymd_and_hms(y, m, d, h, mi, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::builtin_exchange;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn shanghai_lunar_new_year_2025_is_closed() {
        let cal = SessionCalendar::for_exchange(
            &builtin_exchange("XSHG").unwrap(),
            &HolidayTable::builtin(),
            &[d(2025, 1, 1), d(2025, 2, 28)],
        );
        // SSE closed 2025-01-28 .. 2025-02-04; 01-27 and 02-05 trade (checked against the SSE notice).
        let i = cal.position(d(2025, 1, 27)).unwrap();
        assert_eq!(cal.date(i + 1), Some(d(2025, 2, 5)));
        for day in 28..=31 {
            assert_eq!(cal.position(d(2025, 1, day)), None);
        }
        assert_eq!(
            cal.sessions_strictly_between(d(2025, 1, 27), d(2025, 2, 5)),
            0
        );
        assert_eq!(
            cal.close_instant(i),
            Some(utc(chrono_tz::Asia::Shanghai, 2025, 1, 27, 15, 0))
        );
        // Close at 15:00 Shanghai = 07:00 UTC.
        assert_eq!(
            cal.close_instant(i).unwrap().format("%H:%M").to_string(),
            "07:00"
        );
    }

    #[test]
    fn hk_typhoon_adhoc_closure_and_early_close() {
        let cal = SessionCalendar::for_exchange(
            &builtin_exchange("XHKG").unwrap(),
            &HolidayTable::builtin(),
            &[d(2023, 8, 28), d(2023, 9, 8)],
        );
        // 2023-09-01 (Typhoon Saola) and 2023-09-08 (black rainstorm) are closed_adhoc.
        assert_eq!(
            cal.dates(),
            &[
                d(2023, 8, 28),
                d(2023, 8, 29),
                d(2023, 8, 30),
                d(2023, 8, 31),
                d(2023, 9, 4),
                d(2023, 9, 5),
                d(2023, 9, 6),
                d(2023, 9, 7)
            ]
        );
        let cal = SessionCalendar::for_exchange(
            &builtin_exchange("XHKG").unwrap(),
            &HolidayTable::builtin(),
            &[d(2024, 12, 23), d(2024, 12, 31)],
        );
        let i = cal.position(d(2024, 12, 24)).unwrap();
        assert_eq!(cal.close_time(i), NaiveTime::from_hms_opt(12, 0, 0));
        assert_eq!(
            cal.close_instant(i),
            Some(utc(chrono_tz::Asia::Hong_Kong, 2024, 12, 24, 12, 0))
        );
        assert_eq!(cal.close_time(i - 1), NaiveTime::from_hms_opt(16, 0, 0));
        // 12-25, 12-26 closed; 12-31 early close.
        assert_eq!(
            cal.dates(),
            &[
                d(2024, 12, 23),
                d(2024, 12, 24),
                d(2024, 12, 27),
                d(2024, 12, 30),
                d(2024, 12, 31)
            ]
        );
    }

    #[test]
    fn data_fallback_outside_covered_years_and_span_restriction() {
        let spec = builtin_exchange("XNYS").unwrap();
        let t = HolidayTable::builtin();
        // 2020 is not covered: only data dates are sessions (even a Saturday, data is data).
        let data = [
            d(2020, 12, 30),
            d(2020, 12, 31),
            d(2021, 1, 2),
            d(2021, 1, 5),
        ];
        let cal = SessionCalendar::for_exchange(&spec, &t, &data);
        // 2021 covered: 01-01 closed (New Year), 01-02/03 weekend, 01-04 and 01-05 sessions
        // whether or not data has them; 2021-01-02 in data is ignored (Saturday in a covered year).
        assert_eq!(
            cal.dates(),
            &[
                d(2020, 12, 30),
                d(2020, 12, 31),
                d(2021, 1, 4),
                d(2021, 1, 5)
            ]
        );
        // Nothing before the first or after the last data date.
        assert_eq!(cal.position(d(2021, 1, 6)), None);
        // Empty data: empty calendar.
        assert!(SessionCalendar::for_exchange(&spec, &t, &[]).is_empty());
    }

    #[test]
    fn xshe_and_xnas_use_the_xshg_and_xnys_rows() {
        let t = HolidayTable::builtin();
        let sz = SessionCalendar::for_exchange(
            &builtin_exchange("XSHE").unwrap(),
            &t,
            &[d(2025, 1, 27), d(2025, 2, 5)],
        );
        assert_eq!(sz.dates(), &[d(2025, 1, 27), d(2025, 2, 5)]);
        assert_eq!(sz.label(), "XSHE");
        let nq = SessionCalendar::for_exchange(
            &builtin_exchange("XNAS").unwrap(),
            &t,
            &[d(2024, 11, 27), d(2024, 12, 2)],
        );
        assert_eq!(
            nq.dates(),
            &[d(2024, 11, 27), d(2024, 11, 29), d(2024, 12, 2)]
        );
        assert_eq!(nq.close_time(1), NaiveTime::from_hms_opt(13, 0, 0));
    }

    #[test]
    fn data_calendar_basics() {
        let cal = SessionCalendar::from_data_dates(&[d(2024, 1, 5), d(2024, 1, 2)]);
        assert!(cal.is_data_calendar());
        assert_eq!(cal.close_instant(0), None);
        assert_eq!(cal.close_time(1), NaiveTime::from_hms_opt(16, 0, 0));
        assert_eq!(
            cal.sessions_strictly_between(d(2024, 1, 1), d(2024, 1, 6)),
            2
        );
        assert_eq!(
            cal.sessions_strictly_between(d(2024, 1, 2), d(2024, 1, 5)),
            0
        );
        assert_eq!(
            cal.sessions_strictly_between(d(2024, 1, 5), d(2024, 1, 2)),
            0
        );
    }
}
