//! The difference between two independent groups of CARs (§7.5): the difference of means with
//! Welch's unequal-variance t, and the Wilcoxon rank-sum / Mann-Whitney U test.
//!
//! Both groups are plain slices; NaN values are missing (§0.2), dropped and counted. Every
//! quantity that the data do not define is `None`; nothing here panics on data.

use super::{p_value_normal, p_value_t};

/// The comparison of group A with group B: difference of means, Welch t and Mann-Whitney U.
///
/// Signs follow A − B: a positive `difference`, `welch_t` or `mann_whitney_z` says that
/// group A's CARs tend to be larger.
///
/// # Formula
/// ```text
/// difference = x̄_A − x̄_B
/// t  = (x̄_A − x̄_B) / √(s²_A/n_A + s²_B/n_B)                      Welch (1947)
/// ν  = (s²_A/n_A + s²_B/n_B)² / ((s²_A/n_A)²/(n_A−1) + (s²_B/n_B)²/(n_B−1))  Satterthwaite (1946)
/// U  = R_A − n_A(n_A+1)/2                                         Mann & Whitney (1947)
/// z  = (U − n_A n_B/2) / √( n_A n_B/12 · ((n+1) − Σ_j (t_j³ − t_j)/(n(n−1))) )
/// ```
/// R_A is the sum of the mid-ranks of A's values in the pooled sample of n = n_A + n_B values,
/// t_j the sizes of its tie groups; z has no continuity correction. Both p-values are
/// two-sided: Student t with ν degrees of freedom for t, standard normal for z.
///
/// # Examples
/// ```
/// use evstudy::stats::difference::group_difference;
/// let d = group_difference(&[1.0, 2.0, 3.0], &[4.0, 5.0]);
/// assert_eq!(d.difference, Some(-2.5));
/// assert_eq!(d.mann_whitney_u, Some(0.0));
/// assert!((d.welch_df.unwrap() - 49.0 / 17.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupDifference {
    /// Number of non-NaN values of group A.
    pub n_a: usize,
    /// Number of non-NaN values of group B.
    pub n_b: usize,
    /// Number of NaN values dropped from group A.
    pub nan_a: usize,
    /// Number of NaN values dropped from group B.
    pub nan_b: usize,
    /// Mean of group A (CAAR_A); `None` when A is empty.
    pub mean_a: Option<f64>,
    /// Mean of group B (CAAR_B); `None` when B is empty.
    pub mean_b: Option<f64>,
    /// CAAR_A − CAAR_B; `None` when a group is empty.
    pub difference: Option<f64>,
    /// Welch's t; `None` when a group has fewer than 2 values or both variances are zero.
    pub welch_t: Option<f64>,
    /// Welch-Satterthwaite degrees of freedom; defined with `welch_t`.
    pub welch_df: Option<f64>,
    /// Two-sided Student-t p-value of `welch_t` with `welch_df` degrees of freedom.
    pub welch_p: Option<f64>,
    /// Mann-Whitney U of group A; `None` when a group is empty.
    pub mann_whitney_u: Option<f64>,
    /// Normal approximation of U, tie-corrected, no continuity correction; `None` when a group
    /// is empty or all pooled values are equal.
    pub mann_whitney_z: Option<f64>,
    /// Two-sided standard-normal p-value of `mann_whitney_z`.
    pub mann_whitney_p: Option<f64>,
}

/// Compares two independent samples of CARs, group A (`a`) with group B (`b`) (§7.5).
///
/// NaN values are dropped and counted. Runs in O(n log n) for n = n_A + n_B, with one sort
/// buffer of the pooled values as its only allocation.
///
/// # Formula
/// Welch (1947) t with the Welch-Satterthwaite degrees of freedom, and the Mann & Whitney (1947)
/// U (Wilcoxon 1945 rank sum) with its tie-corrected normal approximation; see
/// [`GroupDifference`] for the formulas.
///
/// # Examples
/// ```
/// use evstudy::stats::difference::group_difference;
/// let d = group_difference(&[1.0, 2.0, f64::NAN, 3.0], &[4.0, 5.0]);
/// assert_eq!((d.n_a, d.nan_a), (3, 1));
/// // t = −2.5/√(1/3 + 1/4), z = (0 − 3)/√3
/// assert!((d.welch_t.unwrap() + 2.5 / (7.0_f64 / 12.0).sqrt()).abs() < 1e-12);
/// assert!((d.mann_whitney_z.unwrap() + 3.0_f64.sqrt()).abs() < 1e-12);
/// ```
pub fn group_difference(a: &[f64], b: &[f64]) -> GroupDifference {
    let moments_a = Moments::of(a);
    let moments_b = Moments::of(b);
    let welch = welch(&moments_a, &moments_b);
    let ranks = rank_sum(a, b, moments_a.n, moments_b.n);
    let (mann_whitney_z, mann_whitney_p) = match ranks.as_ref().and_then(RankSum::z) {
        Some(z) => (Some(z), p_value_normal(z)),
        None => (None, None),
    };
    GroupDifference {
        n_a: moments_a.n,
        n_b: moments_b.n,
        nan_a: a.len() - moments_a.n,
        nan_b: b.len() - moments_b.n,
        mean_a: moments_a.mean,
        mean_b: moments_b.mean,
        difference: moments_a.mean.zip(moments_b.mean).map(|(x, y)| x - y),
        welch_t: welch.map(|w| w.t),
        welch_df: welch.map(|w| w.df),
        welch_p: welch.and_then(|w| p_value_t(w.t, w.df)),
        mann_whitney_u: ranks.map(|r| r.u),
        mann_whitney_z,
        mann_whitney_p,
    }
}

/// Count, mean and sample variance (divisor n − 1, two passes) of the non-NaN values.
struct Moments {
    n: usize,
    mean: Option<f64>,
    var: Option<f64>,
}

impl Moments {
    fn of(x: &[f64]) -> Moments {
        let values = || x.iter().copied().filter(|v| !v.is_nan());
        let n = values().count();
        if n == 0 {
            return Moments {
                n,
                mean: None,
                var: None,
            };
        }
        let mean = values().sum::<f64>() / n as f64;
        let var = (n >= 2).then(|| {
            let ss: f64 = values().map(|v| (v - mean) * (v - mean)).sum();
            ss / (n - 1) as f64
        });
        Moments {
            n,
            mean: Some(mean),
            var,
        }
    }
}

/// Welch's t and its degrees of freedom.
#[derive(Clone, Copy)]
struct Welch {
    t: f64,
    df: f64,
}

/// Welch (1947): `None` when a group has fewer than 2 values, both variances are zero or the
/// result is not finite.
fn welch(a: &Moments, b: &Moments) -> Option<Welch> {
    let va = a.var? / a.n as f64;
    let vb = b.var? / b.n as f64;
    let se2 = va + vb;
    if !(se2 > 0.0) {
        return None;
    }
    let t = (a.mean? - b.mean?) / se2.sqrt();
    let df = se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    (t.is_finite() && df.is_finite()).then_some(Welch { t, df })
}

/// Mann-Whitney U of group A with what its normal approximation needs.
#[derive(Clone, Copy)]
struct RankSum {
    u: f64,
    n_a: f64,
    n_b: f64,
    /// Σ_j (t_j³ − t_j) over the tie groups of the pooled sample.
    tie_term: f64,
}

impl RankSum {
    /// The tie-corrected z without continuity correction; `None` when its variance is zero.
    fn z(&self) -> Option<f64> {
        let n = self.n_a + self.n_b;
        let var = self.n_a * self.n_b / 12.0 * ((n + 1.0) - self.tie_term / (n * (n - 1.0)));
        (var > 0.0).then(|| (self.u - self.n_a * self.n_b / 2.0) / var.sqrt())
    }
}

/// Pools the non-NaN values (flagged by group), sorts them once and sums A's mid-ranks;
/// `None` when a group is empty.
fn rank_sum(a: &[f64], b: &[f64], n_a: usize, n_b: usize) -> Option<RankSum> {
    if n_a == 0 || n_b == 0 {
        return None;
    }
    let mut pooled: Vec<(f64, bool)> = Vec::with_capacity(n_a + n_b);
    pooled.extend(a.iter().filter(|v| !v.is_nan()).map(|&v| (v, true)));
    pooled.extend(b.iter().filter(|v| !v.is_nan()).map(|&v| (v, false)));
    pooled.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
    let (mut rank_sum_a, mut tie_term) = (0.0, 0.0);
    let mut j = 0;
    while j < pooled.len() {
        // −0.0 and 0.0 are equal and adjacent after the total order, so they form one group.
        let k = j + pooled[j..]
            .iter()
            .take_while(|p| p.0 == pooled[j].0)
            .count();
        let mid_rank = (j + 1 + k) as f64 / 2.0;
        let in_a = pooled[j..k].iter().filter(|p| p.1).count();
        rank_sum_a += mid_rank * in_a as f64;
        let t = (k - j) as f64;
        tie_term += t * t * t - t;
        j = k;
    }
    let (n_a, n_b) = (n_a as f64, n_b as f64);
    Some(RankSum {
        u: rank_sum_a - n_a * (n_a + 1.0) / 2.0,
        n_a,
        n_b,
        tie_term,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    /// The lines of `tests/fixtures/difference/<name>` (written by `make_fixtures.py` with
    /// scipy), split into cells, header first.
    fn fixture(name: &str) -> Vec<Vec<String>> {
        let path: PathBuf = [
            env!("CARGO_MANIFEST_DIR"),
            "tests/fixtures/difference",
            name,
        ]
        .iter()
        .collect();
        std::fs::read_to_string(path)
            .expect("fixture file")
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    }

    /// The two groups of every case of `inputs.csv`, NaN included.
    fn inputs() -> BTreeMap<String, (Vec<f64>, Vec<f64>)> {
        let mut cases: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
        for row in fixture("inputs.csv").into_iter().skip(1) {
            let value: f64 = row[2].parse().expect("input value");
            let groups = cases.entry(row[0].clone()).or_default();
            match row[1].as_str() {
                "a" => groups.0.push(value),
                "b" => groups.1.push(value),
                other => panic!("unknown group {other}"),
            }
        }
        cases
    }

    fn assert_close(got: Option<f64>, cell: &str, what: &str) {
        let expected: f64 = cell.parse().expect("expected value");
        let got = got.unwrap_or_else(|| panic!("{what} undefined"));
        assert_relative_eq!(got, expected, max_relative = 1e-10, epsilon = 1e-15);
    }

    #[test]
    fn matches_scipy_fixtures() {
        let cases = inputs();
        let expected = fixture("expected.csv");
        let header = &expected[0];
        assert_eq!(expected.len() - 1, cases.len());
        for row in &expected[1..] {
            let (a, b) = &cases[&row[0]];
            let d = group_difference(a, b);
            let cell = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
            assert_eq!(d.n_a.to_string(), *cell("n_a"), "{}", row[0]);
            assert_eq!(d.n_b.to_string(), *cell("n_b"), "{}", row[0]);
            assert_eq!(d.nan_a.to_string(), *cell("nan_a"), "{}", row[0]);
            assert_eq!(d.nan_b.to_string(), *cell("nan_b"), "{}", row[0]);
            let fields = [
                ("mean_a", d.mean_a),
                ("mean_b", d.mean_b),
                ("difference", d.difference),
                ("welch_t", d.welch_t),
                ("welch_df", d.welch_df),
                ("welch_p", d.welch_p),
                ("mann_whitney_u", d.mann_whitney_u),
                ("mann_whitney_z", d.mann_whitney_z),
                ("mann_whitney_p", d.mann_whitney_p),
            ];
            for (name, got) in fields {
                assert_close(got, cell(name), &format!("{} {name}", row[0]));
            }
        }
    }

    #[test]
    fn hand_worked_case() {
        // a = [1, 2, 3]: mean 2, s² = 1; b = [4, 5]: mean 4.5, s² = 1/2.
        // s²_A/n_A = 1/3, s²_B/n_B = 1/4, sum 7/12: t = −2.5/√(7/12),
        // ν = (7/12)² / ((1/3)²/2 + (1/4)²/1) = (49/144)/(17/144) = 49/17.
        // Pooled ranks of a: 1 + 2 + 3 = 6, U = 6 − 6 = 0; no ties:
        // Var(U) = 3·2/12·(5 + 1) = 3, z = (0 − 3)/√3 = −√3, p = 2Φ(−√3) = 0.0832645166635504.
        let d = group_difference(&[1.0, 2.0, 3.0], &[4.0, 5.0]);
        assert_eq!((d.n_a, d.n_b, d.nan_a, d.nan_b), (3, 2, 0, 0));
        assert_eq!(d.difference, Some(-2.5));
        assert_relative_eq!(d.welch_t.unwrap(), -3.273268353539886, max_relative = 1e-12);
        assert_relative_eq!(d.welch_df.unwrap(), 49.0 / 17.0, max_relative = 1e-12);
        assert_eq!(d.mann_whitney_u, Some(0.0));
        assert_relative_eq!(
            d.mann_whitney_z.unwrap(),
            -3f64.sqrt(),
            max_relative = 1e-12
        );
        // Tail probabilities from scipy; statrs's erfc is accurate to a few 1e-11 relative.
        assert_relative_eq!(
            d.welch_p.unwrap(),
            0.04941625686257753,
            max_relative = 1e-10
        );
        assert_relative_eq!(
            d.mann_whitney_p.unwrap(),
            0.0832645166635504,
            max_relative = 1e-10
        );
    }

    #[test]
    fn ties_get_mid_ranks() {
        // Pooled 1, 2, 2, 2, 3 → ranks 1, 3, 3, 3, 5; a = [2, 3] has rank sum 8, U = 8 − 3 = 5.
        // Tie term 3³ − 3 = 24: Var(U) = 2·3/12·(6 − 24/20) = 2.4, z = (5 − 3)/√2.4.
        let d = group_difference(&[2.0, 3.0], &[1.0, 2.0, 2.0]);
        assert_eq!(d.mann_whitney_u, Some(5.0));
        assert_relative_eq!(
            d.mann_whitney_z.unwrap(),
            2.0 / 2.4f64.sqrt(),
            max_relative = 1e-12
        );
    }

    #[test]
    fn undefined_quantities_are_none() {
        let empty = group_difference(&[], &[f64::NAN, 1.0]);
        assert_eq!((empty.n_a, empty.n_b, empty.nan_b), (0, 1, 1));
        assert_eq!(empty.mean_a, None);
        assert_eq!(empty.mean_b, Some(1.0));
        assert_eq!(empty.difference, None);
        assert_eq!(empty.welch_t, None);
        assert_eq!(empty.mann_whitney_u, None);
        assert_eq!(empty.mann_whitney_p, None);

        // One value in A: no variance, so no Welch t; U and z are still defined.
        let single = group_difference(&[0.5], &[0.1, 0.2, 0.3]);
        assert_eq!(
            (single.welch_t, single.welch_df, single.welch_p),
            (None, None, None)
        );
        assert_eq!(single.mann_whitney_u, Some(3.0));
        assert!(single.mann_whitney_p.is_some());

        // Both groups constant: zero variances; all values equal: zero rank variance.
        let flat = group_difference(&[1.0, 1.0], &[1.0, 1.0, 1.0]);
        assert_eq!(flat.difference, Some(0.0));
        assert_eq!((flat.welch_t, flat.welch_p), (None, None));
        assert_eq!(flat.mann_whitney_u, Some(3.0));
        assert_eq!((flat.mann_whitney_z, flat.mann_whitney_p), (None, None));

        // One constant group still has a Welch t, with ν = n_B − 1.
        let one_flat = group_difference(&[2.0, 2.0], &[1.0, 2.0, 3.0]);
        assert_relative_eq!(one_flat.welch_df.unwrap(), 2.0, max_relative = 1e-12);
    }

    #[test]
    fn infinite_values_give_no_welch_t() {
        let d = group_difference(&[f64::INFINITY, 1.0], &[0.0, 1.0]);
        assert_eq!((d.welch_t, d.welch_p), (None, None));
        assert_eq!(d.mann_whitney_u, Some(3.5));
    }
}
