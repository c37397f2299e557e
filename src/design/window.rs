//! Windows in relative trading days: a [`Window`] read from `"a:b"`, and the estimation and
//! event windows of a design ([`Windows`]).

use crate::abnormal::Window;
use crate::error::{Error, Result};
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
