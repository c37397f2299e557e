//! Events × scopes → event–security pairs, and the input checks a pair must pass before its
//! security is put on a calendar (§11 `input` exclusions).

use super::config::CalendarMode;
use super::rows::input_exclusion;
use super::securities::SecurityTable;
use crate::calendar::{builtin_exchange, expand_scope, filter_verified, EventRecord};
use crate::data::PricePanel;
use crate::tables::ExclusionRow;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// An event–security pair on its way through the run.
pub(crate) struct Pair {
    /// Index of the event in [`PairSet::events`].
    pub event: usize,
    /// Ticker.
    pub security: String,
    /// The event's group (`all` when it has none).
    pub group: String,
    /// Index of the security in the universe (set with day 0).
    pub sec: usize,
    /// Day 0, when the event maps to a session.
    pub day0: Option<PairDay0>,
    /// Index of the analysed pair in the engine's batch.
    pub result: Option<usize>,
}

/// Day 0 of a pair: position in its calendar and date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PairDay0 {
    /// Position in the security's calendar.
    pub index: usize,
    /// Session date.
    pub date: NaiveDate,
}

/// The pairs of a run.
pub(crate) struct PairSet {
    /// The events kept (verified, or all when unverified ones are included).
    pub events: Vec<EventRecord>,
    /// Pairs in event order, each event's scope in its own order.
    pub pairs: Vec<Pair>,
    /// `unverified_event`, `empty_scope` and `duplicate_event` exclusions, in input order.
    pub exclusions: Vec<ExclusionRow>,
    /// Pairs after scope expansion, unverified events' pairs included.
    pub total: usize,
}

/// What an event scope can name.
pub(crate) struct Scopes {
    /// Every security `all` stands for: the listed securities (or, without a list, every
    /// ticker with prices), benchmarks left out.
    pub all_securities: Vec<String>,
    /// Named groups: the configured ones, plus each listed security's `group`.
    pub groups: BTreeMap<String, Vec<String>>,
}

impl Scopes {
    /// The scopes of a study with `securities`, the named `groups` and prices for `tickers`.
    pub fn new<'a>(
        securities: &SecurityTable,
        groups: &BTreeMap<String, Vec<String>>,
        tickers: impl Iterator<Item = &'a String>,
    ) -> Scopes {
        let list = &securities.list;
        let benchmarks: BTreeSet<String> = securities
            .market
            .iter()
            .cloned()
            .chain(list.iter().filter_map(|s| s.benchmark.clone()))
            .collect();
        let all_securities: Vec<String> = if !list.is_empty() {
            list.iter()
                .map(|s| s.ticker.clone())
                .filter(|t| !benchmarks.contains(t))
                .collect()
        } else {
            tickers
                .filter(|t| !benchmarks.contains(*t))
                .cloned()
                .collect()
        };
        let mut groups = groups.clone();
        for s in list {
            if let Some(g) = &s.group {
                groups.entry(g.clone()).or_default().push(s.ticker.clone());
            }
        }
        Scopes {
            all_securities,
            groups,
        }
    }

    fn expand(&self, scope: &[String]) -> Vec<String> {
        expand_scope(scope, &self.groups, &self.all_securities)
    }
}

/// Expand each event's scope into pairs; unverified events (unless included), empty scopes
/// and repeated event–security pairs become exclusions.
pub(crate) fn expand_pairs(
    events: Vec<EventRecord>,
    include_unverified: bool,
    scopes: &Scopes,
) -> PairSet {
    let (events, unverified) = filter_verified(events, include_unverified);
    let mut exclusions = Vec::new();
    for ev in &unverified {
        for t in scopes.expand(&ev.scope) {
            exclusions.push(input_exclusion(
                &t,
                &ev.event_id,
                "unverified_event",
                "event marked verified = no; set include_unverified = true to keep it".into(),
            ));
        }
    }
    let n_unverified = exclusions.len();
    let mut pairs: Vec<Pair> = Vec::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for (ei, ev) in events.iter().enumerate() {
        let scope = scopes.expand(&ev.scope);
        if scope.is_empty() {
            exclusions.push(input_exclusion(
                "",
                &ev.event_id,
                "empty_scope",
                format!("row {}: the event names no security", ev.row),
            ));
        }
        for t in scope {
            if !seen.insert((ev.event_id.clone(), t.clone())) {
                exclusions.push(input_exclusion(
                    &t,
                    &ev.event_id,
                    "duplicate_event",
                    format!("listed again on row {}", ev.row),
                ));
                continue;
            }
            pairs.push(Pair {
                event: ei,
                security: t,
                group: ev.group.clone().unwrap_or_else(|| "all".to_string()),
                sec: usize::MAX,
                day0: None,
                result: None,
            });
        }
    }
    PairSet {
        total: pairs.len() + n_unverified,
        events,
        pairs,
        exclusions,
    }
}

/// What a pair's security needs besides prices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Admission {
    /// The model needs a benchmark with prices.
    pub needs_benchmark: bool,
    /// Exchange calendars need a known exchange; data calendars a benchmark.
    pub calendar: CalendarMode,
}

/// The securities of the pairs that have prices, a benchmark with prices (when the model or
/// the data calendar needs one) and a known exchange (exchange calendars); every other pair
/// gets an `unknown_security`, `unknown_benchmark` or `unknown_exchange` exclusion.
pub(crate) fn admit_pairs(
    set: &PairSet,
    panel: &PricePanel,
    securities: &SecurityTable,
    rules: Admission,
    exclusions: &mut Vec<ExclusionRow>,
) -> BTreeSet<String> {
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for p in &set.pairs {
        let refusal = if !panel.series.contains_key(&p.security) {
            Some((
                "unknown_security",
                "no prices for this security".to_string(),
            ))
        } else if rules.needs_benchmark || rules.calendar == CalendarMode::Data {
            benchmark_refusal(securities.benchmark_of(&p.security), panel)
        } else {
            None
        };
        let refusal = refusal.or_else(|| match rules.calendar {
            CalendarMode::Exchange => exchange_refusal(securities.exchange_of(&p.security)),
            CalendarMode::Data => None,
        });
        match refusal {
            Some((reason, detail)) => exclusions.push(input_exclusion(
                &p.security,
                &set.events[p.event].event_id,
                reason,
                detail,
            )),
            None => {
                wanted.insert(p.security.clone());
            }
        }
    }
    wanted
}

/// Why a security's benchmark cannot be used, if it cannot.
fn benchmark_refusal(
    benchmark: Option<String>,
    panel: &PricePanel,
) -> Option<(&'static str, String)> {
    match benchmark {
        Some(b) if panel.series.contains_key(&b) => None,
        Some(b) => Some(("unknown_benchmark", format!("no prices for benchmark {b}"))),
        None => Some(("unknown_benchmark", "no benchmark configured".into())),
    }
}

/// Why a security's exchange has no calendar, if it has none.
fn exchange_refusal(exchange: Option<String>) -> Option<(&'static str, String)> {
    match exchange {
        Some(x) if builtin_exchange(&x).is_some() => None,
        Some(x) => Some((
            "unknown_exchange",
            format!("exchange {x} has no calendar (known: XSHG, XSHE, XHKG, XNYS, XNAS)"),
        )),
        None => Some((
            "unknown_exchange",
            "no exchange for this ticker: set it in the securities table".into(),
        )),
    }
}
