//! The `events` and `securities` tables (§12): what the study read, so that every per-pair
//! table joins to an event's title, date and category and to a security's name and group.

use super::pairs::{Pair, Scopes};
use super::securities::SecurityTable;
use crate::calendar::{expand_scope, EventRecord};
use crate::tables::{EventRow, Label, Labels, SecurityRow};
use rayon::prelude::*;
use std::collections::HashSet;

/// One row per event of the events file, in file order: the events kept (`kept`, in input
/// order, with the labels of their ids) with their analysed pairs, and the events left out
/// as unverified (`unverified`, each with its position among the events read) with
/// `n_analysed = 0` (their pairs are `unverified_event` exclusions). `n_pairs` counts the
/// securities of the event's expanded scope: `kept_sizes` for the kept events (counted when
/// their pairs were made), expanded by `scopes` here for the others.
pub(crate) fn event_rows(
    (kept, kept_labels, kept_sizes): (&[EventRecord], &[Label], &[u32]),
    unverified: &[(usize, EventRecord)],
    pairs: &[Pair],
    scopes: &Scopes,
) -> Vec<EventRow> {
    let mut analysed = vec![0u32; kept.len()];
    for p in pairs.iter().filter(|p| p.result.is_some()) {
        analysed[p.event] += 1;
    }
    let counts = kept_sizes.par_iter().zip(&analysed);
    let kept_rows: Vec<EventRow> = (kept, kept_labels)
        .into_par_iter()
        .zip(counts)
        .map_init(
            Labels::default,
            |labels, ((ev, id), (&n_pairs, &n_analysed))| {
                event_row(ev, id.clone(), (n_pairs, n_analysed), labels)
            },
        )
        .collect();
    if unverified.is_empty() {
        return kept_rows;
    }
    let total = kept.len() + unverified.len();
    let mut kept_rows = kept_rows.into_iter();
    let mut left = unverified.iter().peekable();
    let mut rows = Vec::with_capacity(total);
    let mut labels = Labels::default();
    for position in 0..total {
        match left.next_if(|(at, _)| *at == position) {
            Some((_, ev)) => {
                let scope = expand_scope(&ev.scope, &scopes.groups, &scopes.all_securities);
                let n_pairs = u32::try_from(scope.len()).unwrap_or(u32::MAX);
                let id = ev.event_id.clone();
                rows.push(event_row(ev, id, (n_pairs, 0), &mut labels));
            }
            None => rows.extend(kept_rows.next()),
        }
    }
    rows
}

/// The `events` row of `ev` with id label `event_id`, `n_pairs` and `n_analysed`.
fn event_row(
    ev: &EventRecord,
    event_id: Label,
    (n_pairs, n_analysed): (u32, u32),
    labels: &mut Labels,
) -> EventRow {
    EventRow {
        event_id,
        date: Some(ev.date),
        time: labels.get(ev.time.as_deref().unwrap_or_default()),
        tz: labels.get(ev.tz.as_deref().unwrap_or_default()),
        category: labels.get(&ev.category),
        group: labels.get(ev.group.as_deref().unwrap_or("all")),
        title: ev.title.clone(),
        n_pairs,
        n_analysed,
    }
}

/// One row per security: the configured ones (`[[securities]]`, then the securities file)
/// in configuration order, then every other security named by a pair (e.g. a ticker known
/// only from the prices), in pair order.
pub(crate) fn security_rows(securities: &SecurityTable, pairs: &[Pair]) -> Vec<SecurityRow> {
    let listed = securities.list.iter().map(|s| s.ticker.as_str());
    // membership only (never iterated): a hash set
    let mut seen: HashSet<&str> = HashSet::new();
    let tickers = listed.chain(pairs.iter().map(|p| p.security.as_str()));
    let mut rows = Vec::new();
    for t in tickers {
        if !seen.insert(t) {
            continue;
        }
        let spec = securities.get(t);
        let text = |f: fn(&super::config::SecuritySpec) -> &Option<String>| {
            spec.and_then(|s| f(s).clone()).unwrap_or_default()
        };
        rows.push(SecurityRow {
            security: t.to_string(),
            name: text(|s| &s.name),
            exchange: securities.exchange_of(t).unwrap_or_default(),
            benchmark: securities.benchmark_of(t).unwrap_or_default(),
            security_group: text(|s| &s.group),
        });
    }
    rows
}
