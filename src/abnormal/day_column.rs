//! One per-day column of a pair's event period H, borrowed: held in memory, or made when
//! read from what the store does hold. The column store of a large batch holds no returns,
//! standardized ARs or AR p-values for the models whose residuals it recomputes (see
//! [`Residuals`](super::Residuals)): each is a pure function of the series, the AR and its
//! standard error, and the fit's degrees of freedom, so the values read are the bits the
//! engine wrote (0.6 KB less per pair at |H| = 26).

use std::fmt;

use super::tdist::TwoSidedT;
use super::Window;

/// One per-day column of a pair's event period (length |H|, index t − H1): a slice, or the
/// recipe to make the values from the series, the ARs and their standard errors.
///
/// Read one day with [`DayColumn::get`], all of them with [`DayColumn::iter`],
/// [`DayColumn::extend_into`] or [`DayColumn::to_vec`].
///
/// # Formula
/// Made columns (methodology §5.1, §5.2, §6.1): R_t read from the aligned series at day 0 + t;
/// SAR_t = AR_t / SE(AR_t); p_t = 2·(1 − F_ν(|SAR_t|)) with ν the fit's degrees of freedom
/// (the shared per-ν tables of the moment routes). A missing AR gives NaN.
///
/// # Examples
/// ```
/// use evstudy::abnormal::DayColumn;
/// let held = [0.01, f64::NAN, -0.02];
/// let c = DayColumn::held(&held);
/// assert_eq!(c.len(), 3);
/// assert_eq!(c.get(2), Some(-0.02));
/// assert!(c.to_vec()[1].is_nan());
/// assert_eq!(c.get(3), None);
/// ```
#[derive(Clone, Copy)]
pub struct DayColumn<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    Held(&'a [f64]),
    /// R_t = `ret[first + k]` (NaN outside the series) for k < `len`.
    Returns {
        ret: &'a [f64],
        first: i64,
        len: usize,
    },
    /// SAR_t = AR_t / SE(AR_t).
    Standardized {
        ar: &'a [f64],
        se: &'a [f64],
    },
    /// Two-sided p-value of SAR_t with `nu` degrees of freedom.
    PValues {
        ar: &'a [f64],
        se: &'a [f64],
        nu: f64,
    },
}

impl<'a> DayColumn<'a> {
    /// A column held in memory.
    pub fn held(values: &'a [f64]) -> Self {
        DayColumn(Repr::Held(values))
    }

    /// The returns R_t of the event period `h` of a pair with day 0 at position `day0` of the
    /// series returns `ret`.
    pub(super) fn returns(ret: &'a [f64], day0: usize, h: Window) -> Self {
        let first = day0 as i64 + i64::from(h.start);
        DayColumn(Repr::Returns {
            ret,
            first,
            len: h.len(),
        })
    }

    /// SAR_t = AR_t / SE(AR_t), from the ARs and their standard errors.
    pub(super) fn standardized(ar: &'a [f64], se: &'a [f64]) -> Self {
        DayColumn(Repr::Standardized { ar, se })
    }

    /// The two-sided p-values of SAR_t with `nu` degrees of freedom.
    pub(super) fn p_values(ar: &'a [f64], se: &'a [f64], nu: f64) -> Self {
        DayColumn(Repr::PValues { ar, se, nu })
    }

    /// Number of days (|H|).
    #[inline]
    pub fn len(&self) -> usize {
        match self.0 {
            Repr::Held(v) => v.len(),
            Repr::Returns { len, .. } => len,
            Repr::Standardized { ar, .. } | Repr::PValues { ar, .. } => ar.len(),
        }
    }

    /// Whether the column has no day.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of day k (index t − H1), `None` past the end.
    #[inline]
    pub fn get(&self, k: usize) -> Option<f64> {
        if k >= self.len() {
            return None;
        }
        Some(match self.0 {
            Repr::PValues { nu, .. } => self.value(k, TwoSidedT::cached(nu).as_ref()),
            _ => self.value(k, None),
        })
    }

    /// The values day by day.
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        let dist = match self.0 {
            Repr::PValues { nu, .. } => TwoSidedT::cached(nu),
            _ => None,
        };
        (0..self.len()).map(move |k| self.value(k, dist.as_ref()))
    }

    /// Appends the values to `out`.
    pub fn extend_into(&self, out: &mut Vec<f64>) {
        match self.0 {
            Repr::Held(v) => out.extend_from_slice(v),
            _ => out.extend(self.iter()),
        }
    }

    /// The values as an owned vector.
    pub fn to_vec(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len());
        self.extend_into(&mut out);
        out
    }

    /// Day k (< len) with `dist` the t distribution of a p-value column (the same operations
    /// as the engine's, so the same bits).
    #[inline(always)]
    fn value(&self, k: usize, dist: Option<&TwoSidedT>) -> f64 {
        match self.0 {
            Repr::Held(v) => v[k],
            Repr::Returns { ret, first, .. } => {
                let pos = first + k as i64;
                if pos >= 0 && (pos as usize) < ret.len() {
                    ret[pos as usize]
                } else {
                    f64::NAN
                }
            }
            Repr::Standardized { ar, se } => ar[k] / se[k],
            Repr::PValues { ar, se, .. } => dist.map_or(f64::NAN, |d| d.p_value(ar[k] / se[k])),
        }
    }
}

impl<'a> From<&'a [f64]> for DayColumn<'a> {
    fn from(values: &'a [f64]) -> Self {
        DayColumn::held(values)
    }
}

impl fmt::Debug for DayColumn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_are_read_at_day0_plus_t_and_missing_outside_the_series() {
        let ret = [0.1, 0.2, 0.3, 0.4];
        // day 0 at position 1, H = −2..=3: positions −1..=4
        let c = DayColumn::returns(&ret, 1, Window { start: -2, end: 3 });
        let v = c.to_vec();
        assert_eq!(v.len(), 6);
        assert!(v[0].is_nan() && v[5].is_nan());
        assert_eq!(&v[1..5], &ret[..]);
        assert_eq!(c.get(2), Some(0.2));
        assert_eq!(c.get(6), None);
    }

    #[test]
    fn standardized_ars_and_p_values_follow_the_t_distribution() {
        let ar = [0.02, -0.01, f64::NAN];
        let se = [0.01, 0.005, f64::NAN];
        let sar = DayColumn::standardized(&ar, &se).to_vec();
        assert_eq!(sar[0], 2.0);
        assert_eq!(sar[1], -2.0);
        assert!(sar[2].is_nan());
        // 2·(1 − F_10(2)) = I_{10/14}(5, ½) = 0.0733880347707404 (mpmath betainc, regularized)
        let p = DayColumn::p_values(&ar, &se, 10.0);
        let want = 0.073_388_034_770_740_4;
        approx::assert_relative_eq!(p.get(0).unwrap(), want, max_relative = 1e-10);
        assert_eq!(p.get(0), p.get(1));
        assert!(p.get(2).unwrap().is_nan());
        // no distribution for ν = 0: every p-value missing
        assert!(DayColumn::p_values(&ar, &se, 0.0).iter().all(f64::is_nan));
    }
}
