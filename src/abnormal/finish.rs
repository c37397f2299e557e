//! The optimised event period (§5, §6) used by the study: the steps of the reference engine,
//! with scratch buffers on the stack, the daily market-model rows written out for k = 2, and
//! a choice of p-value evaluation. Same bits as the reference event period for the same
//! p-value route (tested).

use std::mem::MaybeUninit;

use super::fitted::Fitted;
use super::market_days::MarketCoefs;
use super::reference::{
    abnormal_returns, fit_reference, fit_then, mark_missing_day, p_values, window_results, PastData,
};
use super::rows::{at, Rows};
use super::slot::{owned_result, PairSlot};
use super::tdist::TwoSidedT;
use super::{EngineConfig, ModelFit, PairExclusion, PairResult};
use crate::model::ModelKind;
use crate::returns::AlignedSeries;

/// How the event period evaluates Student-t p-values: the continued fraction on every call
/// (the route of explicit-design fits), or the shared per-ν tables (the moment routes; same
/// values to ~1e-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PValueRoute {
    ContinuedFraction,
    Table,
}

impl PValueRoute {
    /// The t distribution with `nu` degrees of freedom, evaluated by this route.
    fn distribution(self, nu: f64) -> Option<TwoSidedT> {
        match self {
            PValueRoute::ContinuedFraction => TwoSidedT::new(nu),
            PValueRoute::Table => TwoSidedT::cached(nu),
        }
    }
}

/// Largest k whose row buffers live on the stack.
const STACK_K: usize = 8;
/// Largest |H|·k whose prediction rows live on the stack.
const STACK_GS: usize = 64 * STACK_K;

/// The scratch of one pair's event period: the prediction rows g_t (|H|·k), a row buffer and
/// the window sum G.
struct Scratch<'a> {
    gs: &'a mut [f64],
    g_row: &'a mut [f64],
    gsum: &'a mut [f64],
}

/// The event period of a fitted pair as a freshly allocated [`PairResult`].
pub(crate) fn finish(
    rows: &Rows,
    fitted: Fitted,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: Vec<f64>,
    p_route: PValueRoute,
) -> PairResult {
    owned_result(cfg, est_resid, |slot| {
        finish_into(rows, fitted, day0, cfg, p_route, slot)
    })
}

/// The event period of a fitted pair written into `slot` (every element of it is set);
/// returns the model-fit row.
pub(crate) fn finish_into(
    rows: &Rows,
    fitted: Fitted,
    day0: usize,
    cfg: &EngineConfig,
    p_route: PValueRoute,
    mut slot: PairSlot,
) -> ModelFit {
    let (k, nh) = (rows.k, slot.ar.len());
    // Left uninitialised: only the nh·k values used are zeroed (a pair's 4 KiB memset
    // otherwise).
    let mut gs_stack = [MaybeUninit::<f64>::uninit(); STACK_GS];
    let mut g_row_stack = [0.0; STACK_K];
    let mut gsum_stack = [0.0; STACK_K];
    let mut heap = [Vec::new(), Vec::new(), Vec::new()];
    let scratch = if nh * k <= STACK_GS && k <= STACK_K {
        Scratch {
            gs: zeroed_prefix(&mut gs_stack, nh * k),
            g_row: &mut g_row_stack[..k.max(1)],
            gsum: &mut gsum_stack[..k],
        }
    } else {
        heap_scratch(&mut heap, nh * k, k)
    };
    let dist = p_route.distribution(fitted.fit.df as f64);
    if has_daily_market_rows(rows) {
        market_model_returns(rows, &fitted, day0, cfg, &mut slot, scratch.gs);
    } else {
        abnormal_returns(
            rows,
            &fitted,
            day0,
            cfg,
            &mut slot,
            scratch.gs,
            scratch.g_row,
        );
    }
    p_values(slot.ar_p, slot.sar, dist);
    window_results(
        rows,
        &fitted,
        day0,
        cfg,
        &mut slot,
        scratch.gs,
        scratch.gsum,
        dist,
    );
    fitted.fit
}

/// The scratch on the heap, for large k or long event periods.
fn heap_scratch(heap: &mut [Vec<f64>; 3], gs_len: usize, k: usize) -> Scratch<'_> {
    let [gs, g_row, gsum] = heap;
    gs.resize(gs_len, 0.0);
    g_row.resize(k.max(1), 0.0);
    gsum.resize(k, 0.0);
    Scratch { gs, g_row, gsum }
}

/// The first `n` elements of `buf`, set to 0.0.
fn zeroed_prefix(buf: &mut [MaybeUninit<f64>], n: usize) -> &mut [f64] {
    let head = &mut buf[..n];
    for x in head.iter_mut() {
        x.write(0.0);
    }
    // SAFETY: every element of `head` was initialised just above, and MaybeUninit<f64> has
    // the layout of f64.
    unsafe { &mut *(head as *mut [MaybeUninit<f64>] as *mut [f64]) }
}

/// Whether the prediction rows are g_t = (1, R_mt) on every day: market model,
/// Scholes–Williams and Dimson outside trade-to-trade mode.
fn has_daily_market_rows(rows: &Rows) -> bool {
    !rows.t2t
        && rows.k == 2
        && matches!(
            rows.model,
            ModelKind::MarketModel | ModelKind::ScholesWilliams | ModelKind::Dimson
        )
}

/// [`abnormal_returns`] for the rows g_t = (1, R_mt), each day by [`MarketCoefs::day`]
/// (written out for k = 2 operation for operation in the order of the generic sum and
/// quadratic form: the same bits), without the per-day dispatch on the model; the
/// coefficients go to the slot when it keeps them.
fn market_model_returns(
    rows: &Rows,
    fitted: &Fitted,
    day0: usize,
    cfg: &EngineConfig,
    slot: &mut PairSlot,
    gs: &mut [f64],
) {
    let (s, base, h) = (rows.series, day0 as i64, cfg.event_period());
    let coefs = MarketCoefs::of(fitted);
    let past = PastData::new(s.ret.len(), day0, h);
    for i in 0..h.len() {
        let t = h.start as i64 + i as i64;
        let pos = base + t;
        let r = at(&s.ret, pos);
        let m = at(&s.bench, pos);
        slot.ret[i] = r;
        if let Some((e, var)) = coefs.day(r, m) {
            slot.expected_ret[i] = e;
            slot.ar[i] = r - e;
            slot.ar_se[i] = var; // its root below
            slot.span[i] = 1;
            gs[2 * i] = 1.0;
            gs[2 * i + 1] = m;
        } else {
            mark_missing_day(i, t, &past, slot);
        }
    }
    if let Some(c) = slot.coefs.as_deref_mut() {
        *c = coefs;
    }
    past.push_summary(slot);
    // Roots and quotients in a loop of their own, two days per instruction (the same IEEE
    // operations, so the same bits; a missing day stays NaN).
    for ((se, z), &a) in slot
        .ar_se
        .iter_mut()
        .zip(slot.sar.iter_mut())
        .zip(slot.ar.iter())
    {
        *se = se.sqrt();
        *z = a / *se;
    }
}

/// The explicit-design (reference) fit of one pair with the optimised event period and
/// continued-fraction p-values: the single-pair route of studies, and the route of every model
/// without a moment fit (Scholes–Williams, Dimson, trade-to-trade, many factors).
pub(crate) fn analyse_pair_explicit(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    fit_then(series, day0, cfg, |rows, fitted, est_resid| {
        finish(
            rows,
            fitted,
            day0,
            cfg,
            est_resid,
            PValueRoute::ContinuedFraction,
        )
    })
}

/// [`analyse_pair_explicit`] written into `slot` (residuals into `est_resid`, length L, NaN
/// beforehand); the slot is cleared when the pair is excluded.
pub(crate) fn analyse_pair_explicit_into(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
    mut slot: PairSlot,
) -> Result<ModelFit, PairExclusion> {
    let rows = Rows::new(series, cfg);
    match fit_reference(&rows, day0, cfg, est_resid) {
        Ok(fitted) => {
            let p_route = PValueRoute::ContinuedFraction;
            Ok(finish_into(&rows, fitted, day0, cfg, p_route, slot))
        }
        Err(e) => {
            slot.clear(cfg);
            Err(e)
        }
    }
}
