//! Summaries for the `aggregate` table (methodology §5.5): AAR, CAAR and ABHAR with their
//! median, share of positive values and standard deviation.

/// n, mean, median, share_positive and sd of one set of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// None for n = 0.
    pub mean: Option<f64>,
    /// None for n = 0 (mean of the two middle values for even n).
    pub median: Option<f64>,
    /// Share of values > 0 (zeros are not positive); None for n = 0.
    pub share_positive: Option<f64>,
    /// Divisor n − 1; None for n < 2.
    pub sd: Option<f64>,
}

/// Summary statistics of a cross-section (one `aggregate` row, §5.5).
///
/// Reference: MacKinlay, A. C. (1997), JEL 35(1), 13–39 (AAR, CAAR); Barber & Lyon (1997)
/// (ABHAR).
///
/// # Formula
/// ```text
/// mean = Σ x / n      median = middle value (mean of the two middle values for even n)
/// share_positive = #{x > 0} / n      sd = √( Σ (x − mean)² / (n − 1) )
/// ```
///
/// # Examples
/// ```
/// use evstudy::stats::describe;
/// let s = describe(&[0.0, 3.0, -1.0, 2.0]);
/// assert_eq!(s.mean, Some(1.0));
/// assert_eq!(s.median, Some(1.0));
/// assert_eq!(s.share_positive, Some(0.5));
/// assert!((s.sd.unwrap() - (10.0f64 / 3.0).sqrt()).abs() < 1e-15);
/// assert_eq!(describe(&[]).mean, None);
/// ```
pub fn describe(x: &[f64]) -> Summary {
    let n = x.len();
    if n == 0 {
        return Summary {
            n,
            mean: None,
            median: None,
            share_positive: None,
            sd: None,
        };
    }
    // median by selection, O(n): after select_nth_unstable the left part holds the n/2
    // smallest values, so the lower middle of an even n is their maximum
    let mut work = x.to_vec();
    let (left, &mut upper_mid, _) = work.select_nth_unstable_by(n / 2, |a, b| a.total_cmp(b));
    let median = if n % 2 == 1 {
        upper_mid
    } else {
        let lower_mid = left
            .iter()
            .copied()
            .max_by(|a, b| a.total_cmp(b))
            .unwrap_or(upper_mid);
        0.5 * (lower_mid + upper_mid)
    };
    Summary {
        n,
        mean: Some(super::mean(x)),
        median: Some(median),
        share_positive: Some(x.iter().filter(|v| **v > 0.0).count() as f64 / n as f64),
        sd: super::sd(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_constant() {
        let s = describe(&[0.5]);
        assert_eq!(
            (s.n, s.mean, s.median, s.share_positive, s.sd),
            (1, Some(0.5), Some(0.5), Some(1.0), None)
        );
        let s = describe(&[0.0, 0.0, 0.0]);
        assert_eq!((s.share_positive, s.sd), (Some(0.0), Some(0.0)));
        let s = describe(&[3.0, 1.0, 2.0]);
        assert_eq!(s.median, Some(2.0));
    }

    #[test]
    fn median_by_selection_equals_sorted_middle() {
        let mut seed = 5u64;
        for n in [2usize, 4, 7, 10, 101, 1000] {
            let x: Vec<f64> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 40) % 50) as f64 - 25.0 // many ties
                })
                .collect();
            let mut sorted = x.clone();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let expected = if n % 2 == 1 {
                sorted[n / 2]
            } else {
                0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
            };
            assert_eq!(describe(&x).median, Some(expected), "n = {n}");
        }
    }
}
