//! Table rows from computed statistics (methodology §12): the labels of a `tests` or
//! `aggregate` row and the row itself.

use super::aggregate::describe;
use super::kind::{Metric, Scope, TestKind};
use super::TestStat;
use crate::tables::{AggregateRow, TestRow};

/// Where a row belongs within its scope: one relative day or one window.
pub(super) enum At {
    /// Relative day t (the `rel_day` column).
    Day(i32),
    /// A window by its label `a:b` (the `window` column).
    Window(String),
}

impl At {
    fn window(&self) -> Option<String> {
        match self {
            At::Day(_) => None,
            At::Window(label) => Some(label.clone()),
        }
    }

    fn rel_day(&self) -> Option<i32> {
        match self {
            At::Day(t) => Some(*t),
            At::Window(_) => None,
        }
    }
}

/// The labels every row of one group (or of one same-date cluster of it) shares.
pub(super) struct RowLabels<'a> {
    pub group: &'a str,
    /// The portfolio cluster id (§10); None for the group's own tests.
    pub cluster: Option<&'a str>,
}

impl RowLabels<'_> {
    /// The `tests` row of test `kind` at `at` (statistic, p-value and df empty when NA).
    pub fn test_row(
        &self,
        scope: Scope,
        at: &At,
        kind: TestKind,
        stat: Option<TestStat>,
        n: u32,
    ) -> TestRow {
        TestRow {
            group: self.group.to_string(),
            scope,
            window: at.window(),
            rel_day: at.rel_day(),
            test: kind,
            statistic: stat.map(|s| s.statistic),
            p_value: stat.map(|s| s.p_value),
            df: stat.and_then(|s| s.df),
            n,
            cluster: self.cluster.map(str::to_string),
            extras: Vec::new(),
        }
    }

    /// The `aggregate` row of `metric` at `at`: the summary of the values `x` (§5.5).
    pub fn aggregate_row(&self, metric: Metric, at: &At, x: &[f64]) -> AggregateRow {
        let s = describe(x);
        AggregateRow {
            group: self.group.to_string(),
            metric,
            window: at.window(),
            rel_day: at.rel_day(),
            n: s.n as u32,
            mean: s.mean,
            median: s.median,
            share_positive: s.share_positive,
            sd: s.sd,
        }
    }
}
