//! Average cross-correlation r̄ over same-date pairs and same-date partners m (methodology
//! §7.3; Kolari & Pynnönen 2010, cluster-aware).

use super::StatsEvent;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Mean number of same-date partners per event of a test set (§7.3).
///
/// `cluster_sizes` = n_c, the number of events of the test set on each distinct day-0 date.
///
/// # Formula
/// ```text
/// m = Σ_c n_c (n_c − 1) / n          n = Σ_c n_c
/// ```
/// m = n − 1 when all events share one date, 0 when all dates differ (and for n = 0).
///
/// # Examples
/// ```
/// use evstudy::stats::same_date_partners_m;
/// assert_eq!(same_date_partners_m(&[3, 2, 1, 1, 1]), (6.0 + 2.0) / 8.0);
/// assert_eq!(same_date_partners_m(&[5]), 4.0);
/// assert_eq!(same_date_partners_m(&[1, 1]), 0.0);
/// ```
pub fn same_date_partners_m(cluster_sizes: &[usize]) -> f64 {
    let n: usize = cluster_sizes.iter().sum();
    if n == 0 {
        return 0.0;
    }
    let pairs: usize = cluster_sizes.iter().map(|&c| c * c.saturating_sub(1)).sum();
    pairs as f64 / n as f64
}

/// r̄ and the number of pairs it averages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rbar {
    /// Mean pair correlation (0 when no pair qualifies).
    pub rbar: f64,
    /// Number of same-date pairs used.
    pub n_pairs: usize,
}

/// The correlation of two series over their common positions, and how many there are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CommonCorrelation {
    /// Number of positions where both series have a value.
    pub n_common: usize,
    /// r; None when fewer than `min_common` positions are shared or either series is constant
    /// on them.
    pub r: Option<f64>,
}

/// Pearson correlation of two aligned series over their common non-NaN positions.
///
/// Returns the number of common positions and r; r is `None` when fewer than `min_common`
/// positions are shared or either series is constant on them.
///
/// # Formula
/// ```text
/// r = Σ (x_d − x̄)(y_d − ȳ) / √( Σ (x_d − x̄)² · Σ (y_d − ȳ)² )      (means over common d)
/// ```
///
/// # Examples
/// ```
/// use evstudy::stats::correlation::pair_correlation;
/// let c = pair_correlation(&[1.0, 2.0, f64::NAN, 4.0], &[2.0, 4.0, 5.0, 8.0], 3);
/// assert_eq!(c.n_common, 3);
/// assert!((c.r.unwrap() - 1.0).abs() < 1e-15);
/// assert_eq!(pair_correlation(&[1.0, 2.0], &[1.0, 3.0], 3).r, None);
/// ```
pub fn pair_correlation(x: &[f64], y: &[f64], min_common: usize) -> CommonCorrelation {
    let common: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .collect();
    CommonCorrelation {
        n_common: common.len(),
        r: correlation_of_pairs(&common, min_common),
    }
}

fn correlation_of_pairs(common: &[(f64, f64)], min_common: usize) -> Option<f64> {
    let n = common.len();
    if n < min_common.max(2) {
        return None;
    }
    let mx = common.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let my = common.iter().map(|p| p.1).sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(a, b) in common {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    // a constant series (all values equal) has zero variance even if rounding says otherwise
    let constant_x = common.iter().all(|p| p.0 == common[0].0);
    let constant_y = common.iter().all(|p| p.1 == common[0].1);
    if constant_x || constant_y || !(sxx > 0.0) || !(syy > 0.0) {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// Sum of the pair correlations r_ij (i < j) within one same-date cluster and the number of
/// qualifying pairs (§7.3).
///
/// `series[i]` are the estimation residuals of member i aligned on the cluster's calendar
/// dates (NaN where absent; all of equal length). Pairs with fewer than `min_common` common
/// dates or a constant series on them are skipped.
///
/// Complexity (n_c members, L dates): the members are grouped by their pattern of available
/// dates. Within a pattern of size k, and between two patterns of size ≥ 2, the members are
/// centred and scaled on the common dates (z with ‖z‖ = 1) and Σ_{i<j} r_ij = (‖Σ z‖² −
/// Σ‖z‖²)/2, resp. (Σ z_g)·(Σ z_h): O(k·L) per pattern pair. A pattern with a single member
/// (a gap in its residuals) is paired member by member, one branch-free pass of O(L) per pair.
/// In all O(G·n_c·L) for G distinct patterns: O(n_c·L) for a complete-data cluster (the
/// Kolari-Pynnönen setting with thousands of events on one date), O(n_c²·L) at worst.
/// Reference: Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11), 3996–4025.
///
/// # Formula
/// ```text
/// C_ij = dates where both i and j have a residual      (|C_ij| ≥ max(min_common, 2))
/// r_ij = Σ_C (e_i − ē_i)(e_j − ē_j) / √(Σ_C (e_i − ē_i)² · Σ_C (e_j − ē_j)²)   means over C_ij
/// sum = Σ_{i<j} r_ij          pairs = #{i < j : r_ij defined}
/// ```
///
/// # Examples
/// ```
/// use evstudy::stats::correlation::cluster_correlation_sum;
/// let a = vec![1.0, 2.0, 3.0, 4.0];
/// let b = vec![2.0, 4.0, 6.0, 8.1];
/// let c = vec![4.0, 3.0, 2.0, 1.0];
/// let s = cluster_correlation_sum(&[a, b, c], 3);
/// assert_eq!(s.pairs, 3);
/// // r_ab + r_ac + r_bc with r_ac = −1 and r_bc = −r_ab
/// assert!((s.sum + 1.0).abs() < 1e-12);
/// ```
pub fn cluster_correlation_sum(series: &[Vec<f64>], min_common: usize) -> CorrelationSum {
    let len = series.first().map_or(0, |s| s.len());
    if series.len() < 2 || series.iter().any(|s| s.len() != len) {
        return CorrelationSum::default();
    }
    let flat: Vec<f64> = series.iter().flatten().copied().collect();
    cluster_sum_flat(&flat, series.len(), len, min_common)
}

/// [`cluster_correlation_sum`] on an n × len row-major matrix (NaN where absent).
fn cluster_sum_flat(x: &[f64], n: usize, len: usize, min_common: usize) -> CorrelationSum {
    let mut acc = CorrelationSum::default();
    if n < 2 || len == 0 {
        return acc;
    }
    let cluster = MaskedCluster::new(x, n, len);
    let need = min_common.max(2);
    let n_patterns = cluster.patterns.len();
    for g in 0..n_patterns {
        for h in g..n_patterns {
            cluster.add_pattern_pair(g, h, need, &mut acc);
        }
    }
    acc
}

/// Σ r_ij over the qualifying pairs of a cluster and their number (added to in pair order).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CorrelationSum {
    /// Σ r_ij.
    pub sum: f64,
    /// Number of pairs in the sum.
    pub pairs: usize,
}

/// Members that are available on the same dates, and the first of them.
struct Pattern {
    representative: usize,
    members: Vec<usize>,
}

/// The n × len matrix of one cluster with each member's availability mask (one bit a date),
/// its members grouped by mask, and, when some pattern has a single member, the member-by-member
/// inputs of [`weighted_correlation`].
struct MaskedCluster<'a> {
    x: &'a [f64],
    len: usize,
    /// u64 words per mask.
    words: usize,
    masks: Vec<u64>,
    patterns: Vec<Pattern>,
    /// Zero-filled values centred on the member's own dates (n × len; empty without
    /// single-member patterns).
    centred: Vec<f64>,
    /// 1/0 availability weights (n × len; empty without single-member patterns).
    weight: Vec<f64>,
}

impl<'a> MaskedCluster<'a> {
    fn new(x: &'a [f64], n: usize, len: usize) -> Self {
        let words = len.div_ceil(64);
        let mut masks = vec![0u64; n * words];
        for (i, member_mask) in masks.chunks_exact_mut(words).enumerate() {
            for (word, chunk) in member_mask
                .iter_mut()
                .zip(x[i * len..(i + 1) * len].chunks(64))
            {
                let mut bits = 0u64;
                for (k, v) in chunk.iter().enumerate() {
                    bits |= ((!v.is_nan()) as u64) << k;
                }
                *word = bits;
            }
        }
        let patterns = group_by_mask(&masks, words);
        let mut cluster = MaskedCluster {
            x,
            len,
            words,
            masks,
            patterns,
            centred: Vec::new(),
            weight: Vec::new(),
        };
        if cluster.patterns.iter().any(|p| p.members.len() == 1) {
            cluster.centre_members(n);
        }
        cluster
    }

    fn row(&self, i: usize) -> &[f64] {
        row_of(self.x, i, self.len)
    }

    fn mask(&self, i: usize) -> &[u64] {
        &self.masks[i * self.words..(i + 1) * self.words]
    }

    /// Fills `centred` and `weight` for the member-by-member pairs.
    fn centre_members(&mut self, n: usize) {
        let len = self.len;
        let mut centred = vec![0.0; n * len];
        let mut weight = vec![0.0; n * len];
        for i in 0..n {
            let (c, w) = (
                &mut centred[i * len..(i + 1) * len],
                &mut weight[i * len..(i + 1) * len],
            );
            for ((c, w), &v) in c.iter_mut().zip(w.iter_mut()).zip(self.row(i)) {
                let ok = !v.is_nan();
                *c = if ok { v } else { 0.0 };
                *w = ok as u8 as f64;
            }
            let cnt = self.mask(i).iter().map(|b| b.count_ones()).sum::<u32>();
            let mean = if cnt > 0 {
                lane_sum(c) / cnt as f64
            } else {
                0.0
            };
            for (c, w) in c.iter_mut().zip(w.iter()) {
                *c -= mean * w;
            }
        }
        self.centred = centred;
        self.weight = weight;
    }

    /// Adds the pairs between patterns `g` ≤ `h` (within `g` when equal) that share at least
    /// `need` dates: through the standardized sums, or member by member when one side is a
    /// single member.
    fn add_pattern_pair(&self, g: usize, h: usize, need: usize, acc: &mut CorrelationSum) {
        let (gm, hm) = (&self.patterns[g].members, &self.patterns[h].members);
        if g == h && gm.len() < 2 {
            return;
        }
        let mg = self.mask(self.patterns[g].representative);
        let mh = self.mask(self.patterns[h].representative);
        let n_common: usize = mg
            .iter()
            .zip(mh)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum();
        if n_common < need {
            return;
        }
        if g != h && gm.len().min(hm.len()) == 1 {
            let common_mask: Vec<u64> = mg.iter().zip(mh).map(|(a, b)| a & b).collect();
            return self.add_member_pairs(gm, hm, &common_mask, n_common, acc);
        }
        let common: Vec<usize> = (0..self.len)
            .filter(|&d| mg[d / 64] & mh[d / 64] & (1 << (d % 64)) != 0)
            .collect();
        let (zg, kg, ng) = standardized_sum(self.x, self.len, gm, &common);
        if g == h {
            if kg >= 2 {
                let norm2 = lane_dot(&zg, &zg);
                acc.sum += (norm2 - ng) / 2.0;
                acc.pairs += kg * (kg - 1) / 2;
            }
        } else {
            let (zh, kh, _) = standardized_sum(self.x, self.len, hm, &common);
            if kg >= 1 && kh >= 1 {
                acc.sum += lane_dot(&zg, &zh);
                acc.pairs += kg * kh;
            }
        }
    }

    /// Adds the correlation of every pair i ∈ `gm`, j ∈ `hm` over their common dates, one
    /// branch-free pass each; pairs constant on the common dates are left out.
    fn add_member_pairs(
        &self,
        gm: &[usize],
        hm: &[usize],
        common_mask: &[u64],
        n_common: usize,
        acc: &mut CorrelationSum,
    ) {
        let len = self.len;
        for &i in gm {
            for &j in hm {
                let (ci, wi) = (row_of(&self.centred, i, len), row_of(&self.weight, i, len));
                let (cj, wj) = (row_of(&self.centred, j, len), row_of(&self.weight, j, len));
                if constant_on(self.row(i), common_mask) || constant_on(self.row(j), common_mask) {
                    continue;
                }
                if let Some(r) = weighted_correlation(ci, wi, cj, wj, n_common) {
                    acc.sum += r;
                    acc.pairs += 1;
                }
            }
        }
    }
}

/// Row `i` of a row-major matrix with rows of `len` values.
fn row_of(v: &[f64], i: usize, len: usize) -> &[f64] {
    &v[i * len..(i + 1) * len]
}

/// The members grouped by availability mask, in order of first appearance.
fn group_by_mask(masks: &[u64], words: usize) -> Vec<Pattern> {
    let mut patterns: Vec<Pattern> = Vec::new();
    let mut index: HashMap<&[u64], usize> = HashMap::new();
    for (i, mask) in masks.chunks_exact(words).enumerate() {
        match index.get(mask) {
            Some(&g) => patterns[g].members.push(i),
            None => {
                index.insert(mask, patterns.len());
                patterns.push(Pattern {
                    representative: i,
                    members: vec![i],
                });
            }
        }
    }
    patterns
}

/// Whether the series takes a single value on the dates of `common_mask` (exact comparison).
fn constant_on(s: &[f64], common_mask: &[u64]) -> bool {
    let mut first = None;
    for (w, &bits) in common_mask.iter().enumerate() {
        let mut b = bits;
        while b != 0 {
            let v = s[w * 64 + b.trailing_zeros() as usize];
            match first {
                None => first = Some(v),
                Some(f) if f != v => return false,
                _ => {}
            }
            b &= b - 1;
        }
    }
    true
}

/// Pearson correlation of two members over their common dates from zero-filled series `ci`,
/// `cj` (centred on each member's own dates) and 1/0 availability weights, in one pass.
///
/// # Formula
/// ```text
/// a_d = c_id·w_jd, b_d = c_jd·w_id  (zero off the n common dates)
/// r = (Σab − Σa·Σb/n) / √((Σa² − (Σa)²/n)·(Σb² − (Σb)²/n))
/// ```
/// The pre-centring keeps Σa, Σb small, so the one-pass moments lose no precision in practice;
/// constant series are excluded beforehand by an exact test. Four independent lanes let the
/// compiler vectorize the sums.
fn weighted_correlation(ci: &[f64], wi: &[f64], cj: &[f64], wj: &[f64], n: usize) -> Option<f64> {
    const LANES: usize = 4;
    let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
    );
    let split = ci.len() / LANES * LANES;
    let lanes = ci[..split]
        .chunks_exact(LANES)
        .zip(wi[..split].chunks_exact(LANES))
        .zip(
            cj[..split]
                .chunks_exact(LANES)
                .zip(wj[..split].chunks_exact(LANES)),
        );
    for ((xi, vi), (xj, vj)) in lanes {
        for l in 0..LANES {
            let a = xi[l] * vj[l];
            let b = xj[l] * vi[l];
            sa[l] += a;
            sb[l] += b;
            saa[l] += a * a;
            sbb[l] += b * b;
            sab[l] += a * b;
        }
    }
    for d in split..ci.len() {
        let a = ci[d] * wj[d];
        let b = cj[d] * wi[d];
        sa[0] += a;
        sb[0] += b;
        saa[0] += a * a;
        sbb[0] += b * b;
        sab[0] += a * b;
    }
    let total = |v: [f64; LANES]| (v[0] + v[1]) + (v[2] + v[3]);
    let nf = n as f64;
    let (sa, sb) = (total(sa), total(sb));
    let var_a = total(saa) - sa * sa / nf;
    let var_b = total(sbb) - sb * sb / nf;
    let cov = total(sab) - sa * sb / nf;
    if !(var_a > 0.0) || !(var_b > 0.0) {
        return None;
    }
    Some(cov / (var_a * var_b).sqrt())
}

/// Σ x_d in four interleaved partial sums (vectorizable; the rounding differs from a
/// left-to-right sum only in the last bits).
fn lane_sum(x: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let split = x.len() / 4 * 4;
    for c in x[..split].chunks_exact(4) {
        for l in 0..4 {
            acc[l] += c[l];
        }
    }
    let tail: f64 = x[split..].iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Σ x_d·y_d in four interleaved partial sums (see [`lane_sum`]).
fn lane_dot(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let split = x.len().min(y.len()) / 4 * 4;
    for (a, b) in x[..split].chunks_exact(4).zip(y[..split].chunks_exact(4)) {
        for l in 0..4 {
            acc[l] += a[l] * b[l];
        }
    }
    let tail: f64 = x[split..].iter().zip(&y[split..]).map(|(a, b)| a * b).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Σ of the members' unit-norm centred series on `common`, the number of non-constant
/// members and Σ‖z‖² (`x` is the n × len matrix of the cluster).
fn standardized_sum(
    x: &[f64],
    len: usize,
    members: &[usize],
    common: &[usize],
) -> (Vec<f64>, usize, f64) {
    let mut acc = vec![0.0; common.len()];
    let (mut k, mut norms) = (0usize, 0.0);
    let mut z = vec![0.0; common.len()];
    let contiguous = common.len() == len;
    for &i in members {
        let s = &x[i * len..(i + 1) * len];
        // the values on the common dates, in z
        if contiguous {
            z.copy_from_slice(s);
        } else {
            for (zj, &d) in z.iter_mut().zip(common) {
                *zj = s[d];
            }
        }
        let first = z[0];
        if z.iter().all(|&v| v == first) {
            continue; // constant on the common dates: zero variance
        }
        let mean = lane_sum(&z) / z.len() as f64;
        z.iter_mut().for_each(|zj| *zj -= mean);
        let ss = lane_dot(&z, &z);
        if !(ss > 0.0) {
            continue;
        }
        let inv = 1.0 / ss.sqrt();
        z.iter_mut().for_each(|zj| *zj *= inv);
        for (a, zj) in acc.iter_mut().zip(&z) {
            *a += zj;
        }
        norms += lane_dot(&z, &z);
        k += 1;
    }
    (acc, k, norms)
}

/// r̄ over the same-date pairs of an analysis set (§7.3).
///
/// Events with the same day-0 date form a cluster; each cluster's residuals are aligned on
/// calendar dates (`est_dates`) and its pairs enter through [`cluster_correlation_sum`].
/// Reference: Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11), 3996–4025.
///
/// # Formula
/// ```text
/// r̄ = mean of r_ij over same-date pairs i < j with ≥ min_common common dates
///      (0 when no pair qualifies)
/// ```
/// Complexity O(N log N) to form the clusters plus O(Σ_c G_c·n_c·L_est) for the pairs (see
/// [`cluster_correlation_sum`]; G_c ≤ n_c distinct date patterns, so O(Σ_c n_c²·L_est) at
/// worst, per cluster), never O(N²·L_est). Clusters run in parallel.
///
/// # Examples
/// See the tests of this module and of [`super::battery`].
pub fn rbar(events: &[StatsEvent], min_common: usize) -> Rbar {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| (events[i].day0, i));
    let mut clusters: Vec<&[usize]> = order
        .chunk_by(|&a, &b| events[a].day0 == events[b].day0)
        .filter(|c| c.len() >= 2)
        .collect();
    // largest clusters first, for the load balance of the parallel loop
    clusters.sort_by_key(|c| std::cmp::Reverse(c.len()));
    use rayon::prelude::*;
    let parts: Vec<CorrelationSum> = clusters
        .par_iter()
        .with_min_len(16)
        .map_init(Vec::new, |buf, members| {
            let len = align_on_dates(events, members, buf);
            cluster_sum_flat(buf, members.len(), len, min_common)
        })
        .collect();
    // sum in date order, as the clusters were listed before the load-balance sort
    let mut keyed: Vec<(usize, CorrelationSum)> =
        clusters.iter().map(|c| c[0]).zip(parts).collect();
    keyed.sort_by_key(|k| (events[k.0].day0, k.0));
    let (sum, n_pairs) = keyed
        .iter()
        .fold((0.0, 0), |a, (_, p)| (a.0 + p.sum, a.1 + p.pairs));
    Rbar {
        rbar: if n_pairs > 0 {
            sum / n_pairs as f64
        } else {
            0.0
        },
        n_pairs,
    }
}

/// Residuals of the members aligned on the union of their estimation dates (NaN where absent),
/// written row by row into `out`; returns the number of dates (the row length).
fn align_on_dates(events: &[StatsEvent], members: &[usize], out: &mut Vec<f64>) -> usize {
    out.clear();
    let first = events[members[0]].est_dates;
    let same_dates = |i: usize| {
        let d = events[i].est_dates;
        (std::ptr::eq(d, first) || d == first) && events[i].view().est_resid.len() == first.len()
    };
    if members.iter().all(|&i| same_dates(i)) {
        // the usual case: one calendar, one day 0 → identical date vectors
        let all_dated = first.iter().all(|d| d.is_some());
        for &i in members {
            let at = out.len();
            events[i].view().est_resid.extend_into(out);
            if !all_dated {
                for (v, d) in out[at..].iter_mut().zip(first) {
                    if d.is_none() {
                        *v = f64::NAN;
                    }
                }
            }
        }
        return first.len();
    }
    let mut dates: Vec<NaiveDate> = members
        .iter()
        .flat_map(|&i| events[i].est_dates.iter().flatten().copied())
        .collect();
    dates.sort_unstable();
    dates.dedup();
    out.resize(members.len() * dates.len(), f64::NAN);
    let mut resid = Vec::new();
    for (row, &i) in out.chunks_exact_mut(dates.len().max(1)).zip(members) {
        let view = events[i].view();
        let values = view.est_resid.values(&mut resid);
        for (d, v) in events[i].est_dates.iter().zip(values) {
            if let Some(d) = d {
                if let Ok(pos) = dates.binary_search(d) {
                    row[pos] = *v;
                }
            }
        }
    }
    dates.len()
}

/// One row of the pair-correlation debug table (every pair of a group, §7.3).
#[derive(Debug, Clone, PartialEq)]
pub struct PairCorrelation {
    /// Index of event i in the input slice (i < j).
    pub i: usize,
    /// Index of event j in the input slice.
    pub j: usize,
    /// Number of calendar dates on which both have a residual.
    pub n_common: usize,
    /// r_ij (None below `min_common` dates or for a constant series).
    pub r: Option<f64>,
    /// Whether the pair enters r̄ (same day 0 and r defined).
    pub used: bool,
}

/// Correlations of every pair of a group's events, for inspection (§7.3; the battery uses
/// only same-date pairs). O(N²·L_est): meant for debugging and small samples.
///
/// # Formula
/// As [`pair_correlation`] on the residuals matched by calendar date.
///
/// # Examples
/// See the golden test of [`super::battery`].
pub fn pair_correlations(events: &[StatsEvent], min_common: usize) -> Vec<PairCorrelation> {
    let dated: Vec<Vec<(NaiveDate, f64)>> = events
        .iter()
        .map(|e| {
            let mut v: Vec<(NaiveDate, f64)> = e
                .est_dates
                .iter()
                .zip(e.view().est_resid.to_vec())
                .filter_map(|(d, r)| d.filter(|_| !r.is_nan()).map(|d| (d, r)))
                .collect();
            v.sort_by_key(|p| p.0);
            v
        })
        .collect();
    let mut out = Vec::new();
    for i in 0..events.len() {
        for j in i + 1..events.len() {
            let (a, b) = (&dated[i], &dated[j]);
            let mut common = Vec::new();
            let (mut p, mut q) = (0, 0);
            while p < a.len() && q < b.len() {
                match a[p].0.cmp(&b[q].0) {
                    std::cmp::Ordering::Less => p += 1,
                    std::cmp::Ordering::Greater => q += 1,
                    std::cmp::Ordering::Equal => {
                        common.push((a[p].1, b[q].1));
                        p += 1;
                        q += 1;
                    }
                }
            }
            let r = correlation_of_pairs(&common, min_common);
            let used = r.is_some() && events[i].day0 == events[j].day0;
            out.push(PairCorrelation {
                i,
                j,
                n_common: common.len(),
                r,
                used,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }

    #[test]
    fn cluster_sum_equals_pairwise_route() {
        // 7 series of 80 dates with three different missing patterns and one constant series
        let mut seed = 7;
        let mut series: Vec<Vec<f64>> = (0..7)
            .map(|_| (0..80).map(|_| lcg(&mut seed)).collect())
            .collect();
        for d in 0..10 {
            series[1][d] = f64::NAN;
            series[2][d] = f64::NAN;
        }
        for d in 40..75 {
            series[3][d] = f64::NAN;
        }
        series[4] = vec![0.2; 80];
        series[5][3] = f64::NAN;
        let CorrelationSum { sum, pairs } = cluster_correlation_sum(&series, 30);
        let (mut s2, mut p2) = (0.0, 0);
        for i in 0..7 {
            for j in i + 1..7 {
                if let Some(r) = pair_correlation(&series[i], &series[j], 30).r {
                    s2 += r;
                    p2 += 1;
                }
            }
        }
        assert_eq!(pairs, p2);
        assert_relative_eq!(sum, s2, max_relative = 1e-12);
        // with min 50 common dates, series 3 (45 dates) drops out of every pair
        let pairs50 = cluster_correlation_sum(&series, 50).pairs;
        assert_eq!(pairs50, 10); // 5 non-constant members without 3: C(5, 2)
    }

    #[test]
    fn too_few_or_constant() {
        let none = CorrelationSum { sum: 0.0, pairs: 0 };
        assert_eq!(cluster_correlation_sum(&[vec![1.0, 2.0]], 1), none);
        assert_eq!(
            cluster_correlation_sum(&[vec![1.0; 40], vec![2.0; 40]], 30),
            none
        );
        assert_eq!(same_date_partners_m(&[]), 0.0);
    }
}
