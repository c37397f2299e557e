//! The p-values the report judges the headline CAARs by (stars, findings, charted groups):
//! each test's own two-sided p-value or, when the study sets `[multiple_testing] mark`, its
//! Holm or Benjamini–Hochberg adjusted p-value from the same `tests` row (methodology §8.9).

use std::collections::HashMap;

use crate::stats::{Adjustment, Family};
use crate::tables::{HeadlineRow, StudyTables, TestRow};
use crate::vocab::{Scope, TestKind};

/// The headline tests whose adjusted p-values the report may mark with.
const HEADLINE_TESTS: [TestKind; 3] = [TestKind::CsectT, TestKind::AdjBmpT, TestKind::GrankT];

/// How the report marks significance: raw p-values, or adjusted ones with their lookup.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Significance {
    /// The marking adjustment and its family, when `[multiple_testing] mark` is set.
    mark: Option<(Adjustment, Family)>,
    /// (group, window, test) → the adjusted p-value of the `tests` row the headline copies.
    adjusted: HashMap<(String, String, TestKind), Option<f64>>,
}

impl Significance {
    /// The marking of a run: `mark` and `family` from the `config.multiple_testing` table of
    /// `run.json` (family `test` when absent); raw p-values when `mark` is absent or unknown.
    pub(crate) fn new(tables: &StudyTables, run_info: &serde_json::Value) -> Significance {
        let setting = |key: &str| {
            run_info
                .pointer(&format!("/config/multiple_testing/{key}"))
                .and_then(serde_json::Value::as_str)
        };
        let Some(adjustment) = setting("mark").and_then(|m| m.parse::<Adjustment>().ok()) else {
            return Significance::default();
        };
        let family = setting("family")
            .and_then(|f| f.parse::<Family>().ok())
            .unwrap_or(Family::Test);
        Significance::marked(&tables.tests, adjustment, family)
    }

    /// Marking by `adjustment` over `family`, reading the adjusted p-values of `tests`. The
    /// row looked up for a group × window × test is the one the headline copies (scope car,
    /// the last such row), so the stars agree with the headline's statistic.
    pub(crate) fn marked(tests: &[TestRow], adjustment: Adjustment, family: Family) -> Self {
        let column = adjustment.column();
        let mut adjusted = HashMap::new();
        for t in tests {
            let (Scope::Car, Some(w)) = (t.scope, t.window.as_deref()) else {
                continue;
            };
            if !HEADLINE_TESTS.contains(&t.test) {
                continue;
            }
            let p = t
                .extras
                .iter()
                .find(|(name, _)| name == column)
                .and_then(|(_, v)| *v);
            adjusted.insert((t.group.clone(), w.to_string(), t.test), p);
        }
        Significance {
            mark: Some((adjustment, family)),
            adjusted,
        }
    }

    /// The p-value of `test` (one of the headline's three) for a headline row: its own, or
    /// the adjusted one when marking by an adjustment (None when the `tests` row or its
    /// adjusted value is missing).
    pub(crate) fn p(&self, r: &HeadlineRow, test: TestKind) -> Option<f64> {
        if self.mark.is_none() {
            return match test {
                TestKind::AdjBmpT => r.adj_bmp_p,
                TestKind::GrankT => r.grank_p,
                _ => r.csect_p,
            };
        }
        self.adjusted
            .get(&(r.group.clone(), r.window.clone(), test))
            .copied()
            .flatten()
    }

    /// The p-value of the cross-sectional t the report judges a CAAR by.
    pub(crate) fn csect_p(&self, r: &HeadlineRow) -> Option<f64> {
        self.p(r, TestKind::CsectT)
    }

    /// The name of the marking column (`p_holm`, `p_bh`), when marking by an adjustment.
    pub(crate) fn column(&self) -> Option<&'static str> {
        self.mark.map(|(a, _)| a.column())
    }

    /// "Benjamini–Hochberg-adjusted p-values (family: test, methodology §8.9)", or None for
    /// raw p-values.
    pub(crate) fn adjusted_phrase(&self) -> Option<String> {
        let (adjustment, family) = self.mark?;
        let name = match adjustment {
            Adjustment::Holm => "Holm",
            Adjustment::BenjaminiHochberg => "Benjamini–Hochberg",
        };
        Some(format!(
            "{name}-adjusted p-values (family: {}, methodology §8.9)",
            family.as_str()
        ))
    }
}
