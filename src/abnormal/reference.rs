//! The reference engine, written as the methodology states it: collect the estimation sample
//! row by row, fit by OLS on an explicit design (§4), then compute every event-period quantity
//! day by day and window by window (§5, §6). It is the oracle the moment routes are tested
//! against; the optimised event period (`finish.rs`) reuses its per-day and per-window steps.

use super::fitted::{fit_failure, model_fit_row, Coefs, Fitted};
use super::lagged::fit_lagged;
use super::rows::{at, Rows};
use super::sample::check_sample_size;
use super::slot::{owned_result, PairSlot};
use super::tdist::TwoSidedT;
use super::{EngineConfig, PairExclusion, PairResult, Window, WindowResult};
use crate::model::fit::{ols, FitFailure, ZERO_SSE_TOL};
use crate::model::linalg::quad_form;
use crate::model::ModelKind;
use crate::returns::{AlignedSeries, ReturnKind};
use crate::tables::Stage;
use crate::vocab::ExclusionReason;

/// The reference analysis of one pair: explicit-design fit, then the event period with
/// continued-fraction p-values.
pub(crate) fn analyse_pair(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    fit_then(series, day0, cfg, |rows, fitted, est_resid| {
        finish(rows, fitted, day0, cfg, est_resid)
    })
}

/// The explicit-design fit of one pair (residuals in a fresh length-L buffer, NaN where the
/// day has no return), then `event_period` on the fit: the part every single-pair route shares.
pub(crate) fn fit_then(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
    event_period: impl FnOnce(&Rows, Fitted, Vec<f64>) -> PairResult,
) -> Result<PairResult, PairExclusion> {
    let rows = Rows::new(series, cfg);
    let mut est_resid = vec![f64::NAN; cfg.estimation.len()];
    let fitted = fit_reference(&rows, day0, cfg, &mut est_resid)?;
    Ok(event_period(&rows, fitted, est_resid))
}

/// The fit of one pair from its estimation sample, collected row by row; the residuals are
/// written to `est_resid` (length L, NaN beforehand).
pub(crate) fn fit_reference(
    rows: &Rows,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Result<Fitted, PairExclusion> {
    match rows.model {
        ModelKind::ConstantMean | ModelKind::MarketModel | ModelKind::Factor => {
            fit_ols(rows, day0, cfg, est_resid)
        }
        ModelKind::MarketAdjusted => fit_market_adjusted(rows, day0, cfg, est_resid),
        ModelKind::ScholesWilliams | ModelKind::Dimson => fit_lagged(rows, day0, cfg, est_resid),
    }
}

/// Constant mean, market model and factor models (§4.1, §4.3, §4.4): OLS of y* on X*, the
/// rows divided by √d_τ (weighted least squares in trade-to-trade mode, §4.7).
///
/// # Formula
/// x*_τ = g_τ/√d_τ, y*_τ = (R_τ − offset_τ)/√d_τ;  θ̂ = (X*′X*)⁻¹X*′y*;
/// σ̂² = SSE/(M − k);  ε̂*_τ = y*_τ − x*_τ′θ̂.
fn fit_ols(
    rows: &Rows,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Result<Fitted, PairExclusion> {
    let base = day0 as i64;
    let (l1, l2) = (cfg.estimation.start as i64, cfg.estimation.end as i64);
    let k = rows.k;
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
    check_sample_size(m, rows.model, k, cfg)?;
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

/// Market-adjusted (§4.2): nothing is estimated; the estimation ARs e_τ = R_τ − R_mτ give σ̂².
///
/// # Formula
/// σ̂² = Σ(e_τ − ē)²/(M − 1).
fn fit_market_adjusted(
    rows: &Rows,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Result<Fitted, PairExclusion> {
    let base = day0 as i64;
    let (l1, l2) = (cfg.estimation.start as i64, cfg.estimation.end as i64);
    let mut e = Vec::with_capacity(est_resid.len());
    let mut g = [0.0; 1];
    for tau in l1..=l2 {
        if let Some((r, off, _)) = rows.event_row(base + tau, &mut g) {
            e.push(r - off);
            est_resid[(tau - l1) as usize] = r - off;
        }
    }
    let m = e.len();
    check_sample_size(m, rows.model, rows.k, cfg)?;
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

/// The event period of a fitted pair (§5, §6) as a [`PairResult`]: the ARs day by day, their
/// p-values, then the windows.
pub(crate) fn finish(
    rows: &Rows,
    fitted: Fitted,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: Vec<f64>,
) -> PairResult {
    owned_result(cfg, est_resid, |mut slot| {
        let k = rows.k;
        let dist = TwoSidedT::new(fitted.fit.df as f64);
        let (mut gs, mut g_row, mut gsum) = (
            vec![0.0; slot.ar.len() * k],
            vec![0.0; k.max(1)],
            vec![0.0; k],
        );
        abnormal_returns(rows, &fitted, day0, cfg, &mut slot, &mut gs, &mut g_row);
        p_values(slot.ar_p, slot.sar, dist);
        window_results(rows, &fitted, day0, cfg, &mut slot, &gs, &mut gsum, dist);
        fitted.fit
    })
}

/// Expected return, AR, its standard error and SAR on every day of H (§5.1, §5.2); the
/// prediction row g_t of day i goes to `gs[i·k..(i+1)·k]` (`g_row` is a row buffer of length
/// max(k, 1)).
///
/// # Formula
/// E[R_t] = offset_t + g_t′θ̂;  AR_t = R_t − E[R_t];  Var(AR_t) = σ̂²(d_t + g_t′(X′X)⁻¹g_t);
/// SAR_t = AR_t/√Var(AR_t).
pub(super) fn abnormal_returns(
    rows: &Rows,
    fitted: &Fitted,
    day0: usize,
    cfg: &EngineConfig,
    slot: &mut PairSlot,
    gs: &mut [f64],
    g_row: &mut [f64],
) {
    let (k, base, h) = (rows.k, day0 as i64, cfg.event_period());
    let (theta, v, sigma2) = (&fitted.theta[..], &fitted.v[..], fitted.sigma2);
    let past = PastData::new(rows.series.ret.len(), day0, h);
    for i in 0..h.len() {
        let t = h.start as i64 + i as i64;
        let pos = base + t;
        slot.ret[i] = at(&rows.series.ret, pos);
        let Some((r, off, d)) = rows.event_row(pos, g_row) else {
            mark_missing_day(i, t, &past, slot);
            continue;
        };
        let g = &g_row[..k];
        let e = off + g.iter().zip(theta).map(|(a, b)| a * b).sum::<f64>();
        let a = r - e;
        let var = sigma2 * (d as f64 + if k > 0 { quad_form(v, g) } else { 0.0 });
        let se = var.sqrt();
        slot.expected_ret[i] = e;
        slot.ar[i] = a;
        slot.ar_se[i] = se;
        slot.sar[i] = a / se;
        slot.span[i] = d;
        gs[i * k..(i + 1) * k].copy_from_slice(g);
        if d > 1 {
            slot.exclusions.push(PairExclusion {
                stage: Stage::EventDay,
                reason: ExclusionReason::MultiDayReturn,
                detail: format!("rel_day={t} span={d} (used in CARs only)"),
                order: t,
            });
        }
    }
    past.push_summary(slot);
}

/// Day i (relative day t) of the event period has no usable row: its expected return, AR,
/// standard error and SAR are missing, its span 0, and a `missing_return` exclusion is
/// recorded unless `past` summarises day t.
pub(super) fn mark_missing_day(i: usize, t: i64, past: &PastData, slot: &mut PairSlot) {
    for column in [
        &mut *slot.expected_ret,
        &mut *slot.ar,
        &mut *slot.ar_se,
        &mut *slot.sar,
    ] {
        column[i] = f64::NAN;
    }
    slot.span[i] = 0;
    if t < past.from {
        slot.exclusions.push(PairExclusion {
            stage: Stage::EventDay,
            reason: ExclusionReason::MissingReturn,
            detail: format!("rel_day={t}"),
            order: t,
        });
    }
}

/// Most days of the event period after the last session of a pair's calendar that get one
/// `missing_return` row each; more are reported in a single `window_beyond_data` row (§11).
/// Longer than the event period of ordinary studies, so that their rows stay day by day.
pub(super) const MAX_DAY_ROWS_PAST_DATA: usize = 60;

/// The days of the event period H after the last session of a pair's calendar, when there are
/// more than [`MAX_DAY_ROWS_PAST_DATA`] of them: relative days `from..=end` (`from` is
/// `i64::MAX` otherwise, and every missing day has its own row).
pub(super) struct PastData {
    from: i64,
    end: i64,
}

impl PastData {
    /// The days of `h` past the `calendar_len` sessions of the calendar for day 0 at position
    /// `day0`.
    pub fn new(calendar_len: usize, day0: usize, h: Window) -> PastData {
        let first_past = (calendar_len as i64 - day0 as i64).max(i64::from(h.start));
        let end = i64::from(h.end);
        if end - first_past + 1 > MAX_DAY_ROWS_PAST_DATA as i64 {
            PastData {
                from: first_past,
                end,
            }
        } else {
            PastData {
                from: i64::MAX,
                end,
            }
        }
    }

    /// The single row of the summarised days, if any.
    pub fn push_summary(&self, slot: &mut PairSlot) {
        if self.from == i64::MAX {
            return;
        }
        slot.exclusions.push(PairExclusion {
            stage: Stage::EventDay,
            reason: ExclusionReason::WindowBeyondData,
            detail: format!(
                "rel_day={}..{}: {} days after the last session of the calendar",
                self.from,
                self.end,
                self.end - self.from + 1
            ),
            order: self.from,
        });
    }
}

/// Two-sided p-value of every SAR with ν degrees of freedom (NaN without a distribution; a
/// missing AR has a NaN SAR and so a NaN p-value).
///
/// # Formula
/// p_t = 2·S_ν(|SAR_t|), for as many days as `ar_p` holds.
pub(super) fn p_values(ar_p: &mut [f64], sar: &[f64], dist: Option<TwoSidedT>) {
    // in a loop of their own: the evaluations are independent, so the processor overlaps them
    match dist {
        Some(dist) => {
            for (p, &z) in ar_p.iter_mut().zip(sar.iter()) {
                *p = dist.p_value(z);
            }
        }
        None => ar_p.fill(f64::NAN),
    }
}

/// The sums over the days of one window that have an AR.
struct WindowSums {
    /// Days with an AR.
    n_days: u32,
    /// Σ AR_t.
    car: f64,
    /// Σ d_t.
    sum_d: f64,
    /// Whether every day of W has an AR (a day without an assigned return is no gap in
    /// trade-to-trade mode).
    all_ar: bool,
    /// Π(1 + R_t) and Π(1 + E[R_t]) (simple returns).
    prod_r: f64,
    prod_e: f64,
    /// Σ R_t and Σ E[R_t] (log returns).
    sum_r: f64,
    sum_e: f64,
}

/// CAR, Var(CAR), SCAR, its p-value and BHAR of every configured window (§5.3, §5.4, §6), or
/// an `incomplete_window` exclusion; `gsum` is a buffer of length k.
#[allow(clippy::too_many_arguments)]
pub(super) fn window_results(
    rows: &Rows,
    fitted: &Fitted,
    day0: usize,
    cfg: &EngineConfig,
    slot: &mut PairSlot,
    gs: &[f64],
    gsum: &mut [f64],
    dist: Option<TwoSidedT>,
) {
    let h = cfg.event_period();
    for (wi, w) in cfg.windows.iter().enumerate() {
        let lo = (w.start - h.start) as usize;
        let hi = (w.end - h.start) as usize;
        let sums = window_sums(rows, cfg.returns, slot, gs, gsum, lo, hi);
        let complete = if rows.t2t {
            sums.all_ar && t2t_window_closes(rows, day0, h, *w, slot.ret, lo, hi) && sums.n_days > 0
        } else {
            sums.all_ar && sums.n_days as usize == w.len()
        };
        slot.windows[wi] = if complete {
            complete_window(*w, &sums, fitted, gsum, cfg.returns, dist)
        } else {
            slot.exclusions.push(PairExclusion {
                stage: Stage::Car,
                reason: ExclusionReason::IncompleteWindow,
                detail: format!("window {}: {} of {} days", w.label(), sums.n_days, w.len()),
                order: wi as i64,
            });
            WindowResult {
                n_days: sums.n_days,
                ..WindowResult::missing(*w)
            }
        };
    }
}

/// The sums of the days lo..=hi of H (indices) that have an AR; G = Σ g_t into `gsum`.
fn window_sums(
    rows: &Rows,
    returns: ReturnKind,
    slot: &PairSlot,
    gs: &[f64],
    gsum: &mut [f64],
    lo: usize,
    hi: usize,
) -> WindowSums {
    let k = rows.k;
    let (ret, expected_ret) = (&*slot.ret, &*slot.expected_ret);
    let mut s = WindowSums {
        n_days: 0,
        car: 0.0,
        sum_d: 0.0,
        all_ar: true,
        prod_r: 1.0,
        prod_e: 1.0,
        sum_r: 0.0,
        sum_e: 0.0,
    };
    gsum.iter_mut().for_each(|x| *x = 0.0);
    for i in lo..=hi {
        if slot.ar[i].is_nan() {
            if !(rows.t2t && ret[i].is_nan()) {
                s.all_ar = false;
            }
            continue;
        }
        s.n_days += 1;
        s.car += slot.ar[i];
        s.sum_d += slot.span[i] as f64;
        for (acc, g) in gsum.iter_mut().zip(&gs[i * k..(i + 1) * k]) {
            *acc += g;
        }
        match returns {
            ReturnKind::Simple => {
                s.prod_r *= 1.0 + ret[i];
                s.prod_e *= 1.0 + expected_ret[i];
            }
            ReturnKind::Log => {
                s.sum_r += ret[i];
                s.sum_e += expected_ret[i];
            }
        }
    }
    s
}

/// Trade-to-trade completeness of W (§3.4): the returns assigned to W close on day a − 1
/// and on day b, so that they tile [a − 1, b], and at least one day has a return.
fn t2t_window_closes(
    rows: &Rows,
    day0: usize,
    h: Window,
    w: Window,
    ret: &[f64],
    lo: usize,
    hi: usize,
) -> bool {
    let base = day0 as i64;
    let first = (lo..=hi).find(|&i| !ret[i].is_nan());
    let close_b = !ret[hi].is_nan();
    let tiles = first.is_some_and(|i| {
        let pos = base + h.start as i64 + i as i64;
        pos - rows.span_at(pos) as i64 == base + w.start as i64 - 1
    });
    close_b && tiles
}

/// The results of a complete window.
///
/// # Formula
/// Var(CAR) = σ̂²(Σd_t + G′(X′X)⁻¹G);  SCAR = CAR/√Var(CAR);  p = 2·S_ν(|SCAR|);
/// BHAR = Π(1 + R_t) − Π(1 + E[R_t]) (simple) or exp(ΣR_t) − exp(ΣE[R_t]) (log).
fn complete_window(
    w: Window,
    sums: &WindowSums,
    fitted: &Fitted,
    gsum: &[f64],
    returns: ReturnKind,
    dist: Option<TwoSidedT>,
) -> WindowResult {
    let k = gsum.len();
    let var = fitted.sigma2
        * (sums.sum_d
            + if k > 0 {
                quad_form(&fitted.v, gsum)
            } else {
                0.0
            });
    let se = var.sqrt();
    let scar = sums.car / se;
    let mut wr = WindowResult {
        complete: true,
        car: Some(sums.car),
        n_days: sums.n_days,
        ..WindowResult::missing(w)
    };
    if se.is_finite() && se > 0.0 {
        wr.car_se = Some(se);
        wr.scar = Some(scar);
        wr.car_t = Some(scar);
        let p = dist.map_or(f64::NAN, |d| d.p_value(scar));
        wr.car_p = if p.is_nan() { None } else { Some(p) };
    }
    wr.bhar = Some(match returns {
        ReturnKind::Simple => sums.prod_r - sums.prod_e,
        ReturnKind::Log => sums.sum_r.exp() - sums.sum_e.exp(),
    });
    wr
}
