//! Same-date clusters of day 0 (methodology §7.3, §10).

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// Number of (calendar, day 0) pairs per day-0 calendar date, across all calendars.
///
/// Same-date pairs in the sense of §7.3 match on the ISO date label alone (the 2025-01-27
/// session in New York matches the 2025-01-27 session in Hong Kong), so the calendar label is
/// not part of the key; see [`day0_clusters_by_calendar`] for the per-calendar clusters of §10.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::calendar::day0_clusters;
/// let d = NaiveDate::from_ymd_opt(2025, 1, 27).unwrap();
/// let e = NaiveDate::from_ymd_opt(2025, 1, 28).unwrap();
/// let c = day0_clusters(&[("XNYS".into(), d), ("XHKG".into(), d), ("XHKG".into(), e)]);
/// assert_eq!(c[&d], 2);
/// assert_eq!(c[&e], 1);
/// ```
pub fn day0_clusters(pairs: &[(String, NaiveDate)]) -> BTreeMap<NaiveDate, usize> {
    let mut out = BTreeMap::new();
    for (_, date) in pairs {
        *out.entry(*date).or_insert(0) += 1;
    }
    out
}

/// Number of pairs per (calendar label, day-0 date): the clusters of the portfolio approach
/// (§10, before the benchmark split).
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use evstudy::calendar::day0_clusters_by_calendar;
/// let d = NaiveDate::from_ymd_opt(2025, 1, 27).unwrap();
/// let c = day0_clusters_by_calendar(&[("XNYS".into(), d), ("XHKG".into(), d), ("XNYS".into(), d)]);
/// assert_eq!(c[&("XNYS".to_string(), d)], 2);
/// assert_eq!(c[&("XHKG".to_string(), d)], 1);
/// ```
pub fn day0_clusters_by_calendar(
    pairs: &[(String, NaiveDate)],
) -> BTreeMap<(String, NaiveDate), usize> {
    let mut out = BTreeMap::new();
    for (label, date) in pairs {
        *out.entry((label.clone(), *date)).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_counts_add_up() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        // b_panel day 0s: E1–E3 on 06-26, E4/E5 on 07-08, E6 06-20, E7 07-15, E8 06-13.
        let pairs: Vec<(String, NaiveDate)> = [
            (6, 26),
            (6, 26),
            (6, 26),
            (7, 8),
            (7, 8),
            (6, 20),
            (7, 15),
            (6, 13),
        ]
        .iter()
        .map(|&(m, day)| ("XNYS".to_string(), d(m, day)))
        .collect();
        let c = day0_clusters(&pairs);
        assert_eq!(c.len(), 5);
        assert_eq!(c[&d(6, 26)], 3);
        assert_eq!(c[&d(7, 8)], 2);
        assert_eq!(c.values().sum::<usize>(), pairs.len());
        // Mean same-date partners m = Σ n_c(n_c − 1)/n = (6 + 2)/8 (§7.3).
        let m: f64 = c.values().map(|&n| (n * (n - 1)) as f64).sum::<f64>() / pairs.len() as f64;
        approx::assert_abs_diff_eq!(m, 1.0, epsilon = 1e-15);
        assert!(day0_clusters(&[]).is_empty());
        assert_eq!(day0_clusters_by_calendar(&pairs).len(), 5);
    }
}
