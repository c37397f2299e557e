//! Engine results and exclusions → table rows.

use super::pairs::Pair;
use super::universe::Universe;
use crate::abnormal::{DayColumn, PairBatch, PairExclusion, PairView, Window};
use crate::calendar::{EventRecord, SessionCalendar};
use crate::tables::{
    AbnormalReturnRow, CarRow, ExclusionRow, Label, ModelFitRow, Stage, StudyTables,
};
use crate::vocab::ExclusionReason;
use chrono::NaiveDate;
use rayon::prelude::*;

/// An input-stage exclusion (§11).
pub(crate) fn input_exclusion(
    security: &str,
    event_id: &str,
    reason: ExclusionReason,
    detail: String,
) -> ExclusionRow {
    ExclusionRow {
        event_id: event_id.to_string(),
        security: security.to_string(),
        stage: Stage::Input,
        reason,
        detail,
        order: 0,
    }
}

/// The exclusion row of an engine exclusion.
pub(crate) fn pair_exclusion(event_id: &str, security: &str, e: &PairExclusion) -> ExclusionRow {
    ExclusionRow {
        event_id: event_id.to_string(),
        security: security.to_string(),
        stage: e.stage,
        reason: e.reason,
        detail: e.detail.clone(),
        order: e.order,
    }
}

/// The rows of every analysed pair, in pair order, built in parallel.
///
/// The tables are sized once: a growing table of 10⁶ rows would hold its old and new buffers
/// at once (twice the final size in memory, all of it fresh pages). The same-date portfolios
/// add their rows later: each is a cluster of ≥ 2 pairs of one primary label, and a pair has
/// one primary label, so there are at most half as many as pairs (capacity that is never
/// written takes no memory). Row j of a table is computed from its pair and position alone
/// and written in place (`par_extend` of an indexed iterator), so the order is the pair order
/// at any thread count.
pub(crate) fn push_all_pair_rows(
    tables: &mut StudyTables,
    a: &AnalysedPairs,
    made: MadeTables,
) -> Vec<ArBlock> {
    if made.abnormal_returns == AbnormalReturnRows::Made && made.cars_and_model_fits {
        return made_blocks(tables, a);
    }
    let (universe, batch) = (a.universe, a.batch);
    let analysed: Vec<(&Pair, usize, PairView)> = a
        .pairs
        .iter()
        .filter_map(|p| {
            let slot = p.result?;
            batch.get(slot).ok().map(|res| (p, slot, res))
        })
        .collect();
    let sources: Vec<(usize, usize, PairRows)> = analysed
        .into_par_iter()
        .map(|(p, slot, res)| {
            let day0 = p.day0.map(|d| d.index).unwrap_or(0);
            let dates = universe.calendar(p.sec).dates();
            let ev = &a.events[p.event].event_id;
            let rows = PairRows::new(ev, &p.security, &p.group, res, dates, day0);
            (slot, p.sec, rows)
        })
        .collect();
    let with_portfolios = sources.len() + sources.len() / 2;
    let (hl, n, nw) = (a.event_period.len(), sources.len(), a.n_windows);
    if !made.cars_and_model_fits {
        tables.cars.reserve(with_portfolios * nw);
        tables.model_fits.reserve(with_portfolios);
    }
    let blocks = match made.abnormal_returns {
        AbnormalReturnRows::Held => {
            tables.abnormal_returns.reserve(with_portfolios * hl);
            let ar_rows = |j: usize| sources[j / hl].2.ar_row(j % hl);
            let all = (0..n * hl).into_par_iter().map(ar_rows);
            tables.abnormal_returns.par_extend(all);
            Vec::new()
        }
        AbnormalReturnRows::Made => sources
            .iter()
            .map(|(slot, sec, rows)| ArBlock {
                slot: *slot,
                day0: rows.day0,
                dates: std::sync::Arc::clone(&universe.series[*sec].dates),
                ids: rows.ids.clone(),
            })
            .collect(),
    };
    if !made.cars_and_model_fits {
        let car_rows = |j: usize| sources[j / nw].2.car_row(j % nw);
        tables
            .cars
            .par_extend((0..n * nw).into_par_iter().map(car_rows));
        tables
            .model_fits
            .par_extend(sources.par_iter().map(|(_, _, r)| r.fit_row()));
    }
    for (_, _, src) in &sources {
        src.push_exclusions(tables);
    }
    blocks
}

/// The blocks of the analysed pairs when all their rows are made when written, and their
/// window-level exclusions (the only rows pushed), in pair order.
fn made_blocks(tables: &mut StudyTables, a: &AnalysedPairs) -> Vec<ArBlock> {
    let (universe, batch) = (a.universe, a.batch);
    let analysed: Vec<(&Pair, usize)> = a
        .pairs
        .iter()
        .filter_map(|p| {
            p.result
                .filter(|&slot| batch.get(slot).is_ok())
                .map(|s| (p, s))
        })
        .collect();
    let blocks: Vec<ArBlock> = analysed
        .par_iter()
        .map(|&(p, slot)| ArBlock {
            slot,
            day0: p.day0.map(|d| d.index).unwrap_or(0),
            dates: std::sync::Arc::clone(&universe.series[p.sec].dates),
            ids: PairLabels::shared(&a.event_labels[p.event], &p.security, &p.group),
        })
        .collect();
    for b in &blocks {
        if let Ok(res) = batch.get(b.slot) {
            let rows = res.exclusions.iter();
            let rows = rows.map(|e| pair_exclusion(&b.ids.event_id, &b.ids.security, e));
            tables.exclusions.extend(rows);
        }
    }
    blocks
}

/// Whether the `abnormal_returns` rows of the pairs are held in the tables or made from the
/// engine's batch when they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbnormalReturnRows {
    /// Held in [`StudyTables::abnormal_returns`] (every library call).
    Held,
    /// Made a range at a time when written ([`StudyTables::abnormal_returns_made`]): the
    /// command line's runs, whose tables are written and dropped.
    Made,
}

/// Which per-pair tables are made when written rather than held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MadeTables {
    /// `abnormal_returns`.
    pub abnormal_returns: AbnormalReturnRows,
    /// `cars` and `model_fits` (only with `abnormal_returns` made): the pairs' rows are then
    /// not pushed.
    pub cars_and_model_fits: bool,
}

/// What the pair rows are made of: the analysed pairs and the engine's results.
pub(crate) struct AnalysedPairs<'a> {
    pub pairs: &'a [Pair],
    pub events: &'a [EventRecord],
    /// The label of each event's id (`events` order).
    pub event_labels: &'a [Label],
    pub universe: &'a Universe,
    pub batch: &'a PairBatch,
    pub event_period: Window,
    pub n_windows: usize,
}

/// The `abnormal_returns` rows of one analysed pair, to be made from the batch: its slot, day
/// 0, calendar dates and labels.
#[derive(Debug)]
pub(crate) struct ArBlock {
    pub slot: usize,
    pub day0: usize,
    pub dates: std::sync::Arc<[NaiveDate]>,
    pub ids: PairLabels,
}

/// The abnormal-return, CAR and model-fit rows of one analysed pair (or portfolio), and its
/// window-level exclusions.
pub(crate) fn push_pair_rows(
    tables: &mut StudyTables,
    event_id: &str,
    security: &str,
    group: &str,
    res: PairView,
    cal: &SessionCalendar,
    day0: usize,
) {
    let src = PairRows::new(event_id, security, group, res, cal.dates(), day0);
    tables
        .abnormal_returns
        .extend((0..res.ar.len()).map(|k| src.ar_row(k)));
    tables
        .cars
        .extend((0..res.windows.len()).map(|w| src.car_row(w)));
    tables.model_fits.push(src.fit_row());
    src.push_exclusions(tables);
}

/// What the rows of one analysed pair (or portfolio) are made of.
struct PairRows<'a> {
    /// Labels shared by the pair's rows (one allocation each).
    ids: PairLabels,
    res: PairView<'a>,
    dates: &'a [NaiveDate],
    day0: usize,
}

impl<'a> PairRows<'a> {
    fn new(
        event_id: &str,
        security: &str,
        group: &str,
        res: PairView<'a>,
        dates: &'a [NaiveDate],
        day0: usize,
    ) -> Self {
        PairRows {
            ids: PairLabels::new(event_id, security, group),
            res,
            dates,
            day0,
        }
    }

    /// The `abnormal_returns` row of the k-th day of the event period.
    fn ar_row(&self, k: usize) -> AbnormalReturnRow {
        ar_row(&self.ids, &self.res, self.dates, self.day0, k)
    }

    /// The `cars` row of the w-th window.
    fn car_row(&self, w: usize) -> CarRow {
        car_row(&self.ids, &self.res, w)
    }

    /// The `model_fits` row.
    fn fit_row(&self) -> ModelFitRow {
        fit_row(&self.ids, &self.res)
    }

    /// The pair's window-level exclusions, appended to `exclusions`.
    fn push_exclusions(&self, tables: &mut StudyTables) {
        for e in self.res.exclusions {
            let row = pair_exclusion(&self.ids.event_id, &self.ids.security, e);
            tables.exclusions.push(row);
        }
    }
}

/// The `cars` row of the w-th window of a pair (or portfolio) with results `res`.
pub(crate) fn car_row(ids: &PairLabels, res: &PairView, w: usize) -> CarRow {
    let r = res
        .windows
        .get(w)
        .expect("one result per configured window");
    CarRow {
        event_id: ids.event_id.clone(),
        security: ids.security.clone(),
        group: ids.group.clone(),
        window: r.window.label(),
        car: r.car,
        car_se: r.car_se,
        car_t: r.car_t,
        car_p: r.car_p,
        scar: r.scar,
        bhar: r.bhar,
        n_days: r.n_days,
        extras: Vec::new(),
    }
}

/// The `model_fits` row of a pair (or portfolio) with results `res`.
pub(crate) fn fit_row(ids: &PairLabels, res: &PairView) -> ModelFitRow {
    let f = &res.fit;
    ModelFitRow {
        event_id: ids.event_id.clone(),
        security: ids.security.clone(),
        group: ids.group.clone(),
        model: f.model_name.to_string(),
        n_est: f.n_est as u32,
        df: f.df as u32,
        sigma: opt(f.sigma),
        alpha: f.alpha,
        beta: f.beta,
        r2: f.r2,
        extras: f.extras.iter().map(|(n, v)| (n.clone(), opt(*v))).collect(),
    }
}

/// The `abnormal_returns` row of the k-th day of the event period of a pair (or portfolio)
/// with results `res`, day 0 at position `day0` of the calendar `dates`.
pub(crate) fn ar_row(
    ids: &PairLabels,
    res: &PairView,
    dates: &[NaiveDate],
    day0: usize,
    k: usize,
) -> AbnormalReturnRow {
    let v = ArValues::of(res, dates, day0, k);
    AbnormalReturnRow {
        event_id: ids.event_id.clone(),
        security: ids.security.clone(),
        group: ids.group.clone(),
        rel_day: v.rel_day,
        date: v.date,
        ret: opt(v.ret),
        expected_ret: opt(v.expected_ret),
        ar: opt(v.ar),
        sar: opt(v.sar),
        ar_se: opt(v.ar_se),
        ar_p: opt(v.ar_p),
        span: v.span,
    }
}

/// The cells of an `abnormal_returns` row after its labels; a value that is not finite is
/// missing (null in the table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ArValues {
    pub rel_day: i32,
    pub date: Option<NaiveDate>,
    pub ret: f64,
    pub expected_ret: f64,
    pub ar: f64,
    pub sar: f64,
    pub ar_se: f64,
    pub ar_p: f64,
    pub span: Option<u32>,
}

impl ArValues {
    /// The k-th day of the event period of `res`, day 0 at position `day0` of `dates`: the
    /// session date (none outside the calendar), the values, and d_t when the AR is finite.
    pub fn of(res: &PairView, dates: &[NaiveDate], day0: usize, k: usize) -> ArValues {
        let cell = |c: DayColumn| c.get(k).unwrap_or(f64::NAN);
        let cells = [
            cell(res.ret),
            cell(res.expected_ret),
            res.ar[k],
            cell(res.sar),
            cell(res.ar_se),
            cell(res.ar_p),
        ];
        let span = res.span.get(k).unwrap_or(0);
        ArValues::from_cells(res.event_period, dates, day0, k, cells, span)
    }

    /// [`ArValues::of`] from the day's cells (ret, expected_ret, ar, sar, ar_se, ar_p) and
    /// span, read from the pair's columns beforehand (all days at once), for the event
    /// period `h`.
    pub fn from_cells(
        h: Window,
        dates: &[NaiveDate],
        day0: usize,
        k: usize,
        [ret, expected_ret, ar, sar, ar_se, ar_p]: [f64; 6],
        span: u32,
    ) -> ArValues {
        let t = h.start + k as i32;
        ArValues {
            rel_day: t,
            date: position(day0, t).and_then(|j| dates.get(j).copied()),
            ret,
            expected_ret,
            ar,
            sar,
            ar_se,
            ar_p,
            span: ar.is_finite().then_some(span),
        }
    }

    /// The cells of a held row.
    pub fn of_row(r: &AbnormalReturnRow) -> ArValues {
        let nan = |x: Option<f64>| x.unwrap_or(f64::NAN);
        ArValues {
            rel_day: r.rel_day,
            date: r.date,
            ret: nan(r.ret),
            expected_ret: nan(r.expected_ret),
            ar: nan(r.ar),
            sar: nan(r.sar),
            ar_se: nan(r.ar_se),
            ar_p: nan(r.ar_p),
            span: r.span,
        }
    }
}

/// The identifying labels of one pair's rows.
#[derive(Debug, Clone)]
pub(crate) struct PairLabels {
    pub event_id: Label,
    pub security: Label,
    pub group: Label,
}

impl PairLabels {
    /// One label each (one allocation each, shared by the pair's rows).
    pub fn new(event_id: &str, security: &str, group: &str) -> Self {
        PairLabels {
            event_id: Label::from(event_id),
            security: Label::from(security),
            group: Label::from(group),
        }
    }

    /// The labels themselves, shared with every other row that names them (no allocation).
    pub fn shared(event_id: &Label, security: &Label, group: &Label) -> Self {
        PairLabels {
            event_id: event_id.clone(),
            security: security.clone(),
            group: group.clone(),
        }
    }
}

/// Position day0 + t, if it is ≥ 0.
pub(crate) fn position(day0: usize, t: i32) -> Option<usize> {
    let j = day0 as i64 + t as i64;
    if j >= 0 {
        Some(j as usize)
    } else {
        None
    }
}

/// A finite value, or `None` (an empty cell).
fn opt(x: f64) -> Option<f64> {
    if x.is_finite() {
        Some(x)
    } else {
        None
    }
}
