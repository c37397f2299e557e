//! The column store of many pairs: [`analyse_pairs_batch`] writes every pair's outputs in
//! place into one set of contiguous arrays (no allocation per pair), read back as
//! [`PairView`]s.

use std::mem::MaybeUninit;

use rayon::prelude::*;

use super::engine::{analyse_pair_reference_into, finish_into, PValueRoute, PairSlot, Rows};
use super::fast::{fit_direct, fit_fast};
use super::{
    EngineConfig, ModelFit, PairExclusion, PairResult, PairView, SecurityPrefix, Window,
    WindowResult,
};
use crate::returns::AlignedSeries;
use crate::tables::Stage;

/// A security gets prefix sums when its pairs × L ≥ this × its sessions.
const PREFIX_COST: usize = 3;

/// Pairs per parallel task: large enough to amortize the task, small enough to balance.
const CHUNK_PAIRS: usize = 128;

/// The returns of the pair this many places ahead are requested from memory before a pair
/// is computed (measured: 1 and 2 alike, 4 slower; the hardware prefetcher starts late on
/// each pair's short, scattered window).
const PREFETCH_AHEAD: usize = 2;

/// The results of many pairs in column layout: per-day values in arrays of n·|H|, windows in
/// n·(number of windows), residuals in n·L, exclusions in one list with offsets per pair.
/// Built by [`analyse_pairs_batch`]; read pair by pair with [`PairBatch::get`].
#[derive(Debug, Clone)]
pub struct PairBatch {
    event_period: Window,
    days: usize,
    n_windows: usize,
    est_len: usize,
    outcomes: Vec<Result<ModelFit, PairExclusion>>,
    est_resid: Vec<f64>,
    ret: Vec<f64>,
    expected_ret: Vec<f64>,
    ar: Vec<f64>,
    sar: Vec<f64>,
    ar_se: Vec<f64>,
    ar_p: Vec<f64>,
    span: Vec<u32>,
    windows: Vec<WindowResult>,
    exclusions: Vec<PairExclusion>,
    exclusion_offsets: Vec<usize>,
}

impl PairBatch {
    /// Number of pairs (analysed or not).
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    /// Whether the batch has no pairs.
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    /// Pair `i` (in the order of the `pairs` given to [`analyse_pairs_batch`]): its view when
    /// it was analysed, else its `estimation`- or `input`-stage exclusion.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn get(&self, i: usize) -> Result<PairView<'_>, &PairExclusion> {
        let fit = self.outcomes[i].as_ref()?;
        let (d, w, l) = (self.days, self.n_windows, self.est_len);
        Ok(PairView {
            fit,
            est_resid: &self.est_resid[i * l..(i + 1) * l],
            event_period: self.event_period,
            ret: &self.ret[i * d..(i + 1) * d],
            expected_ret: &self.expected_ret[i * d..(i + 1) * d],
            ar: &self.ar[i * d..(i + 1) * d],
            sar: &self.sar[i * d..(i + 1) * d],
            ar_se: &self.ar_se[i * d..(i + 1) * d],
            ar_p: &self.ar_p[i * d..(i + 1) * d],
            span: &self.span[i * d..(i + 1) * d],
            windows: &self.windows[i * w..(i + 1) * w],
            exclusions: &self.exclusions[self.exclusion_offsets[i]..self.exclusion_offsets[i + 1]],
        })
    }

    /// Every pair as an owned result (one allocation set per pair; for callers that want
    /// [`PairResult`]s).
    pub fn to_results(&self) -> Vec<Result<PairResult, PairExclusion>> {
        (0..self.len())
            .map(|i| self.get(i).map(|v| v.to_result()).map_err(Clone::clone))
            .collect()
    }
}

/// The output slices of one chunk of pairs.
struct ChunkMut<'a> {
    first: usize,
    count: usize,
    est_resid: &'a mut [f64],
    ret: &'a mut [f64],
    expected_ret: &'a mut [f64],
    ar: &'a mut [f64],
    sar: &'a mut [f64],
    ar_se: &'a mut [f64],
    ar_p: &'a mut [f64],
    span: &'a mut [u32],
    windows: &'a mut [WindowResult],
}

/// What one chunk returns besides its slices: per pair the fit or the exclusion, the
/// chunk's exclusion list and the number of exclusions of each pair.
type ChunkOut = (
    Vec<Result<ModelFit, PairExclusion>>,
    Vec<PairExclusion>,
    Vec<usize>,
);

/// Analyse many pairs in parallel into one column store, with the routes of
/// [`super::analyse_pairs`] (prefix sums for securities with many events, direct moments
/// otherwise, the reference path for models without a fast path). Same numbers as
/// [`super::analyse_pair`] per pair (to 1e-10 relative, tested); nothing is allocated per
/// pair except exclusion records.
///
/// # Formula
/// As [`super::analyse_pair`], per pair.
///
/// # Examples
/// ```
/// use evstudy::abnormal::{analyse_pair, analyse_pairs_batch, EngineConfig, Window};
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
/// let batch = analyse_pairs_batch(std::slice::from_ref(&series), &[(0, 3), (1, 3)], &cfg);
/// let one = analyse_pair(&series, 3, &cfg).unwrap();
/// let view = batch.get(0).unwrap();
/// assert!((view.windows[0].car.unwrap() - one.windows[0].car.unwrap()).abs() < 1e-14);
/// assert_eq!(batch.get(1).unwrap_err().reason, "unknown_security");
/// ```
pub fn analyse_pairs_batch(
    series_list: &[AlignedSeries],
    pairs: &[(usize, usize)],
    cfg: &EngineConfig,
) -> PairBatch {
    // Two routes to the same numbers (tested to 1e-10):
    // * prefix sums (`SecurityPrefix`, O(n·k²) once per security, then O(1) per fit) pay off
    //   when a security has many events: m pairs × L estimation days ≥ 3 n sessions (building
    //   a prefix record costs about three direct accumulations per session, measured);
    // * otherwise each pair sums its estimation-window moments directly (O(L), the same order
    //   as filling its residuals), which avoids building prefixes that are used only a few times.
    let est_len = cfg.estimation.len();
    let mut per_security = vec![0usize; series_list.len()];
    for &(si, _) in pairs {
        if si < per_security.len() {
            per_security[si] += 1;
        }
    }
    let prefixes: Vec<Option<SecurityPrefix>> = series_list
        .par_iter()
        .zip(per_security.par_iter())
        .map(|(s, &m)| {
            (m * est_len.max(1) >= PREFIX_COST * s.ret.len().max(1) && m > 1)
                .then(|| SecurityPrefix::new(s, cfg))
        })
        .collect();

    let h = cfg.event_period();
    let (n, d, w) = (pairs.len(), h.len(), cfg.windows.len());
    // Storage is left unwritten here: each chunk initialises its own part just before it
    // computes into it, while those cache lines are hot (one pass over memory, not two).
    let mut est_resid = unwritten(n * est_len);
    let mut ret = unwritten(n * d);
    let mut expected_ret = unwritten(n * d);
    let mut ar = unwritten(n * d);
    let mut sar = unwritten(n * d);
    let mut ar_se = unwritten(n * d);
    let mut ar_p = unwritten(n * d);
    let mut span = unwritten(n * d);
    let mut windows = unwritten(n * w);

    let chunks: Vec<ChunkUnwritten> = {
        let c = CHUNK_PAIRS;
        let mut out = Vec::with_capacity(n.div_ceil(c));
        let mut parts = (
            est_resid.chunks_mut((c * est_len).max(1)),
            ret.chunks_mut((c * d).max(1)),
            expected_ret.chunks_mut((c * d).max(1)),
            ar.chunks_mut((c * d).max(1)),
            sar.chunks_mut((c * d).max(1)),
            ar_se.chunks_mut((c * d).max(1)),
            ar_p.chunks_mut((c * d).max(1)),
            span.chunks_mut((c * d).max(1)),
            windows.chunks_mut((c * w).max(1)),
        );
        for first in (0..n).step_by(c) {
            out.push(ChunkUnwritten {
                first,
                count: c.min(n - first),
                est_resid: take(parts.0.next()),
                ret: take(parts.1.next()),
                expected_ret: take(parts.2.next()),
                ar: take(parts.3.next()),
                sar: take(parts.4.next()),
                ar_se: take(parts.5.next()),
                ar_p: take(parts.6.next()),
                span: take(parts.7.next()),
                windows: take(parts.8.next()),
            });
        }
        out
    };

    let chunk_out: Vec<ChunkOut> = chunks
        .into_par_iter()
        .map(|chunk| analyse_chunk(series_list, &prefixes, pairs, cfg, chunk.initialise(cfg)))
        .collect();
    // SAFETY: the chunks partition every array (one chunk per CHUNK_PAIRS pairs, split with
    // the same sizes), and each was initialised in full by `initialise` above.
    let (est_resid, ret, expected_ret, ar, sar, ar_se, ar_p, span, windows) = unsafe {
        (
            assume_written(est_resid),
            assume_written(ret),
            assume_written(expected_ret),
            assume_written(ar),
            assume_written(sar),
            assume_written(ar_se),
            assume_written(ar_p),
            assume_written(span),
            assume_written(windows),
        )
    };

    let mut outcomes = Vec::with_capacity(n);
    let mut exclusions = Vec::new();
    let mut exclusion_offsets = Vec::with_capacity(n + 1);
    exclusion_offsets.push(0);
    for (fits, excl, counts) in chunk_out {
        outcomes.extend(fits);
        exclusions.extend(excl);
        for c in counts {
            let last = *exclusion_offsets.last().unwrap_or(&0);
            exclusion_offsets.push(last + c);
        }
    }
    PairBatch {
        event_period: h,
        days: d,
        n_windows: w,
        est_len,
        outcomes,
        est_resid,
        ret,
        expected_ret,
        ar,
        sar,
        ar_se,
        ar_p,
        span,
        windows,
        exclusions,
        exclusion_offsets,
    }
}

/// The next chunk of a split array (empty when the array is empty).
fn take<T>(part: Option<&mut [T]>) -> &mut [T] {
    part.unwrap_or(&mut [])
}

/// The storage of one chunk before it is initialised.
struct ChunkUnwritten<'a> {
    first: usize,
    count: usize,
    est_resid: &'a mut [MaybeUninit<f64>],
    ret: &'a mut [MaybeUninit<f64>],
    expected_ret: &'a mut [MaybeUninit<f64>],
    ar: &'a mut [MaybeUninit<f64>],
    sar: &'a mut [MaybeUninit<f64>],
    ar_se: &'a mut [MaybeUninit<f64>],
    ar_p: &'a mut [MaybeUninit<f64>],
    span: &'a mut [MaybeUninit<u32>],
    windows: &'a mut [MaybeUninit<WindowResult>],
}

impl<'a> ChunkUnwritten<'a> {
    /// Every element set to "missing" (NaN, span 0, incomplete windows), then viewed as
    /// initialised.
    fn initialise(self, cfg: &EngineConfig) -> ChunkMut<'a> {
        let missing: Vec<WindowResult> = cfg
            .windows
            .iter()
            .map(|w| WindowResult::missing(*w))
            .collect();
        let windows = init_part_with(self.windows, |i| missing[i % missing.len().max(1)]);
        ChunkMut {
            first: self.first,
            count: self.count,
            est_resid: init_part_with(self.est_resid, |_| f64::NAN),
            ret: init_part_with(self.ret, |_| f64::NAN),
            expected_ret: init_part_with(self.expected_ret, |_| f64::NAN),
            ar: init_part_with(self.ar, |_| f64::NAN),
            sar: init_part_with(self.sar, |_| f64::NAN),
            ar_se: init_part_with(self.ar_se, |_| f64::NAN),
            ar_p: init_part_with(self.ar_p, |_| f64::NAN),
            span: init_part_with(self.span, |_| 0),
            windows,
        }
    }
}

/// `len` elements of storage, not yet written (no pass over the memory).
fn unwritten<T>(len: usize) -> Vec<MaybeUninit<T>> {
    let mut v = Vec::with_capacity(len);
    // SAFETY: MaybeUninit<T> needs no initialisation, and the capacity is `len`.
    unsafe { v.set_len(len) };
    v
}

/// Write `value(i)` to element i of `part` and view the part as initialised.
fn init_part_with<T>(part: &mut [MaybeUninit<T>], value: impl Fn(usize) -> T) -> &mut [T] {
    for (i, x) in part.iter_mut().enumerate() {
        x.write(value(i));
    }
    // SAFETY: every element was written just above; MaybeUninit<T> has the layout of T.
    unsafe { &mut *(part as *mut [MaybeUninit<T>] as *mut [T]) }
}

/// The vector as initialised values.
///
/// # Safety
/// Every element of `v` must have been written.
unsafe fn assume_written<T>(v: Vec<MaybeUninit<T>>) -> Vec<T> {
    let mut v = std::mem::ManuallyDrop::new(v);
    // SAFETY: same allocation, length and capacity; MaybeUninit<T> has the layout of T, and
    // the caller guarantees every element is initialised.
    unsafe { Vec::from_raw_parts(v.as_mut_ptr() as *mut T, v.len(), v.capacity()) }
}

/// Analyse the pairs of one chunk into its slices.
fn analyse_chunk(
    series_list: &[AlignedSeries],
    prefixes: &[Option<SecurityPrefix>],
    pairs: &[(usize, usize)],
    cfg: &EngineConfig,
    chunk: ChunkMut,
) -> ChunkOut {
    let (d, w, l) = (
        cfg.event_period().len(),
        cfg.windows.len(),
        cfg.estimation.len(),
    );
    let count = chunk.count;
    let h = cfg.event_period();
    let reach = Window {
        start: cfg.estimation.start.min(h.start),
        end: cfg.estimation.end.max(h.end),
    };
    let mut fits = Vec::with_capacity(count);
    let mut exclusions = Vec::new();
    let mut counts = Vec::with_capacity(count);
    for j in 0..count {
        if let Some(&(s_next, day0_next)) = pairs.get(chunk.first + j + PREFETCH_AHEAD) {
            if let Some(next) = series_list.get(s_next) {
                prefetch_returns(next, day0_next, reach);
            }
        }
        let (si, day0) = pairs[chunk.first + j];
        let before = exclusions.len();
        // NaN already (`initialise`): a fit writes the residuals of its sample
        let est_resid = &mut chunk.est_resid[j * l..(j + 1) * l];
        let mut slot = PairSlot {
            ret: &mut chunk.ret[j * d..(j + 1) * d],
            expected_ret: &mut chunk.expected_ret[j * d..(j + 1) * d],
            ar: &mut chunk.ar[j * d..(j + 1) * d],
            sar: &mut chunk.sar[j * d..(j + 1) * d],
            ar_se: &mut chunk.ar_se[j * d..(j + 1) * d],
            ar_p: &mut chunk.ar_p[j * d..(j + 1) * d],
            span: &mut chunk.span[j * d..(j + 1) * d],
            windows: &mut chunk.windows[j * w..(j + 1) * w],
            exclusions: &mut exclusions,
        };
        let outcome = match series_list.get(si) {
            None => {
                slot.clear(cfg);
                Err(PairExclusion {
                    stage: Stage::Input,
                    reason: "unknown_security".to_string(),
                    detail: format!("series index {si} out of range"),
                    order: 0,
                })
            }
            Some(series) => {
                let fitted = match prefixes.get(si) {
                    Some(Some(prefix)) if prefix.has_fast_path() => {
                        fit_fast(series, prefix, day0, cfg, est_resid)
                    }
                    _ => fit_direct(series, day0, cfg, est_resid),
                };
                match fitted {
                    Some(Ok(fitted)) => Ok(finish_into(
                        &Rows::new(series, cfg),
                        fitted,
                        day0,
                        cfg,
                        PValueRoute::Table,
                        slot,
                    )),
                    Some(Err(e)) => {
                        slot.clear(cfg);
                        Err(e)
                    }
                    None => analyse_pair_reference_into(series, day0, cfg, est_resid, slot),
                }
            }
        };
        fits.push(outcome);
        counts.push(exclusions.len() - before);
    }
    (fits, exclusions, counts)
}

/// Ask the processor to load a pair's returns over `reach` (relative days covering the
/// estimation window and the event period) into cache, one request per 64-byte line; a hint
/// only, no effect on values.
#[inline]
fn prefetch_returns(series: &AlignedSeries, day0: usize, reach: Window) {
    let ret = &series.ret;
    let n = ret.len() as i64;
    let lo = (day0 as i64 + reach.start as i64).clamp(0, n) as usize;
    let hi = (day0 as i64 + reach.end as i64 + 1).clamp(0, n) as usize;
    const LINE: usize = 64 / std::mem::size_of::<f64>();
    for x in ret[lo.min(hi)..hi].iter().step_by(LINE) {
        prefetch_line(x);
    }
}

/// A prefetch hint for the cache line holding `x`.
#[inline(always)]
fn prefetch_line(x: &f64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and does not change memory; SSE is part of the
    // x86-64 baseline; the pointer comes from a live reference.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((x as *const f64).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}
