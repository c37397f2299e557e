//! The annualisation factor of a portfolio's own session calendar.

use chrono::NaiveDate;

/// Average calendar days per year (Julian year), the unit of the annualisation rule.
const DAYS_PER_YEAR: f64 = 365.25;

/// Sessions per year of the portfolio's own calendar: the number of session-to-session
/// intervals per calendar year spanned.
///
/// `dates` are the portfolio days, ascending. Each daily return covers one interval between
/// consecutive sessions, so n dates give n − 1 intervals over the span from the first to the
/// last date; a full year of XNYS sessions (about 251 intervals over 363–364 days) gives about
/// 252. NaN when there are fewer than two dates or the span is not positive; every annualised
/// metric computed with a NaN factor is undefined (`None`).
///
/// # Formula
/// ```text
/// P = (n − 1) × 365.25 / (date_n − date_1 in calendar days)
/// ```
/// (the observation frequency of the sample, as in Lo 2002 §3 where the annualisation factor
/// is the number of return periods per year).
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::backtest::performance::periods_per_year;
/// // Weekly dates: 2025-01-01 + 7·j for j = 0..=52 span 364 days → 52·365.25/364 ≈ 52.18.
/// let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
/// let dates: Vec<NaiveDate> = (0..53).map(|j| start + chrono::Days::new(7 * j)).collect();
/// assert!((periods_per_year(&dates) - 52.0 * 365.25 / 364.0).abs() < 1e-12);
/// assert!(periods_per_year(&dates[..1]).is_nan());
/// ```
pub fn periods_per_year(dates: &[NaiveDate]) -> f64 {
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        return f64::NAN;
    };
    let span = (*last - *first).num_days();
    if dates.len() < 2 || span <= 0 {
        return f64::NAN;
    }
    (dates.len() - 1) as f64 * DAYS_PER_YEAR / span as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Weekdays of 2024 without a holiday calendar: 262 sessions from Jan 1 to Dec 31 (365
    /// days), so P = 261 × 365.25 / 365.
    #[test]
    fn weekdays_of_a_year() {
        use chrono::Datelike;
        let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut dates = Vec::new();
        while d.year() == 2024 {
            if d.weekday().num_days_from_monday() < 5 {
                dates.push(d);
            }
            d = d.succ_opt().unwrap();
        }
        assert_eq!(dates.len(), 262);
        assert_relative_eq!(
            periods_per_year(&dates),
            261.0 * 365.25 / 365.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn degenerate_calendars_are_nan() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert!(periods_per_year(&[]).is_nan());
        assert!(periods_per_year(&[d, d]).is_nan());
    }
}
