//! Event instants (methodology §2.3) and the day-0 rule (§2.4).

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike,
    Utc,
};
use chrono_tz::Tz;

use super::session::SessionCalendar;
use crate::tables::{Day0Row, ExclusionRow, Label, Stage};

/// The time keywords of an event's `time` field and the local times they stand for
/// (methodology §2.3).
pub const TIME_KEYWORDS: [(&str, u32); 5] = [
    ("before_open", 8),
    ("intraday", 12),
    ("after_close", 18),
    ("evening", 20),
    ("weekend", 12),
];

/// Reads an event's `time` field (methodology §2.3).
///
/// `HH:MM` (24 h; `H:MM` also accepted) is used as given; the keywords `before_open` 08:00,
/// `intraday` 12:00, `after_close` 18:00, `evening` 20:00, `weekend` 12:00 (matched
/// case-insensitively); `None`, empty or blank → `default`.
///
/// # Errors
/// Anything else: the message to put in a `bad_event_time` exclusion.
///
/// # Examples
/// ```
/// use chrono::NaiveTime;
/// use evstudy::calendar::parse_event_time;
/// let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();
/// assert_eq!(parse_event_time(Some("after_close"), noon), Ok(NaiveTime::from_hms_opt(18, 0, 0).unwrap()));
/// assert_eq!(parse_event_time(Some("17:27"), noon), Ok(NaiveTime::from_hms_opt(17, 27, 0).unwrap()));
/// assert_eq!(parse_event_time(None, noon), Ok(noon));
/// assert!(parse_event_time(Some("5pm"), noon).is_err());
/// ```
pub fn parse_event_time(time: Option<&str>, default: NaiveTime) -> Result<NaiveTime, String> {
    let t = time.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return Ok(default);
    }
    if let Some(&(_, h)) = TIME_KEYWORDS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(t))
    {
        return Ok(NaiveTime::MIN + Duration::hours(i64::from(h)));
    }
    super::holidays::parse_hhmm(t).ok_or_else(|| {
        format!("event time '{t}' is neither HH:MM nor one of before_open, intraday, after_close, evening, weekend")
    })
}

/// Parses an IANA time-zone name (e.g. `America/New_York`).
///
/// # Errors
/// The message to put in a `bad_event_time` exclusion.
pub fn parse_time_zone(name: &str) -> Result<Tz, String> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| format!("unknown time zone '{}'", name.trim()))
}

/// Converts a local wall-clock time in `tz` to UTC with the IANA rules (methodology §2.3).
///
/// A local time skipped by a DST change (spring forward) is moved forward by the size of the
/// gap, i.e. read with the offset in force just before the gap; an ambiguous one (fall back)
/// takes the earlier instant.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::calendar::local_to_utc;
/// let ny = chrono_tz::America::New_York;
/// // 2024-03-10 02:30 does not exist in New York: it becomes 03:30 EDT = 07:30 UTC.
/// let gap = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap().and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(local_to_utc(ny, gap).format("%H:%M").to_string(), "07:30");
/// // 2024-11-03 01:30 happens twice: the earlier one is 01:30 EDT = 05:30 UTC.
/// let amb = NaiveDate::from_ymd_opt(2024, 11, 3).unwrap().and_hms_opt(1, 30, 0).unwrap();
/// assert_eq!(local_to_utc(ny, amb).format("%H:%M").to_string(), "05:30");
/// ```
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(dt) => dt.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, b) => a.with_timezone(&Utc).min(b.with_timezone(&Utc)),
        chrono::LocalResult::None => {
            // In a gap: use the offset in force just before it (the last valid local minute).
            for minutes in 1..=(48 * 60) {
                let earlier = local - Duration::minutes(minutes);
                let offset_secs = match tz.from_local_datetime(&earlier) {
                    chrono::LocalResult::Single(dt) => dt.offset().fix().local_minus_utc(),
                    chrono::LocalResult::Ambiguous(_, later) => {
                        later.offset().fix().local_minus_utc()
                    }
                    chrono::LocalResult::None => continue,
                };
                return Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset_secs))));
            }
            // Unreachable for real zones; read the time with the offset at that UTC time.
            let off = tz.offset_from_utc_datetime(&local).fix().local_minus_utc();
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(off))))
        }
    }
}

/// Formats a UTC instant as in the day-0 table: `YYYY-MM-DDTHH:MMZ`.
///
/// # Examples
/// ```
/// use chrono::{TimeZone, Utc};
/// let t = Utc.with_ymd_and_hms(2022, 10, 7, 16, 0, 59).unwrap();
/// assert_eq!(evstudy::calendar::format_utc(t), "2022-10-07T16:00Z");
/// ```
pub fn format_utc(instant: DateTime<Utc>) -> String {
    minute_text(instant.naive_utc(), 'T', "Z")
}

/// `t` as `YYYY-MM-DD{sep}HH:MM{suffix}`, the text chrono's `%Y-%m-%d{sep}%H:%M{suffix}`
/// gives, written digit by digit (chrono's own formatting for years outside 0–9999).
fn minute_text(t: NaiveDateTime, sep: char, suffix: &str) -> String {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        let pattern = format!("%Y-%m-%d{sep}%H:%M{suffix}");
        return t.format(&pattern).to_string();
    }
    let mut out = String::with_capacity(16 + suffix.len());
    let two = |out: &mut String, v: u32| {
        out.push(char::from(b'0' + (v / 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
    };
    two(&mut out, year as u32 / 100);
    two(&mut out, year as u32 % 100);
    out.push('-');
    two(&mut out, t.month());
    out.push('-');
    two(&mut out, t.day());
    out.push(sep);
    two(&mut out, t.hour());
    out.push(':');
    two(&mut out, t.minute());
    out.push_str(suffix);
    out
}

/// Why an event got no day 0 (exclusion stage `day0`, methodology §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day0Reason {
    /// The time field or the time zone cannot be read (§2.3).
    BadEventTime,
    /// No session of the calendar closes at or after the event instant (§2.4).
    NoSession,
    /// Day 0 would lie more than `max_shift_days` calendar days after the event date (§2.4).
    MaxShiftExceeded,
}

impl From<Day0Reason> for crate::vocab::ExclusionReason {
    fn from(reason: Day0Reason) -> Self {
        match reason {
            Day0Reason::BadEventTime => crate::vocab::ExclusionReason::BadEventTime,
            Day0Reason::NoSession => crate::vocab::ExclusionReason::NoSession,
            Day0Reason::MaxShiftExceeded => crate::vocab::ExclusionReason::MaxShiftExceeded,
        }
    }
}

impl Day0Reason {
    /// The name written to the `reason` / `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Day0Reason::BadEventTime => "bad_event_time",
            Day0Reason::NoSession => "no_session",
            Day0Reason::MaxShiftExceeded => "max_shift_exceeded",
        }
    }
}

/// A day 0 found on a calendar (also the *candidate* day 0 of a `max_shift_exceeded` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day0 {
    /// Index of day 0 in the calendar ([`SessionCalendar::date`]).
    pub index: usize,
    /// Date of day 0.
    pub date: NaiveDate,
    /// Local close time of the day-0 session (early closes included).
    pub close_local: NaiveTime,
    /// `date − event local date` in calendar days (may be −1, methodology §2.4).
    pub shift_days: i64,
    /// Shift in sessions: the number of sessions of the calendar whose date lies strictly
    /// after the event's local date and strictly before day 0,
    /// `#{ s ∈ calendar : event_date < s < day0 }`.
    ///
    /// 0 when day 0 is the event date, the first session after the event date, or before it
    /// (shift −1). It is positive only when the event instant falls after the close of
    /// sessions dated later than the event's local date — e.g. 23:00 Monday in Honolulu is
    /// 17:00 Tuesday in Shanghai, after Tuesday's 15:00 close, so day 0 is Wednesday and
    /// shift_sessions = 1. Always 0 on a data calendar (wall-clock comparison).
    pub shift_sessions: i64,
}

/// An event left without a day 0 (exclusion stage `day0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day0Exclusion {
    /// The reason.
    pub reason: Day0Reason,
    /// Human-readable detail for the `exclusions.detail` column.
    pub detail: String,
    /// For `max_shift_exceeded`: the day 0 that was rejected.
    pub candidate: Option<Day0>,
}

/// Result of mapping one event onto one calendar (methodology §2.3–2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day0Outcome {
    /// The event instant in UTC, when it is defined (not for a bad time/zone, nor for a
    /// zone-less event on a data calendar).
    pub instant: Option<DateTime<Utc>>,
    /// [`Day0Outcome::instant`] as `YYYY-MM-DDTHH:MMZ`, or empty.
    pub event_instant_utc: String,
    /// The event instant as `YYYY-MM-DD HH:MM` in the calendar's local time (for a data
    /// calendar: the event's own wall clock); empty for a bad time/zone.
    pub event_instant_local: String,
    /// Day 0, or why there is none.
    pub result: Result<Day0, Day0Exclusion>,
}

impl Day0Outcome {
    /// Day 0 when the event is kept.
    pub fn day0(&self) -> Option<&Day0> {
        self.result.as_ref().ok()
    }

    /// `ok` or the exclusion reason (the `status` column of the day-0 table).
    pub fn status(&self) -> &'static str {
        match &self.result {
            Ok(_) => "ok",
            Err(e) => e.reason.as_str(),
        }
    }

    /// The day-0 table row of this outcome for (event_id, security) on `exchange` (the
    /// calendar label), the labels shared with the caller's other rows. Excluded events have
    /// no day 0, shift or session shift; the status of a mapped event is `ok`.
    pub fn to_row(
        &self,
        event_id: &Label,
        security: &Label,
        exchange: &Label,
        ok: &Label,
    ) -> Day0Row {
        let d = self.day0();
        Day0Row {
            event_id: event_id.clone(),
            security: security.clone(),
            exchange: exchange.clone(),
            event_instant_utc: self.event_instant_utc.clone(),
            event_instant_local: self.event_instant_local.clone(),
            day0: d.map(|d| d.date),
            shift_days: d.map(|d| d.shift_days),
            shift_sessions: d.map(|d| d.shift_sessions),
            status: match &self.result {
                Ok(_) => ok.clone(),
                Err(e) => Label::from(e.reason.as_str()),
            },
        }
    }

    /// The `exclusions` row (stage `day0`) when the event is excluded.
    pub fn to_exclusion(&self, event_id: &str, security: &str) -> Option<ExclusionRow> {
        let e = self.result.as_ref().err()?;
        Some(e.to_row(event_id, security))
    }
}

impl Day0Exclusion {
    /// The `exclusions` row (stage `day0`) of (event_id, security).
    pub fn to_row(&self, event_id: &str, security: &str) -> ExclusionRow {
        ExclusionRow {
            event_id: event_id.to_string(),
            security: security.to_string(),
            stage: Stage::Day0,
            reason: self.reason.into(),
            detail: self.detail.clone(),
            order: 0,
        }
    }
}

/// Maps an event to its day 0 on `cal` (methodology §2.3–2.4).
///
/// Inputs: the event's local `date`, its `time` field (see [`parse_event_time`]), its IANA
/// zone `tz` (empty/`None` → `exchange_tz`, then the calendar's own zone), the fallback zone
/// `exchange_tz` (the security's exchange zone), `default_event_time` for date-only events
/// and `max_shift_days`.
///
/// * **Exchange calendar**: the event instant is the local (date, time) in the event's zone
///   converted to UTC ([`local_to_utc`]: DST gaps move forward, ambiguous times take the
///   earlier instant); day 0 is the first session whose close instant is at or after it.
/// * **Data calendar**: no conversion; day 0 is the first session whose (date, 16:00) is at or
///   after the event's wall-clock (date, time). A zone, if given, is still validated and used
///   for the UTC column.
///
/// `shift_days` = day 0 − event date; `shift_days > max_shift_days` → `max_shift_exceeded`
/// (the candidate is kept in [`Day0Exclusion::candidate`]). No session at or after the
/// instant (also: an empty calendar, or an event past the last session — e.g. a date beyond
/// the holiday table with no price data) → `no_session`. An unreadable time or zone →
/// `bad_event_time`.
///
/// # Examples
/// ```
/// use chrono::{NaiveDate, NaiveTime};
/// use evstudy::calendar::{builtin_exchange, map_day0, HolidayTable, SessionCalendar};
/// let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
/// let x = builtin_exchange("XSHG").unwrap();
/// let cal = SessionCalendar::for_exchange(&x, &HolidayTable::builtin(), &[d(2022, 9, 1), d(2022, 12, 30)]);
/// // BIS rules, Friday 2022-10-07 (date only, New York): 12:00 NY = 00:00 Saturday in Shanghai,
/// // and Shanghai was closed for Golden Week: day 0 is Monday 2022-10-10.
/// let out = map_day0(&cal, d(2022, 10, 7), None, Some("America/New_York"), Some(x.tz),
///                    NaiveTime::from_hms_opt(12, 0, 0).unwrap(), 7);
/// assert_eq!(out.event_instant_utc, "2022-10-07T16:00Z");
/// assert_eq!(out.event_instant_local, "2022-10-08 00:00");
/// let day0 = out.day0().unwrap();
/// assert_eq!((day0.date, day0.shift_days, day0.shift_sessions), (d(2022, 10, 10), 3, 0));
/// ```
pub fn map_day0(
    cal: &SessionCalendar,
    date: NaiveDate,
    time: Option<&str>,
    tz: Option<&str>,
    exchange_tz: Option<Tz>,
    default_event_time: NaiveTime,
    max_shift_days: i64,
) -> Day0Outcome {
    let event = (date, time, tz);
    let found = locate_day0(cal, event, exchange_tz, default_event_time, max_shift_days);
    Day0Outcome {
        instant: found.instant,
        event_instant_utc: found.instant.map(format_utc).unwrap_or_default(),
        event_instant_local: found
            .shown_local
            .map(|t| minute_text(t, ' ', ""))
            .unwrap_or_default(),
        result: found.result,
    }
}

/// What [`map_day0`] finds before it writes the instants as text.
pub(crate) struct Day0Found {
    /// The event instant in UTC, when it is defined.
    pub instant: Option<DateTime<Utc>>,
    /// The event instant as the day-0 table shows it in local time (the calendar's zone, or
    /// the event's own wall clock on a data calendar); `None` for a bad time or zone.
    pub shown_local: Option<NaiveDateTime>,
    /// Day 0, or why there is none.
    pub result: Result<Day0, Day0Exclusion>,
}

/// Day 0 of the event (`date`, `time`, `tz`) on `cal` as [`map_day0`] finds it, with the
/// instants as values (no text made).
pub(crate) fn locate_day0(
    cal: &SessionCalendar,
    (date, time, tz): (NaiveDate, Option<&str>, Option<&str>),
    exchange_tz: Option<Tz>,
    default_event_time: NaiveTime,
    max_shift_days: i64,
) -> Day0Found {
    let (local, event_zone) =
        match event_local_time(cal, date, time, tz, exchange_tz, default_event_time) {
            Ok(found) => found,
            Err(detail) => {
                return Day0Found {
                    instant: None,
                    shown_local: None,
                    result: Err(Day0Exclusion {
                        reason: Day0Reason::BadEventTime,
                        detail,
                        candidate: None,
                    }),
                }
            }
        };
    let instant = event_zone.map(|z| local_to_utc(z, local));
    let (first, shown_local) = first_session_closing_after(cal, local, instant);
    Day0Found {
        instant,
        shown_local: Some(shown_local),
        result: first
            .and_then(|index| day0_at(cal, index, date, max_shift_days))
            .unwrap_or_else(|| {
                Err(Day0Exclusion {
                    reason: Day0Reason::NoSession,
                    detail: "no session of the calendar closes at or after the event instant"
                        .to_string(),
                    candidate: None,
                })
            }),
    }
}

/// The event's local date and time, and its zone: `tz` when given, else the exchange's zone,
/// else the calendar's (`None` for a data calendar). The error is the `bad_event_time`
/// detail.
fn event_local_time(
    cal: &SessionCalendar,
    date: NaiveDate,
    time: Option<&str>,
    tz: Option<&str>,
    exchange_tz: Option<Tz>,
    default_event_time: NaiveTime,
) -> std::result::Result<(NaiveDateTime, Option<Tz>), String> {
    let local_time = parse_event_time(time, default_event_time)?;
    let event_zone = match tz.map(str::trim).filter(|s| !s.is_empty()) {
        Some(name) => Some(parse_time_zone(name)?),
        None => exchange_tz.or(cal.tz()),
    };
    Ok((date.and_time(local_time), event_zone))
}

/// The first session that closes at or after the event, and the event instant in the
/// calendar's local time (the event's wall clock on a data calendar).
fn first_session_closing_after(
    cal: &SessionCalendar,
    local: NaiveDateTime,
    instant: Option<DateTime<Utc>>,
) -> (Option<usize>, NaiveDateTime) {
    match cal.tz() {
        Some(cal_tz) => {
            // Exchange calendar: compare instants. event_zone is Some here (falls back to cal_tz).
            let inst = instant.unwrap_or_else(|| local_to_utc(cal_tz, local));
            let first =
                first_session_at_or_after(cal, |i| cal.close_instant(i).is_some_and(|c| c >= inst));
            (first, inst.with_timezone(&cal_tz).naive_local())
        }
        None => {
            // Data calendar: wall-clock comparison of (date, time) pairs, no conversion.
            let first =
                first_session_at_or_after(cal, |i| match (cal.date(i), cal.close_time(i)) {
                    (Some(d), Some(c)) => d.and_time(c) >= local,
                    _ => false,
                });
            (first, local)
        }
    }
}

/// Day 0 at session `index` for an event dated `date`: an exclusion when it lies more than
/// `max_shift_days` calendar days after the event date; `None` when the calendar has no date
/// or close for the session.
fn day0_at(
    cal: &SessionCalendar,
    index: usize,
    date: NaiveDate,
    max_shift_days: i64,
) -> Option<std::result::Result<Day0, Day0Exclusion>> {
    let (Some(day0_date), Some(close_local)) = (cal.date(index), cal.close_time(index)) else {
        return None;
    };
    let shift_days = (day0_date - date).num_days();
    let shift_sessions =
        i64::try_from(cal.sessions_strictly_between(date, day0_date)).unwrap_or(i64::MAX);
    let day0 = Day0 {
        index,
        date: day0_date,
        close_local,
        shift_days,
        shift_sessions,
    };
    Some(if shift_days > max_shift_days {
        Err(Day0Exclusion {
            reason: Day0Reason::MaxShiftExceeded,
            detail: format!(
                "candidate day 0 {day0_date} on {} is {shift_days} calendar days after the event date {date} (max_shift_days = {max_shift_days})",
                cal.label()
            ),
            candidate: Some(day0),
        })
    } else {
        Ok(day0)
    })
}

/// Index of the first session for which `closes_at_or_after` holds; the predicate must be
/// monotone over the (ascending) sessions.
fn first_session_at_or_after(
    cal: &SessionCalendar,
    closes_at_or_after: impl Fn(usize) -> bool,
) -> Option<usize> {
    let (mut lo, mut hi) = (0usize, cal.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if closes_at_or_after(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    (lo < cal.len()).then_some(lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::session::utc;
    use crate::calendar::{builtin_exchange, HolidayTable};
    use crate::data::split_csv_records;
    use std::collections::HashMap;

    /// The day-0 table's instants, written digit by digit, are chrono's `%Y-%m-%d %H:%M`
    /// text: over years 0–9999, every month and day, every hour and minute; chrono's own
    /// text beyond.
    #[test]
    fn minute_text_is_chronos_format() {
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let base = NaiveDate::from_ymd_opt(0, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let span = NaiveDate::from_ymd_opt(9999, 12, 31)
            .unwrap()
            .and_hms_opt(23, 59, 0)
            .unwrap();
        let minutes = (span - base).num_minutes() as u64;
        let mut cases: Vec<NaiveDateTime> = (0..20_000)
            .map(|_| base + Duration::minutes(next(minutes + 1) as i64))
            .collect();
        cases.extend([
            base,
            span,
            span + Duration::minutes(1),
            base - Duration::minutes(1),
        ]);
        for t in cases {
            assert_eq!(
                minute_text(t, ' ', ""),
                t.format("%Y-%m-%d %H:%M").to_string()
            );
            let utc = Utc.from_utc_datetime(&t);
            assert_eq!(format_utc(utc), utc.format("%Y-%m-%dT%H:%MZ").to_string());
        }
        assert_eq!(
            minute_text(span + Duration::minutes(1), ' ', ""),
            "+10000-01-01 00:00"
        );
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn noon() -> NaiveTime {
        crate::design::defaults::DEFAULT_EVENT_TIME
    }
    fn golden_cal(code: &str, table: &HolidayTable) -> SessionCalendar {
        SessionCalendar::for_exchange_range(
            &builtin_exchange(code).unwrap(),
            table,
            d(2022, 1, 1),
            d(2026, 12, 31),
        )
    }

    /// Every row of shared/golden/spec/d_day0/expected_day0.csv.
    #[test]
    fn golden_d_day0_every_row() {
        let Some(dir) = crate::shared_data::shared_dir() else {
            return;
        };
        let table =
            HolidayTable::from_csv(&dir.join("datasets-raw/exchange_holidays_2021_2026.csv"))
                .unwrap();
        let case = dir.join("golden/spec/d_day0");
        let ev_text = std::fs::read_to_string(case.join("events.csv")).unwrap();
        let ev = split_csv_records(&ev_text, "events.csv").unwrap();
        assert_eq!(ev[0].fields, vec!["event_id", "date", "time", "tz", "note"]);
        let events: HashMap<String, Vec<String>> = ev[1..]
            .iter()
            .map(|r| (r.fields[0].clone(), r.fields.clone()))
            .collect();
        assert_eq!(events.len(), 18);
        // Also via the calendars built the other way (data_dates = span endpoints, all in
        // covered years so no fallback) — the two constructions must agree.
        let mut cals = HashMap::new();
        for code in ["XNYS", "XSHG", "XHKG"] {
            let a = golden_cal(code, &table);
            let b = SessionCalendar::for_exchange(
                &builtin_exchange(code).unwrap(),
                &table,
                &[d(2022, 1, 1), d(2026, 12, 31)],
            );
            assert_eq!(a, b);
            cals.insert(code, a);
        }
        let exp_text = std::fs::read_to_string(case.join("expected_day0.csv")).unwrap();
        let exp = split_csv_records(&exp_text, "expected_day0.csv").unwrap();
        assert_eq!(
            exp[0].fields,
            vec![
                "event_id",
                "exchange",
                "event_instant_utc",
                "day0",
                "day0_close_local",
                "shift_days",
                "status"
            ]
        );
        let mut checked = 0;
        for row in &exp[1..] {
            let f = &row.fields;
            let e = &events[&f[0]];
            let cal = &cals[f[1].as_str()];
            let opt = |s: &String| if s.is_empty() { None } else { Some(s.clone()) };
            let (time, tz) = (opt(&e[2]), opt(&e[3]));
            let out = map_day0(
                cal,
                crate::calendar::holidays::parse_iso_date(&e[1]).unwrap(),
                time.as_deref(),
                tz.as_deref(),
                cal.tz(),
                noon(),
                7,
            );
            let ctx = format!("{} {}", f[0], f[1]);
            assert_eq!(out.status(), f[6], "{ctx}");
            assert_eq!(out.event_instant_utc, f[2], "{ctx}");
            let shown = match &out.result {
                Ok(day0) => Some(*day0),
                Err(ex) => ex.candidate,
            };
            match shown {
                Some(day0) => {
                    assert_eq!(day0.date.to_string(), f[3], "{ctx}");
                    assert_eq!(day0.close_local.format("%H:%M").to_string(), f[4], "{ctx}");
                    assert_eq!(day0.shift_days.to_string(), f[5], "{ctx}");
                    assert_eq!(cal.date(day0.index), Some(day0.date));
                }
                None => assert!(
                    f[3].is_empty() && f[4].is_empty() && f[5].is_empty(),
                    "{ctx}"
                ),
            }
            checked += 1;
        }
        assert_eq!(checked, 54);
    }

    fn nyse_2024() -> SessionCalendar {
        SessionCalendar::for_exchange(
            &builtin_exchange("XNYS").unwrap(),
            &HolidayTable::builtin(),
            &[d(2024, 1, 2), d(2024, 12, 31)],
        )
    }
    fn shanghai_2024() -> SessionCalendar {
        SessionCalendar::for_exchange(
            &builtin_exchange("XSHG").unwrap(),
            &HolidayTable::builtin(),
            &[d(2024, 1, 2), d(2024, 12, 31)],
        )
    }

    #[test]
    fn dst_spring_forward_gap_new_york_2024() {
        // Sunday 2024-03-10 02:30 does not exist in New York: read as 03:30 EDT = 07:30 UTC.
        let ny = chrono_tz::America::New_York;
        let out = map_day0(
            &nyse_2024(),
            d(2024, 3, 10),
            Some("02:30"),
            Some("America/New_York"),
            Some(ny),
            noon(),
            7,
        );
        assert_eq!(out.event_instant_utc, "2024-03-10T07:30Z");
        assert_eq!(out.event_instant_local, "2024-03-10 03:30");
        let day0 = out.day0().unwrap();
        assert_eq!(
            (day0.date, day0.shift_days, day0.shift_sessions),
            (d(2024, 3, 11), 1, 0)
        );
        // Same wall clock one week earlier (EST, UTC−5) is 07:30 UTC as well; one week later (EDT) 06:30.
        assert_eq!(
            local_to_utc(ny, d(2024, 3, 3).and_hms_opt(2, 30, 0).unwrap()),
            utc(chrono_tz::UTC, 2024, 3, 3, 7, 30)
        );
        assert_eq!(
            local_to_utc(ny, d(2024, 3, 17).and_hms_opt(2, 30, 0).unwrap()),
            utc(chrono_tz::UTC, 2024, 3, 17, 6, 30)
        );
        // After the change the XNYS close (16:00 EDT) is 20:00 UTC, before it 21:00 UTC.
        let cal = nyse_2024();
        assert_eq!(
            format_utc(
                cal.close_instant(cal.position(d(2024, 3, 8)).unwrap())
                    .unwrap()
            ),
            "2024-03-08T21:00Z"
        );
        assert_eq!(
            format_utc(
                cal.close_instant(cal.position(d(2024, 3, 11)).unwrap())
                    .unwrap()
            ),
            "2024-03-11T20:00Z"
        );
        // Shanghai sees the New York DST change: 03:00 NY on 03-08 (EST) = 16:00 Shanghai (after
        // the 15:00 close → next session, Monday 03-11); on 03-11 (EDT) = 15:00 Shanghai = at the close.
        let sh = shanghai_2024();
        let fri = map_day0(
            &sh,
            d(2024, 3, 8),
            Some("03:00"),
            Some("America/New_York"),
            None,
            noon(),
            7,
        );
        assert_eq!(fri.day0().unwrap().date, d(2024, 3, 11));
        assert_eq!(fri.day0().unwrap().shift_sessions, 0);
        let mon = map_day0(
            &sh,
            d(2024, 3, 11),
            Some("03:00"),
            Some("America/New_York"),
            None,
            noon(),
            7,
        );
        assert_eq!(mon.day0().unwrap().date, d(2024, 3, 11));
        assert_eq!(mon.event_instant_local, "2024-03-11 15:00");
    }

    #[test]
    fn dst_fall_back_ambiguous_new_york_2024() {
        // Sunday 2024-11-03 01:30 happens twice; the earlier is EDT (UTC−4) = 05:30 UTC.
        let out = map_day0(
            &nyse_2024(),
            d(2024, 11, 3),
            Some("01:30"),
            Some("America/New_York"),
            None,
            noon(),
            7,
        );
        assert_eq!(out.event_instant_utc, "2024-11-03T05:30Z");
        assert_eq!(out.day0().unwrap().date, d(2024, 11, 4));
        // In Shanghai 05:30 UTC = 13:30 on Sunday: next session Monday 11-04.
        let sh = map_day0(
            &shanghai_2024(),
            d(2024, 11, 3),
            Some("01:30"),
            Some("America/New_York"),
            None,
            noon(),
            7,
        );
        assert_eq!(sh.event_instant_local, "2024-11-03 13:30");
        assert_eq!(sh.day0().unwrap().date, d(2024, 11, 4));
        // Close instants: Friday 11-01 16:00 EDT = 20:00 UTC; Monday 11-04 16:00 EST = 21:00 UTC.
        let cal = nyse_2024();
        assert_eq!(
            format_utc(
                cal.close_instant(cal.position(d(2024, 11, 1)).unwrap())
                    .unwrap()
            ),
            "2024-11-01T20:00Z"
        );
        assert_eq!(
            format_utc(
                cal.close_instant(cal.position(d(2024, 11, 4)).unwrap())
                    .unwrap()
            ),
            "2024-11-04T21:00Z"
        );
    }

    #[test]
    fn event_exactly_at_the_close_belongs_to_that_session() {
        let cal = nyse_2024();
        let at = map_day0(&cal, d(2024, 6, 26), Some("16:00"), None, None, noon(), 7);
        assert_eq!(at.day0().unwrap().date, d(2024, 6, 26));
        assert_eq!(at.day0().unwrap().shift_days, 0);
        let after = map_day0(&cal, d(2024, 6, 26), Some("16:01"), None, None, noon(), 7);
        assert_eq!(after.day0().unwrap().date, d(2024, 6, 27));
        // Early close 13:00 on 2024-07-03: 13:00 maps to 07-03, 13:01 to 07-05 (07-04 closed).
        let early = map_day0(&cal, d(2024, 7, 3), Some("13:00"), None, None, noon(), 7);
        assert_eq!(early.day0().unwrap().date, d(2024, 7, 3));
        let late = map_day0(&cal, d(2024, 7, 3), Some("13:01"), None, None, noon(), 7);
        let day0 = late.day0().unwrap();
        assert_eq!(
            (day0.date, day0.shift_days, day0.shift_sessions),
            (d(2024, 7, 5), 2, 0)
        );
    }

    #[test]
    fn weekend_event_maps_to_monday() {
        let cal = nyse_2024();
        let out = map_day0(
            &cal,
            d(2024, 7, 6),
            Some("weekend"),
            Some("America/New_York"),
            None,
            noon(),
            7,
        );
        assert_eq!(out.event_instant_utc, "2024-07-06T16:00Z");
        let day0 = out.day0().unwrap();
        assert_eq!(
            (day0.date, day0.shift_days, day0.shift_sessions),
            (d(2024, 7, 8), 2, 0)
        );
        assert_eq!(cal.position(d(2024, 7, 8)), Some(day0.index));
    }

    #[test]
    fn hk_typhoon_closure_2023_09_01() {
        let hk = builtin_exchange("XHKG").unwrap();
        let cal = SessionCalendar::for_exchange(
            &hk,
            &HolidayTable::builtin(),
            &[d(2023, 8, 1), d(2023, 9, 29)],
        );
        let out = map_day0(&cal, d(2023, 9, 1), None, None, Some(hk.tz), noon(), 7);
        let day0 = out.day0().unwrap();
        // Friday closed by typhoon: Monday 09-04, 3 calendar days.
        assert_eq!((day0.date, day0.shift_days), (d(2023, 9, 4), 3));
        // Evening of Thursday 08-31: first session after is again Monday 09-04, passing no session.
        let ev = map_day0(
            &cal,
            d(2023, 8, 31),
            Some("evening"),
            None,
            Some(hk.tz),
            noon(),
            7,
        );
        assert_eq!(ev.day0().unwrap().date, d(2023, 9, 4));
        assert_eq!(ev.day0().unwrap().shift_sessions, 0);
    }

    #[test]
    fn lunar_new_year_shanghai_2025() {
        let sh = builtin_exchange("XSHG").unwrap();
        let cal = SessionCalendar::for_exchange(
            &sh,
            &HolidayTable::builtin(),
            &[d(2025, 1, 2), d(2025, 3, 31)],
        );
        // Date-only event on Tuesday 01-28 (first closed day): 8 days to 02-05 → excluded.
        let out = map_day0(
            &cal,
            d(2025, 1, 28),
            None,
            Some("Asia/Shanghai"),
            None,
            noon(),
            7,
        );
        assert_eq!(out.status(), "max_shift_exceeded");
        let e = out.result.as_ref().unwrap_err();
        let cand = e.candidate.unwrap();
        assert_eq!((cand.date, cand.shift_days), (d(2025, 2, 5), 8));
        assert!(
            e.detail.contains("2025-02-05") && e.detail.contains("8 calendar days"),
            "{}",
            e.detail
        );
        // With max_shift_days = 8 it is kept.
        let kept = map_day0(
            &cal,
            d(2025, 1, 28),
            None,
            Some("Asia/Shanghai"),
            None,
            noon(),
            8,
        );
        assert_eq!(kept.day0().unwrap().date, d(2025, 2, 5));
        // Exclusion row.
        let x = out.to_exclusion("E", "688256.SS").unwrap();
        assert_eq!(
            (x.stage, x.reason.as_str()),
            (Stage::Day0, "max_shift_exceeded")
        );
        assert!(kept.to_exclusion("E", "S").is_none());
        let row = out.to_row(
            &"E".into(),
            &"688256.SS".into(),
            &"XSHG".into(),
            &"ok".into(),
        );
        assert_eq!(
            (row.day0, row.status.as_str()),
            (None, "max_shift_exceeded")
        );
    }

    #[test]
    fn shift_sessions_counts_sessions_strictly_between() {
        // An event in New York on Friday 2024-03-08 at 20:00 (= Saturday 09:00 Shanghai) on a
        // calendar that trades Saturdays (data fallback) … use a data calendar instead:
        let cal = SessionCalendar::from_data_dates(&[
            d(2024, 3, 4),
            d(2024, 3, 5),
            d(2024, 3, 6),
            d(2024, 3, 8),
        ]);
        // Wall clock: event 03-04 at 12:00 → day 0 03-04.
        let a = map_day0(&cal, d(2024, 3, 4), None, None, None, noon(), 7);
        assert_eq!(a.day0().unwrap().shift_sessions, 0);
        assert_eq!(a.event_instant_utc, ""); // no zone, data calendar: no UTC instant
        assert_eq!(a.event_instant_local, "2024-03-04 12:00");
        // Event 03-06 after_close → 03-08; 03-07 is not a session: 0 sessions between.
        let b = map_day0(
            &cal,
            d(2024, 3, 6),
            Some("after_close"),
            None,
            None,
            noon(),
            7,
        );
        assert_eq!(
            (b.day0().unwrap().date, b.day0().unwrap().shift_sessions),
            (d(2024, 3, 8), 0)
        );
        // Sessions strictly between, counted directly on the calendar.
        assert_eq!(
            cal.sessions_strictly_between(d(2024, 3, 3), d(2024, 3, 8)),
            3
        );
        // The previous-date case (shift −1) has 0 sessions between.
        let x03 = map_day0(
            &nyse_2024(),
            d(2024, 3, 5),
            Some("03:00"),
            Some("Asia/Shanghai"),
            None,
            noon(),
            7,
        );
        let day0 = x03.day0().unwrap();
        assert_eq!(
            (day0.date, day0.shift_days, day0.shift_sessions),
            (d(2024, 3, 4), -1, 0)
        );
    }

    #[test]
    fn shift_sessions_positive_when_a_later_dated_session_already_closed() {
        // Monday 2024-03-04 23:00 in Honolulu (UTC−10) = Tuesday 09:00 UTC = 17:00 Shanghai,
        // after Tuesday's 15:00 close: day 0 is Wednesday 03-06, passing the 03-05 session.
        let out = map_day0(
            &shanghai_2024(),
            d(2024, 3, 4),
            Some("23:00"),
            Some("Pacific/Honolulu"),
            None,
            noon(),
            7,
        );
        assert_eq!(out.event_instant_utc, "2024-03-05T09:00Z");
        assert_eq!(out.event_instant_local, "2024-03-05 17:00");
        let day0 = out.day0().unwrap();
        assert_eq!(
            (day0.date, day0.shift_days, day0.shift_sessions),
            (d(2024, 3, 6), 2, 1)
        );
        let row = out.to_row(
            &"H".into(),
            &"688256.SS".into(),
            &"XSHG".into(),
            &"ok".into(),
        );
        assert_eq!(row.shift_sessions, Some(1));
    }

    #[test]
    fn data_calendar_is_wall_clock_in_the_event_zone() {
        let cal = SessionCalendar::from_data_dates(&[d(2024, 7, 5), d(2024, 7, 8), d(2024, 7, 9)]);
        // Saturday → Monday.
        let sat = map_day0(&cal, d(2024, 7, 6), None, None, None, noon(), 7);
        assert_eq!(sat.day0().unwrap().date, d(2024, 7, 8));
        // before_open on a session → that session; after_close → next.
        assert_eq!(
            map_day0(
                &cal,
                d(2024, 7, 8),
                Some("before_open"),
                None,
                None,
                noon(),
                7
            )
            .day0()
            .unwrap()
            .date,
            d(2024, 7, 8)
        );
        assert_eq!(
            map_day0(
                &cal,
                d(2024, 7, 8),
                Some("after_close"),
                None,
                None,
                noon(),
                7
            )
            .day0()
            .unwrap()
            .date,
            d(2024, 7, 9)
        );
        // 16:00 exactly belongs to the session; a zone is not converted (Tokyo 15:00 stays 15:00).
        assert_eq!(
            map_day0(
                &cal,
                d(2024, 7, 5),
                Some("16:00"),
                Some("Asia/Tokyo"),
                None,
                noon(),
                7
            )
            .day0()
            .unwrap()
            .date,
            d(2024, 7, 5)
        );
        let tokyo = map_day0(
            &cal,
            d(2024, 7, 5),
            Some("15:00"),
            Some("Asia/Tokyo"),
            None,
            noon(),
            7,
        );
        assert_eq!(tokyo.event_instant_utc, "2024-07-05T06:00Z");
        assert_eq!(tokyo.event_instant_local, "2024-07-05 15:00");
        // Past the data → no_session.
        assert_eq!(
            map_day0(&cal, d(2024, 7, 9), Some("16:01"), None, None, noon(), 7).status(),
            "no_session"
        );
    }

    #[test]
    fn date_not_covered_and_no_data_is_no_session() {
        let x = builtin_exchange("XNYS").unwrap();
        let t = HolidayTable::builtin();
        // 2027 is not in the table and there are no 2027 price rows: the calendar ends in 2026.
        let cal = SessionCalendar::for_exchange(&x, &t, &[d(2026, 6, 1), d(2026, 12, 31)]);
        let out = map_day0(&cal, d(2027, 1, 4), None, None, Some(x.tz), noon(), 7);
        assert_eq!(out.status(), "no_session");
        assert_eq!(out.event_instant_utc, "2027-01-04T17:00Z");
        let e = out.result.unwrap_err();
        assert_eq!(
            e.detail,
            "no session of the calendar closes at or after the event instant"
        );
        assert_eq!(e.candidate, None);
        // Empty data: empty calendar, no_session as well.
        let empty = SessionCalendar::for_exchange(&x, &t, &[]);
        assert_eq!(
            map_day0(&empty, d(2024, 1, 4), None, None, Some(x.tz), noon(), 7).status(),
            "no_session"
        );
        // With 2027 price rows the data fallback gives sessions.
        let cal =
            SessionCalendar::for_exchange(&x, &t, &[d(2026, 12, 31), d(2027, 1, 4), d(2027, 1, 5)]);
        assert_eq!(
            map_day0(&cal, d(2027, 1, 4), None, None, Some(x.tz), noon(), 7)
                .day0()
                .unwrap()
                .date,
            d(2027, 1, 4)
        );
    }

    #[test]
    fn bad_time_and_zone() {
        let cal = nyse_2024();
        let out = map_day0(&cal, d(2024, 5, 6), Some("noonish"), None, None, noon(), 7);
        assert_eq!(out.status(), "bad_event_time");
        assert!(out
            .result
            .as_ref()
            .unwrap_err()
            .detail
            .contains("'noonish'"));
        assert_eq!(out.event_instant_utc, "");
        let out = map_day0(
            &cal,
            d(2024, 5, 6),
            None,
            Some("Mars/Olympus"),
            None,
            noon(),
            7,
        );
        assert_eq!(
            out.result.as_ref().unwrap_err().detail,
            "unknown time zone 'Mars/Olympus'"
        );
        assert_eq!(
            map_day0(&cal, d(2024, 5, 6), Some("25:00"), None, None, noon(), 7).status(),
            "bad_event_time"
        );
        // Keywords are case-insensitive; default time applies to empty strings.
        assert_eq!(
            parse_event_time(Some(" Evening "), noon()),
            Ok(NaiveTime::from_hms_opt(20, 0, 0).unwrap())
        );
        assert_eq!(
            parse_event_time(Some(""), NaiveTime::from_hms_opt(9, 0, 0).unwrap()),
            Ok(NaiveTime::from_hms_opt(9, 0, 0).unwrap())
        );
    }

    #[test]
    fn default_event_time_is_used_for_date_only_events() {
        let cal = nyse_2024();
        // With default 17:00 a date-only New York event lands after the close → next session.
        let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        let out = map_day0(&cal, d(2024, 6, 26), None, None, None, five, 7);
        assert_eq!(out.day0().unwrap().date, d(2024, 6, 27));
        assert_eq!(out.event_instant_utc, "2024-06-26T21:00Z");
    }
}
