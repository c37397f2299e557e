//! The headline table (§12): one row per group label × event window, every number copied
//! from the `aggregate` (`metric = car`) and `tests` (`scope = car`) rows of that group and
//! window, so the headline always equals those tables.

use crate::tables::{AggregateRow, HeadlineRow, TestRow};
use crate::vocab::{Metric, Scope, TestKind};
use std::collections::HashMap;

/// Prefix of the per-event labels, which are left out of the headline.
const EVENT_LABEL_PREFIX: &str = "event:";

/// The headline rows of `aggregate` and `tests`, in the order of the `aggregate` CAR rows.
/// Labels `event:…` are per-event results and are left out. A test missing from `tests`
/// leaves its statistic and p-value empty.
pub(crate) fn headline_rows(aggregate: &[AggregateRow], tests: &[TestRow]) -> Vec<HeadlineRow> {
    let mut stats: HashMap<(&str, &str, TestKind), &TestRow> = HashMap::new();
    for t in tests {
        if let (Scope::Car, Some(w)) = (t.scope, t.window.as_deref()) {
            stats.insert((t.group.as_str(), w, t.test), t);
        }
    }
    aggregate
        .iter()
        .filter(|a| a.metric == Metric::Car && !a.group.starts_with(EVENT_LABEL_PREFIX))
        .filter_map(|a| {
            let window = a.window.as_deref()?;
            let get = |k: TestKind| stats.get(&(a.group.as_str(), window, k)).copied();
            let (csect_t, csect_p) = pick(get(TestKind::CsectT));
            let (adj_bmp_t, adj_bmp_p) = pick(get(TestKind::AdjBmpT));
            let (grank_t, grank_p) = pick(get(TestKind::GrankT));
            Some(HeadlineRow {
                group: a.group.clone(),
                window: window.to_string(),
                n: a.n,
                caar: a.mean,
                share_positive: a.share_positive,
                csect_t,
                csect_p,
                adj_bmp_t,
                adj_bmp_p,
                grank_t,
                grank_p,
            })
        })
        .collect()
}

/// Statistic and p-value of a test row, empty when the row is missing.
fn pick(row: Option<&TestRow>) -> (Option<f64>, Option<f64>) {
    (row.and_then(|r| r.statistic), row.and_then(|r| r.p_value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agg(group: &str, metric: Metric, window: Option<&str>, n: u32, mean: f64) -> AggregateRow {
        AggregateRow {
            group: group.into(),
            metric,
            window: window.map(String::from),
            rel_day: None,
            n,
            mean: Some(mean),
            median: Some(0.5),
            share_positive: Some(0.25),
            sd: Some(0.1),
        }
    }

    fn test(group: &str, scope: Scope, window: &str, test: TestKind, stat: f64) -> TestRow {
        TestRow {
            group: group.into(),
            scope,
            window: Some(window.into()),
            rel_day: None,
            test,
            statistic: Some(stat),
            p_value: Some(stat / 100.0),
            df: None,
            n: 4,
            cluster: None,
            extras: Vec::new(),
        }
    }

    #[test]
    fn copies_car_rows_in_aggregate_order_without_event_labels() {
        let aggregate = vec![
            agg("all", Metric::Ar, None, 4, 9.0),
            agg("all", Metric::Car, Some("0:5"), 4, 0.02),
            agg("all", Metric::Bhar, Some("0:5"), 4, 9.0),
            agg("all", Metric::Car, Some("-1:1"), 3, -0.01),
            agg("event:E1", Metric::Car, Some("0:5"), 1, 0.3),
        ];
        let tests = vec![
            test("all", Scope::Car, "0:5", TestKind::CsectT, 2.5),
            test("all", Scope::Car, "0:5", TestKind::AdjBmpT, 1.5),
            test("all", Scope::Car, "0:5", TestKind::GrankT, 0.5),
            test("all", Scope::Car, "0:5", TestKind::PatellZ, 7.0),
            test("all", Scope::Bhar, "0:5", TestKind::CsectT, 8.0),
            test("all", Scope::Car, "-1:1", TestKind::CsectT, -1.0),
        ];
        let rows = headline_rows(&aggregate, &tests);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            HeadlineRow {
                group: "all".into(),
                window: "0:5".into(),
                n: 4,
                caar: Some(0.02),
                share_positive: Some(0.25),
                csect_t: Some(2.5),
                csect_p: Some(0.025),
                adj_bmp_t: Some(1.5),
                adj_bmp_p: Some(0.015),
                grank_t: Some(0.5),
                grank_p: Some(0.005),
            }
        );
        assert_eq!(rows[1].window, "-1:1");
        assert_eq!(rows[1].n, 3);
        assert_eq!(rows[1].csect_t, Some(-1.0));
        assert_eq!((rows[1].adj_bmp_t, rows[1].grank_p), (None, None));
    }
}
