//! Hand-worked timing cases: each expected fill is read off the calendar by hand.

use super::*;
use crate::abnormal::Window;
use crate::backtest::SessionTimes;
use crate::calendar::{builtin_exchange, local_to_utc, HolidayTable};
use crate::design::{EntryRule, ExitRule, Unfillable};
use chrono::NaiveDate;

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

/// Bars with open = 10 + i and close = 10.5 + i on session i.
fn bars(ticker: &str, dates: &[NaiveDate]) -> Bars {
    Bars {
        ticker: ticker.into(),
        dates: dates.to_vec(),
        open: (0..dates.len()).map(|i| 10.0 + i as f64).collect(),
        close: (0..dates.len()).map(|i| 10.5 + i as f64).collect(),
    }
}

fn times(code: &str, dates: &[NaiveDate]) -> SessionTimes {
    SessionTimes::for_exchange(
        &builtin_exchange(code).unwrap(),
        &HolidayTable::builtin(),
        dates,
    )
}

/// Event at local `hh:mm` on `date` in `zone`, plus 15 minutes of latency.
fn known(zone: chrono_tz::Tz, date: NaiveDate, hh: u32, mm: u32) -> DateTime<Utc> {
    local_to_utc(zone, date.and_hms_opt(hh, mm, 0).unwrap()) + chrono::Duration::minutes(15)
}

/// The market of `b` and `t` with the default limit tolerance (0.2 percentage points).
fn market<'a>(b: &'a Bars, t: &'a SessionTimes) -> Market<'a> {
    Market {
        bars: b,
        times: t,
        tolerance: 0.002,
    }
}

const EITHER: EntryRule = EntryRule::FirstTradable { points: None };
const NEXT: Unfillable = Unfillable::Next { max_delay: 5 };

fn at(session: usize, point: PricePoint) -> Fill {
    Fill { session, point }
}

/// 2024-03-04 … 2024-03-15 on XNYS: ten sessions (no holidays).
fn nyse_march() -> Vec<NaiveDate> {
    [4, 5, 6, 7, 8, 11, 12, 13, 14, 15]
        .iter()
        .map(|&x| d(2024, 3, x))
        .collect()
}

#[test]
fn us_after_close_release_enters_at_the_next_open_and_holds_five_sessions() {
    let dates = nyse_march();
    let (b, t) = (bars("NVDA", &dates), times("XNYS", &dates));
    let m = market(&b, &t);
    // 2024-03-05 after the close (18:00 New York) + 15 min: the next point is 03-06's open.
    let k = known(chrono_tz::America::New_York, d(2024, 3, 5), 18, 0);
    let e = entry_fill(&m, EITHER, NEXT, k, 2, Side::Buy).unwrap();
    assert_eq!(e.fill, at(2, PricePoint::Open));
    assert_eq!(m.price(e.fill), 12.0);
    assert!(e.note.is_empty());
    // Hold 5 → the close of session 2 + 5 = 7 (2024-03-13).
    let x = exit_fill(
        &m,
        ExitRule::Hold { sessions: 5 },
        PricePoint::Close,
        e.fill,
        2,
        Side::Sell,
    )
    .unwrap();
    assert_eq!(x.fill, at(7, PricePoint::Close));
    assert_eq!((b.dates[7], m.price(x.fill)), (d(2024, 3, 13), 17.5));
    // A release at 11:00 during the session: the same session's close (15 minutes later
    // is still before 16:00, and the open has passed).
    let k = known(chrono_tz::America::New_York, d(2024, 3, 5), 11, 0);
    let e = entry_fill(&m, EITHER, NEXT, k, 1, Side::Buy).unwrap();
    assert_eq!(e.fill, at(1, PricePoint::Close));
    // Only opens allowed: the next morning.
    let open_only = EntryRule::FirstTradable {
        points: Some(PricePoint::Open),
    };
    let e = entry_fill(&m, open_only, NEXT, k, 1, Side::Buy).unwrap();
    assert_eq!(e.fill, at(2, PricePoint::Open));
}

#[test]
fn hong_kong_stock_enters_at_the_same_morning_open_after_a_us_evening_release() {
    // 20:00 New York on Monday 2024-06-03 (EDT) = 00:00 UTC = 08:00 Hong Kong on 06-04;
    // + 15 min = 08:15, before the 09:30 open of Tuesday 2024-06-04.
    let dates: Vec<NaiveDate> = (3..=7).map(|x| d(2024, 6, x)).collect();
    let (b, t) = (bars("0700.HK", &dates), times("XHKG", &dates));
    let m = market(&b, &t);
    let k = known(chrono_tz::America::New_York, d(2024, 6, 3), 20, 0);
    assert_eq!(k.format("%Y-%m-%d %H:%M").to_string(), "2024-06-04 00:15");
    let e = entry_fill(&m, EITHER, NEXT, k, 1, Side::Buy).unwrap();
    assert_eq!(e.fill, at(1, PricePoint::Open));
    assert_eq!(
        m.instant(e.fill).unwrap().format("%H:%M").to_string(),
        "01:30"
    );
}

#[test]
fn suspended_entry_day_moves_to_the_next_session_or_is_excluded() {
    let dates = nyse_march();
    let mut b = bars("X", &dates);
    b.open[2] = f64::NAN;
    b.close[2] = f64::NAN; // suspended on 03-06
    let t = times("XNYS", &dates);
    let m = market(&b, &t);
    let k = known(chrono_tz::America::New_York, d(2024, 3, 5), 18, 0);
    let e = entry_fill(&m, EITHER, NEXT, k, 2, Side::Buy).unwrap();
    assert_eq!(e.fill, at(3, PricePoint::Open));
    assert_eq!(e.note, "entry moved from open 2024-03-06: suspended");
    let x = entry_fill(&m, EITHER, Unfillable::Exclude, k, 2, Side::Buy).unwrap_err();
    assert_eq!(x.reason, BacktestReason::Suspended);
    assert_eq!(x.detail, "entry at open 2024-03-06: suspended");
    // max_delay = 0: only the same session may be used, and it has no price at all.
    let x = entry_fill(
        &m,
        EITHER,
        Unfillable::Next { max_delay: 0 },
        k,
        2,
        Side::Buy,
    )
    .unwrap_err();
    assert_eq!(x.reason, BacktestReason::NoFill);
    assert_eq!(
        x.detail,
        "entry at open 2024-03-06: suspended; no fillable entry within max_delay = 0 sessions"
    );
    // A suspended exit day moves the exit to the next session's open.
    let x = exit_fill(
        &m,
        ExitRule::Hold { sessions: 1 },
        PricePoint::Close,
        at(1, PricePoint::Close),
        1,
        Side::Sell,
    )
    .unwrap();
    assert_eq!(x.fill, at(3, PricePoint::Open));
    assert_eq!(x.note, "exit moved from close 2024-03-06: suspended");
}

#[test]
fn zero_volume_bar_cannot_fill() {
    let dates = nyse_march();
    let b = bars("X", &dates);
    let mut t = times("XNYS", &dates);
    t.no_volume[2] = true;
    let m = market(&b, &t);
    assert_eq!(
        m.blocked(at(2, PricePoint::Close), Side::Buy),
        Some(BacktestReason::NoVolume)
    );
    let k = known(chrono_tz::America::New_York, d(2024, 3, 5), 18, 0);
    let e = entry_fill(&m, EITHER, NEXT, k, 2, Side::Buy).unwrap();
    assert_eq!(e.fill, at(3, PricePoint::Open));
    assert_eq!(e.note, "entry moved from open 2024-03-06: no_volume");
}

#[test]
fn limit_up_open_on_a_star_stock_cannot_be_bought() {
    let dates: Vec<NaiveDate> = [4, 5, 6, 7, 8].iter().map(|&x| d(2024, 3, x)).collect();
    let mut b = bars("688256.SS", &dates);
    b.close[0] = 100.0;
    b.open[1] = 119.9; // +19.9 %: within 0.2 pp of the +20 % STAR limit
    b.open[2] = b.close[1] * 1.19; // +19 %: not locked
    let mut t = times("XSHG", &dates);
    t.limit = Some(0.20);
    let m = market(&b, &t);
    assert_eq!(
        m.blocked(at(1, PricePoint::Open), Side::Buy),
        Some(BacktestReason::LimitLocked)
    );
    assert_eq!(m.blocked(at(1, PricePoint::Open), Side::Sell), None);
    assert_eq!(m.blocked(at(2, PricePoint::Open), Side::Buy), None);
    // A US release the evening before (20:00 EST = 09:00 Shanghai) + 15 min: the 09:30 open
    // of 03-05 is locked, so a long fills at that day's close instead.
    let k = known(chrono_tz::America::New_York, d(2024, 3, 4), 20, 0);
    let e = entry_fill(&m, EITHER, NEXT, k, 1, Side::Buy).unwrap();
    assert_eq!(e.fill, at(1, PricePoint::Close));
    assert_eq!(e.note, "entry moved from open 2024-03-05: limit_locked");
    // A short sells into the limit-up open without trouble.
    let e = entry_fill(&m, EITHER, NEXT, k, 1, Side::Sell).unwrap();
    assert_eq!(e.fill, at(1, PricePoint::Open));
    // Limit down: 100 → 80.1 cannot be sold.
    b.open[1] = 80.1;
    let m = market(&b, &t);
    assert_eq!(
        m.blocked(at(1, PricePoint::Open), Side::Sell),
        Some(BacktestReason::LimitLocked)
    );
}

#[test]
fn fixed_open_and_close_entries_relative_to_day0() {
    let dates = nyse_march();
    let (b, t) = (bars("X", &dates), times("XNYS", &dates));
    let m = market(&b, &t);
    let k = known(chrono_tz::America::New_York, d(2024, 3, 7), 9, 0);
    let rule = |point, rel_day| EntryRule::Fixed { point, rel_day };
    let e = entry_fill(&m, rule(PricePoint::Close, -1), NEXT, k, 3, Side::Buy).unwrap();
    assert_eq!((e.fill, m.price(e.fill)), (at(2, PricePoint::Close), 12.5));
    let e = entry_fill(&m, rule(PricePoint::Open, 1), NEXT, k, 3, Side::Buy).unwrap();
    assert_eq!((e.fill, m.price(e.fill)), (at(4, PricePoint::Open), 14.0));
    let x = entry_fill(&m, rule(PricePoint::Open, -9), NEXT, k, 3, Side::Buy).unwrap_err();
    assert_eq!(x.reason, BacktestReason::BeyondData);
    // Exit at the end of window 0:5 → close of session 3 + 5 = 8.
    let w = ExitRule::WindowEnd {
        window: Window { start: 0, end: 5 },
    };
    let x = exit_fill(
        &m,
        w,
        PricePoint::Close,
        at(4, PricePoint::Open),
        3,
        Side::Sell,
    )
    .unwrap();
    assert_eq!(x.fill, at(8, PricePoint::Close));
    // Window end before the entry; a hold past the data.
    let exit_from_open_4 = |rule| {
        exit_fill(
            &m,
            rule,
            PricePoint::Close,
            at(4, PricePoint::Open),
            3,
            Side::Sell,
        )
        .unwrap_err()
        .reason
    };
    let w = ExitRule::WindowEnd {
        window: Window { start: -1, end: 0 },
    };
    assert_eq!(exit_from_open_4(w), BacktestReason::ExitBeforeEntry);
    let h = ExitRule::Hold { sessions: 9 };
    assert_eq!(exit_from_open_4(h), BacktestReason::BeyondData);
}

#[test]
fn missing_open_is_no_open_price() {
    let dates = nyse_march();
    let mut b = bars("X", &dates);
    b.open[2] = f64::NAN;
    let t = times("XNYS", &dates);
    let m = market(&b, &t);
    assert_eq!(
        m.blocked(at(2, PricePoint::Open), Side::Buy),
        Some(BacktestReason::NoOpenPrice)
    );
    assert_eq!(m.blocked(at(2, PricePoint::Close), Side::Buy), None);
}
