//! The sample-quantile test of a single event (Gelbach, Helland & Klick 2013), §6.1.

/// The result of the sample-quantile test of one event window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantileTest {
    /// Number of L-day reference sums (the size of the empirical distribution).
    pub n_reference: usize,
    /// F̂(CAR): the share of reference sums ≤ CAR, in \[0, 1\]; `None` without a CAR or
    /// without reference sums.
    pub rank: Option<f64>,
    /// Two-sided p-value; `None` when the test is not defined (§6.1).
    pub p_value: Option<f64>,
}

/// The sample-quantile (SQ) test of Gelbach, Helland & Klick (2013): the event CAR over L
/// days against the empirical distribution of the sums of L consecutive estimation
/// residuals (overlapping sums; a sum is formed only where all L residuals exist).
///
/// # Formula
/// With S_j = Σ_{τ=j..j+L−1} ε̂_τ the n reference sums,
/// F̂(c) = #{S_j ≤ c}/n,  Ĝ(c) = #{S_j ≥ c}/n,
/// p = min(1, 2·min(F̂(CAR), Ĝ(CAR))).
/// Ties count in both tails. The p-value is `None` when `est_len < 2·L` (the estimation
/// window must hold at least two disjoint L-day sums), when there is no reference sum or
/// when `car` is `None`. Gelbach, Helland & Klick (2013), §6.1.
///
/// # Examples
/// ```
/// use evstudy::stats::sample_quantile_test;
/// // Sums of 2 consecutive residuals: 0.3, 0.1, -0.1, -0.3, 0.0.
/// let resid = [0.1, 0.2, -0.1, 0.0, -0.3, 0.3];
/// let t = sample_quantile_test(&resid, 2, Some(0.25));
/// assert_eq!(t.n_reference, 5);
/// assert_eq!(t.rank, Some(0.8));
/// // 1 sum of 5 is ≥ 0.25: p = 2 · 1/5.
/// assert!((t.p_value.unwrap() - 0.4).abs() < 1e-15);
/// ```
pub fn sample_quantile_test(est_resid: &[f64], l: usize, car: Option<f64>) -> QuantileTest {
    let (mut n, mut below, mut above) = (0usize, 0usize, 0usize);
    let c = car.filter(|c| c.is_finite());
    if l > 0 && est_resid.len() >= l {
        for days in est_resid.windows(l) {
            let s: f64 = days.iter().sum();
            if !s.is_finite() {
                continue;
            }
            n += 1;
            if let Some(c) = c {
                below += usize::from(s <= c);
                above += usize::from(s >= c);
            }
        }
    }
    let rank = c.filter(|_| n > 0).map(|_| below as f64 / n as f64);
    let defined = est_resid.len() >= 2 * l && l > 0;
    let p_value = rank.filter(|_| defined).map(|f| {
        let g = above as f64 / n as f64;
        (2.0 * f.min(g)).min(1.0)
    });
    QuantileTest {
        n_reference: n,
        rank,
        p_value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The cases of `tests/fixtures/single_firm/quantile.csv`, computed by
    /// `make_fixtures.py` (OLS market model fitted with numpy, rolling sums, the p of §6.1).
    #[test]
    fn matches_the_numpy_fixture() {
        let resid: Vec<f64> = include_str!("../../tests/fixtures/single_firm/residuals.csv")
            .lines()
            .skip(1)
            .map(|s| s.trim().parse().unwrap())
            .collect();
        let text = include_str!("../../tests/fixtures/single_firm/quantile.csv");
        let mut cases = 0;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let l: usize = f[0].parse().unwrap();
            let car: f64 = f[1].parse().unwrap();
            let t = sample_quantile_test(&resid, l, Some(car));
            assert_eq!(t.n_reference, f[2].parse::<usize>().unwrap(), "{line}");
            assert_relative_eq!(t.rank.unwrap(), f[3].parse().unwrap(), epsilon = 1e-10);
            assert_relative_eq!(t.p_value.unwrap(), f[4].parse().unwrap(), epsilon = 1e-10);
            cases += 1;
        }
        assert!(cases >= 4);
    }

    /// Hand-worked: residuals 1, −1, NaN, 2, 0, 3 and L = 2 give the sums 0, 2, 3 (the two
    /// sums over the NaN are skipped).
    #[test]
    fn hand_worked_with_a_gap_and_ties() {
        let r = [1.0, -1.0, f64::NAN, 2.0, 0.0, 3.0];
        // CAR = 2: F̂ = #{0, 2} / 3 = 2/3, Ĝ = #{2, 3} / 3 = 2/3, p = min(1, 4/3) = 1.
        let t = sample_quantile_test(&r, 2, Some(2.0));
        assert_eq!(t.n_reference, 3);
        assert_relative_eq!(t.rank.unwrap(), 2.0 / 3.0);
        assert_eq!(t.p_value, Some(1.0));
        // CAR = 5: above every sum, F̂ = 1, Ĝ = 0, p = 0.
        assert_eq!(sample_quantile_test(&r, 2, Some(5.0)).p_value, Some(0.0));
        // CAR = −0.5: F̂ = 0, p = 0; rank 0.
        let low = sample_quantile_test(&r, 2, Some(-0.5));
        assert_eq!((low.rank, low.p_value), (Some(0.0), Some(0.0)));
        // L = 4 needs an estimation window of 8 days: rank only, no p.
        let short = sample_quantile_test(&r, 4, Some(0.0));
        assert_eq!(short.p_value, None);
        // No CAR: the reference sums are still counted.
        let none = sample_quantile_test(&r, 2, None);
        assert_eq!((none.n_reference, none.rank, none.p_value), (3, None, None));
    }
}
