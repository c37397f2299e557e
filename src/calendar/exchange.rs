//! Exchanges: code, time zone, regular open and regular close (methodology §2.1, §16.1).

use chrono::NaiveTime;
use chrono_tz::Tz;

/// An exchange: its code, IANA time zone, regular opening and closing time (methodology §2.1).
///
/// Sessions close at `close` local time unless the holiday table gives an early close. The
/// opening time is where a backtest can first trade a session (§16.1); an exchange built with
/// [`ExchangeSpec::new`] has none until [`ExchangeSpec::with_open`] sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeSpec {
    /// Exchange code (ISO 10383 MIC), e.g. `XNYS`.
    pub code: String,
    /// The exchange's time zone.
    pub tz: Tz,
    /// Regular closing time, local wall clock.
    pub close: NaiveTime,
    /// Regular opening time, local wall clock (`None`: unknown, no open can be traded).
    pub open: Option<NaiveTime>,
}

impl ExchangeSpec {
    /// An exchange from its parts.
    ///
    /// # Examples
    /// ```
    /// use evstudy::calendar::ExchangeSpec;
    /// let x = ExchangeSpec::new("XTKS", chrono_tz::Asia::Tokyo, chrono::NaiveTime::from_hms_opt(15, 30, 0).unwrap());
    /// assert_eq!(x.code, "XTKS");
    /// ```
    pub fn new(code: impl Into<String>, tz: Tz, close: NaiveTime) -> Self {
        ExchangeSpec {
            code: code.into(),
            tz,
            close,
            open: None,
        }
    }

    /// The same exchange with a regular opening time.
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveTime;
    /// use evstudy::calendar::ExchangeSpec;
    /// let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    /// let x = ExchangeSpec::new("XTKS", chrono_tz::Asia::Tokyo, hm(15, 30)).with_open(hm(9, 0));
    /// assert_eq!(x.open, Some(hm(9, 0)));
    /// ```
    pub fn with_open(mut self, open: NaiveTime) -> Self {
        self.open = Some(open);
        self
    }
}

/// The built-in exchange codes, in the order of [`builtin_exchange`]'s table.
pub const BUILTIN_EXCHANGES: [&str; 5] = ["XSHG", "XSHE", "XHKG", "XNYS", "XNAS"];

/// The built-in exchanges (methodology §2.1): XSHG and XSHE (Asia/Shanghai, 15:00), XHKG
/// (Asia/Hong_Kong, 16:00), XNYS and XNAS (America/New_York, 16:00); each opens at 09:30
/// local time (the continuous-trading open; Shanghai and Shenzhen fix their opening price in
/// the 09:15–09:25 call auction, Hong Kong in the 09:00–09:20 pre-opening session, and the
/// `open` of a daily bar is that price). Codes are matched case-insensitively; `None` for any
/// other code.
///
/// # Examples
/// ```
/// use evstudy::calendar::builtin_exchange;
/// let x = builtin_exchange("XHKG").unwrap();
/// assert_eq!(x.tz, chrono_tz::Asia::Hong_Kong);
/// assert_eq!(x.close, chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap());
/// assert_eq!(x.open, chrono::NaiveTime::from_hms_opt(9, 30, 0));
/// assert!(builtin_exchange("XLON").is_none());
/// ```
pub fn builtin_exchange(code: &str) -> Option<ExchangeSpec> {
    let code = code.trim().to_ascii_uppercase();
    let (tz, hour) = match code.as_str() {
        "XSHG" | "XSHE" => (chrono_tz::Asia::Shanghai, 15),
        "XHKG" => (chrono_tz::Asia::Hong_Kong, 16),
        "XNYS" | "XNAS" => (chrono_tz::America::New_York, 16),
        _ => return None,
    };
    Some(ExchangeSpec {
        code,
        tz,
        close: NaiveTime::from_hms_opt(hour, 0, 0)?,
        open: NaiveTime::from_hms_opt(9, 30, 0),
    })
}

/// Default exchange of a Yahoo-style ticker, from its suffix: `.SS`/`.SH` → XSHG, `.SZ` →
/// XSHE, `.HK` → XHKG, no suffix → XNYS. Suffixes are matched case-insensitively.
///
/// Returns `None` for index symbols starting with `^` (they need an exchange in the
/// securities table), for any other suffix (`.T`, `.L`, …) and for an empty ticker. Note that
/// index symbols without `^` (e.g. `HSTECH`) get the no-suffix default XNYS and should be
/// configured explicitly.
///
/// # Examples
/// ```
/// use evstudy::calendar::exchange_for_ticker;
/// assert_eq!(exchange_for_ticker("688256.SS"), Some("XSHG"));
/// assert_eq!(exchange_for_ticker("000001.SZ"), Some("XSHE"));
/// assert_eq!(exchange_for_ticker("0700.HK"), Some("XHKG"));
/// assert_eq!(exchange_for_ticker("NVDA"), Some("XNYS"));
/// assert_eq!(exchange_for_ticker("^SOX"), None);
/// ```
pub fn exchange_for_ticker(ticker: &str) -> Option<&'static str> {
    let t = ticker.trim();
    if t.is_empty() || t.starts_with('^') {
        return None;
    }
    match t.rfind('.') {
        None => Some("XNYS"),
        Some(pos) => match t[pos + 1..].to_ascii_uppercase().as_str() {
            "SS" | "SH" => Some("XSHG"),
            "SZ" => Some("XSHE"),
            "HK" => Some("XHKG"),
            _ => None,
        },
    }
}

/// The exchange whose holiday rows an exchange shares when the holiday table has none of its
/// own: XSHE uses XSHG's rows (the Shenzhen and Shanghai exchanges keep one calendar) and XNAS
/// uses XNYS's rows (same holidays and early closes). Any other code maps to itself.
///
/// # Examples
/// ```
/// use evstudy::calendar::holiday_source;
/// assert_eq!(holiday_source("XSHE"), "XSHG");
/// assert_eq!(holiday_source("XNYS"), "XNYS");
/// ```
pub fn holiday_source(code: &str) -> &str {
    match code {
        "XSHE" => "XSHG",
        "XNAS" => "XNYS",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_have_the_documented_zones_and_closes() {
        let cases = [
            ("XSHG", chrono_tz::Asia::Shanghai, 15),
            ("XSHE", chrono_tz::Asia::Shanghai, 15),
            ("XHKG", chrono_tz::Asia::Hong_Kong, 16),
            ("XNYS", chrono_tz::America::New_York, 16),
            ("xnas", chrono_tz::America::New_York, 16),
        ];
        for (code, tz, h) in cases {
            let x = builtin_exchange(code).unwrap();
            assert_eq!(x.code, code.to_ascii_uppercase());
            assert_eq!(x.tz, tz);
            assert_eq!(x.close, NaiveTime::from_hms_opt(h, 0, 0).unwrap());
            assert_eq!(x.open, NaiveTime::from_hms_opt(9, 30, 0));
        }
        for code in BUILTIN_EXCHANGES {
            assert!(builtin_exchange(code).is_some());
        }
    }

    #[test]
    fn ticker_suffixes() {
        assert_eq!(exchange_for_ticker("600519.SH"), Some("XSHG"));
        assert_eq!(exchange_for_ticker("000300.ss"), Some("XSHG"));
        assert_eq!(exchange_for_ticker("BABA"), Some("XNYS"));
        assert_eq!(exchange_for_ticker("7203.T"), None);
        assert_eq!(exchange_for_ticker("^HSI"), None);
        assert_eq!(exchange_for_ticker(""), None);
    }
}
