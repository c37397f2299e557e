//! The column store of many pairs: [`Engine::analyse_batch`](super::Engine::analyse_batch)
//! writes every pair's outputs in place into one set of contiguous arrays (no allocation per
//! pair), read back as [`PairView`]s. The pairs are computed security by security, and the
//! route of each pair is chosen here; the storage being written is in `store.rs`.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use super::day_column::{ArSe, Made, MadeDays};
use super::finish::{analyse_pair_explicit_into, finish_into, PValueRoute};
use super::market_days::MarketCoefs;
use super::moments::{fit_direct, Layout};
use super::prefix::{fit_fast, SecurityPrefix};
use super::residuals::refit_layout;
use super::rows::Rows;
use super::slot::PairSlot;
use super::{
    reference, DayColumn, DaySpans, EngineConfig, ModelFit, PackedWindow, PairExclusion, PairJob,
    PairResult, PairView, Residuals, Route, Window, WindowResult, WindowResults,
};
use crate::returns::AlignedSeries;
use crate::tables::Stage;
use crate::vocab::ExclusionReason;

// A child of this module, so that it reads and assembles the private columns of the store.
#[path = "partial.rs"]
mod partial;
#[path = "store.rs"]
mod store;
pub(crate) use partial::{Assembly, BatchPart};
use store::{Shape, SharedStore, Unwritten, Written};

/// A security gets prefix sums when its pairs × L ≥ this × its sessions.
const PREFIX_COST: usize = 3;

/// Pairs per parallel task (at least): large enough to amortize the task, small enough to
/// balance.
const CHUNK_PAIRS: usize = 128;

/// A security with more pairs than this is cut into several tasks.
const SPLIT_PAIRS: usize = 1024;

/// The returns of the pair this many places ahead are requested from memory before a pair
/// is computed (measured: 1 and 2 alike, 4 slower; the hardware prefetcher starts late on
/// each pair's short, scattered window).
const PREFETCH_AHEAD: usize = 2;

/// The results of many pairs in column layout: per-day values in arrays of n·|H|, windows in
/// n·(number of windows), residuals in n·L (or none, recomputed when read: see
/// [`Residuals`]; the returns, SARs and p-values are then made when read too, and for the
/// market model the expected returns, AR standard errors and spans from the fit's
/// coefficients: see [`DayColumn`]), exclusions in one list with offsets per pair. Built by
/// [`Engine::analyse_batch`](super::Engine::analyse_batch) or
/// [`Engine::analyse_batch_shared`](super::Engine::analyse_batch_shared); read pair by pair
/// with [`PairBatch::get`].
#[derive(Debug, Clone)]
pub struct PairBatch {
    event_period: Window,
    days: usize,
    n_windows: usize,
    est_len: usize,
    outcomes: Vec<Result<ModelFit, PairExclusion>>,
    est_resid: Vec<f64>,
    /// Set when `est_resid`, `ret`, `sar` and `ar_p` are empty: the residuals are recomputed
    /// and the returns, SARs and p-values made when read.
    refit: Option<RefitSource>,
    ret: Vec<f64>,
    expected_ret: Vec<f64>,
    ar: Vec<f64>,
    sar: Vec<f64>,
    ar_se: Vec<f64>,
    ar_p: Vec<f64>,
    span: Vec<u32>,
    /// The configured windows, in configuration order.
    event_windows: Vec<Window>,
    windows: Vec<PackedWindow>,
    /// Each pair's market-model coefficients when `expected_ret`, `ar_se` and `span` are
    /// empty (made from them when read); empty otherwise.
    coefs: Vec<MarketCoefs>,
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
    pub fn get<'a>(&'a self, i: usize) -> Result<PairView<'a>, &'a PairExclusion> {
        let fit = self.outcomes[i].as_ref()?;
        Ok(self.view_with(i, fit))
    }

    /// The view of analysed pair `i` whose fit is `fit` (its entry of the outcomes, read once
    /// by the caller and kept: [`PairRef`](super::PairRef)).
    pub(super) fn view_with<'a>(&'a self, i: usize, fit: &'a ModelFit) -> PairView<'a> {
        let (d, w, l) = (self.days, self.n_windows, self.est_len);
        let held = |col: &'a [f64]| DayColumn::held(&col[i * d..(i + 1) * d]);
        let made = |what: Made| DayColumn::made(self, i, what);
        let (est_resid, ret, sar, ar_p) = match &self.refit {
            Some(src) => (
                src.residuals(i, fit),
                made(Made::Ret),
                made(Made::Sar),
                made(Made::ArP),
            ),
            None => (
                Residuals::held(&self.est_resid[i * l..(i + 1) * l]),
                held(&self.ret),
                held(&self.sar),
                held(&self.ar_p),
            ),
        };
        let (expected_ret, ar_se, span) = if self.coefs.is_empty() {
            (
                held(&self.expected_ret),
                held(&self.ar_se),
                DaySpans::held(&self.span[i * d..(i + 1) * d]),
            )
        } else {
            (
                made(Made::ExpectedRet),
                made(Made::ArSe),
                DaySpans::made(self, i),
            )
        };
        PairView {
            fit,
            est_resid,
            event_period: self.event_period,
            ret,
            expected_ret,
            ar: &self.ar[i * d..(i + 1) * d],
            sar,
            ar_se,
            ar_p,
            span,
            windows: WindowResults::packed(&self.windows[i * w..(i + 1) * w], &self.event_windows),
            exclusions: &self.exclusions[self.exclusion_offsets[i]..self.exclusion_offsets[i + 1]],
        }
    }

    /// Days per pair (|H|).
    pub(super) fn days_per_pair(&self) -> usize {
        self.days
    }

    /// What the made columns of pair `i` read (a batch whose store makes some of them).
    ///
    /// # Panics
    /// When the batch keeps no series to make them from, or `i >= self.len()`.
    pub(super) fn made_days(&self, i: usize) -> MadeDays<'_> {
        let src = self
            .refit
            .as_ref()
            .expect("made columns come from a shared batch");
        let job = src.jobs[i];
        let series = &src.series[job.series];
        let d = self.days;
        MadeDays {
            ret: &series.ret,
            bench: &series.bench,
            first: job.day0 as i64 + i64::from(self.event_period.start),
            ar: &self.ar[i * d..(i + 1) * d],
            se: match self.coefs.get(i) {
                Some(c) => ArSe::Market(c),
                None => ArSe::Held(&self.ar_se[i * d..(i + 1) * d]),
            },
            outcome: &self.outcomes[i],
        }
    }

    /// Every pair as an owned result (one allocation set per pair; for callers that want
    /// [`PairResult`]s).
    pub fn to_results(&self) -> Vec<Result<PairResult, PairExclusion>> {
        (0..self.len())
            .map(|i| self.get(i).map(|v| v.to_result()).map_err(Clone::clone))
            .collect()
    }
}

/// Analyse many pairs in parallel into one column store, each on `route`, every pair's
/// residuals held in the store.
pub(crate) fn analyse_batch(
    series_list: &[AlignedSeries],
    jobs: &[PairJob],
    cfg: &EngineConfig,
    route: Route,
) -> PairBatch {
    compute_batch(series_list, jobs, cfg, route, None)
}

/// [`analyse_batch`] over shared series: when the model's residuals can be recomputed
/// ([`refit_layout`]), the store holds none of them, nor the returns, SARs and p-values (nor,
/// for the market model, the expected returns, AR standard errors and spans: its
/// coefficients instead), and the batch keeps the series to make them when read.
pub(crate) fn analyse_batch_shared(
    series: &Arc<[AlignedSeries]>,
    jobs: &[PairJob],
    cfg: &EngineConfig,
    route: Route,
) -> PairBatch {
    let Some(layout) = refit_layout(cfg, route) else {
        return analyse_batch(series, jobs, cfg, route);
    };
    let mut batch = compute_batch(series, jobs, cfg, route, Some(layout));
    batch.refit = Some(RefitSource {
        series: Arc::clone(series),
        jobs: jobs.to_vec(),
        layout,
        estimation: cfg.estimation,
    });
    batch
}

/// The pairs computed into a new store, security by security (see [`security_tasks`]), so
/// that a security's prefix sums live only while its own pairs are computed; each pair is
/// written at its place in the job order, which is the order of the store. Every column is
/// stored when `refit` is `None`; else the residuals, returns, SARs and p-values are not, nor
/// the columns made from the coefficients of a market-model `refit` layout.
fn compute_batch(
    series_list: &[AlignedSeries],
    jobs: &[PairJob],
    cfg: &EngineConfig,
    route: Route,
    refit: Option<Layout>,
) -> PairBatch {
    let h = cfg.event_period();
    let est_len = cfg.estimation.len();
    let store_all = refit.is_none();
    let shape = Shape {
        est_len: if store_all { est_len } else { 0 },
        days: h.len(),
        windows: cfg.windows.len(),
        made_days: !store_all,
        made_market: refit == Some(Layout::MarketModel),
    };
    let n = jobs.len();
    let missing: Vec<WindowResult> = cfg
        .windows
        .iter()
        .map(|w| WindowResult::missing(*w))
        .collect();
    let SecurityOrder {
        order,
        start,
        tasks,
    } = security_tasks(jobs, series_list.len());
    let mut store = Unwritten::new(n, shape);
    let shared = SharedStore::new(&mut store, n, shape);
    let task = Task {
        series_list,
        jobs,
        cfg,
        route,
        store: &shared,
        missing: &missing,
        est_len,
        shape,
        start: &start,
    };
    let mut exclusions: Vec<(usize, PairExclusion)> = tasks
        .into_par_iter()
        .with_max_len(1)
        .flat_map_iter(|range| task.run(&order[range]))
        .collect();
    // SAFETY: `order` is a permutation of 0..n (a counting sort of the job indices), the
    // tasks partition it, and every pair taken from the store is initialised in full by
    // `PairUnwritten::initialise` before it is computed, its window results packed into the
    // store after (`PairWindows::pack`).
    let columns = unsafe { store.assume_written() };
    // Stable: each pair's exclusions keep their order.
    exclusions.sort_by_key(|(i, _)| *i);
    let mut batch = assemble((h, &cfg.windows), shape, exclusions, columns);
    batch.est_len = est_len;
    batch
}

/// What recomputes the residuals of a batch whose store holds none: the series, each pair's
/// job, the model's layout and the estimation window.
#[derive(Debug, Clone)]
struct RefitSource {
    series: Arc<[AlignedSeries]>,
    jobs: Vec<PairJob>,
    layout: Layout,
    estimation: Window,
}

impl RefitSource {
    /// The residuals of pair `i`, fitted by `fit`.
    fn residuals(&self, i: usize, fit: &ModelFit) -> Residuals<'_> {
        let job = self.jobs[i];
        let series = &self.series[job.series];
        Residuals::refit(series, self.layout, fit, job.day0, self.estimation)
    }
}

/// The batch from the written store and the pairs' exclusions, each with its pair's index
/// (in job order).
fn assemble(
    (event_period, event_windows): (Window, &[Window]),
    shape: Shape,
    indexed: Vec<(usize, PairExclusion)>,
    columns: Written,
) -> PairBatch {
    let n = columns.outcomes.len();
    let mut exclusion_offsets = vec![0; n + 1];
    for (i, _) in &indexed {
        exclusion_offsets[i + 1] += 1;
    }
    for i in 0..n {
        exclusion_offsets[i + 1] += exclusion_offsets[i];
    }
    let exclusions = indexed.into_iter().map(|(_, e)| e).collect();
    PairBatch {
        event_period,
        days: shape.days,
        n_windows: shape.windows,
        est_len: shape.est_len,
        outcomes: columns.outcomes,
        est_resid: columns.est_resid,
        refit: None,
        ret: columns.ret,
        expected_ret: columns.expected_ret,
        ar: columns.ar,
        sar: columns.sar,
        ar_se: columns.ar_se,
        ar_p: columns.ar_p,
        span: columns.span,
        event_windows: event_windows.to_vec(),
        windows: columns.windows,
        coefs: columns.coefs,
        exclusions,
        exclusion_offsets,
    }
}

/// The job indices sorted by security (stably: each security's pairs stay in job order),
/// and the parallel tasks as ranges of that order. A task holds whole securities and at
/// least [`CHUNK_PAIRS`] pairs, except that a security with more than [`SPLIT_PAIRS`] pairs
/// is cut into tasks of that many (each builds the security's prefix sums again: O(n), small
/// beside SPLIT_PAIRS fits). Jobs whose series is out of range sort last, as one more
/// security.
fn security_tasks(jobs: &[PairJob], n_series: usize) -> SecurityOrder {
    let key = |job: &PairJob| job.series.min(n_series);
    let mut start = vec![0usize; n_series + 2];
    for job in jobs {
        start[key(job) + 1] += 1;
    }
    for s in 0..=n_series {
        start[s + 1] += start[s];
    }
    let mut next = start.clone();
    let mut order = vec![0usize; jobs.len()];
    for (i, job) in jobs.iter().enumerate() {
        let k = key(job);
        order[next[k]] = i;
        next[k] += 1;
    }
    let mut tasks = Vec::new();
    let mut lo = 0;
    for s in 0..=n_series {
        let (first, end) = (start[s], start[s + 1]);
        if end - first > SPLIT_PAIRS {
            if lo < first {
                tasks.push(lo..first);
            }
            tasks.extend(
                (first..end)
                    .step_by(SPLIT_PAIRS)
                    .map(|a| a..(a + SPLIT_PAIRS).min(end)),
            );
            lo = end;
        } else if end - lo >= CHUNK_PAIRS {
            tasks.push(lo..end);
            lo = end;
        }
    }
    if lo < jobs.len() {
        tasks.push(lo..jobs.len());
    }
    SecurityOrder {
        order,
        start,
        tasks,
    }
}

/// The job indices in security order ([`security_tasks`]).
struct SecurityOrder {
    /// Job indices sorted by security.
    order: Vec<usize>,
    /// Security s's pairs are `order[start[s]..start[s + 1]]`.
    start: Vec<usize>,
    /// The parallel tasks, as ranges of `order`.
    tasks: Vec<Range<usize>>,
}

/// What every task of one batch shares.
struct Task<'a> {
    series_list: &'a [AlignedSeries],
    jobs: &'a [PairJob],
    cfg: &'a EngineConfig,
    route: Route,
    store: &'a SharedStore<'a>,
    missing: &'a [WindowResult],
    /// L, the estimation window's length.
    est_len: usize,
    /// What the store holds of each pair (what it does not is written to scratch buffers).
    shape: Shape,
    start: &'a [usize],
}

impl Task<'_> {
    /// Analyse the pairs `indices` (whole runs of one security each, in job order within a
    /// security) into the store; their exclusions, each with its pair's index.
    fn run(&self, indices: &[usize]) -> Vec<(usize, PairExclusion)> {
        let mut out = Vec::with_capacity(indices.len());
        let mut scratch = Scratch::new(self.shape, self.est_len, self.cfg);
        let mut windows = self.missing.to_vec();
        for run in indices.chunk_by(|a, b| self.jobs[*a].series == self.jobs[*b].series) {
            self.security(run, &mut out, (&mut scratch, &mut windows));
        }
        out
    }

    /// The pairs `run` of one security, with its prefix sums when the route wants them; the
    /// residuals, returns, SARs and p-values go to `scratch` when the store holds none, the
    /// window results to `windows` before they are packed into the store.
    fn security(
        &self,
        run: &[usize],
        out: &mut Vec<(usize, PairExclusion)>,
        (scratch, windows): (&mut Scratch, &mut [WindowResult]),
    ) {
        let s = self.jobs[run[0]].series;
        let series = self.series_list.get(s);
        let prefix = series
            .filter(|ser| self.wants_prefix(ser, self.pairs_of(s)))
            .map(|ser| SecurityPrefix::new(ser, self.cfg));
        let reach = self.cfg.reach(0);
        for (k, &i) in run.iter().enumerate() {
            if let (Some(ser), Some(&ahead)) = (series, run.get(k + PREFETCH_AHEAD)) {
                prefetch_returns(ser, self.jobs[ahead].day0, reach);
            }
            let mut exclusions = Vec::new();
            // SAFETY: the tasks partition the permutation `order`, so pair i is taken once.
            let part = unsafe { self.store.pair(i) };
            // NaN already (`initialise`): a fit writes the residuals of its sample
            let (outcome, est_resid, slot, packed) =
                part.initialise((self.missing, &mut *windows), &mut exclusions);
            let (est_resid, mut slot) = if self.shape.made_days {
                scratch.lend(slot)
            } else {
                (est_resid, slot)
            };
            *outcome = match series {
                None => {
                    slot.clear(self.cfg);
                    Err(unknown_security(s))
                }
                Some(ser) => {
                    let day0 = self.jobs[i].day0;
                    analyse_job(
                        ser,
                        prefix.as_ref(),
                        day0,
                        self.cfg,
                        self.route,
                        est_resid,
                        slot,
                    )
                }
            };
            packed.pack(windows);
            out.extend(exclusions.into_iter().map(|e| (i, e)));
        }
    }

    /// The number of pairs of security `s` (in range) in the whole batch.
    fn pairs_of(&self, s: usize) -> usize {
        self.start[s + 1] - self.start[s]
    }

    /// Whether a security with `m` pairs in the batch gets prefix sums. [`Route::Auto`]: two
    /// routes to the same numbers (tested to 1e-10):
    /// * prefix sums (`SecurityPrefix`, O(n·k²) once per security, then O(1) per fit) pay
    ///   off when a security has many events: m pairs × L estimation days ≥ 3 n sessions
    ///   (building a prefix record costs about three direct accumulations per session,
    ///   measured);
    /// * otherwise each pair sums its estimation-window moments directly (O(L), the same
    ///   order as filling its residuals), which avoids building prefixes that are used only
    ///   a few times.
    fn wants_prefix(&self, series: &AlignedSeries, m: usize) -> bool {
        match self.route {
            Route::Auto => {
                m * self.est_len.max(1) >= PREFIX_COST * series.ret.len().max(1) && m > 1
            }
            Route::Prefix => m > 0,
            Route::Direct | Route::Reference => false,
        }
    }
}

/// A task's buffers for what a pair writes but the store does not hold: the residuals, the
/// returns and the SARs, and for the market model the expected returns, AR standard errors
/// and spans (empty when the store holds them all).
struct Scratch {
    est_resid: Vec<f64>,
    /// Returns, SARs, expected returns, AR standard errors.
    days: [Vec<f64>; 4],
    span: Vec<u32>,
    /// Whether the expected returns, AR standard errors and spans are lent too.
    market: bool,
}

impl Scratch {
    /// Buffers for what a store of `shape` does not hold, for L = `est_len` and the |H| days
    /// of `cfg`.
    fn new(shape: Shape, est_len: usize, cfg: &EngineConfig) -> Self {
        let h = cfg.event_period().len();
        let len = |made: bool| if made { h } else { 0 };
        let (made, market) = (len(shape.made_days), len(shape.made_market));
        Scratch {
            est_resid: vec![f64::NAN; if shape.made_days { est_len } else { 0 }],
            days: [made, made, market, market].map(|n| vec![f64::NAN; n]),
            span: vec![0; market],
            market: shape.made_market,
        }
    }

    /// The residual buffer, and `slot` writing here what the store does not hold (set to
    /// "missing" first, as the store's are). Its p-values are left out (an empty slice): the
    /// event period fills as many as the slot holds, and they are made when read.
    fn lend<'s>(&'s mut self, slot: PairSlot<'s>) -> (&'s mut [f64], PairSlot<'s>) {
        let [ret, sar, expected_ret, ar_se] = &mut self.days;
        for col in [&mut *ret, &mut *sar, &mut *expected_ret, &mut *ar_se] {
            col.fill(f64::NAN);
        }
        self.span.fill(0);
        let slot = if self.market {
            PairSlot {
                expected_ret,
                ar_se,
                span: &mut self.span,
                ..slot
            }
        } else {
            slot
        };
        let slot = PairSlot {
            ret,
            sar,
            ar_p: &mut [],
            ..slot
        };
        (&mut self.est_resid, slot)
    }
}

/// The exclusion of a job whose series index is outside the batch's series list.
fn unknown_security(series: usize) -> PairExclusion {
    PairExclusion {
        stage: Stage::Input,
        reason: ExclusionReason::UnknownSecurity,
        detail: format!("series index {series} out of range"),
        order: 0,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs_of(series: &[usize]) -> Vec<PairJob> {
        series
            .iter()
            .map(|&series| PairJob { series, day0: 0 })
            .collect()
    }

    #[test]
    fn security_tasks_cover_the_jobs_in_security_order() {
        // 3 series: s0 has 200 pairs, s1 has 2,100 (split), s2 has 50; 7 jobs out of range
        let mut series: Vec<usize> = Vec::new();
        for i in 0..2357 {
            series.push(match i % 7 {
                0 if i < 49 => 9,
                0 | 1 if series.iter().filter(|&&s| s == 0).count() < 200 => 0,
                _ if series.iter().filter(|&&s| s == 2).count() < 50 && i % 3 == 0 => 2,
                _ => 1,
            });
        }
        let jobs = jobs_of(&series);
        let count = |s: usize| series.iter().filter(|&&x| x == s).count();
        let n1 = count(1);
        assert!(n1 > 2 * SPLIT_PAIRS, "{n1}");
        let SecurityOrder {
            order,
            start,
            tasks,
        } = security_tasks(&jobs, 3);
        // a permutation, sorted by (security, job index)
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..jobs.len()).collect::<Vec<_>>());
        let key = |i: usize| (series[i].min(3), i);
        assert!(order.windows(2).all(|w| key(w[0]) < key(w[1])));
        assert_eq!(start, vec![0, 200, 200 + n1, 200 + n1 + 50, jobs.len()]);
        // the tasks partition the order; s0 alone is one task (≥ CHUNK_PAIRS), s1 is cut
        // into SPLIT_PAIRS pieces, s2 and the unknown series share the last task
        let expected: Vec<Range<usize>> = [0..200]
            .into_iter()
            .chain(
                (200..200 + n1)
                    .step_by(SPLIT_PAIRS)
                    .map(|a| a..(a + SPLIT_PAIRS).min(200 + n1)),
            )
            .chain([200 + n1..jobs.len()])
            .collect();
        assert_eq!(tasks, expected);
    }

    #[test]
    fn security_tasks_of_no_jobs_are_none() {
        let SecurityOrder { order, tasks, .. } = security_tasks(&[], 4);
        assert!(order.is_empty() && tasks.is_empty());
    }
}
