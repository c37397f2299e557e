//! The reference per-pair engine and the event-period computations shared with the fast path.

use super::tdist::TwoSidedT;
use super::{EngineConfig, ModelFit, PairExclusion, PairResult, WindowResult};
use crate::model::fit::{check_singular, dimson, ols, scholes_williams, FitFailure, ZERO_SSE_TOL};
use crate::model::linalg::{quad_form, spd_inverse};
use crate::model::ModelKind;
use crate::returns::{AlignedSeries, ReturnKind};
use crate::tables::Stage;

/// Value of a column at a position; NaN when the column is empty or the position is outside
/// the calendar.
#[inline]
pub(crate) fn at(col: &[f64], pos: i64) -> f64 {
    if pos >= 0 && (pos as usize) < col.len() {
        col[pos as usize]
    } else {
        f64::NAN
    }
}

/// The prediction rows of one pair: for relative day t, g_t, the additive offset of the
/// expected return (rf_t for factor models with rf; R_mt for market-adjusted) and the span.
pub(crate) struct Rows<'a> {
    pub series: &'a AlignedSeries,
    pub model: ModelKind,
    pub t2t: bool,
    pub use_rf: bool,
    /// Length of g (0 for market-adjusted).
    pub k: usize,
}

impl<'a> Rows<'a> {
    pub fn new(series: &'a AlignedSeries, cfg: &EngineConfig) -> Self {
        let model = cfg.model;
        let use_rf = model == ModelKind::Factor && !series.rf.is_empty();
        let k = model.n_params(series.factors.len());
        Rows {
            series,
            model,
            t2t: cfg.trade_to_trade,
            use_rf,
            k,
        }
    }

    /// Span of the return at `pos` (1 outside trade-to-trade mode).
    #[inline]
    pub fn span_at(&self, pos: i64) -> u32 {
        if self.t2t {
            if pos >= 0 && (pos as usize) < self.series.span.len() {
                self.series.span[pos as usize].max(1)
            } else {
                1
            }
        } else {
            1
        }
    }

    /// `Some((R_t, offset_t, d_t))` and g_t written to `g[..k]` when every input of the
    /// prediction row is available; expected_ret = offset + g′θ̂.
    #[inline]
    pub fn event_row(&self, pos: i64, g: &mut [f64]) -> Option<(f64, f64, u32)> {
        let s = self.series;
        let r = at(&s.ret, pos);
        if !r.is_finite() {
            return None;
        }
        let d = self.span_at(pos);
        let df = d as f64;
        let offset = match self.model {
            ModelKind::ConstantMean => {
                g[0] = df;
                0.0
            }
            ModelKind::MarketAdjusted => {
                let m = at(&s.bench, pos);
                if !m.is_finite() {
                    return None;
                }
                m
            }
            ModelKind::MarketModel | ModelKind::ScholesWilliams | ModelKind::Dimson => {
                let m = at(&s.bench, pos);
                if !m.is_finite() {
                    return None;
                }
                g[0] = df;
                g[1] = m;
                0.0
            }
            ModelKind::Factor => {
                g[0] = df;
                for (j, col) in s.factors.iter().enumerate() {
                    let f = at(col, pos);
                    if !f.is_finite() {
                        return None;
                    }
                    g[j + 1] = f;
                }
                if self.use_rf {
                    let rf = at(&s.rf, pos);
                    if !rf.is_finite() {
                        return None;
                    }
                    rf
                } else {
                    0.0
                }
            }
        };
        Some((r, offset, d))
    }
}

/// Largest k·k kept inline (no heap) in [`Coefs`]: k ≤ 5 parameters (market model, FF3,
/// Carhart). Small on purpose: a [`Fitted`] is moved by value a few times per pair.
const INLINE_COEFS: usize = 25;

/// A short coefficient vector or matrix: inline for the usual small k (the fast path
/// allocates nothing per pair), on the heap otherwise.
pub(crate) struct Coefs {
    inline: [f64; INLINE_COEFS],
    heap: Vec<f64>,
    len: usize,
}

impl Coefs {
    /// The values of `x`, inline when they fit.
    pub fn from_slice(x: &[f64]) -> Self {
        if x.len() <= INLINE_COEFS {
            let mut inline = [0.0; INLINE_COEFS];
            inline[..x.len()].copy_from_slice(x);
            Coefs {
                inline,
                heap: Vec::new(),
                len: x.len(),
            }
        } else {
            Coefs::from(x.to_vec())
        }
    }
}

impl From<Vec<f64>> for Coefs {
    fn from(heap: Vec<f64>) -> Self {
        Coefs {
            inline: [0.0; INLINE_COEFS],
            len: heap.len(),
            heap,
        }
    }
}

impl std::ops::Deref for Coefs {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

/// The fitted model of one pair in raw coordinates, as used for the event period.
pub(crate) struct Fitted {
    /// θ̂ (length k).
    pub theta: Coefs,
    /// (X′X)⁻¹ (k×k).
    pub v: Coefs,
    pub sigma2: f64,
    pub fit: ModelFit,
}

pub(crate) fn estimation_exclusion(reason: &str, detail: String) -> PairExclusion {
    PairExclusion {
        stage: Stage::Estimation,
        reason: reason.to_string(),
        detail,
        order: 0,
    }
}

pub(crate) fn too_few(m: usize, cfg: &EngineConfig) -> PairExclusion {
    estimation_exclusion(
        "too_few_estimation_returns",
        format!("M={} < min_est={}", m, cfg.min_estimation_returns),
    )
}

pub(crate) fn fit_failure(f: FitFailure) -> PairExclusion {
    estimation_exclusion(f.reason(), f.detail())
}

/// The `model_fits` row from θ̂ (raw coordinates) for the OLS models.
pub(crate) fn model_fit_row(
    rows: &Rows,
    theta: &[f64],
    n_est: usize,
    sigma2: f64,
    r2: Option<f64>,
) -> ModelFit {
    let s = rows.series;
    let k = rows.k;
    let df = match rows.model {
        ModelKind::MarketAdjusted => n_est - 1,
        _ => n_est - k,
    };
    let (alpha, beta) = match rows.model {
        ModelKind::MarketAdjusted => (None, None),
        ModelKind::ConstantMean => (Some(theta[0]), None),
        _ => (Some(theta[0]), theta.get(1).copied()),
    };
    let mut extras = Vec::new();
    if rows.model == ModelKind::Factor {
        for (j, name) in s.factor_names.iter().enumerate().skip(1) {
            if let Some(&b) = theta.get(j + 1) {
                extras.push((format!("beta_{name}"), b));
            }
        }
        extras.sort_by(|a, b| a.0.cmp(&b.0));
    }
    ModelFit {
        model_name: rows.model.output_name(&s.factor_names, rows.t2t).into(),
        n_est,
        k,
        df,
        sigma: sigma2.sqrt(),
        alpha,
        beta,
        r2,
        extras,
    }
}

/// Reference path: collect the estimation sample row by row and fit.
fn fit_reference(
    rows: &Rows,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Result<Fitted, PairExclusion> {
    let base = day0 as i64;
    let (l1, l2) = (cfg.estimation.start as i64, cfg.estimation.end as i64);
    let k = rows.k;
    match rows.model {
        ModelKind::ConstantMean | ModelKind::MarketModel | ModelKind::Factor => {
            let mut g = vec![0.0; k.max(1)];
            let mut x = Vec::with_capacity(est_resid.len() * k);
            let mut y = Vec::with_capacity(est_resid.len());
            let mut taus = Vec::with_capacity(est_resid.len());
            for tau in l1..=l2 {
                if let Some((r, off, d)) = rows.event_row(base + tau, &mut g) {
                    let sd = (d as f64).sqrt();
                    x.extend(g[..k].iter().map(|v| v / sd));
                    y.push((r - off) / sd);
                    taus.push(tau);
                }
            }
            let m = y.len();
            if m < cfg.min_estimation_returns || m <= k {
                return Err(too_few(m, cfg));
            }
            let lf = ols(&x, &y, k).map_err(fit_failure)?;
            let sigma2 = lf.sse / (m - k) as f64;
            let r2 = if rows.model == ModelKind::ConstantMean {
                0.0
            } else {
                1.0 - lf.sse / lf.sst
            };
            for (i, &tau) in taus.iter().enumerate() {
                let row = &x[i * k..(i + 1) * k];
                est_resid[(tau - l1) as usize] =
                    y[i] - row.iter().zip(&lf.theta).map(|(a, b)| a * b).sum::<f64>();
            }
            let fit = model_fit_row(rows, &lf.theta, m, sigma2, Some(r2));
            Ok(Fitted {
                theta: lf.theta.into(),
                v: lf.xtx_inv.into(),
                sigma2,
                fit,
            })
        }
        ModelKind::MarketAdjusted => {
            let mut e = Vec::with_capacity(est_resid.len());
            let mut g = [0.0; 1];
            for tau in l1..=l2 {
                if let Some((r, off, _)) = rows.event_row(base + tau, &mut g) {
                    e.push(r - off);
                    est_resid[(tau - l1) as usize] = r - off;
                }
            }
            let m = e.len();
            if m < cfg.min_estimation_returns || m < 2 {
                return Err(too_few(m, cfg));
            }
            let mean = e.iter().sum::<f64>() / m as f64;
            let ss: f64 = e.iter().map(|v| (v - mean) * (v - mean)).sum();
            let sum_e2: f64 = e.iter().map(|v| v * v).sum();
            if ss <= ZERO_SSE_TOL * sum_e2 {
                return Err(fit_failure(FitFailure::ZeroResidualVariance {
                    sse: ss,
                    sum_y2: sum_e2,
                }));
            }
            let sigma2 = ss / (m - 1) as f64;
            let fit = model_fit_row(rows, &[], m, sigma2, None);
            Ok(Fitted {
                theta: Coefs::from_slice(&[]),
                v: Coefs::from_slice(&[]),
                sigma2,
                fit,
            })
        }
        ModelKind::ScholesWilliams | ModelKind::Dimson => fit_lagged(rows, day0, cfg, est_resid),
    }
}

/// Scholes–Williams and Dimson (§4.5, §4.6).
fn fit_lagged(
    rows: &Rows,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Result<Fitted, PairExclusion> {
    let s = rows.series;
    let base = day0 as i64;
    let (l1, l2) = (cfg.estimation.start as i64, cfg.estimation.end as i64);
    let lagcol: &[f64] = if s.bench_daily.is_empty() {
        &s.bench
    } else {
        &s.bench_daily
    };
    let kl = if rows.model == ModelKind::ScholesWilliams {
        1i64
    } else {
        cfg.dimson_lags as i64
    };
    let ncols = (2 * kl + 1) as usize;
    let mut r = Vec::new();
    let mut m = Vec::new();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); ncols];
    let mut taus = Vec::new();
    'tau: for tau in l1..=l2 {
        let pos = base + tau;
        let rv = at(&s.ret, pos);
        let mv = at(&s.bench, pos);
        if !rv.is_finite() || !mv.is_finite() {
            continue;
        }
        for j in -kl..=kl {
            if !at(lagcol, pos + j).is_finite() {
                continue 'tau;
            }
        }
        for j in -kl..=kl {
            cols[(j + kl) as usize].push(at(lagcol, pos + j));
        }
        r.push(rv);
        m.push(mv);
        taus.push(tau);
    }
    let n = r.len();
    if n < cfg.min_estimation_returns || n <= 2 {
        return Err(too_few(n, cfg));
    }
    // X = [1, R_m] over the sample: the FEC / CAR-variance design (§4.5 Decision).
    let sx: f64 = m.iter().sum();
    let sxx: f64 = m.iter().map(|v| v * v).sum();
    let xtx = [n as f64, sx, sx, sxx];
    let (alpha, beta, mut extras) = if rows.model == ModelKind::ScholesWilliams {
        for c in &cols {
            let cs: f64 = c.iter().sum();
            let css: f64 = c.iter().map(|v| v * v).sum();
            check_singular(&[n as f64, cs, cs, css], 2).map_err(fit_failure)?;
        }
        let sw = scholes_williams(&r, &cols[0], &m, &cols[2]);
        let extras = vec![
            ("beta_lag1".to_string(), sw.beta_lag1),
            ("beta_contemp".to_string(), sw.beta_contemp),
            ("beta_lead1".to_string(), sw.beta_lead1),
            ("rho_m".to_string(), sw.rho_m),
        ];
        (sw.alpha, sw.beta, extras)
    } else {
        check_singular(&xtx, 2).map_err(fit_failure)?;
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let (a, b, slopes) = dimson(&r, &refs, &m).map_err(fit_failure)?;
        let mut extras = Vec::new();
        for j in -kl..=kl {
            let name = match j.cmp(&0) {
                std::cmp::Ordering::Less => format!("beta_lag{}", -j),
                std::cmp::Ordering::Equal => "beta_contemp".to_string(),
                std::cmp::Ordering::Greater => format!("beta_lead{j}"),
            };
            extras.push((name, slopes[(j + kl) as usize]));
        }
        (a, b, extras)
    };
    check_singular(&xtx, 2).map_err(fit_failure)?;
    extras.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sse = 0.0;
    let mut sum_y2 = 0.0;
    for (i, &tau) in taus.iter().enumerate() {
        let e = r[i] - alpha - beta * m[i];
        est_resid[(tau - l1) as usize] = e;
        sse += e * e;
        sum_y2 += r[i] * r[i];
    }
    if sse <= ZERO_SSE_TOL * sum_y2 {
        return Err(fit_failure(FitFailure::ZeroResidualVariance {
            sse,
            sum_y2,
        }));
    }
    let rbar = r.iter().sum::<f64>() / n as f64;
    let sst: f64 = r.iter().map(|v| (v - rbar) * (v - rbar)).sum();
    let v = spd_inverse(&xtx, 2).ok_or_else(|| fit_failure(FitFailure::SingularDesign(0.0)))?;
    let sigma2 = sse / (n - 2) as f64;
    let mut fit = model_fit_row(rows, &[alpha, beta], n, sigma2, Some(1.0 - sse / sst));
    fit.extras = extras;
    Ok(Fitted {
        theta: Coefs::from_slice(&[alpha, beta]),
        v: v.into(),
        sigma2,
        fit,
    })
}

/// How [`finish`] evaluates Student-t p-values: the reference path uses the continued
/// fraction on every call, the fast path the shared per-ν tables (same values to ~1e-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PValueRoute {
    ContinuedFraction,
    Table,
}

/// The event-period outputs of one pair, written in place: slices of length |H| (per day)
/// and one [`WindowResult`] per configured window, plus the list its exclusions go to.
pub(crate) struct PairSlot<'a> {
    pub ret: &'a mut [f64],
    pub expected_ret: &'a mut [f64],
    pub ar: &'a mut [f64],
    pub sar: &'a mut [f64],
    pub ar_se: &'a mut [f64],
    pub ar_p: &'a mut [f64],
    pub span: &'a mut [u32],
    pub windows: &'a mut [WindowResult],
    pub exclusions: &'a mut Vec<PairExclusion>,
}

impl PairSlot<'_> {
    /// The slot of a pair that was not analysed: every value missing.
    pub fn clear(&mut self, cfg: &EngineConfig) {
        for col in [
            &mut *self.ret,
            &mut *self.expected_ret,
            &mut *self.ar,
            &mut *self.sar,
            &mut *self.ar_se,
            &mut *self.ar_p,
        ] {
            col.fill(f64::NAN);
        }
        self.span.fill(0);
        for (slot, w) in self.windows.iter_mut().zip(&cfg.windows) {
            *slot = WindowResult::missing(*w);
        }
    }
}

/// Event-period ARs, their variances and tests, and the per-window CAR/SCAR/BHAR (§5, §6),
/// as a freshly allocated [`PairResult`] (reference path and single-pair calls).
pub(crate) fn finish(
    rows: &Rows,
    fitted: Fitted,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: Vec<f64>,
    p_values: PValueRoute,
) -> PairResult {
    let h = cfg.event_period();
    let nh = h.len();
    let mut ret = vec![f64::NAN; nh];
    let mut expected_ret = vec![f64::NAN; nh];
    let mut ar = vec![f64::NAN; nh];
    let mut sar = vec![f64::NAN; nh];
    let mut ar_se = vec![f64::NAN; nh];
    let mut ar_p = vec![f64::NAN; nh];
    let mut span = vec![0u32; nh];
    let mut windows: Vec<WindowResult> = cfg
        .windows
        .iter()
        .map(|w| WindowResult::missing(*w))
        .collect();
    let mut exclusions = Vec::new();
    let fit = finish_into(
        rows,
        fitted,
        day0,
        cfg,
        p_values,
        PairSlot {
            ret: &mut ret,
            expected_ret: &mut expected_ret,
            ar: &mut ar,
            sar: &mut sar,
            ar_se: &mut ar_se,
            ar_p: &mut ar_p,
            span: &mut span,
            windows: &mut windows,
            exclusions: &mut exclusions,
        },
    );
    PairResult {
        fit,
        est_resid,
        event_period: h,
        ret,
        expected_ret,
        ar,
        sar,
        ar_se,
        ar_p,
        span,
        windows,
        exclusions,
    }
}

/// Day i (relative day t) of the event period has no usable row: its expected return, AR,
/// standard error and SAR are missing, its span 0, and a `missing_return` exclusion is
/// recorded.
fn mark_missing_day(
    i: usize,
    t: i64,
    columns: [&mut [f64]; 4],
    span: &mut [u32],
    exclusions: &mut Vec<PairExclusion>,
) {
    for column in columns {
        column[i] = f64::NAN;
    }
    span[i] = 0;
    exclusions.push(PairExclusion {
        stage: Stage::EventDay,
        reason: "missing_return".to_string(),
        detail: format!("rel_day={t}"),
        order: t,
    });
}

/// The first `n` elements of `buf`, set to 0.0.
fn zeroed_prefix(buf: &mut [std::mem::MaybeUninit<f64>], n: usize) -> &mut [f64] {
    let head = &mut buf[..n];
    for x in head.iter_mut() {
        x.write(0.0);
    }
    // SAFETY: every element of `head` was initialised just above, and MaybeUninit<f64> has
    // the layout of f64.
    unsafe { &mut *(head as *mut [std::mem::MaybeUninit<f64>] as *mut [f64]) }
}

/// Event-period ARs, their variances and tests, and the per-window CAR/SCAR/BHAR (§5, §6),
/// written into `slot` (every element of it is set); returns the model-fit row.
pub(crate) fn finish_into(
    rows: &Rows,
    fitted: Fitted,
    day0: usize,
    cfg: &EngineConfig,
    p_values: PValueRoute,
    slot: PairSlot,
) -> ModelFit {
    let PairSlot {
        ret,
        expected_ret,
        ar,
        sar,
        ar_se,
        ar_p,
        span,
        windows,
        exclusions,
    } = slot;
    let s = rows.series;
    let k = rows.k;
    let base = day0 as i64;
    let h = cfg.event_period();
    let nh = h.len();
    // Prediction rows g_t (|H|·k), their window sums and a row buffer: on the stack for the
    // usual small k, on the heap otherwise.
    const STACK_K: usize = 8;
    const STACK_GS: usize = 64 * STACK_K;
    // Left uninitialised: only the nh·k values used are zeroed (a pair's 4 KiB memset
    // otherwise).
    let mut gs_stack = [std::mem::MaybeUninit::<f64>::uninit(); STACK_GS];
    let mut gbuf_stack = [0.0; STACK_K];
    let mut gsum_stack = [0.0; STACK_K];
    let (mut gs_heap, mut gbuf_heap, mut gsum_heap) = (Vec::new(), Vec::new(), Vec::new());
    let (gs, gbuf, gsum): (&mut [f64], &mut [f64], &mut [f64]) =
        if nh * k <= STACK_GS && k <= STACK_K {
            (
                zeroed_prefix(&mut gs_stack, nh * k),
                &mut gbuf_stack[..k.max(1)],
                &mut gsum_stack[..k],
            )
        } else {
            gs_heap.resize(nh * k, 0.0);
            gbuf_heap.resize(k.max(1), 0.0);
            gsum_heap.resize(k, 0.0);
            (&mut gs_heap[..], &mut gbuf_heap[..], &mut gsum_heap[..])
        };
    let sigma2 = fitted.sigma2;
    let nu = fitted.fit.df as f64;
    let dist = match p_values {
        PValueRoute::ContinuedFraction => TwoSidedT::new(nu),
        PValueRoute::Table => TwoSidedT::cached(nu),
    };
    let theta = &fitted.theta[..];
    let v = &fitted.v[..];
    // Daily rows g_t = (1, R_mt) (market model, Scholes–Williams, Dimson outside
    // trade-to-trade mode): the generic arithmetic below written out for k = 2, operation
    // for operation in the same order (same bits; the generic sum and quadratic form start
    // from ∓0.0), without the per-day dispatch on the model.
    let daily_market_rows = !rows.t2t
        && k == 2
        && matches!(
            rows.model,
            ModelKind::MarketModel | ModelKind::ScholesWilliams | ModelKind::Dimson
        );
    if daily_market_rows {
        let (t0, t1) = (theta[0], theta[1]);
        let (v00, v01, v10, v11) = (v[0], v[1], v[2], v[3]);
        for i in 0..nh {
            let t = h.start as i64 + i as i64;
            let pos = base + t;
            let r = at(&s.ret, pos);
            let m = at(&s.bench, pos);
            ret[i] = r;
            if r.is_finite() && m.is_finite() {
                let e = 0.0 + (t0 + m * t1);
                let a = r - e;
                let q = (0.0 + ((0.0 + v00) + v01 * m)) + m * ((0.0 + v10) + v11 * m);
                expected_ret[i] = e;
                ar[i] = a;
                ar_se[i] = sigma2 * (1.0 + q); // the variance; its root below
                span[i] = 1;
                gs[2 * i] = 1.0;
                gs[2 * i + 1] = m;
            } else {
                mark_missing_day(i, t, [expected_ret, ar, ar_se, sar], span, exclusions);
            }
        }
        // Roots and quotients in a loop of their own, two days per instruction (the same
        // IEEE operations, so the same bits; a missing day stays NaN).
        for ((se, z), &a) in ar_se.iter_mut().zip(sar.iter_mut()).zip(ar.iter()) {
            *se = se.sqrt();
            *z = a / *se;
        }
    } else {
        for i in 0..nh {
            let t = h.start as i64 + i as i64;
            let pos = base + t;
            ret[i] = at(&s.ret, pos);
            match rows.event_row(pos, gbuf) {
                Some((r, off, d)) => {
                    let g = &gbuf[..k];
                    let e = off + g.iter().zip(theta).map(|(a, b)| a * b).sum::<f64>();
                    let a = r - e;
                    let var = sigma2 * (d as f64 + if k > 0 { quad_form(v, g) } else { 0.0 });
                    let se = var.sqrt();
                    let z = a / se;
                    expected_ret[i] = e;
                    ar[i] = a;
                    ar_se[i] = se;
                    sar[i] = z;
                    span[i] = d;
                    gs[i * k..(i + 1) * k].copy_from_slice(g);
                    if d > 1 {
                        exclusions.push(PairExclusion {
                            stage: Stage::EventDay,
                            reason: "multi_day_return".to_string(),
                            detail: format!("rel_day={t} span={d} (used in CARs only)"),
                            order: t,
                        });
                    }
                }
                None => mark_missing_day(i, t, [expected_ret, ar, ar_se, sar], span, exclusions),
            }
        }
    }
    // p-values in a loop of their own: the evaluations are independent, so the processor
    // overlaps them (a missing AR has a NaN SAR and so a NaN p-value).
    match dist {
        Some(dist) => {
            for (p, &z) in ar_p.iter_mut().zip(sar.iter()) {
                *p = dist.p_value(z);
            }
        }
        None => ar_p.fill(f64::NAN),
    }
    for ((wi, w), out) in cfg.windows.iter().enumerate().zip(windows.iter_mut()) {
        let lo = (w.start - h.start) as usize;
        let hi = (w.end - h.start) as usize;
        let mut n_days = 0u32;
        let mut car = 0.0;
        let mut sum_d = 0.0;
        let mut bh_r = 0.0;
        let mut bh_e = 0.0;
        let mut prod_r = 1.0;
        let mut prod_e = 1.0;
        let mut all_ar = true;
        gsum.iter_mut().for_each(|x| *x = 0.0);
        for i in lo..=hi {
            if ar[i].is_nan() {
                // Trade-to-trade: a day without an assigned return is not a gap in the window.
                if !(rows.t2t && ret[i].is_nan()) {
                    all_ar = false;
                }
                continue;
            }
            n_days += 1;
            car += ar[i];
            sum_d += span[i] as f64;
            for (acc, g) in gsum.iter_mut().zip(&gs[i * k..(i + 1) * k]) {
                *acc += g;
            }
            match cfg.returns {
                ReturnKind::Simple => {
                    prod_r *= 1.0 + ret[i];
                    prod_e *= 1.0 + expected_ret[i];
                }
                ReturnKind::Log => {
                    bh_r += ret[i];
                    bh_e += expected_ret[i];
                }
            }
        }
        let complete = if rows.t2t {
            // closes on day a − 1 and on day b: the returns assigned to W tile [a−1, b].
            let first = (lo..=hi).find(|&i| !ret[i].is_nan());
            let close_b = !ret[hi].is_nan();
            let tiles = first.is_some_and(|i| {
                let pos = base + h.start as i64 + i as i64;
                pos - rows.span_at(pos) as i64 == base + w.start as i64 - 1
            });
            all_ar && close_b && tiles && n_days > 0
        } else {
            all_ar && n_days as usize == w.len()
        };
        let mut wr = WindowResult {
            window: *w,
            complete,
            car: None,
            car_se: None,
            car_t: None,
            car_p: None,
            scar: None,
            bhar: None,
            n_days,
        };
        if complete {
            let var = sigma2 * (sum_d + if k > 0 { quad_form(v, gsum) } else { 0.0 });
            let se = var.sqrt();
            let scar = car / se;
            wr.car = Some(car);
            if se.is_finite() && se > 0.0 {
                wr.car_se = Some(se);
                wr.scar = Some(scar);
                wr.car_t = Some(scar);
                let p = dist.map_or(f64::NAN, |d| d.p_value(scar));
                wr.car_p = if p.is_nan() { None } else { Some(p) };
            }
            wr.bhar = Some(match cfg.returns {
                ReturnKind::Simple => prod_r - prod_e,
                ReturnKind::Log => bh_r.exp() - bh_e.exp(),
            });
        } else {
            exclusions.push(PairExclusion {
                stage: Stage::Car,
                reason: "incomplete_window".to_string(),
                detail: format!("window {}: {} of {} days", w.label(), n_days, w.len()),
                order: wi as i64,
            });
        }
        *out = wr;
    }
    fitted.fit
}

/// Reference implementation of [`super::analyse_pair`].
pub(crate) fn analyse_pair_reference(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    let rows = Rows::new(series, cfg);
    let mut est_resid = vec![f64::NAN; cfg.estimation.len()];
    let fitted = fit_reference(&rows, day0, cfg, &mut est_resid)?;
    Ok(finish(
        &rows,
        fitted,
        day0,
        cfg,
        est_resid,
        PValueRoute::ContinuedFraction,
    ))
}

/// The reference path of one pair written into `slot` (residuals into `est_resid`, length L,
/// NaN beforehand); the slot is cleared when the pair is excluded.
pub(crate) fn analyse_pair_reference_into(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
    mut slot: PairSlot,
) -> Result<ModelFit, PairExclusion> {
    let rows = Rows::new(series, cfg);
    match fit_reference(&rows, day0, cfg, est_resid) {
        Ok(fitted) => Ok(finish_into(
            &rows,
            fitted,
            day0,
            cfg,
            PValueRoute::ContinuedFraction,
            slot,
        )),
        Err(e) => {
            slot.clear(cfg);
            Err(e)
        }
    }
}
