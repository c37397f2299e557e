//! The tickers a run can use, known from the events and securities before any price is read,
//! so that a folder of Parquet prices partitioned by ticker is read only where it matters.

use super::pairs::Scopes;
use super::plan::RunPlan;
use super::securities::SecurityTable;
use crate::calendar::EventRecord;
use std::collections::{BTreeMap, BTreeSet};

/// Every security an event's scope names (through groups and `all`, within the `universe`),
/// their benchmarks and the market; `None` (every ticker) when `all` stands for every ticker
/// with prices, i.e. a scope or the universe says `all` and no securities are listed.
/// Unverified events count: their pairs are listed as exclusions either way.
pub(crate) fn needed_tickers(
    events: &[EventRecord],
    securities: &SecurityTable,
    plan: &RunPlan,
) -> Option<BTreeSet<String>> {
    needed(events, securities, &plan.groups, &plan.universe)
}

fn needed(
    events: &[EventRecord],
    securities: &SecurityTable,
    groups: &BTreeMap<String, Vec<String>>,
    universe: &[String],
) -> Option<BTreeSet<String>> {
    if securities.list.is_empty()
        && (events.iter().any(|e| says_all(&e.scope)) || says_all(universe))
    {
        return None;
    }
    let scopes = Scopes::new(securities, groups, std::iter::empty()).restricted_to(universe);
    let mut out: BTreeSet<String> = events
        .iter()
        .flat_map(|e| scopes.expand(&e.scope))
        .filter(|t| scopes.admits(t))
        .collect();
    let benchmarks: Vec<String> = out
        .iter()
        .filter_map(|t| securities.benchmark_of(t))
        .collect();
    out.extend(benchmarks);
    out.extend(securities.market.clone());
    Some(out)
}

/// Whether `names` has `all` (any case).
fn says_all<S: AsRef<str>>(names: &[S]) -> bool {
    names.iter().any(|s| s.as_ref().eq_ignore_ascii_case("all"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::pairs::tests::{event, spec};

    fn securities(list: Vec<crate::design::SecuritySpec>) -> SecurityTable {
        SecurityTable::new(list, Some("M".into()))
    }

    #[test]
    fn scopes_groups_benchmarks_and_the_market_are_needed() {
        let table = securities(vec![
            spec("A", "XSHG", "BA", "chips"),
            spec("B", "XSHG", "", ""),
            spec("C", "XSHG", "", "chips"),
        ]);
        let groups = BTreeMap::from([("tech".to_string(), vec!["D".into()])]);
        let events = [
            event("E1", 2, &["chips"], None, None),
            event("E2", 3, &["tech", "Z"], None, Some("no")),
        ];
        let got = needed(&events, &table, &groups, &[]).unwrap();
        let want = ["A", "BA", "C", "D", "M", "Z"];
        assert_eq!(got, want.iter().map(|s| s.to_string()).collect());
        let within = needed(&events, &table, &groups, &["chips".to_string()]).unwrap();
        let want = ["A", "BA", "C", "M"];
        assert_eq!(within, want.iter().map(|s| s.to_string()).collect());
    }

    #[test]
    fn all_without_a_securities_list_needs_every_ticker() {
        let events = [event("E1", 2, &["ALL"], None, None)];
        let groups = BTreeMap::new();
        assert_eq!(needed(&events, &securities(vec![]), &groups, &[]), None);
        let listed = securities(vec![spec("A", "XSHG", "", "")]);
        let got = needed(&events, &listed, &groups, &[]).unwrap();
        assert_eq!(got, ["A", "M"].iter().map(|s| s.to_string()).collect());
    }
}
