//! The results of a part of the engine's jobs as a frame, the `engine.parquet` of a
//! partitioned run (`docs/scale.md`), read back bit for bit, and the batch of the whole run
//! assembled from its parts in global job order.
//!
//! One row per pair: `job` (the pair's index in the whole run's job list); the fit
//! (`model_name`, `n_est`, `k`, `df`, `sigma`, `alpha`, `beta`, `r2`, `extra_names`,
//! `extra_values`) or, when the pair was not analysed, its exclusion (`outcome_stage`,
//! `outcome_reason`, `outcome_detail`, `outcome_order`; null for an analysed pair); the L
//! estimation residuals (`est_resid`); the |H| values of each event-period column (`ret`,
//! `expected_ret`, `ar`, `sar`, `ar_se`, `ar_p`, `span`); one list element per event window
//! (`window_start`, `window_end`, `window_complete`, `car`, `car_se`, `car_t`, `car_p`,
//! `scar`, `bhar`, `window_n_days`; null where the value is absent); the pair's engine-stage
//! exclusions (`exclusion_stage`, `exclusion_reason`, `exclusion_detail`,
//! `exclusion_order`). A float travels through Parquet as its 8 bytes, so NaN (a missing
//! return) and null (a value that does not exist) stay apart and every bit is kept.

use std::borrow::Cow;
use std::ops::Range;

use polars::prelude::*;

use super::PairBatch;
use crate::abnormal::{
    EngineConfig, ModelFit, PackedWindow, PairExclusion, WindowResult, WindowResults,
};
use crate::error::{Error, Result};
use crate::tables::Stage;
use crate::vocab::ExclusionReason;

/// The results of some of a run's jobs, with the place of each in the run's job list.
#[derive(Debug, Clone)]
pub(crate) struct BatchPart {
    /// Global job index of each pair of `batch`.
    pub jobs: Vec<usize>,
    /// The pairs' results, in the order of `jobs`.
    pub batch: PairBatch,
}

/// The columns of a batch that its store may not hold, whole (n·L and n·|H| each).
struct MadeColumns<'a> {
    est_resid: Cow<'a, [f64]>,
    ret: Cow<'a, [f64]>,
    expected_ret: Cow<'a, [f64]>,
    sar: Cow<'a, [f64]>,
    ar_se: Cow<'a, [f64]>,
    ar_p: Cow<'a, [f64]>,
    span: Cow<'a, [u32]>,
}

/// Element range of pair `i` in a column of `width` elements per pair.
fn span_of(i: usize, width: usize) -> Range<usize> {
    i * width..(i + 1) * width
}

/// A list column of numbers, one list per pair.
fn number_lists<'a, T: PolarsNumericType>(
    name: &str,
    rows: impl Iterator<Item = &'a [T::Native]>,
    n: usize,
) -> Column {
    let mut b = ListPrimitiveChunkedBuilder::<T>::new(name.into(), n, n, T::get_static_dtype());
    for r in rows {
        b.append_slice(r);
    }
    b.finish().into_column()
}

/// A list column of optional floats, one list per pair.
fn opt_float_lists<'a>(
    name: &str,
    rows: impl Iterator<Item = WindowResults<'a>>,
    n: usize,
    get: impl Fn(&WindowResult) -> Option<f64>,
) -> Column {
    let mut b =
        ListPrimitiveChunkedBuilder::<Float64Type>::new(name.into(), n, n, DataType::Float64);
    for r in rows {
        let results = r.to_vec();
        b.append_iter(results.iter().map(&get));
    }
    b.finish().into_column()
}

/// A list column of texts, one list per pair.
fn text_lists<'a, T: 'a>(
    name: &str,
    rows: impl Iterator<Item = &'a [T]>,
    n: usize,
    get: impl Fn(&'a T) -> &'a str,
) -> Column {
    let mut b = ListStringChunkedBuilder::new(name.into(), n, n);
    for r in rows {
        b.append_values_iter(r.iter().map(&get));
    }
    b.finish().into_column()
}

impl PairBatch {
    /// Every pair's residuals (n·L) and its returns, expected returns, SARs, AR standard
    /// errors, p-values and spans (n·|H| each): the store's columns, or made when the store
    /// holds none (NaN and span 0 for the pairs not analysed, as the store's columns have
    /// them).
    fn made_columns(&self) -> MadeColumns<'_> {
        if self.refit.is_none() {
            return MadeColumns {
                est_resid: Cow::Borrowed(&self.est_resid),
                ret: Cow::Borrowed(&self.ret),
                expected_ret: Cow::Borrowed(&self.expected_ret),
                sar: Cow::Borrowed(&self.sar),
                ar_se: Cow::Borrowed(&self.ar_se),
                ar_p: Cow::Borrowed(&self.ar_p),
                span: Cow::Borrowed(&self.span),
            };
        }
        let (n, l, d) = (self.len(), self.est_len, self.days);
        let mut est_resid = Vec::with_capacity(n * l);
        let mut days: [Vec<f64>; 5] = std::array::from_fn(|_| Vec::with_capacity(n * d));
        let mut span = Vec::with_capacity(n * d);
        for i in 0..n {
            match self.get(i) {
                Ok(v) => {
                    v.est_resid.extend_into(&mut est_resid);
                    let made = [v.ret, v.expected_ret, v.sar, v.ar_se, v.ar_p];
                    for (col, made) in days.iter_mut().zip(made) {
                        made.extend_into(col);
                    }
                    v.span.extend_into(&mut span);
                }
                Err(_) => {
                    est_resid.resize(est_resid.len() + l, f64::NAN);
                    for col in days.iter_mut() {
                        col.resize(col.len() + d, f64::NAN);
                    }
                    span.resize(span.len() + d, 0);
                }
            }
        }
        let [ret, expected_ret, sar, ar_se, ar_p] = days.map(Cow::Owned);
        MadeColumns {
            est_resid: Cow::Owned(est_resid),
            ret,
            expected_ret,
            sar,
            ar_se,
            ar_p,
            span: Cow::Owned(span),
        }
    }

    /// Pair `i`'s outputs as slices of the column store (also for excluded pairs), its
    /// residuals and the columns its store may not hold from `made` (the
    /// [`PairBatch::made_columns`]).
    fn part_of<'a>(&'a self, i: usize, made: &'a MadeColumns) -> PairColumns<'a> {
        let (l, d, w) = (self.est_len, self.days, self.n_windows);
        PairColumns {
            est_resid: &made.est_resid[span_of(i, l)],
            per_day: [
                &made.ret[span_of(i, d)],
                &made.expected_ret[span_of(i, d)],
                &self.ar[span_of(i, d)],
                &made.sar[span_of(i, d)],
                &made.ar_se[span_of(i, d)],
                &made.ar_p[span_of(i, d)],
            ],
            span: &made.span[span_of(i, d)],
            windows: WindowResults::packed(&self.windows[span_of(i, w)], &self.event_windows),
            exclusions: &self.exclusions[self.exclusion_offsets[i]..self.exclusion_offsets[i + 1]],
        }
    }

    /// The columns `job`, the exclusion of a pair not analysed (`outcome_*`) and the fit's
    /// scalars.
    fn outcome_columns(&self, jobs: &[usize]) -> Vec<Column> {
        let fits = || self.outcomes.iter().map(|o| o.as_ref().ok());
        let lost = || self.outcomes.iter().map(|o| o.as_ref().err());
        vec![
            UInt64Chunked::from_iter_values("job".into(), jobs.iter().map(|&j| j as u64))
                .into_column(),
            StringChunked::from_iter_options(
                "outcome_stage".into(),
                lost().map(|e| e.map(|e| e.stage.as_str())),
            )
            .into_column(),
            StringChunked::from_iter_options(
                "outcome_reason".into(),
                lost().map(|e| e.map(|e| e.reason.as_str())),
            )
            .into_column(),
            StringChunked::from_iter_options(
                "outcome_detail".into(),
                lost().map(|e| e.map(|e| e.detail.as_str())),
            )
            .into_column(),
            Int64Chunked::from_iter_options(
                "outcome_order".into(),
                lost().map(|e| e.map(|e| e.order)),
            )
            .into_column(),
            StringChunked::from_iter_options(
                "model_name".into(),
                fits().map(|f| f.map(|f| f.model_name.as_ref())),
            )
            .into_column(),
            UInt64Chunked::from_iter_options(
                "n_est".into(),
                fits().map(|f| f.map(|f| f.n_est as u64)),
            )
            .into_column(),
            UInt64Chunked::from_iter_options("k".into(), fits().map(|f| f.map(|f| f.k as u64)))
                .into_column(),
            UInt64Chunked::from_iter_options("df".into(), fits().map(|f| f.map(|f| f.df as u64)))
                .into_column(),
            Float64Chunked::from_iter_options("sigma".into(), fits().map(|f| f.map(|f| f.sigma)))
                .into_column(),
            Float64Chunked::from_iter_options(
                "alpha".into(),
                fits().map(|f| f.and_then(|f| f.alpha)),
            )
            .into_column(),
            Float64Chunked::from_iter_options(
                "beta".into(),
                fits().map(|f| f.and_then(|f| f.beta)),
            )
            .into_column(),
            Float64Chunked::from_iter_options("r2".into(), fits().map(|f| f.and_then(|f| f.r2)))
                .into_column(),
        ]
    }

    /// The batch as a frame of one row per pair (the columns of the module's documentation);
    /// `jobs[i]` is the global job index of pair `i`.
    ///
    /// # Errors
    /// [`Error::Polars`] naming `file` when the columns cannot be put together.
    pub(crate) fn to_frame(&self, jobs: &[usize], file: &str) -> Result<DataFrame> {
        let n = self.len();
        let made = self.made_columns();
        let parts: Vec<PairColumns> = (0..n).map(|i| self.part_of(i, &made)).collect();
        let fits = || self.outcomes.iter().map(|o| o.as_ref().ok());
        let excl = || parts.iter().map(|p| p.exclusions);
        let mut columns = self.outcome_columns(jobs);
        let no_extras: &[(String, f64)] = &[];
        let extras = || fits().map(|f| f.map_or(no_extras, |f| f.extras.as_slice()));
        columns.push(text_lists("extra_names", extras(), n, |x| x.0.as_str()));
        let values: Vec<Vec<f64>> = extras().map(|x| x.iter().map(|e| e.1).collect()).collect();
        columns.push(number_lists::<Float64Type>(
            "extra_values",
            values.iter().map(Vec::as_slice),
            n,
        ));
        columns.push(number_lists::<Float64Type>(
            "est_resid",
            parts.iter().map(|p| p.est_resid),
            n,
        ));
        for (k, name) in PER_DAY.iter().enumerate() {
            columns.push(number_lists::<Float64Type>(
                name,
                parts.iter().map(|p| p.per_day[k]),
                n,
            ));
        }
        columns.push(number_lists::<UInt32Type>(
            "span",
            parts.iter().map(|p| p.span),
            n,
        ));
        columns.extend(window_columns(&parts, n));
        columns.push(text_lists("exclusion_stage", excl(), n, |e| {
            e.stage.as_str()
        }));
        columns.push(text_lists("exclusion_reason", excl(), n, |e| {
            e.reason.as_str()
        }));
        columns.push(text_lists("exclusion_detail", excl(), n, |e| {
            e.detail.as_str()
        }));
        let orders: Vec<Vec<i64>> = excl()
            .map(|e| e.iter().map(|e| e.order).collect())
            .collect();
        columns.push(number_lists::<Int64Type>(
            "exclusion_order",
            orders.iter().map(Vec::as_slice),
            n,
        ));
        DataFrame::new(n, columns).map_err(|e| polars_error(file, e))
    }

    /// The batch of `parts` of a run of `n` jobs of the engine `cfg` ([`Assembly`] of every
    /// part): pair j of the result is the pair whose global job index is j.
    ///
    /// # Errors
    /// Those of [`Assembly::add`] and [`Assembly::finish`].
    #[cfg(test)]
    fn assemble(parts: &[BatchPart], n: usize, cfg: &EngineConfig) -> Result<PairBatch> {
        let mut assembly = Assembly::new(n, cfg);
        for part in parts {
            assembly.add(part.clone())?;
        }
        assembly.finish()
    }

    /// A batch of no pair, shaped by `cfg`.
    fn empty(cfg: &EngineConfig) -> PairBatch {
        let h = cfg.event_period();
        PairBatch {
            event_period: h,
            days: h.len(),
            n_windows: cfg.windows.len(),
            est_len: cfg.estimation.len(),
            outcomes: Vec::new(),
            est_resid: Vec::new(),
            refit: None,
            ret: Vec::new(),
            expected_ret: Vec::new(),
            ar: Vec::new(),
            sar: Vec::new(),
            ar_se: Vec::new(),
            ar_p: Vec::new(),
            span: Vec::new(),
            event_windows: cfg.windows.clone(),
            windows: Vec::new(),
            coefs: Vec::new(),
            exclusions: Vec::new(),
            exclusion_offsets: vec![0],
        }
    }

    /// The per-day float columns, in the order of [`PER_DAY`].
    fn per_day_mut(&mut self) -> [&mut Vec<f64>; 6] {
        [
            &mut self.ret,
            &mut self.expected_ret,
            &mut self.ar,
            &mut self.sar,
            &mut self.ar_se,
            &mut self.ar_p,
        ]
    }

    /// The pairs of a frame written by [`PairBatch::to_frame`] for the engine `cfg`, read
    /// from `file` (named in errors).
    ///
    /// # Errors
    /// [`Error::File`] naming `file` and the column when a column is missing, of another
    /// type, or of another length than `cfg` gives (a frame of another study).
    pub(crate) fn from_frame(df: &DataFrame, cfg: &EngineConfig, file: &str) -> Result<BatchPart> {
        let r = FrameReader { df, file };
        let n = df.height();
        let mut out = PairBatch::empty(cfg);
        let jobs: Vec<usize> = r
            .required(
                r.scalars("job", |s| s.u64().map(|c| c.iter().collect()))?,
                "job",
            )?
            .into_iter()
            .map(|j| j as usize)
            .collect();
        out.outcomes = read_outcomes(&r)?;
        out.est_resid = r.floats("est_resid", Some(out.est_len))?;
        for (k, col) in out.per_day_mut().into_iter().enumerate() {
            *col = r.floats(PER_DAY[k], Some(cfg.event_period().len()))?;
        }
        let days = Some(out.days);
        let span = r.lists("span", days, |s| s.u32().map(|c| c.iter().collect()))?;
        out.span = r.required(span.values, "span")?;
        out.windows = read_windows(&r, &cfg.windows)?;
        let (exclusions, offsets) = read_exclusions(&r)?;
        out.exclusions = exclusions;
        out.exclusion_offsets = offsets;
        if out.outcomes.len() != n || out.exclusion_offsets.len() != n + 1 {
            return Err(Error::file(file, "the columns have different lengths"));
        }
        Ok(BatchPart { jobs, batch: out })
    }
}

/// The batch of a whole run being assembled from its parts, one part at a time: the large
/// columns of each part are copied to their global places as the part arrives, so that a
/// merge holds the whole batch and one part, not every part at once.
pub(crate) struct Assembly {
    /// The columns in global job order (outcomes and exclusions are placed by `finish`).
    batch: PairBatch,
    /// Part and position in the part of each global job.
    place: Vec<Option<(usize, usize)>>,
    /// The fits and exclusions of each part added.
    kept: Vec<Kept>,
}

/// The small columns of one part, kept until every part has arrived.
struct Kept {
    /// The fits or exclusions, taken in job order by `finish`.
    outcomes: std::vec::IntoIter<std::result::Result<ModelFit, PairExclusion>>,
    exclusions: Vec<PairExclusion>,
    offsets: Vec<usize>,
}

impl Assembly {
    /// An assembly of `n` jobs of the engine `cfg`, every value missing.
    pub fn new(n: usize, cfg: &EngineConfig) -> Assembly {
        let mut batch = PairBatch::empty(cfg);
        let (l, d) = (batch.est_len, batch.days);
        batch.est_resid = vec![f64::NAN; n * l];
        for col in batch.per_day_mut() {
            *col = vec![f64::NAN; n * d];
        }
        batch.span = vec![0; n * d];
        batch.windows = cfg
            .windows
            .iter()
            .map(|w| PackedWindow::pack(&WindowResult::missing(*w)))
            .cycle()
            .take(n * cfg.windows.len())
            .collect();
        Assembly {
            batch,
            place: vec![None; n],
            kept: Vec::new(),
        }
    }

    /// Copies the columns of `part` to the global places of its jobs.
    ///
    /// # Errors
    /// [`Error::Config`] when the part's jobs are not increasing, or a job index is beyond
    /// the run or was given by an earlier part.
    pub fn add(&mut self, part: BatchPart) -> Result<()> {
        if part.jobs.windows(2).any(|j| j[0] >= j[1]) {
            return Err(Error::config(
                "the jobs of a part are not in increasing order",
            ));
        }
        let p = self.kept.len();
        let n = self.place.len();
        let (l, d, w) = (self.batch.est_len, self.batch.days, self.batch.n_windows);
        let src = &part.batch;
        let made = src.made_columns();
        for (i, &j) in part.jobs.iter().enumerate() {
            match self.place.get_mut(j) {
                Some(slot @ None) => *slot = Some((p, i)),
                Some(Some(_)) => return Err(Error::config(format!("job {j} is in two parts"))),
                None => {
                    return Err(Error::config(format!(
                        "job {j} is beyond the run's {n} jobs"
                    )))
                }
            }
            let c = src.part_of(i, &made);
            self.batch.est_resid[span_of(j, l)].copy_from_slice(c.est_resid);
            for (k, col) in self.batch.per_day_mut().into_iter().enumerate() {
                col[span_of(j, d)].copy_from_slice(c.per_day[k]);
            }
            self.batch.span[span_of(j, d)].copy_from_slice(c.span);
            let packed = self.batch.windows[span_of(j, w)].iter_mut();
            packed
                .zip(c.windows.iter())
                .for_each(|(p, r)| *p = PackedWindow::pack(&r));
        }
        let BatchPart { batch, .. } = part;
        self.kept.push(Kept {
            outcomes: batch.outcomes.into_iter(),
            exclusions: batch.exclusions,
            offsets: batch.exclusion_offsets,
        });
        Ok(())
    }

    /// The batch, once every job has arrived.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first job no part held.
    pub fn finish(self) -> Result<PairBatch> {
        let Assembly {
            mut batch,
            place,
            mut kept,
        } = self;
        batch.outcomes.reserve(place.len());
        for (j, at) in place.iter().enumerate() {
            let (p, i) = at.ok_or_else(|| Error::config(format!("job {j} is in no part")))?;
            let part = &mut kept[p];
            // Each part's jobs are increasing, so its outcomes are taken in their order.
            let outcome = part.outcomes.next();
            batch.outcomes.extend(outcome);
            let lost = &part.exclusions[part.offsets[i]..part.offsets[i + 1]];
            batch.exclusions.extend_from_slice(lost);
            batch.exclusion_offsets.push(batch.exclusions.len());
        }
        Ok(batch)
    }
}

/// The names of the per-day float columns.
const PER_DAY: [&str; 6] = ["ret", "expected_ret", "ar", "sar", "ar_se", "ar_p"];

/// One pair's part of every column of the store.
struct PairColumns<'a> {
    est_resid: &'a [f64],
    per_day: [&'a [f64]; 6],
    span: &'a [u32],
    windows: WindowResults<'a>,
    exclusions: &'a [PairExclusion],
}

/// The window columns of the frame.
fn window_columns(parts: &[PairColumns], n: usize) -> Vec<Column> {
    let windows = || parts.iter().map(|p| p.windows);
    let starts: Vec<Vec<i32>> = windows()
        .map(|w| w.iter().map(|w| w.window.start).collect())
        .collect();
    let ends: Vec<Vec<i32>> = windows()
        .map(|w| w.iter().map(|w| w.window.end).collect())
        .collect();
    let days: Vec<Vec<u32>> = windows()
        .map(|w| w.iter().map(|w| w.n_days).collect())
        .collect();
    let mut complete = ListBooleanChunkedBuilder::new("window_complete".into(), n, n);
    for w in windows() {
        complete.append_iter(w.to_vec().iter().map(|w| Some(w.complete)));
    }
    vec![
        number_lists::<Int32Type>("window_start", starts.iter().map(Vec::as_slice), n),
        number_lists::<Int32Type>("window_end", ends.iter().map(Vec::as_slice), n),
        complete.finish().into_column(),
        opt_float_lists("car", windows(), n, |w| w.car),
        opt_float_lists("car_se", windows(), n, |w| w.car_se),
        opt_float_lists("car_t", windows(), n, |w| w.car_t),
        opt_float_lists("car_p", windows(), n, |w| w.car_p),
        opt_float_lists("scar", windows(), n, |w| w.scar),
        opt_float_lists("bhar", windows(), n, |w| w.bhar),
        number_lists::<UInt32Type>("window_n_days", days.iter().map(Vec::as_slice), n),
    ]
}

/// A polars error on `file`.
fn polars_error(file: &str, e: PolarsError) -> Error {
    Error::Polars {
        file: file.to_string(),
        message: e.to_string(),
    }
}

/// The lists of one column: all values in one vector, pair i's at `offsets[i]..offsets[i+1]`.
struct Lists<T> {
    values: Vec<Option<T>>,
    offsets: Vec<usize>,
}

/// Reads the columns of one frame, naming the file and column in errors.
struct FrameReader<'a> {
    df: &'a DataFrame,
    file: &'a str,
}

impl FrameReader<'_> {
    fn bad(&self, column: &str, what: impl std::fmt::Display) -> Error {
        Error::file(self.file, format!("column {column}: {what}"))
    }

    fn series(&self, name: &str) -> Result<&Series> {
        self.df
            .column(name)
            .map(Column::as_materialized_series)
            .map_err(|_| self.bad(name, "missing"))
    }

    /// A column of scalars, typed by `typed`.
    fn scalars<T>(
        &self,
        name: &str,
        typed: impl Fn(&Series) -> PolarsResult<Vec<Option<T>>>,
    ) -> Result<Vec<Option<T>>> {
        typed(self.series(name)?).map_err(|e| self.bad(name, e))
    }

    /// A list column's inner values (the chunk's whole value array), the index of its first
    /// used value, and the list offsets relative to it; with `width`, every list must have it.
    fn list_parts(&self, name: &str, width: Option<usize>) -> Result<(Series, usize, Vec<usize>)> {
        let ca = self.series(name)?.list().map_err(|e| self.bad(name, e))?;
        let ca = ca.rechunk();
        if ca.null_count() > 0 {
            return Err(self.bad(name, "a list is null"));
        }
        if ca.chunks().len() > 1 {
            return Err(self.bad(name, "more than one chunk after rechunk"));
        }
        let raw: Vec<i64> = match ca.downcast_iter().next() {
            Some(arr) => arr.offsets().as_slice().to_vec(),
            None => vec![0],
        };
        let first = raw[0];
        let offsets: Vec<usize> = raw.iter().map(|&x| (x - first) as usize).collect();
        let inner = ca.get_inner();
        let end = *offsets.last().unwrap_or(&0);
        if inner.len() < first as usize + end || offsets.len() != self.df.height() + 1 {
            return Err(self.bad(name, "lists and values disagree"));
        }
        if let Some(w) = width {
            if offsets.windows(2).any(|p| p[1] - p[0] != w) {
                return Err(self.bad(name, format!("a list is not of length {w}")));
            }
        }
        Ok((inner, first as usize, offsets))
    }

    /// A list column, its values typed by `typed`; with `width`, every list must have it.
    fn lists<T>(
        &self,
        name: &str,
        width: Option<usize>,
        typed: impl Fn(&Series) -> PolarsResult<Vec<Option<T>>>,
    ) -> Result<Lists<T>> {
        let (inner, first, offsets) = self.list_parts(name, width)?;
        let end = *offsets.last().unwrap_or(&0);
        let values = typed(&inner.slice(first as i64, end)).map_err(|e| self.bad(name, e))?;
        Ok(Lists { values, offsets })
    }

    /// A list column of floats of `width` per pair, flattened (NaN kept; null refused): one
    /// copy of the contiguous values, the form most of the frame's bytes have.
    fn floats(&self, name: &str, width: Option<usize>) -> Result<Vec<f64>> {
        let (inner, first, offsets) = self.list_parts(name, width)?;
        let end = *offsets.last().unwrap_or(&0);
        let ca = inner
            .f64()
            .map_err(|e| self.bad(name, e))?
            .slice(first as i64, end);
        let ca = ca.rechunk();
        let values = ca
            .cont_slice()
            .map_err(|_| self.bad(name, "a value is null"))?;
        Ok(values.to_vec())
    }

    /// The values, none of which may be null.
    fn required<T>(&self, values: Vec<Option<T>>, name: &str) -> Result<Vec<T>> {
        values
            .into_iter()
            .map(|v| v.ok_or_else(|| self.bad(name, "a value is null")))
            .collect()
    }
}

/// A stage or reason from its output text.
fn parse_stage(r: &FrameReader, text: &str) -> Result<Stage> {
    Stage::ALL
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| r.bad("stage", format!("unknown stage {text}")))
}

fn parse_reason(r: &FrameReader, text: &str) -> Result<ExclusionReason> {
    ExclusionReason::ALL
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| r.bad("reason", format!("unknown reason {text}")))
}

/// The fit or the exclusion of every pair.
fn read_outcomes(r: &FrameReader) -> Result<Vec<std::result::Result<ModelFit, PairExclusion>>> {
    let text = |name: &str| {
        r.scalars(name, |s| {
            s.str()
                .map(|c| c.iter().map(|v| v.map(str::to_string)).collect())
        })
    };
    let float = |name: &str| r.scalars(name, |s| s.f64().map(|c| c.iter().collect()));
    let count = |name: &str| r.scalars(name, |s| s.u64().map(|c| c.iter().collect()));
    let (stage, reason, detail) = (
        text("outcome_stage")?,
        text("outcome_reason")?,
        text("outcome_detail")?,
    );
    let order = r.scalars("outcome_order", |s| s.i64().map(|c| c.iter().collect()))?;
    let model = text("model_name")?;
    let (n_est, k, df) = (count("n_est")?, count("k")?, count("df")?);
    let (sigma, alpha, beta, r2) = (
        float("sigma")?,
        float("alpha")?,
        float("beta")?,
        float("r2")?,
    );
    let names = r.lists("extra_names", None, |s| {
        s.str()
            .map(|c| c.iter().map(|v| v.map(str::to_string)).collect())
    })?;
    let values = r.lists("extra_values", None, |s| {
        s.f64().map(|c| c.iter().collect())
    })?;
    if values.offsets != names.offsets {
        return Err(r.bad("extra_values", "names and values disagree"));
    }
    let mut out = Vec::with_capacity(model.len());
    for i in 0..model.len() {
        if let Some(st) = &stage[i] {
            out.push(Err(PairExclusion {
                stage: parse_stage(r, st)?,
                reason: parse_reason(r, reason[i].as_deref().unwrap_or(""))?,
                detail: detail[i].clone().unwrap_or_default(),
                order: order[i].unwrap_or(0),
            }));
            continue;
        }
        let range = names.offsets[i]..names.offsets[i + 1];
        let extras = range
            .map(|x| match (&names.values[x], values.values.get(x)) {
                (Some(name), Some(Some(v))) => Ok((name.clone(), *v)),
                _ => Err(r.bad("extra_values", "names and values disagree")),
            })
            .collect::<Result<Vec<_>>>()?;
        let need = |v: Option<u64>, name: &str| v.ok_or_else(|| r.bad(name, "null for a fit"));
        out.push(Ok(ModelFit {
            model_name: Cow::Owned(
                model[i]
                    .clone()
                    .ok_or_else(|| r.bad("model_name", "null"))?,
            ),
            n_est: need(n_est[i], "n_est")? as usize,
            k: need(k[i], "k")? as usize,
            df: need(df[i], "df")? as usize,
            sigma: sigma[i].ok_or_else(|| r.bad("sigma", "null for a fit"))?,
            alpha: alpha[i],
            beta: beta[i],
            r2: r2[i],
            extras,
        }));
    }
    Ok(out)
}

/// The window results of every pair, one per window of `windows` (the study's).
///
/// # Errors
/// [`Error::File`] naming the column when a column is missing or of another type, or when
/// a pair's windows are not the study's (a partial result of another study).
fn read_windows(r: &FrameReader, windows: &[super::Window]) -> Result<Vec<PackedWindow>> {
    let w = Some(windows.len());
    let int = |name: &str| r.lists(name, w, |s| s.i32().map(|c| c.iter().collect()));
    let opt = |name: &str| r.lists(name, w, |s| s.f64().map(|c| c.iter().collect()));
    let starts = r.required(int("window_start")?.values, "window_start")?;
    let ends = r.required(int("window_end")?.values, "window_end")?;
    let complete = r.lists("window_complete", w, |s| {
        s.bool().map(|c| c.iter().collect())
    })?;
    let complete = r.required(complete.values, "window_complete")?;
    let days = r.lists("window_n_days", w, |s| s.u32().map(|c| c.iter().collect()))?;
    let days = r.required(days.values, "window_n_days")?;
    let (car, car_se, car_t) = (
        opt("car")?.values,
        opt("car_se")?.values,
        opt("car_t")?.values,
    );
    let (car_p, scar, bhar) = (
        opt("car_p")?.values,
        opt("scar")?.values,
        opt("bhar")?.values,
    );
    (0..starts.len())
        .map(|x| {
            let window = windows[x % windows.len()];
            if (starts[x], ends[x]) != (window.start, window.end) {
                return Err(Error::file(
                    r.file,
                    format!(
                        "window_start/window_end: pair {} has window {}:{} where the study \
                         has {} (a partial result of another study)",
                        x / windows.len(),
                        starts[x],
                        ends[x],
                        window.label()
                    ),
                ));
            }
            Ok(PackedWindow::pack(&WindowResult {
                window,
                complete: complete[x],
                car: car[x],
                car_se: car_se[x],
                car_t: car_t[x],
                car_p: car_p[x],
                scar: scar[x],
                bhar: bhar[x],
                n_days: days[x],
            }))
        })
        .collect()
}

/// The engine-stage exclusions of every pair, with the offsets of each pair's list.
fn read_exclusions(r: &FrameReader) -> Result<(Vec<PairExclusion>, Vec<usize>)> {
    let text = |name: &str| {
        r.lists(name, None, |s| {
            s.str()
                .map(|c| c.iter().map(|v| v.map(str::to_string)).collect())
        })
    };
    let stage = text("exclusion_stage")?;
    let reason = r.required(text("exclusion_reason")?.values, "exclusion_reason")?;
    let detail = r.required(text("exclusion_detail")?.values, "exclusion_detail")?;
    let order = r.lists("exclusion_order", None, |s| {
        s.i64().map(|c| c.iter().collect())
    })?;
    let order = r.required(order.values, "exclusion_order")?;
    let stages = r.required(stage.values, "exclusion_stage")?;
    if [reason.len(), detail.len(), order.len()]
        .iter()
        .any(|&l| l != stages.len())
    {
        return Err(r.bad("exclusion_stage", "the exclusion lists disagree"));
    }
    let list = (0..stages.len())
        .map(|x| {
            Ok(PairExclusion {
                stage: parse_stage(r, &stages[x])?,
                reason: parse_reason(r, &reason[x])?,
                detail: detail[x].clone(),
                order: order[x],
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((list, stage.offsets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abnormal::{Engine, PairJob, Window};
    use crate::model::ModelKind;
    use crate::returns::{AlignedSeries, ReturnKind};

    fn config() -> EngineConfig {
        EngineConfig {
            model: ModelKind::MarketModel,
            returns: ReturnKind::Simple,
            estimation: Window { start: -8, end: -2 },
            windows: vec![Window { start: -1, end: 1 }, Window { start: 0, end: 2 }],
            min_estimation_returns: 5,
            dimson_lags: 1,
            trade_to_trade: false,
        }
    }

    /// Two securities of 30 sessions; the second has missing returns around its events.
    fn series() -> Vec<AlignedSeries> {
        let bench: Vec<f64> = (0..30)
            .map(|t| 0.01 * ((t * 7 % 11) as f64 - 5.0))
            .collect();
        let ret = |shift: usize| -> Vec<f64> {
            (0..30)
                .map(|t| 0.8 * bench[t] + 0.002 * ((t * 13 + shift) % 7) as f64 - 0.006)
                .collect()
        };
        let mut b = ret(3);
        for t in [12, 21, 22] {
            b[t] = f64::NAN;
        }
        [ret(0), b]
            .into_iter()
            .map(|ret| AlignedSeries {
                ret,
                bench: bench.clone().into(),
                span: vec![1; 30],
                ..Default::default()
            })
            .collect()
    }

    /// Jobs with fits, a missing event-day return, an incomplete window, too few estimation
    /// returns (day 0 too early) and an unknown security.
    fn jobs() -> Vec<PairJob> {
        [(0, 12), (1, 22), (0, 20), (1, 4), (5, 12), (1, 14), (0, 28)]
            .into_iter()
            .map(|(series, day0)| PairJob { series, day0 })
            .collect()
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    fn opt_bits(v: Option<f64>) -> Option<u64> {
        v.map(f64::to_bits)
    }

    /// Every field of the two batches equal, floats bit for bit.
    fn assert_same(a: &PairBatch, b: &PairBatch) {
        assert_eq!(a.event_period, b.event_period);
        assert_eq!(
            (a.days, a.n_windows, a.est_len),
            (b.days, b.n_windows, b.est_len)
        );
        assert_eq!(a.outcomes.len(), b.outcomes.len());
        for (x, y) in a.outcomes.iter().zip(&b.outcomes) {
            match (x, y) {
                (Ok(f), Ok(g)) => {
                    assert_eq!(f.model_name, g.model_name);
                    assert_eq!((f.n_est, f.k, f.df), (g.n_est, g.k, g.df));
                    assert_eq!(f.sigma.to_bits(), g.sigma.to_bits());
                    assert_eq!(opt_bits(f.alpha), opt_bits(g.alpha));
                    assert_eq!(opt_bits(f.beta), opt_bits(g.beta));
                    assert_eq!(opt_bits(f.r2), opt_bits(g.r2));
                    assert_eq!(f.extras.len(), g.extras.len());
                    for (e, h) in f.extras.iter().zip(&g.extras) {
                        assert_eq!((&e.0, e.1.to_bits()), (&h.0, h.1.to_bits()));
                    }
                }
                (Err(e), Err(h)) => assert_eq!(e, h),
                _ => panic!("fit and exclusion differ: {x:?} / {y:?}"),
            }
        }
        assert_eq!(bits(&a.est_resid), bits(&b.est_resid));
        for (x, y) in [
            (&a.ret, &b.ret),
            (&a.expected_ret, &b.expected_ret),
            (&a.ar, &b.ar),
            (&a.sar, &b.sar),
            (&a.ar_se, &b.ar_se),
            (&a.ar_p, &b.ar_p),
        ] {
            assert_eq!(bits(x), bits(y));
        }
        assert_eq!(a.span, b.span);
        assert_eq!(a.windows.len(), b.windows.len());
        for (v, w) in unpacked(a).iter().zip(&unpacked(b)) {
            assert_eq!(
                (v.window, v.complete, v.n_days),
                (w.window, w.complete, w.n_days)
            );
            for (p, q) in [
                (v.car, w.car),
                (v.car_se, w.car_se),
                (v.car_t, w.car_t),
                (v.car_p, w.car_p),
                (v.scar, w.scar),
                (v.bhar, w.bhar),
            ] {
                assert_eq!(opt_bits(p), opt_bits(q));
            }
        }
        assert_eq!(a.exclusions, b.exclusions);
        assert_eq!(a.exclusion_offsets, b.exclusion_offsets);
    }

    /// The window results of every pair of `batch`, unpacked.
    fn unpacked(batch: &PairBatch) -> Vec<WindowResult> {
        let windows = batch.event_windows.iter().cycle();
        batch
            .windows
            .iter()
            .zip(windows)
            .map(|(p, w)| p.unpack(*w))
            .collect()
    }

    /// The frame through Parquet bytes and back.
    fn round_trip(batch: &PairBatch, jobs: &[usize], cfg: &EngineConfig) -> BatchPart {
        let df = batch.to_frame(jobs, "engine.parquet").unwrap();
        let bytes = crate::output::parquet_bytes("engine", &df).unwrap();
        let back = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        PairBatch::from_frame(&back, cfg, "engine.parquet").unwrap()
    }

    #[test]
    fn a_batch_survives_parquet_bit_for_bit() {
        let cfg = config();
        let mut batch = Engine::new(&cfg).analyse_batch(&series(), &jobs());
        let reasons: Vec<&str> = (0..batch.len())
            .filter_map(|i| batch.get(i).err().map(|e| e.reason.as_str()))
            .collect();
        assert_eq!(reasons, ["too_few_estimation_returns", "unknown_security"]);
        assert!(batch
            .exclusions
            .iter()
            .any(|e| e.reason == "missing_return"));
        assert!(
            unpacked(&batch).iter().any(|w| w.car.is_none()) && batch.ar.iter().any(|x| x.is_nan())
        );
        // What the engine does not make here: extra coefficients, no alpha, a NaN with a
        // payload, a negative zero.
        if let Ok(fit) = &mut batch.outcomes[0] {
            fit.extras = vec![
                ("b_smb".into(), -0.0),
                ("b_hml".into(), f64::from_bits(0x7ff8_0000_0000_0001)),
            ];
            fit.alpha = None;
        }
        batch.ret[1] = f64::from_bits(0xfff8_0000_0000_0002);
        let jobs: Vec<usize> = (0..batch.len()).map(|i| 3 * i + 1).collect();
        let back = round_trip(&batch, &jobs, &cfg);
        assert_eq!(back.jobs, jobs);
        assert_same(&batch, &back.batch);
    }

    #[test]
    fn parts_of_the_jobs_assemble_into_the_batch_of_all() {
        let (cfg, series, jobs) = (config(), series(), jobs());
        let engine = Engine::new(&cfg);
        let whole = engine.analyse_batch(&series, &jobs);
        // The jobs dealt to three parts, interleaved, one part empty.
        let deal = [vec![0, 3, 5], vec![], vec![1, 2, 4, 6]];
        let parts: Vec<BatchPart> = deal
            .iter()
            .map(|idx| {
                let sub: Vec<PairJob> = idx.iter().map(|&j| jobs[j]).collect();
                round_trip(&engine.analyse_batch(&series, &sub), idx, &cfg)
            })
            .collect();
        let merged = PairBatch::assemble(&parts, jobs.len(), &cfg).unwrap();
        assert_same(&whole, &merged);
        let missing = PairBatch::assemble(&parts[..2], jobs.len(), &cfg).unwrap_err();
        assert!(
            missing.to_string().contains("job 1 is in no part"),
            "{missing}"
        );
        let twice = [parts[0].clone(), parts[0].clone()];
        let e = PairBatch::assemble(&twice, jobs.len(), &cfg).unwrap_err();
        assert!(e.to_string().contains("job 0 is in two parts"), "{e}");
    }

    #[test]
    fn a_shared_batch_makes_the_frame_of_the_held_batch() {
        let (cfg, series, jobs) = (config(), series(), jobs());
        let engine = Engine::new(&cfg);
        let held = engine.analyse_batch(&series, &jobs);
        let shared = engine.analyse_batch_shared(&series.into(), &jobs);
        // residuals, returns, SARs and p-values made when read
        assert!(shared.refit.is_some() && shared.sar.is_empty() && shared.est_resid.is_empty());
        let idx: Vec<usize> = (0..jobs.len()).collect();
        assert_same(&held, &round_trip(&shared, &idx, &cfg).batch);
    }

    #[test]
    fn a_frame_of_another_shape_is_refused() {
        let cfg = config();
        let batch = Engine::new(&cfg).analyse_batch(&series(), &jobs());
        let df = batch
            .to_frame(&[0, 1, 2, 3, 4, 5, 6], "p/engine.parquet")
            .unwrap();
        let mut other = cfg.clone();
        other.estimation = Window { start: -9, end: -2 };
        let e = PairBatch::from_frame(&df, &other, "p/engine.parquet").unwrap_err();
        assert!(
            e.to_string().contains("p/engine.parquet") && e.to_string().contains("est_resid"),
            "{e}"
        );
        // as many windows, not the same ones
        let mut moved = cfg.clone();
        moved.windows[1] = Window { start: -1, end: 2 };
        assert_eq!(moved.event_period(), cfg.event_period());
        let e = PairBatch::from_frame(&df, &moved, "p/engine.parquet").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("p/engine.parquet") && text.contains("another study"),
            "{text}"
        );
    }
}
