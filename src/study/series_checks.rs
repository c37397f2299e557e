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

/// A first date as written in an exclusion's detail (empty when unknown).
fn first(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}
