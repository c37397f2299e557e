//! The prediction rows of one pair (§4): what the engine reads from an [`AlignedSeries`] at a
//! calendar position, shared by every route.

use super::EngineConfig;
use crate::model::ModelKind;
use crate::returns::AlignedSeries;

/// Value of a column at a position; NaN when the column is empty or the position is outside
/// the calendar.
#[inline]
pub(crate) fn at(col: &[f64], pos: i64) -> f64 {
    if pos >= 0 && (pos as usize) < col.len() {
        col[pos as usize]
    } else {
        f64::NAN
    }
}

/// The prediction rows of one pair: for relative day t, g_t, the additive offset of the
/// expected return (rf_t for factor models with rf; R_mt for market-adjusted) and the span.
pub(crate) struct Rows<'a> {
    pub series: &'a AlignedSeries,
    pub model: ModelKind,
    pub t2t: bool,
    pub use_rf: bool,
    /// Length of g (0 for market-adjusted).
    pub k: usize,
}

impl<'a> Rows<'a> {
    pub fn new(series: &'a AlignedSeries, cfg: &EngineConfig) -> Self {
        let model = cfg.model;
        let use_rf = model == ModelKind::Factor && !series.rf.is_empty();
        let k = model.n_params(series.factors.len());
        Rows {
            series,
            model,
            t2t: cfg.trade_to_trade,
            use_rf,
            k,
        }
    }

    /// Span of the return at `pos` (1 outside trade-to-trade mode).
    #[inline]
    pub fn span_at(&self, pos: i64) -> u32 {
        if self.t2t {
            if pos >= 0 && (pos as usize) < self.series.span.len() {
                self.series.span[pos as usize].max(1)
            } else {
                1
            }
        } else {
            1
        }
    }

    /// `Some((R_t, offset_t, d_t))` and g_t written to `g[..k]` when every input of the
    /// prediction row is available; expected_ret = offset + g′θ̂.
    #[inline]
    pub fn event_row(&self, pos: i64, g: &mut [f64]) -> Option<(f64, f64, u32)> {
        let s = self.series;
        let r = at(&s.ret, pos);
        if !r.is_finite() {
            return None;
        }
        let d = self.span_at(pos);
        let df = d as f64;
        let offset = match self.model {
            ModelKind::ConstantMean => {
                g[0] = df;
                0.0
            }
            ModelKind::MarketAdjusted => {
                let m = at(&s.bench, pos);
                if !m.is_finite() {
                    return None;
                }
                m
            }
            ModelKind::MarketModel | ModelKind::ScholesWilliams | ModelKind::Dimson => {
                let m = at(&s.bench, pos);
                if !m.is_finite() {
                    return None;
                }
                g[0] = df;
                g[1] = m;
                0.0
            }
            ModelKind::Factor => {
                g[0] = df;
                for (j, col) in s.factors.iter().enumerate() {
                    let f = at(col, pos);
                    if !f.is_finite() {
                        return None;
                    }
                    g[j + 1] = f;
                }
                if self.use_rf {
                    let rf = at(&s.rf, pos);
                    if !rf.is_finite() {
                        return None;
                    }
                    rf
                } else {
                    0.0
                }
            }
        };
        Some((r, offset, d))
    }
}
