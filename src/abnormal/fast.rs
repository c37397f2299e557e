//! The fast path: per-security prefix sums make each pair's OLS fit O(1) in the length of
//! the estimation window (constant mean, market-adjusted, market model, factor models in
//! daily mode).

use super::engine::{
    analyse_pair_reference, finish, fit_failure, model_fit_row, too_few, Coefs, Fitted,
    PValueRoute, Rows,
};
use super::{EngineConfig, PairExclusion, PairResult};
use crate::model::fit::{check_singular, FitFailure, ZERO_SSE_TOL};
use crate::model::linalg::spd_inverse_into;
use crate::model::ModelKind;
use crate::returns::AlignedSeries;

/// Largest number of prefix columns q (regressors + regressand) handled by the fast path.
const QMAX: usize = 8;
/// Record width for q columns: count, q sums, q(q+1)/2 cross-products.
const fn width(q: usize) -> usize {
    1 + q + q * (q + 1) / 2
}
const WMAX: usize = width(QMAX);
/// Interleaved partial sums in the market-model moment loop (independent add chains).
const LANES: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// No fast path (Scholes–Williams, Dimson, trade-to-trade, too many factors).
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
fn layout_of(series: &AlignedSeries, cfg: &EngineConfig) -> (Layout, usize) {
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
fn col_at(col: &[f64], j: usize, n: usize) -> f64 {
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

/// Prefix sums of one security's estimation-sample moments, built once and shared by all its
/// events.
///
/// For the model's columns z = (regressors…, regressand), centred by a per-security constant
/// c (the mean over valid sessions), position j of the prefix holds, over the sessions before
/// j where every column is available: the count, Σ(z_a − c_a) and Σ(z_a − c_a)(z_b − c_b).
/// The moments of any estimation window are then the difference of two records.
#[derive(Debug, Clone)]
pub struct SecurityPrefix {
    layout: Layout,
    model: ModelKind,
    q: usize,
    w: usize,
    n: usize,
    center: Vec<f64>,
    data: Vec<f64>,
}

impl SecurityPrefix {
    /// Build the prefix sums for `series` under the model of `cfg` (O(n·q²)). For models or
    /// modes without a fast path the prefix is empty and [`analyse_pair_fast`] falls back to
    /// the reference path.
    pub fn new(series: &AlignedSeries, cfg: &EngineConfig) -> Self {
        let n = series.ret.len();
        let (layout, q) = layout_of(series, cfg);
        let mut me = SecurityPrefix {
            layout,
            model: cfg.model,
            q,
            w: width(q),
            n,
            center: vec![0.0; q],
            data: Vec::new(),
        };
        if layout == Layout::None {
            return me;
        }
        // Column values z[a][j], borrowed from the series where no arithmetic is needed.
        use std::borrow::Cow;
        let nan_col = vec![f64::NAN; if series.bench.len() == n { 0 } else { n }];
        fn col_or_nan(c: &[f64], n: usize) -> Cow<'_, [f64]> {
            if c.len() == n {
                Cow::Borrowed(c)
            } else {
                Cow::Owned(vec![f64::NAN; n])
            }
        }
        let bench: Cow<[f64]> = if series.bench.len() == n {
            Cow::Borrowed(&series.bench)
        } else {
            Cow::Borrowed(&nan_col)
        };
        let cols: Vec<Cow<[f64]>> = match layout {
            Layout::ConstantMean => vec![Cow::Borrowed(&series.ret)],
            Layout::MarketAdjusted => {
                vec![Cow::Owned(
                    series
                        .ret
                        .iter()
                        .zip(bench.iter())
                        .map(|(r, m)| r - m)
                        .collect(),
                )]
            }
            Layout::MarketModel => vec![bench, Cow::Borrowed(&series.ret)],
            Layout::Factor => {
                let mut c: Vec<Cow<[f64]>> =
                    series.factors.iter().map(|f| col_or_nan(f, n)).collect();
                let y: Cow<[f64]> = if series.rf.is_empty() {
                    Cow::Borrowed(&series.ret)
                } else {
                    let rf = col_or_nan(&series.rf, n);
                    Cow::Owned(
                        series
                            .ret
                            .iter()
                            .zip(rf.iter())
                            .map(|(r, f)| r - f)
                            .collect(),
                    )
                };
                c.push(y);
                c
            }
            Layout::None => unreachable!(),
        };
        let valid: Vec<bool> = (0..n)
            .map(|j| cols.iter().all(|c| c[j].is_finite()))
            .collect();
        let nvalid = valid.iter().filter(|v| **v).count();
        if nvalid > 0 {
            for (a, c) in cols.iter().enumerate() {
                me.center[a] = c
                    .iter()
                    .zip(&valid)
                    .filter(|(_, v)| **v)
                    .map(|(x, _)| x)
                    .sum::<f64>()
                    / nvalid as f64;
            }
        }
        let w = me.w;
        let mut data = vec![0.0; (n + 1) * w];
        let mut z = [0.0; QMAX];
        for j in 0..n {
            let (prev, next) = data[j * w..(j + 2) * w].split_at_mut(w);
            next.copy_from_slice(prev);
            if !valid[j] {
                continue;
            }
            for a in 0..q {
                z[a] = cols[a][j] - me.center[a];
            }
            next[0] += 1.0;
            let mut idx = 1 + q;
            for a in 0..q {
                next[1 + a] += z[a];
                for b in a..q {
                    next[idx] += z[a] * z[b];
                    idx += 1;
                }
            }
        }
        me.data = data;
        me
    }

    /// Whether pairs of this security use the O(1) fit.
    pub fn has_fast_path(&self) -> bool {
        self.layout != Layout::None
    }
}

/// [`super::analyse_pair`] through the prefix sums: the fit is O(1) in the estimation
/// window; the residuals are filled in O(L) afterwards. Same result as the reference path
/// (to rounding); falls back to it when the prefix has no fast path.
pub fn analyse_pair_fast(
    series: &AlignedSeries,
    prefix: &SecurityPrefix,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    owned_result(series, day0, cfg, |est_resid| {
        fit_fast(series, prefix, day0, cfg, est_resid)
    })
}

/// A fast-route fit (`fit` writes the residuals into the buffer it is given) finished as an
/// owned [`PairResult`]; the reference path when the route has no fast path for the pair.
fn owned_result(
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
        None => analyse_pair_reference(series, day0, cfg),
    }
}

/// The prefix-sum fit of one pair with its residuals written to `est_resid` (length L, NaN
/// beforehand); `None` when the prefix has no fast path for this pair.
pub(crate) fn fit_fast(
    series: &AlignedSeries,
    prefix: &SecurityPrefix,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Option<Result<Fitted, PairExclusion>> {
    if !prefix.has_fast_path()
        || prefix.model != cfg.model
        || cfg.trade_to_trade
        || prefix.n != series.ret.len()
    {
        return None;
    }
    let n = prefix.n as i64;
    let base = day0 as i64;
    let lo = (base + cfg.estimation.start as i64).max(0);
    let hi = (base + cfg.estimation.end as i64).min(n - 1);
    let q = prefix.q;
    let w = prefix.w;
    let mut mom = [0.0; WMAX];
    if lo <= hi {
        let a = &prefix.data[lo as usize * w..(lo as usize + 1) * w];
        let b = &prefix.data[(hi as usize + 1) * w..(hi as usize + 2) * w];
        for i in 0..w {
            mom[i] = b[i] - a[i];
        }
    }
    let center = &prefix.center;
    let mut c = [0.0; QMAX];
    c[..q].copy_from_slice(&center[..q]);
    Some(fit_from_moments(
        series,
        prefix.layout,
        q,
        &mom,
        &c,
        day0,
        cfg,
        est_resid,
    ))
}

/// [`super::analyse_pair`] with the estimation-window moments summed directly over the
/// window (O(L), no per-security set-up): the route of [`super::analyse_pairs`], where most
/// securities have too few events to repay building their prefix sums. Falls back to the
/// reference path for models and modes without a fast path.
///
/// # Formula
/// As [`super::analyse_pair`]; the moments are Σ(z − z₀), Σ(z − z₀)(z − z₀)′ over the
/// complete estimation rows, z₀ the first complete row.
///
/// # Examples
/// ```
/// use evstudy::abnormal::{analyse_pair, analyse_pair_direct, EngineConfig, Window};
/// use evstudy::model::ModelKind;
/// use evstudy::returns::{AlignedSeries, ReturnKind};
/// let series = AlignedSeries {
///     ret: vec![0.06, 0.08, 0.10, 0.12, 0.16],
///     bench: vec![0.05, 0.05, 0.07, 0.03, 0.05].into(),
///     span: vec![1; 5],
///     ..Default::default()
/// };
/// let cfg = EngineConfig {
///     model: ModelKind::MarketModel,
///     returns: ReturnKind::Simple,
///     estimation: Window { start: -3, end: -1 },
///     windows: vec![Window { start: 0, end: 1 }],
///     min_estimation_returns: 3,
///     dimson_lags: 1,
///     trade_to_trade: false,
/// };
/// let direct = analyse_pair_direct(&series, 3, &cfg).unwrap();
/// let reference = analyse_pair(&series, 3, &cfg).unwrap();
/// assert!((direct.fit.beta.unwrap() - 1.5).abs() < 1e-12);
/// assert!((direct.windows[0].car.unwrap() - reference.windows[0].car.unwrap()).abs() < 1e-14);
/// ```
pub fn analyse_pair_direct(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    owned_result(series, day0, cfg, |est_resid| {
        fit_direct(series, day0, cfg, est_resid)
    })
}

/// The direct-moment fit of one pair with its residuals written to `est_resid` (length L,
/// NaN beforehand); `None` when the model or mode has no fast path.
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
    let n = series.ret.len() as i64;
    let base = day0 as i64;
    let lo = (base + cfg.estimation.start as i64).max(0);
    let hi = (base + cfg.estimation.end as i64).min(n - 1);
    let (mom, shift) = if lo <= hi {
        direct_moments(series, layout, q, lo as usize, hi as usize)
    } else {
        ([0.0; WMAX], [0.0; QMAX])
    };
    Some(fit_from_moments(
        series, layout, q, &mom, &shift, day0, cfg, est_resid,
    ))
}

/// The OLS fit from a moment record (count, Σ(z − c), Σ(z − c)(z − c)′ over the estimation
/// sample, z = regressors then regressand) and the shift c; the residuals are written to
/// `est_resid` (length L, NaN beforehand).
#[allow(clippy::too_many_arguments)]
fn fit_from_moments(
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
    let n = series.ret.len() as i64;
    let base = day0 as i64;
    let lo = (base + cfg.estimation.start as i64).max(0);
    let hi = (base + cfg.estimation.end as i64).min(n - 1);
    let m = mom[0].round() as usize;
    let mf = m as f64;
    let fitted = match layout {
        Layout::ConstantMean | Layout::MarketAdjusted => {
            if m < cfg.min_estimation_returns || m < 2 {
                return Err(too_few(m, cfg));
            }
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
            if layout == Layout::ConstantMean {
                let mu = c[0] + s / mf;
                let fit = model_fit_row(&rows, &[mu], m, sigma2, Some(0.0));
                Fitted {
                    theta: Coefs::from_slice(&[mu]),
                    v: Coefs::from_slice(&[1.0 / mf]),
                    sigma2,
                    fit,
                }
            } else {
                let fit = model_fit_row(&rows, &[], m, sigma2, None);
                Fitted {
                    theta: Coefs::from_slice(&[]),
                    v: Coefs::from_slice(&[]),
                    sigma2,
                    fit,
                }
            }
        }
        Layout::MarketModel | Layout::Factor => {
            let p = q - 1; // regressors
            let k = p + 1;
            if m < cfg.min_estimation_returns || m <= k {
                return Err(too_few(m, cfg));
            }
            let sums = &mom[1..1 + q];
            let cross = |a: usize, b: usize| mom[cross_index(q, a, b)];
            // Raw X′X for the singular-design diagnostic.
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
            check_singular(&xtx[..k * k], k).map_err(fit_failure)?;
            // Moments about the window means.
            let y = p;
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
            let mut bcoef = [0.0; QMAX];
            for a in 0..p {
                bcoef[a] = (0..p).map(|b| sinv[a * p + b] * sxy[b]).sum();
            }
            let sse = (syy - (0..p).map(|a| bcoef[a] * sxy[a]).sum::<f64>()).max(0.0);
            let sum_y2 = cross(y, y) + 2.0 * c[y] * sums[y] + mf * c[y] * c[y];
            if sse <= ZERO_SSE_TOL * sum_y2 {
                return Err(fit_failure(FitFailure::ZeroResidualVariance {
                    sse,
                    sum_y2,
                }));
            }
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
            let r2 = 1.0 - sse / syy;
            let fit = model_fit_row(&rows, &theta[..k], m, sigma2, Some(r2));
            Fitted {
                theta: Coefs::from_slice(&theta[..k]),
                v: Coefs::from_slice(&v[..k * k]),
                sigma2,
                fit,
            }
        }
        Layout::None => unreachable!(),
    };
    // Residuals in O(L): NaN propagation marks the sessions outside the sample.
    let l1 = cfg.estimation.start as i64;
    if lo <= hi {
        let (lo_u, hi_u) = (lo as usize, hi as usize + 1);
        let out = &mut est_resid[(lo - base - l1) as usize..(hi - base - l1) as usize + 1];
        let r = &series.ret[lo_u..hi_u];
        let th = &fitted.theta;
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
            Layout::Factor => {
                if series.rf.is_empty() {
                    for (o, &rv) in out.iter_mut().zip(r) {
                        *o = rv - th[0];
                    }
                } else {
                    let rf = &series.rf[lo_u..hi_u];
                    for ((o, &rv), &f) in out.iter_mut().zip(r).zip(rf) {
                        *o = rv - f - th[0];
                    }
                }
                for (j, col) in series.factors.iter().enumerate() {
                    let b = th[j + 1];
                    for (o, &f) in out.iter_mut().zip(&col[lo_u..hi_u]) {
                        *o -= b * f;
                    }
                }
            }
            Layout::None => {}
        }
    }
    Ok(fitted)
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
