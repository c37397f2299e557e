//! Parsing of single cells: dates and numbers, with messages that say what was expected.

use chrono::NaiveDate;

/// Parse a date cell. Without a format: ISO `YYYY-MM-DD`, optionally followed by a time part
/// (`2025-01-27 00:00:00+08:00`, `2025-01-27T00:00:00`), which is cut. With a format: chrono's
/// `strftime` syntax (e.g. `%d/%m/%Y`).
///
/// # Examples
/// ```
/// use evstudy::data::parse_date;
/// assert_eq!(parse_date("2025-01-27", None).unwrap().to_string(), "2025-01-27");
/// assert_eq!(parse_date("2025-01-27 00:00:00+08:00", None).unwrap().to_string(), "2025-01-27");
/// assert!(parse_date("2025-02-30", None).is_err());
/// assert_eq!(parse_date("27/01/2025", Some("%d/%m/%Y")).unwrap().to_string(), "2025-01-27");
/// ```
pub fn parse_date(text: &str, format: Option<&str>) -> Result<NaiveDate, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty date".to_string());
    }
    if let Some(f) = format {
        return NaiveDate::parse_from_str(t, f)
            .map_err(|_| format!("unparsable date '{t}' (expected format {f})"));
    }
    let b = t.as_bytes();
    let iso_shape = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || b[10] == b' ' || b[10] == b'T');
    if !iso_shape {
        return Err(format!(
            "unparsable date '{t}' (expected YYYY-MM-DD; set date_format for other layouts)"
        ));
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |a, &c| a * 10 + (c - b'0') as u32);
    let (y, m, d) = (num(0..4) as i32, num(5..7), num(8..10));
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| format!("impossible date '{t}' (no such day in the calendar)"))
}

/// Parse a number cell. `decimal_comma` accepts `1234,5` (and `1.234,5`). `NaN`, `inf` and
/// `-inf` parse (as non-finite values, which the caller treats as unusable); text that is not
/// a number is an error.
///
/// # Examples
/// ```
/// use evstudy::data::parse_number;
/// assert_eq!(parse_number("142.62", false).unwrap(), 142.62);
/// assert_eq!(parse_number("1.234,5", true).unwrap(), 1234.5);
/// assert!(parse_number("n/a", false).is_err());
/// assert!(parse_number("NaN", false).unwrap().is_nan());
/// ```
pub fn parse_number(text: &str, decimal_comma: bool) -> Result<f64, String> {
    let t = text.trim().trim_matches('"');
    let owned;
    let s = if decimal_comma {
        owned = t.replace('.', "").replace(',', ".");
        owned.as_str()
    } else {
        t
    };
    s.parse::<f64>().map_err(|_| {
        if !decimal_comma && t.contains(',') {
            format!("not a number: '{t}' (decimal comma? set decimal_comma = true)")
        } else {
            format!("not a number: '{t}'")
        }
    })
}

/// Date from days since 1970-01-01 (polars' physical Date), None when out of range.
pub(crate) fn date_from_epoch_days(days: i32) -> Option<NaiveDate> {
    // 719_163 = days from 0001-01-01 (CE day 1) to 1970-01-01.
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(719_163)?)
}

/// The years a date of an input file may have: a date outside is almost always a default or
/// a mistyped year (a spreadsheet's day zero 1899-12-30/1900-01-01, `2204` for `2024`). The
/// range starts after 1900 because daily US data (Fama–French factors, CRSP) start in 1926.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1901..=2100;

/// A date of an input file within [`DATE_YEARS`]; otherwise the message of the error.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::data::check_date_range;
/// assert!(check_date_range(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()).is_ok());
/// assert!(check_date_range(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()).is_err());
/// ```
pub fn check_date_range(date: chrono::NaiveDate) -> Result<(), String> {
    use chrono::Datelike;
    if DATE_YEARS.contains(&date.year()) {
        Ok(())
    } else {
        Err(format!(
            "date {date} is outside the years {}–{}: check the year (a spreadsheet's empty date is 1899-12-30 or 1900-01-01)",
            DATE_YEARS.start(),
            DATE_YEARS.end()
        ))
    }
}
