//! The engine call: every pair with a day 0, analysed in one batch (§3–§6).

use super::pairs::Pair;
use super::rows::pair_exclusion;
use super::universe::Universe;
use crate::abnormal::{Engine, EngineConfig, PairBatch, PairJob};
use crate::calendar::EventRecord;
use crate::tables::ExclusionRow;

/// The engine's jobs of a run: one per pair with a day 0, in pair order.
pub(crate) struct EngineJobs {
    /// The pair (index into the run's pairs) of each job.
    pub pairs: Vec<usize>,
    /// The jobs, parallel to `pairs`.
    pub jobs: Vec<PairJob>,
}

/// The jobs of every pair with a day 0.
pub(crate) fn engine_jobs(pairs: &[Pair]) -> EngineJobs {
    let todo: Vec<usize> = (0..pairs.len())
        .filter(|&i| pairs[i].day0.is_some())
        .collect();
    let jobs: Vec<PairJob> = todo
        .iter()
        .map(|&i| PairJob {
            series: pairs[i].sec,
            day0: pairs[i].day0.map(|d| d.index).unwrap_or(0),
        })
        .collect();
    EngineJobs { pairs: todo, jobs }
}

/// Analyse every pair with a day 0; set `result` of the analysed ones and add an exclusion
/// for each pair the engine rejects.
pub(crate) fn analyse_all(
    pairs: &mut [Pair],
    events: &[EventRecord],
    universe: &Universe,
    engine: &EngineConfig,
    exclusions: &mut Vec<ExclusionRow>,
) -> PairBatch {
    let todo = engine_jobs(pairs);
    let batch = Engine::new(engine).analyse_batch_shared(&universe.series, &todo.jobs);
    record_outcomes(pairs, events, &todo.pairs, &batch, exclusions);
    batch
}

/// Set `result` of each pair of `todo` (job j is `todo[j]`) that `batch` analysed and add an
/// exclusion for each it rejected.
pub(crate) fn record_outcomes(
    pairs: &mut [Pair],
    events: &[EventRecord],
    todo: &[usize],
    batch: &PairBatch,
    exclusions: &mut Vec<ExclusionRow>,
) {
    for (slot, &i) in todo.iter().enumerate() {
        let p = &mut pairs[i];
        match batch.get(slot) {
            Ok(_) => p.result = Some(slot),
            Err(e) => exclusions.push(pair_exclusion(&events[p.event].event_id, &p.security, e)),
        }
    }
}
