//! The wild cluster bootstrap of the mean abnormal return with event-date clusters (§8.8):
//! the t of the mean with cluster-robust (CR1) standard errors, its p-value from the
//! restricted wild cluster bootstrap (WCR) of Cameron, Gelbach & Miller (2008).
//!
//! Reference: Wu, C. F. J. (1986), Ann. Statist. 14(4), 1261–1295; Liu, R. Y. (1988), Ann.
//! Statist. 16(4), 1696–1708; Mammen, E. (1993), Ann. Statist. 21(1), 255–285; Cameron,
//! A. C., Gelbach, J. B. & Miller, D. L. (2008), REStat 90(3), 414–427; Webb, M. D. (2014),
//! Queen's Economics Dept. WP 1315; MacKinnon, J. G. & Webb, M. D. (2017), J. Appl.
//! Econometrics 32(2), 233–254.

use super::kind::{vocabulary, Scope, TestKind, UnknownName};
use super::rows::{At, RowLabels};
use super::sets::{day_set, window_set};
use super::{StatsConfig, StatsEvent, TestStat};
use crate::abnormal::event_period;
use crate::simulate::rng::SimRng;
use crate::tables::TestRow;
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

vocabulary! {
    /// The distribution of the cluster weights w_g of the wild bootstrap (§8.8).
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::BootstrapWeights;
    /// assert_eq!("webb".parse::<BootstrapWeights>(), Ok(BootstrapWeights::Webb));
    /// assert_eq!(BootstrapWeights::Rademacher.as_str(), "rademacher");
    /// ```
    BootstrapWeights, "weights", 2 {
        /// ±1 with probability ½ each (Liu 1988; Cameron, Gelbach & Miller 2008).
        Rademacher => "rademacher",
        /// Webb's six-point distribution ±√½, ±1, ±√(3/2), each with probability 1/6
        /// (Webb 2014; for few clusters, MacKinnon & Webb 2017).
        Webb => "webb",
    }
}

/// The settings of the wild cluster bootstrap (`[bootstrap]`, §8.8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapSettings {
    /// Bootstrap replications B.
    pub replications: usize,
    /// Master seed; each group × scope × window (or day) draws from its own stream.
    pub seed: u64,
    /// Distribution of the cluster weights.
    pub weights: BootstrapWeights,
}

impl BootstrapWeights {
    /// One weight w_g drawn from `rng`.
    fn draw(self, rng: &mut SimRng) -> f64 {
        match self {
            BootstrapWeights::Rademacher => {
                if rng.next_u64() >> 63 == 1 {
                    1.0
                } else {
                    -1.0
                }
            }
            BootstrapWeights::Webb => {
                const W: [f64; 6] = [
                    -1.224_744_871_391_589,
                    -1.0,
                    -std::f64::consts::FRAC_1_SQRT_2,
                    std::f64::consts::FRAC_1_SQRT_2,
                    1.0,
                    1.224_744_871_391_589,
                ];
                W[((rng.uniform() * 6.0) as usize).min(5)]
            }
        }
    }
}

/// A sample summarised by its clusters: the sum S_g and the size n_g of each cluster, in
/// order of first appearance.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSums {
    /// S_g = Σ_{i∈g} x_i.
    pub sums: Vec<f64>,
    /// n_g.
    pub sizes: Vec<f64>,
    /// N = Σ n_g.
    pub n: usize,
}

impl ClusterSums {
    /// The cluster sums of `x`, where `cluster[i]` is the cluster label of `x[i]` (any
    /// labels: equal labels form one cluster).
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::ClusterSums;
    /// let c = ClusterSums::new(&[1.0, 2.0, 4.0], &[7, 3, 7]);
    /// assert_eq!((c.sums, c.sizes, c.n), (vec![5.0, 2.0], vec![2.0, 1.0], 3));
    /// ```
    pub fn new<L: Eq + std::hash::Hash + Copy>(x: &[f64], cluster: &[L]) -> ClusterSums {
        let mut ids: HashMap<L, usize> = HashMap::new();
        let mut out = ClusterSums {
            sums: Vec::new(),
            sizes: Vec::new(),
            n: x.len(),
        };
        for (&v, &label) in x.iter().zip(cluster) {
            let next = ids.len();
            let g = *ids.entry(label).or_insert(next);
            if g == out.sums.len() {
                out.sums.push(0.0);
                out.sizes.push(0.0);
            }
            out.sums[g] += v;
            out.sizes[g] += 1.0;
        }
        out
    }

    /// The cluster-robust t of the mean of w_g·x_i (w = 1: the sample itself); None with
    /// fewer than two clusters or a zero variance.
    ///
    /// # Formula
    /// ```text
    /// ȳ = Σ_g w_g S_g / N,   u_g = w_g S_g − n_g ȳ
    /// V_CR1 = G/(G − 1) · Σ_g u_g² / N²,   t = ȳ / √V_CR1
    /// ```
    /// the CR1 variance of the intercept-only regression (the (N − 1)/(N − k) factor is 1).
    fn t_weighted(&self, w: Option<&[f64]>) -> Option<f64> {
        let g = self.sums.len();
        if g < 2 {
            return None;
        }
        let weight = |k: usize| w.map_or(1.0, |w| w[k]);
        let n = self.n as f64;
        let total: f64 = (0..g).map(|k| weight(k) * self.sums[k]).sum();
        let mean = total / n;
        let ss: f64 = (0..g)
            .map(|k| {
                let u = weight(k) * self.sums[k] - self.sizes[k] * mean;
                u * u
            })
            .sum();
        let v = g as f64 / (g as f64 - 1.0) * ss / (n * n);
        let t = mean / v.sqrt();
        (v > 0.0 && t.is_finite()).then_some(t)
    }

    /// The t of the mean with CR1 standard errors clustered as given (§8.8).
    ///
    /// # Formula
    /// t = x̄ / √V_CR1, V_CR1 = G/(G − 1) · Σ_g (S_g − n_g x̄)² / N² (Cameron, Gelbach &
    /// Miller 2008; Stata's `regress x, vce(cluster g)`).
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::ClusterSums;
    /// // clusters {1, 3} and {2}: x̄ = 2, u = (4 − 2·2, 2 − 2) = (0, 0): zero variance
    /// assert_eq!(ClusterSums::new(&[1.0, 2.0, 3.0], &[0, 1, 0]).t(), None);
    /// let t = ClusterSums::new(&[1.0, 2.0, 6.0], &[0, 1, 0]).t().unwrap();
    /// // x̄ = 3, u = (7 − 6, 2 − 3) = (1, −1), V = 2 · 2 / 9
    /// assert!((t - 3.0 / (4.0f64 / 9.0).sqrt()).abs() < 1e-12);
    /// ```
    pub fn t(&self) -> Option<f64> {
        self.t_weighted(None)
    }

    /// The wild cluster bootstrap p-value of `t_obs` = [`ClusterSums::t`] over `replications`
    /// weight vectors, each written by `fill` (one w per cluster): the restricted bootstrap
    /// (WCR) under H0: mean = 0 draws y*_i = w_g(i)·x_i (the restricted residuals are the x_i
    /// themselves). A draw whose t* is undefined counts as at least as extreme (conservative).
    ///
    /// # Formula
    /// p = (1 + #{b : |t*_b| ≥ |t|}) / (B + 1)
    pub fn bootstrap_p(
        &self,
        t_obs: f64,
        replications: usize,
        mut fill: impl FnMut(&mut [f64]),
    ) -> f64 {
        let mut w = vec![0.0; self.sums.len()];
        let mut extreme = 0usize;
        for _ in 0..replications {
            fill(&mut w);
            match self.t_weighted(Some(&w)) {
                Some(t) if t.abs() < t_obs.abs() => {}
                _ => extreme += 1,
            }
        }
        (1 + extreme) as f64 / (replications + 1) as f64
    }
}

/// The wild cluster bootstrap test of the mean of `x` clustered by `cluster` (§8.8): the CR1 t
/// and its bootstrap p-value over `settings.replications` weight vectors drawn from stream
/// `stream` of `settings.seed`. None with fewer than two clusters or a zero variance.
///
/// # Formula
/// t = x̄ / √V_CR1; y*_i = w_g(i)·x_i, w_g iid Rademacher or Webb; p = (1 + #{|t*| ≥ |t|})/(B + 1).
///
/// # Examples
/// ```
/// use evstudy::stats::{wild_cluster_test, BootstrapSettings, BootstrapWeights};
/// let s = BootstrapSettings { replications: 199, seed: 1, weights: BootstrapWeights::Rademacher };
/// let x = [0.01, 0.02, -0.005, 0.03, 0.015, 0.012];
/// let r = wild_cluster_test(&x, &[1, 2, 3, 4, 5, 6], &s, 0).unwrap();
/// assert!(r.p_value > 0.0 && r.p_value <= 1.0 && r.df.is_none());
/// assert_eq!(r, wild_cluster_test(&x, &[1, 2, 3, 4, 5, 6], &s, 0).unwrap());
/// ```
pub fn wild_cluster_test<L: Eq + std::hash::Hash + Copy>(
    x: &[f64],
    cluster: &[L],
    settings: &BootstrapSettings,
    stream: u64,
) -> Option<TestStat> {
    let sums = ClusterSums::new(x, cluster);
    let t = sums.t()?;
    let mut rng = SimRng::for_stream(settings.seed, stream);
    let p_value = sums.bootstrap_p(t, settings.replications, |w| {
        for v in w.iter_mut() {
            *v = settings.weights.draw(&mut rng);
        }
    });
    Some(TestStat {
        statistic: t,
        p_value,
        df: None,
        n: x.len(),
    })
}

/// The stream of one group × scope × window (or day): FNV-1a over the labels, so that a test's
/// draws depend only on the seed and the labels, never on the order or threads of the run.
fn stream_of(group: &str, scope: Scope, at: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        group.as_bytes(),
        b"\x1f",
        scope.as_str().as_bytes(),
        b"\x1f",
        at.as_bytes(),
    ] {
        for &b in part {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The `wild_boot_t` rows of one group (§8.8): one per day of the event period H (scope `day`,
/// the ARs of D_t) and one per event window (scope `car`, the CARs of C_W), clusters = day-0
/// dates. Rows are in the battery's order (days, then windows).
pub fn wild_bootstrap_rows(
    group: &str,
    events: &[StatsEvent],
    cfg: &StatsConfig,
    settings: &BootstrapSettings,
) -> Vec<TestRow> {
    let h = event_period(&cfg.windows);
    let dates: Vec<NaiveDate> = events.iter().map(|e| e.day0).collect();
    let labels = RowLabels {
        group,
        cluster: None,
    };
    // the test sets in order (days of H, then windows), each collected in its own task
    let (nh, nw) = (h.len(), cfg.windows.len());
    (0..nh + nw)
        .into_par_iter()
        .map(|j| {
            let (scope, at, key, set) = if j < nh {
                let t = h.start + j as i32;
                (
                    Scope::Day,
                    At::Day(t),
                    t.to_string(),
                    day_set(events, cfg, h, j),
                )
            } else {
                let label = cfg.windows[j - nh].label();
                let set = window_set(events, j - nh).0;
                (Scope::Car, At::Window(label.clone()), label, set)
            };
            let cluster: Vec<NaiveDate> = set.members.iter().map(|&i| dates[i]).collect();
            let stat = wild_cluster_test(&set.x, &cluster, settings, stream_of(group, scope, &key));
            let n = set.x.len() as u32;
            labels.test_row(scope, &at, TestKind::WildBootT, stat, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// `tests/fixtures/bootstrap/cases.csv` (make_fixtures.py): case, x, cluster.
    fn case(name: &str) -> (Vec<f64>, Vec<u32>) {
        let text = include_str!("../../tests/fixtures/bootstrap/cases.csv");
        text.lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0] == name).then(|| (f[1].parse::<f64>().unwrap(), f[2].parse::<u32>().unwrap()))
            })
            .unzip()
    }

    /// `tests/fixtures/bootstrap/expected.csv`: case, cr1_t (statsmodels OLS, cluster
    /// covariance), enum_p (full enumeration of the 2^G Rademacher vectors).
    fn expected(name: &str) -> (f64, f64) {
        let text = include_str!("../../tests/fixtures/bootstrap/expected.csv");
        let l = text
            .lines()
            .find(|l| l.starts_with(&format!("{name},")))
            .unwrap();
        let f: Vec<&str> = l.split(',').collect();
        (f[1].parse().unwrap(), f[2].parse().unwrap())
    }

    /// Every Rademacher vector of length g, in binary order.
    fn all_signs(g: usize) -> Vec<Vec<f64>> {
        (0..1u32 << g)
            .map(|m| {
                (0..g)
                    .map(|k| if m >> k & 1 == 1 { 1.0 } else { -1.0 })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn cr1_t_and_enumerated_p_match_statsmodels_and_numpy() {
        for name in ["balanced", "unbalanced", "singletons"] {
            let (x, cl) = case(name);
            let (t_ref, p_ref) = expected(name);
            let sums = ClusterSums::new(&x, &cl);
            let t = sums.t().unwrap();
            assert_relative_eq!(t, t_ref, max_relative = 1e-10);
            let draws = all_signs(sums.sums.len());
            let mut next = draws.iter();
            let p = sums.bootstrap_p(t, draws.len(), |w| {
                w.copy_from_slice(next.next().unwrap());
            });
            assert_relative_eq!(p, p_ref, max_relative = 1e-12);
        }
    }

    #[test]
    fn one_cluster_is_na_and_draws_are_seeded() {
        let s = BootstrapSettings {
            replications: 99,
            seed: 3,
            weights: BootstrapWeights::Webb,
        };
        assert!(wild_cluster_test(&[0.1, 0.2, 0.3], &[1, 1, 1], &s, 0).is_none());
        let (x, cl) = case("unbalanced");
        let a = wild_cluster_test(&x, &cl, &s, 5).unwrap();
        assert_eq!(a, wild_cluster_test(&x, &cl, &s, 5).unwrap());
        // p is a multiple of 1/(B + 1)
        let k = a.p_value * 100.0;
        assert_relative_eq!(k, k.round(), epsilon = 1e-9);
        assert!(stream_of("all", Scope::Car, "0:1") != stream_of("all", Scope::Day, "0:1"));
    }

    #[test]
    fn weights_have_mean_zero_and_unit_variance() {
        for kind in [BootstrapWeights::Rademacher, BootstrapWeights::Webb] {
            let mut rng = SimRng::for_stream(1, 2);
            let n = 60_000;
            let w: Vec<f64> = (0..n).map(|_| kind.draw(&mut rng)).collect();
            let mean = w.iter().sum::<f64>() / n as f64;
            let var = w.iter().map(|v| v * v).sum::<f64>() / n as f64;
            assert!(mean.abs() < 0.02, "{kind}: {mean}");
            assert!((var - 1.0).abs() < 0.02, "{kind}: {var}");
        }
    }
}
