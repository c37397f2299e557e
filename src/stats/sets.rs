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
        if let Some((ar, sar)) = usable_day(&e.view(), h.start + k as i32, cfg.trade_to_trade) {
            set.push(i, ar, sar);
        }
    }
    set
}

/// D_t for each day `k` of `ks` (days of H), in one scan over the events: the sets
/// [`day_set`] gives day by day, each event's SARs of those days made at once.
pub(super) fn day_sets(
    events: &[StatsEvent],
    cfg: &StatsConfig,
    h: Window,
    ks: Range<usize>,
) -> Vec<TestSet> {
    let mut sets: Vec<TestSet> = ks
        .clone()
        .map(|_| TestSet::with_capacity(events.len()))
        .collect();
    for (i, e) in events.iter().enumerate() {
        for_usable_days(
            &e.view(),
            (h, cfg.trade_to_trade),
            ks.clone(),
            |j, ar, sar| sets[j].push(i, ar, sar),
        );
    }
    sets
}

/// Calls `each(j, AR, SAR)` for the `j`-th day of `ks` (days of H) on which `r` has a usable
/// AR ([`usable_day`]), in day order; the SARs of all those days are made at once when the
/// pair's event period is H.
fn for_usable_days(
    r: &PairView,
    (h, t2t): (Window, bool),
    ks: Range<usize>,
    mut each: impl FnMut(usize, f64, f64),
) {
    if r.event_period != h || ks.end > r.ar.len().min(r.sar.len()) {
        for (j, k) in ks.enumerate() {
            if let Some((ar, sar)) = usable_day(r, h.start + k as i32, t2t) {
                each(j, ar, sar);
            }
        }
        return;
    }
    for (j, (k, sar)) in ks.clone().zip(r.sar.values_in(ks)).enumerate() {
        let ar = r.ar[k];
        if ar.is_finite() && sar.is_finite() && !(t2t && r.span.get(k) != Some(1)) {
            each(j, ar, sar);
        }
    }
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
        for_usable_days(
            &e.view(),
            (h, cfg.trade_to_trade),
            ks.clone(),
            |j, _, sar| out[j].push(sar),
        );
    }
    out
}

/// C_W for window `w`: the events with the window complete, in event order, and the BHARs of
/// those that have one.
pub(super) fn window_set(events: &[StatsEvent], w: usize) -> (TestSet, Vec<f64>) {
    let (mut set, mut bhar) = (TestSet::with_capacity(events.len()), Vec::new());
    for (i, e) in events.iter().enumerate() {
        if let Some(v) = complete_window(&e.view(), w) {
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
    use super::super::fixtures::{cfg, dates, events, pair, varied_pairs};
    use super::*;

    /// The day sets of one scan are the day sets of each day, bit for bit: days with a
    /// missing AR or SAR, trade-to-trade spans, and a pair whose event period is not H.
    #[test]
    fn day_sets_of_a_scan_are_the_day_set_of_each_day() {
        let d = dates();
        let mut rs = varied_pairs(40);
        for (i, r) in rs.iter_mut().enumerate() {
            r.ar[i % 2] = f64::NAN;
            r.span = vec![1, if i % 3 == 0 { 2 } else { 1 }];
        }
        rs[5].sar[1] = f64::NAN;
        rs[6].event_period = Window { start: 0, end: 1 };
        let day0 = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let days = vec![day0; rs.len()];
        for t2t in [false, true] {
            let mut c = cfg();
            c.trade_to_trade = t2t;
            let events = events(&rs, &d, &days);
            let h = c.event_period();
            let scan = day_sets(&events, &c, h, 0..h.len());
            assert_eq!(scan.len(), h.len());
            for (k, got) in scan.iter().enumerate() {
                let want = day_set(&events, &c, h, k);
                assert!(!want.members.is_empty() && want.members.len() < events.len());
                assert_eq!(got.members, want.members, "day {k}, t2t {t2t}");
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got.x), bits(&want.x));
                assert_eq!(bits(&got.s), bits(&want.s));
            }
        }
    }

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
