//! The portfolio calendar (methodology §16.2): the union of the session dates of the
//! securities and benchmarks traded, from the first entry date to the last exit date, and the
//! map from each security's sessions to portfolio days.
//!
//! Securities of one exchange share one session calendar, so the map is built once per
//! distinct calendar, not once per security.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::backtest::{Bars, Position};

/// `day_of` value of a session before the first portfolio day.
pub(crate) const BEFORE: i32 = -1;
/// `day_of` value of a session after the last portfolio day.
pub(crate) const AFTER: i32 = i32::MAX;

/// Portfolio days and the session → portfolio-day map of every traded security and benchmark.
#[derive(Debug, Clone)]
pub(crate) struct PortfolioCalendar {
    /// Portfolio dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// Calendar days since the previous portfolio day (0 on the first).
    pub nights: Vec<f64>,
    /// Days since the common era of each portfolio day.
    day_number: Vec<i32>,
    /// Per bars index: its calendar's index in `day_of` (`u32::MAX` when not traded).
    calendar_of: Vec<u32>,
    /// Per distinct calendar: the portfolio day of each session ([`BEFORE`] / [`AFTER`] outside).
    day_of: Vec<Vec<i32>>,
    /// Per distinct calendar of a hedge benchmark: for each portfolio day t (and t = len), the
    /// first session whose portfolio day is t or later.
    first_from: Vec<Vec<u32>>,
}

impl PortfolioCalendar {
    /// The calendar of `positions` (not empty) on `bars`.
    pub fn build(bars: &[Bars], positions: &[Position]) -> Self {
        let (start, end) = span(bars, positions);
        let (calendar_of, reps) = distinct_calendars(bars, positions);
        let mut dates: Vec<NaiveDate> = Vec::new();
        for &r in &reps {
            let d = &bars[r].dates;
            let lo = d.partition_point(|x| *x < start);
            let hi = d.partition_point(|x| *x <= end);
            dates.extend_from_slice(&d[lo..hi.max(lo)]);
        }
        dates.sort_unstable();
        dates.dedup();
        let day_of: Vec<Vec<i32>> = reps
            .iter()
            .map(|&r| map_sessions(&bars[r].dates, &dates))
            .collect();
        let mut first_from = vec![Vec::new(); reps.len()];
        for h in positions.iter().filter_map(|p| p.hedge) {
            let c = calendar_of[h.benchmark] as usize;
            if first_from[c].is_empty() {
                first_from[c] = first_sessions(&day_of[c], dates.len());
            }
        }
        let nights = dates
            .iter()
            .enumerate()
            .map(|(t, d)| match t {
                0 => 0.0,
                _ => (*d - dates[t - 1]).num_days() as f64,
            })
            .collect();
        let day_number = dates.iter().map(|d| d.num_days_from_ce()).collect();
        PortfolioCalendar {
            dates,
            nights,
            day_number,
            calendar_of,
            day_of,
            first_from,
        }
    }

    /// Number of portfolio days.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Calendar days from portfolio day `a` to portfolio day `b`.
    #[inline]
    pub fn days_between(&self, a: usize, b: usize) -> f64 {
        f64::from(self.day_number[b] - self.day_number[a])
    }

    /// The first session of hedge benchmark `bar` whose portfolio day is `t` or later.
    #[inline]
    pub fn first_session_from(&self, bar: usize, t: usize) -> usize {
        self.first_from[self.calendar_of[bar] as usize][t] as usize
    }

    /// The portfolio day of each session of the traded bars `bar`.
    pub fn day_of(&self, bar: usize) -> &[i32] {
        &self.day_of[self.calendar_of[bar] as usize]
    }
}

/// First entry date and last exit date.
fn span(bars: &[Bars], positions: &[Position]) -> (NaiveDate, NaiveDate) {
    let mut start = NaiveDate::MAX;
    let mut end = NaiveDate::MIN;
    for p in positions {
        let d = &bars[p.security].dates;
        start = start.min(d[p.entry.session]);
        end = end.max(d[p.exit.session]);
    }
    (start, end)
}

/// Per bars index the index of its distinct calendar (`u32::MAX` when not traded), and one
/// representative bars index per distinct calendar.
fn distinct_calendars(bars: &[Bars], positions: &[Position]) -> (Vec<u32>, Vec<usize>) {
    let mut traded = vec![false; bars.len()];
    for p in positions {
        traded[p.security] = true;
        if let Some(h) = p.hedge {
            traded[h.benchmark] = true;
        }
    }
    let mut calendar_of = vec![u32::MAX; bars.len()];
    let mut reps: Vec<usize> = Vec::new();
    let mut by_key: HashMap<(usize, Option<NaiveDate>, Option<NaiveDate>), Vec<u32>> =
        HashMap::new();
    let mut last: Option<u32> = None;
    for (i, _) in traded.iter().enumerate().filter(|(_, t)| **t) {
        let d = &bars[i].dates;
        // consecutive securities usually share their exchange's calendar
        let c = match last {
            Some(c) if same_dates(&bars[reps[c as usize]].dates, d) => c,
            _ => {
                let key = (d.len(), d.first().copied(), d.last().copied());
                let same = by_key.entry(key).or_default();
                match same
                    .iter()
                    .copied()
                    .find(|&c| bars[reps[c as usize]].dates == *d)
                {
                    Some(c) => c,
                    None => {
                        let c = reps.len() as u32;
                        reps.push(i);
                        same.push(c);
                        c
                    }
                }
            }
        };
        calendar_of[i] = c;
        last = Some(c);
    }
    (calendar_of, reps)
}

/// Whether two session calendars are equal: compared 16 dates at a time without an early
/// exit inside a block, so the comparison runs in vector registers (every traded security's
/// dates are compared, millions of them in a large backtest).
fn same_dates(a: &[NaiveDate], b: &[NaiveDate]) -> bool {
    const BLOCK: usize = 16;
    a.len() == b.len()
        && a.chunks(BLOCK)
            .zip(b.chunks(BLOCK))
            .all(|(x, y)| x.iter().zip(y).fold(true, |eq, (p, q)| eq & (p == q)))
}

/// For each portfolio day t in `0..=days`, the first session whose portfolio day is t or later.
fn first_sessions(day_of: &[i32], days: usize) -> Vec<u32> {
    let mut k = 0;
    (0..=days)
        .map(|t| {
            while k < day_of.len() && day_of[k] < t as i32 {
                k += 1;
            }
            k as u32
        })
        .collect()
}

/// The portfolio day of each session: its index in `days` (which holds every session date
/// between the first and the last portfolio day), [`BEFORE`] or [`AFTER`] outside them.
fn map_sessions(sessions: &[NaiveDate], days: &[NaiveDate]) -> Vec<i32> {
    let mut out = Vec::with_capacity(sessions.len());
    let mut t = 0usize;
    for d in sessions {
        while t < days.len() && days[t] < *d {
            t += 1;
        }
        out.push(match days.get(t) {
            Some(x) if x == d => t as i32,
            _ if t == 0 => BEFORE,
            _ => AFTER,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::{Direction, Fill, PricePoint};

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn bars(dates: &[&str]) -> Bars {
        Bars {
            ticker: "X".into(),
            dates: dates.iter().map(|d| date(d)).collect(),
            open: vec![1.0; dates.len()],
            close: vec![1.0; dates.len()],
        }
    }

    fn position(security: usize, entry: usize, exit: usize) -> Position {
        Position {
            event_id: "e".into(),
            security,
            direction: Direction::Long,
            entry: Fill {
                session: entry,
                point: PricePoint::Close,
            },
            exit: Fill {
                session: exit,
                point: PricePoint::Close,
            },
            day0: None,
            size: 1.0,
            hedge: None,
            cost_bps: 0.0,
            borrow_bps: 0.0,
        }
    }

    #[test]
    fn union_of_two_exchanges_between_first_entry_and_last_exit() {
        // A trades Mon 2 … Fri 6 Jan 2023 except Wed 4; B trades all but Thu 5.
        let a = bars(&["2023-01-02", "2023-01-03", "2023-01-05", "2023-01-06"]);
        let b = bars(&["2023-01-02", "2023-01-03", "2023-01-04", "2023-01-06"]);
        let unused = bars(&["2023-01-07"]);
        // A from Tue 3 to Fri 6, B from Mon 2 to Wed 4
        let positions = [position(0, 1, 3), position(1, 0, 2)];
        let cal = PortfolioCalendar::build(&[a, b, unused], &positions);
        let expect: Vec<NaiveDate> = [
            "2023-01-02",
            "2023-01-03",
            "2023-01-04",
            "2023-01-05",
            "2023-01-06",
        ]
        .iter()
        .map(|d| date(d))
        .collect();
        assert_eq!(cal.dates, expect);
        assert_eq!(cal.day_of(0), &[0, 1, 3, 4]);
        assert_eq!(cal.day_of(1), &[0, 1, 2, 4]);
        assert_eq!(cal.nights, vec![0.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(first_sessions(cal.day_of(1), 5), vec![0, 1, 2, 3, 3, 4]);
    }

    #[test]
    fn sessions_outside_the_span_and_shared_calendars() {
        let d = [
            "2023-01-02",
            "2023-01-03",
            "2023-01-04",
            "2023-01-05",
            "2023-01-09",
        ];
        let positions = [position(0, 1, 2), position(1, 1, 2)];
        let cal = PortfolioCalendar::build(&[bars(&d), bars(&d)], &positions);
        assert_eq!(cal.len(), 2);
        assert_eq!(cal.day_of(0), &[BEFORE, 0, 1, AFTER, AFTER]);
        assert_eq!(cal.day_of.len(), 1);
        let d: Vec<NaiveDate> = (1..=40)
            .map(|i| date("2023-01-01") + chrono::Days::new(i))
            .collect();
        let mut e = d.clone();
        assert!(same_dates(&d, &e));
        e[37] = date("2024-01-01");
        assert!(!same_dates(&d, &e));
        assert!(!same_dates(&d, &d[..39]));
    }
}
