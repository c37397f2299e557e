//! The moment routes: the estimation-window fit of one pair from its moments, O(1) or O(L) in
//! the length of the estimation window instead of an explicit design (constant mean,
//! market-adjusted, market model, factor models in daily mode). The moments come from prefix
//! sums (`prefix.rs`) or are summed directly over the window here, the market-model sums in
//! interleaved SSE2 lanes.

use super::finish::{analyse_pair_explicit, finish, PValueRoute};
use super::fitted::{fit_failure, model_fit_row, Coefs, Fitted};
use super::rows::Rows;
use super::sample::check_sample_size;
use super::{EngineConfig, PairExclusion, PairResult, Window};
use crate::model::fit::{check_singular, FitFailure, ZERO_SSE_TOL};
use crate::model::linalg::spd_inverse_into;
use crate::model::ModelKind;
use crate::returns::AlignedSeries;

/// Largest number of moment columns q (regressors + regressand) of a moment fit.
pub(super) const QMAX: usize = 8;
/// Record width for q columns: count, q sums, q(q+1)/2 cross-products.
pub(super) const fn width(q: usize) -> usize {
    1 + q + q * (q + 1) / 2
}
pub(super) const WMAX: usize = width(QMAX);
/// Interleaved partial sums in the market-model moment loop (independent add chains).
const LANES: usize = 4;

/// The moment columns z of a model (regressors, then regressand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// No moment fit (Scholes–Williams, Dimson, trade-to-trade, too many factors).
    None,
    /// z = (R).
    ConstantMean,
    /// z = (R − R_m).
    MarketAdjusted,
    /// z = (R_m, R).
    MarketModel,
    /// z = (f_1, …, f_p, R − rf).
    Factor,
}

/// The fast-path layout of `series` under `cfg` and its number of columns q.
pub(super) fn layout_of(series: &AlignedSeries, cfg: &EngineConfig) -> (Layout, usize) {
    let layout = if cfg.trade_to_trade {
        Layout::None
    } else {
        match cfg.model {
            ModelKind::ConstantMean => Layout::ConstantMean,
            ModelKind::MarketAdjusted => Layout::MarketAdjusted,
            ModelKind::MarketModel => Layout::MarketModel,
            ModelKind::Factor if !series.factors.is_empty() && series.factors.len() < QMAX => {
                Layout::Factor
            }
            _ => Layout::None,
        }
    };
    let q = match layout {
        Layout::None => 0,
        Layout::ConstantMean | Layout::MarketAdjusted => 1,
        Layout::MarketModel => 2,
        Layout::Factor => series.factors.len() + 1,
    };
    (layout, q)
}

/// Offset of the cross-product z_a·z_b (a, b < q) in a moment record.
#[inline]
fn cross_index(q: usize, a: usize, b: usize) -> usize {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    // offset of row a in the packed upper triangle
    1 + q + a * q - a * a.saturating_sub(1) / 2 + (b - a)
}

/// Value of a column at position j, NaN when the column does not have the series' length
/// (the convention of the prefix sums).
#[inline]
pub(super) fn col_at(col: &[f64], j: usize, n: usize) -> f64 {
    if col.len() == n {
        col[j]
    } else {
        f64::NAN
    }
}

/// The six market-model moments of the complete rows of (`ret`, `bench`), shifted by
/// (`r0`, `m0`): [n, Σdx, Σdy, Σdx², Σdx·dy, Σdy²] with dx = R_m − m0, dy = R − r0.
///
/// # Formula
/// Each sum is kept as [`LANES`] interleaved partial sums (lane j takes rows j, j + 4, …;
/// a row with a missing value adds zeros), added as ((l₀ + l₁) + (l₂ + l₃)) at the end: four
/// independent add chains instead of one, and branch-free. On x86-64 the lanes are two SSE2
/// registers; the portable loop below does the same operations in the same order, so both
/// give identical bits (tested).
#[inline]
fn market_model_moments(ret: &[f64], bench: &[f64], r0: f64, m0: f64) -> [f64; 6] {
    let n = ret.len().min(bench.len());
    let whole = n / LANES * LANES;
    #[cfg(target_arch = "x86_64")]
    let mut acc = market_model_lanes_sse2(&ret[..whole], &bench[..whole], r0, m0);
    #[cfg(not(target_arch = "x86_64"))]
    let mut acc = {
        let mut acc = [[0.0f64; LANES]; 6];
        market_model_lanes_portable(&ret[..whole], &bench[..whole], r0, m0, &mut acc);
        acc
    };
    // the tail rows go to lanes 0, 1, 2
    market_model_lanes_portable(&ret[whole..n], &bench[whole..n], r0, m0, &mut acc);
    acc.map(|a| (a[0] + a[1]) + (a[2] + a[3]))
}

/// The lane sums of [`market_model_moments`], one row at a time (row i into lane i mod 4).
#[inline]
fn market_model_lanes_portable(
    ret: &[f64],
    bench: &[f64],
    r0: f64,
    m0: f64,
    acc: &mut [[f64; LANES]; 6],
) {
    for (i, (&r, &m)) in ret.iter().zip(bench).enumerate() {
        let lane = i % LANES;
        let ok = r.is_finite() & m.is_finite();
        let dx = if ok { m - m0 } else { 0.0 };
        let dy = if ok { r - r0 } else { 0.0 };
        acc[0][lane] += if ok { 1.0 } else { 0.0 };
        acc[1][lane] += dx;
        acc[2][lane] += dy;
        acc[3][lane] += dx * dx;
        acc[4][lane] += dx * dy;
        acc[5][lane] += dy * dy;
    }
}

/// The lane sums of [`market_model_moments`] with SSE2 (part of every x86-64 processor):
/// lanes 0–1 in one register, 2–3 in another; `ret.len()` a multiple of 4.
#[cfg(target_arch = "x86_64")]
#[inline]
#[allow(clippy::needless_range_loop)] // h indexes the register pair of every moment
fn market_model_lanes_sse2(ret: &[f64], bench: &[f64], r0: f64, m0: f64) -> [[f64; LANES]; 6] {
    use std::arch::x86_64::*;
    debug_assert!(ret.len().is_multiple_of(LANES) && bench.len() == ret.len());
    // SAFETY: SSE2 is always available on x86-64; every load reads 2 doubles inside the
    // slices (i + 3 < len, checked by the chunking).
    unsafe {
        let abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(i64::MAX));
        let inf = _mm_set1_pd(f64::INFINITY);
        let one = _mm_set1_pd(1.0);
        let (vr0, vm0) = (_mm_set1_pd(r0), _mm_set1_pd(m0));
        let mut a = [[_mm_setzero_pd(); 2]; 6];
        for (rc, mc) in ret.chunks_exact(LANES).zip(bench.chunks_exact(LANES)) {
            for h in 0..2 {
                let r = _mm_loadu_pd(rc.as_ptr().add(2 * h));
                let m = _mm_loadu_pd(mc.as_ptr().add(2 * h));
                // |x| < ∞ is false for NaN and ±∞: the is_finite of the portable loop
                let ok = _mm_and_pd(
                    _mm_cmplt_pd(_mm_and_pd(r, abs_mask), inf),
                    _mm_cmplt_pd(_mm_and_pd(m, abs_mask), inf),
                );
                let dx = _mm_and_pd(ok, _mm_sub_pd(m, vm0));
                let dy = _mm_and_pd(ok, _mm_sub_pd(r, vr0));
                a[0][h] = _mm_add_pd(a[0][h], _mm_and_pd(ok, one));
                a[1][h] = _mm_add_pd(a[1][h], dx);
                a[2][h] = _mm_add_pd(a[2][h], dy);
                a[3][h] = _mm_add_pd(a[3][h], _mm_mul_pd(dx, dx));
                a[4][h] = _mm_add_pd(a[4][h], _mm_mul_pd(dx, dy));
                a[5][h] = _mm_add_pd(a[5][h], _mm_mul_pd(dy, dy));
            }
        }
        let mut out = [[0.0; LANES]; 6];
        for (o, v) in out.iter_mut().zip(&a) {
            _mm_storeu_pd(o.as_mut_ptr(), v[0]);
            _mm_storeu_pd(o.as_mut_ptr().add(2), v[1]);
        }
        out
    }
}

/// The estimation-window moments of positions lo..=hi computed directly in one pass (O(L)),
/// shifted by the first complete row (shifted-data algorithm): the same record as the
/// difference of two prefix records, with its own shift.
fn direct_moments(
    series: &AlignedSeries,
    layout: Layout,
    q: usize,
    lo: usize,
    hi: usize,
) -> ([f64; WMAX], [f64; QMAX]) {
    let n = series.ret.len();
    let mut mom = [0.0; WMAX];
    let mut shift = [0.0; QMAX];
    let mut have_shift = false;
    let mut accumulate = |z: &[f64; QMAX]| {
        if !have_shift {
            shift = *z;
            have_shift = true;
        }
        let mut d = [0.0; QMAX];
        for a in 0..q {
            d[a] = z[a] - shift[a];
        }
        mom[0] += 1.0;
        let mut idx = 1 + q;
        for a in 0..q {
            mom[1 + a] += d[a];
            for b in a..q {
                mom[idx] += d[a] * d[b];
                idx += 1;
            }
        }
    };
    let mut z = [0.0; QMAX];
    match layout {
        Layout::ConstantMean => {
            for &r in &series.ret[lo..=hi] {
                if r.is_finite() {
                    z[0] = r;
                    accumulate(&z);
                }
            }
        }
        Layout::MarketAdjusted | Layout::MarketModel if series.bench.len() != n => {}
        Layout::MarketAdjusted => {
            for (&r, &m) in series.ret[lo..=hi].iter().zip(&series.bench[lo..=hi]) {
                z[0] = r - m;
                if z[0].is_finite() {
                    accumulate(&z);
                }
            }
        }
        Layout::MarketModel => {
            // q = 2 written out: this is the hot loop of a typical study
            let (ret, bench) = (&series.ret[lo..=hi], &series.bench[lo..=hi]);
            let first = ret
                .iter()
                .zip(bench)
                .find(|(r, m)| r.is_finite() && m.is_finite());
            if let Some((&r0, &m0)) = first {
                mom[..6].copy_from_slice(&market_model_moments(ret, bench, r0, m0));
                shift[0] = m0;
                shift[1] = r0;
            }
        }
        Layout::Factor => {
            let p = q - 1;
            let use_rf = !series.rf.is_empty();
            'row: for j in lo..=hi {
                for a in 0..p {
                    z[a] = col_at(&series.factors[a], j, n);
                    if !z[a].is_finite() {
                        continue 'row;
                    }
                }
                z[p] = if use_rf {
                    series.ret[j] - col_at(&series.rf, j, n)
                } else {
                    series.ret[j]
                };
                if z[p].is_finite() {
                    accumulate(&z);
                }
            }
        }
        Layout::None => {}
    }
    (mom, shift)
}

/// The direct-moment route of one pair: the fit from the estimation-window moments summed
/// directly over the window (O(L), no per-security set-up), the event period with the
/// shared p-value tables; the explicit-design route for models and modes without a moment
/// fit.
///
/// # Formula
/// As the reference engine; the moments are Σ(z − z₀), Σ(z − z₀)(z − z₀)′ over the complete
/// estimation rows, z₀ the first complete row.
pub(crate) fn analyse_pair_direct(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    finish_moment_fit(series, day0, cfg, |est_resid| {
        fit_direct(series, day0, cfg, est_resid)
    })
}

/// A moment-route fit (`fit` writes the residuals into the buffer it is given) finished as an
/// owned [`PairResult`]; the explicit-design route when `fit` has no moment fit for the pair.
pub(super) fn finish_moment_fit(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
    fit: impl FnOnce(&mut [f64]) -> Option<Result<Fitted, PairExclusion>>,
) -> Result<PairResult, PairExclusion> {
    let mut est_resid = vec![f64::NAN; cfg.estimation.len()];
    match fit(&mut est_resid) {
        Some(fitted) => Ok(finish(
            &Rows::new(series, cfg),
            fitted?,
            day0,
            cfg,
            est_resid,
            PValueRoute::Table,
        )),
        None => analyse_pair_explicit(series, day0, cfg),
    }
}

/// The direct-moment fit of one pair with its residuals written to `est_resid` (length L,
/// NaN beforehand); `None` when the model or mode has no moment fit.
pub(crate) fn fit_direct(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Option<Result<Fitted, PairExclusion>> {
    let (layout, q) = layout_of(series, cfg);
    if layout == Layout::None {
        return None;
    }
    let (lo, hi) = estimation_positions(series, day0, cfg);
    let (mom, shift) = if lo <= hi {
        direct_moments(series, layout, q, lo as usize, hi as usize)
    } else {
        ([0.0; WMAX], [0.0; QMAX])
    };
    Some(fit_from_moments(
        series, layout, q, &mom, &shift, day0, cfg, est_resid,
    ))
}

/// The calendar positions lo..=hi of the estimation window of a pair, clipped to the
/// calendar (empty when lo > hi).
pub(super) fn estimation_positions(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
) -> (i64, i64) {
    positions_of(series, day0, cfg.estimation)
}

/// The calendar positions lo..=hi of `window` (relative to `day0`), clipped to the calendar
/// (empty when lo > hi).
fn positions_of(series: &AlignedSeries, day0: usize, window: Window) -> (i64, i64) {
    let n = series.ret.len() as i64;
    let base = day0 as i64;
    let lo = (base + window.start as i64).max(0);
    let hi = (base + window.end as i64).min(n - 1);
    (lo, hi)
}

/// The OLS fit from a moment record (count, Σ(z − c), Σ(z − c)(z − c)′ over the estimation
/// sample, z = regressors then regressand) and the shift c; the residuals are written to
/// `est_resid` (length L, NaN beforehand).
#[allow(clippy::too_many_arguments)]
pub(super) fn fit_from_moments(
    series: &AlignedSeries,
    layout: Layout,
    q: usize,
    mom: &[f64; WMAX],
    c: &[f64; QMAX],
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Result<Fitted, PairExclusion> {
    let rows = Rows::new(series, cfg);
    let m = mom[0].round() as usize;
    check_sample_size(m, rows.model, rows.k, cfg)?;
    let fitted = match layout {
        Layout::ConstantMean | Layout::MarketAdjusted => fit_mean(&rows, layout, mom, c, m)?,
        Layout::MarketModel | Layout::Factor => fit_regression(&rows, q, mom, c, m)?,
        Layout::None => unreachable!(),
    };
    write_residuals(
        series,
        layout,
        &fitted.theta,
        day0,
        cfg.estimation,
        est_resid,
    );
    Ok(fitted)
}

/// Constant mean and market-adjusted from the moments of their one column z (R, or R − R_m).
///
/// # Formula
/// SSE = Σ(z − c)² − (Σ(z − c))²/M;  σ̂² = SSE/(M − 1);  μ̂ = c + Σ(z − c)/M;  (X′X)⁻¹ = 1/M.
fn fit_mean(
    rows: &Rows,
    layout: Layout,
    mom: &[f64; WMAX],
    c: &[f64; QMAX],
    m: usize,
) -> Result<Fitted, PairExclusion> {
    let mf = m as f64;
    let s = mom[1];
    let p = mom[2];
    let sse = (p - s * s / mf).max(0.0);
    let sum_y2 = p + 2.0 * c[0] * s + mf * c[0] * c[0];
    if sse <= ZERO_SSE_TOL * sum_y2 {
        return Err(fit_failure(FitFailure::ZeroResidualVariance {
            sse,
            sum_y2,
        }));
    }
    let sigma2 = sse / (mf - 1.0);
    Ok(if layout == Layout::ConstantMean {
        let mu = c[0] + s / mf;
        let fit = model_fit_row(rows, &[mu], m, sigma2, Some(0.0));
        Fitted {
            theta: Coefs::from_slice(&[mu]),
            v: Coefs::from_slice(&[1.0 / mf]),
            sigma2,
            fit,
        }
    } else {
        let fit = model_fit_row(rows, &[], m, sigma2, None);
        Fitted {
            theta: Coefs::from_slice(&[]),
            v: Coefs::from_slice(&[]),
            sigma2,
            fit,
        }
    })
}

/// The slopes of a regression from moments about the window means.
struct CentredFit {
    /// S_xx⁻¹ (p×p).
    sinv: [f64; QMAX * QMAX],
    /// The slopes b = S_xx⁻¹ s_xy.
    slopes: [f64; QMAX],
    /// Σ(y − ȳ)².
    syy: f64,
    /// SSE = s_yy − b′s_xy.
    sse: f64,
}

/// Market model and factor models (q − 1 regressors) from the moment record: the §4.0
/// diagnostics, the slopes from the centred moments, then θ̂ and (X′X)⁻¹ in raw coordinates.
///
/// # Formula
/// b = S_xx⁻¹s_xy;  α̂ = ȳ − b′x̄;  (X′X)⁻¹ = [[1/M + x̄′S_xx⁻¹x̄, −(S_xx⁻¹x̄)′], [−S_xx⁻¹x̄, S_xx⁻¹]];
/// σ̂² = SSE/(M − k);  R² = 1 − SSE/s_yy.
fn fit_regression(
    rows: &Rows,
    q: usize,
    mom: &[f64; WMAX],
    c: &[f64; QMAX],
    m: usize,
) -> Result<Fitted, PairExclusion> {
    let p = q - 1; // regressors
    let k = p + 1;
    let mf = m as f64;
    check_raw_design(q, mom, c, mf)?;
    let centred = centred_fit(q, mom, mf)?;
    let sums = &mom[1..1 + q];
    let y = p;
    let sum_y2 = mom[cross_index(q, y, y)] + 2.0 * c[y] * sums[y] + mf * c[y] * c[y];
    let sse = centred.sse;
    if sse <= ZERO_SSE_TOL * sum_y2 {
        return Err(fit_failure(FitFailure::ZeroResidualVariance {
            sse,
            sum_y2,
        }));
    }
    let (sinv, bcoef) = (&centred.sinv, &centred.slopes);
    // Window means in raw units; θ̂ and (X′X)⁻¹ back in raw coordinates.
    let mut mx = [0.0; QMAX];
    for a in 0..p {
        mx[a] = c[a] + sums[a] / mf;
    }
    let my = c[y] + sums[y] / mf;
    let mut theta = [0.0; QMAX];
    theta[0] = my - (0..p).map(|a| bcoef[a] * mx[a]).sum::<f64>();
    theta[1..k].copy_from_slice(&bcoef[..p]);
    let mut v = [0.0; QMAX * QMAX];
    let mut sm = [0.0; QMAX]; // Sinv · m_x
    for a in 0..p {
        sm[a] = (0..p).map(|b| sinv[a * p + b] * mx[b]).sum();
    }
    v[0] = 1.0 / mf + (0..p).map(|a| mx[a] * sm[a]).sum::<f64>();
    for a in 0..p {
        v[1 + a] = -sm[a];
        v[(1 + a) * k] = -sm[a];
        for b in 0..p {
            v[(1 + a) * k + 1 + b] = sinv[a * p + b];
        }
    }
    let sigma2 = sse / (m - k) as f64;
    let r2 = 1.0 - sse / centred.syy;
    let fit = model_fit_row(rows, &theta[..k], m, sigma2, Some(r2));
    Ok(Fitted {
        theta: Coefs::from_slice(&theta[..k]),
        v: Coefs::from_slice(&v[..k * k]),
        sigma2,
        fit,
    })
}

/// The singular-design diagnostic (§4.0) on the raw X′X = [1, x]′[1, x], rebuilt from the
/// shifted moments.
fn check_raw_design(
    q: usize,
    mom: &[f64; WMAX],
    c: &[f64; QMAX],
    mf: f64,
) -> Result<(), PairExclusion> {
    let p = q - 1;
    let k = p + 1;
    let sums = &mom[1..1 + q];
    let cross = |a: usize, b: usize| mom[cross_index(q, a, b)];
    let mut xtx = [0.0; QMAX * QMAX];
    xtx[0] = mf;
    for a in 0..p {
        let raw_sum = sums[a] + mf * c[a];
        xtx[1 + a] = raw_sum;
        xtx[(1 + a) * k] = raw_sum;
        for b in 0..p {
            xtx[(1 + a) * k + 1 + b] =
                cross(a, b) + c[a] * sums[b] + c[b] * sums[a] + mf * c[a] * c[b];
        }
    }
    check_singular(&xtx[..k * k], k).map_err(fit_failure)
}

/// The slopes and SSE from the moments about the window means (S_xx, s_xy, s_yy).
fn centred_fit(q: usize, mom: &[f64; WMAX], mf: f64) -> Result<CentredFit, PairExclusion> {
    let p = q - 1;
    let y = p;
    let sums = &mom[1..1 + q];
    let cross = |a: usize, b: usize| mom[cross_index(q, a, b)];
    let mut sxx = [0.0; QMAX * QMAX];
    let mut sxy = [0.0; QMAX];
    for a in 0..p {
        for b in 0..p {
            sxx[a * p + b] = cross(a, b) - sums[a] * sums[b] / mf;
        }
        sxy[a] = cross(a, y) - sums[a] * sums[y] / mf;
    }
    let syy = cross(y, y) - sums[y] * sums[y] / mf;
    let mut sinv = [0.0; QMAX * QMAX];
    if !spd_inverse_into(&sxx[..p * p], p, &mut sinv[..p * p]) {
        return Err(fit_failure(FitFailure::SingularDesign(0.0)));
    }
    let mut slopes = [0.0; QMAX];
    for a in 0..p {
        slopes[a] = (0..p).map(|b| sinv[a * p + b] * sxy[b]).sum();
    }
    let sse = (syy - (0..p).map(|a| slopes[a] * sxy[a]).sum::<f64>()).max(0.0);
    Ok(CentredFit {
        sinv,
        slopes,
        syy,
        sse,
    })
}

/// The estimation residuals in O(L) (NaN propagation marks the sessions outside the sample),
/// written over the positions of `est_resid` (one per day of `estimation`) that lie in the
/// calendar; a pure function of its arguments, so the same call later gives the same bits
/// ([`Residuals`](super::Residuals) recomputes them so).
///
/// # Formula
/// ε̂_τ = R_τ − offset_τ − g_τ′θ̂.
pub(super) fn write_residuals(
    series: &AlignedSeries,
    layout: Layout,
    th: &[f64],
    day0: usize,
    estimation: Window,
    est_resid: &mut [f64],
) {
    let (lo, hi) = positions_of(series, day0, estimation);
    if lo > hi {
        return;
    }
    let l1 = estimation.start as i64;
    let base = day0 as i64;
    let (lo_u, hi_u) = (lo as usize, hi as usize + 1);
    let out = &mut est_resid[(lo - base - l1) as usize..(hi - base - l1) as usize + 1];
    let r = &series.ret[lo_u..hi_u];
    match layout {
        Layout::ConstantMean => {
            for (o, &rv) in out.iter_mut().zip(r) {
                *o = rv - th[0];
            }
        }
        Layout::MarketAdjusted => {
            let mk = &series.bench[lo_u..hi_u];
            for ((o, &rv), &mv) in out.iter_mut().zip(r).zip(mk) {
                *o = rv - mv;
            }
        }
        Layout::MarketModel => {
            let mk = &series.bench[lo_u..hi_u];
            let (a, b) = (th[0], th[1]);
            for ((o, &rv), &mv) in out.iter_mut().zip(r).zip(mk) {
                *o = rv - a - b * mv;
            }
        }
        Layout::Factor => factor_residuals(series, th, lo_u, hi_u, out),
        Layout::None => {}
    }
}

/// Factor-model residuals over positions lo..hi: R − rf − α̂, then minus each b_j·f_j.
fn factor_residuals(series: &AlignedSeries, th: &[f64], lo: usize, hi: usize, out: &mut [f64]) {
    let r = &series.ret[lo..hi];
    if series.rf.is_empty() {
        for (o, &rv) in out.iter_mut().zip(r) {
            *o = rv - th[0];
        }
    } else {
        let rf = &series.rf[lo..hi];
        for ((o, &rv), &f) in out.iter_mut().zip(r).zip(rf) {
            *o = rv - f - th[0];
        }
    }
    for (j, col) in series.factors.iter().enumerate() {
        let b = th[j + 1];
        for (o, &f) in out.iter_mut().zip(&col[lo..hi]) {
            *o -= b * f;
        }
    }
}

#[cfg(test)]
mod lane_tests {
    use super::*;

    /// The SSE2 and portable lane loops give the same bits, missing values and a tail of
    /// 0–3 rows included; the lane order matches a hand-written interleaving.
    #[test]
    fn market_model_lanes_match_portable_and_by_hand() {
        let mut rng = crate::abnormal::tests::Lcg(12345);
        let mut next = || rng.uniform() - 0.5;
        for n in [0usize, 1, 3, 4, 7, 240, 243] {
            let ret: Vec<f64> = (0..n)
                .map(|i| match i % 17 {
                    5 => f64::NAN,
                    11 => f64::INFINITY,
                    _ => 0.02 * next(),
                })
                .collect();
            let bench: Vec<f64> = (0..n)
                .map(|i| if i % 13 == 7 { f64::NAN } else { 0.01 * next() })
                .collect();
            let (r0, m0) = (0.001, -0.002);
            let got = market_model_moments(&ret, &bench, r0, m0);
            let mut portable = [[0.0; LANES]; 6];
            market_model_lanes_portable(&ret, &bench, r0, m0, &mut portable);
            let want_portable = portable.map(|a| (a[0] + a[1]) + (a[2] + a[3]));
            // by hand: lane sums of the valid rows
            let mut by_hand = [[0.0; LANES]; 6];
            for i in 0..n {
                let (r, m) = (ret[i], bench[i]);
                if r.is_finite() && m.is_finite() {
                    let (dx, dy) = (m - m0, r - r0);
                    for (k, v) in [1.0, dx, dy, dx * dx, dx * dy, dy * dy].iter().enumerate() {
                        by_hand[k][i % LANES] += v;
                    }
                }
            }
            let want_hand = by_hand.map(|a| (a[0] + a[1]) + (a[2] + a[3]));
            for k in 0..6 {
                assert_eq!(got[k].to_bits(), want_portable[k].to_bits(), "n={n} k={k}");
                assert_eq!(got[k].to_bits(), want_hand[k].to_bits(), "n={n} k={k}");
            }
            let valid = (0..n)
                .filter(|&i| ret[i].is_finite() && bench[i].is_finite())
                .count();
            assert_eq!(got[0], valid as f64);
        }
    }
}
