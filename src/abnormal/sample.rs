//! The one sample-size rule of an estimation sample (§4.0), applied by every route before it
//! fits: M ≥ `min_estimation_returns` and ν > 0.

use super::fitted::estimation_exclusion;
use super::{EngineConfig, PairExclusion};
use crate::model::ModelKind;
use crate::vocab::ExclusionReason;

/// Mean parameters the residual variance loses: k, or 1 for market-adjusted (k = 0, whose σ̂²
/// is the sample variance of the estimation ARs, §4.2).
///
/// # Formula
/// ν = M − k;  ν = M − 1 for market-adjusted.
pub(crate) fn params_lost(model: ModelKind, k: usize) -> usize {
    match model {
        ModelKind::MarketAdjusted => 1,
        _ => k,
    }
}

/// Whether an estimation sample of `m` returns may be fitted with a `k`-parameter `model`:
/// at least `min_estimation_returns` returns and ν > 0 degrees of freedom left. A sample
/// that fails either gives the `too_few_estimation_returns` exclusion.
///
/// # Formula
/// M ≥ min_estimation_returns  and  ν = M − k > 0 (ν = M − 1 for market-adjusted).
pub(crate) fn check_sample_size(
    m: usize,
    model: ModelKind,
    k: usize,
    cfg: &EngineConfig,
) -> Result<(), PairExclusion> {
    if m < cfg.min_estimation_returns || m <= params_lost(model, k) {
        return Err(estimation_exclusion(
            ExclusionReason::TooFewEstimationReturns,
            format!("M={} < min_est={}", m, cfg.min_estimation_returns),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abnormal::Window;
    use crate::returns::ReturnKind;

    fn cfg(min: usize) -> EngineConfig {
        EngineConfig {
            model: ModelKind::MarketModel,
            returns: ReturnKind::Simple,
            estimation: Window {
                start: -10,
                end: -1,
            },
            windows: vec![Window { start: 0, end: 0 }],
            min_estimation_returns: min,
            dimson_lags: 1,
            trade_to_trade: false,
        }
    }

    #[test]
    fn minimum_and_positive_degrees_of_freedom() {
        let e = check_sample_size(9, ModelKind::MarketModel, 2, &cfg(30)).unwrap_err();
        assert_eq!(e.reason, "too_few_estimation_returns");
        assert_eq!(e.detail, "M=9 < min_est=30");
        assert!(check_sample_size(30, ModelKind::MarketModel, 2, &cfg(30)).is_ok());
        // ν = 0 with a minimum at or below k
        assert!(check_sample_size(2, ModelKind::MarketModel, 2, &cfg(1)).is_err());
        assert!(check_sample_size(3, ModelKind::MarketModel, 2, &cfg(1)).is_ok());
        assert!(check_sample_size(1, ModelKind::ConstantMean, 1, &cfg(1)).is_err());
        assert!(check_sample_size(1, ModelKind::MarketAdjusted, 0, &cfg(1)).is_err());
        assert!(check_sample_size(2, ModelKind::MarketAdjusted, 0, &cfg(1)).is_ok());
    }
}
