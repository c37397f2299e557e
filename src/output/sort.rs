//! Row order of the output tables (methodology §12), so that reruns are byte-identical.

use std::cmp::Ordering;

use crate::tables::{AggregateRow, StudyTables, TestRow};

/// Sort key of a window: its position in the configuration, then (for windows that are not
/// configured) the numeric bounds `a:b`, then the text.
fn window_cmp(order: &[String], x: &str, y: &str) -> Ordering {
    let pos = |w: &str| order.iter().position(|o| o == w).unwrap_or(order.len());
    let bounds = |w: &str| -> Option<(i64, i64)> {
        let (a, b) = w.split_once(':')?;
        Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
    };
    pos(x)
        .cmp(&pos(y))
        .then_with(|| bounds(x).cmp(&bounds(y)))
        .then_with(|| x.as_bytes().cmp(y.as_bytes()))
}

/// Compares optional windows; `None` first.
fn opt_window_cmp(order: &[String], x: &Option<String>, y: &Option<String>) -> Ordering {
    match (x, y) {
        (Some(a), Some(b)) => window_cmp(order, a, b),
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

/// Sorts every table of `tables` in the row order of methodology §12.
///
/// * `abnormal_returns`: event_id, security, rel_day;
/// * `cars`: event_id, security, window in configuration order (`window_order`);
/// * `model_fits`: event_id, security;
/// * `aggregate`: group, metric ([`Metric::ALL`](crate::stats::Metric::ALL): `ar`, `car`, `bhar`), rel_day / window order;
/// * `tests`: group, cluster (empty first), scope ([`Scope::ALL`](crate::stats::Scope::ALL): `day`, `car`, `bhar`), rel_day / window
///   order, test order ([`TestKind::ALL`](crate::stats::TestKind::ALL));
/// * `exclusions`: event_id, security, stage (input, day0, estimation, event_day, car,
///   portfolio), then the row's `order` key;
/// * `day0`: event_id, security.
///
/// Strings compare in byte order. Windows missing from `window_order` sort after the configured
/// ones (by their bounds); unknown metrics, scopes and tests sort after the known ones by name.
/// The sort is stable: rows equal on every key keep their relative order.
///
/// # Examples
///
/// ```
/// use evstudy::output::sort_tables;
/// use evstudy::tables::{CarRow, StudyTables};
/// let row = |id: &str, w: &str| CarRow {
///     event_id: id.into(), security: "S1".into(), group: "all".into(), window: w.into(),
///     car: None, car_se: None, car_t: None, car_p: None, scar: None, bhar: None, n_days: 0,
///     extras: vec![],
/// };
/// let mut t = StudyTables::default();
/// t.cars = vec![row("E2", "-1:1"), row("E10", "0:3"), row("E10", "-1:1")];
/// sort_tables(&mut t, &["-1:1".to_string(), "0:3".to_string()]);
/// let keys: Vec<_> = t.cars.iter().map(|r| (r.event_id.as_str(), r.window.as_str())).collect();
/// assert_eq!(keys, [("E10", "-1:1"), ("E10", "0:3"), ("E2", "-1:1")]);
/// ```
pub fn sort_tables(tables: &mut StudyTables, window_order: &[String]) {
    let wo = window_order;
    stable_sort(&mut tables.abnormal_returns, |x, y| {
        by_event(&x.event_id, &x.security, &y.event_id, &y.security)
            .then_with(|| x.rel_day.cmp(&y.rel_day))
    });
    stable_sort(&mut tables.cars, |x, y| {
        by_event(&x.event_id, &x.security, &y.event_id, &y.security)
            .then_with(|| window_cmp(wo, &x.window, &y.window))
    });
    stable_sort(&mut tables.model_fits, |x, y| {
        by_event(&x.event_id, &x.security, &y.event_id, &y.security)
    });
    stable_sort(&mut tables.aggregate, |x, y| aggregate_cmp(wo, x, y));
    stable_sort(&mut tables.tests, |x, y| test_cmp(wo, x, y));
    stable_sort(&mut tables.exclusions, |x, y| {
        by_event(&x.event_id, &x.security, &y.event_id, &y.security)
            .then_with(|| x.stage.cmp(&y.stage))
            .then_with(|| x.order.cmp(&y.order))
    });
    stable_sort(&mut tables.day0, |x, y| {
        by_event(&x.event_id, &x.security, &y.event_id, &y.security)
    });
}

/// `rows` sorted stably by `cmp`; left as they are when already in order (a stable sort
/// would not move them), so that a table made in order, as the per-pair rows of a large
/// study are, costs one pass and no sort buffer (half the table's size).
fn stable_sort<T>(rows: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if !rows.is_sorted_by(|x, y| cmp(x, y) != Ordering::Greater) {
        rows.sort_by(cmp);
    }
}

/// Byte order of event_id, then of security.
fn by_event(x_event: &str, x_security: &str, y_event: &str, y_security: &str) -> Ordering {
    x_event
        .as_bytes()
        .cmp(y_event.as_bytes())
        .then_with(|| x_security.as_bytes().cmp(y_security.as_bytes()))
}

/// The cluster as sort key: rows without a cluster sort as the empty name.
fn cluster_key(c: &Option<String>) -> &[u8] {
    c.as_deref().unwrap_or("").as_bytes()
}

/// `aggregate` order: group, metric ([`Metric::ALL`](crate::stats::Metric::ALL)(crate::stats::Metric::ALL)), rel_day,
/// window.
fn aggregate_cmp(wo: &[String], x: &AggregateRow, y: &AggregateRow) -> Ordering {
    x.group
        .as_bytes()
        .cmp(y.group.as_bytes())
        .then_with(|| x.metric.position().cmp(&y.metric.position()))
        .then_with(|| x.rel_day.cmp(&y.rel_day))
        .then_with(|| opt_window_cmp(wo, &x.window, &y.window))
}

/// `tests` order: group, cluster (none first), scope ([`Scope::ALL`](crate::stats::Scope::ALL)), rel_day, window, test
/// ([`TestKind::ALL`](crate::stats::TestKind::ALL)(crate::stats::TestKind::ALL)).
fn test_cmp(wo: &[String], x: &TestRow, y: &TestRow) -> Ordering {
    x.group
        .as_bytes()
        .cmp(y.group.as_bytes())
        .then_with(|| cluster_key(&x.cluster).cmp(cluster_key(&y.cluster)))
        .then_with(|| x.scope.position().cmp(&y.scope.position()))
        .then_with(|| x.rel_day.cmp(&y.rel_day))
        .then_with(|| opt_window_cmp(wo, &x.window, &y.window))
        .then_with(|| x.test.position().cmp(&y.test.position()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{ExclusionRow, Stage};

    fn test_row(
        cluster: Option<&str>,
        scope: &str,
        window: Option<&str>,
        rel_day: Option<i32>,
        test: &str,
    ) -> TestRow {
        TestRow {
            group: "all".into(),
            scope: scope.parse().unwrap(),
            window: window.map(String::from),
            rel_day,
            test: test.parse().unwrap(),
            statistic: None,
            p_value: None,
            df: None,
            n: 1,
            cluster: cluster.map(String::from),
            extras: Vec::new(),
        }
    }

    fn windows() -> Vec<String> {
        vec!["0:3".to_string(), "-1:1".to_string()]
    }

    #[test]
    fn tests_sorted_by_cluster_scope_window_test() {
        let mut t = StudyTables::default();
        t.tests = vec![
            test_row(Some("PF:B"), "day", None, Some(0), "portfolio_t"),
            test_row(None, "bhar", Some("-1:1"), None, "csect_t"),
            test_row(None, "car", Some("-1:1"), None, "patell_z"),
            test_row(None, "car", Some("0:3"), None, "csect_t"),
            test_row(None, "day", None, Some(1), "csect_t"),
            test_row(None, "day", None, Some(-1), "wilcoxon_z"),
            test_row(None, "day", None, Some(-1), "csect_t"),
            test_row(Some("PF:A"), "car", Some("-1:1"), None, "portfolio_t"),
            test_row(Some("PF:A"), "day", None, Some(3), "portfolio_t"),
        ];
        sort_tables(&mut t, &windows());
        let got: Vec<String> = t
            .tests
            .iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}|{}",
                    r.cluster.clone().unwrap_or_default(),
                    r.scope,
                    r.window.clone().unwrap_or_default(),
                    r.rel_day.map(|d| d.to_string()).unwrap_or_default(),
                    r.test
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "|day||-1|csect_t",
                "|day||-1|wilcoxon_z",
                "|day||1|csect_t",
                // configuration order: 0:3 before -1:1
                "|car|0:3||csect_t",
                "|car|-1:1||patell_z",
                "|bhar|-1:1||csect_t",
                "PF:A|day||3|portfolio_t",
                "PF:A|car|-1:1||portfolio_t",
                "PF:B|day||0|portfolio_t",
            ]
        );
    }

    #[test]
    fn aggregate_metric_order() {
        let row = |metric: &str, window: Option<&str>, rel_day: Option<i32>| AggregateRow {
            group: "all".into(),
            metric: metric.parse().unwrap(),
            window: window.map(String::from),
            rel_day,
            n: 1,
            mean: None,
            median: None,
            share_positive: None,
            sd: None,
        };
        let mut t = StudyTables::default();
        t.aggregate = vec![
            row("bhar", Some("0:3"), None),
            row("car", Some("-1:1"), None),
            row("ar", None, Some(2)),
            row("car", Some("0:3"), None),
            row("ar", None, Some(-1)),
        ];
        sort_tables(&mut t, &windows());
        let got: Vec<(String, String)> = t
            .aggregate
            .iter()
            .map(|r| {
                (
                    r.metric.as_str().to_string(),
                    r.window
                        .clone()
                        .unwrap_or_else(|| r.rel_day.unwrap_or(99).to_string()),
                )
            })
            .collect();
        let want = [
            ("ar", "-1"),
            ("ar", "2"),
            ("car", "0:3"),
            ("car", "-1:1"),
            ("bhar", "0:3"),
        ];
        assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
    }

    #[test]
    fn exclusions_by_event_security_stage_order() {
        let row = |e: &str, stage: Stage, order: i64| ExclusionRow {
            event_id: e.into(),
            security: "S".into(),
            stage,
            reason: crate::vocab::ExclusionReason::MissingReturn,
            detail: String::new(),
            order,
        };
        let mut t = StudyTables::default();
        t.exclusions = vec![
            row("E6", Stage::Car, 1),
            row("E6", Stage::EventDay, 3),
            row("E10", Stage::Day0, 0),
            row("E6", Stage::EventDay, 2),
            row("", Stage::Input, 0),
            row("E6", Stage::Input, 9),
        ];
        sort_tables(&mut t, &windows());
        let got: Vec<(&str, Stage, i64)> = t
            .exclusions
            .iter()
            .map(|r| (r.event_id.as_str(), r.stage, r.order))
            .collect();
        assert_eq!(
            got,
            [
                ("", Stage::Input, 0),
                ("E10", Stage::Day0, 0),
                ("E6", Stage::Input, 9),
                ("E6", Stage::EventDay, 2),
                ("E6", Stage::EventDay, 3),
                ("E6", Stage::Car, 1),
            ]
        );
    }

    #[test]
    fn unknown_windows_after_configured_by_bounds() {
        let order = vec!["0:0".to_string()];
        assert_eq!(window_cmp(&order, "0:0", "-5:5"), Ordering::Less);
        assert_eq!(window_cmp(&order, "-5:5", "-1:1"), Ordering::Less);
        assert_eq!(window_cmp(&order, "-1:1", "-1:2"), Ordering::Less);
    }
}
