//! The average trade's path (methodology §16.2): the mean signed cumulative return of the
//! positions marked at each session relative to day 0, beside the event study's CAAR.

use super::PathPoint;

/// Sums and counts by relative day over a dense range.
pub(crate) struct PathSums {
    lo: i32,
    sum: Vec<f64>,
    n: Vec<u32>,
}

impl PathSums {
    /// Room for relative days `lo..=hi` (none when `hi < lo`).
    pub fn new(lo: i32, hi: i32) -> PathSums {
        let len = (i64::from(hi) - i64::from(lo) + 1).max(0) as usize;
        PathSums {
            lo,
            sum: vec![0.0; len],
            n: vec![0; len],
        }
    }

    /// Adds one position's cumulative return at relative day `rel` (within the range).
    #[inline]
    pub fn add(&mut self, rel: i32, cum_return: f64) {
        let i = (rel - self.lo) as usize;
        self.sum[i] += cum_return;
        self.n[i] += 1;
    }

    /// The mean per relative day, days without positions left out.
    pub fn finish(self) -> Vec<PathPoint> {
        let lo = self.lo;
        self.sum
            .iter()
            .zip(&self.n)
            .enumerate()
            .filter(|(_, (_, &n))| n > 0)
            .map(|(i, (&s, &n))| PathPoint {
                rel_day: lo + i as i32,
                n,
                mean_cum_return: s / f64::from(n),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_by_relative_day_with_gaps_left_out() {
        let mut p = PathSums::new(-1, 2);
        p.add(-1, 0.0);
        p.add(0, 0.02);
        p.add(0, 0.04);
        p.add(2, -0.01);
        let out = p.finish();
        let want = [(-1, 1, 0.0), (0, 2, 0.03), (2, 1, -0.01)];
        assert_eq!(out.len(), want.len());
        for (got, (rel, n, m)) in out.iter().zip(want) {
            assert_eq!((got.rel_day, got.n), (rel, n));
            approx::assert_abs_diff_eq!(got.mean_cum_return, m, epsilon = 1e-15);
        }
    }
}
