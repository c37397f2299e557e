//! Multi-event parametric tests (methodology §8): cross-sectional t, crude dependence
//! adjustment, Patell Z, BMP and their Kolari-Pynnönen adjustments, skewness-adjusted t.
//!
//! Day scope: `x` = AR_it, `s` = SAR_it over the test set D_t. Window scope: `x` = CAR_i(W),
//! `s` = SCAR_i(W) over C_W. Inputs must be finite (the battery passes only the test set).

use super::{mean, sd, t_stat, z_stat, TestStat};

/// Cross-sectional t test of the mean abnormal return — `csect_t` (§8.1).
///
/// Reference: Brown, S. J. & Warner, J. B. (1985), JFE 14(1), 3–31; Boehmer, Musumeci &
/// Poulsen (1991), JFE 30(2), 253–272. Also used on BHARs (scope `bhar`).
///
/// # Formula
/// ```text
/// t = mean(x) / (sd(x) / √n)        df n − 1        (sd with divisor n − 1)
/// ```
/// `None` if n < 2 or sd = 0.
///
/// # Examples
/// ```
/// use evstudy::stats::csect_t;
/// // mean 2, sd 1, n 3 → t = 2·√3
/// let r = csect_t(&[1.0, 2.0, 3.0]).unwrap();
/// assert!((r.statistic - 2.0 * 3f64.sqrt()).abs() < 1e-12);
/// assert_eq!(r.df, Some(2.0));
/// assert!(csect_t(&[0.5]).is_none());
/// assert!(csect_t(&[0.5, 0.5]).is_none());
/// ```
pub fn csect_t(x: &[f64]) -> Option<TestStat> {
    let n = x.len();
    let s = sd(x)?;
    if !(s > 0.0) {
        return None;
    }
    t_stat(mean(x) / (s / (n as f64).sqrt()), (n - 1) as f64, n)
}

/// The Brown-Warner (1985) crude-dependence scale S_CDA and its degrees of freedom (§8.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CdaScale {
    /// S_CDA = sd of the event-time average estimation residuals AAR_τ.
    pub s_cda: f64,
    /// M̃ − 1 (M̃ = estimation days with at least one residual).
    pub df: usize,
}

/// S_CDA: standard deviation of the estimation-window average residuals (§8.2).
///
/// `aar_tau[τ]` is the mean of ε̂*_iτ over the events of the analysis set with a residual on
/// relative estimation day τ, NaN when no event has one (such days are skipped).
/// Reference: Brown, S. J. & Warner, J. B. (1980), JFE 8(3), 205–258; (1985) JFE 14(1), 3–31.
///
/// # Formula
/// ```text
/// M̃ = #{τ : AAR_τ available}
/// S_CDA = √( Σ_τ (AAR_τ − mean AAR)² / (M̃ − 1) )        df = M̃ − 1
/// ```
/// `None` if M̃ < 2.
///
/// # Examples
/// ```
/// use evstudy::stats::s_cda;
/// let c = s_cda(&[0.01, f64::NAN, -0.01, 0.03]).unwrap();
/// // mean 0.01, deviations 0, −0.02, 0.02 → variance 0.0008/2
/// assert!((c.s_cda - 0.02).abs() < 1e-15);
/// assert_eq!(c.df, 2);
/// ```
pub fn s_cda(aar_tau: &[f64]) -> Option<CdaScale> {
    let days: Vec<f64> = aar_tau.iter().copied().filter(|v| v.is_finite()).collect();
    let s = sd(&days)?;
    Some(CdaScale {
        s_cda: s,
        df: days.len() - 1,
    })
}

/// Crude dependence adjustment t — `cda_t` (§8.2).
///
/// `x` are the ARs of day t (`window_len` = 1) or the CARs of window W (`window_len` = L).
/// Reference: Brown & Warner (1980, 1985).
///
/// # Formula
/// ```text
/// day:     t = AAR_t / S_CDA
/// window:  t = CAAR(W) / (√L · S_CDA)          df M̃ − 1
/// ```
/// `None` if x is empty, S_CDA = 0 or df = 0.
///
/// # Examples
/// ```
/// use evstudy::stats::{cda_t, CdaScale};
/// let scale = CdaScale { s_cda: 0.01, df: 44 };
/// let r = cda_t(&[0.02, 0.04], 4, scale).unwrap();
/// // CAAR 0.03 / (2 · 0.01) = 1.5
/// assert!((r.statistic - 1.5).abs() < 1e-12);
/// assert_eq!(r.df, Some(44.0));
/// ```
pub fn cda_t(x: &[f64], window_len: usize, scale: CdaScale) -> Option<TestStat> {
    if x.is_empty() || window_len == 0 || !(scale.s_cda > 0.0) || scale.df == 0 {
        return None;
    }
    let t = mean(x) / ((window_len as f64).sqrt() * scale.s_cda);
    t_stat(t, scale.df as f64, x.len())
}

/// Patell (1976) standardized-residual test — `patell_z` (§8.3).
///
/// `s` = SAR_it (day) or SCAR_i(W) (window, exact CAR variance); `nu` = ν_i, the residual
/// degrees of freedom of each event's σ̂. Reference: Patell, J. M. (1976), Journal of
/// Accounting Research 14(2), 246–276.
///
/// # Formula
/// ```text
/// Z = Σ_i s_i / √( Σ_i ν_i / (ν_i − 2) )          ~ N(0, 1)
/// ```
/// `None` if the slices are empty or differ in length, or any ν_i ≤ 2.
///
/// # Examples
/// ```
/// use evstudy::stats::patell_z;
/// // Σ s = 3, Σ ν/(ν−2) = 2 · 4/2 = 4 → Z = 1.5
/// let r = patell_z(&[1.0, 2.0], &[4.0, 4.0]).unwrap();
/// assert!((r.statistic - 1.5).abs() < 1e-12);
/// assert!(patell_z(&[1.0], &[2.0]).is_none());
/// ```
pub fn patell_z(s: &[f64], nu: &[f64]) -> Option<TestStat> {
    if s.is_empty() || s.len() != nu.len() || nu.iter().any(|&v| !(v > 2.0)) {
        return None;
    }
    let var: f64 = nu.iter().map(|&v| v / (v - 2.0)).sum();
    z_stat(s.iter().sum::<f64>() / var.sqrt(), s.len())
}

/// Kolari-Pynnönen adjusted Patell Z, cluster-aware — `adj_patell_z` (§8.4).
///
/// `m` = mean number of same-date partners of the test set
/// ([`super::same_date_partners_m`]), `rbar` = r̄ of the group (§7.3).
/// Reference: Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11), 3996–4025.
///
/// # Formula
/// ```text
/// Z_adj = Z_Patell / √(1 + m·r̄)          ~ N(0, 1)
/// ```
/// `None` if Patell's Z is NA or 1 + m·r̄ ≤ 0.
///
/// # Examples
/// ```
/// use evstudy::stats::adj_patell_z;
/// // Z = 1.5; m = 1, r̄ = 0.44 → 1.5 / 1.2 = 1.25
/// let r = adj_patell_z(&[1.0, 2.0], &[4.0, 4.0], 1.0, 0.44).unwrap();
/// assert!((r.statistic - 1.25).abs() < 1e-12);
/// ```
pub fn adj_patell_z(s: &[f64], nu: &[f64], m: f64, rbar: f64) -> Option<TestStat> {
    let z = patell_z(s, nu)?;
    let factor = 1.0 + m * rbar;
    if !(factor > 0.0) {
        return None;
    }
    z_stat(z.statistic / factor.sqrt(), z.n)
}

/// Standardized cross-sectional test of Boehmer, Musumeci & Poulsen — `bmp_t` (§8.5).
///
/// `s` = SAR_it (day) or SCAR_i(W) (window). Reference: Boehmer, E., Musumeci, J. &
/// Poulsen, A. B. (1991), JFE 30(2), 253–272.
///
/// # Formula
/// ```text
/// t = mean(s) / (sd(s) / √n)          df n − 1
/// ```
/// `None` if n < 2 or sd = 0.
///
/// # Examples
/// ```
/// use evstudy::stats::bmp_t;
/// let r = bmp_t(&[1.0, 2.0, 3.0]).unwrap();
/// assert!((r.statistic - 2.0 * 3f64.sqrt()).abs() < 1e-12);
/// ```
pub fn bmp_t(s: &[f64]) -> Option<TestStat> {
    csect_t(s)
}

/// Kolari-Pynnönen adjusted BMP, cluster-aware — `adj_bmp_t` (§8.6).
///
/// Reference: Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11), 3996–4025.
///
/// # Formula
/// ```text
/// t_adj = t_BMP · √( (1 − r̄·m/(n − 1)) / (1 + m·r̄) )          df n − 1
/// ```
/// `None` if n < 2, BMP is NA, or either side of the fraction is ≤ 0.
///
/// # Examples
/// ```
/// use evstudy::stats::adj_bmp_t;
/// // one common date (m = n − 1 = 2), r̄ = 0.25: factor √(0.75/1.5) = √0.5
/// let r = adj_bmp_t(&[1.0, 2.0, 3.0], 2.0, 0.25).unwrap();
/// assert!((r.statistic - 2.0 * 3f64.sqrt() * 0.5f64.sqrt()).abs() < 1e-12);
/// ```
pub fn adj_bmp_t(s: &[f64], m: f64, rbar: f64) -> Option<TestStat> {
    let n = s.len();
    if n < 2 {
        return None;
    }
    let t = bmp_t(s)?;
    let num = 1.0 - rbar * m / (n - 1) as f64;
    let den = 1.0 + m * rbar;
    if !(num > 0.0) || !(den > 0.0) {
        return None;
    }
    t_stat(t.statistic * (num / den).sqrt(), (n - 1) as f64, n)
}

/// Skewness-adjusted t (Hall 1992; Lyon, Barber & Tsai 1999) — `skew_adj_t` (§8.7).
///
/// On x = AR, CAR or BHAR. Reference: Hall, P. (1992), JRSS B 54(1), 221–228; Lyon, J. D.,
/// Barber, B. M. & Tsai, C.-L. (1999), JF 54(1), 165–201. p from t(n − 1) (no bootstrap).
///
/// # Formula
/// ```text
/// S = mean(x) / sd(x)          γ̂ = Σ (x_i − x̄)³ / (n · sd(x)³)
/// t_sa = √n · ( S + γ̂·S²/3 + γ̂/(6n) )          df n − 1
/// ```
/// `None` if n < 2 or sd = 0.
///
/// # Examples
/// ```
/// use evstudy::stats::skew_adj_t;
/// // symmetric sample: γ̂ = 0, so t_sa = √n·S = csect t
/// let r = skew_adj_t(&[1.0, 2.0, 3.0]).unwrap();
/// assert!((r.statistic - 2.0 * 3f64.sqrt()).abs() < 1e-12);
/// // x = 0, 0, 3: mean 1, sd √3, S = 1/√3, γ̂ = (−1 − 1 + 8)/(3·3√3) = 6/(9√3)
/// let r = skew_adj_t(&[0.0, 0.0, 3.0]).unwrap();
/// let (s, g) = (1.0 / 3f64.sqrt(), 6.0 / (9.0 * 3f64.sqrt()));
/// let expected = 3f64.sqrt() * (s + g * s * s / 3.0 + g / 18.0);
/// assert!((r.statistic - expected).abs() < 1e-12);
/// ```
pub fn skew_adj_t(x: &[f64]) -> Option<TestStat> {
    let n = x.len();
    let s = sd(x)?;
    if !(s > 0.0) {
        return None;
    }
    let m = mean(x);
    let nf = n as f64;
    let gamma = x.iter().map(|v| (v - m).powi(3)).sum::<f64>() / (nf * s.powi(3));
    let ratio = m / s;
    let t = nf.sqrt() * (ratio + gamma * ratio * ratio / 3.0 + gamma / (6.0 * nf));
    t_stat(t, nf - 1.0, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn csect_t_hand_worked_p_value() {
        // x = −1, 1, 3: mean 1, sd 2, t = 1/(2/√3) = √3/2; df 2
        let r = csect_t(&[-1.0, 1.0, 3.0]).unwrap();
        assert_relative_eq!(r.statistic, 3f64.sqrt() / 2.0, max_relative = 1e-14);
        // t(2) two-sided p: 1 − t/√(2 + t²)
        let t = r.statistic;
        assert_relative_eq!(
            r.p_value,
            1.0 - t / (2.0 + t * t).sqrt(),
            max_relative = 1e-12
        );
        assert_eq!(r.n, 3);
    }

    #[test]
    fn edge_cases_are_none() {
        assert!(csect_t(&[]).is_none());
        assert!(csect_t(&[1.0]).is_none());
        assert!(csect_t(&[0.0, 0.0, 0.0]).is_none()); // all zero: sd 0
        assert!(skew_adj_t(&[2.0, 2.0]).is_none());
        assert!(bmp_t(&[0.3]).is_none());
        assert!(adj_bmp_t(&[1.0], 0.0, 0.1).is_none());
        // 1 − r̄·m/(n−1) ≤ 0
        assert!(adj_bmp_t(&[1.0, 2.0], 1.0, 1.0).is_none());
        assert!(patell_z(&[], &[]).is_none());
        assert!(patell_z(&[1.0, 1.0], &[10.0, 2.0]).is_none());
        assert!(patell_z(&[1.0], &[10.0, 10.0]).is_none());
        // 1 + m r̄ ≤ 0
        assert!(adj_patell_z(&[1.0], &[10.0], 2.0, -0.5).is_none());
        assert!(s_cda(&[0.1]).is_none());
        assert!(s_cda(&[f64::NAN, f64::NAN]).is_none());
        let flat = s_cda(&[0.5, 0.5, 0.5]).unwrap();
        assert!(cda_t(&[0.2], 1, flat).is_none()); // S_CDA = 0
    }

    #[test]
    fn n_equal_two() {
        // x = 1, 3: mean 2, sd √2, t = 2/(√2/√2) = 2, df 1, p = 1 − (2/π)·atan(2)
        let r = csect_t(&[1.0, 3.0]).unwrap();
        assert_relative_eq!(r.statistic, 2.0, max_relative = 1e-14);
        let p = 1.0 - 2.0 / std::f64::consts::PI * 2f64.atan();
        assert_relative_eq!(r.p_value, p, max_relative = 1e-10);
        // two points are symmetric: γ̂ = 0
        assert_relative_eq!(
            skew_adj_t(&[1.0, 3.0]).unwrap().statistic,
            2.0,
            max_relative = 1e-14
        );
    }

    #[test]
    fn patell_p_value_is_normal() {
        // Σ s = 1.959963984540054·√(Σ ν/(ν−2)) → p = 0.05
        let nu = [12.0, 22.0];
        let v: f64 = 12.0 / 10.0 + 22.0 / 20.0;
        let s = [1.959963984540054 * v.sqrt(), 0.0];
        let r = patell_z(&s, &nu).unwrap();
        // statrs' erfc is accurate to ~1e-11 relative here
        assert_relative_eq!(r.p_value, 0.05, max_relative = 1e-9);
        assert_eq!(r.df, None);
    }

    #[test]
    fn adjustments_vanish_without_shared_dates() {
        let s = [0.4, -1.0, 2.2, 0.7];
        let nu = [40.0, 41.0, 43.0, 43.0];
        assert_relative_eq!(
            adj_patell_z(&s, &nu, 0.0, 0.3).unwrap().statistic,
            patell_z(&s, &nu).unwrap().statistic
        );
        assert_relative_eq!(
            adj_bmp_t(&s, 0.0, 0.3).unwrap().statistic,
            bmp_t(&s).unwrap().statistic
        );
    }
}
