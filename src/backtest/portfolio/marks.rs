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
use crate::backtest::{Bars, Position, PricePoint};

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

/// The portfolio days on which a position earns a return: from the entry day (entry at the
/// open) or the portfolio day after it (entry at the close) to the exit day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// First portfolio day.
    pub first: usize,
    /// Last portfolio day.
    pub last: usize,
}

impl Span {
    /// The span of `p` on `cal`.
    pub fn of(p: &Position, cal: &PortfolioCalendar) -> Span {
        let day_of = cal.day_of(p.security);
        let entry = day_of[p.entry.session] as usize;
        Span {
            first: entry + usize::from(p.entry.point == PricePoint::Close),
            last: day_of[p.exit.session] as usize,
        }
    }
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
    /// The marks of `p` (a position of the simulation) on `cal`.
    pub fn new(p: &Position, bars: &'a [Bars], cal: &'a PortfolioCalendar) -> Marks<'a> {
        let span = Span::of(p, cal);
        let entry_open = p.entry.point == PricePoint::Open;
        let exit_open = p.exit.point == PricePoint::Open;
        let b = &bars[p.security];
        Marks {
            bars: b,
            day_of: cal.day_of(p.security),
            k: p.entry.session + usize::from(!entry_open),
            k_end: p.exit.session + usize::from(!exit_open),
            exit_session: p.exit.session,
            exit_open,
            entry_open,
            first: span.first,
            t: span.first,
            last: span.last,
            prev: price(b, p.entry.session, p.entry.point),
            bench: p.hedge.map(|h| {
                BenchMarks::new(
                    &bars[h.benchmark],
                    cal.day_of(h.benchmark),
                    span,
                    entry_open,
                )
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
    fn new(bars: &'a Bars, day_of: &'a [i32], span: Span, entry_open: bool) -> Self {
        let first = span.first as i32;
        let j = day_of.partition_point(|d| *d < first);
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
            b.prev = b.open_on(span.first);
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
