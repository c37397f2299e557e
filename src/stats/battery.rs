//! The test battery of one group (methodology §7, §8, §9, §12): every `tests` row (scope
//! `day` for each day of H, `car` and `bhar` for each window) and every `aggregate` row.

use super::aggregate::describe;
use super::correlation::{rbar, same_date_partners_m};
use super::nonparametric::{
    grank_t, gsign_z, rank_s_v, rank_z_day, rank_z_window, sign_z, wilcoxon_z,
};
use super::parametric::{
    adj_bmp_t, adj_patell_z, bmp_t, cda_t, csect_t, patell_z, s_cda, skew_adj_t, CdaScale,
};
use super::{sd, StatsConfig, StatsEvent, TestStat};
#[cfg(test)]
use crate::abnormal::PairResult;
use crate::abnormal::{PairView, Window};
use crate::tables::{AggregateRow, TestRow};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;

/// Group-level nuisance quantities, computed once over the analysis set (§7.2).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDiagnostics {
    /// Number of events of the analysis set A.
    pub n_events: usize,
    /// r̄ over same-date pairs (§7.3).
    pub rbar: f64,
    /// Number of same-date pairs in r̄.
    pub n_pairs_used: usize,
    /// S_CDA (§8.2); None if fewer than 2 estimation days have residuals.
    pub s_cda: Option<f64>,
    /// M̃ − 1.
    pub df_cda: Option<usize>,
    /// S_V of the rank test (§9.3).
    pub s_rank: Option<f64>,
    /// T: days of the ranking period with at least one U.
    pub n_rank_days: usize,
}

/// Everything the battery produces for one group.
#[derive(Debug, Clone)]
pub struct GroupBattery {
    /// `tests` rows in §12 order: day rows (each day of H, 12 tests), car rows (each window,
    /// 12 tests), bhar rows (each window, `csect_t` and `skew_adj_t`). No portfolio rows.
    pub tests: Vec<TestRow>,
    /// `aggregate` rows: `ar` per day, `car` per window, `bhar` per window.
    pub aggregate: Vec<AggregateRow>,
    /// r̄, S_CDA, S_V and friends.
    pub diagnostics: GroupDiagnostics,
}

/// The 12 tests of the day and car scopes in output order (§12).
pub const TEST_ORDER: [&str; 12] = [
    "csect_t",
    "cda_t",
    "patell_z",
    "adj_patell_z",
    "bmp_t",
    "adj_bmp_t",
    "skew_adj_t",
    "sign_z",
    "gsign_z",
    "rank_z",
    "grank_t",
    "wilcoxon_z",
];

fn ar_index(r: &PairView, t: i32) -> Option<usize> {
    let k = t - r.event_period.start;
    (k >= 0 && (k as usize) < r.ar.len()).then_some(k as usize)
}

/// AR and SAR of day t when usable (§7.2: non-NA; span 1 in trade-to-trade mode).
fn usable_day(r: &PairView, t: i32, t2t: bool) -> Option<(f64, f64)> {
    let k = ar_index(r, t)?;
    let ar = r.ar[k];
    let sar = r.sar.get(k).copied().unwrap_or(f64::NAN);
    if !ar.is_finite() || !sar.is_finite() {
        return None;
    }
    if t2t && r.span.get(k).copied() != Some(1) {
        return None;
    }
    Some((ar, sar))
}

/// CAR, SCAR and BHAR of window `w_idx` when the window is complete (C_W, §7.2).
fn complete_window(r: &PairView, w_idx: usize) -> Option<(f64, f64, Option<f64>)> {
    let w = r.windows.get(w_idx).filter(|w| w.complete)?;
    match (w.car, w.scar) {
        (Some(c), Some(s)) if c.is_finite() && s.is_finite() => {
            Some((c, s, w.bhar.filter(|b| b.is_finite())))
        }
        _ => None,
    }
}

/// Per-chunk accumulators of the single pass over events.
struct ChunkOut {
    p_hat: Vec<f64>,
    /// U of the event-period days, `nh` per event (NaN where no usable AR).
    u_event: Vec<f64>,
    cda_sum: Vec<f64>,
    cda_cnt: Vec<u32>,
    v_sum: Vec<f64>,
    v_cnt: Vec<u32>,
    g_sum: Vec<f64>,
    g_cnt: Vec<u32>,
    u0_sum: Vec<f64>,
}

/// What the single pass needs to know about the GRANK test sets.
struct GrankSets {
    nh: usize,
    h_start: i32,
    /// sd of SCAR (day: SAR) over each test set (days first, then windows).
    scar_sd: Vec<Option<f64>>,
}

impl GrankSets {
    fn len(&self) -> usize {
        self.scar_sd.len()
    }
    /// SCAR*_i of event `r` in set `k` (None when not a member or the set has no sd).
    fn scar_star(&self, r: &PairView, k: usize, t2t: bool) -> Option<f64> {
        let s = self.scar_sd[k]?;
        let x = if k < self.nh {
            usable_day(r, self.h_start + k as i32, t2t)?.1
        } else {
            complete_window(r, k - self.nh)?.1
        };
        Some(x / s)
    }
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

/// The single pass over the events of `range` (§9.3 rank U, §9.5 GRANK U, §8.2 AAR_τ, §7.4 p̂).
///
/// Per event with M residuals, S GRANK test sets and |H| event days:
/// one sort of the residuals, O(M log M); midranks and the merge with the sorted usable event
/// ARs, O(M + |H| log |H|); GRANK, O(M + S·(log M + min(k, M − k))) where k is the number of
/// residuals at or below SCAR* (the shorter side of the split is written; complete-data events
/// add the other side as one scalar per set). The base U of the estimation days is the same for
/// every test set of the event and is summed once per distinct set membership.
/// No allocation per event (scratch buffers are reused).
fn process_chunk(
    events: &[StatsEvent],
    range: Range<usize>,
    cfg: &StatsConfig,
    h: Window,
    sets: &GrankSets,
) -> ChunkOut {
    let l_est = cfg.estimation.len();
    let nh = h.len();
    let ns = sets.len();
    let mut out = ChunkOut {
        p_hat: Vec::with_capacity(range.len()),
        u_event: Vec::with_capacity(range.len() * nh),
        cda_sum: vec![0.0; l_est],
        cda_cnt: vec![0; l_est],
        v_sum: vec![0.0; l_est + nh],
        v_cnt: vec![0; l_est + nh],
        g_sum: vec![0.0; ns * l_est],
        g_cnt: vec![0; ns * l_est],
        u0_sum: vec![0.0; ns],
    };
    // GRANK: +inv added to every estimation day of the set (complete-data events only)
    let mut dense_add = vec![0.0f64; ns];
    let mut memberships: Vec<MembershipAcc> = Vec::new();
    // scratch
    let mut est: Vec<(f64, u32)> = Vec::with_capacity(l_est);
    let mut sort_scratch: Vec<(f64, u32)> = Vec::with_capacity(l_est);
    let mut bucket_counts: Vec<u32> = Vec::with_capacity(2 * l_est + 1);
    let mut evt: Vec<(f64, u32)> = Vec::with_capacity(nh);
    let mut est_rank: Vec<f64> = Vec::with_capacity(l_est);
    let mut gsar: Vec<f64> = Vec::with_capacity(l_est);
    let mut shift: Vec<f64> = Vec::with_capacity(l_est + 1);
    let mut x0s: Vec<Option<f64>> = vec![None; ns];
    let mut member: Vec<bool> = vec![false; ns];
    for i in range {
        let r = events[i].result;
        let resid = &r.est_resid[..r.est_resid.len().min(l_est)];
        // AAR_τ sums and p̂ (branch-free, vectorizable), then the non-NaN residuals in τ order
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
        est.clear();
        est.resize(resid.len(), (0.0, 0));
        let mut w = 0;
        for (tau, &e) in resid.iter().enumerate() {
            est[w] = (e, tau as u32);
            w += !e.is_nan() as usize;
        }
        est.truncate(w);
        let m = est.len();
        out.p_hat.push(if m > 0 {
            pos as f64 / m as f64
        } else {
            f64::NAN
        });
        sort_by_value(&mut est, &mut sort_scratch, &mut bucket_counts);
        // midranks of the estimation values among themselves
        est_rank.clear();
        est_rank.resize(m, 0.0);
        let mut j = 0;
        while j < m {
            if j + 1 < m && est[j + 1].0 == est[j].0 {
                let mut k = j + 2;
                while k < m && est[k].0 == est[j].0 {
                    k += 1;
                }
                let rk = (j + 1 + k) as f64 / 2.0;
                est_rank[j..k].iter_mut().for_each(|v| *v = rk);
                j = k;
            } else {
                est_rank[j] = (j + 1) as f64;
                j += 1;
            }
        }

        // rank test (§9.3): ranks over the residuals and the usable event-period ARs together
        evt.clear();
        for k in 0..nh {
            if let Some((ar, _)) = usable_day(&r, h.start + k as i32, cfg.trade_to_trade) {
                evt.push((ar, (l_est + k) as u32));
            }
        }
        evt.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let base = out.u_event.len();
        out.u_event.resize(base + nh, f64::NAN);
        let ne = evt.len();
        let inv_n = 1.0 / ((m + ne) as f64 + 1.0);
        // shift[j] (as differences over sorted positions) = #AR < est[j] + #AR = est[j] / 2
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
            let mut upper = lower;
            while upper < m && est[upper].0 <= v {
                upper += 1;
            }
            let rank = lower as f64 + (b + 1 + c) as f64 / 2.0 + (upper - lower) as f64 / 2.0;
            let u = rank * inv_n - 0.5;
            for p in &evt[b..c] {
                let slot = p.1 as usize;
                out.v_sum[slot] += u;
                out.v_cnt[slot] += 1;
                out.u_event[base + slot - l_est] = u;
            }
            let cnt = (c - b) as f64;
            shift[upper] += cnt;
            if upper > lower {
                shift[lower] += cnt / 2.0;
                shift[upper] -= cnt / 2.0;
            }
            b = c;
        }
        let mut running = 0.0;
        for ((p, &rk), &d) in est.iter().zip(&est_rank).zip(&shift) {
            running += d;
            let slot = p.1 as usize;
            out.v_sum[slot] += (rk + running) * inv_n - 0.5;
            out.v_cnt[slot] += 1;
        }

        // GRANK (§9.5): GSAR = ε̂/σ̂ keeps the order of ε̂
        let sigma = r.fit.sigma;
        if !(sigma > 0.0 && sigma.is_finite()) || m == 0 {
            continue;
        }
        let mut any_member = false;
        for k in 0..ns {
            x0s[k] = sets.scar_star(&r, k, cfg.trade_to_trade);
            member[k] = x0s[k].is_some();
            any_member |= member[k];
        }
        if !any_member {
            continue;
        }
        let inv = 1.0 / (m + 2) as f64; // 1/(n_i + 1) with n_i = M + 1
        gsar.clear();
        gsar.extend(est.iter().map(|p| p.0 / sigma));
        // base U of each estimation day, once per event into its membership accumulator
        let acc = match memberships.iter().position(|a| a.member == member) {
            Some(p) => &mut memberships[p],
            None => {
                memberships.push(MembershipAcc {
                    member: member.clone(),
                    u_base_sum: vec![0.0; l_est],
                    present_cnt: vec![0; l_est],
                });
                memberships.last_mut().expect("just pushed")
            }
        };
        for (p, &rk) in est.iter().zip(&est_rank) {
            let tau = p.1 as usize;
            acc.u_base_sum[tau] += rk * inv - 0.5;
            acc.present_cnt[tau] += 1;
        }
        let complete = m == l_est;
        for k in 0..ns {
            let Some(x0) = x0s[k] else { continue };
            // GSAR_j = est[j].0 / σ̂, non-decreasing in j
            let lower = gsar.partition_point(|&g| g < x0);
            let mut upper = lower;
            while upper < m && gsar[upper] <= x0 {
                upper += 1;
            }
            let k0 = lower as f64 + 1.0 + (upper - lower) as f64 / 2.0;
            let u0 = k0 * inv - 0.5;
            out.u0_sum[k] += u0;
            let gs = &mut out.g_sum[k * l_est..(k + 1) * l_est];
            // values above SCAR* move up one rank
            if complete && upper < m - upper {
                dense_add[k] += inv;
                for p in &est[..upper] {
                    gs[p.1 as usize] -= inv;
                }
            } else {
                for p in &est[upper..] {
                    gs[p.1 as usize] += inv;
                }
            }
            // values tied with SCAR* share its midrank
            for (p, &rk) in est[lower..upper].iter().zip(&est_rank[lower..upper]) {
                gs[p.1 as usize] += u0 - (rk * inv - 0.5);
            }
        }
    }
    // fold the per-membership sums and the dense adds into the per-set accumulators
    for k in 0..ns {
        let gs = &mut out.g_sum[k * l_est..(k + 1) * l_est];
        let gc = &mut out.g_cnt[k * l_est..(k + 1) * l_est];
        if dense_add[k] != 0.0 {
            gs.iter_mut().for_each(|g| *g += dense_add[k]);
        }
        for acc in memberships.iter().filter(|a| a.member[k]) {
            add_into(gs, &acc.u_base_sum);
            add_into(gc, &acc.present_cnt);
        }
    }
    out
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

/// Collected inputs of one test set.
#[derive(Default)]
struct TestSet {
    members: Vec<usize>,
    x: Vec<f64>,
    s: Vec<f64>,
}

impl TestSet {
    fn with_capacity(n: usize) -> Self {
        TestSet {
            members: Vec::with_capacity(n),
            x: Vec::with_capacity(n),
            s: Vec::with_capacity(n),
        }
    }
}

/// The test sets D_t (usable AR on day t of H) and C_W (complete window W), and the BHARs of
/// each C_W; O(N·(|H| + windows)).
fn collect_test_sets(
    events: &[StatsEvent],
    cfg: &StatsConfig,
    h: Window,
) -> (Vec<TestSet>, Vec<TestSet>, Vec<Vec<f64>>) {
    let (nh, nw, t2t) = (h.len(), cfg.windows.len(), cfg.trade_to_trade);
    let mut day_sets: Vec<TestSet> = (0..nh)
        .map(|_| TestSet::with_capacity(events.len()))
        .collect();
    let mut win_sets: Vec<TestSet> = (0..nw)
        .map(|_| TestSet::with_capacity(events.len()))
        .collect();
    let mut bhar_sets: Vec<Vec<f64>> = vec![Vec::new(); nw];
    for (i, e) in events.iter().enumerate() {
        for (k, set) in day_sets.iter_mut().enumerate() {
            if let Some((ar, sar)) = usable_day(&e.result, h.start + k as i32, t2t) {
                set.members.push(i);
                set.x.push(ar);
                set.s.push(sar);
            }
        }
        for (w, set) in win_sets.iter_mut().enumerate() {
            if let Some((car, scar, bhar)) = complete_window(&e.result, w) {
                set.members.push(i);
                set.x.push(car);
                set.s.push(scar);
                if let Some(b) = bhar {
                    bhar_sets[w].push(b);
                }
            }
        }
    }
    (day_sets, win_sets, bhar_sets)
}

/// The whole test battery and the aggregate rows of one group (§5.5, §7–§9, §12).
///
/// `events` is the group's analysis set A (events that passed day-0 mapping and estimation).
/// Group-level quantities (r̄, S_CDA, S_V) are computed once over A; the test sets are D_t
/// (usable AR on day t; span 1 in trade-to-trade mode) and C_W (complete window W).
///
/// Cost: one pass over the events, parallel in chunks: one sort of each event's estimation
/// residuals (a bucket sort, O(L_est) on residual-like data, O(L_est·log L_est) at worst),
/// reused by the rank test (merged with the |H| event-period ARs) and by GRANK (binary search of
/// each test set's SCAR*, then only the shorter side of the split is written): per event
/// O(L_est + S·(log L_est + L_est/2)) at worst for S = |H| + windows test sets, typically about
/// S·L_est/4 writes. The base GRANK U are summed once per event and folded into the test sets
/// once per chunk and distinct set membership. Then O(N log N) per test set (Wilcoxon sort,
/// median by selection), test sets in parallel. r̄ over same-date clusters only, beside the
/// pass: O(Σ_c G_c·n_c·L_est) with G_c distinct date patterns in cluster c, O(Σ_c n_c²·L_est) at
/// worst (see [`super::rbar`]).
///
/// # Formula
/// See the statistic functions: [`csect_t`], [`cda_t`], [`patell_z`], [`adj_patell_z`],
/// [`bmp_t`], [`adj_bmp_t`], [`skew_adj_t`], [`sign_z`], [`gsign_z`], [`rank_z_day`],
/// [`rank_z_window`], [`grank_t`], [`wilcoxon_z`].
///
/// # Examples
/// ```
/// use evstudy::abnormal::{ModelFit, PairResult, Window, WindowResult};
/// use evstudy::stats::{group_battery, StatsConfig, StatsEvent};
/// let cfg = StatsConfig { estimation: Window { start: -4, end: -1 },
///     windows: vec![Window { start: 0, end: 0 }], rbar_min_common_dates: 30,
///     wilcoxon_exact: false, trade_to_trade: false };
/// let pair = |ar: f64| PairResult {
///     fit: ModelFit { model_name: "constant_mean".into(), n_est: 4, k: 1, df: 3, sigma: 0.01,
///         alpha: None, beta: None, r2: None, extras: vec![] },
///     est_resid: vec![0.01, -0.01, 0.005, -0.005], event_period: Window { start: 0, end: 0 },
///     ret: vec![ar], expected_ret: vec![0.0], ar: vec![ar], sar: vec![ar / 0.01],
///     ar_se: vec![0.01], ar_p: vec![0.5], span: vec![1],
///     windows: vec![WindowResult { window: Window { start: 0, end: 0 }, complete: true,
///         car: Some(ar), car_se: Some(0.01), car_t: Some(ar / 0.01), car_p: None,
///         scar: Some(ar / 0.01), bhar: Some(ar), n_days: 1 }],
///     exclusions: vec![] };
/// let (a, b) = (pair(0.02), pair(0.04));
/// let day0 = chrono::NaiveDate::from_ymd_opt(2024, 6, 26).unwrap();
/// let dates = [None; 4];
/// let ev = |r| StatsEvent { event_id: "E", security: "S", day0, est_dates: &dates, result: r };
/// let out = group_battery("all", &[ev(a.view()), ev(b.view())], &cfg);
/// assert_eq!(out.tests.len(), 12 + 12 + 2);
/// assert_eq!(out.tests[0].test, "csect_t");
/// // csect t of 0.02, 0.04: mean 0.03, sd √2·0.01 → t = 3
/// assert!((out.tests[0].statistic.unwrap() - 3.0).abs() < 1e-12);
/// assert_eq!(out.aggregate[0].mean, Some(0.03));
/// ```
pub fn group_battery(group: &str, events: &[StatsEvent], cfg: &StatsConfig) -> GroupBattery {
    let n = events.len();
    let h = cfg.event_period();
    let nh = h.len();
    let nw = cfg.windows.len();
    let l_est = cfg.estimation.len();

    // r̄ needs none of the test sets: it runs beside the collection of the sets and the pass
    let ((day_sets, win_sets, bhar_sets, sets, parts), rb) = rayon::join(
        || {
            let (day_sets, win_sets, bhar_sets) = collect_test_sets(events, cfg, h);
            let sets = GrankSets {
                nh,
                h_start: h.start,
                scar_sd: day_sets
                    .iter()
                    .chain(&win_sets)
                    .map(|s| sd(&s.s).filter(|v| *v > 0.0))
                    .collect(),
            };
            // one pass over the events, in chunks of 64–4096 events (about 8 per thread)
            let threads = rayon::current_num_threads().max(1);
            let chunk = (n / (threads * 8)).clamp(64, 4096);
            let ranges: Vec<Range<usize>> = (0..n)
                .step_by(chunk)
                .map(|s| s..(s + chunk).min(n))
                .collect();
            let parts: Vec<ChunkOut> = ranges
                .par_iter()
                .map(|r| process_chunk(events, r.clone(), cfg, h, &sets))
                .collect();
            (day_sets, win_sets, bhar_sets, sets, parts)
        },
        || rbar(events, cfg.rbar_min_common_dates),
    );
    let ns = sets.len();
    let mut p_hat = Vec::with_capacity(n);
    let mut u_event = Vec::with_capacity(n * nh);
    let (mut cda_sum, mut cda_cnt) = (vec![0.0; l_est], vec![0u32; l_est]);
    let (mut v_sum, mut v_cnt) = (vec![0.0; l_est + nh], vec![0u32; l_est + nh]);
    let (mut g_sum, mut g_cnt, mut u0_sum) =
        (vec![0.0; ns * l_est], vec![0u32; ns * l_est], vec![0.0; ns]);
    for p in parts {
        p_hat.extend(p.p_hat);
        u_event.extend(p.u_event);
        add_into(&mut cda_sum, &p.cda_sum);
        add_into(&mut cda_cnt, &p.cda_cnt);
        add_into(&mut v_sum, &p.v_sum);
        add_into(&mut v_cnt, &p.v_cnt);
        add_into(&mut g_sum, &p.g_sum);
        add_into(&mut g_cnt, &p.g_cnt);
        add_into(&mut u0_sum, &p.u0_sum);
    }

    // group quantities
    let aar_tau: Vec<f64> = cda_sum
        .iter()
        .zip(&cda_cnt)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
        .collect();
    let cda_scale: Option<CdaScale> = s_cda(&aar_tau);
    let v_tau: Vec<f64> = v_sum
        .iter()
        .zip(&v_cnt)
        .map(|(s, &c)| {
            if c > 0 {
                s / (c as f64).sqrt()
            } else {
                f64::NAN
            }
        })
        .collect();
    let sv = rank_s_v(&v_tau);
    let s_v = sv.map_or(f64::NAN, |v| v.0);

    // same-date cluster ids for m
    let mut date_ids: HashMap<NaiveDate, usize> = HashMap::new();
    let cluster: Vec<usize> = events
        .iter()
        .map(|e| {
            let next = date_ids.len();
            *date_ids.entry(e.day0).or_insert(next)
        })
        .collect();
    let n_dates = date_ids.len();
    let partners_m = |members: &[usize]| {
        let mut counts = vec![0usize; n_dates];
        for &i in members {
            counts[cluster[i]] += 1;
        }
        let sizes: Vec<usize> = counts.into_iter().filter(|&c| c > 0).collect();
        same_date_partners_m(&sizes)
    };

    let grank_of = |k: usize, n_set: usize| -> Option<TestStat> {
        sets.scar_sd[k]?;
        let gs = &g_sum[k * l_est..(k + 1) * l_est];
        let gc = &g_cnt[k * l_est..(k + 1) * l_est];
        let ubar: Vec<f64> = gs
            .iter()
            .zip(gc)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
            .collect();
        let cnt: Vec<usize> = gc.iter().map(|&c| c as usize).collect();
        grank_t(&ubar, &cnt, u0_sum[k] / n_set as f64, n_set)
    };

    let rbar_v = rb.rbar;
    let mut tests = Vec::with_capacity(nh * 12 + nw * 14);
    let mut aggregate = Vec::with_capacity(nh + 2 * nw);
    let battery_rows = |set: &TestSet,
                        window_len: usize,
                        rank: Option<TestStat>,
                        grank: Option<TestStat>,
                        m: f64,
                        p_hat: &[f64]|
     -> [Option<TestStat>; 12] {
        let nu: Vec<f64> = set
            .members
            .iter()
            .map(|&i| events[i].result.fit.df as f64)
            .collect();
        let ph: Vec<f64> = set.members.iter().map(|&i| p_hat[i]).collect();
        [
            csect_t(&set.x),
            cda_scale.and_then(|c| cda_t(&set.x, window_len, c)),
            patell_z(&set.s, &nu),
            adj_patell_z(&set.s, &nu, m, rbar_v),
            bmp_t(&set.s),
            adj_bmp_t(&set.s, m, rbar_v),
            skew_adj_t(&set.x),
            sign_z(&set.x),
            if ph.iter().all(|p| p.is_finite()) {
                gsign_z(&set.x, &ph)
            } else {
                None
            },
            rank,
            grank,
            wilcoxon_z(&set.x, cfg.wilcoxon_exact).map(|w| w.test),
        ]
    };
    let make_row = |scope: &str,
                    window: Option<String>,
                    rel_day: Option<i32>,
                    test: &str,
                    stat: Option<TestStat>,
                    n: usize| TestRow {
        group: group.to_string(),
        scope: scope.to_string(),
        window,
        rel_day,
        test: test.to_string(),
        statistic: stat.map(|s| s.statistic),
        p_value: stat.map(|s| s.p_value),
        df: stat.and_then(|s| s.df),
        n: n as u32,
        cluster: None,
    };
    let agg_row = |metric: &str, window: Option<String>, rel_day: Option<i32>, x: &[f64]| {
        let s = describe(x);
        AggregateRow {
            group: group.to_string(),
            metric: metric.to_string(),
            window,
            rel_day,
            n: s.n as u32,
            mean: s.mean,
            median: s.median,
            share_positive: s.share_positive,
            sd: s.sd,
        }
    };

    // the test sets are independent: compute them in parallel, emit in order
    let day_out: Vec<(Vec<TestRow>, AggregateRow)> = day_sets
        .par_iter()
        .enumerate()
        .map(|(k, set)| {
            let t = h.start + k as i32;
            let u: Vec<f64> = set
                .members
                .iter()
                .map(|&i| u_event[i * nh + k])
                .filter(|u| u.is_finite())
                .collect();
            let rank = rank_z_day(&u, s_v);
            let m = partners_m(&set.members);
            let stats = battery_rows(set, 1, rank, grank_of(k, set.members.len()), m, &p_hat);
            let rows = TEST_ORDER
                .iter()
                .zip(stats)
                .map(|(name, stat)| make_row("day", None, Some(t), name, stat, set.members.len()))
                .collect();
            (rows, agg_row("ar", None, Some(t), &set.x))
        })
        .collect();
    let win_out: Vec<Vec<TestRow>> = win_sets
        .par_iter()
        .enumerate()
        .map(|(w, set)| {
            let win = cfg.windows[w];
            let u_days: Vec<Vec<f64>> = (win.start..=win.end)
                .filter_map(|t| {
                    let k = usize::try_from(t - h.start).ok().filter(|k| *k < nh)?;
                    Some(
                        set.members
                            .iter()
                            .map(|&i| u_event[i * nh + k])
                            .filter(|u| u.is_finite())
                            .collect(),
                    )
                })
                .collect();
            let u_refs: Vec<&[f64]> = u_days.iter().map(|v| v.as_slice()).collect();
            let rank = if set.members.is_empty() {
                None
            } else {
                rank_z_window(&u_refs, set.members.len(), s_v)
            };
            let m = partners_m(&set.members);
            let stats = battery_rows(
                set,
                win.len(),
                rank,
                grank_of(nh + w, set.members.len()),
                m,
                &p_hat,
            );
            TEST_ORDER
                .iter()
                .zip(stats)
                .map(|(name, stat)| {
                    make_row(
                        "car",
                        Some(win.label()),
                        None,
                        name,
                        stat,
                        set.members.len(),
                    )
                })
                .collect()
        })
        .collect();
    for (rows, agg) in day_out {
        tests.extend(rows);
        aggregate.push(agg);
    }
    for rows in win_out {
        tests.extend(rows);
    }
    for (w, bh) in bhar_sets.iter().enumerate() {
        let label = cfg.windows[w].label();
        tests.push(make_row(
            "bhar",
            Some(label.clone()),
            None,
            "csect_t",
            csect_t(bh),
            bh.len(),
        ));
        tests.push(make_row(
            "bhar",
            Some(label),
            None,
            "skew_adj_t",
            skew_adj_t(bh),
            bh.len(),
        ));
    }
    for (w, set) in win_sets.iter().enumerate() {
        aggregate.push(agg_row("car", Some(cfg.windows[w].label()), None, &set.x));
    }
    for (w, bh) in bhar_sets.iter().enumerate() {
        aggregate.push(agg_row("bhar", Some(cfg.windows[w].label()), None, bh));
    }

    GroupBattery {
        tests,
        aggregate,
        diagnostics: GroupDiagnostics {
            n_events: n,
            rbar: rb.rbar,
            n_pairs_used: rb.n_pairs,
            s_cda: cda_scale.map(|c| c.s_cda),
            df_cda: cda_scale.map(|c| c.df),
            s_rank: sv.map(|v| v.0),
            n_rank_days: sv.map_or(0, |v| v.1),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abnormal::{ModelFit, WindowResult};
    use approx::assert_relative_eq;

    fn cfg() -> StatsConfig {
        StatsConfig {
            estimation: Window {
                start: -40,
                end: -1,
            },
            windows: vec![Window { start: 0, end: 1 }],
            rbar_min_common_dates: 30,
            wilcoxon_exact: false,
            trade_to_trade: false,
        }
    }

    fn pair(seed: u64, ar: [f64; 2], df: usize) -> PairResult {
        let mut s = seed;
        let est_resid: Vec<f64> = (0..40)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.02
            })
            .collect();
        let car = ar[0] + ar[1];
        PairResult {
            fit: ModelFit {
                model_name: "market_model".into(),
                n_est: 40,
                k: 2,
                df,
                sigma: 0.01,
                alpha: None,
                beta: None,
                r2: None,
                extras: vec![],
            },
            est_resid,
            event_period: Window { start: 0, end: 1 },
            ret: vec![0.0; 2],
            expected_ret: vec![0.0; 2],
            ar: ar.to_vec(),
            sar: ar.iter().map(|a| a / 0.01).collect(),
            ar_se: vec![0.01; 2],
            ar_p: vec![0.5; 2],
            span: vec![1, 1],
            windows: vec![WindowResult {
                window: Window { start: 0, end: 1 },
                complete: true,
                car: Some(car),
                car_se: Some(0.015),
                car_t: Some(car / 0.015),
                car_p: None,
                scar: Some(car / 0.015),
                bhar: Some(car),
                n_days: 2,
            }],
            exclusions: vec![],
        }
    }

    fn run(
        results: &[PairResult],
        dates: &[Option<NaiveDate>],
        day0s: &[NaiveDate],
        cfg: &StatsConfig,
    ) -> GroupBattery {
        let events: Vec<StatsEvent> = results
            .iter()
            .zip(day0s)
            .map(|(r, d)| StatsEvent {
                event_id: "E",
                security: "S",
                day0: *d,
                est_dates: dates,
                result: r.view(),
            })
            .collect();
        group_battery("g", &events, cfg)
    }

    fn stat(b: &GroupBattery, scope: &str, test: &str) -> Option<f64> {
        b.tests
            .iter()
            .find(|r| r.scope == scope && r.test == test && r.rel_day.unwrap_or(0) == 0)
            .and_then(|r| r.statistic)
    }

    fn dates() -> Vec<Option<NaiveDate>> {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        (0..40).map(|k| Some(d0 + chrono::Days::new(k))).collect()
    }

    #[test]
    fn one_event_gives_na_not_panics() {
        let d = dates();
        let day0 = [NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()];
        let b = run(&[pair(1, [0.02, 0.01], 38)], &d, &day0, &cfg());
        assert_eq!(b.tests.len(), 2 * 12 + 12 + 2);
        for t in ["csect_t", "bmp_t", "adj_bmp_t", "skew_adj_t", "grank_t"] {
            assert_eq!(stat(&b, "day", t), None, "{t}");
        }
        // defined with one event: Patell, sign, rank, CDA, Wilcoxon
        assert_relative_eq!(
            stat(&b, "day", "patell_z").unwrap(),
            2.0 / (38.0f64 / 36.0).sqrt(),
            max_relative = 1e-12
        );
        assert_relative_eq!(stat(&b, "day", "sign_z").unwrap(), 1.0);
        assert!(stat(&b, "day", "cda_t").is_some());
        assert!(stat(&b, "day", "rank_z").is_some());
        assert_eq!(b.diagnostics.rbar, 0.0);
        assert_eq!(b.diagnostics.n_pairs_used, 0);
        assert_eq!(b.aggregate[0].sd, None);
        assert_eq!(b.tests[0].n, 1);
    }

    #[test]
    fn two_same_date_events_use_rbar() {
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let rs = [pair(1, [0.02, 0.01], 38), pair(2, [0.03, -0.01], 38)];
        let b = run(&rs, &d, &[day0, day0], &cfg());
        let (n_common, r) =
            super::super::correlation::pair_correlation(&rs[0].est_resid, &rs[1].est_resid, 30);
        assert_eq!(n_common, 40);
        assert_relative_eq!(b.diagnostics.rbar, r.unwrap(), max_relative = 1e-12);
        // m = 1 for two events on one date
        let z = stat(&b, "day", "patell_z").unwrap();
        assert_relative_eq!(
            stat(&b, "day", "adj_patell_z").unwrap(),
            z / (1.0 + r.unwrap()).sqrt(),
            max_relative = 1e-12
        );
        // adj_bmp: 1 − r̄·1/1 in the numerator
        match stat(&b, "day", "adj_bmp_t") {
            Some(v) => assert_relative_eq!(
                v,
                stat(&b, "day", "bmp_t").unwrap()
                    * ((1.0 - r.unwrap()) / (1.0 + r.unwrap())).sqrt(),
                max_relative = 1e-12
            ),
            None => assert!(r.unwrap() >= 1.0),
        }
        // staggered dates: no adjustment
        let other = NaiveDate::from_ymd_opt(2024, 3, 4).unwrap();
        let b2 = run(&rs, &d, &[day0, other], &cfg());
        assert_eq!(b2.diagnostics.n_pairs_used, 0);
        assert_eq!(
            stat(&b2, "day", "adj_patell_z"),
            stat(&b2, "day", "patell_z")
        );
    }

    #[test]
    fn all_zero_ars() {
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let rs: Vec<PairResult> = (0..4).map(|k| pair(k, [0.0, 0.0], 38)).collect();
        let days: Vec<NaiveDate> = (0..4).map(|k| day0 + chrono::Days::new(k)).collect();
        let b = run(&rs, &d, &days, &cfg());
        assert_eq!(stat(&b, "day", "csect_t"), None); // sd 0
        assert_eq!(stat(&b, "day", "skew_adj_t"), None);
        assert_eq!(stat(&b, "day", "wilcoxon_z"), None); // n′ = 0
        assert_relative_eq!(stat(&b, "day", "patell_z").unwrap(), 0.0);
        assert_relative_eq!(stat(&b, "day", "sign_z").unwrap(), -2.0); // zeros are not positive
        assert_relative_eq!(stat(&b, "day", "cda_t").unwrap(), 0.0);
        assert_eq!(b.aggregate[0].share_positive, Some(0.0));
    }

    #[test]
    fn small_df_makes_patell_na() {
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let rs = [pair(1, [0.02, 0.01], 2), pair(2, [0.03, -0.01], 38)];
        let b = run(&rs, &d, &[day0, day0 + chrono::Days::new(1)], &cfg());
        assert_eq!(stat(&b, "day", "patell_z"), None);
        assert_eq!(stat(&b, "day", "adj_patell_z"), None);
        assert!(stat(&b, "day", "csect_t").is_some());
    }

    #[test]
    fn grank_matches_direct_route() {
        // GRANK of the window by the slow route: grank_u per event, then grank_t
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let mut rs: Vec<PairResult> = (0..5)
            .map(|k| pair(k + 10, [0.01 * k as f64 - 0.01, 0.004], 38))
            .collect();
        rs[2].est_resid[3] = f64::NAN;
        rs[4].est_resid[7] = rs[4].est_resid[8]; // a tie
        let days: Vec<NaiveDate> = (0..5).map(|k| day0 + chrono::Days::new(k)).collect();
        let b = run(&rs, &d, &days, &cfg());
        let scar: Vec<f64> = rs.iter().map(|r| r.windows[0].scar.unwrap()).collect();
        let s = sd(&scar).unwrap();
        let mut sums = vec![0.0; 40];
        let mut cnt = vec![0usize; 40];
        let mut u0 = 0.0;
        for (r, sc) in rs.iter().zip(&scar) {
            let gsar: Vec<f64> = r.est_resid.iter().map(|e| e / r.fit.sigma).collect();
            let (u, z) = super::super::nonparametric::grank_u(&gsar, sc / s);
            for (k, v) in u.iter().enumerate() {
                if !v.is_nan() {
                    sums[k] += v;
                    cnt[k] += 1;
                }
            }
            u0 += z;
        }
        let ubar: Vec<f64> = sums
            .iter()
            .zip(&cnt)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
            .collect();
        let expected = grank_t(&ubar, &cnt, u0 / 5.0, 5).unwrap();
        assert_relative_eq!(
            stat(&b, "car", "grank_t").unwrap(),
            expected.statistic,
            max_relative = 1e-12
        );
    }

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
        let events: Vec<StatsEvent> = rs
            .iter()
            .zip(&days)
            .map(|(r, d0)| StatsEvent {
                event_id: "E",
                security: "S",
                day0: *d0,
                est_dates: &d,
                result: r.view(),
            })
            .collect();
        let h = c.event_period();
        let sets = GrankSets {
            nh: h.len(),
            h_start: h.start,
            scar_sd: vec![None; h.len() + 1],
        };
        let out = process_chunk(&events, 0..3, &c, h, &sets);
        for (i, r) in rs.iter().enumerate() {
            let mut all = r.est_resid.clone();
            all.extend(&r.ar);
            let u = super::super::nonparametric::standardized_ranks(&all);
            for k in 0..2 {
                assert_relative_eq!(out.u_event[i * 2 + k], u[40 + k], max_relative = 1e-14);
            }
        }
    }

    #[test]
    fn trade_to_trade_drops_multi_day_ars() {
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let mut rs = vec![
            pair(1, [0.02, 0.01], 38),
            pair(2, [0.03, -0.01], 38),
            pair(3, [0.01, 0.02], 38),
        ];
        rs[1].span[0] = 2;
        let mut c = cfg();
        c.trade_to_trade = true;
        let days: Vec<NaiveDate> = (0..3).map(|k| day0 + chrono::Days::new(k)).collect();
        let b = run(&rs, &d, &days, &c);
        let row = b
            .tests
            .iter()
            .find(|r| r.scope == "day" && r.rel_day == Some(0))
            .unwrap();
        assert_eq!(row.n, 2);
        assert_eq!(b.aggregate[0].n, 2);
        // window rows still use all three complete windows
        assert_eq!(b.tests.iter().find(|r| r.scope == "car").unwrap().n, 3);
    }
}
