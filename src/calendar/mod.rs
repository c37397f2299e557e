//! Exchanges, session calendars, event files and the day-0 rule (methodology §2).
//!
//! * [`ExchangeSpec`], [`builtin_exchange`], [`exchange_for_ticker`] — exchanges (§2.1).
//! * [`HolidayTable`] — closed days and early closes (`exchange,date,status,note`); the table
//!   shipped with evstudy is [`HolidayTable::builtin`].
//! * [`SessionCalendar`] — exchange calendars (holiday table, data fallback) and data
//!   calendars (§2.2).
//! * [`map_day0`] — event instant (§2.3) and day 0 with the shift rule (§2.4), giving a
//!   [`Day0Outcome`].
//! * [`read_events`], [`EventRecord`], [`expand_scope`], [`filter_verified`] — event calendars
//!   in CSV or TOML.
//!
//! # Examples
//! ```
//! use chrono::NaiveDate;
//! use evstudy::calendar::{builtin_exchange, map_day0, HolidayTable, SessionCalendar};
//! use evstudy::design::defaults::{DEFAULT_EVENT_TIME, MAX_SHIFT_DAYS};
//! let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
//! let hk = builtin_exchange("XHKG").unwrap();
//! let cal = SessionCalendar::for_exchange(&hk, &HolidayTable::builtin(), &[d(2025, 1, 2), d(2025, 3, 31)]);
//! // DeepSeek sell-off, 2025-01-27 intraday in New York (17:00 UTC): Hong Kong's next close is
//! // the 12:00 half day of 2025-01-28.
//! let out = map_day0(&cal, d(2025, 1, 27), Some("intraday"), Some("America/New_York"), Some(hk.tz),
//!                    DEFAULT_EVENT_TIME, MAX_SHIFT_DAYS);
//! let day0 = out.day0().unwrap();
//! assert_eq!((day0.date, day0.shift_days), (d(2025, 1, 28), 1));
//! assert_eq!(day0.close_local.format("%H:%M").to_string(), "12:00");
//! ```

#![warn(missing_docs)]

mod day0;
mod event_checks;
mod events;
mod exchange;
mod holidays;
mod session;

pub use crate::data::{split_csv_records, CsvRecord};
pub(crate) use day0::locate_day0;
pub use day0::{
    format_utc, local_to_utc, map_day0, parse_event_time, parse_time_zone, Day0, Day0Exclusion,
    Day0Outcome, Day0Reason, TIME_KEYWORDS,
};
pub(crate) use events::{event_header_lines, toml_event_tables};
pub use events::{
    expand_scope, filter_verified, read_events, read_events_csv_str, read_events_toml_str,
    EventRecord,
};
pub use exchange::{
    builtin_exchange, exchange_for_ticker, holiday_source, ExchangeSpec, BUILTIN_EXCHANGES,
};
pub use holidays::{HolidayStatus, HolidayTable, BUILTIN_HOLIDAYS_CSV};
pub use session::{data_calendar_close, SessionCalendar, DATA_CALENDAR_LABEL};
