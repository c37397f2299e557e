//! One placebo calendar: the real positions moved to random fillable sessions.

use chrono::NaiveDate;

use crate::backtest::{Bars, Position, PricePoint};
use crate::simulate::rng::SimRng;

/// Random draws before the candidates are listed one by one.
const MAX_DRAWS: usize = 64;

/// The positions of placebo calendar `calendar` (methodology §16.6).
///
/// Each real position, in order, is moved to an entry session drawn uniformly among the
/// sessions of its own security such that the entry price at the same point and the exit
/// price at the same point `exit − entry` sessions later are both present (finite and
/// positive), and entry and exit dates lie within the real backtest's span (first entry date
/// to last exit date), so the placebo portfolio covers the same period. Direction, size,
/// hedge and costs are kept; day 0 keeps its distance to the entry (dropped if it leaves the
/// bars). Security counts are therefore those of the real calendar. The draws come from
/// `SimRng::for_stream(seed, calendar)`, so calendar k is the same whatever computes it.
///
/// # Panics
/// If a position's security or sessions are not in `bars`.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::backtest::placebo::placebo_positions;
/// use evstudy::backtest::{Bars, Direction, Fill, Position, PricePoint};
///
/// let n = 100;
/// let bars = [Bars {
///     ticker: "A".into(),
///     dates: (0..n).map(|i| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i)).collect(),
///     open: vec![1.0; n as usize],
///     close: vec![1.0; n as usize],
/// }];
/// let fill = |session| Fill { session, point: PricePoint::Close };
/// let real = vec![Position {
///     event_id: "e".into(), security: 0, direction: Direction::Long,
///     entry: fill(10), exit: fill(90), day0: Some(10), size: 1.0,
///     hedge: None, cost_bps: 10.0, borrow_bps: 0.0,
/// }];
/// let placebo = placebo_positions(&real, &bars, 0, 42);
/// assert_eq!(placebo.len(), 1);
/// assert_eq!(placebo[0].exit.session - placebo[0].entry.session, 80);
/// assert_eq!(placebo, placebo_positions(&real, &bars, 0, 42));
/// ```
pub fn placebo_positions(
    real: &[Position],
    bars: &[Bars],
    calendar: u32,
    seed: u64,
) -> Vec<Position> {
    let Some((start, end)) = span(real, bars) else {
        return Vec::new();
    };
    let mut rng = SimRng::for_stream(seed, u64::from(calendar));
    real.iter()
        .map(|p| {
            let b = &bars[p.security];
            let len = p.exit.session - p.entry.session;
            let lo = b.dates.partition_point(|d| *d < start);
            // last entry whose exit is within the span (the real entry is one)
            let hi = b.dates.partition_point(|d| *d <= end) - 1 - len;
            let fillable =
                |e: usize| present(b, e, p.entry.point) && present(b, e + len, p.exit.point);
            let e = draw(&mut rng, lo, hi, fillable).unwrap_or(p.entry.session);
            moved(p, e, b.dates.len())
        })
        .collect()
}

/// First entry date and last exit date of the real positions.
fn span(real: &[Position], bars: &[Bars]) -> Option<(NaiveDate, NaiveDate)> {
    let start = real
        .iter()
        .map(|p| bars[p.security].dates[p.entry.session])
        .min()?;
    let end = real
        .iter()
        .map(|p| bars[p.security].dates[p.exit.session])
        .max()?;
    Some((start, end))
}

/// Whether `bars` has a usable price at a point.
fn present(b: &Bars, session: usize, point: PricePoint) -> bool {
    let x = match point {
        PricePoint::Open => b.open[session],
        PricePoint::Close => b.close[session],
    };
    x.is_finite() && x > 0.0
}

/// A uniform draw from the entries in `lo..=hi` that are `fillable`: up to [`MAX_DRAWS`]
/// rejection draws, then a uniform pick among all of them listed (None if there is none).
fn draw(rng: &mut SimRng, lo: usize, hi: usize, fillable: impl Fn(usize) -> bool) -> Option<usize> {
    for _ in 0..MAX_DRAWS {
        let e = rng.uniform_int(lo, hi);
        if fillable(e) {
            return Some(e);
        }
    }
    let all: Vec<usize> = (lo..=hi).filter(|&e| fillable(e)).collect();
    (!all.is_empty()).then(|| all[rng.uniform_int(0, all.len() - 1)])
}

/// `p` moved to entry session `e` (day 0 moved with it, dropped outside `0..n`).
fn moved(p: &Position, e: usize, n: usize) -> Position {
    let shift = e as i64 - p.entry.session as i64;
    let mut q = p.clone();
    q.entry.session = e;
    q.exit.session = (p.exit.session as i64 + shift) as usize;
    q.day0 = p.day0.and_then(|d| {
        let d = d as i64 + shift;
        (0..n as i64).contains(&d).then_some(d as usize)
    });
    q
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::backtest::{Direction, Fill, Hedge};

    /// Two securities on 200 weekdays-like sessions; A has no open on every third session
    /// and no close on every fifth; B has every price.
    pub(in crate::backtest::placebo) fn fixture() -> (Vec<Bars>, Vec<Position>) {
        let n = 200usize;
        let day =
            |i: usize| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(i as u64);
        let a = Bars {
            ticker: "A".into(),
            dates: (0..n).map(day).collect(),
            open: (0..n)
                .map(|i| {
                    if i % 3 == 0 {
                        f64::NAN
                    } else {
                        10.0 + (i % 11) as f64
                    }
                })
                .collect(),
            close: (0..n)
                .map(|i| {
                    if i % 5 == 0 {
                        f64::NAN
                    } else {
                        10.5 + (i % 13) as f64
                    }
                })
                .collect(),
        };
        let b = Bars {
            ticker: "B".into(),
            dates: (0..n).map(|i| day(i + 1)).collect(),
            open: (0..n).map(|i| 50.0 + (i % 17) as f64).collect(),
            close: (0..n).map(|i| 50.5 + (i % 19) as f64).collect(),
        };
        let pos =
            |security, entry: (usize, PricePoint), exit: (usize, PricePoint), direction| Position {
                event_id: format!("e{}", entry.0),
                security,
                direction,
                entry: Fill {
                    session: entry.0,
                    point: entry.1,
                },
                exit: Fill {
                    session: exit.0,
                    point: exit.1,
                },
                day0: Some(entry.0 - 1),
                size: 2.0,
                hedge: Some(Hedge {
                    benchmark: 1,
                    beta: 0.7,
                }),
                cost_bps: 5.0,
                borrow_bps: 30.0,
            };
        let real = vec![
            pos(
                0,
                (20, PricePoint::Close),
                (23, PricePoint::Open),
                Direction::Long,
            ),
            pos(
                0,
                (31, PricePoint::Open),
                (33, PricePoint::Close),
                Direction::Short,
            ),
            pos(
                1,
                (40, PricePoint::Open),
                (50, PricePoint::Open),
                Direction::Long,
            ),
            pos(
                0,
                (151, PricePoint::Open),
                (161, PricePoint::Close),
                Direction::Long,
            ),
        ];
        (vec![a, b], real)
    }

    #[test]
    fn same_positions_on_other_fillable_sessions_within_the_span() {
        let (bars, real) = fixture();
        let start = bars[0].dates[20];
        let end = bars[0].dates[161];
        for k in 0..50 {
            let placebo = placebo_positions(&real, &bars, k, 11);
            assert_eq!(placebo.len(), real.len());
            for (p, r) in placebo.iter().zip(&real) {
                let b = &bars[p.security];
                assert_eq!(p.security, r.security);
                assert_eq!(
                    p.exit.session - p.entry.session,
                    r.exit.session - r.entry.session
                );
                assert_eq!((p.entry.point, p.exit.point), (r.entry.point, r.exit.point));
                assert_eq!(
                    (p.direction, p.size, p.hedge),
                    (r.direction, r.size, r.hedge)
                );
                assert_eq!((p.cost_bps, p.borrow_bps), (r.cost_bps, r.borrow_bps));
                assert!(present(b, p.entry.session, p.entry.point));
                assert!(present(b, p.exit.session, p.exit.point));
                assert!(b.dates[p.entry.session] >= start && b.dates[p.exit.session] <= end);
                assert_eq!(p.day0, Some(p.entry.session - 1));
            }
        }
    }

    #[test]
    fn reproducible_by_seed_and_calendar() {
        let (bars, real) = fixture();
        let a = placebo_positions(&real, &bars, 3, 9);
        assert_eq!(a, placebo_positions(&real, &bars, 3, 9));
        assert_ne!(a, placebo_positions(&real, &bars, 4, 9));
        assert_ne!(a, placebo_positions(&real, &bars, 3, 10));
        assert!(placebo_positions(&[], &bars, 0, 1).is_empty());
    }

    #[test]
    fn only_fillable_entry_is_the_real_one() {
        // A's closes exist only on sessions 20 and 23: a close-to-close trade of 3 sessions
        // can only be placed where it was
        let (mut bars, real) = fixture();
        for (i, c) in bars[0].close.iter_mut().enumerate() {
            if i != 20 && i != 23 {
                *c = f64::NAN;
            }
        }
        let mut p = real[0].clone();
        p.exit.point = PricePoint::Close;
        for k in 0..5 {
            let q = placebo_positions(std::slice::from_ref(&p), &bars, k, 1);
            assert_eq!((q[0].entry.session, q[0].exit.session), (20, 23));
        }
    }
}
