//! The event-period day of a market-model pair in daily mode, from its fitted coefficients:
//! the expected return and the variance of the AR. One function serves the engine, which
//! writes the values, and the column store of a large batch, which keeps the coefficients
//! instead of the values and makes them when read (see [`DayColumn`](super::DayColumn)):
//! the same operations in the same order, so the same bits.

use super::fitted::Fitted;

/// The coefficients of a market-model fit that its event period is made from: θ̂ = (α̂, β̂),
/// (X′X)⁻¹ row by row, and σ̂².
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MarketCoefs {
    /// α̂, β̂.
    pub theta: [f64; 2],
    /// (X′X)⁻¹ as v00, v01, v10, v11.
    pub v: [f64; 4],
    /// σ̂².
    pub sigma2: f64,
}

impl MarketCoefs {
    /// The coefficients of a pair not analysed (every value made from them is NaN).
    pub const MISSING: MarketCoefs = MarketCoefs {
        theta: [f64::NAN; 2],
        v: [f64::NAN; 4],
        sigma2: f64::NAN,
    };

    /// The coefficients of a market-model fit (k = 2).
    pub fn of(fitted: &Fitted) -> MarketCoefs {
        let (theta, v) = (&fitted.theta, &fitted.v);
        MarketCoefs {
            theta: [theta[0], theta[1]],
            v: [v[0], v[1], v[2], v[3]],
            sigma2: fitted.sigma2,
        }
    }

    /// E[R_t] and Var(AR_t) of a day whose security return is `r` and market return `m`;
    /// `None` when either is missing (the day has no AR).
    ///
    /// # Formula
    /// Methodology §5.1, §5.2 with g_t = (1, R_mt): E[R_t] = α̂ + β̂·R_mt;
    /// Var(AR_t) = σ̂²·(1 + g_t′(X′X)⁻¹g_t). Written for k = 2 in the order of the generic
    /// sum and quadratic form (which start from 0.0), so the bits are theirs. A hand-worked
    /// example is in the tests below.
    #[inline(always)]
    pub fn day(&self, r: f64, m: f64) -> Option<(f64, f64)> {
        if !(r.is_finite() && m.is_finite()) {
            return None;
        }
        let [t0, t1] = self.theta;
        let [v00, v01, v10, v11] = self.v;
        let e = 0.0 + (t0 + m * t1);
        let q = (0.0 + ((0.0 + v00) + v01 * m)) + m * ((0.0 + v10) + v11 * m);
        Some((e, self.sigma2 * (1.0 + q)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn a_day_has_the_expected_return_and_ar_variance_of_the_hand_worked_example() {
        let c = MarketCoefs {
            theta: [0.001, 1.2],
            v: [0.01, 0.0, 0.0, 2.0],
            sigma2: 1e-4,
        };
        let (e, var) = c.day(0.02, 0.01).unwrap();
        // E = 0.001 + 1.2·0.01; g′Vg = 0.01 + 2·0.01² = 0.0102
        assert_relative_eq!(e, 0.013, max_relative = 1e-15);
        assert_relative_eq!(var, 1e-4 * 1.0102, max_relative = 1e-15);
        // off-diagonal terms enter twice: g′Vg = 0.01 + 2·0.5·0.01 + 2·0.01²
        let c = MarketCoefs {
            v: [0.01, 0.5, 0.5, 2.0],
            ..c
        };
        assert_relative_eq!(
            c.day(0.0, 0.01).unwrap().1,
            1e-4 * 1.0202,
            max_relative = 1e-15
        );
    }

    #[test]
    fn a_day_without_either_return_has_none() {
        let c = MarketCoefs {
            theta: [0.0, 1.0],
            v: [1.0; 4],
            sigma2: 1.0,
        };
        assert!(c.day(f64::NAN, 0.01).is_none());
        assert!(c.day(0.01, f64::INFINITY).is_none());
        assert!(MarketCoefs::MISSING.day(0.01, 0.01).unwrap().0.is_nan());
    }
}
