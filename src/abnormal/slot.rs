//! Where the event-period outputs of one pair are written: slices of a [`PairResult`]'s own
//! vectors or of the batch column store.

use super::market_days::MarketCoefs;
use super::{EngineConfig, ModelFit, PairExclusion, PairResult, WindowResult};

/// The event-period outputs of one pair, written in place: slices of length |H| (per day)
/// and one [`WindowResult`] per configured window, plus the list its exclusions go to.
pub(crate) struct PairSlot<'a> {
    pub ret: &'a mut [f64],
    pub expected_ret: &'a mut [f64],
    pub ar: &'a mut [f64],
    pub sar: &'a mut [f64],
    pub ar_se: &'a mut [f64],
    pub ar_p: &'a mut [f64],
    pub span: &'a mut [u32],
    pub windows: &'a mut [WindowResult],
    pub exclusions: &'a mut Vec<PairExclusion>,
    /// Where a market-model pair's coefficients go when the store makes its expected
    /// returns, AR standard errors and spans from them (see [`MarketCoefs`]).
    pub coefs: Option<&'a mut MarketCoefs>,
}

impl PairSlot<'_> {
    /// The slot of a pair that was not analysed: every value missing.
    pub fn clear(&mut self, cfg: &EngineConfig) {
        for col in [
            &mut *self.ret,
            &mut *self.expected_ret,
            &mut *self.ar,
            &mut *self.sar,
            &mut *self.ar_se,
            &mut *self.ar_p,
        ] {
            col.fill(f64::NAN);
        }
        self.span.fill(0);
        for (slot, w) in self.windows.iter_mut().zip(&cfg.windows) {
            *slot = WindowResult::missing(*w);
        }
    }

    /// The event-period outputs of `res` copied into the slot (its exclusions appended).
    pub fn copy_from(&mut self, res: &PairResult) {
        self.ret.copy_from_slice(&res.ret);
        self.expected_ret.copy_from_slice(&res.expected_ret);
        self.ar.copy_from_slice(&res.ar);
        self.sar.copy_from_slice(&res.sar);
        self.ar_se.copy_from_slice(&res.ar_se);
        self.ar_p.copy_from_slice(&res.ar_p);
        self.span.copy_from_slice(&res.span);
        self.windows.copy_from_slice(&res.windows);
        self.exclusions.extend_from_slice(&res.exclusions);
    }
}

/// A [`PairResult`] whose event-period outputs `fill` writes into freshly allocated columns
/// (every value missing beforehand); `fill` returns the model-fit row.
pub(crate) fn owned_result(
    cfg: &EngineConfig,
    est_resid: Vec<f64>,
    fill: impl FnOnce(PairSlot) -> ModelFit,
) -> PairResult {
    let h = cfg.event_period();
    let nh = h.len();
    let mut ret = vec![f64::NAN; nh];
    let mut expected_ret = vec![f64::NAN; nh];
    let mut ar = vec![f64::NAN; nh];
    let mut sar = vec![f64::NAN; nh];
    let mut ar_se = vec![f64::NAN; nh];
    let mut ar_p = vec![f64::NAN; nh];
    let mut span = vec![0u32; nh];
    let mut windows: Vec<WindowResult> = cfg
        .windows
        .iter()
        .map(|w| WindowResult::missing(*w))
        .collect();
    let mut exclusions = Vec::new();
    let fit = fill(PairSlot {
        ret: &mut ret,
        expected_ret: &mut expected_ret,
        ar: &mut ar,
        sar: &mut sar,
        ar_se: &mut ar_se,
        ar_p: &mut ar_p,
        span: &mut span,
        windows: &mut windows,
        exclusions: &mut exclusions,
        coefs: None,
    });
    PairResult {
        fit,
        est_resid,
        event_period: h,
        ret,
        expected_ret,
        ar,
        sar,
        ar_se,
        ar_p,
        span,
        windows,
        exclusions,
    }
}
