//! Checks of an event file that catch silent day-0 errors: an event time or time zone that
//! cannot be read (with the value the user most likely meant) and a column whose name looks
//! like an expected one (`timezone` for `tz`, `symbol` for `ticker`), which would otherwise be
//! ignored.

use std::collections::HashMap;

use chrono::NaiveTime;

use super::events::EventRecord;

use super::day0::{parse_event_time, parse_time_zone};
use crate::data::{look_alike_column, nearest_name};
use crate::error::{Error, Result};

/// Zone names chrono-tz accepts that are fixed offsets or US rule sets rather than a place
/// (`EST` never observes daylight saving time): almost always meant as a place's zone.
const ZONE_ABBREVIATIONS: &[(&str, &str)] = &[
    ("EST", "America/New_York"),
    ("EDT", "America/New_York"),
    ("ET", "America/New_York"),
    ("EST5EDT", "America/New_York"),
    ("CST", "America/Chicago (US) or Asia/Shanghai (China)"),
    ("CDT", "America/Chicago"),
    ("CST6CDT", "America/Chicago"),
    ("MST", "America/Denver"),
    ("MDT", "America/Denver"),
    ("MST7MDT", "America/Denver"),
    ("PST", "America/Los_Angeles"),
    ("PDT", "America/Los_Angeles"),
    ("PST8PDT", "America/Los_Angeles"),
    ("HST", "Pacific/Honolulu"),
    ("HKT", "Asia/Hong_Kong"),
    ("JST", "Asia/Tokyo"),
    ("KST", "Asia/Seoul"),
    ("BST", "Europe/London"),
    ("CET", "Europe/Paris"),
    ("CEST", "Europe/Paris"),
    ("EET", "Europe/Athens"),
    ("WET", "Europe/Lisbon"),
    ("MET", "Europe/Paris"),
];

/// An event time cell (`time` column or key) that is a time written another way (`4pm`,
/// `16h`) is an error naming file, row and column, with the `HH:MM` it means. Any other value
/// that is neither `HH:MM` nor a keyword (`25:61`) is left to the day-0 mapping, which reports
/// it as a `bad_event_time` exclusion (§2.3).
pub(crate) fn check_event_time(value: &str, file: &str, row: usize, column: &str) -> Result<()> {
    match parse_event_time(Some(value), NaiveTime::MIN) {
        Ok(_) => Ok(()),
        Err(msg) => match suggest_time(value) {
            Some(t) => Err(Error::cell(
                file,
                row,
                column,
                format!("{msg}; did you mean '{t}'?"),
            )),
            None => Ok(()),
        },
    }
}

/// An event time-zone cell that is an abbreviation (`EST`) or the name of a place chrono-tz
/// knows under another spelling (`New York`) is an error with the IANA name it most likely
/// means. Other unknown names (`Mars/Olympus`) are left to the day-0 mapping, which reports
/// them as `bad_event_time` exclusions (§2.3).
pub(crate) fn check_event_zone(value: &str, file: &str, row: usize, column: &str) -> Result<()> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(());
    }
    if let Some((_, place)) = ZONE_ABBREVIATIONS
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(v))
    {
        return Err(Error::cell(
            file,
            row,
            column,
            format!(
                "time zone '{v}' is an abbreviation or a fixed offset, not a place's zone \
                 (its daylight-saving rules would be wrong); use the IANA name, e.g. '{place}'"
            ),
        ));
    }
    match (parse_time_zone(v), suggest_zone(v)) {
        (Err(msg), Some(z)) => Err(Error::cell(
            file,
            row,
            column,
            format!("{msg}; did you mean '{z}'?"),
        )),
        _ => Ok(()),
    }
}

/// The `HH:MM` that a time written another way means: `4pm`, `4:30 p.m.`, `16h`, `16h30`,
/// `1600`, `16.00`, `16:00:00`.
fn suggest_time(value: &str) -> Option<String> {
    let t: String = value
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    let (body, pm) = if let Some(b) = t.strip_suffix("pm") {
        (b, Some(true))
    } else if let Some(b) = t.strip_suffix("am") {
        (b, Some(false))
    } else {
        (t.as_str(), None)
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let (h, m) = if let Some((h, rest)) = body.split_once([':', 'h']) {
        // `16:00:00` → the seconds are dropped; `16h` → minute 0.
        let m = rest.split(':').next().unwrap_or("");
        (
            h.to_string(),
            if m.is_empty() {
                "0".into()
            } else {
                m.to_string()
            },
        )
    } else if body.len() == 4 && digits_only(body) && pm.is_none() {
        (body[..2].to_string(), body[2..].to_string())
    } else if value.contains('.') && pm.is_none() {
        let (h, m) = value.trim().split_once('.')?;
        (h.to_string(), m.to_string())
    } else {
        (body.to_string(), "0".to_string())
    };
    if !(digits_only(&h) && digits_only(&m)) || h.len() > 2 || m.len() > 2 {
        return None;
    }
    let (mut h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match pm {
        Some(true) if (1..12).contains(&h) => h += 12,
        Some(false) if h == 12 => h = 0,
        Some(_) if !(1..=12).contains(&h) => return None,
        _ => {}
    }
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// The IANA zone whose place a name means (`New York`, `hong kong`, `Shanghai`).
fn suggest_zone(value: &str) -> Option<&'static str> {
    let place = |z: &&'static str| z.rsplit('/').next().unwrap_or(z);
    let zones = || {
        chrono_tz::TZ_VARIANTS
            .iter()
            .map(|z| z.name())
            .filter(|z| z.contains('/'))
    };
    let by_place: Vec<&'static str> = zones().map(|z| place(&z)).collect();
    let near =
        nearest_name(value, by_place.iter().copied()).or_else(|| nearest_name(value, zones()))?;
    zones().find(|z| place(z) == near || *z == near)
}

/// Optional columns of an event file that are absent while a column with a look-alike name is
/// present: an error, since ignoring that column would silently move day 0 (or leave the
/// events without securities). `present` are the file's column names (or an event's TOML
/// keys), read on row `row`.
pub(crate) fn check_look_alike_columns(present: &[String], file: &str, row: usize) -> Result<()> {
    let names = || present.iter().map(String::as_str);
    let has = |n: &str| present.iter().any(|p| p == n);
    let optional = [
        (
            "tz",
            "day 0 would be mapped in each security's exchange zone instead",
        ),
        (
            "time",
            "every event would be taken at the default time instead",
        ),
    ];
    for (wanted, effect) in optional {
        if has(wanted) {
            continue;
        }
        if let Some(found) = look_alike_column(wanted, names()) {
            return Err(Error::cell(
                file,
                row,
                found,
                format!(
                    "column '{found}' looks like the '{wanted}' column, which this file lacks; \
                     rename it to '{wanted}' (ignored, {effect})"
                ),
            ));
        }
    }
    if !["scope", "security", "ticker"].iter().any(|n| has(n)) {
        if let Some(found) = look_alike_column("ticker", names()) {
            return Err(Error::cell(
                file,
                row,
                found,
                format!(
                    "no column 'ticker' (or 'scope', 'security'); did you mean '{found}'? \
                     rename it to 'ticker' (ignored, no event would name a security)"
                ),
            ));
        }
    }
    Ok(())
}

/// Two rows that describe the same event (same date, time, zone, scope, category and a
/// non-empty title) under different ids: an error naming both rows, since the event would
/// count twice in every group test. Rows without a title are not compared (nothing tells
/// two untitled events on one day apart from one event entered twice).
pub(crate) fn check_same_event_twice(events: &[EventRecord], file: &str) -> Result<()> {
    let mut seen: HashMap<_, &EventRecord> = HashMap::new();
    for e in events.iter().filter(|e| !e.title.trim().is_empty()) {
        let key = (
            e.date,
            &e.time,
            &e.tz,
            &e.scope,
            &e.category,
            e.title.trim(),
        );
        match seen.get(&key) {
            Some(first) if first.event_id != e.event_id => {
                return Err(Error::cell(
                    file,
                    e.row,
                    "title",
                    format!(
                        "event '{}' repeats event '{}' of row {} (same date, time, zone, scope, category and title); \
                         keep one row, or tell the two apart in the title",
                        e.event_id, first.event_id, first.row
                    ),
                ));
            }
            Some(_) => {}
            None => {
                seen.insert(key, e);
            }
        }
    }
    Ok(())
}

/// ` ; did you mean 'X'?` for a required column `wanted` that is missing, when a present
/// column looks like it (empty otherwise).
pub(crate) fn missing_column_hint(wanted: &str, present: &[String]) -> String {
    look_alike_column(wanted, present.iter().map(String::as_str))
        .map(|f| format!("; did you mean '{f}'? rename it to '{wanted}'"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_written_other_ways() {
        let cases = [
            ("4pm", Some("16:00")),
            ("4 PM", Some("16:00")),
            ("4:30 p.m.", Some("16:30")),
            ("12am", Some("00:00")),
            ("12pm", Some("12:00")),
            ("9am", Some("09:00")),
            ("16h", Some("16:00")),
            ("16h30", Some("16:30")),
            ("1600", Some("16:00")),
            ("16.00", Some("16:00")),
            ("16:00:00", Some("16:00")),
            ("25:61", None),
            ("13pm", None),
            ("soon", None),
        ];
        for (input, want) in cases {
            assert_eq!(suggest_time(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn zones_by_place() {
        assert_eq!(suggest_zone("New York"), Some("America/New_York"));
        assert_eq!(suggest_zone("hong kong"), Some("Asia/Hong_Kong"));
        assert_eq!(suggest_zone("Shanghai"), Some("Asia/Shanghai"));
        assert_eq!(suggest_zone("Mars/Olympus_Mons"), None);
        assert!(check_event_zone("Mars/Olympus_Mons", "e.csv", 3, "tz").is_ok());
        assert!(check_event_time("25:61", "e.csv", 3, "time").is_ok());
        let e = check_event_zone("EST", "e.csv", 2, "tz")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("e.csv: row 2, column 'tz': time zone 'EST' is an abbreviation"));
        assert!(e.ends_with("e.g. 'America/New_York'"), "{e}");
        let e = check_event_zone("New York", "e.csv", 3, "tz")
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("did you mean 'America/New_York'?"), "{e}");
        assert!(check_event_zone("Asia/Shanghai", "e.csv", 3, "tz").is_ok());
        let e = check_event_time("4pm", "e.csv", 2, "time")
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("did you mean '16:00'?"), "{e}");
        assert!(check_event_time("after_close", "e.csv", 2, "time").is_ok());
    }

    #[test]
    fn look_alike_optional_columns() {
        let cols = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let e = check_look_alike_columns(&cols(&["id", "date", "ticker", "timezone"]), "e.csv", 1)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "e.csv: row 1, column 'timezone': column 'timezone' looks like the 'tz' column"
            ),
            "{e}"
        );
        assert!(check_look_alike_columns(&cols(&["id", "date", "Symbol"]), "e.csv", 1).is_err());
        assert!(check_look_alike_columns(
            &cols(&["id", "date", "ticker", "tz", "title"]),
            "e.csv",
            1
        )
        .is_ok());
        assert_eq!(
            missing_column_hint("date", &cols(&["id", "datetime"])),
            "; did you mean 'datetime'? rename it to 'date'"
        );
    }
}
