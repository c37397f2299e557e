//! Group labels (`aggregate_by`): which analysed pairs each aggregate and test row pools.

use super::pairs::Pair;
use super::securities::SecurityTable;
use crate::calendar::EventRecord;
use crate::vocab::{Grouping, GroupingSpec};
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
        Grouping::Group => (p.group.to_string(), true),
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

/// The label of pair `p` under an `aggregate_by` entry: a single grouping's [`label`], or for
/// a combination the single labels joined by `*`, the `group` part written `group:<name>`
/// (never primary, like `category`).
fn spec_label(
    spec: &GroupingSpec,
    p: &Pair,
    ev: &EventRecord,
    securities: &SecurityTable,
) -> (String, bool) {
    if let [single] = spec.parts() {
        return label(*single, p, ev, securities);
    }
    let parts: Vec<String> = spec
        .parts()
        .iter()
        .map(|&g| match g {
            Grouping::Group => format!("group:{}", p.group),
            _ => label(g, p, ev, securities).0,
        })
        .collect();
    (parts.join("*"), false)
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
    groupings: &[GroupingSpec],
) -> Vec<GroupLabel> {
    let mut labels: BTreeMap<String, (bool, Vec<usize>)> = BTreeMap::new();
    for (i, p) in pairs.iter().enumerate() {
        if p.result.is_none() {
            continue;
        }
        let ev = &events[p.event];
        for g in groupings {
            let (label, primary) = spec_label(g, p, ev, securities);
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
        let groupings: Vec<GroupingSpec> = ["group", "all", "category", "security_group", "event"]
            .iter()
            .map(|g| g.parse::<GroupingSpec>().unwrap())
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
    fn combinations_label_the_pairs_in_every_single_group() {
        let mut e1 = event("E1", 2, &["A", "B"], Some("g"), None);
        e1.category = "policy".into();
        let mut e2 = event("E2", 3, &["A", "B"], None, None);
        e2.category = "release".into();
        let securities = SecurityTable::new(
            vec![spec("A", "", "", "chips"), spec("B", "", "", "platforms")],
            None,
        );
        let pairs = [
            pair(0, "A", "g", true),
            pair(0, "B", "g", true),
            pair(1, "A", "all", true),
            pair(1, "B", "all", false),
        ];
        let specs = |names: &[&str]| -> Vec<GroupingSpec> {
            names.iter().map(|g| g.parse().unwrap()).collect()
        };
        let cross = label_pairs(
            &pairs,
            &[e1.clone(), e2.clone()],
            &securities,
            &specs(&["security_group*group*category"]),
        );
        let got: Vec<(&str, bool, &[usize])> = cross
            .iter()
            .map(|g| (g.label.as_str(), g.primary, g.members.as_slice()))
            .collect();
        let expected: [(&str, bool, &[usize]); 3] = [
            (
                "security_group:chips*group:all*category:release",
                false,
                &[2],
            ),
            ("security_group:chips*group:g*category:policy", false, &[0]),
            (
                "security_group:platforms*group:g*category:policy",
                false,
                &[1],
            ),
        ];
        assert_eq!(got, expected);

        // Each combination's members are the intersection of its single groups' members.
        let singles = label_pairs(
            &pairs,
            &[e1.clone(), e2.clone()],
            &securities,
            &specs(&["category", "security_group"]),
        );
        let members = |l: &str| -> Vec<usize> {
            singles
                .iter()
                .find(|g| g.label == l)
                .unwrap()
                .members
                .clone()
        };
        let combos = label_pairs(
            &pairs,
            &[e1, e2],
            &securities,
            &specs(&["category*security_group"]),
        );
        assert_eq!(combos.len(), 3);
        for c in &combos {
            let (a, b) = c.label.split_once('*').unwrap();
            let (ma, mb) = (members(a), members(b));
            let both: Vec<usize> = ma.into_iter().filter(|i| mb.contains(i)).collect();
            assert_eq!(c.members, both, "{}", c.label);
        }
    }

    #[test]
    fn combination_names_are_checked() {
        let err = |s: &str| s.parse::<GroupingSpec>().unwrap_err().to_string();
        assert_eq!(
            err("category*sector"),
            "configuration: aggregate_by 'category*sector': unknown grouping 'sector' in the \
             combination (group, all, category, security_group, event joined by '*')"
        );
        assert_eq!(
            err("event*category*event"),
            "configuration: aggregate_by 'event*category*event': 'event' appears twice in the \
             combination; list each grouping once"
        );
        assert!(err("category*").contains("unknown grouping ''"));
        assert_eq!(
            err("sector"),
            "configuration: unknown aggregate_by 'sector' (group, all, category, security_group, event)"
        );
        let spec: GroupingSpec = "group * event".parse().unwrap();
        assert_eq!(spec.parts(), [Grouping::Group, Grouping::Event]);
    }

    #[test]
    fn unknown_grouping_names_are_refused() {
        assert_eq!("event".parse::<Grouping>().ok(), Some(Grouping::Event));
        assert!("sector".parse::<Grouping>().is_err());
    }
}
