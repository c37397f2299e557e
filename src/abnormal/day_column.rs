//! One per-day column of a pair's event period H, borrowed: held in memory, or made when
//! read from what the column store does hold. The store of a large batch holds no returns,
//! standardized ARs or AR p-values for the models whose residuals it recomputes (see
//! [`Residuals`](super::Residuals)), and for the market model in daily mode no expected
//! returns, AR standard errors or spans either, only the fit's coefficients: each value is a
//! pure function of the series, the AR and the fit, made with the engine's own operations, so
//! the values read are the bits the engine wrote (1.1 KB less per pair at |H| = 26).

use std::fmt;

use super::market_days::MarketCoefs;
use super::rows::at;
use super::tdist::TwoSidedT;
use super::{ModelFit, PairBatch, PairExclusion};

/// One per-day column of a pair's event period (length |H|, index t − H1): a slice, or the
/// recipe to make the values from the series, the ARs and the fit.
///
/// Read one day with [`DayColumn::get`], all of them with [`DayColumn::iter`],
/// [`DayColumn::extend_into`] or [`DayColumn::to_vec`].
///
/// # Formula
/// Made columns (methodology §5.1, §5.2, §6.1): R_t read from the aligned series at day 0 + t;
/// for the market model E[R_t] = α̂ + β̂·R_mt and SE(AR_t) = √(σ̂²·(1 + g_t′(X′X)⁻¹g_t)) with
/// g_t = (1, R_mt); SAR_t = AR_t / SE(AR_t); p_t = 2·(1 − F_ν(|SAR_t|)) with ν the fit's
/// degrees of freedom (the shared per-ν tables of the moment routes). A missing AR gives NaN.
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
    /// Column `what` of pair `pair` of a batch whose store does not hold it.
    Made {
        batch: &'a PairBatch,
        pair: usize,
        what: Made,
    },
}

/// Which column a made [`DayColumn`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Made {
    Ret,
    ExpectedRet,
    ArSe,
    Sar,
    ArP,
}

impl<'a> DayColumn<'a> {
    /// A column held in memory.
    pub fn held(values: &'a [f64]) -> Self {
        DayColumn(Repr::Held(values))
    }

    /// Column `what` of pair `pair` of `batch`, made when read.
    pub(super) fn made(batch: &'a PairBatch, pair: usize, what: Made) -> Self {
        DayColumn(Repr::Made { batch, pair, what })
    }

    /// Number of days (|H|).
    #[inline]
    pub fn len(&self) -> usize {
        match self.0 {
            Repr::Held(v) => v.len(),
            Repr::Made { batch, .. } => batch.days_per_pair(),
        }
    }

    /// Whether the column has no day.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of day k (index t − H1), `None` past the end.
    #[inline]
    pub fn get(&self, k: usize) -> Option<f64> {
        (k < self.len()).then(|| self.resolve().value(k))
    }

    /// The values day by day.
    pub fn iter(&self) -> impl Iterator<Item = f64> + 'a {
        let column = self.resolve();
        (0..self.len()).map(move |k| column.value(k))
    }

    /// The values of days `ks` (indices t − H1, within [`DayColumn::len`]), a made column
    /// made ready once for all of them.
    ///
    /// # Examples
    /// ```
    /// use evstudy::abnormal::DayColumn;
    /// let held = [0.1, 0.2, 0.3, 0.4];
    /// let c = DayColumn::held(&held);
    /// assert_eq!(c.values_in(1..3).collect::<Vec<_>>(), vec![0.2, 0.3]);
    /// ```
    pub fn values_in(&self, ks: std::ops::Range<usize>) -> impl Iterator<Item = f64> + 'a {
        let column = self.resolve();
        ks.map(move |k| column.value(k))
    }

    /// Appends the values to `out`.
    pub fn extend_into(&self, out: &mut Vec<f64>) {
        match self.0 {
            Repr::Held(v) => out.extend_from_slice(v),
            Repr::Made { .. } => out.extend(self.iter()),
        }
    }

    /// The column ready to be read: the held slice, or the pair's made days.
    #[inline]
    fn resolve(&self) -> Resolved<'a> {
        match self.0 {
            Repr::Held(v) => Resolved::Held(v),
            Repr::Made { batch, pair, what } => {
                let days = batch.made_days(pair);
                Resolved::Made(days, what, days.distribution(what))
            }
        }
    }

    /// The values as an owned vector.
    pub fn to_vec(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len());
        self.extend_into(&mut out);
        out
    }
}

/// The span d_t of each day of a pair's event period (0 where the AR is missing): held, or
/// made when read (market model in daily mode: 1 where both returns of the day exist).
///
/// # Examples
/// ```
/// use evstudy::abnormal::DaySpans;
/// let held = [1, 0, 2];
/// let s = DaySpans::held(&held);
/// assert_eq!(s.len(), 3);
/// assert_eq!(s.get(2), Some(2));
/// assert_eq!(s.to_vec(), vec![1, 0, 2]);
/// assert_eq!(s.get(3), None);
/// ```
#[derive(Clone, Copy)]
pub struct DaySpans<'a>(SpanRepr<'a>);

#[derive(Clone, Copy)]
enum SpanRepr<'a> {
    Held(&'a [u32]),
    Made { batch: &'a PairBatch, pair: usize },
}

impl<'a> DaySpans<'a> {
    /// Spans held in memory.
    pub fn held(values: &'a [u32]) -> Self {
        DaySpans(SpanRepr::Held(values))
    }

    /// The spans of pair `pair` of `batch`, made when read.
    pub(super) fn made(batch: &'a PairBatch, pair: usize) -> Self {
        DaySpans(SpanRepr::Made { batch, pair })
    }

    /// Number of days (|H|).
    pub fn len(&self) -> usize {
        match self.0 {
            SpanRepr::Held(v) => v.len(),
            SpanRepr::Made { batch, .. } => batch.days_per_pair(),
        }
    }

    /// Whether there is no day.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span of day k, `None` past the end.
    #[inline]
    pub fn get(&self, k: usize) -> Option<u32> {
        if k >= self.len() {
            return None;
        }
        Some(match self.0 {
            SpanRepr::Held(v) => v[k],
            SpanRepr::Made { batch, pair } => batch.made_days(pair).span(k),
        })
    }

    /// Appends the spans to `out`.
    pub fn extend_into(&self, out: &mut Vec<u32>) {
        match self.0 {
            SpanRepr::Held(v) => out.extend_from_slice(v),
            SpanRepr::Made { batch, pair } => {
                let days = batch.made_days(pair);
                out.extend((0..days.ar.len()).map(|k| days.span(k)));
            }
        }
    }

    /// The spans as an owned vector.
    pub fn to_vec(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.len());
        self.extend_into(&mut out);
        out
    }
}

/// A [`DayColumn`] ready to be read.
enum Resolved<'a> {
    Held(&'a [f64]),
    /// The made days of the pair, the column, and the t distribution of a p-value column.
    Made(MadeDays<'a>, Made, Option<TwoSidedT>),
}

impl Resolved<'_> {
    /// Day k (< |H|).
    #[inline(always)]
    fn value(&self, k: usize) -> f64 {
        match self {
            Resolved::Held(v) => v[k],
            Resolved::Made(days, what, dist) => days.value(*what, k, dist.as_ref()),
        }
    }
}

/// Where the standard errors of a pair's ARs come from.
#[derive(Clone, Copy)]
pub(super) enum ArSe<'a> {
    /// Held in the store.
    Held(&'a [f64]),
    /// Made from the market-model coefficients.
    Market(&'a MarketCoefs),
}

/// What the made columns of one pair read: the security's and the benchmark's whole return
/// series, the series position of the first day of H, the pair's held ARs, the source of
/// their standard errors, and the pair's outcome (the fit's degrees of freedom, read only
/// for the p-values).
#[derive(Clone, Copy)]
pub(super) struct MadeDays<'a> {
    pub ret: &'a [f64],
    pub bench: &'a [f64],
    pub first: i64,
    pub ar: &'a [f64],
    pub se: ArSe<'a>,
    pub outcome: &'a Result<ModelFit, PairExclusion>,
}

impl MadeDays<'_> {
    /// The t distribution of the p-value column (none for the other columns, or when ν has
    /// none).
    fn distribution(&self, what: Made) -> Option<TwoSidedT> {
        match what {
            Made::ArP => {
                let fit = self.outcome.as_ref().ok()?;
                TwoSidedT::cached(fit.df as f64)
            }
            _ => None,
        }
    }

    /// The security's and the market's returns of day k.
    #[inline(always)]
    fn returns(&self, k: usize) -> (f64, f64) {
        let pos = self.first + k as i64;
        (at(self.ret, pos), at(self.bench, pos))
    }

    /// SE(AR_t) of day k (< |H|).
    #[inline(always)]
    fn se(&self, k: usize) -> f64 {
        match self.se {
            ArSe::Held(se) => se[k],
            ArSe::Market(c) => {
                let (r, m) = self.returns(k);
                c.day(r, m).map_or(f64::NAN, |(_, var)| var.sqrt())
            }
        }
    }

    /// SE(AR_t) of day k (< |H|) where AR_t exists, for dividing AR_t by: the security's
    /// return is not read (a missing return already makes AR_t NaN, and so the quotient),
    /// which spares the tests' passes over many events a random read into each security's
    /// series.
    #[inline(always)]
    fn se_of_ar(&self, k: usize) -> f64 {
        match self.se {
            ArSe::Held(se) => se[k],
            ArSe::Market(c) => {
                let m = at(self.bench, self.first + k as i64);
                c.day(0.0, m).map_or(f64::NAN, |(_, var)| var.sqrt())
            }
        }
    }

    /// Day k (< |H|) of column `what`, `dist` the t distribution of a p-value column (the
    /// same operations as the engine's, so the same bits).
    #[inline(always)]
    fn value(&self, what: Made, k: usize, dist: Option<&TwoSidedT>) -> f64 {
        match what {
            Made::Ret => self.returns(k).0,
            Made::ExpectedRet => match self.se {
                ArSe::Market(c) => {
                    let (r, m) = self.returns(k);
                    c.day(r, m).map_or(f64::NAN, |(e, _)| e)
                }
                ArSe::Held(_) => f64::NAN,
            },
            Made::ArSe => self.se(k),
            Made::Sar => self.ar[k] / self.se_of_ar(k),
            Made::ArP => dist.map_or(f64::NAN, |d| d.p_value(self.ar[k] / self.se_of_ar(k))),
        }
    }

    /// d_t of day k: 1 where both returns exist (the market model in daily mode).
    #[inline(always)]
    fn span(&self, k: usize) -> u32 {
        let (r, m) = self.returns(k);
        u32::from(r.is_finite() && m.is_finite())
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

impl fmt::Debug for DaySpans<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COEFS: MarketCoefs = MarketCoefs {
        theta: [0.001, 1.2],
        v: [0.01, 0.0, 0.0, 2.0],
        sigma2: 1e-4,
    };

    /// A fit with ν = `df` (the stats tests' pair).
    fn outcome(df: usize) -> Result<ModelFit, PairExclusion> {
        Ok(crate::stats::fixtures::pair(1, [0.0; 2], df).fit)
    }

    /// Day 0 at position 1 of a 4-day series, H = −2..=3: positions −1..=4; ν = 10.
    fn days<'a>(
        ar: &'a [f64],
        se: ArSe<'a>,
        outcome: &'a Result<ModelFit, PairExclusion>,
    ) -> MadeDays<'a> {
        const RET: [f64; 4] = [0.1, 0.2, f64::NAN, 0.4];
        const BENCH: [f64; 4] = [0.01, 0.01, 0.01, f64::NAN];
        MadeDays {
            ret: &RET,
            bench: &BENCH,
            first: -1,
            ar,
            se,
            outcome,
        }
    }

    #[test]
    fn returns_are_read_at_day0_plus_t_and_missing_outside_the_series() {
        let (ar, fit) = ([0.0; 6], outcome(10));
        let d = days(&ar, ArSe::Held(&ar), &fit);
        let v: Vec<f64> = (0..6).map(|k| d.value(Made::Ret, k, None)).collect();
        assert!(v[0].is_nan() && v[3].is_nan() && v[5].is_nan());
        assert_eq!([v[1], v[2], v[4]], [0.1, 0.2, 0.4]);
    }

    #[test]
    fn market_days_are_made_from_the_coefficients_where_both_returns_exist() {
        let ar = [f64::NAN, 0.05, 0.02, f64::NAN, f64::NAN, f64::NAN];
        let fit = outcome(10);
        let d = days(&ar, ArSe::Market(&COEFS), &fit);
        // day 1: R = 0.1, R_m = 0.01: E = 0.013, SE = √(1e-4·1.0102)
        let se = (1e-4_f64 * 1.0102).sqrt();
        approx::assert_relative_eq!(
            d.value(Made::ExpectedRet, 1, None),
            0.013,
            max_relative = 1e-15
        );
        approx::assert_relative_eq!(d.value(Made::ArSe, 1, None), se, max_relative = 1e-15);
        approx::assert_relative_eq!(d.value(Made::Sar, 1, None), 0.05 / se, max_relative = 1e-15);
        assert_eq!((d.span(1), d.span(2)), (1, 1));
        // no return (day 3), no market return (day 4), outside the series (days 0, 5)
        for k in [0, 3, 4, 5] {
            assert_eq!(d.span(k), 0, "day {k}");
            for what in [Made::ExpectedRet, Made::ArSe, Made::Sar] {
                assert!(d.value(what, k, None).is_nan(), "day {k} {what:?}");
            }
        }
    }

    #[test]
    fn standardized_ars_and_p_values_follow_the_t_distribution() {
        let ar = [0.02, -0.01, f64::NAN];
        let se = [0.01, 0.005, f64::NAN];
        let fit = outcome(10);
        let d = days(&ar, ArSe::Held(&se), &fit);
        let sar: Vec<f64> = (0..3).map(|k| d.value(Made::Sar, k, None)).collect();
        assert_eq!(&sar[..2], &[2.0, -2.0]);
        assert!(sar[2].is_nan());
        // 2·(1 − F_10(2)) = I_{10/14}(5, ½) = 0.0733880347707404 (mpmath betainc, regularized)
        let dist = d.distribution(Made::ArP);
        let p = |k| d.value(Made::ArP, k, dist.as_ref());
        approx::assert_relative_eq!(p(0), 0.073_388_034_770_740_4, max_relative = 1e-10);
        assert_eq!(p(0), p(1));
        assert!(p(2).is_nan());
        // no distribution for ν = 0: every p-value missing
        let fit0 = outcome(0);
        let d0 = MadeDays {
            outcome: &fit0,
            ..d
        };
        assert!(d0.distribution(Made::ArP).is_none());
        assert!(d0.value(Made::ArP, 0, None).is_nan());
    }
}
