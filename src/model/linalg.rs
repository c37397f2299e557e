//! Small dense linear algebra for normal-return models (k ≤ ~8 parameters).
//!
//! Matrices are square, row-major, in flat slices of length k·k. Everything here works on
//! the k×k normal equations X′X θ = X′y of §4.0.

/// Inverse of a symmetric positive-definite matrix by Cholesky decomposition.
///
/// Returns `None` when a pivot is not strictly positive (the matrix is not numerically
/// positive definite).
///
/// # Formula
/// A = L·L′ (Cholesky), A⁻¹ = (L⁻¹)′ L⁻¹.
///
/// # Examples
/// ```
/// use evstudy::model::linalg::spd_inverse;
/// // [[4, 2], [2, 3]]⁻¹ = [[3, −2], [−2, 4]] / 8
/// let inv = spd_inverse(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
/// assert!((inv[0] - 3.0 / 8.0).abs() < 1e-15);
/// assert!((inv[1] + 2.0 / 8.0).abs() < 1e-15);
/// assert!((inv[3] - 4.0 / 8.0).abs() < 1e-15);
/// ```
pub fn spd_inverse(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut out = vec![0.0; k * k];
    if spd_inverse_into(a, k, &mut out) {
        Some(out)
    } else {
        None
    }
}

/// [`spd_inverse`] writing into `out` (length k·k) without allocating when k ≤ 8;
/// returns false when the matrix is not positive definite.
///
/// # Formula
/// A = L·L′, A⁻¹ = (L⁻¹)′ L⁻¹.
///
/// # Examples
/// ```
/// use evstudy::model::linalg::spd_inverse_into;
/// let mut inv = [0.0; 1];
/// assert!(spd_inverse_into(&[4.0], 1, &mut inv));
/// assert_eq!(inv[0], 0.25);
/// ```
pub fn spd_inverse_into(a: &[f64], k: usize, out: &mut [f64]) -> bool {
    const KMAX: usize = 8;
    if k == 0 {
        return true;
    }
    if k > KMAX {
        let mut l = vec![0.0; k * k];
        let mut linv = vec![0.0; k * k];
        return cholesky_inverse_work(a, k, &mut l, &mut linv, out);
    }
    let mut l = [0.0; KMAX * KMAX];
    let mut linv = [0.0; KMAX * KMAX];
    cholesky_inverse_work(a, k, &mut l[..k * k], &mut linv[..k * k], out)
}

fn cholesky_inverse_work(
    a: &[f64],
    k: usize,
    l: &mut [f64],
    linv: &mut [f64],
    out: &mut [f64],
) -> bool {
    // Cholesky: A = L L'
    for i in 0..k {
        for j in 0..=i {
            let mut s = a[i * k + j];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            if i == j {
                if !(s > 0.0) || !s.is_finite() {
                    return false;
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    // L⁻¹ (lower triangular) by forward substitution.
    for v in linv.iter_mut() {
        *v = 0.0;
    }
    for j in 0..k {
        linv[j * k + j] = 1.0 / l[j * k + j];
        for i in (j + 1)..k {
            let mut s = 0.0;
            for p in j..i {
                s -= l[i * k + p] * linv[p * k + j];
            }
            linv[i * k + j] = s / l[i * k + i];
        }
    }
    // A⁻¹ = L⁻ᵀ L⁻¹
    for i in 0..k {
        for j in 0..=i {
            let mut s = 0.0;
            for p in i..k {
                s += linv[p * k + i] * linv[p * k + j];
            }
            out[i * k + j] = s;
            out[j * k + i] = s;
        }
    }
    true
}

/// Smallest eigenvalue of X′X after scaling every column of X to unit Euclidean norm
/// (the `singular_design` diagnostic of methodology §4.0).
///
/// `xtx` is X′X (k×k, row-major). A zero column gives 0. Uses cyclic Jacobi rotations.
///
/// # Formula
/// C = D^{−1/2} X′X D^{−1/2}, D = diag(X′X);  result = λ_min(C).
///
/// # Examples
/// ```
/// use evstudy::model::linalg::min_eigenvalue_scaled;
/// // Columns (1,1) and (1,−1) are orthogonal → scaled X′X = I → λ_min = 1.
/// assert!((min_eigenvalue_scaled(&[2.0, 0.0, 0.0, 2.0], 2) - 1.0).abs() < 1e-15);
/// // Proportional columns → singular.
/// assert!(min_eigenvalue_scaled(&[1.0, 2.0, 2.0, 4.0], 2).abs() < 1e-15);
/// ```
pub fn min_eigenvalue_scaled(xtx: &[f64], k: usize) -> f64 {
    const KMAX: usize = 8;
    if k == 0 {
        return 1.0;
    }
    let mut buf_small = [0.0; KMAX * KMAX];
    let mut buf_big;
    let c: &mut [f64] = if k <= KMAX {
        &mut buf_small[..k * k]
    } else {
        buf_big = vec![0.0; k * k];
        &mut buf_big[..]
    };
    for i in 0..k {
        let di = xtx[i * k + i];
        if !(di > 0.0) || !di.is_finite() {
            return 0.0;
        }
    }
    for i in 0..k {
        for j in 0..k {
            c[i * k + j] = xtx[i * k + j] / (xtx[i * k + i].sqrt() * xtx[j * k + j].sqrt());
        }
    }
    if k == 1 {
        return c[0];
    }
    if k == 2 {
        // eigenvalues of [[1, r], [r, 1]]: 1 ± r → min = 1 − |r| = (1 − r²)/(1 + |r|)
        let r = c[1].abs();
        return (1.0 - r) * (1.0 + r) / (1.0 + r);
    }
    for _sweep in 0..100 {
        let mut off = 0.0;
        for i in 0..k {
            for j in (i + 1)..k {
                off += c[i * k + j] * c[i * k + j];
            }
        }
        if off < 1e-30 {
            break;
        }
        for p in 0..k {
            for q in (p + 1)..k {
                let apq = c[p * k + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let app = c[p * k + p];
                let aqq = c[q * k + q];
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let cs = 1.0 / (t * t + 1.0).sqrt();
                let sn = t * cs;
                for r in 0..k {
                    let arp = c[r * k + p];
                    let arq = c[r * k + q];
                    c[r * k + p] = cs * arp - sn * arq;
                    c[r * k + q] = sn * arp + cs * arq;
                }
                for r in 0..k {
                    let apr = c[p * k + r];
                    let aqr = c[q * k + r];
                    c[p * k + r] = cs * apr - sn * aqr;
                    c[q * k + r] = sn * apr + cs * aqr;
                }
            }
        }
    }
    (0..k).map(|i| c[i * k + i]).fold(f64::INFINITY, f64::min)
}

/// Quadratic form g′ A g for a k×k row-major matrix A.
///
/// # Formula
/// Σ_i Σ_j g_i A_ij g_j
///
/// # Examples
/// ```
/// use evstudy::model::linalg::quad_form;
/// assert_eq!(quad_form(&[1.0, 0.5, 0.5, 2.0], &[1.0, 2.0]), 1.0 + 2.0 + 8.0);
/// ```
#[inline]
pub fn quad_form(a: &[f64], g: &[f64]) -> f64 {
    let k = g.len();
    let mut s = 0.0;
    for i in 0..k {
        let mut r = 0.0;
        for j in 0..k {
            r += a[i * k + j] * g[j];
        }
        s += g[i] * r;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn inverse_times_matrix_is_identity() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let inv = spd_inverse(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|p| a[i * 3 + p] * inv[p * 3 + j]).sum();
                assert_relative_eq!(s, if i == j { 1.0 } else { 0.0 }, epsilon = 1e-14);
            }
        }
        assert!(spd_inverse(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
    }

    #[test]
    fn jacobi_min_eigenvalue_matches_known_spectrum() {
        // scaled matrix with off-diagonals r: eigenvalues 1+2r, 1−r, 1−r
        let r = 0.3;
        let a = [1.0, r, r, r, 1.0, r, r, r, 1.0];
        assert_relative_eq!(min_eigenvalue_scaled(&a, 3), 1.0 - r, epsilon = 1e-13);
        // scaling: multiply column 2 by 10 → same scaled matrix
        let b = [
            1.0,
            r * 10.0,
            r,
            r * 10.0,
            100.0,
            r * 10.0,
            r,
            r * 10.0,
            1.0,
        ];
        assert_relative_eq!(min_eigenvalue_scaled(&b, 3), 1.0 - r, epsilon = 1e-13);
    }
}
