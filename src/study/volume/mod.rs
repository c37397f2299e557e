//! The abnormal-volume study (`[volume]`, methodology §5.6): the study's pairs analysed once
//! more with log volume in place of returns, by the same engine and test battery, so that AV,
//! CAV, AAV, CAAV, the cross-sectional t and the rank tests follow the return study's
//! conventions exactly (same calendars, day 0, estimation window and groups).

mod rows;
mod series;

pub use series::log_volume;

use super::battery::{test_group, BatteryInputs, EstimationDates};
use super::compute::analyse_all;
use super::groups::label_pairs;
use super::pairs::Pair;
use super::plan::RunPlan;
use super::securities::SecurityTable;
use super::universe::Universe;
use crate::abnormal::{EngineConfig, PairBatch};
use crate::calendar::EventRecord;
use crate::design::{VolumeDesign, VolumeModel};
use crate::error::Result;
use crate::model::ModelKind;
use crate::stats::StatsConfig;
use crate::tables::{ExclusionRow, VolumeTables};
use crate::vocab::{ExclusionReason, Stage};
use rows::{push_group_rows, push_pair_rows};
use series::{read_volumes, volume_series};

/// What the volume study reads from the return study.
pub(crate) struct VolumeInputs<'a> {
    /// The run's settings.
    pub plan: &'a RunPlan,
    /// The `[volume]` setting.
    pub design: &'a VolumeDesign,
    /// Every pair of the run, with its day 0.
    pub pairs: &'a [Pair],
    /// The events the pairs index.
    pub events: &'a [EventRecord],
    /// Exchanges and groups of the securities.
    pub securities: &'a SecurityTable,
}

/// The engine settings of the volume study: the return study's estimation window and sample
/// rule, the volume model and windows, daily series.
fn engine_config(plan: &RunPlan, design: &VolumeDesign) -> EngineConfig {
    EngineConfig {
        model: match design.model {
            VolumeModel::MeanAdjusted => ModelKind::ConstantMean,
            VolumeModel::MarketModel => ModelKind::MarketModel,
        },
        windows: design.windows.clone(),
        trade_to_trade: false,
        ..plan.engine.clone()
    }
}

/// The test settings of the volume study.
fn stats_config(plan: &RunPlan, design: &VolumeDesign) -> StatsConfig {
    StatsConfig {
        windows: design.windows.clone(),
        trade_to_trade: false,
        ..plan.stats.clone()
    }
}

/// Run the volume study on the universe of the return study. The universe's series are
/// swapped for the log-volume series for the time of the analysis and put back after.
/// Securities without volume get a `no_volume` exclusion; the engine's exclusions of the
/// volume pairs are added with the detail prefixed by `abnormal volume:`.
///
/// # Errors
/// The price readers' errors on the volume columns.
pub(crate) fn volume_study(
    inputs: &VolumeInputs,
    universe: &mut Universe,
    exclusions: &mut Vec<ExclusionRow>,
) -> Result<VolumeTables> {
    let (plan, design) = (inputs.plan, inputs.design);
    let prefer = plan.sources.prefer.as_deref();
    let panel = read_volumes(&plan.sources.prices, prefer, design.col.as_deref())?;
    let benchmark_of = |t: &str| inputs.securities.benchmark_of(t);
    let volume = volume_series(&panel, universe, design, benchmark_of);
    drop(panel);
    no_volume_rows(inputs.pairs, &volume.has_volume, design, exclusions);
    let mut pairs: Vec<Pair> = inputs
        .pairs
        .iter()
        .map(|p| Pair {
            event: p.event,
            security: p.security.clone(),
            group: p.group.clone(),
            sec: p.sec,
            day0: p.day0.filter(|_| volume.has_volume[p.sec]),
            result: None,
        })
        .collect();
    let returns = std::mem::replace(&mut universe.series, volume.series.into());
    let mut lost = Vec::new();
    let engine = engine_config(plan, design);
    let batch = analyse_all(&mut pairs, inputs.events, universe, &engine, &mut lost);
    let mut out = VolumeTables::default();
    push_all_rows(&mut out, &pairs, inputs, universe, &batch, &mut lost);
    let stats = stats_config(plan, design);
    let est_dates = EstimationDates::new(universe, stats.estimation);
    let battery = BatteryInputs {
        pairs: &pairs,
        events: inputs.events,
        universe,
        batch: &batch,
        est_dates: &est_dates,
        stats: &stats,
    };
    for group in label_pairs(&pairs, inputs.events, inputs.securities, &plan.groupings) {
        push_group_rows(&mut out, test_group(&group, &battery));
    }
    universe.series = returns;
    exclusions.extend(lost.into_iter().map(|mut e| {
        e.detail = format!("abnormal volume: {}", e.detail);
        e
    }));
    Ok(out)
}

/// The per-pair rows of every analysed volume pair, and its day and window exclusions.
fn push_all_rows(
    out: &mut VolumeTables,
    pairs: &[Pair],
    inputs: &VolumeInputs,
    universe: &Universe,
    batch: &PairBatch,
    lost: &mut Vec<ExclusionRow>,
) {
    for p in pairs {
        let Some(Ok(res)) = p.result.map(|slot| batch.get(slot)) else {
            continue;
        };
        let event_id = &inputs.events[p.event].event_id;
        let cal = universe.calendar(p.sec);
        let day0 = p.day0.map(|d| d.index).unwrap_or(0);
        push_pair_rows(out, event_id, &p.security, &res, cal, day0);
        for e in res.exclusions {
            lost.push(super::rows::pair_exclusion(event_id, &p.security, e));
        }
    }
}

/// One `no_volume` row per security with a day-0 pair but no traded volume on any session.
fn no_volume_rows(
    pairs: &[Pair],
    has_volume: &[bool],
    design: &VolumeDesign,
    exclusions: &mut Vec<ExclusionRow>,
) {
    let column = match design.col.as_deref() {
        Some(c) => format!("column '{c}'"),
        None => "its volume_col, or a column 'volume'".to_string(),
    };
    let mut seen = std::collections::BTreeSet::new();
    for p in pairs.iter().filter(|p| p.day0.is_some()) {
        if has_volume[p.sec] || !seen.insert(p.sec) {
            continue;
        }
        exclusions.push(ExclusionRow {
            event_id: String::new(),
            security: p.security.to_string(),
            stage: Stage::Input,
            reason: ExclusionReason::NoVolume,
            detail: format!(
                "left out of the abnormal-volume study: no price file gives this security a \
                 positive volume ({column})"
            ),
            order: 0,
        });
    }
}
