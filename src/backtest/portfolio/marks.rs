//! A position's marks on the portfolio calendar (methodology §16.2): the day returns of its
//! stock leg and of its benchmark over the same marks, one portfolio day at a time, without
//! allocating.
//!
//! The stock leg is marked at the entry price, then at each portfolio day's close (the last
//! close at or before the day: a day on which the security has no session or no close moves
//! it by 0, and the move is taken at the next close), and last at the exit price. The
//! benchmark is marked at the same instants: its close carried the same way, and at an open
//! mark its open of that date, or, when it has no open that date, its previous close.

use super::calendar::PortfolioCalendar;
use super::legs::Leg;
use crate::backtest::{Bars, PricePoint};

/// One portfolio day of a position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Step {
    /// Portfolio day.
    pub t: usize,
    /// Return of the stock (unsigned, unhedged) from its previous mark to this one.
    pub stock: f64,
    /// Return of the benchmark over the same marks (0 without a hedge).
    pub bench: f64,
    /// The stock's mark price after the step.
    pub mark: f64,
    /// The security's session marked on this day, if it has one.
    pub session: Option<usize>,
    /// Whether the interval spans the night before the day (false only for the first day of
    /// an entry at the open).
    pub overnight: bool,
}

/// The price of `bars` at a fill point.
pub(crate) fn price(bars: &Bars, session: usize, point: PricePoint) -> f64 {
    match point {
        PricePoint::Open => bars.open[session],
        PricePoint::Close => bars.close[session],
    }
}

/// Iterator over the [`Step`]s of one position.
pub(crate) struct Marks<'a> {
    bars: &'a Bars,
    day_of: &'a [i32],
    /// Next session of the security to mark at a close.
    k: usize,
    /// Sessions below this are marked at their close (the exit session is not when the exit
    /// is at the open).
    k_end: usize,
    exit_session: usize,
    exit_open: bool,
    entry_open: bool,
    first: usize,
    t: usize,
    last: usize,
    prev: f64,
    bench: Option<BenchMarks<'a>>,
}

impl<'a> Marks<'a> {
    /// The marks of `leg` on `cal`; `entry` is its entry price.
    #[inline]
    pub fn new(leg: &Leg, entry: f64, bars: &'a [Bars], cal: &'a PortfolioCalendar) -> Marks<'a> {
        let entry_open = leg.entry.point == PricePoint::Open;
        let exit_open = leg.exit.point == PricePoint::Open;
        let b = &bars[leg.security];
        Marks {
            bars: b,
            day_of: cal.day_of(leg.security),
            k: leg.entry.session + usize::from(!entry_open),
            k_end: leg.exit.session + usize::from(!exit_open),
            exit_session: leg.exit.session,
            exit_open,
            entry_open,
            first: leg.first,
            t: leg.first,
            last: leg.last,
            prev: entry,
            bench: leg.hedge.map(|h| {
                let j = cal.first_session_from(h.benchmark, leg.first);
                let day_of = cal.day_of(h.benchmark);
                BenchMarks::new(&bars[h.benchmark], day_of, j, leg.first, entry_open)
            }),
        }
    }

    /// The stock's mark and session on day `t`.
    #[inline]
    fn stock_mark(&mut self, t: usize) -> (f64, Option<usize>) {
        if self.exit_open && t == self.last {
            return (self.bars.open[self.exit_session], Some(self.exit_session));
        }
        if self.k < self.k_end && self.day_of[self.k] as usize == t {
            let k = self.k;
            self.k += 1;
            let c = self.bars.close[k];
            return (if c.is_finite() { c } else { self.prev }, Some(k));
        }
        (self.prev, None)
    }
}

impl Iterator for Marks<'_> {
    type Item = Step;

    #[inline]
    fn next(&mut self) -> Option<Step> {
        let t = self.t;
        if t > self.last {
            return None;
        }
        let overnight = !(self.entry_open && t == self.first);
        let (mark, session) = self.stock_mark(t);
        let stock = mark / self.prev - 1.0;
        self.prev = mark;
        let open_mark = self.exit_open && t == self.last;
        let bench = match &mut self.bench {
            Some(b) => b.step(t, open_mark),
            None => 0.0,
        };
        self.t += 1;
        Some(Step {
            t,
            stock,
            bench,
            mark,
            session,
            overnight,
        })
    }
}

/// The benchmark leg's marks: a cursor on the benchmark's sessions.
struct BenchMarks<'a> {
    bars: &'a Bars,
    day_of: &'a [i32],
    /// Next benchmark session not yet marked.
    j: usize,
    /// Last finite close of the sessions before `j`.
    close: f64,
    prev: f64,
}

impl<'a> BenchMarks<'a> {
    /// The benchmark's marks from portfolio day `first`, whose first session is `j`.
    fn new(bars: &'a Bars, day_of: &'a [i32], j: usize, first: usize, entry_open: bool) -> Self {
        let close = bars.close[..j]
            .iter()
            .rev()
            .copied()
            .find(|c| c.is_finite())
            .unwrap_or(f64::NAN);
        let mut b = BenchMarks {
            bars,
            day_of,
            j,
            close,
            prev: close,
        };
        if entry_open {
            b.prev = b.open_on(first);
        }
        b
    }

    /// The benchmark's open on day `t`, or its previous close when it has none.
    #[inline]
    fn open_on(&self, t: usize) -> f64 {
        match self.day_of.get(self.j) {
            Some(&d) if d as usize == t && self.bars.open[self.j].is_finite() => {
                self.bars.open[self.j]
            }
            _ => self.close,
        }
    }

    /// The benchmark's return from its previous mark to day `t`'s mark (its open when
    /// `open_mark`, else its close carried); 0 while it has no price.
    #[inline]
    fn step(&mut self, t: usize, open_mark: bool) -> f64 {
        let mark = if open_mark {
            self.open_on(t)
        } else {
            if self.j < self.day_of.len() && self.day_of[self.j] as usize == t {
                let c = self.bars.close[self.j];
                if c.is_finite() {
                    self.close = c;
                }
                self.j += 1;
            }
            self.close
        };
        let r = if mark.is_finite() && self.prev.is_finite() {
            mark / self.prev - 1.0
        } else {
            0.0
        };
        if mark.is_finite() {
            self.prev = mark;
        }
        r
    }
}
