//! Group labels (`aggregate_by`): which analysed pairs each aggregate and test row pools.

use super::pairs::Pair;
use super::securities::SecurityTable;
use crate::calendar::EventRecord;
use crate::vocab::Grouping;
use std::collections::BTreeMap;

/// The label of pair `p` of event `ev` under `grouping`, and whether it is the pair's
/// primary label (the one whose portfolios get table rows): the event's `group` (`all` when
/// empty; always primary), `all` (primary for events without a group), `category:<category>`
/// and `security_group:<group>` (`none` when empty) and `event:<event id>`.
fn label(
    grouping: Grouping,
    p: &Pair,
    ev: &EventRecord,
    securities: &SecurityTable,
) -> (String, bool) {
    match grouping {
        Grouping::Group => (p.group.clone(), true),
        Grouping::All => ("all".to_string(), p.group == "all"),
        Grouping::Category => (
            format!(
                "category:{}",
                if ev.category.is_empty() {
                    "none"
                } else {
                    &ev.category
                }
            ),
            false,
        ),
        Grouping::SecurityGroup => (
            format!(
                "security_group:{}",
                securities
                    .get(&p.security)
                    .and_then(|s| s.group.clone())
                    .unwrap_or_else(|| "none".into())
            ),
            false,
        ),
        Grouping::Event => (format!("event:{}", ev.event_id), false),
    }
}

/// The analysed pairs pooled under one label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupLabel {
    /// `all`, a group name, `category:…`, `security_group:…` or `event:…`.
    pub label: String,
    /// The label is the primary label of at least one member.
    pub primary: bool,
    /// Indices of the member pairs, increasing.
    pub members: Vec<usize>,
}

/// Every label of the analysed pairs, in label order.
pub(crate) fn label_pairs(
    pairs: &[Pair],
    events: &[EventRecord],
    securities: &SecurityTable,
    groupings: &[Grouping],
) -> Vec<GroupLabel> {
    let mut labels: BTreeMap<String, (bool, Vec<usize>)> = BTreeMap::new();
    for (i, p) in pairs.iter().enumerate() {
        if p.result.is_none() {
            continue;
        }
        let ev = &events[p.event];
        for g in groupings {
            let (label, primary) = label(*g, p, ev, securities);
            let e = labels.entry(label).or_insert((false, Vec::new()));
            e.0 |= primary;
            // Pairs come in increasing order: a label seen twice for one pair (e.g. `group`
            // and `all` both giving `all`) is the last element.
            if e.1.last() != Some(&i) {
                e.1.push(i);
            }
        }
    }
    labels
        .into_iter()
        .map(|(label, (primary, members))| GroupLabel {
            label,
            primary,
            members,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::pairs::tests::{event, spec};

    fn pair(event: usize, security: &str, group: &str, analysed: bool) -> Pair {
        Pair {
            event,
            security: security.into(),
            group: group.into(),
            sec: 0,
            day0: None,
            result: analysed.then_some(0),
        }
    }

    #[test]
    fn every_grouping_labels_the_analysed_pairs() {
        let mut e1 = event("E1", 2, &["A", "B"], Some("g"), None);
        e1.category = "policy".into();
        let e2 = event("E2", 3, &["A", "B"], None, None);
        let securities = SecurityTable::new(vec![spec("A", "", "", "chips")], None);
        let pairs = [
            pair(0, "A", "g", true),
            pair(0, "B", "g", false),
            pair(1, "A", "all", true),
            pair(1, "B", "all", true),
        ];
        let groupings: Vec<Grouping> = ["group", "all", "category", "security_group", "event"]
            .iter()
            .map(|g| g.parse::<Grouping>().unwrap())
            .collect();
        let labels = label_pairs(&pairs, &[e1, e2], &securities, &groupings);
        let got: Vec<(&str, bool, &[usize])> = labels
            .iter()
            .map(|g| (g.label.as_str(), g.primary, g.members.as_slice()))
            .collect();
        let expected: [(&str, bool, &[usize]); 8] = [
            ("all", true, &[0, 2, 3]),
            ("category:none", false, &[2, 3]),
            ("category:policy", false, &[0]),
            ("event:E1", false, &[0]),
            ("event:E2", false, &[2, 3]),
            ("g", true, &[0]),
            ("security_group:chips", false, &[0, 2]),
            ("security_group:none", false, &[3]),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn unknown_grouping_names_are_refused() {
        assert_eq!("event".parse::<Grouping>().ok(), Some(Grouping::Event));
        assert!("sector".parse::<Grouping>().is_err());
    }
}
