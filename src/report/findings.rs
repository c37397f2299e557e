//! The findings in words: a few sentences generated from the `headline` and `differences`
//! tables, shown in the report and in the export's README.

use super::format::{fmt_num, fmt_pct};
use super::significance::Significance;
use crate::tables::{DifferenceRow, HeadlineRow, StudyTables};

/// Significance level of the findings (two-sided p-value of the cross-sectional t, §8.1, and
/// of Welch's t for differences, §7.5).
const LEVEL: f64 = 0.05;
/// Largest number of significant group CAARs named.
const MAX_CAARS: usize = 3;
/// Largest number of significant differences named.
const MAX_DIFFERENCES: usize = 2;

/// The findings as sentences (3 to 8 when the study has headline rows, none without):
/// the criterion, the pooled group's CAARs (said insignificant when none is significant),
/// the largest significant CAARs of the other groups with their t and n, and the significant
/// group differences. Every number is the rounded value of its table row; returns in percent.
/// A CAAR is judged by the p-value of its cross-sectional t that `sig` marks by (raw, or
/// adjusted when `[multiple_testing] mark` is set).
pub(crate) fn findings(tables: &StudyTables, sig: &Significance) -> Vec<String> {
    if tables.headline.is_empty() {
        return Vec::new();
    }
    let criterion = match sig.adjusted_phrase() {
        None => "by the cross-sectional t of the CAAR (methodology §8.1)".to_string(),
        Some(phrase) => format!("by the {phrase} of the cross-sectional t of the CAAR (§8.1)"),
    };
    let mut out = vec![format!(
        "Significance is judged at the {:.0} % level (two-sided) {criterion}{}.",
        100.0 * LEVEL,
        if tables.differences.is_empty() {
            ""
        } else {
            " and, for group differences, by Welch's t (§7.5)"
        }
    )];
    out.push(pooled_sentence(&tables.headline, sig));
    out.extend(group_sentences(&tables.headline, sig));
    out.extend(difference_sentences(&tables.differences));
    out
}

fn significant(p: Option<f64>) -> bool {
    p.is_some_and(|p| p < LEVEL)
}

/// `CAAR −13.12 % over 0:0 (t = −4.200, p = 0.0004000, n = 29)`, with the adjusted p-value
/// after p (`p_bh = 0.001200`) when `sig` marks by one.
fn caar_phrase(r: &HeadlineRow, sig: &Significance) -> String {
    let num = |x: Option<f64>| x.map(fmt_num).unwrap_or_else(|| "NA".into());
    let adjusted = sig
        .column()
        .map(|c| format!(", {c} = {}", num(sig.csect_p(r))))
        .unwrap_or_default();
    format!(
        "{} % over {} (t = {}, p = {}{adjusted}, n = {})",
        fmt_pct(r.caar),
        r.window,
        num(r.csect_t),
        num(r.csect_p),
        r.n
    )
}

/// The pooled group (`all`) in one sentence: its significant windows, or that none is.
fn pooled_sentence(rows: &[HeadlineRow], sig: &Significance) -> String {
    let pooled: Vec<&HeadlineRow> = rows.iter().filter(|r| r.group == "all").collect();
    if pooled.is_empty() {
        return "The study has no pooled group (`all`).".to_string();
    }
    let marked: Vec<&&HeadlineRow> = pooled
        .iter()
        .filter(|r| significant(sig.csect_p(r)))
        .collect();
    let phrases = |rs: &[&&HeadlineRow]| {
        rs.iter()
            .map(|r| caar_phrase(r, sig))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if marked.is_empty() {
        let all: Vec<&&HeadlineRow> = pooled.iter().collect();
        format!(
            "Pooled over all events, no CAAR is significant: {}.",
            phrases(&all)
        )
    } else {
        format!(
            "Pooled over all events, the CAAR is significant in {} of {} windows: {}.",
            marked.len(),
            pooled.len(),
            phrases(&marked)
        )
    }
}

/// The largest significant CAARs of the groups other than `all`, one sentence each.
fn group_sentences(rows: &[HeadlineRow], marking: &Significance) -> Vec<String> {
    let mut sig: Vec<&HeadlineRow> = rows
        .iter()
        .filter(|r| r.group != "all" && significant(marking.csect_p(r)) && r.caar.is_some())
        .collect();
    let others = rows.iter().any(|r| r.group != "all");
    if sig.is_empty() {
        return if others {
            vec!["No other group has a significant CAAR in any window.".to_string()]
        } else {
            Vec::new()
        };
    }
    let total = sig.len();
    sig.sort_by(|a, b| {
        let (x, y) = (a.caar.unwrap_or(0.0).abs(), b.caar.unwrap_or(0.0).abs());
        y.total_cmp(&x)
            .then_with(|| a.group.cmp(&b.group))
            .then_with(|| a.window.cmp(&b.window))
    });
    let mut out: Vec<String> = sig
        .iter()
        .take(MAX_CAARS)
        .enumerate()
        .map(|(k, r)| {
            let lead = if k == 0 {
                "The largest significant CAAR is"
            } else {
                "Next is"
            };
            format!("{lead} {} for {}.", caar_phrase(r, marking), r.group)
        })
        .collect();
    if total > MAX_CAARS {
        out.push(format!(
            "{} further group × window CAARs are significant (see the headline table).",
            total - MAX_CAARS
        ));
    }
    out
}

/// The significant group differences (Welch's t), the largest first.
fn difference_sentences(rows: &[DifferenceRow]) -> Vec<String> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut sig: Vec<&DifferenceRow> = rows
        .iter()
        .filter(|r| significant(r.welch_p) && r.difference.is_some())
        .collect();
    if sig.is_empty() {
        return vec!["No declared group difference is significant.".to_string()];
    }
    sig.sort_by(|a, b| {
        let (x, y) = (
            a.difference.unwrap_or(0.0).abs(),
            b.difference.unwrap_or(0.0).abs(),
        );
        y.total_cmp(&x)
    });
    sig.iter()
        .take(MAX_DIFFERENCES)
        .map(|r| {
            format!(
                "The CAAR of {} minus that of {} over {} is {} % ({} % vs {} %; Welch t = {}, \
                 p = {}, n = {} and {}).",
                r.group_a,
                r.group_b,
                r.window,
                fmt_pct(r.difference),
                fmt_pct(r.caar_a),
                fmt_pct(r.caar_b),
                r.welch_t.map(fmt_num).unwrap_or_else(|| "NA".into()),
                r.welch_p.map(fmt_num).unwrap_or_else(|| "NA".into()),
                r.n_a,
                r.n_b
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str, window: &str, caar: f64, t: f64, p: f64, n: u32) -> HeadlineRow {
        HeadlineRow {
            group: group.into(),
            window: window.into(),
            n,
            caar: Some(caar),
            share_positive: None,
            csect_t: Some(t),
            csect_p: Some(p),
            adj_bmp_t: None,
            adj_bmp_p: None,
            grank_t: None,
            grank_p: None,
        }
    }

    fn hand_made() -> StudyTables {
        StudyTables {
            headline: vec![
                row("all", "0:0", 0.001, 0.5, 0.62, 135),
                row("all", "0:5", -0.002, -0.4, 0.7, 135),
                row("category:model_release", "0:0", -0.05, -3.1, 0.004, 12),
                row("category:export_control", "0:5", 0.02, 2.2, 0.03, 40),
                row("category:earnings", "0:5", 0.09, 1.5, 0.14, 20),
            ],
            differences: vec![DifferenceRow {
                group_a: "category:model_release".into(),
                group_b: "category:export_control".into(),
                window: "0:0".into(),
                n_a: 12,
                n_b: 40,
                caar_a: Some(-0.05),
                caar_b: Some(0.001),
                difference: Some(-0.051),
                welch_t: Some(-2.9),
                welch_df: Some(14.2),
                welch_p: Some(0.011),
                mann_whitney_u: None,
                mann_whitney_z: None,
                mann_whitney_p: None,
            }],
            ..StudyTables::default()
        }
    }

    #[test]
    fn findings_name_the_pooled_group_the_largest_caars_and_the_differences() {
        let f = findings(&hand_made(), &Significance::default());
        assert_eq!(
            f,
            [
                "Significance is judged at the 5 % level (two-sided) by the cross-sectional t \
                 of the CAAR (methodology §8.1) and, for group differences, by Welch's t (§7.5).",
                "Pooled over all events, no CAAR is significant: 0.1000 % over 0:0 (t = 0.5000, \
                 p = 0.6200, n = 135); -0.2000 % over 0:5 (t = -0.4000, p = 0.7000, n = 135).",
                "The largest significant CAAR is -5.000 % over 0:0 (t = -3.100, p = 0.004000, \
                 n = 12) for category:model_release.",
                "Next is 2.000 % over 0:5 (t = 2.200, p = 0.03000, n = 40) for \
                 category:export_control.",
                "The CAAR of category:model_release minus that of category:export_control over \
                 0:0 is -5.100 % (-5.000 % vs 0.1000 %; Welch t = -2.900, p = 0.01100, n = 12 \
                 and 40).",
            ]
        );
    }

    #[test]
    fn findings_say_when_nothing_is_significant_and_are_empty_without_headline() {
        assert!(findings(&StudyTables::default(), &Significance::default()).is_empty());
        let mut t = hand_made();
        t.headline.retain(|r| r.csect_p.unwrap() > 0.05);
        t.headline[0].csect_p = Some(0.01);
        t.differences[0].welch_p = Some(0.2);
        let f = findings(&t, &Significance::default());
        assert_eq!(f.len(), 4);
        assert!(f[1].starts_with(
            "Pooled over all events, the CAAR is significant in 1 of 2 windows: 0.1000 % over 0:0"
        ));
        assert_eq!(f[2], "No other group has a significant CAAR in any window.");
        assert_eq!(f[3], "No declared group difference is significant.");
    }
}
