//! Series-level input exclusions: rows off the calendar, unusable prices, suspicious jumps
//! and suspended days (§11). They describe a series, so they name no event and are reported
//! once per series.

use super::rows::input_exclusion;
use crate::data::{PriceSeries, PRICE_JUMP_FACTOR};
use crate::returns::OnCalendar;
use crate::tables::ExclusionRow;
use crate::vocab::ExclusionReason;
use chrono::NaiveDate;

/// The exclusions describing `series` placed on the calendar labelled `calendar` as `on`.
pub(crate) fn series_exclusions(
    series: &PriceSeries,
    on: &OnCalendar,
    calendar: &str,
    out: &mut Vec<ExclusionRow>,
) {
    let issues = &series.issues;
    let mut push = |reason: ExclusionReason, detail: String| {
        out.push(input_exclusion(&series.ticker, "", reason, detail));
    };
    if on.off_calendar > 0 {
        push(
            ExclusionReason::OffCalendarPrices,
            format!(
                "{} price row(s) on dates that are not {} sessions, first {}",
                on.off_calendar,
                calendar,
                first(on.first_off_calendar)
            ),
        );
    }
    if issues.bad_price > 0 {
        push(
            ExclusionReason::BadPrice,
            format!(
                "{} unusable price(s) (empty, not finite or ≤ 0) treated as missing, first {}",
                issues.bad_price,
                first(issues.first_bad_price)
            ),
        );
    }
    if issues.impossible_returns > 0 {
        let dates: Vec<String> = issues
            .low_return_dates
            .iter()
            .map(|d| d.to_string())
            .collect();
        let more = issues.impossible_returns.saturating_sub(dates.len());
        push(
            ExclusionReason::ImpossibleReturn,
            format!(
                "{} simple return(s) of −100 % or worse treated as missing: {}{}",
                issues.impossible_returns,
                dates.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        );
    }
    if let (true, Some((factor, date))) = (issues.price_jumps > 0, issues.largest_price_jump) {
        push(
            ExclusionReason::PriceJump,
            format!(
                "{} close-to-close move(s) by a factor above {} (first {}, largest ×{:.3e} on {}): \
                 check units, split adjustment or a misplaced decimal point; prices kept as given",
                issues.price_jumps,
                PRICE_JUMP_FACTOR,
                first(issues.first_price_jump),
                factor,
                date
            ),
        );
    }
    if issues.suspended > 0 {
        push(
            ExclusionReason::Suspended,
            format!(
                "{} suspended day(s) treated as missing prices, first {}",
                issues.suspended,
                first(issues.first_suspended)
            ),
        );
    }
}

/// `on` with the rows of `dates` inside `span` (the dates an exchange calendar was built
/// from) but before the first or after the last of `sessions` added to its off-calendar
/// count: days the exchange was closed at the ends of the data (a holiday on the first or
/// last data date), which the alignment, looking only inside the sessions' span, misses.
pub(crate) fn with_edge_rows(
    dates: &[NaiveDate],
    sessions: &[NaiveDate],
    span: (NaiveDate, NaiveDate),
    on: &OnCalendar,
) -> OnCalendar {
    let inside = |d: &&NaiveDate| **d >= span.0 && **d <= span.1;
    let (first, last) = (sessions.first(), sessions.last());
    let before: Vec<NaiveDate> = dates
        .iter()
        .filter(inside)
        .filter(|d| first.is_none_or(|f| *d < f))
        .copied()
        .collect();
    let after: Vec<NaiveDate> = match last {
        Some(l) => dates
            .iter()
            .filter(inside)
            .filter(|d| *d > l)
            .copied()
            .collect(),
        None => Vec::new(),
    };
    OnCalendar {
        values: Vec::new(),
        off_calendar: on.off_calendar + before.len() + after.len(),
        first_off_calendar: before
            .first()
            .copied()
            .or(on.first_off_calendar)
            .or(after.first().copied()),
    }
}

/// A first date as written in an exclusion's detail (empty when unknown).
fn first(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holidays_at_both_ends_of_the_data_are_off_calendar() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        // Rows on Jan 1 (a holiday: the first data date) and on Jan 6 (a Saturday: the last
        // one); one row (Jan 3) inside the sessions' span is off-calendar already.
        let dates = [d(1), d(2), d(3), d(4), d(5), d(6)];
        let sessions = [d(2), d(4), d(5)];
        let on = OnCalendar {
            values: Vec::new(),
            off_calendar: 1,
            first_off_calendar: Some(d(3)),
        };
        let got = with_edge_rows(&dates, &sessions, (d(1), d(6)), &on);
        assert_eq!((got.off_calendar, got.first_off_calendar), (3, Some(d(1))));
        // Rows outside the calendar's data span are not counted.
        let got = with_edge_rows(&dates, &sessions, (d(2), d(5)), &on);
        assert_eq!((got.off_calendar, got.first_off_calendar), (1, Some(d(3))));
    }
}
