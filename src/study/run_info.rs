//! `run.json`: version, configuration as resolved, inputs, counts and group diagnostics.

use super::{LabelDiagnostics, RunSummary, StudyConfig};
use crate::tables::StudyTables;
use std::collections::BTreeMap;

/// The `run.json` document of a run.
pub(crate) fn run_info(
    config: &StudyConfig,
    tables: &StudyTables,
    summary: &RunSummary,
) -> serde_json::Value {
    let mut excluded: BTreeMap<String, usize> = Default::default();
    for e in &tables.exclusions {
        *excluded
            .entry(format!("{}:{}", e.stage.as_str(), e.reason.as_str()))
            .or_default() += 1;
    }
    let mut info = serde_json::json!({
        "evstudy_version": env!("CARGO_PKG_VERSION"),
        "config": config,
        "inputs": summary.inputs.iter().map(|f| serde_json::json!({"path": f.path, "bytes": f.bytes, "sha256": f.sha256})).collect::<Vec<_>>(),
        "counts": {
            "pairs": summary.pairs_total,
            "pairs_analysed": summary.pairs_analysed,
            "exclusions_by_reason": excluded,
        },
        "group_diagnostics": summary.diagnostics.iter().map(|LabelDiagnostics { group, diagnostics: d }| serde_json::json!({
            "group": group, "n_events": d.n_events, "rbar": d.rbar, "n_pairs_used": d.n_pairs_used,
            "s_cda": d.s_cda, "df_cda": d.df_cda, "s_rank": d.s_rank, "n_rank_days": d.n_rank_days,
        })).collect::<Vec<_>>(),
    });
    if !summary.notes.is_empty() {
        info["notes"] = serde_json::json!(summary.notes);
    }
    info
}
