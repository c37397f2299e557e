//! Multiple-testing adjusted p-values (§8.9): Holm's (1979) step-down family-wise error rate
//! control and Benjamini & Hochberg's (1995) step-up false discovery rate control, and their
//! application to the `tests` table by declared family.
//!
//! Reference: Holm, S. (1979), A simple sequentially rejective multiple test procedure,
//! Scand. J. Statist. 6(2), 65–70; Benjamini, Y. & Hochberg, Y. (1995), Controlling the false
//! discovery rate, JRSS B 57(1), 289–300.

use super::kind::{vocabulary, UnknownName};
use crate::tables::TestRow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

vocabulary! {
    /// A p-value adjustment of `[multiple_testing] methods` (§8.9).
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::Adjustment;
    /// assert_eq!("bh".parse::<Adjustment>(), Ok(Adjustment::BenjaminiHochberg));
    /// assert_eq!(Adjustment::Holm.column(), "p_holm");
    /// ```
    Adjustment, "method", 2 {
        /// Holm (1979) step-down: family-wise error rate.
        Holm => "holm",
        /// Benjamini–Hochberg (1995) step-up: false discovery rate.
        BenjaminiHochberg => "bh",
    }
}

vocabulary! {
    /// Which `tests` rows form one family of `[multiple_testing]` (§8.9).
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::Family;
    /// assert_eq!("test_window".parse::<Family>(), Ok(Family::TestWindow));
    /// ```
    Family, "family", 2 {
        /// One family per test and scope: all its windows (or days) × groups × clusters.
        Test => "test",
        /// One family per test, scope and window (or day): its groups × clusters.
        TestWindow => "test_window",
    }
}

impl Adjustment {
    /// The name of the `tests` column holding this adjustment: `p_holm` or `p_bh`.
    pub const fn column(self) -> &'static str {
        match self {
            Adjustment::Holm => "p_holm",
            Adjustment::BenjaminiHochberg => "p_bh",
        }
    }

    /// The adjusted p-values of `p` ([`holm`] or [`benjamini_hochberg`]).
    pub fn adjust(self, p: &[Option<f64>]) -> Vec<Option<f64>> {
        match self {
            Adjustment::Holm => holm(p),
            Adjustment::BenjaminiHochberg => benjamini_hochberg(p),
        }
    }
}

/// The positions of the finite p-values of `p` in ascending order of p (ties in input
/// order): the family; NA p-values are not part of it.
fn ascending(p: &[Option<f64>]) -> Vec<(usize, f64)> {
    let mut v: Vec<(usize, f64)> = p
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.filter(|x| x.is_finite()).map(|x| (i, x)))
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1));
    v
}

/// Holm's step-down adjusted p-values; None where `p` is None (or not finite), which is not
/// counted in the family size m.
///
/// # Formula
/// With p_(1) ≤ … ≤ p_(m): p̃_(j) = min(1, max_{k ≤ j} (m − k + 1)·p_(k)) (Holm 1979).
///
/// # Examples
/// ```
/// use evstudy::stats::holm;
/// let adj = holm(&[Some(0.01), None, Some(0.04), Some(0.03)]);
/// // m = 3: 3·0.01, max(0.03, 2·0.03), max(0.06, 1·0.04)
/// assert_eq!(adj[1], None);
/// assert!((adj[0].unwrap() - 0.03).abs() < 1e-15);
/// assert!((adj[3].unwrap() - 0.06).abs() < 1e-15);
/// assert!((adj[2].unwrap() - 0.06).abs() < 1e-15);
/// ```
pub fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let order = ascending(p);
    let m = order.len();
    let mut out = vec![None; p.len()];
    let mut running = 0.0f64;
    for (j, &(i, x)) in order.iter().enumerate() {
        running = running.max((m - j) as f64 * x);
        out[i] = Some(running.min(1.0));
    }
    out
}

/// Benjamini–Hochberg step-up adjusted p-values; None where `p` is None (or not finite),
/// which is not counted in the family size m.
///
/// # Formula
/// With p_(1) ≤ … ≤ p_(m): p̃_(j) = min(1, min_{k ≥ j} p_(k) / (k/m)) (Benjamini & Hochberg
/// 1995).
///
/// # Examples
/// ```
/// use evstudy::stats::benjamini_hochberg;
/// let adj = benjamini_hochberg(&[Some(0.01), Some(0.04), Some(0.03), None]);
/// // m = 3: min(0.03, 0.045, 0.04) = 0.03; min(0.045, 0.04) = 0.04; 0.04
/// assert!((adj[0].unwrap() - 0.03).abs() < 1e-15);
/// assert!((adj[2].unwrap() - 0.04).abs() < 1e-15);
/// assert!((adj[1].unwrap() - 0.04).abs() < 1e-15);
/// assert_eq!(adj[3], None);
/// ```
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let order = ascending(p);
    let m = order.len();
    let mut out = vec![None; p.len()];
    let mut running = f64::INFINITY;
    for (j, &(i, x)) in order.iter().enumerate().rev() {
        running = running.min(x / ((j + 1) as f64 / m as f64));
        out[i] = Some(running.min(1.0));
    }
    out
}

/// The declared adjustments of `[multiple_testing]` (§8.9).
#[derive(Debug, Clone, PartialEq)]
pub struct MultipleTesting {
    /// Adjustments, in declaration order (each at most once).
    pub methods: Vec<Adjustment>,
    /// Which rows form one family.
    pub family: Family,
    /// The adjustment the report marks significance with, when set (one of `methods`).
    pub mark: Option<Adjustment>,
}

/// The family of a row: test and scope, plus window and day for [`Family::TestWindow`].
type FamilyKey = (usize, usize, Option<String>, Option<i32>);

fn family_key(family: Family, r: &TestRow) -> FamilyKey {
    let (test, scope) = (r.test.position(), r.scope.position());
    match family {
        Family::Test => (test, scope, None, None),
        Family::TestWindow => (test, scope, r.window.clone(), r.rel_day),
    }
}

/// Appends the adjusted p-values of every declared method to every row of `rows` (extra cells
/// `p_bh`, `p_holm`, in column-name order) and returns one note per family that holds a single
/// p-value (its adjusted p equals its p).
pub fn adjust_test_rows(rows: &mut [TestRow], mt: &MultipleTesting) -> Vec<String> {
    let mut families: BTreeMap<FamilyKey, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        families
            .entry(family_key(mt.family, r))
            .or_default()
            .push(i);
    }
    let mut methods = mt.methods.clone();
    methods.sort_by_key(|m| m.column());
    let mut adjusted: Vec<Vec<Option<f64>>> = vec![vec![None; methods.len()]; rows.len()];
    let mut singles: Vec<String> = Vec::new();
    for (key, members) in &families {
        let p: Vec<Option<f64>> = members.iter().map(|&i| rows[i].p_value).collect();
        if p.iter().flatten().filter(|x| x.is_finite()).count() == 1 {
            let r = &rows[members[0]];
            let at = key.2.clone().or(key.3.map(|t| t.to_string()));
            singles.push(match at {
                Some(at) => format!("{} {} {at}", r.test, r.scope),
                None => format!("{} {}", r.test, r.scope),
            });
        }
        for (m, method) in methods.iter().enumerate() {
            for (&i, a) in members.iter().zip(method.adjust(&p)) {
                adjusted[i][m] = a;
            }
        }
    }
    for (r, a) in rows.iter_mut().zip(adjusted) {
        r.extras = methods
            .iter()
            .zip(a)
            .map(|(m, v)| (m.column().to_string(), v))
            .collect();
    }
    if singles.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "multiple_testing: {} famil{} of family = \"{}\" hold a single p-value, so the \
         adjusted p equals the p ({}{}); family = \"test\" pools windows and groups",
        singles.len(),
        if singles.len() == 1 { "y" } else { "ies" },
        mt.family,
        singles[..singles.len().min(3)].join(", "),
        if singles.len() > 3 { ", …" } else { "" },
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Rows of `tests/fixtures/multiple/` (make_fixtures.py, statsmodels `multipletests`):
    /// case, p (empty = NA), holm, fdr_bh.
    fn fixture() -> BTreeMap<String, Vec<[Option<f64>; 3]>> {
        let text = include_str!("../../tests/fixtures/multiple/cases.csv");
        let mut out: BTreeMap<String, Vec<[Option<f64>; 3]>> = BTreeMap::new();
        for l in text.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            let v = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().unwrap());
            out.entry(f[0].to_string())
                .or_default()
                .push([v(f[1]), v(f[2]), v(f[3])]);
        }
        out
    }

    #[test]
    fn adjustments_match_statsmodels() {
        let cases = fixture();
        assert!(cases.len() >= 4);
        for (name, rows) in cases {
            let p: Vec<Option<f64>> = rows.iter().map(|r| r[0]).collect();
            for (col, adj) in [(1, holm(&p)), (2, benjamini_hochberg(&p))] {
                for (r, a) in rows.iter().zip(&adj) {
                    match (r[col], a) {
                        (Some(e), Some(a)) => assert_relative_eq!(*a, e, max_relative = 1e-12),
                        (None, None) => {}
                        other => panic!("{name}: {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn rows_get_columns_by_family_and_single_families_are_noted() {
        use crate::stats::{Scope, TestKind};
        let row = |group: &str, window: &str, test: TestKind, p: Option<f64>| TestRow {
            group: group.into(),
            scope: Scope::Car,
            window: Some(window.into()),
            rel_day: None,
            test,
            statistic: p,
            p_value: p,
            df: None,
            n: 10,
            cluster: None,
            extras: Vec::new(),
        };
        let mut rows = vec![
            row("a", "0:1", TestKind::CsectT, Some(0.01)),
            row("b", "0:1", TestKind::CsectT, Some(0.04)),
            row("a", "0:5", TestKind::CsectT, Some(0.03)),
            row("a", "0:1", TestKind::GrankT, Some(0.02)),
            row("b", "0:1", TestKind::GrankT, None),
        ];
        let mt = MultipleTesting {
            methods: vec![Adjustment::Holm, Adjustment::BenjaminiHochberg],
            family: Family::Test,
            mark: None,
        };
        let notes = adjust_test_rows(&mut rows, &mt);
        assert_eq!(rows[0].extras[0].0, "p_bh");
        assert_eq!(rows[0].extras[1].0, "p_holm");
        assert_relative_eq!(rows[0].extras[1].1.unwrap(), 0.03, max_relative = 1e-15);
        assert_relative_eq!(rows[1].extras[1].1.unwrap(), 0.06, max_relative = 1e-15);
        assert_eq!(rows[3].extras[1].1, Some(0.02));
        assert_eq!(
            rows[4].extras,
            [("p_bh".into(), None), ("p_holm".into(), None)]
        );
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("1 family") && notes[0].contains("grank_t car"));
        let by_window = MultipleTesting {
            family: Family::TestWindow,
            ..mt
        };
        let notes = adjust_test_rows(&mut rows, &by_window);
        assert_relative_eq!(rows[2].extras[1].1.unwrap(), 0.03, max_relative = 1e-15);
        assert_relative_eq!(rows[1].extras[1].1.unwrap(), 0.04, max_relative = 1e-15);
        assert!(notes[0].contains("2 families"), "{notes:?}");
    }
}
