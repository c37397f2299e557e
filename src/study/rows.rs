//! Engine results and exclusions → table rows.

use super::pairs::Pair;
use super::universe::Universe;
use crate::abnormal::{PairBatch, PairExclusion, PairView, Window};
use crate::calendar::{EventRecord, SessionCalendar};
use crate::tables::{
    AbnormalReturnRow, CarRow, ExclusionRow, Label, ModelFitRow, Stage, StudyTables,
};
use crate::vocab::ExclusionReason;

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

/// The rows of every analysed pair, in pair order.
///
/// The tables are sized once: a growing table of 10⁶ rows would hold its old and new buffers
/// at once (twice the final size in memory, all of it fresh pages). The same-date portfolios
/// add their rows later: each is a cluster of ≥ 2 pairs of one primary label, and a pair has
/// one primary label, so there are at most half as many as pairs (capacity that is never
/// written takes no memory).
pub(crate) fn push_all_pair_rows(
    tables: &mut StudyTables,
    pairs: &[Pair],
    events: &[EventRecord],
    universe: &Universe,
    batch: &PairBatch,
    event_period: Window,
    n_windows: usize,
) {
    let analysed = pairs.iter().filter(|p| p.result.is_some()).count();
    let with_portfolios = analysed + analysed / 2;
    tables
        .abnormal_returns
        .reserve(with_portfolios * event_period.len());
    tables.cars.reserve(with_portfolios * n_windows);
    tables.model_fits.reserve(with_portfolios);
    for p in pairs {
        let Some(Ok(res)) = p.result.map(|slot| batch.get(slot)) else {
            continue;
        };
        let ev_id = &events[p.event].event_id;
        let cal = universe.calendar(p.sec);
        let day0 = p.day0.map(|d| d.index).unwrap_or(0);
        push_pair_rows(tables, ev_id, &p.security, &p.group, res, cal, day0);
    }
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
    // One allocation per label and pair, shared by the pair's rows.
    let ids = PairLabels {
        event_id: Label::from(event_id),
        security: Label::from(security),
        group: Label::from(group),
    };
    let h: Window = res.event_period;
    for (k, t) in (h.start..=h.end).enumerate() {
        let ar = res.ar[k];
        tables.abnormal_returns.push(AbnormalReturnRow {
            event_id: ids.event_id.clone(),
            security: ids.security.clone(),
            group: ids.group.clone(),
            rel_day: t,
            date: position(day0, t).and_then(|j| cal.date(j)),
            ret: opt(res.ret[k]),
            expected_ret: opt(res.expected_ret[k]),
            ar: opt(ar),
            sar: opt(res.sar[k]),
            ar_se: opt(res.ar_se[k]),
            ar_p: opt(res.ar_p[k]),
            span: if ar.is_finite() {
                Some(res.span[k])
            } else {
                None
            },
        });
    }
    for w in res.windows {
        tables.cars.push(CarRow {
            event_id: ids.event_id.clone(),
            security: ids.security.clone(),
            group: ids.group.clone(),
            window: w.window.label(),
            car: w.car,
            car_se: w.car_se,
            car_t: w.car_t,
            car_p: w.car_p,
            scar: w.scar,
            bhar: w.bhar,
            n_days: w.n_days,
            extras: Vec::new(),
        });
    }
    push_fit_row(tables, &ids, &res);
    for e in res.exclusions {
        tables
            .exclusions
            .push(pair_exclusion(event_id, security, e));
    }
}

fn push_fit_row(tables: &mut StudyTables, ids: &PairLabels, res: &PairView) {
    let f = &res.fit;
    tables.model_fits.push(ModelFitRow {
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
    });
}

/// The identifying labels of one pair's rows.
struct PairLabels {
    event_id: Label,
    security: Label,
    group: Label,
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
