//! The estimation residuals of one pair, ε̂*_τ for τ = L1..=L2: held in memory, or recomputed
//! when read from the pair's series and its fitted coefficients. The column store of a large
//! batch holds no residuals for the models whose residuals are a pure function of the series
//! and θ̂ (constant mean, market-adjusted, market model in daily mode): at L = 240 that is
//! 1.9 KB less per pair, and the values read are the bits the fit wrote.

use std::fmt;

use super::moments::{write_residuals, Layout};
use super::{EngineConfig, ModelFit, Route, Window};
use crate::model::ModelKind;
use crate::returns::AlignedSeries;

/// The estimation residuals of one pair (length L2 − L1 + 1, NaN where τ is not in the
/// estimation sample), borrowed: a slice, or the recipe to recompute them.
///
/// Read them with [`Residuals::values`] (into a buffer the caller reuses),
/// [`Residuals::extend_into`] or [`Residuals::to_vec`].
///
/// # Formula
/// ε̂*_τ = R_τ − offset_τ − g_τ′θ̂ (methodology §4): R_τ − μ̂ (constant mean), R_τ − R_mτ
/// (market-adjusted), R_τ − α̂ − β̂·R_mτ (market model).
///
/// # Examples
/// ```
/// use evstudy::abnormal::Residuals;
/// let held = [0.01, f64::NAN, -0.02];
/// let r = Residuals::held(&held);
/// let mut buf = Vec::new();
/// assert_eq!(r.len(), 3);
/// assert_eq!(r.values(&mut buf)[2], -0.02);
/// assert!(r.to_vec()[1].is_nan());
/// ```
#[derive(Clone, Copy)]
pub struct Residuals<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    Held(&'a [f64]),
    Refit(Refit<'a>),
}

/// What recomputes one pair's residuals: its series, the model's layout, θ̂, day 0 and the
/// estimation window.
#[derive(Clone, Copy)]
struct Refit<'a> {
    series: &'a AlignedSeries,
    layout: Layout,
    theta: [f64; 2],
    day0: usize,
    estimation: Window,
}

impl<'a> Residuals<'a> {
    /// Residuals held in memory.
    pub fn held(values: &'a [f64]) -> Self {
        Residuals(Repr::Held(values))
    }

    /// The residuals of a pair fitted by `fit` on `series` at `day0`, recomputed when read
    /// (`layout` from [`refit_layout`]).
    pub(super) fn refit(
        series: &'a AlignedSeries,
        layout: Layout,
        fit: &ModelFit,
        day0: usize,
        estimation: Window,
    ) -> Self {
        let theta = [fit.alpha.unwrap_or(f64::NAN), fit.beta.unwrap_or(f64::NAN)];
        Residuals(Repr::Refit(Refit {
            series,
            layout,
            theta,
            day0,
            estimation,
        }))
    }

    /// Number of residuals (L).
    pub fn len(&self) -> usize {
        match self.0 {
            Repr::Held(v) => v.len(),
            Repr::Refit(r) => r.estimation.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The residuals: the held slice, or recomputed into `buf` (cleared first).
    pub fn values<'b>(&'b self, buf: &'b mut Vec<f64>) -> &'b [f64] {
        match self.0 {
            Repr::Held(v) => v,
            Repr::Refit(_) => {
                buf.clear();
                self.extend_into(buf);
                buf
            }
        }
    }

    /// Appends the residuals to `out`.
    pub fn extend_into(&self, out: &mut Vec<f64>) {
        match self.0 {
            Repr::Held(v) => out.extend_from_slice(v),
            Repr::Refit(r) => {
                let at = out.len();
                out.resize(at + r.estimation.len(), f64::NAN);
                let th = &r.theta[..r.layout_params()];
                write_residuals(r.series, r.layout, th, r.day0, r.estimation, &mut out[at..]);
            }
        }
    }

    /// The residuals as an owned vector.
    pub fn to_vec(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len());
        self.extend_into(&mut out);
        out
    }
}

impl Refit<'_> {
    /// The number of coefficients of θ̂ the layout reads.
    fn layout_params(&self) -> usize {
        match self.layout {
            Layout::MarketAdjusted => 0,
            Layout::ConstantMean => 1,
            _ => 2,
        }
    }
}

impl<'a> From<&'a [f64]> for Residuals<'a> {
    fn from(values: &'a [f64]) -> Self {
        Residuals::held(values)
    }
}

impl fmt::Debug for Residuals<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

/// The moment layout whose residuals a batch recomputes instead of storing, when the model and
/// route have one: constant mean, market-adjusted and the market model in daily mode on the
/// moment routes (their residuals depend on the series, day 0 and α̂, β̂ only; factor models
/// and the lagged and explicit designs keep theirs in the store).
pub(super) fn refit_layout(cfg: &EngineConfig, route: Route) -> Option<Layout> {
    if cfg.trade_to_trade || route == Route::Reference {
        return None;
    }
    match cfg.model {
        ModelKind::ConstantMean => Some(Layout::ConstantMean),
        ModelKind::MarketAdjusted => Some(Layout::MarketAdjusted),
        ModelKind::MarketModel => Some(Layout::MarketModel),
        _ => None,
    }
}
