//! The `differences` table (§7.5, §12): for each declared pair of group labels and window,
//! the CARs of the members of each label (the members of the `aggregate` rows), compared
//! with Welch's t and the Mann–Whitney U test.

use super::groups::GroupLabel;
use super::pairs::Pair;
use crate::abnormal::PairBatch;
use crate::design::DifferencePair;
use crate::stats::group_difference;
use crate::tables::DifferenceRow;

/// The difference rows of `declared` and the warnings of labels that name no analysed group.
pub(crate) struct Differences {
    /// One row per declared pair × window, in declaration order.
    pub rows: Vec<DifferenceRow>,
    /// One line per label that names no analysed group.
    pub warnings: Vec<String>,
}

/// [`difference_rows`] of the analysed pairs: a label's CARs in window `w` are those of its
/// members whose window is complete with a finite CAR and SCAR, the test set of the
/// `aggregate` CAR row (§7.2), so `caar_a`/`caar_b` are that row's CAAR.
pub(crate) fn group_differences(
    declared: &[DifferencePair],
    window_labels: &[String],
    labels: &[GroupLabel],
    pairs: &[Pair],
    batch: &PairBatch,
) -> Differences {
    let cars = |label: &str, w: usize| -> Option<Vec<f64>> {
        let group = labels.iter().find(|g| g.label == label)?;
        let complete = group.members.iter().filter_map(|&i| {
            let p = &pairs[i];
            p.day0?;
            let view = batch.get(p.result?).ok()?;
            let win = view.windows.get(w).filter(|x| x.complete)?;
            match (win.car, win.scar) {
                (Some(car), Some(scar)) if car.is_finite() && scar.is_finite() => Some(car),
                _ => None,
            }
        });
        Some(complete.collect())
    };
    difference_rows(declared, window_labels, &cars)
}

/// The rows of every declared pair and window. `cars(label, w)` gives the CARs of the
/// members of `label` in event window `w` (the complete windows, as in `aggregate`), or
/// `None` when no analysed group has that label: then the rows of that pair have n = 0 on
/// that side and empty statistics, and a warning names the label.
pub(crate) fn difference_rows(
    declared: &[DifferencePair],
    window_labels: &[String],
    cars: &dyn Fn(&str, usize) -> Option<Vec<f64>>,
) -> Differences {
    let mut out = Differences {
        rows: Vec::new(),
        warnings: Vec::new(),
    };
    for (i, pair) in declared.iter().enumerate() {
        for label in [&pair.a, &pair.b] {
            if cars(label, 0).is_none() {
                out.warnings.push(format!(
                    "differences[{i}]: no analysed group has the label '{label}' \
                     (labels are those of the aggregate table)"
                ));
            }
        }
        for &w in &pair.windows {
            let a = cars(&pair.a, w).unwrap_or_default();
            let b = cars(&pair.b, w).unwrap_or_default();
            let d = group_difference(&a, &b);
            out.rows.push(DifferenceRow {
                group_a: pair.a.clone(),
                group_b: pair.b.clone(),
                window: window_labels[w].clone(),
                n_a: d.n_a as u32,
                n_b: d.n_b as u32,
                caar_a: d.mean_a,
                caar_b: d.mean_b,
                difference: d.difference,
                welch_t: d.welch_t,
                welch_df: d.welch_df,
                welch_p: d.welch_p,
                mann_whitney_u: d.mann_whitney_u,
                mann_whitney_z: d.mann_whitney_z,
                mann_whitney_p: d.mann_whitney_p,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The `unequal_sizes` case of `tests/fixtures/difference/` (scipy, make_fixtures.py).
    fn fixture(group: &str) -> Vec<f64> {
        let text = include_str!("../../tests/fixtures/difference/inputs.csv");
        text.lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0] == "unequal_sizes" && f[1] == group).then(|| f[2].parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn rows_match_scipy_and_unknown_labels_warn() {
        let declared = vec![
            DifferencePair {
                a: "A".into(),
                b: "B".into(),
                windows: vec![1],
            },
            DifferencePair {
                a: "A".into(),
                b: "missing".into(),
                windows: vec![0, 1],
            },
        ];
        let windows = ["-1:1".to_string(), "0:5".to_string()];
        let cars = |label: &str, _w: usize| match label {
            "A" => Some(fixture("a")),
            "B" => Some(fixture("b")),
            _ => None,
        };
        let d = difference_rows(&declared, &windows, &cars);
        assert_eq!(d.rows.len(), 3);
        let r = &d.rows[0];
        assert_eq!((r.group_a.as_str(), r.window.as_str()), ("A", "0:5"));
        assert_eq!((r.n_a, r.n_b), (25, 41));
        let e = 1e-10;
        assert_relative_eq!(r.caar_a.unwrap(), 0.015182111131633291, max_relative = e);
        assert_relative_eq!(r.caar_b.unwrap(), 0.004479489339029342, max_relative = e);
        assert_relative_eq!(r.difference.unwrap(), 0.01070262179260395, max_relative = e);
        assert_relative_eq!(r.welch_t.unwrap(), 0.9682268107743265, max_relative = e);
        assert_relative_eq!(r.welch_df.unwrap(), 53.96917199514648, max_relative = e);
        assert_relative_eq!(r.welch_p.unwrap(), 0.3372502607478684, max_relative = e);
        assert_relative_eq!(r.mann_whitney_u.unwrap(), 585.0, max_relative = e);
        assert_relative_eq!(
            r.mann_whitney_z.unwrap(),
            0.9583613608643744,
            max_relative = e
        );
        assert_relative_eq!(
            r.mann_whitney_p.unwrap(),
            0.33788057210744626,
            max_relative = e
        );
        let m = &d.rows[2];
        assert_eq!((m.window.as_str(), m.n_a, m.n_b), ("0:5", 25, 0));
        assert_eq!((m.caar_b, m.difference, m.welch_t), (None, None, None));
        assert_eq!(d.warnings.len(), 1);
        assert!(d.warnings[0].contains("'missing'"), "{}", d.warnings[0]);
    }
}
