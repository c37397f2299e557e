//! Events × scopes → event–security pairs, and the input checks a pair must pass before its
//! security is put on a calendar (§11 `input` exclusions).

use super::config::CalendarMode;
use super::rows::input_exclusion;
use super::securities::SecurityTable;
use crate::calendar::{builtin_exchange, expand_scope, EventRecord};
use crate::data::PricePanel;
use crate::tables::{ExclusionRow, Label, Labels};
use crate::vocab::ExclusionReason;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// An event–security pair on its way through the run.
pub(crate) struct Pair {
    /// Index of the event in [`PairSet::events`].
    pub event: usize,
    /// Ticker (one allocation per ticker, shared by its pairs).
    pub security: Label,
    /// The event's group (`all` when it has none; one allocation per group).
    pub group: Label,
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
    /// The id of each kept event as one label, shared by every row that names the event.
    pub event_labels: Vec<Label>,
    /// The number of securities in each kept event's expanded scope (the `n_pairs` of its
    /// `events` row).
    pub scope_sizes: Vec<u32>,
    /// The events left out as unverified, each with its position among the events read.
    pub unverified: Vec<(usize, EventRecord)>,
    /// Pairs in event order, each event's scope in its own order.
    pub pairs: Vec<Pair>,
    /// `unverified_event`, `empty_scope` and `duplicate_event` exclusions, in input order.
    pub exclusions: Vec<ExclusionRow>,
    /// Pairs after scope expansion, unverified events' pairs and pairs outside the universe
    /// included.
    pub total: usize,
}

/// What an event scope can name.
pub(crate) struct Scopes {
    /// Every security `all` stands for: the listed securities (or, without a list, every
    /// ticker with prices), benchmarks left out.
    pub all_securities: Vec<String>,
    /// Named groups: the configured ones, plus each listed security's `group`.
    pub groups: BTreeMap<String, Vec<String>>,
    /// The securities a study with a `universe` is restricted to; `None`: no restriction.
    pub universe: Option<BTreeSet<String>>,
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
            universe: None,
        }
    }

    /// These scopes restricted to the securities `names` stand for (tickers, group names or
    /// `all`, as in an event scope); no restriction when `names` is empty.
    pub fn restricted_to(mut self, names: &[String]) -> Scopes {
        if !names.is_empty() {
            self.universe = Some(self.expand(names).into_iter().collect());
        }
        self
    }

    /// Whether the pairs of `security` are analysed (not outside the universe).
    pub fn admits(&self, security: &str) -> bool {
        self.universe.as_ref().is_none_or(|u| u.contains(security))
    }

    /// The securities `scope` names.
    pub fn expand<S: AsRef<str>>(&self, scope: &[S]) -> Vec<String> {
        expand_scope(scope, &self.groups, &self.all_securities)
    }
}

/// The events kept and, unless `include_unverified`, the unverified ones
/// ([`EventRecord::is_unverified`]) with their positions among `events`; both in input order.
fn split_unverified(
    events: Vec<EventRecord>,
    include_unverified: bool,
) -> (Vec<EventRecord>, Vec<(usize, EventRecord)>) {
    if include_unverified {
        return (events, Vec::new());
    }
    let mut kept = Vec::with_capacity(events.len());
    let mut unverified = Vec::new();
    for (i, ev) in events.into_iter().enumerate() {
        if ev.is_unverified() {
            unverified.push((i, ev));
        } else {
            kept.push(ev);
        }
    }
    (kept, unverified)
}

/// Expand each event's scope into pairs; unverified events (unless included), empty scopes,
/// repeated event–security pairs and securities outside the universe become exclusions.
pub(crate) fn expand_pairs(
    events: Vec<EventRecord>,
    include_unverified: bool,
    scopes: &Scopes,
) -> PairSet {
    let (events, unverified) = split_unverified(events, include_unverified);
    let mut exclusions = Vec::new();
    for (_, ev) in &unverified {
        for t in scopes.expand(&ev.scope) {
            exclusions.push(input_exclusion(
                &t,
                &ev.event_id,
                ExclusionReason::UnverifiedEvent,
                "event marked verified = no; set include_unverified = true to keep it".into(),
            ));
        }
    }
    let n_unverified = exclusions.len();
    let mut n_outside = 0;
    let mut pairs: Vec<Pair> = Vec::new();
    // membership only (never iterated): a hash set, the event id borrowed
    let mut seen: HashSet<(&str, Label)> = HashSet::new();
    let mut labels = Labels::default();
    let mut scope_sizes = Vec::with_capacity(events.len());
    for (ei, ev) in events.iter().enumerate() {
        let scope = scopes.expand(&ev.scope);
        scope_sizes.push(u32::try_from(scope.len()).unwrap_or(u32::MAX));
        if scope.is_empty() {
            exclusions.push(input_exclusion(
                "",
                &ev.event_id,
                ExclusionReason::EmptyScope,
                format!("row {}: the event names no security", ev.row),
            ));
        }
        let group = labels.get(ev.group.as_deref().unwrap_or("all"));
        for t in scope {
            let t = labels.get(&t);
            if !seen.insert((ev.event_id.as_str(), t.clone())) {
                exclusions.push(input_exclusion(
                    &t,
                    &ev.event_id,
                    ExclusionReason::DuplicateEvent,
                    format!("listed again on row {}", ev.row),
                ));
                continue;
            }
            if !scopes.admits(&t) {
                exclusions.push(input_exclusion(
                    &t,
                    &ev.event_id,
                    ExclusionReason::OutsideUniverse,
                    "not among the securities of the study's `universe`".into(),
                ));
                n_outside += 1;
                continue;
            }
            pairs.push(Pair {
                event: ei,
                security: t,
                group: group.clone(),
                sec: usize::MAX,
                day0: None,
                result: None,
            });
        }
    }
    PairSet {
        total: pairs.len() + n_unverified + n_outside,
        // the events' own ids: one allocation per id, shared
        event_labels: events.iter().map(|e| e.event_id.clone()).collect(),
        scope_sizes,
        events,
        unverified,
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
        let refusal = if !panel.series.contains_key(p.security.as_str()) {
            Some((
                ExclusionReason::UnknownSecurity,
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
                wanted.insert(p.security.to_string());
            }
        }
    }
    wanted
}

/// Why a security's benchmark cannot be used, if it cannot.
fn benchmark_refusal(
    benchmark: Option<String>,
    panel: &PricePanel,
) -> Option<(ExclusionReason, String)> {
    match benchmark {
        Some(b) if panel.series.contains_key(&b) => None,
        Some(b) => Some((
            ExclusionReason::UnknownBenchmark,
            format!("no prices for benchmark {b}"),
        )),
        None => Some((
            ExclusionReason::UnknownBenchmark,
            "no benchmark configured".into(),
        )),
    }
}

/// Why a security's exchange has no calendar, if it has none.
fn exchange_refusal(exchange: Option<String>) -> Option<(ExclusionReason, String)> {
    match exchange {
        Some(x) if builtin_exchange(&x).is_some() => None,
        Some(x) => Some((
            ExclusionReason::UnknownExchange,
            format!("exchange {x} has no calendar (known: XSHG, XSHE, XHKG, XNYS, XNAS)"),
        )),
        None => Some((
            ExclusionReason::UnknownExchange,
            "no exchange for this ticker: set it in the securities table".into(),
        )),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::{PriceSeries, ValueIssues, ValueKind};
    use crate::study::SecuritySpec;

    pub(crate) fn event(
        id: &str,
        row: usize,
        scope: &[&str],
        group: Option<&str>,
        verified: Option<&str>,
    ) -> EventRecord {
        EventRecord {
            event_id: id.into(),
            date: NaiveDate::from_ymd_opt(2024, 6, 26).unwrap(),
            time: None,
            tz: None,
            category: Label::default(),
            scope: scope.iter().map(|&s| s.into()).collect(),
            group: group.map(Label::from),
            title: Label::default(),
            source: Label::default(),
            verified: verified.map(Label::from),
            row,
        }
    }

    pub(crate) fn spec(ticker: &str, exchange: &str, benchmark: &str, group: &str) -> SecuritySpec {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        SecuritySpec {
            ticker: ticker.into(),
            exchange: some(exchange),
            benchmark: some(benchmark),
            group: some(group),
            name: None,
        }
    }

    fn panel(tickers: &[&str]) -> PricePanel {
        let series = tickers
            .iter()
            .map(|t| {
                let s = PriceSeries {
                    ticker: t.to_string(),
                    dates: Vec::new(),
                    values: Vec::new(),
                    kind: ValueKind::Price,
                    file: "prices.csv".into(),
                    issues: ValueIssues::default(),
                };
                (t.to_string(), s)
            })
            .collect();
        PricePanel { series }
    }

    /// A listed on XSHG in group `chips`, B on an exchange without a calendar, market M.
    fn securities() -> SecurityTable {
        let list = vec![
            spec("A", "XSHG", "", "chips"),
            spec("B", "XXXX", "", ""),
            spec("M", "XSHG", "", ""),
        ];
        SecurityTable::new(list, Some("M".into()))
    }

    /// E1 on everything, E2 unverified, E3 without scope, E1 again (A repeated, Z unknown),
    /// E4 on the configured group `tech`.
    fn pair_set() -> PairSet {
        let groups = BTreeMap::from([("tech".to_string(), vec!["B".into(), "Z".into()])]);
        let scopes = Scopes::new(&securities(), &groups, std::iter::empty());
        assert_eq!(
            scopes.all_securities,
            ["A", "B"],
            "the benchmark is not a security"
        );
        assert_eq!(scopes.groups["chips"], ["A"]);
        let events = vec![
            event("E1", 2, &["all"], Some("g"), Some("yes")),
            event("E2", 3, &["chips"], None, Some("No")),
            event("E3", 4, &[], None, None),
            event("E1", 5, &["A", "Z"], None, None),
            event("E4", 6, &["tech"], None, None),
        ];
        expand_pairs(events, false, &scopes)
    }

    fn reasons(rows: &[ExclusionRow]) -> Vec<(&str, &str, &str, &str)> {
        rows.iter()
            .map(|x| {
                assert_eq!(x.stage, crate::tables::Stage::Input);
                (
                    x.event_id.as_str(),
                    x.security.as_str(),
                    x.reason.as_str(),
                    x.detail.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn scopes_expand_into_pairs_with_input_exclusions() {
        let set = pair_set();
        let ids: Vec<&str> = set.events.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(
            ids,
            ["E1", "E3", "E1", "E4"],
            "the unverified event is left out"
        );
        let pairs: Vec<(usize, &str, &str)> = set
            .pairs
            .iter()
            .map(|p| (p.event, p.security.as_str(), p.group.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (0, "A", "g"),
                (0, "B", "g"),
                (2, "Z", "all"),
                (3, "B", "all"),
                (3, "Z", "all")
            ]
        );
        assert_eq!(
            reasons(&set.exclusions),
            [
                (
                    "E2",
                    "A",
                    "unverified_event",
                    "event marked verified = no; set include_unverified = true to keep it"
                ),
                (
                    "E3",
                    "",
                    "empty_scope",
                    "row 4: the event names no security"
                ),
                ("E1", "A", "duplicate_event", "listed again on row 5"),
            ]
        );
        assert_eq!(set.total, 6, "5 pairs and 1 unverified pair");
        let left: Vec<(usize, &str)> = set
            .unverified
            .iter()
            .map(|(at, e)| (*at, e.event_id.as_str()))
            .collect();
        assert_eq!(left, [(1, "E2")]);
        // the events table lists every event read, in file order
        let groups = BTreeMap::from([("tech".to_string(), vec!["B".into(), "Z".into()])]);
        let scopes = Scopes::new(&securities(), &groups, std::iter::empty());
        let (kept, left) = (&set.events, &set.unverified);
        let kept = (&kept[..], &set.event_labels[..], &set.scope_sizes[..]);
        let rows = crate::study::metadata::event_rows(kept, left, &set.pairs, &scopes);
        let ids: Vec<&str> = rows.iter().map(|r| r.event_id.as_str()).collect();
        assert_eq!(ids, ["E1", "E2", "E3", "E1", "E4"]);
        // n_pairs: the kept events' sizes counted with their pairs, the unverified event's
        // scope expanded; each that of its scope expanded on its own
        let n_pairs: Vec<u32> = rows.iter().map(|r| r.n_pairs).collect();
        assert_eq!(n_pairs, [2, 1, 0, 2, 2]);
        let read = [
            &set.events[0],
            &set.unverified[0].1,
            &set.events[1],
            &set.events[2],
        ];
        let read = read.into_iter().chain([&set.events[3]]);
        let expanded: Vec<u32> = read.map(|e| scopes.expand(&e.scope).len() as u32).collect();
        assert_eq!(n_pairs, expanded);
    }

    #[test]
    fn pairs_outside_the_universe_are_excluded_with_a_reason() {
        let groups = BTreeMap::from([("tech".to_string(), vec!["B".into(), "Z".into()])]);
        let scopes = Scopes::new(&securities(), &groups, std::iter::empty())
            .restricted_to(&["chips".to_string(), "Z".to_string()]);
        let events = vec![
            event("E1", 2, &["all"], None, None),
            event("E2", 3, &["tech"], None, None),
        ];
        let set = expand_pairs(events, false, &scopes);
        let pairs: Vec<(usize, &str)> = set
            .pairs
            .iter()
            .map(|p| (p.event, p.security.as_str()))
            .collect();
        assert_eq!(pairs, [(0, "A"), (1, "Z")]);
        let detail = "not among the securities of the study's `universe`";
        assert_eq!(
            reasons(&set.exclusions),
            [
                ("E1", "B", "outside_universe", detail),
                ("E2", "B", "outside_universe", detail)
            ]
        );
        assert_eq!(set.total, 4, "every pair of the scopes is counted");
    }

    #[test]
    fn unknown_tickers_benchmarks_and_exchanges_are_excluded() {
        let set = pair_set();
        let rules = Admission {
            needs_benchmark: true,
            calendar: CalendarMode::Exchange,
        };
        let mut excluded = Vec::new();
        let wanted = admit_pairs(
            &set,
            &panel(&["A", "B", "M"]),
            &securities(),
            rules,
            &mut excluded,
        );
        assert_eq!(wanted.into_iter().collect::<Vec<_>>(), ["A"]);
        let no_calendar = "exchange XXXX has no calendar (known: XSHG, XSHE, XHKG, XNYS, XNAS)";
        assert_eq!(
            reasons(&excluded),
            [
                ("E1", "B", "unknown_exchange", no_calendar),
                ("E1", "Z", "unknown_security", "no prices for this security"),
                ("E4", "B", "unknown_exchange", no_calendar),
                ("E4", "Z", "unknown_security", "no prices for this security"),
            ]
        );
    }

    #[test]
    fn data_calendars_need_a_benchmark_with_prices() {
        let set = pair_set();
        let list = vec![spec("A", "", "N", ""), spec("B", "", "", "")];
        let securities = SecurityTable::new(list, None);
        let rules = Admission {
            needs_benchmark: false,
            calendar: CalendarMode::Data,
        };
        let mut excluded = Vec::new();
        let wanted = admit_pairs(
            &set,
            &panel(&["A", "B", "Z"]),
            &securities,
            rules,
            &mut excluded,
        );
        assert!(wanted.is_empty());
        assert_eq!(
            reasons(&excluded)[..3],
            [
                ("E1", "A", "unknown_benchmark", "no prices for benchmark N"),
                ("E1", "B", "unknown_benchmark", "no benchmark configured"),
                ("E1", "Z", "unknown_benchmark", "no benchmark configured"),
            ]
        );
    }
}
