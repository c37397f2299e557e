//! The single pass over a group's events (methodology §7.4, §8.2, §9.3, §9.5): the rank U of
//! every estimation and event day, the GRANK U of every test set, the AAR_τ sums of the CDA
//! scale and each event's p̂, in parallel chunks merged in event order.
//!
//! Per event with M residuals, S GRANK test sets and |H| event days: one sort of the
//! residuals, O(M) for residual-like data and O(M log M) at worst ([`sort_by_value`]);
//! midranks and the merge with the sorted usable event ARs, O(M + |H| log |H|); GRANK,
//! O(M + S·(log M + min(k, M − k))) where k is the number of residuals at or below SCAR* (the
//! shorter side of the split is written; complete-data events add the other side as one
//! scalar per set). The base U of the estimation days is the same for every test set of the
//! event and is summed once per distinct set membership. No allocation per event (scratch
//! buffers are reused).

use super::event_ranks::{midrank_u, EventRanks};
use super::nonparametric::{grank_t, rank_s_v, DayU, RankScale};
use super::parametric::{s_cda, CdaScale};
use super::sets::{complete_window, day_sars, usable_days, window_set};
use super::{sd, StatsConfig, StatsEvent, TestStat};
use crate::abnormal::{PairView, Window};
use rayon::prelude::*;
use std::ops::Range;

/// Days of H whose SARs the setup gathers in one pass over a group's events: 8 vectors of
/// one f64 per event at a time (32 MB for 500,000 events), a few passes instead of |H|.
const DAYS_PER_SCAN: usize = 8;

/// What the pass needs to know about the group: the windows, the event period H and the
/// GRANK test sets.
pub(super) struct PassSetup<'a> {
    pub cfg: &'a StatsConfig,
    pub h: Window,
    /// sd of SCAR (day: SAR) over each GRANK test set (days first, then windows); None when
    /// the set has fewer than two members or no spread.
    pub scar_sd: Vec<Option<f64>>,
}

impl<'a> PassSetup<'a> {
    /// The setup of the test sets of a group's `events`: the SARs of [`DAYS_PER_SCAN`] days
    /// at a time gathered in one pass over the events, and each window's set in turn (in
    /// parallel), each kept for its sd and dropped.
    pub fn new(cfg: &'a StatsConfig, h: Window, events: &[StatsEvent]) -> Self {
        let (nh, nw) = (h.len(), cfg.windows.len());
        let day_groups: Vec<Range<usize>> = (0..nh)
            .step_by(DAYS_PER_SCAN)
            .map(|k| k..(k + DAYS_PER_SCAN).min(nh))
            .collect();
        let sd_of = |s: &[f64]| sd(s).filter(|v| *v > 0.0);
        let day_sd: Vec<Vec<Option<f64>>> = day_groups
            .into_par_iter()
            .map(|ks| {
                day_sars(events, cfg, h, ks)
                    .iter()
                    .map(|s| sd_of(s))
                    .collect()
            })
            .collect();
        let window_sd: Vec<Option<f64>> = (0..nw)
            .into_par_iter()
            .map(|w| sd_of(&window_set(events, w).0.s))
            .collect();
        let scar_sd = day_sd.into_iter().flatten().chain(window_sd).collect();
        PassSetup { cfg, h, scar_sd }
    }

    fn n_sets(&self) -> usize {
        self.scar_sd.len()
    }

    fn l_est(&self) -> usize {
        self.cfg.estimation.len()
    }

    /// SCAR*_i of event `r` in set `k` (None when not a member or the set has no sd); `days`
    /// holds the event's usable (AR, SAR) of each day of H.
    fn scar_star(&self, r: &PairView, days: &[Option<(f64, f64)>], k: usize) -> Option<f64> {
        let s = self.scar_sd[k]?;
        let nh = self.h.len();
        let x = if k < nh {
            days[k]?.1
        } else {
            complete_window(r, k - nh)?.scar
        };
        Some(x / s)
    }
}

/// The sums of the pass over a set of events (one chunk, or the whole group once merged).
pub(super) struct PassSums {
    /// The per-event values, one part per chunk in event order (kept as the chunks made
    /// them, not copied into one array).
    parts: Vec<EventValues>,
    /// Events per chunk (every part but the last holds this many).
    chunk_len: usize,
    cda_sum: Vec<f64>,
    cda_cnt: Vec<u32>,
    v_sum: Vec<f64>,
    v_cnt: Vec<u32>,
    g_sum: Vec<f64>,
    g_cnt: Vec<u32>,
    u0_sum: Vec<f64>,
}

/// The per-event values of one chunk of the pass.
struct EventValues {
    /// p̂ of each event (§7.4).
    p_hat: Vec<f64>,
    /// U of the event-period days, `|H|` per event (NaN where no usable AR).
    u_event: EventRanks,
}

impl PassSums {
    /// Empty sums; with one part for the per-event values of `n_events` events (a chunk)
    /// when `n_events > 0`.
    fn zeros(setup: &PassSetup, n_events: usize) -> Self {
        let (l_est, nh, ns) = (setup.l_est(), setup.h.len(), setup.n_sets());
        let parts = (n_events > 0)
            .then(|| EventValues {
                p_hat: Vec::with_capacity(n_events),
                u_event: EventRanks::with_capacity(n_events, nh, l_est + nh),
            })
            .into_iter()
            .collect();
        PassSums {
            parts,
            chunk_len: n_events.max(1),
            cda_sum: vec![0.0; l_est],
            cda_cnt: vec![0; l_est],
            v_sum: vec![0.0; l_est + nh],
            v_cnt: vec![0; l_est + nh],
            g_sum: vec![0.0; ns * l_est],
            g_cnt: vec![0; ns * l_est],
            u0_sum: vec![0.0; ns],
        }
    }

    /// Appends the per-event values (moved, not copied) and adds the sums of a later chunk.
    fn absorb(&mut self, p: PassSums) {
        self.parts.extend(p.parts);
        add_into(&mut self.cda_sum, &p.cda_sum);
        add_into(&mut self.cda_cnt, &p.cda_cnt);
        add_into(&mut self.v_sum, &p.v_sum);
        add_into(&mut self.v_cnt, &p.v_cnt);
        add_into(&mut self.g_sum, &p.g_sum);
        add_into(&mut self.g_cnt, &p.g_cnt);
        add_into(&mut self.u0_sum, &p.u0_sum);
    }

    /// The CDA scale S_CDA from AAR_τ = mean of the residuals of estimation day τ (§8.2).
    pub fn cda_scale(&self) -> Option<CdaScale> {
        let aar_tau: Vec<f64> = self
            .cda_sum
            .iter()
            .zip(&self.cda_cnt)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
            .collect();
        s_cda(&aar_tau)
    }

    /// S_V of the rank test and T, from V_τ = Σ U / √n_τ over the ranking period (§9.3).
    pub fn rank_scale(&self) -> Option<RankScale> {
        let v_tau: Vec<f64> = self
            .v_sum
            .iter()
            .zip(&self.v_cnt)
            .map(|(s, &c)| {
                if c > 0 {
                    s / (c as f64).sqrt()
                } else {
                    f64::NAN
                }
            })
            .collect();
        rank_s_v(&v_tau)
    }

    /// The per-event values of event `i`: its part and its place in the part.
    fn event(&self, i: usize) -> (&EventValues, usize) {
        (&self.parts[i / self.chunk_len], i % self.chunk_len)
    }

    /// p̂ of event `i` (§7.4).
    pub fn p_hat(&self, i: usize) -> f64 {
        let (part, j) = self.event(i);
        part.p_hat[j]
    }

    /// U of event `i` on day `k` of H (NaN where it has no usable AR).
    fn u_event(&self, i: usize, nh: usize, k: usize) -> f64 {
        let (part, j) = self.event(i);
        debug_assert!(k < nh);
        part.u_event.u(j, k)
    }

    /// Σ U and the number of finite U of event-period day `k` of H over `members`, summed in
    /// member order (the bits of [`DayU::of`] the same U collected).
    pub fn day_u(&self, members: &[usize], nh: usize, k: usize) -> DayU {
        let mut n = 0;
        let sum = members
            .iter()
            .map(|&i| self.u_event(i, nh, k))
            .filter(|u| u.is_finite())
            .inspect(|_| n += 1)
            .sum();
        DayU { sum, n }
    }

    /// GRANK t of test set `k` with `n_set` members (§9.5); None when the set has no sd.
    pub fn grank(&self, setup: &PassSetup, k: usize, n_set: usize) -> Option<TestStat> {
        setup.scar_sd[k]?;
        let l_est = setup.l_est();
        let gs = &self.g_sum[k * l_est..(k + 1) * l_est];
        let gc = &self.g_cnt[k * l_est..(k + 1) * l_est];
        let ubar: Vec<f64> = gs
            .iter()
            .zip(gc)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
            .collect();
        let cnt: Vec<usize> = gc.iter().map(|&c| c as usize).collect();
        grank_t(&ubar, &cnt, self.u0_sum[k] / n_set as f64, n_set)
    }
}

/// The pass over all `events`, in the chunks of [`chunk_ranges`] run in parallel and merged
/// in event order.
///
/// The sums are floating-point, so their value depends on where the chunks split: the split
/// depends on the number of events only, never on the number of threads, and the same study
/// gives the same bytes on any machine.
pub(super) fn rank_pass(events: &[StatsEvent], setup: &PassSetup) -> PassSums {
    let n = events.len();
    let ranges = chunk_ranges(n);
    // One task per chunk (`with_max_len`): without it the last half of the chunks can run
    // on one thread while the other waits.
    let parts: Vec<PassSums> = ranges
        .par_iter()
        .with_max_len(1)
        .map(|r| process_chunk(events, r.clone(), setup))
        .collect();
    let mut total = PassSums::zeros(setup, 0);
    total.chunk_len = ranges.first().map_or(1, |r| r.len());
    for p in parts {
        total.absorb(p);
    }
    total
}

/// The chunks of the pass over `n` events: n/8 events each, clamped to 64–4096 (from 512 to
/// 32,768 events eight chunks and the remainder, enough to share among the cores of a
/// workstation; at least 64 events so that a chunk's fixed cost is paid over many; at most
/// 4,096 so that a chunk's buffers stay small). A function of `n` alone, so that the reduction
/// order, and so every bit of the sums, is the same at any thread count.
fn chunk_ranges(n: usize) -> Vec<Range<usize>> {
    let chunk = (n / CHUNKS).clamp(MIN_CHUNK_EVENTS, MAX_CHUNK_EVENTS);
    (0..n)
        .step_by(chunk)
        .map(|s| s..(s + chunk).min(n))
        .collect()
}

/// Number of chunks of the pass below [`MAX_CHUNK_EVENTS`] · 8 events.
const CHUNKS: usize = 8;
/// Fewest events in a chunk of the pass.
const MIN_CHUNK_EVENTS: usize = 64;
/// Most events in a chunk of the pass.
const MAX_CHUNK_EVENTS: usize = 4096;

/// The pass over the events of `range`: per event the AAR_τ sums and p̂, the rank U and the
/// GRANK U, then the per-membership GRANK sums folded into the test sets.
fn process_chunk(events: &[StatsEvent], range: Range<usize>, setup: &PassSetup) -> PassSums {
    let mut out = PassSums::zeros(setup, range.len());
    let mut sorted = SortedResiduals::with_capacity(setup.l_est());
    let mut ranks = RankScratch::default();
    let mut grank = GrankAcc::new(setup.n_sets());
    let mut resid_buf = Vec::with_capacity(setup.l_est());
    let mut days = Vec::with_capacity(setup.h.len());
    let mut sar_buf = Vec::with_capacity(setup.h.len());
    for i in range {
        let r = events[i].view();
        let resid = r.est_resid.values(&mut resid_buf);
        let resid = &resid[..resid.len().min(setup.l_est())];
        let positive = add_aar_sums(resid, &mut out);
        sorted.fill(resid);
        let m = sorted.len();
        out.parts[0].p_hat.push(if m > 0 {
            positive as f64 / m as f64
        } else {
            f64::NAN
        });
        sorted.sort_and_rank();
        let h_t2t = (setup.h, setup.cfg.trade_to_trade);
        usable_days(&r, h_t2t, &mut sar_buf, &mut days);
        add_rank_u(&days, &sorted, setup, &mut ranks, &mut out);
        grank.add_event(&r, &days, &sorted, setup, &mut out);
    }
    grank.fold_into(&mut out, setup.l_est());
    out
}

/// Adds the non-NaN residuals to the AAR_τ sums (branch-free, vectorizable) and returns the
/// number of positive residuals (the numerator of p̂).
fn add_aar_sums(resid: &[f64], out: &mut PassSums) -> usize {
    let mut pos = 0usize;
    for ((&e, s), c) in resid
        .iter()
        .zip(out.cda_sum.iter_mut())
        .zip(out.cda_cnt.iter_mut())
    {
        let ok = !e.is_nan();
        *s += if ok { e } else { 0.0 };
        *c += ok as u32;
        pos += (e > 0.0) as usize;
    }
    pos
}

/// The non-NaN residuals of one event as (value, τ), sorted by value, with their midranks
/// among themselves (buffers reused from event to event).
struct SortedResiduals {
    est: Vec<(f64, u32)>,
    rank: Vec<f64>,
    sort_scratch: Vec<(f64, u32)>,
    bucket_counts: Vec<u32>,
}

impl SortedResiduals {
    fn with_capacity(l_est: usize) -> Self {
        SortedResiduals {
            est: Vec::with_capacity(l_est),
            rank: Vec::with_capacity(l_est),
            sort_scratch: Vec::with_capacity(l_est),
            bucket_counts: Vec::with_capacity(2 * l_est + 1),
        }
    }

    fn len(&self) -> usize {
        self.est.len()
    }

    /// The non-NaN residuals in τ order.
    fn fill(&mut self, resid: &[f64]) {
        let est = &mut self.est;
        est.clear();
        est.resize(resid.len(), (0.0, 0));
        let mut w = 0;
        for (tau, &e) in resid.iter().enumerate() {
            est[w] = (e, tau as u32);
            w += !e.is_nan() as usize;
        }
        est.truncate(w);
    }

    /// Sorts by value and computes the midranks of the values among themselves.
    fn sort_and_rank(&mut self) {
        sort_by_value(
            &mut self.est,
            &mut self.sort_scratch,
            &mut self.bucket_counts,
        );
        let (est, m) = (&self.est, self.est.len());
        self.rank.clear();
        self.rank.resize(m, 0.0);
        let mut j = 0;
        while j < m {
            if j + 1 < m && est[j + 1].0 == est[j].0 {
                let mut k = j + 2;
                while k < m && est[k].0 == est[j].0 {
                    k += 1;
                }
                let rk = (j + 1 + k) as f64 / 2.0;
                self.rank[j..k].iter_mut().for_each(|v| *v = rk);
                j = k;
            } else {
                self.rank[j] = (j + 1) as f64;
                j += 1;
            }
        }
    }
}

/// Reused buffers of the rank test: the sorted usable event ARs as (value, slot) and the
/// per-position rank shift of the residuals.
#[derive(Default)]
struct RankScratch {
    evt: Vec<(f64, u32)>,
    shift: Vec<f64>,
}

/// Rank test (§9.3): U of every residual and usable event-period AR (`days`: the usable
/// (AR, SAR) of each day of H), ranked over the residuals and the usable ARs together, added
/// to V_τ and recorded for the event days.
fn add_rank_u(
    days: &[Option<(f64, f64)>],
    sorted: &SortedResiduals,
    setup: &PassSetup,
    scratch: &mut RankScratch,
    out: &mut PassSums,
) {
    let l_est = setup.l_est();
    let evt = &mut scratch.evt;
    evt.clear();
    for (k, day) in days.iter().enumerate() {
        if let Some((ar, _)) = *day {
            evt.push((ar, (l_est + k) as u32));
        }
    }
    evt.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let inv_n = 1.0 / ((sorted.len() + evt.len()) as f64 + 1.0);
    let event = out.parts[0].u_event.push_event(inv_n);
    add_event_ar_u(sorted, evt, (inv_n, event), l_est, &mut scratch.shift, out);
    let mut running = 0.0;
    for ((p, &rk), &d) in sorted.est.iter().zip(&sorted.rank).zip(&scratch.shift) {
        running += d;
        let slot = p.1 as usize;
        out.v_sum[slot] += midrank_u(rk + running, inv_n);
        out.v_cnt[slot] += 1;
    }
}

/// U of the sorted usable event ARs `evt` (midranks among the residuals and the ARs), and in
/// `shift` (as differences over sorted residual positions) how far each residual's rank moves:
/// #AR < est[j] + #AR = est[j] / 2.
fn add_event_ar_u(
    sorted: &SortedResiduals,
    evt: &[(f64, u32)],
    (inv_n, event): (f64, usize),
    l_est: usize,
    shift: &mut Vec<f64>,
    out: &mut PassSums,
) {
    let (est, m, ne) = (&sorted.est, sorted.len(), evt.len());
    shift.clear();
    shift.resize(m + 1, 0.0);
    let mut b = 0;
    while b < ne {
        // event AR group b..c: #residuals < v + own midrank among the ARs + #residuals = v / 2
        let v = evt[b].0;
        let mut c = b + 1;
        while c < ne && evt[c].0 == v {
            c += 1;
        }
        let lower = est.partition_point(|p| p.0 < v);
        let upper = tie_end(|j| est[j].0, m, lower, v);
        // twice the midrank: 2·lower + (b + 1 + c) + (upper − lower), an integer
        let doubled = lower + b + 1 + c + upper;
        let u = midrank_u(doubled as f64 / 2.0, inv_n);
        for p in &evt[b..c] {
            let slot = p.1 as usize;
            out.v_sum[slot] += u;
            out.v_cnt[slot] += 1;
            out.parts[0].u_event.set(event, slot - l_est, doubled);
        }
        let cnt = (c - b) as f64;
        shift[upper] += cnt;
        if upper > lower {
            shift[lower] += cnt / 2.0;
            shift[upper] -= cnt / 2.0;
        }
        b = c;
    }
}

/// The end of the run of sorted values equal to `v` that starts at `lower` (the first value not
/// below `v`); `at(j)` is the j-th of the `m` sorted values.
fn tie_end(at: impl Fn(usize) -> f64, m: usize, lower: usize, v: f64) -> usize {
    let mut upper = lower;
    while upper < m && at(upper) <= v {
        upper += 1;
    }
    upper
}

/// Per-chunk GRANK accumulators of the events that belong to the same test sets: their base U
/// (rank among the residuals alone) and presence counts are summed once per event, and added to
/// each of their test sets once per chunk.
struct MembershipAcc {
    /// Which GRANK test sets the events belong to.
    member: Vec<bool>,
    u_base_sum: Vec<f64>,
    present_cnt: Vec<u32>,
}

/// The GRANK state of one chunk: per-membership base U sums, the dense adds of complete-data
/// events and reused per-event buffers.
struct GrankAcc {
    /// +inv added to every estimation day of the set (complete-data events only).
    dense_add: Vec<f64>,
    memberships: Vec<MembershipAcc>,
    gsar: Vec<f64>,
    x0s: Vec<Option<f64>>,
    member: Vec<bool>,
    /// The member sets in increasing order of SCAR*, and the number of GSAR below each
    /// set's SCAR*.
    by_x0: Vec<usize>,
    below: Vec<usize>,
}

impl GrankAcc {
    fn new(n_sets: usize) -> Self {
        GrankAcc {
            dense_add: vec![0.0; n_sets],
            memberships: Vec::new(),
            gsar: Vec::new(),
            x0s: vec![None; n_sets],
            member: vec![false; n_sets],
            by_x0: Vec::with_capacity(n_sets),
            below: vec![0; n_sets],
        }
    }

    /// GRANK (§9.5) of one event (`days`: its usable (AR, SAR) of each day of H): GSAR = ε̂/σ̂
    /// keeps the order of ε̂, so the sorted residuals give the ranks of the GSAR; SCAR* is
    /// placed among them by binary search per test set.
    fn add_event(
        &mut self,
        r: &PairView,
        days: &[Option<(f64, f64)>],
        sorted: &SortedResiduals,
        setup: &PassSetup,
        out: &mut PassSums,
    ) {
        let sigma = r.fit.sigma;
        let m = sorted.len();
        if !(sigma > 0.0 && sigma.is_finite()) || m == 0 || !self.find_memberships(r, days, setup) {
            return;
        }
        let inv = 1.0 / (m + 2) as f64; // 1/(n_i + 1) with n_i = M + 1
        self.gsar.clear();
        self.gsar.extend(sorted.est.iter().map(|p| p.0 / sigma));
        self.add_base_u(sorted, setup.l_est(), inv);
        self.place_x0s();
        let complete = m == setup.l_est();
        for k in 0..self.x0s.len() {
            let Some(x0) = self.x0s[k] else { continue };
            let l_est = setup.l_est();
            let gs = &mut out.g_sum[k * l_est..(k + 1) * l_est];
            let u0 = self.add_set_u(sorted, (x0, self.below[k]), inv, complete, k, gs);
            out.u0_sum[k] += u0;
        }
    }

    /// The number of GSAR below each member set's SCAR* (`gsar.partition_point(|g| g < x0)`),
    /// found in one walk over the sorted GSAR with the SCAR* in increasing order: O(M + S log
    /// S) instead of S binary searches whose steps wait on each other.
    fn place_x0s(&mut self) {
        let x0s = &self.x0s;
        self.by_x0.clear();
        self.by_x0
            .extend((0..x0s.len()).filter(|&k| x0s[k].is_some()));
        let x0 = |k: usize| x0s[k].unwrap_or(f64::NAN);
        self.by_x0
            .sort_unstable_by(|&a, &b| x0(a).total_cmp(&x0(b)));
        let (gsar, mut j) = (&self.gsar, 0);
        for &k in &self.by_x0 {
            let v = x0(k);
            while j < gsar.len() && gsar[j] < v {
                j += 1;
            }
            self.below[k] = j;
        }
    }

    /// SCAR* of the event (`days`: its usable (AR, SAR) of each day of H) in every test set;
    /// whether it belongs to any.
    fn find_memberships(
        &mut self,
        r: &PairView,
        days: &[Option<(f64, f64)>],
        setup: &PassSetup,
    ) -> bool {
        let mut any_member = false;
        for k in 0..self.x0s.len() {
            self.x0s[k] = setup.scar_star(r, days, k);
            self.member[k] = self.x0s[k].is_some();
            any_member |= self.member[k];
        }
        any_member
    }

    /// Base U of each estimation day, once per event into its membership accumulator.
    fn add_base_u(&mut self, sorted: &SortedResiduals, l_est: usize, inv: f64) {
        let acc = match self
            .memberships
            .iter()
            .position(|a| a.member == self.member)
        {
            Some(p) => &mut self.memberships[p],
            None => {
                self.memberships.push(MembershipAcc {
                    member: self.member.clone(),
                    u_base_sum: vec![0.0; l_est],
                    present_cnt: vec![0; l_est],
                });
                self.memberships.last_mut().expect("just pushed")
            }
        };
        for (p, &rk) in sorted.est.iter().zip(&sorted.rank) {
            let tau = p.1 as usize;
            acc.u_base_sum[tau] += rk * inv - 0.5;
            acc.present_cnt[tau] += 1;
        }
    }

    /// The change SCAR* `x0` makes to the U of the estimation days of test set `k` (written
    /// into `gs`), and U of SCAR* itself; `lower` GSAR are below `x0`.
    fn add_set_u(
        &mut self,
        sorted: &SortedResiduals,
        (x0, lower): (f64, usize),
        inv: f64,
        complete: bool,
        k: usize,
        gs: &mut [f64],
    ) -> f64 {
        let (est, m) = (&sorted.est, sorted.len());
        // GSAR_j = est[j].0 / σ̂, non-decreasing in j
        let gsar = &self.gsar;
        let upper = tie_end(|j| gsar[j], m, lower, x0);
        let k0 = lower as f64 + 1.0 + (upper - lower) as f64 / 2.0;
        let u0 = k0 * inv - 0.5;
        // values above SCAR* move up one rank
        if complete && upper < m - upper {
            self.dense_add[k] += inv;
            for p in &est[..upper] {
                gs[p.1 as usize] -= inv;
            }
        } else {
            for p in &est[upper..] {
                gs[p.1 as usize] += inv;
            }
        }
        // values tied with SCAR* share its midrank
        for (p, &rk) in est[lower..upper].iter().zip(&sorted.rank[lower..upper]) {
            gs[p.1 as usize] += u0 - (rk * inv - 0.5);
        }
        u0
    }

    /// Folds the per-membership sums and the dense adds into the per-set accumulators.
    fn fold_into(&self, out: &mut PassSums, l_est: usize) {
        for k in 0..self.dense_add.len() {
            let gs = &mut out.g_sum[k * l_est..(k + 1) * l_est];
            let gc = &mut out.g_cnt[k * l_est..(k + 1) * l_est];
            if self.dense_add[k] != 0.0 {
                gs.iter_mut().for_each(|g| *g += self.dense_add[k]);
            }
            for acc in self.memberships.iter().filter(|a| a.member[k]) {
                add_into(gs, &acc.u_base_sum);
                add_into(gc, &acc.present_cnt);
            }
        }
    }
}

/// Sorts (value, τ) pairs by value (no NaN; equal values end up adjacent, the order within
/// ties is irrelevant to the midranks).
///
/// A bucket sort on the value: M values into the 2^(⌈log₂ M⌉+1) equal-width buckets of [min, max]
/// (the bucket index is a non-decreasing function of the value), one scatter, then an insertion
/// sort that only reorders within buckets: O(M) for residual-like data. When some bucket holds
/// more than [`MAX_BUCKET`] values (a far outlier squeezing the rest together) or for fewer
/// than 64 values, a comparison sort, O(M log M).
fn sort_by_value(est: &mut [(f64, u32)], scratch: &mut Vec<(f64, u32)>, counts: &mut Vec<u32>) {
    let m = est.len();
    let comparison_sort = |est: &mut [(f64, u32)]| {
        est.sort_unstable_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal))
    };
    if m < 64 {
        return comparison_sort(est);
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in est.iter() {
        lo = lo.min(p.0);
        hi = hi.max(p.0);
    }
    let nb = 2 * m.next_power_of_two();
    let scale = (nb as f64 - 0.5) / (hi - lo);
    if !(scale.is_finite() && scale > 0.0) {
        return comparison_sort(est);
    }
    let bucket = |v: f64| (((v - lo) * scale) as usize).min(nb - 1);
    counts.clear();
    counts.resize(nb, 0);
    let mut largest = 0;
    for p in est.iter() {
        let c = &mut counts[bucket(p.0)];
        *c += 1;
        largest = largest.max(*c);
    }
    if largest as usize > MAX_BUCKET {
        return comparison_sort(est);
    }
    // counts → first slot of each bucket
    let mut start = 0;
    for c in counts.iter_mut() {
        let n = *c;
        *c = start;
        start += n;
    }
    scratch.clear();
    scratch.resize(m, (0.0, 0));
    for &p in est.iter() {
        let slot = &mut counts[bucket(p.0)];
        scratch[*slot as usize] = p;
        *slot += 1;
    }
    for i in 0..m {
        let x = scratch[i];
        let mut j = i;
        while j > 0 && est[j - 1].0 > x.0 {
            est[j] = est[j - 1];
            j -= 1;
        }
        est[j] = x;
    }
}

/// Largest bucket of [`sort_by_value`] before it falls back to a comparison sort.
const MAX_BUCKET: usize = 24;

fn add_into<T: Copy + std::ops::AddAssign>(acc: &mut [T], x: &[T]) {
    for (a, b) in acc.iter_mut().zip(x) {
        *a += *b;
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{cfg, dates, events, pair, varied_pairs};
    use super::*;
    use crate::abnormal::PairResult;
    use approx::assert_relative_eq;
    use chrono::NaiveDate;

    #[test]
    fn sort_by_value_matches_comparison_sort() {
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let (mut scratch, mut counts) = (Vec::new(), Vec::new());
        for case in 0..6 {
            let m = [240, 63, 64, 500, 240, 240][case];
            let mut v: Vec<f64> = (0..m).map(|_| next() * 0.02).collect();
            match case {
                4 => v[17] = 50.0, // a far outlier: comparison fallback
                5 => v.iter_mut().for_each(|x| *x = (*x * 1e3).round() / 1e3), // many ties
                _ => {}
            }
            v[3] = -0.0;
            v[9] = 0.0;
            let mut est: Vec<(f64, u32)> =
                v.iter().enumerate().map(|(t, &x)| (x, t as u32)).collect();
            sort_by_value(&mut est, &mut scratch, &mut counts);
            let mut expected = v.clone();
            expected.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let got: Vec<f64> = est.iter().map(|p| p.0).collect();
            assert_eq!(got, expected, "case {case}");
            // every τ exactly once, with its own value
            let mut taus: Vec<u32> = est.iter().map(|p| p.1).collect();
            taus.sort_unstable();
            assert_eq!(taus, (0..m as u32).collect::<Vec<_>>());
            assert!(est.iter().all(|p| p.0 == v[p.1 as usize]));
        }
    }

    #[test]
    fn chunks_follow_the_number_of_events_only() {
        let sizes = |n: usize| -> Vec<usize> { chunk_ranges(n).iter().map(|r| r.len()).collect() };
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(100), [64, 36]);
        assert_eq!(sizes(1000), [125; 8]);
        assert_eq!(sizes(1001), [125, 125, 125, 125, 125, 125, 125, 125, 1]);
        let big = sizes(50_000);
        assert_eq!(big.len(), 13);
        assert!(big[..12].iter().all(|&c| c == 4096) && big[12] == 50_000 - 12 * 4096);
        // contiguous, in event order
        let r = chunk_ranges(5000);
        assert!(r.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!((r[0].start, r[r.len() - 1].end), (0, 5000));
    }

    #[test]
    fn the_pass_gives_the_same_bits_in_pools_of_1_and_4_threads() {
        // 1200 events: enough for several chunks, whatever the pool size
        let d = dates();
        let rs: Vec<PairResult> = (0..1200)
            .map(|k| pair(k + 7, [0.0001 * (k % 37) as f64 - 0.002, 0.001], 38))
            .collect();
        let days = five_day0s(rs.len());
        let c = cfg();
        let events = events(&rs, &d, &days);
        let (setup, h) = every_set_with_sd(&c);
        let bits = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let p = pool.install(|| rank_pass(&events, &setup));
            let p = &p;
            let mut all: Vec<u64> = (0..events.len())
                .flat_map(|i| {
                    let u = (0..h.len()).map(move |k| p.u_event(i, h.len(), k));
                    std::iter::once(p.p_hat(i)).chain(u).collect::<Vec<_>>()
                })
                .map(f64::to_bits)
                .collect();
            for v in [&p.cda_sum, &p.v_sum, &p.g_sum, &p.u0_sum] {
                all.extend(v.iter().map(|x| x.to_bits()));
            }
            all
        };
        assert_eq!(bits(1), bits(4));
    }

    /// Day 0 of `n` events, spread over five consecutive dates (same-date clusters).
    fn five_day0s(n: usize) -> Vec<NaiveDate> {
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        (0..n as u64)
            .map(|k| day0 + chrono::Days::new(k % 5))
            .collect()
    }

    /// A pass set-up in which every GRANK test set has the sd 0.7; and the event period.
    fn every_set_with_sd(c: &StatsConfig) -> (PassSetup<'_>, Window) {
        let h = c.event_period();
        let setup = PassSetup {
            cfg: c,
            h,
            scar_sd: vec![Some(0.7); h.len() + 1],
        };
        (setup, h)
    }

    /// The set-up gathers the day SARs several days per pass; each day's sd is that of the
    /// day's own test set D_t, bit for bit (days with missing ARs included).
    #[test]
    fn setup_sds_are_those_of_each_day_set() {
        let d = dates();
        let mut rs = varied_pairs(40);
        for (i, r) in rs.iter_mut().enumerate() {
            let k = i % r.ar.len();
            r.ar[k] = f64::NAN;
        }
        let days = five_day0s(rs.len());
        let c = cfg();
        let events = events(&rs, &d, &days);
        let h = c.event_period();
        let setup = PassSetup::new(&c, h, &events);
        // the days split over several passes gather what one pass over all days does
        let whole = day_sars(&events, &c, h, 0..h.len());
        let mut split = day_sars(&events, &c, h, 0..1);
        split.extend(day_sars(&events, &c, h, 1..h.len()));
        assert_eq!(whole, split);
        for k in 0..h.len() {
            let set = super::super::sets::day_set(&events, &c, h, k);
            assert!(set.members.len() < events.len(), "day {k}");
            let want = sd(&set.s).filter(|v| *v > 0.0).map(f64::to_bits);
            assert_eq!(setup.scar_sd[k].map(f64::to_bits), want, "day {k}");
        }
        assert_eq!(setup.scar_sd.len(), h.len() + c.windows.len());
    }

    /// The per-event values of a pass cut into several chunks are those of the same events
    /// in one chunk, read back by event index across the chunks.
    #[test]
    fn per_event_values_are_found_across_chunks() {
        let d = dates();
        let rs = varied_pairs(300);
        let days = five_day0s(rs.len());
        let c = cfg();
        let events = events(&rs, &d, &days);
        let (setup, h) = every_set_with_sd(&c);
        assert!(chunk_ranges(events.len()).len() > 2);
        let cut = rank_pass(&events, &setup);
        let whole = process_chunk(&events, 0..events.len(), &setup);
        for i in 0..events.len() {
            assert_eq!(
                cut.p_hat(i).to_bits(),
                whole.p_hat(i).to_bits(),
                "event {i}"
            );
            for k in 0..h.len() {
                let (a, b) = (cut.u_event(i, h.len(), k), whole.u_event(i, h.len(), k));
                assert_eq!(a.to_bits(), b.to_bits(), "event {i} day {k}");
            }
        }
        assert!((0..events.len()).any(|i| cut.u_event(i, h.len(), 0).is_finite()));
    }

    /// Σ U of a day over a set's members, summed as it goes, has the bits of the same U
    /// collected and summed (the rank tests' V_t).
    #[test]
    fn day_u_sums_the_members_u_as_collected() {
        let d = dates();
        let mut rs = varied_pairs(300);
        for (i, r) in rs.iter_mut().enumerate().filter(|(i, _)| i % 7 == 0) {
            r.ar[i % 2] = f64::NAN;
        }
        let days = five_day0s(rs.len());
        let c = cfg();
        let events = events(&rs, &d, &days);
        let (setup, h) = every_set_with_sd(&c);
        let pass = rank_pass(&events, &setup);
        let members: Vec<usize> = (0..events.len()).filter(|i| i % 3 != 1).collect();
        for k in 0..h.len() {
            let collected: Vec<f64> = members
                .iter()
                .map(|&i| pass.u_event(i, h.len(), k))
                .filter(|u| u.is_finite())
                .collect();
            assert!(collected.len() < members.len() && !collected.is_empty());
            let got = pass.day_u(&members, h.len(), k);
            assert_eq!(got.n, collected.len());
            assert_eq!(got.sum.to_bits(), DayU::of(&collected).sum.to_bits());
        }
    }

    #[test]
    fn rank_u_matches_standardized_ranks() {
        // U of the event days from the pass against the direct route: midranks over the
        // residuals and the usable ARs together (with a tie between an AR and a residual)
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let mut rs: Vec<PairResult> = (0..3)
            .map(|k| pair(k + 20, [0.004 * k as f64 - 0.003, 0.001], 38))
            .collect();
        rs[1].ar[0] = rs[1].est_resid[5];
        rs[2].est_resid[0] = f64::NAN;
        let days: Vec<NaiveDate> = (0..3).map(|k| day0 + chrono::Days::new(k)).collect();
        let c = cfg();
        let events = events(&rs, &d, &days);
        let h = c.event_period();
        let setup = PassSetup {
            cfg: &c,
            h,
            scar_sd: vec![None; h.len() + 1],
        };
        let out = process_chunk(&events, 0..3, &setup);
        for (i, r) in rs.iter().enumerate() {
            let mut all = r.est_resid.clone();
            all.extend(&r.ar);
            let u = super::super::nonparametric::standardized_ranks(&all);
            for k in 0..2 {
                assert_relative_eq!(out.u_event(i, 2, k), u[40 + k], max_relative = 1e-14);
            }
        }
    }
}
