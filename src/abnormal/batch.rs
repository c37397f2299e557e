//! The column store of many pairs: [`Engine::analyse_batch`](super::Engine::analyse_batch)
//! writes every pair's outputs in place into one set of contiguous arrays (no allocation per
//! pair), read back as [`PairView`]s. The route of each pair is chosen here; all of the
//! engine's `unsafe` storage handling (unwritten arrays, prefetch) is in this file.

use std::mem::MaybeUninit;

use rayon::prelude::*;

use super::finish::{analyse_pair_explicit_into, finish_into, PValueRoute};
use super::moments::fit_direct;
use super::prefix::{fit_fast, SecurityPrefix};
use super::rows::Rows;
use super::slot::PairSlot;
use super::{
    reference, EngineConfig, ModelFit, PairExclusion, PairJob, PairResult, PairView, Route, Window,
    WindowResult,
};
use crate::returns::AlignedSeries;
use crate::tables::Stage;
use crate::vocab::ExclusionReason;

// A child of this module, so that it reads and assembles the private columns of the store.
#[path = "partial.rs"]
mod partial;
pub(crate) use partial::{Assembly, BatchPart};

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
/// Built by [`Engine::analyse_batch`](super::Engine::analyse_batch); read pair by pair with [`PairBatch::get`].
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

    /// Pair `i` (in the order of the jobs given to
    /// [`Engine::analyse_batch`](super::Engine::analyse_batch)): its view when
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

/// What one chunk returns besides its slices.
struct ChunkOut {
    /// Per pair, the fit or the exclusion.
    fits: Vec<Result<ModelFit, PairExclusion>>,
    /// The chunk's exclusion list.
    exclusions: Vec<PairExclusion>,
    /// The number of exclusions of each pair.
    counts: Vec<usize>,
}

/// Analyse many pairs in parallel into one column store, each on `route`.
pub(crate) fn analyse_batch(
    series_list: &[AlignedSeries],
    jobs: &[PairJob],
    cfg: &EngineConfig,
    route: Route,
) -> PairBatch {
    let prefixes = plan_prefixes(series_list, jobs, cfg, route);
    let h = cfg.event_period();
    let shape = Shape {
        est_len: cfg.estimation.len(),
        days: h.len(),
        windows: cfg.windows.len(),
    };
    let n = jobs.len();
    // Storage is left unwritten here: each chunk initialises its own part just before it
    // computes into it, while those cache lines are hot (one pass over memory, not two).
    let mut store = Unwritten::new(n, shape);
    let chunk_out: Vec<ChunkOut> = store
        .chunks(n, shape)
        .into_par_iter()
        .map(|chunk| {
            let chunk = chunk.initialise(cfg);
            analyse_chunk(series_list, &prefixes, jobs, cfg, route, chunk)
        })
        .collect();
    // SAFETY: the chunks partition every array (one chunk per CHUNK_PAIRS pairs, split with
    // the same sizes), and each was initialised in full by `initialise` above.
    let columns = unsafe { store.assume_written() };
    let mut outcomes = Vec::with_capacity(n);
    let mut exclusions = Vec::new();
    let mut exclusion_offsets = Vec::with_capacity(n + 1);
    exclusion_offsets.push(0);
    for out in chunk_out {
        outcomes.extend(out.fits);
        exclusions.extend(out.exclusions);
        for c in out.counts {
            let last = *exclusion_offsets.last().unwrap_or(&0);
            exclusion_offsets.push(last + c);
        }
    }
    PairBatch {
        event_period: h,
        days: shape.days,
        n_windows: shape.windows,
        est_len: shape.est_len,
        outcomes,
        est_resid: columns.est_resid,
        ret: columns.ret,
        expected_ret: columns.expected_ret,
        ar: columns.ar,
        sar: columns.sar,
        ar_se: columns.ar_se,
        ar_p: columns.ar_p,
        span: columns.span,
        windows: columns.windows,
        exclusions,
        exclusion_offsets,
    }
}

/// The prefix sums of each security, where its pairs use them. [`Route::Auto`]: two routes
/// to the same numbers (tested to 1e-10):
/// * prefix sums (`SecurityPrefix`, O(n·k²) once per security, then O(1) per fit) pay off
///   when a security has many events: m pairs × L estimation days ≥ 3 n sessions (building
///   a prefix record costs about three direct accumulations per session, measured);
/// * otherwise each pair sums its estimation-window moments directly (O(L), the same order
///   as filling its residuals), which avoids building prefixes that are used only a few times.
fn plan_prefixes(
    series_list: &[AlignedSeries],
    jobs: &[PairJob],
    cfg: &EngineConfig,
    route: Route,
) -> Vec<Option<SecurityPrefix>> {
    let est_len = cfg.estimation.len();
    let mut per_security = vec![0usize; series_list.len()];
    for job in jobs {
        if job.series < per_security.len() {
            per_security[job.series] += 1;
        }
    }
    series_list
        .par_iter()
        .zip(per_security.par_iter())
        .map(|(s, &m)| {
            let wanted = match route {
                Route::Auto => m * est_len.max(1) >= PREFIX_COST * s.ret.len().max(1) && m > 1,
                Route::Prefix => m > 0,
                Route::Direct | Route::Reference => false,
            };
            wanted.then(|| SecurityPrefix::new(s, cfg))
        })
        .collect()
}

/// The sizes of one pair's part of the store.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// L: estimation residuals.
    est_len: usize,
    /// |H|: per-day values.
    days: usize,
    /// Configured windows.
    windows: usize,
}

/// The arrays of the column store.
struct Columns<F, U, W> {
    est_resid: Vec<F>,
    ret: Vec<F>,
    expected_ret: Vec<F>,
    ar: Vec<F>,
    sar: Vec<F>,
    ar_se: Vec<F>,
    ar_p: Vec<F>,
    span: Vec<U>,
    windows: Vec<W>,
}

/// The column store before it is written.
type Unwritten = Columns<MaybeUninit<f64>, MaybeUninit<u32>, MaybeUninit<WindowResult>>;

impl Unwritten {
    /// Storage for `n` pairs, not yet written (no pass over the memory).
    fn new(n: usize, shape: Shape) -> Self {
        let d = n * shape.days;
        Columns {
            est_resid: unwritten(n * shape.est_len),
            ret: unwritten(d),
            expected_ret: unwritten(d),
            ar: unwritten(d),
            sar: unwritten(d),
            ar_se: unwritten(d),
            ar_p: unwritten(d),
            span: unwritten(d),
            windows: unwritten(n * shape.windows),
        }
    }

    /// The storage split into chunks of [`CHUNK_PAIRS`] pairs.
    fn chunks(&mut self, n: usize, shape: Shape) -> Vec<ChunkUnwritten<'_>> {
        let c = CHUNK_PAIRS;
        let (l, d, w) = (
            (c * shape.est_len).max(1),
            (c * shape.days).max(1),
            (c * shape.windows).max(1),
        );
        let mut est_resid = self.est_resid.chunks_mut(l);
        let mut ret = self.ret.chunks_mut(d);
        let mut expected_ret = self.expected_ret.chunks_mut(d);
        let mut ar = self.ar.chunks_mut(d);
        let mut sar = self.sar.chunks_mut(d);
        let mut ar_se = self.ar_se.chunks_mut(d);
        let mut ar_p = self.ar_p.chunks_mut(d);
        let mut span = self.span.chunks_mut(d);
        let mut windows = self.windows.chunks_mut(w);
        (0..n)
            .step_by(c)
            .map(|first| ChunkUnwritten {
                first,
                count: c.min(n - first),
                shape,
                est_resid: take(est_resid.next()),
                ret: take(ret.next()),
                expected_ret: take(expected_ret.next()),
                ar: take(ar.next()),
                sar: take(sar.next()),
                ar_se: take(ar_se.next()),
                ar_p: take(ar_p.next()),
                span: take(span.next()),
                windows: take(windows.next()),
            })
            .collect()
    }

    /// The arrays as initialised values.
    ///
    /// # Safety
    /// Every element of every array must have been written.
    unsafe fn assume_written(self) -> Columns<f64, u32, WindowResult> {
        // SAFETY: the caller guarantees every element is initialised.
        unsafe {
            Columns {
                est_resid: assume_written(self.est_resid),
                ret: assume_written(self.ret),
                expected_ret: assume_written(self.expected_ret),
                ar: assume_written(self.ar),
                sar: assume_written(self.sar),
                ar_se: assume_written(self.ar_se),
                ar_p: assume_written(self.ar_p),
                span: assume_written(self.span),
                windows: assume_written(self.windows),
            }
        }
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
    shape: Shape,
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

/// The output slices of one chunk of pairs.
struct ChunkMut<'a> {
    first: usize,
    count: usize,
    shape: Shape,
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
            shape: self.shape,
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

impl ChunkMut<'_> {
    /// The residuals and the event-period slot of pair j of the chunk; its exclusions go to
    /// `exclusions`.
    fn pair<'s>(
        &'s mut self,
        j: usize,
        exclusions: &'s mut Vec<PairExclusion>,
    ) -> (&'s mut [f64], PairSlot<'s>) {
        let (l, d, w) = (self.shape.est_len, self.shape.days, self.shape.windows);
        let slot = PairSlot {
            ret: &mut self.ret[j * d..(j + 1) * d],
            expected_ret: &mut self.expected_ret[j * d..(j + 1) * d],
            ar: &mut self.ar[j * d..(j + 1) * d],
            sar: &mut self.sar[j * d..(j + 1) * d],
            ar_se: &mut self.ar_se[j * d..(j + 1) * d],
            ar_p: &mut self.ar_p[j * d..(j + 1) * d],
            span: &mut self.span[j * d..(j + 1) * d],
            windows: &mut self.windows[j * w..(j + 1) * w],
            exclusions,
        };
        (&mut self.est_resid[j * l..(j + 1) * l], slot)
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
    jobs: &[PairJob],
    cfg: &EngineConfig,
    route: Route,
    mut chunk: ChunkMut,
) -> ChunkOut {
    let count = chunk.count;
    let reach = cfg.reach(0);
    let mut out = ChunkOut {
        fits: Vec::with_capacity(count),
        exclusions: Vec::new(),
        counts: Vec::with_capacity(count),
    };
    for j in 0..count {
        if let Some(next) = jobs.get(chunk.first + j + PREFETCH_AHEAD) {
            if let Some(series) = series_list.get(next.series) {
                prefetch_returns(series, next.day0, reach);
            }
        }
        let job = jobs[chunk.first + j];
        let before = out.exclusions.len();
        // NaN already (`initialise`): a fit writes the residuals of its sample
        let (est_resid, mut slot) = chunk.pair(j, &mut out.exclusions);
        let outcome = match series_list.get(job.series) {
            None => {
                slot.clear(cfg);
                Err(PairExclusion {
                    stage: Stage::Input,
                    reason: ExclusionReason::UnknownSecurity,
                    detail: format!("series index {} out of range", job.series),
                    order: 0,
                })
            }
            Some(series) => {
                let prefix = prefixes.get(job.series).and_then(Option::as_ref);
                analyse_job(series, prefix, job.day0, cfg, route, est_resid, slot)
            }
        };
        out.fits.push(outcome);
        out.counts.push(out.exclusions.len() - before);
    }
    out
}

/// One pair of the batch on its route, written into `est_resid` and `slot`.
fn analyse_job(
    series: &AlignedSeries,
    prefix: Option<&SecurityPrefix>,
    day0: usize,
    cfg: &EngineConfig,
    route: Route,
    est_resid: &mut [f64],
    mut slot: PairSlot,
) -> Result<ModelFit, PairExclusion> {
    if route == Route::Reference {
        return copy_reference(series, day0, cfg, est_resid, slot);
    }
    let fitted = match prefix {
        Some(prefix) if prefix.has_fast_path() => fit_fast(series, prefix, day0, cfg, est_resid),
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
        None => analyse_pair_explicit_into(series, day0, cfg, est_resid, slot),
    }
}

/// The reference engine's result of one pair copied into the store.
fn copy_reference(
    series: &AlignedSeries,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
    mut slot: PairSlot,
) -> Result<ModelFit, PairExclusion> {
    match reference::analyse_pair(series, day0, cfg) {
        Ok(res) => {
            est_resid.copy_from_slice(&res.est_resid);
            slot.copy_from(&res);
            Ok(res.fit)
        }
        Err(e) => {
            slot.clear(cfg);
            Err(e)
        }
    }
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
