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

/// Pearson correlation of two aligned series over their common non-NaN positions.
///
/// Returns `(number of common positions, r)`; r is `None` when fewer than `min_common`
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
/// let (n, r) = pair_correlation(&[1.0, 2.0, f64::NAN, 4.0], &[2.0, 4.0, 5.0, 8.0], 3);
/// assert_eq!(n, 3);
/// assert!((r.unwrap() - 1.0).abs() < 1e-15);
/// assert_eq!(pair_correlation(&[1.0, 2.0], &[1.0, 3.0], 3).1, None);
/// ```
pub fn pair_correlation(x: &[f64], y: &[f64], min_common: usize) -> (usize, Option<f64>) {
    let common: Vec<(f64, f64)> =
        x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan()).map(|(a, b)| (*a, *b)).collect();
    let n = common.len();
    (n, correlation_of_pairs(&common, min_common))
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
/// Complexity: the members are grouped by their pattern of available dates; for each pair of
/// patterns the members are centred and scaled on the common dates (z with ‖z‖ = 1) and
/// Σ_{i<j} r_ij = (‖Σ z‖² − Σ‖z‖²)/2 within a pattern, (Σ z_g)·(Σ z_h) across patterns. Cost
/// O(G·n_c·L) for G distinct patterns: O(n_c·L) for a complete-data cluster (the
/// Kolari-Pynnönen setting with thousands of events on one date), O(n_c²·L) at worst.
///
/// # Examples
/// ```
/// use evstudy::stats::correlation::cluster_correlation_sum;
/// let a = vec![1.0, 2.0, 3.0, 4.0];
/// let b = vec![2.0, 4.0, 6.0, 8.1];
/// let c = vec![4.0, 3.0, 2.0, 1.0];
/// let (sum, pairs) = cluster_correlation_sum(&[a, b, c], 3);
/// assert_eq!(pairs, 3);
/// // r_ab + r_ac + r_bc with r_ac = −1 and r_bc = −r_ab
/// assert!((sum + 1.0).abs() < 1e-12);
/// ```
pub fn cluster_correlation_sum(series: &[Vec<f64>], min_common: usize) -> (f64, usize) {
    let len = series.first().map_or(0, |s| s.len());
    if series.len() < 2 || series.iter().any(|s| s.len() != len) {
        return (0.0, 0);
    }
    // group members by their availability mask
    let words = len.div_ceil(64);
    let mut groups: Vec<(Vec<u64>, Vec<usize>)> = Vec::new();
    let mut index: HashMap<Vec<u64>, usize> = HashMap::new();
    for (i, s) in series.iter().enumerate() {
        let mut mask = vec![0u64; words];
        for (d, v) in s.iter().enumerate() {
            if !v.is_nan() {
                mask[d / 64] |= 1 << (d % 64);
            }
        }
        match index.get(&mask) {
            Some(&g) => groups[g].1.push(i),
            None => {
                index.insert(mask.clone(), groups.len());
                groups.push((mask, vec![i]));
            }
        }
    }
    let (mut sum, mut pairs) = (0.0, 0usize);
    for g in 0..groups.len() {
        for h in g..groups.len() {
            let (gm, hm) = (&groups[g].1, &groups[h].1);
            if g == h && gm.len() < 2 {
                continue;
            }
            if g != h && gm.len().min(hm.len()) == 1 {
                // a singleton pattern: plain pairwise correlations are cheaper
                for &i in gm {
                    for &j in hm {
                        if let Some(r) = masked_correlation(&series[i], &series[j], min_common) {
                            sum += r;
                            pairs += 1;
                        }
                    }
                }
                continue;
            }
            let common: Vec<usize> = (0..len)
                .filter(|&d| groups[g].0[d / 64] & groups[h].0[d / 64] & (1 << (d % 64)) != 0)
                .collect();
            if common.len() < min_common.max(2) {
                continue;
            }
            let (zg, kg, ng) = standardized_sum(series, gm, &common);
            if g == h {
                if kg >= 2 {
                    let norm2: f64 = zg.iter().map(|v| v * v).sum();
                    sum += (norm2 - ng) / 2.0;
                    pairs += kg * (kg - 1) / 2;
                }
            } else {
                let (zh, kh, _) = standardized_sum(series, hm, &common);
                if kg >= 1 && kh >= 1 {
                    sum += zg.iter().zip(&zh).map(|(a, b)| a * b).sum::<f64>();
                    pairs += kg * kh;
                }
            }
        }
    }
    (sum, pairs)
}

/// Pairwise-complete correlation without allocation (same rules as [`pair_correlation`]).
fn masked_correlation(x: &[f64], y: &[f64], min_common: usize) -> Option<f64> {
    let (mut n, mut mx, mut my) = (0usize, 0.0, 0.0);
    let (mut x0, mut y0) = (f64::NAN, f64::NAN);
    let (mut const_x, mut const_y) = (true, true);
    for (&a, &b) in x.iter().zip(y) {
        if a.is_nan() || b.is_nan() {
            continue;
        }
        if n == 0 {
            x0 = a;
            y0 = b;
        }
        const_x &= a == x0;
        const_y &= b == y0;
        n += 1;
        mx += a;
        my += b;
    }
    if n < min_common.max(2) || const_x || const_y {
        return None;
    }
    mx /= n as f64;
    my /= n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        if a.is_nan() || b.is_nan() {
            continue;
        }
        let (da, db) = (a - mx, b - my);
        sxy += da * db;
        sxx += da * da;
        syy += db * db;
    }
    if !(sxx > 0.0) || !(syy > 0.0) {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// Σ of the members' unit-norm centred series on `common`, the number of non-constant
/// members and Σ‖z‖².
fn standardized_sum(series: &[Vec<f64>], members: &[usize], common: &[usize]) -> (Vec<f64>, usize, f64) {
    let mut acc = vec![0.0; common.len()];
    let (mut k, mut norms) = (0usize, 0.0);
    let mut z = vec![0.0; common.len()];
    for &i in members {
        let s = &series[i];
        let first = s[common[0]];
        if common.iter().all(|&d| s[d] == first) {
            continue; // constant on the common dates: zero variance
        }
        let mean = common.iter().map(|&d| s[d]).sum::<f64>() / common.len() as f64;
        let mut ss = 0.0;
        for (zj, &d) in z.iter_mut().zip(common) {
            *zj = s[d] - mean;
            ss += *zj * *zj;
        }
        if !(ss > 0.0) {
            continue;
        }
        let inv = 1.0 / ss.sqrt();
        let mut n2 = 0.0;
        for (a, zj) in acc.iter_mut().zip(&z) {
            let v = zj * inv;
            n2 += v * v;
            *a += v;
        }
        norms += n2;
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
/// Complexity O(Σ_c G_c·n_c·L_est) (see [`cluster_correlation_sum`]), never O(N²·L_est).
///
/// # Examples
/// See the tests of this module and of [`super::battery`].
pub fn rbar(events: &[StatsEvent], min_common: usize) -> Rbar {
    let mut by_date: HashMap<NaiveDate, Vec<usize>> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        by_date.entry(e.day0).or_default().push(i);
    }
    let mut clusters: Vec<(NaiveDate, Vec<usize>)> = by_date.into_iter().filter(|(_, v)| v.len() >= 2).collect();
    clusters.sort_by_key(|c| c.0);
    use rayon::prelude::*;
    let parts: Vec<(f64, usize)> = clusters
        .par_iter()
        .map(|(_, members)| {
            let series = align_on_dates(events, members);
            cluster_correlation_sum(&series, min_common)
        })
        .collect();
    let (sum, n_pairs) = parts.iter().fold((0.0, 0), |a, p| (a.0 + p.0, a.1 + p.1));
    Rbar { rbar: if n_pairs > 0 { sum / n_pairs as f64 } else { 0.0 }, n_pairs }
}

/// Residuals of the members aligned on the union of their estimation dates (NaN where absent).
fn align_on_dates(events: &[StatsEvent], members: &[usize]) -> Vec<Vec<f64>> {
    let first = events[members[0]].est_dates;
    if members.iter().all(|&i| events[i].est_dates == first && events[i].result.est_resid.len() == first.len()) {
        // the usual case: one calendar, one day 0 → identical date vectors
        return members
            .iter()
            .map(|&i| {
                let r = &events[i].result.est_resid;
                first.iter().zip(r).map(|(d, v)| if d.is_some() { *v } else { f64::NAN }).collect()
            })
            .collect();
    }
    let mut dates: Vec<NaiveDate> =
        members.iter().flat_map(|&i| events[i].est_dates.iter().flatten().copied()).collect();
    dates.sort_unstable();
    dates.dedup();
    members
        .iter()
        .map(|&i| {
            let mut s = vec![f64::NAN; dates.len()];
            for (d, v) in events[i].est_dates.iter().zip(&events[i].result.est_resid) {
                if let Some(d) = d {
                    if let Ok(pos) = dates.binary_search(d) {
                        s[pos] = *v;
                    }
                }
            }
            s
        })
        .collect()
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
                .zip(&e.result.est_resid)
                .filter_map(|(d, r)| d.filter(|_| !r.is_nan()).map(|d| (d, *r)))
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
            out.push(PairCorrelation { i, j, n_common: common.len(), r, used });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }

    #[test]
    fn cluster_sum_equals_pairwise_route() {
        // 7 series of 80 dates with three different missing patterns and one constant series
        let mut seed = 7;
        let mut series: Vec<Vec<f64>> = (0..7).map(|_| (0..80).map(|_| lcg(&mut seed)).collect()).collect();
        for d in 0..10 {
            series[1][d] = f64::NAN;
            series[2][d] = f64::NAN;
        }
        for d in 40..75 {
            series[3][d] = f64::NAN;
        }
        series[4] = vec![0.2; 80];
        series[5][3] = f64::NAN;
        let (sum, pairs) = cluster_correlation_sum(&series, 30);
        let (mut s2, mut p2) = (0.0, 0);
        for i in 0..7 {
            for j in i + 1..7 {
                if let (_, Some(r)) = pair_correlation(&series[i], &series[j], 30) {
                    s2 += r;
                    p2 += 1;
                }
            }
        }
        assert_eq!(pairs, p2);
        assert_relative_eq!(sum, s2, max_relative = 1e-12);
        // with min 50 common dates, series 3 (45 dates) drops out of every pair
        let (_, pairs50) = cluster_correlation_sum(&series, 50);
        assert_eq!(pairs50, 10); // 5 non-constant members without 3: C(5, 2)
    }

    #[test]
    fn too_few_or_constant() {
        assert_eq!(cluster_correlation_sum(&[vec![1.0, 2.0]], 1), (0.0, 0));
        assert_eq!(cluster_correlation_sum(&[vec![1.0; 40], vec![2.0; 40]], 30), (0.0, 0));
        assert_eq!(same_date_partners_m(&[]), 0.0);
    }
}
