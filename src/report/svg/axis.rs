//! Linear numeric axes with "nice" ticks and percent labels.

/// A linear numeric axis with "nice" ticks (steps of 1, 2 or 5 × 10^k).
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) step: f64,
}

impl Axis {
    /// An axis covering `[lo, hi]` and 0, with about `target` intervals.
    pub(crate) fn covering(lo: f64, hi: f64, target: usize) -> Axis {
        Axis::spanning(lo.min(0.0), hi.max(0.0), target)
    }

    /// An axis covering `[lo, hi]` (not necessarily 0), with about `target` intervals.
    pub(crate) fn spanning(lo: f64, hi: f64, target: usize) -> Axis {
        let (mut lo, mut hi) = (lo, hi);
        if !(lo.is_finite() && hi.is_finite()) {
            lo = -0.01;
            hi = 0.01;
        }
        if hi - lo < 1e-12 {
            let pad = if lo.abs() > 1e-12 {
                lo.abs() * 0.5
            } else {
                0.01
            };
            lo -= pad;
            hi += pad;
        }
        let raw = (hi - lo) / target.max(1) as f64;
        let mag = 10f64.powf(raw.log10().floor());
        let f = raw / mag;
        let nf = if f <= 1.0 {
            1.0
        } else if f <= 2.0 {
            2.0
        } else if f <= 5.0 {
            5.0
        } else {
            10.0
        };
        let step = nf * mag;
        Axis {
            lo: (lo / step - 1e-9).floor() * step,
            hi: (hi / step + 1e-9).ceil() * step,
            step,
        }
    }

    /// A count axis from 0 to at least `max` (and at least 1), in whole steps.
    pub(crate) fn counts(max: f64) -> Axis {
        let axis = Axis::spanning(0.0, max.max(1.0), 5);
        let whole_step = axis.step.max(1.0).round();
        Axis {
            lo: 0.0,
            hi: (axis.hi / whole_step).ceil() * whole_step,
            step: whole_step,
        }
    }

    pub(crate) fn ticks(&self) -> Vec<f64> {
        let n = ((self.hi - self.lo) / self.step).round() as i64;
        (0..=n)
            .map(|k| {
                let v = self.lo + k as f64 * self.step;
                if v.abs() < self.step * 1e-6 {
                    0.0
                } else {
                    v
                }
            })
            .collect()
    }

    /// Maps a value onto `[p0, p1]` (pixels; p0 is the image of `lo`).
    pub(crate) fn map(&self, v: f64, p0: f64, p1: f64) -> f64 {
        p0 + (v - self.lo) / (self.hi - self.lo) * (p1 - p0)
    }

    /// A tick label in percent with as many decimals as the step needs.
    pub(crate) fn percent_label(&self, v: f64) -> String {
        let step_pct = self.step * 100.0;
        let decimals = if step_pct >= 1.0 {
            0
        } else {
            (-step_pct.log10().floor()) as usize
        };
        let s = format!("{:.*}%", decimals.min(6), v * 100.0);
        if s.trim_start_matches('-')
            .chars()
            .all(|ch| ch == '0' || ch == '.' || ch == '%')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ticks_are_nice_and_cover() {
        let a = Axis::covering(-0.013, 0.047, 6);
        assert_eq!(a.step, 0.01);
        assert!(a.lo <= -0.013 && a.hi >= 0.047);
        assert_eq!(a.ticks().len(), 8);
        approx::assert_abs_diff_eq!(a.ticks()[0], -0.02, epsilon = 1e-15);
        approx::assert_abs_diff_eq!(a.ticks()[7], 0.05, epsilon = 1e-15);
        assert_eq!(a.percent_label(0.03), "3%");
        let b = Axis::covering(0.0, 0.004, 4);
        assert_eq!(b.percent_label(0.001), "0.1%");
        assert_eq!(b.percent_label(0.0), "0.0%");
    }
}
