//! The sandwich covariance matrices of a cross-sectional regression: heteroskedasticity-robust
//! HC1 and cluster-robust CR1 (§7.6).

use super::{CrossSection, LeastSquaresFit};

/// White (1980) heteroskedasticity-consistent covariance with the small-sample factor of
/// MacKinnon & White (1985), HC1 (k×k row-major).
///
/// # Formula
/// V = n/(n − k) · (X′X)⁻¹ (Σ_i e_i² x_i x_i′) (X′X)⁻¹.
///
/// # Examples
/// ```
/// use evstudy::stats::car_regression::{hc1_covariance, least_squares, CrossSection};
/// let terms = ["intercept".to_string()];
/// let data = CrossSection { y: &[1.0, 2.0, 4.0], x: &[1.0; 3], k: 1, terms: &terms, clusters: None };
/// let v = hc1_covariance(&data, &least_squares(&data).unwrap());
/// // Σ e² / n² · n/(n − 1) with e = (−4/3, −1/3, 5/3): (42/9)/9 · 3/2
/// assert!((v[0] - 42.0 / 9.0 / 9.0 * 1.5).abs() < 1e-12);
/// ```
pub fn hc1_covariance(data: &CrossSection, fit: &LeastSquaresFit) -> Vec<f64> {
    let (n, k) = (data.n(), data.k);
    let mut meat = vec![0.0; k * k];
    for (i, e) in fit.residuals.iter().enumerate() {
        let row = &data.x[i * k..(i + 1) * k];
        add_outer(&mut meat, row, e * e);
    }
    sandwich(&fit.inv, &meat, k, n as f64 / (n - k) as f64)
}

/// Cluster-robust covariance of Liang & Zeger (1986) with the CR1 factor of Cameron,
/// Gelbach & Miller (2011), the default of statsmodels' `cov_type='cluster'` (k×k row-major).
/// `ids[i]` is the cluster of observation i (0-based ids, gaps allowed).
///
/// # Formula
/// V = G/(G − 1) · (n − 1)/(n − k) · (X′X)⁻¹ (Σ_g u_g u_g′) (X′X)⁻¹, u_g = Σ_{i∈g} e_i x_i,
/// G the number of non-empty clusters.
///
/// # Examples
/// ```
/// use evstudy::stats::car_regression::{cr1_covariance, least_squares, CrossSection};
/// let terms = ["intercept".to_string()];
/// let data = CrossSection { y: &[1.0, 2.0, 4.0, 5.0], x: &[1.0; 4], k: 1, terms: &terms, clusters: None };
/// let fit = least_squares(&data).unwrap();
/// // e = (−2, −1, 1, 2); clusters {0, 1} and {2, 3}: u = −3, 3; (X′X)⁻¹ = 1/4
/// let v = cr1_covariance(&data, &fit, &[0, 0, 1, 1]);
/// assert!((v[0] - 2.0 * 1.0 * 18.0 / 16.0).abs() < 1e-12);
/// ```
pub fn cr1_covariance(data: &CrossSection, fit: &LeastSquaresFit, ids: &[usize]) -> Vec<f64> {
    let (n, k) = (data.n(), data.k);
    let g = ids.iter().max().map_or(0, |m| m + 1);
    let mut scores = vec![0.0; g * k];
    for (i, (&id, e)) in ids.iter().zip(&fit.residuals).enumerate() {
        for j in 0..k {
            scores[id * k + j] += e * data.x(i, j);
        }
    }
    // An empty cluster's score is zero and adds nothing to the meat.
    let mut meat = vec![0.0; k * k];
    for u in scores.chunks_exact(k) {
        add_outer(&mut meat, u, 1.0);
    }
    let clusters = cluster_count(ids) as f64;
    let scale = clusters / (clusters - 1.0) * (n - 1) as f64 / (n - k) as f64;
    sandwich(&fit.inv, &meat, k, scale)
}

/// Number of distinct ids.
pub(super) fn cluster_count(ids: &[usize]) -> usize {
    let g = ids.iter().max().map_or(0, |m| m + 1);
    let mut seen = vec![false; g];
    ids.iter().for_each(|&i| seen[i] = true);
    seen.iter().filter(|&&s| s).count()
}

/// meat += w · v v′.
fn add_outer(meat: &mut [f64], v: &[f64], w: f64) {
    let k = v.len();
    for a in 0..k {
        let wa = w * v[a];
        for b in 0..k {
            meat[a * k + b] += wa * v[b];
        }
    }
}

/// scale · B S B with the bread B = (X′X)⁻¹ and the meat S (k×k row-major).
fn sandwich(bread: &[f64], meat: &[f64], k: usize, scale: f64) -> Vec<f64> {
    let product = |a: &[f64], b: &[f64]| -> Vec<f64> {
        (0..k * k)
            .map(|c| (0..k).map(|m| a[(c / k) * k + m] * b[m * k + c % k]).sum())
            .collect()
    };
    let left = product(bread, meat);
    product(&left, bread)
        .into_iter()
        .map(|v| scale * v)
        .collect()
}
