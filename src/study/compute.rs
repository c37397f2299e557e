//! The engine call: every pair with a day 0, analysed in one batch (§3–§6).

use super::pairs::Pair;
use super::rows::pair_exclusion;
use super::universe::Universe;
use crate::abnormal::{Engine, EngineConfig, PairBatch, PairJob};
use crate::calendar::EventRecord;
use crate::tables::ExclusionRow;

/// Analyse every pair with a day 0; set `result` of the analysed ones and add an exclusion
/// for each pair the engine rejects.
pub(crate) fn analyse_all(
    pairs: &mut [Pair],
    events: &[EventRecord],
    universe: &Universe,
    engine: &EngineConfig,
    exclusions: &mut Vec<ExclusionRow>,
) -> PairBatch {
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
    let batch = Engine::new(engine).analyse_batch(&universe.series, &jobs);
    for (slot, &i) in todo.iter().enumerate() {
        let p = &mut pairs[i];
        match batch.get(slot) {
            Ok(_) => p.result = Some(slot),
            Err(e) => exclusions.push(pair_exclusion(&events[p.event].event_id, &p.security, e)),
        }
    }
    batch
}
