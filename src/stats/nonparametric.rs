//! Nonparametric tests (methodology §9): sign, generalized sign, Corrado/Cowan rank tests with
//! Corrado-Zivney standardized ranks, GRANK-T and the Wilcoxon signed-rank test.

use super::{t_stat, z_stat, TestStat};

/// Sign test — `sign_z` (§9.1).
///
/// Zeros are not positive; n counts every event of the test set. Reference: Brown & Warner
/// (1980), JFE 8(3), 205–258; Cowan (1992).
///
/// # Formula
/// ```text
/// n⁺ = #{x_i > 0}          Z = (n⁺ − n/2) / √(n/4)          ~ N(0, 1)
/// ```
/// `None` if n = 0.
///
/// # Examples
/// ```
/// use evstudy::stats::sign_z;
/// // 3 of 4 positive (the zero is not): Z = (3 − 2)/1 = 1
/// let r = sign_z(&[0.1, 0.2, 0.0, 0.3]).unwrap();
/// assert!((r.statistic - 1.0).abs() < 1e-15);
/// ```
pub fn sign_z(x: &[f64]) -> Option<TestStat> {
    let n = x.len();
    if n == 0 {
        return None;
    }
    let pos = x.iter().filter(|&&v| v > 0.0).count() as f64;
    let nf = n as f64;
    z_stat((pos - nf / 2.0) / (nf / 4.0).sqrt(), n)
}

/// Share of positive estimation residuals p̂_i of one event (§7.4).
///
/// NaN entries (days outside the estimation sample) are skipped; zeros are not positive.
///
/// # Formula
/// ```text
/// p̂_i = #{τ : ε̂*_iτ > 0} / M_i
/// ```
/// `None` if no residual is available.
///
/// # Examples
/// ```
/// use evstudy::stats::positive_share;
/// assert_eq!(positive_share(&[0.1, -0.2, f64::NAN, 0.0]), Some(1.0 / 3.0));
/// ```
pub fn positive_share(resid: &[f64]) -> Option<f64> {
    let (mut pos, mut m) = (0usize, 0usize);
    for &e in resid {
        if e.is_nan() {
            continue;
        }
        m += 1;
        if e > 0.0 {
            pos += 1;
        }
    }
    (m > 0).then(|| pos as f64 / m as f64)
}

/// Cowan's generalized sign test — `gsign_z` (§9.2).
///
/// `x` = AR (day) or CAR (window) of the test set; `p_hat[i]` = p̂_i of the same events
/// ([`positive_share`]). Reference: Cowan, A. R. (1992), Review of Quantitative Finance and
/// Accounting 2(4), 343–358.
///
/// # Formula
/// ```text
/// p̂ = (1/n) Σ_i p̂_i          Z = (n⁺ − n·p̂) / √(n·p̂·(1 − p̂))          ~ N(0, 1)
/// ```
/// `None` if n = 0, the slices differ in length, or p̂ ∉ (0, 1).
///
/// # Examples
/// ```
/// use evstudy::stats::gsign_z;
/// // n = 4, n⁺ = 3, p̂ = 0.5 → Z = (3 − 2)/1 = 1
/// let r = gsign_z(&[0.1, 0.2, -0.1, 0.3], &[0.4, 0.6, 0.5, 0.5]).unwrap();
/// assert!((r.statistic - 1.0).abs() < 1e-15);
/// ```
pub fn gsign_z(x: &[f64], p_hat: &[f64]) -> Option<TestStat> {
    let n = x.len();
    if n == 0 || p_hat.len() != n {
        return None;
    }
    let nf = n as f64;
    let p = p_hat.iter().sum::<f64>() / nf;
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let pos = x.iter().filter(|&&v| v > 0.0).count() as f64;
    z_stat((pos - nf * p) / (nf * p * (1.0 - p)).sqrt(), n)
}

/// Midranks (1-based; ties get the mean of their positions); NaN stays NaN and is not ranked.
///
/// # Formula
/// ```text
/// K_j = (#{v < x_j}) + (#{v = x_j} + 1)/2
/// ```
///
/// # Examples
/// ```
/// use evstudy::stats::midranks;
/// let k = midranks(&[3.0, 1.0, f64::NAN, 3.0, 2.0]);
/// assert_eq!(k[0], 3.5);
/// assert_eq!(k[1], 1.0);
/// assert!(k[2].is_nan());
/// assert_eq!(k[4], 2.0);
/// ```
pub fn midranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).filter(|&i| !x[i].is_nan()).collect();
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![f64::NAN; x.len()];
    let mut j = 0;
    while j < idx.len() {
        let mut k = j + 1;
        while k < idx.len() && x[idx[k]] == x[idx[j]] {
            k += 1;
        }
        let r = (j + 1 + k) as f64 / 2.0;
        for &i in &idx[j..k] {
            ranks[i] = r;
        }
        j = k;
    }
    ranks
}

/// Corrado-Zivney standardized ranks U of one event's values over its ranking period (§9.3).
///
/// Reference: Corrado, C. J. (1989), JFE 23(2), 385–395; Corrado, C. J. & Zivney, T. L.
/// (1992), JFQA 27(3), 465–478.
///
/// # Formula
/// ```text
/// U_τ = K_τ / (n_i + 1) − 1/2        K = midranks, n_i = number of non-NaN values
/// ```
///
/// # Examples
/// ```
/// use evstudy::stats::standardized_ranks;
/// let u = standardized_ranks(&[0.3, -0.1, f64::NAN, 0.0]);
/// // ranks 3, 1, –, 2 over n = 3: U = 3/4 − 1/2, 1/4 − 1/2, NaN, 0
/// assert_eq!(u[0], 0.25);
/// assert_eq!(u[1], -0.25);
/// assert!(u[2].is_nan());
/// assert_eq!(u[3], 0.0);
/// ```
pub fn standardized_ranks(x: &[f64]) -> Vec<f64> {
    let n = x.iter().filter(|v| !v.is_nan()).count() as f64;
    midranks(x)
        .into_iter()
        .map(|k| k / (n + 1.0) - 0.5)
        .collect()
}

/// S_V, the time-series scale of the Corrado rank test, and T (§9.3).
///
/// `v[τ]` = V_τ over the ranking period 𝒯 = [L1, L2] ∪ H, NaN where no event has a U on τ.
///
/// # Formula
/// ```text
/// V_τ = (1/√N_τ) Σ_i U_iτ          S_V = √( (1/T) Σ_{τ: N_τ > 0} V_τ² )
/// ```
/// Returns S_V and T; `None` if T = 0.
///
/// # Examples
/// ```
/// use evstudy::stats::rank_s_v;
/// let s = rank_s_v(&[0.3, f64::NAN, -0.4]).unwrap();
/// assert!((s.s_v - (0.25f64 / 2.0).sqrt()).abs() < 1e-15);
/// assert_eq!(s.n_days, 2);
/// ```
pub fn rank_s_v(v: &[f64]) -> Option<RankScale> {
    let (mut ss, mut t) = (0.0, 0usize);
    for &x in v.iter().filter(|x| !x.is_nan()) {
        ss += x * x;
        t += 1;
    }
    (t > 0).then(|| RankScale {
        s_v: (ss / t as f64).sqrt(),
        n_days: t,
    })
}

/// The scale of the rank test (§9.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankScale {
    /// S_V.
    pub s_v: f64,
    /// T: days of the ranking period with at least one U.
    pub n_days: usize,
}

/// Corrado (1989) rank test on one day — `rank_z`, day scope (§9.3).
///
/// `u` = the standardized ranks U_it of the events of D_t; `s_v` from [`rank_s_v`].
///
/// # Formula
/// ```text
/// V_t = (1/√N_t) Σ_i U_it          Z_t = V_t / S_V          ~ N(0, 1)
/// ```
/// `None` if `u` is empty or S_V ≤ 0.
///
/// # Examples
/// ```
/// use evstudy::stats::rank_z_day;
/// // V = (0.25 + 0.25)/√2; S_V = 0.5
/// let r = rank_z_day(&[0.25, 0.25], 0.5).unwrap();
/// assert!((r.statistic - 2f64.sqrt() / 2.0).abs() < 1e-15);
/// ```
pub fn rank_z_day(u: &[f64], s_v: f64) -> Option<TestStat> {
    rank_z_day_of(DayU::of(u), s_v)
}

/// Σ U and the number of U of one day: all the rank tests need of the day's U (§9.3, §9.4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DayU {
    /// Σ_i U_it, summed in the order of the events.
    pub sum: f64,
    /// N_t, the number of U.
    pub n: usize,
}

impl DayU {
    /// The sum and count of `u`.
    pub fn of(u: &[f64]) -> Self {
        DayU {
            sum: u.iter().sum(),
            n: u.len(),
        }
    }
}

/// [`rank_z_day`] of a day's Σ U and N_t.
pub(crate) fn rank_z_day_of(day: DayU, s_v: f64) -> Option<TestStat> {
    if day.n == 0 || !(s_v > 0.0) {
        return None;
    }
    let v = day.sum / (day.n as f64).sqrt();
    z_stat(v / s_v, day.n)
}

/// Cowan (1992) multi-day rank test over a window — `rank_z`, window scope (§9.4).
///
/// `u_by_day[t]` = the U_it of the events of C_W that have one on day t of W; `n` = N_W.
/// Reference: Cowan, A. R. (1992); Campbell, C. J. & Wasley, C. E. (1993), JFE 33(1), 73–92.
///
/// # Formula
/// ```text
/// V_t^W = (1/√n_t) Σ_i U_it   (days with n_t > 0, L′ of them)
/// Z_W = Σ_t V_t^W / (√L′ · S_V)          ~ N(0, 1)
/// ```
/// `None` if no day has a U or S_V ≤ 0.
///
/// # Examples
/// ```
/// use evstudy::stats::rank_z_window;
/// // two days, one event each: (0.2 + 0.3)/(√2 · 0.5)
/// let r = rank_z_window(&[&[0.2][..], &[0.3][..]], 1, 0.5).unwrap();
/// assert!((r.statistic - 0.5 / (2f64.sqrt() * 0.5)).abs() < 1e-15);
/// ```
pub fn rank_z_window(u_by_day: &[&[f64]], n: usize, s_v: f64) -> Option<TestStat> {
    let days: Vec<DayU> = u_by_day.iter().map(|u| DayU::of(u)).collect();
    rank_z_window_of(&days, n, s_v)
}

/// [`rank_z_window`] of each day's Σ U and N_t.
pub(crate) fn rank_z_window_of(by_day: &[DayU], n: usize, s_v: f64) -> Option<TestStat> {
    if !(s_v > 0.0) {
        return None;
    }
    let (mut sum_v, mut days) = (0.0, 0usize);
    for d in by_day.iter().filter(|d| d.n > 0) {
        sum_v += d.sum / (d.n as f64).sqrt();
        days += 1;
    }
    if days == 0 {
        return None;
    }
    z_stat(sum_v / ((days as f64).sqrt() * s_v), n)
}

/// GRANK standardized ranks of one event: U over its estimation days and U_0 of the
/// cumulated event day (§9.5, steps 2–3).
///
/// `gsar_est` = ε̂*_iτ/σ̂_i over [L1, L2] (NaN where absent); `scar_star` = SCAR_i / sd(SCAR).
///
/// # Formula
/// ```text
/// ranks over 𝒯_G = [L1, L2] ∪ {0}, n_i = M_i + 1:   U_iτ = K_iτ/(n_i + 1) − 1/2
/// ```
/// Returns U over the estimation days and U_0.
///
/// # Examples
/// ```
/// use evstudy::stats::{grank_u, GrankU};
/// let GrankU { u, u0 } = grank_u(&[-1.0, 0.5, f64::NAN], 2.0);
/// // ranks 1, 2 and 3 (day 0) over n = 3
/// assert_eq!(u[0], -0.25);
/// assert_eq!(u[1], 0.0);
/// assert!(u[2].is_nan());
/// assert_eq!(u0, 0.25);
/// ```
pub fn grank_u(gsar_est: &[f64], scar_star: f64) -> GrankU {
    let mut all = gsar_est.to_vec();
    all.push(scar_star);
    let mut u = standardized_ranks(&all);
    let u0 = u.pop().unwrap_or(f64::NAN);
    GrankU { u, u0 }
}

/// The GRANK standardized ranks of one event (§9.5).
#[derive(Debug, Clone, PartialEq)]
pub struct GrankU {
    /// U_iτ of each estimation day (NaN where the GSAR is absent).
    pub u: Vec<f64>,
    /// U_i0 of the cumulated event day.
    pub u0: f64,
}

/// Generalized rank test GRANK-T of Kolari & Pynnönen (2011) — `grank_t` (§9.5, steps 4–5).
///
/// `u_bar_est[τ]` = Ū_τ, the mean U over the `n_est[τ]` events of the test set with a residual
/// on estimation day τ; `u_bar0` = Ū_0 over the n events. Reference: Kolari, J. W. &
/// Pynnönen, S. (2011), Journal of Empirical Finance 18(5), 953–971.
///
/// # Formula
/// ```text
/// T = #{τ ∈ [L1, L2] : n_τ > 0} + 1
/// S_Ū = √( (1/T) Σ_{τ ∈ 𝒯_G} (n_τ/n) · Ū_τ² )          (n_0 = n)
/// Z = Ū_0 / S_Ū          t = Z · √( (T − 2)/(T − 1 − Z²) )          df T − 2
/// ```
/// `None` if n = 0, T < 3, S_Ū = 0 or T − 1 − Z² ≤ 0.
///
/// # Examples
/// ```
/// use evstudy::stats::grank_t;
/// // T = 3, n = 1; S_Ū² = (0.25² + 0.25² + 0.5²)/3 = 0.125
/// let r = grank_t(&[-0.25, 0.25], &[1, 1], 0.5, 1).unwrap();
/// let z = 0.5 / 0.125f64.sqrt();
/// assert!((r.statistic - z * (1.0 / (2.0 - z * z)).sqrt()).abs() < 1e-12);
/// assert_eq!(r.df, Some(1.0));
/// ```
pub fn grank_t(u_bar_est: &[f64], n_est: &[usize], u_bar0: f64, n: usize) -> Option<TestStat> {
    if n == 0 || u_bar_est.len() != n_est.len() {
        return None;
    }
    let nf = n as f64;
    let (mut ss, mut days) = (u_bar0 * u_bar0, 1usize);
    for (&ub, &k) in u_bar_est.iter().zip(n_est) {
        if k > 0 {
            ss += k as f64 / nf * ub * ub;
            days += 1;
        }
    }
    let t_len = days as f64;
    if days < 3 || !(ss > 0.0) {
        return None;
    }
    let z = u_bar0 / (ss / t_len).sqrt();
    let den = t_len - 1.0 - z * z;
    if !(den > 0.0) {
        return None;
    }
    t_stat(z * ((t_len - 2.0) / den).sqrt(), t_len - 2.0, n)
}

/// Result of the Wilcoxon signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wilcoxon {
    /// Z (normal approximation, tie-corrected) and its p-value (exact when requested and
    /// possible); `n` = size of the test set (zeros included).
    pub test: TestStat,
    /// W⁺ = sum of the ranks of the positive values.
    pub w_plus: f64,
    /// n′ = number of non-zero values.
    pub n_nonzero: usize,
    /// Whether |x| had ties (then the p-value is never exact).
    pub ties: bool,
    /// Whether `test.p_value` is the exact permutation p-value.
    pub exact: bool,
}

/// Largest n′ for which the exact null distribution of W⁺ is computed (cost O(n′³)); above
/// it the normal p-value is kept.
pub const WILCOXON_EXACT_MAX_N: usize = 1000;

/// Wilcoxon signed-rank test — `wilcoxon_z` (§9.6).
///
/// Zeros are dropped; |x| are ranked with midranks. With `exact` and no ties (and
/// n′ ≤ [`WILCOXON_EXACT_MAX_N`]) the p-value is the exact two-sided permutation p.
/// Reference: Wilcoxon, F. (1945), Biometrics Bulletin 1(6), 80–83; Lehmann (1975) for the
/// tie correction.
///
/// # Formula
/// ```text
/// W⁺ = Σ_{x_i > 0} rank(|x_i|)          E = n′(n′ + 1)/4
/// Var = n′(n′ + 1)(2n′ + 1)/24 − Σ_j (t_j³ − t_j)/48
/// Z = (W⁺ − E)/√Var          ~ N(0, 1), no continuity correction
/// exact: p = min(1, 2·min(P(W⁺ ≤ w), P(W⁺ ≥ w)))
/// ```
/// `None` if n′ = 0.
///
/// # Examples
/// ```
/// use evstudy::stats::wilcoxon_z;
/// // |x| ranks 1, 2, 3; W⁺ = 1 + 3 = 4; E = 3; Var = 3.5
/// let w = wilcoxon_z(&[0.1, -0.2, 0.3, 0.0], false).unwrap();
/// assert_eq!(w.w_plus, 4.0);
/// assert!((w.test.statistic - 1.0 / 3.5f64.sqrt()).abs() < 1e-15);
/// assert_eq!(w.test.n, 4);
/// // exact: P(W⁺ ≥ 4) = 3/8 for n′ = 3 → p = 0.75
/// let w = wilcoxon_z(&[0.1, -0.2, 0.3], true).unwrap();
/// assert!((w.test.p_value - 0.75).abs() < 1e-15);
/// ```
pub fn wilcoxon_z(x: &[f64], exact: bool) -> Option<Wilcoxon> {
    // The non-zero values as integer keys sorted by |x|: the bits of a non-negative float
    // order as the float does (no sign bit, so a shift left keeps the order), and the lowest
    // bit says whether the value is positive. Equal |x| have equal `key >> 1`.
    let mut keys: Vec<u64> = x
        .iter()
        .filter(|v| **v != 0.0 && !v.is_nan())
        .map(|v| (v.abs().to_bits() << 1) | u64::from(*v > 0.0))
        .collect();
    let np = keys.len();
    if np == 0 {
        return None;
    }
    keys.sort_unstable();
    // midranks of |x| and the tie correction
    let mut w_plus = 0.0;
    let mut tie_corr = 0.0;
    let mut ties = false;
    let mut j = 0;
    while j < np {
        let mut k = j + 1;
        while k < np && keys[k] >> 1 == keys[j] >> 1 {
            k += 1;
        }
        let r = (j + 1 + k) as f64 / 2.0;
        let t = (k - j) as f64;
        if k - j > 1 {
            ties = true;
            tie_corr += (t * t * t - t) / 48.0;
        }
        w_plus += r * keys[j..k].iter().filter(|&&key| key & 1 == 1).count() as f64;
        j = k;
    }
    let nf = np as f64;
    let e = nf * (nf + 1.0) / 4.0;
    let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_corr;
    if !(var > 0.0) {
        return None;
    }
    let mut test = z_stat((w_plus - e) / var.sqrt(), x.len())?;
    let mut is_exact = false;
    if exact && !ties && np <= WILCOXON_EXACT_MAX_N {
        test.p_value = wilcoxon_exact_p(np, w_plus.round() as usize);
        is_exact = true;
    }
    Some(Wilcoxon {
        test,
        w_plus,
        n_nonzero: np,
        ties,
        exact: is_exact,
    })
}

/// Exact two-sided p of W⁺ = w with n′ untied non-zero values (all 2^n′ sign patterns).
fn wilcoxon_exact_p(n: usize, w: usize) -> f64 {
    let max = n * (n + 1) / 2;
    // P(W⁺ = s) by dynamic programming over ranks 1..=n, each included with probability ½
    let mut dist = vec![0.0f64; max + 1];
    dist[0] = 1.0;
    let mut top = 0;
    for k in 1..=n {
        top += k;
        for s in (0..=top).rev() {
            let without = dist[s];
            let with = if s >= k { dist[s - k] } else { 0.0 };
            dist[s] = 0.5 * (without + with);
        }
    }
    let w = w.min(max);
    let lower: f64 = dist[..=w].iter().sum();
    let upper: f64 = dist[w..].iter().sum();
    (2.0 * lower.min(upper)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn sign_and_gsign_edges() {
        assert!(sign_z(&[]).is_none());
        // all zeros: n⁺ = 0 → Z = −√n
        assert_relative_eq!(sign_z(&[0.0; 4]).unwrap().statistic, -2.0);
        assert!(gsign_z(&[0.1], &[0.0]).is_none());
        assert!(gsign_z(&[0.1], &[1.0]).is_none());
        assert!(gsign_z(&[0.1, 0.2], &[0.5]).is_none());
        // n = 1, p̂ = 0.4, positive: (1 − 0.4)/√0.24
        assert_relative_eq!(
            gsign_z(&[0.1], &[0.4]).unwrap().statistic,
            0.6 / 0.24f64.sqrt(),
            max_relative = 1e-14
        );
    }

    #[test]
    fn midranks_with_ties() {
        let k = midranks(&[2.0, 2.0, 2.0, 1.0]);
        assert_eq!(k, vec![3.0, 3.0, 3.0, 1.0]);
        let u = standardized_ranks(&[5.0, 5.0]);
        assert_eq!(u, vec![0.0, 0.0]); // 1.5/3 − 0.5
    }

    #[test]
    fn wilcoxon_ties_and_zeros() {
        // x = 1, −1, 2, 0: zero dropped; |x| = 1, 1, 2 → ranks 1.5, 1.5, 3; W⁺ = 4.5
        let w = wilcoxon_z(&[1.0, -1.0, 2.0, 0.0], true).unwrap();
        assert_eq!(w.w_plus, 4.5);
        assert!(w.ties && !w.exact);
        let var = 3.0 * 4.0 * 7.0 / 24.0 - 6.0 / 48.0;
        assert_relative_eq!(w.test.statistic, 1.5 / f64::sqrt(var), max_relative = 1e-14);
        assert!(wilcoxon_z(&[0.0, 0.0], false).is_none());
        assert!(wilcoxon_z(&[], false).is_none());
    }

    /// W⁺ over many tied |x| of both signs, -0.0 and NaN equals the sum of the midranks of
    /// |x| (the comparison-sort `midranks`) over the positive values.
    #[test]
    fn wilcoxon_w_plus_is_the_sum_of_positive_midranks() {
        let mut seed = 5u64;
        let x: Vec<f64> = (0..2001)
            .map(|i| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                match i % 97 {
                    0 => -0.0,
                    1 => f64::NAN,
                    _ => ((seed >> 40) % 41) as f64 * 0.25 - 5.0, // ±, many ties
                }
            })
            .collect();
        let kept: Vec<f64> = x
            .iter()
            .copied()
            .filter(|v| *v != 0.0 && !v.is_nan())
            .collect();
        let ranks = midranks(&kept.iter().map(|v| v.abs()).collect::<Vec<_>>());
        let want: f64 = kept
            .iter()
            .zip(&ranks)
            .filter(|p| *p.0 > 0.0)
            .map(|p| p.1)
            .sum();
        let w = wilcoxon_z(&x, false).unwrap();
        assert_eq!(w.n_nonzero, kept.len());
        assert!(w.ties);
        assert_relative_eq!(w.w_plus, want, max_relative = 1e-14);
    }

    #[test]
    fn wilcoxon_exact_matches_enumeration() {
        // enumerate all 2^6 sign patterns of ranks 1..6 for w = 17
        let n = 6;
        let mut counts = vec![0u32; 22];
        for mask in 0u32..64 {
            let s: usize = (0..n).filter(|b| mask >> b & 1 == 1).map(|b| b + 1).sum();
            counts[s] += 1;
        }
        let w = 17;
        let le: u32 = counts[..=w].iter().sum();
        let ge: u32 = counts[w..].iter().sum();
        let expected = (2.0 * le.min(ge) as f64 / 64.0).min(1.0);
        assert_relative_eq!(wilcoxon_exact_p(n, w), expected, max_relative = 1e-14);
        // x with W⁺ = 17: positive ranks 6, 5, 4, 2
        let x = [0.6, 0.5, 0.4, -0.3, 0.2, -0.1];
        let r = wilcoxon_z(&x, true).unwrap();
        assert_eq!(r.w_plus, 17.0);
        assert_relative_eq!(r.test.p_value, expected, max_relative = 1e-14);
    }

    #[test]
    fn rank_edges() {
        assert!(rank_z_day(&[], 0.3).is_none());
        assert!(rank_z_day(&[0.1], 0.0).is_none());
        assert!(rank_z_window(&[&[][..]], 0, 0.3).is_none());
        assert!(rank_s_v(&[f64::NAN]).is_none());
        // constant values: all U = 0 → S_Ū = 0 → NA
        assert!(grank_t(&[0.0, 0.0, 0.0], &[2, 2, 2], 0.0, 2).is_none());
        assert!(grank_t(&[0.1], &[1], 0.2, 1).is_none()); // T = 2
    }

    #[test]
    fn grank_u_matches_second_route() {
        // ranks by hand: values −0.5, 1.2, 0.3, (0) 0.3 tie with day 0
        let GrankU { u, u0 } = grank_u(&[-0.5, 1.2, 0.3], 0.3);
        // ranks 1, 4, 2.5 | 2.5 over n = 4 → /5 − 0.5
        assert_relative_eq!(u[0], 1.0 / 5.0 - 0.5);
        assert_relative_eq!(u[1], 4.0 / 5.0 - 0.5);
        assert_relative_eq!(u[2], 2.5 / 5.0 - 0.5);
        assert_relative_eq!(u0, 2.5 / 5.0 - 0.5);
    }
}
