//! Windows in relative trading days: a [`Window`] read from `"a:b"`, and the estimation and
//! event windows of a design ([`Windows`]).

use crate::abnormal::Window;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

/// Parse a window written `a:b` (also `a..b` or `[a,b]`).
///
/// # Examples
/// ```
/// use evstudy::design::parse_window;
/// let w = parse_window("-5:20").unwrap();
/// assert_eq!((w.start, w.end), (-5, 20));
/// assert!(parse_window("3:1").is_err());
/// ```
pub fn parse_window(text: &str) -> Result<Window> {
    text.parse()
}

/// A window is read from `a:b` (also `a..b` or `[a,b]`) with integers a ≤ b; anything else is
/// an [`Error::Config`] that quotes the text.
///
/// # Examples
/// ```
/// use evstudy::abnormal::Window;
/// let w: Window = "[-1, 1]".parse().unwrap();
/// assert_eq!(w, Window { start: -1, end: 1 });
/// assert!("1:x".parse::<Window>().is_err());
/// ```
impl FromStr for Window {
    type Err = Error;

    fn from_str(text: &str) -> Result<Window> {
        let t = text.trim().trim_start_matches('[').trim_end_matches(']');
        let parts: Vec<&str> = if t.contains("..") {
            t.split("..").collect()
        } else {
            t.split([':', ',']).collect()
        };
        let bad = || {
            Error::config(format!(
                "window '{text}' is not of the form a:b with integers a ≤ b"
            ))
        };
        if parts.len() != 2 {
            return Err(bad());
        }
        let a: i32 = parts[0].trim().parse().map_err(|_| bad())?;
        let b: i32 = parts[1].trim().parse().map_err(|_| bad())?;
        if a > b {
            return Err(Error::config(format!(
                "window '{text}': start {a} is after end {b}"
            )));
        }
        Ok(Window { start: a, end: b })
    }
}

/// A window deserializes from its text `"a:b"`; a bad window fails the deserialization.
impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Window, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The estimation window and the event windows of a design, checked: the event windows are
/// not empty, none overlaps the estimation window, and the estimation window starts first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    /// Estimation window [L1, L2].
    pub estimation: Window,
    /// Event windows in configuration order.
    pub event: Vec<Window>,
}

impl Windows {
    /// The event period H = hull of the event windows.
    ///
    /// # Examples
    /// ```
    /// use evstudy::abnormal::Window;
    /// use evstudy::design::Windows;
    /// let w = Windows {
    ///     estimation: Window { start: -250, end: -11 },
    ///     event: vec![Window { start: -1, end: 1 }, Window { start: 0, end: 20 }],
    /// };
    /// assert_eq!(w.event_period(), Window { start: -1, end: 20 });
    /// ```
    pub fn event_period(&self) -> Window {
        crate::abnormal::event_period(&self.event)
    }

    /// The first event window that shares a day with the estimation window, by position.
    ///
    /// # Examples
    /// ```
    /// use evstudy::abnormal::Window;
    /// use evstudy::design::Windows;
    /// let w = Windows {
    ///     estimation: Window { start: -250, end: -11 },
    ///     event: vec![Window { start: -1, end: 1 }, Window { start: -20, end: 1 }],
    /// };
    /// assert_eq!(w.first_overlap(), Some(1));
    /// ```
    pub fn first_overlap(&self) -> Option<usize> {
        let est = self.estimation;
        self.event
            .iter()
            .position(|w| w.start <= est.end && est.start <= w.end)
    }

    /// The event windows written `a:b`, in configuration order (the §12 window order).
    pub fn labels(&self) -> Vec<String> {
        self.event.iter().map(Window::label).collect()
    }
}

/// The longest session calendar of a run's data: no relative day can reach further (§3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataReach {
    /// Sessions of the longest calendar.
    pub sessions: usize,
    /// Its label (exchange or data calendar).
    pub calendar: String,
    /// Its first session.
    pub first: NaiveDate,
    /// Its last session.
    pub last: NaiveDate,
}

impl DataReach {
    fn describe(&self) -> String {
        format!(
            "the longest session calendar of the data ({}: {} to {}) has {} sessions",
            self.calendar, self.first, self.last, self.sessions
        )
    }
}

/// A window the data can hold (§3.1): it is an [`Error::Config`] naming `key` and the data's
/// span when window `w` is longer than the longest calendar (no event can ever have it
/// complete), or lies wholly beyond it on one side of day 0 (no day of it can have a return).
/// So the event period and the estimation window reach at most twice the data's length from
/// day 0, and the work per pair stays proportional to the data.
pub(crate) fn check_reach(key: &str, w: Window, data: &DataReach) -> Result<()> {
    let n = data.sessions as i64;
    let (start, end) = (i64::from(w.start), i64::from(w.end));
    let label = w.label();
    let problem = if end - start + 1 > n {
        format!("spans {} sessions", end - start + 1)
    } else if start >= n {
        format!("starts {start} sessions after day 0")
    } else if end <= -n {
        format!("ends {} sessions before day 0", -end)
    } else {
        return Ok(());
    };
    Err(Error::config(format!(
        "{key} '{label}' {problem}, but {}; no event can have it complete — choose a window within the data",
        data.describe()
    )))
}

impl Default for Windows {
    /// The §0.4 windows of [`super::defaults`].
    fn default() -> Self {
        Windows {
            estimation: super::defaults::ESTIMATION_WINDOW,
            event: super::defaults::EVENT_WINDOWS.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_in_every_spelling() {
        for text in ["-5:20", "-5..20", "[-5,20]", " -5 : 20 "] {
            assert_eq!(parse_window(text).unwrap(), Window { start: -5, end: 20 });
        }
    }

    #[test]
    fn windows_beyond_the_data_are_configuration_errors() {
        let data = DataReach {
            sessions: 400,
            calendar: "XNYS".into(),
            first: NaiveDate::from_ymd_opt(2023, 1, 2).unwrap(),
            last: NaiveDate::from_ymd_opt(2024, 7, 12).unwrap(),
        };
        let check = |text: &str| check_reach("event_windows", parse_window(text).unwrap(), &data);
        // within the data: the last possible days on either side, and a window of 400 days
        for ok in [
            "-5:20",
            "0:399",
            "-399:0",
            "399:399",
            "-399:-399",
            "-200:199",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            check("0:100000").unwrap_err().to_string(),
            "configuration: event_windows '0:100000' spans 100001 sessions, but the longest \
             session calendar of the data (XNYS: 2023-01-02 to 2024-07-12) has 400 sessions; \
             no event can have it complete — choose a window within the data"
        );
        assert!(check("-200:200")
            .unwrap_err()
            .to_string()
            .contains("spans 401 sessions"));
        assert!(check("400:410")
            .unwrap_err()
            .to_string()
            .contains("starts 400 sessions after"));
        let e = check_reach(
            "estimation_window",
            parse_window("-700:-400").unwrap(),
            &data,
        );
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("estimation_window '-700:-400' ends 400 sessions before day 0"));
        // the arithmetic of the extreme windows does not overflow
        let extreme = Window {
            start: i32::MIN,
            end: i32::MAX,
        };
        assert!(check_reach("event_windows", extreme, &data).is_err());
    }

    #[test]
    fn bad_windows_are_rejected_while_parsing() {
        assert_eq!(
            parse_window("-1..x").unwrap_err().to_string(),
            "configuration: window '-1..x' is not of the form a:b with integers a ≤ b"
        );
        assert_eq!(
            parse_window("3:1").unwrap_err().to_string(),
            "configuration: window '3:1': start 3 is after end 1"
        );
        #[derive(Deserialize)]
        struct W {
            #[allow(dead_code)]
            w: Window,
        }
        let e = toml::from_str::<W>("w = \"1:0\"")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("start 1 is after end 0"), "{e}");
        let ok: W = toml::from_str("w = \"0:5\"").unwrap();
        assert_eq!(ok.w, Window { start: 0, end: 5 });
    }
}
