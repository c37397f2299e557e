//! Exchanges, session calendars, event files and the day-0 rule (methodology §2).
//!
//! OWNER: calendar helper.
