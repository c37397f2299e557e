//! The test sets of one group (methodology §7.2): D_t, the events with a usable AR on day t of
//! the event period H, and C_W, the events with a complete window W; plus the same-date
//! clusters that give each set its m (§7.3).

use super::correlation::same_date_partners_m;
use super::{StatsConfig, StatsEvent};
use crate::abnormal::{PairView, Window};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::ops::Range;

/// Index of relative day `t` in the event's event-period columns.
#[inline]
fn ar_index(r: &PairView, t: i32) -> Option<usize> {
    let k = t - r.event_period.start;
    (k >= 0 && (k as usize) < r.ar.len()).then_some(k as usize)
}

/// AR and SAR of day t when usable (§7.2: non-NA; span 1 in trade-to-trade mode; the same
/// test as [`usable_days`]).
#[inline]
pub(super) fn usable_day(r: &PairView, t: i32, t2t: bool) -> Option<(f64, f64)> {
    let k = ar_index(r, t)?;
    let ar = r.ar[k];
    let sar = r.sar.get(k).unwrap_or(f64::NAN);
    if !ar.is_finite() || !sar.is_finite() {
        return None;
    }
    if t2t && r.span.get(k) != Some(1) {
        return None;
    }
    Some((ar, sar))
}

/// [`usable_day`] of every day of `h` into `out` (cleared first); the pair's SARs are read
/// once for all the days (into `sar`, a reused buffer).
pub(super) fn usable_days(
    r: &PairView,
    (h, t2t): (Window, bool),
    sar: &mut Vec<f64>,
    out: &mut Vec<Option<(f64, f64)>>,
) {
    sar.clear();
    r.sar.extend_into(sar);
    out.clear();
    out.extend((h.start..=h.end).map(|t| {
        let k = ar_index(r, t)?;
        let (ar, sar) = (r.ar[k], sar[k]);
        let usable = ar.is_finite() && sar.is_finite() && !(t2t && r.span.get(k) != Some(1));
        usable.then_some((ar, sar))
    }));
}

/// CAR, SCAR and BHAR of one complete window of an event.
#[derive(Debug, Clone, Copy)]
pub(super) struct WindowValues {
    pub car: f64,
    pub scar: f64,
    /// None when the BHAR is NA.
    pub bhar: Option<f64>,
}

/// CAR, SCAR and BHAR of window `w_idx` when the window is complete (C_W, §7.2).
pub(super) fn complete_window(r: &PairView, w_idx: usize) -> Option<WindowValues> {
    let w = r.windows.get(w_idx).filter(|w| w.complete)?;
    match (w.car, w.scar) {
        (Some(car), Some(scar)) if car.is_finite() && scar.is_finite() => Some(WindowValues {
            car,
            scar,
            bhar: w.bhar.filter(|b| b.is_finite()),
        }),
        _ => None,
    }
}

/// Collected inputs of one test set: its members (indices into the group's events), their
/// x (AR or CAR) and s (SAR or SCAR).
#[derive(Default)]
pub(super) struct TestSet {
    pub members: Vec<usize>,
    pub x: Vec<f64>,
    pub s: Vec<f64>,
}

impl TestSet {
    fn with_capacity(n: usize) -> Self {
        TestSet {
            members: Vec::with_capacity(n),
            x: Vec::with_capacity(n),
            s: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, i: usize, x: f64, s: f64) {
        self.members.push(i);
        self.x.push(x);
        self.s.push(s);
    }
}

/// D_t for day `k` of H: the events with a usable AR that day, in event order.
pub(super) fn day_set(events: &[StatsEvent], cfg: &StatsConfig, h: Window, k: usize) -> TestSet {
    let mut set = TestSet::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        if let Some((ar, sar)) = usable_day(&e.result, h.start + k as i32, cfg.trade_to_trade) {
            set.push(i, ar, sar);
        }
    }
    set
}

/// The SARs of D_t for days `ks` of H, one vector per day in event order (the `s` of
/// [`day_set`] for each of those days), gathered in one pass over the events.
pub(super) fn day_sars(
    events: &[StatsEvent],
    cfg: &StatsConfig,
    h: Window,
    ks: Range<usize>,
) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = ks.clone().map(|_| Vec::new()).collect();
    for e in events {
        for (k, s) in ks.clone().zip(out.iter_mut()) {
            if let Some((_, sar)) = usable_day(&e.result, h.start + k as i32, cfg.trade_to_trade) {
                s.push(sar);
            }
        }
    }
    out
}

/// C_W for window `w`: the events with the window complete, in event order, and the BHARs of
/// those that have one.
pub(super) fn window_set(events: &[StatsEvent], w: usize) -> (TestSet, Vec<f64>) {
    let (mut set, mut bhar) = (TestSet::with_capacity(events.len()), Vec::new());
    for (i, e) in events.iter().enumerate() {
        if let Some(v) = complete_window(&e.result, w) {
            set.push(i, v.car, v.scar);
            bhar.extend(v.bhar);
        }
    }
    (set, bhar)
}

/// The same-date cluster (distinct day-0 date) of every event of a group (§7.3).
pub(super) struct DateClusters {
    /// Cluster id of each event, in order of first appearance.
    cluster: Vec<usize>,
    n_dates: usize,
}

impl DateClusters {
    pub fn new(events: &[StatsEvent]) -> Self {
        let mut date_ids: HashMap<NaiveDate, usize> = HashMap::new();
        let cluster = events
            .iter()
            .map(|e| {
                let next = date_ids.len();
                *date_ids.entry(e.day0).or_insert(next)
            })
            .collect();
        DateClusters {
            cluster,
            n_dates: date_ids.len(),
        }
    }

    /// m of a test set: the same-date partners of its members (§7.3).
    pub fn partners_m(&self, members: &[usize]) -> f64 {
        let mut counts = vec![0usize; self.n_dates];
        for &i in members {
            counts[self.cluster[i]] += 1;
        }
        let sizes: Vec<usize> = counts.into_iter().filter(|&c| c > 0).collect();
        same_date_partners_m(&sizes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::pair;
    use super::*;

    #[test]
    fn usable_days_are_the_usable_day_of_each_day() {
        // day 0 missing, day 1 usable in daily mode but of span 2 in trade-to-trade mode;
        // H reaching one day either side of the pair's event period
        let mut p = pair(7, [f64::NAN, 0.02], 30);
        p.span = vec![0, 2];
        let h = Window { start: -1, end: 2 };
        let (mut sar, mut days) = (Vec::new(), Vec::new());
        for t2t in [false, true] {
            usable_days(&p.view(), (h, t2t), &mut sar, &mut days);
            let each: Vec<_> = (h.start..=h.end)
                .map(|t| usable_day(&p.view(), t, t2t))
                .collect();
            assert_eq!(days, each, "t2t {t2t}");
            let want = if t2t { None } else { Some((0.02, 2.0)) };
            assert_eq!(days, vec![None, None, want, None], "t2t {t2t}");
        }
    }
}
