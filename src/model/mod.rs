//! Normal-return models (methodology §4): constant mean, market-adjusted, market model,
//! multi-factor OLS (FF3, Carhart), Scholes–Williams, Dimson, trade-to-trade.
//!
//! OWNER: engine helper. See `crate::abnormal` for the per-pair engine.

/// Which normal-return model to fit (§4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// §4.1, k = 1.
    ConstantMean,
    /// §4.2, k = 0.
    MarketAdjusted,
    /// §4.3, k = 2.
    #[default]
    MarketModel,
    /// §4.4 with user factor columns, k = 1 + p. Named `ff3`/`carhart`/`factor` in outputs.
    Factor,
    /// §4.5, k = 2.
    ScholesWilliams,
    /// §4.6, k = 2.
    Dimson,
}
