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

pub mod fit;
pub mod linalg;

impl ModelKind {
    /// Number of estimated mean parameters k for `n_factors` factor columns (§4): constant
    /// mean 1, market-adjusted 0, market model / Scholes–Williams / Dimson 2, factor 1 + p.
    pub fn n_params(self, n_factors: usize) -> usize {
        match self {
            ModelKind::ConstantMean => 1,
            ModelKind::MarketAdjusted => 0,
            ModelKind::MarketModel | ModelKind::ScholesWilliams | ModelKind::Dimson => 2,
            ModelKind::Factor => 1 + n_factors,
        }
    }

    /// The `model` column of `model_fits` (§12): factor models are named `ff3` for the
    /// columns (mkt_rf, smb, hml), `carhart` for (mkt_rf, smb, hml, mom), else `factor`;
    /// suffix `_t2t` in trade-to-trade mode.
    pub fn output_name(self, factor_names: &[String], trade_to_trade: bool) -> String {
        let base = match self {
            ModelKind::ConstantMean => "constant_mean",
            ModelKind::MarketAdjusted => "market_adjusted",
            ModelKind::MarketModel => "market_model",
            ModelKind::ScholesWilliams => "scholes_williams",
            ModelKind::Dimson => "dimson",
            ModelKind::Factor => {
                let names: Vec<&str> = factor_names.iter().map(|s| s.as_str()).collect();
                match names.as_slice() {
                    ["mkt_rf", "smb", "hml"] => "ff3",
                    ["mkt_rf", "smb", "hml", "mom"] => "carhart",
                    _ => "factor",
                }
            }
        };
        if trade_to_trade {
            format!("{base}_t2t")
        } else {
            base.to_string()
        }
    }
}
