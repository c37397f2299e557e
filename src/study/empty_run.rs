//! A run that analyses no pair is a user error: the message gives the most frequent
//! exclusion reasons and, when a security or a benchmark has no prices, the ticker of the
//! price files it most likely means.

use super::pairs::PairSet;
use super::securities::SecurityTable;
use crate::data::{nearest_name, PricePanel};
use crate::error::Error;
use crate::tables::ExclusionRow;
use crate::vocab::ExclusionReason;
use std::collections::BTreeSet;

/// How many reasons the message lists.
const REASONS_SHOWN: usize = 3;

/// Suggestions for the securities and benchmarks of the pairs that have no prices: a ticker
/// of the panel that differs only in case or by a typo. `files` names the price files.
pub(crate) fn ticker_hints(
    set: &PairSet,
    panel: &PricePanel,
    securities: &SecurityTable,
    files: &str,
) -> Vec<String> {
    let present = || panel.series.keys().map(String::as_str);
    let mut missing: BTreeSet<(bool, String)> = BTreeSet::new();
    for p in &set.pairs {
        if !panel.series.contains_key(p.security.as_str()) {
            missing.insert((false, p.security.to_string()));
        } else if let Some(b) = securities.benchmark_of(&p.security) {
            if !panel.series.contains_key(&b) {
                missing.insert((true, b));
            }
        }
    }
    missing
        .iter()
        .filter_map(|(is_benchmark, name)| {
            let near = nearest_name(name, present())?;
            let what = if !is_benchmark {
                "security"
            } else if securities.market.as_deref() == Some(name.as_str()) {
                "market ticker"
            } else {
                "benchmark"
            };
            Some(format!(
                "{what} '{name}' is not in {files}; did you mean '{near}'?"
            ))
        })
        .collect()
}

/// The error of a run with `pairs` pairs and none analysed.
pub(crate) fn nothing_analysed(
    pairs: usize,
    exclusions: &[ExclusionRow],
    hints: &[String],
) -> Error {
    let pair_rows: Vec<&ExclusionRow> = exclusions
        .iter()
        .filter(|x| !x.event_id.is_empty())
        .collect();
    let rows = if pair_rows.is_empty() {
        exclusions.iter().collect()
    } else {
        pair_rows
    };
    let mut counts: Vec<(usize, ExclusionReason, &ExclusionRow)> = Vec::new();
    for x in rows {
        match counts.iter_mut().find(|c| c.1 == x.reason) {
            Some(c) => c.0 += 1,
            None => counts.push((1, x.reason, x)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut reasons: Vec<String> = counts
        .iter()
        .take(REASONS_SHOWN)
        .map(|(n, reason, first)| format!("{reason} ×{n} (e.g. {})", first.detail))
        .collect();
    if counts.len() > REASONS_SHOWN {
        reasons.push(format!("{} other reason(s)", counts.len() - REASONS_SHOWN));
    }
    let reasons = if reasons.is_empty() {
        "the event file gives no pair to analyse".to_string()
    } else {
        reasons.join(", ")
    };
    Error::NothingAnalysed {
        pairs,
        reasons,
        hints: hints.iter().map(|h| format!("; {h}")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::Stage;

    fn row(event: &str, reason: ExclusionReason, detail: &str) -> ExclusionRow {
        ExclusionRow {
            event_id: event.into(),
            security: "AAA".into(),
            stage: reason.stage(),
            reason,
            detail: detail.into(),
            order: 0,
        }
    }

    #[test]
    fn message_counts_reasons_most_frequent_first() {
        let rows = [
            row("", ExclusionReason::BadPrice, "1 unusable price"),
            row("E1", ExclusionReason::NoSession, "no session"),
            row(
                "E2",
                ExclusionReason::UnknownBenchmark,
                "no prices for benchmark spy",
            ),
            row(
                "E3",
                ExclusionReason::UnknownBenchmark,
                "no prices for benchmark spy",
            ),
        ];
        let hint = vec!["market ticker 'spy' is not in p.csv; did you mean 'SPY'?".to_string()];
        let e = nothing_analysed(3, &rows, &hint).to_string();
        assert_eq!(
            e,
            "no pair analysed (3 pair(s), all excluded): unknown_benchmark ×2 (e.g. no prices for \
             benchmark spy), no_session ×1 (e.g. no session); market ticker 'spy' is not in p.csv; \
             did you mean 'SPY'?"
        );
        assert_eq!(Stage::Input, rows[2].stage);
    }
}
