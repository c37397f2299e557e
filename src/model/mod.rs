//! Normal-return models (methodology §4): constant mean, market-adjusted, market model,
//! multi-factor OLS (FF3, Carhart), Scholes–Williams, Dimson, trade-to-trade.
//! See `crate::abnormal` for the per-pair engine.

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

/// The Fama–French three factors, in the order the `ff3` model expects them.
pub const FF3_FACTORS: [&str; 3] = ["mkt_rf", "smb", "hml"];

/// The Carhart four factors, in the order the `carhart` model expects them.
pub const CARHART_FACTORS: [&str; 4] = ["mkt_rf", "smb", "hml", "mom"];

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
    ///
    /// # Examples
    /// ```
    /// use evstudy::model::ModelKind;
    /// assert_eq!(ModelKind::MarketModel.output_name(&[], true), "market_model_t2t");
    /// let ff3: Vec<String> = ["mkt_rf", "smb", "hml"].iter().map(|s| s.to_string()).collect();
    /// assert_eq!(ModelKind::Factor.output_name(&ff3, false), "ff3");
    /// ```
    pub fn output_name(self, factor_names: &[String], trade_to_trade: bool) -> &'static str {
        let named = |set: &[&str]| {
            factor_names
                .iter()
                .map(String::as_str)
                .eq(set.iter().copied())
        };
        let factor = || {
            if named(&FF3_FACTORS) {
                0
            } else if named(&CARHART_FACTORS) {
                1
            } else {
                2
            }
        };
        match (self, trade_to_trade) {
            (ModelKind::ConstantMean, false) => "constant_mean",
            (ModelKind::ConstantMean, true) => "constant_mean_t2t",
            (ModelKind::MarketAdjusted, false) => "market_adjusted",
            (ModelKind::MarketAdjusted, true) => "market_adjusted_t2t",
            (ModelKind::MarketModel, false) => "market_model",
            (ModelKind::MarketModel, true) => "market_model_t2t",
            (ModelKind::ScholesWilliams, false) => "scholes_williams",
            (ModelKind::ScholesWilliams, true) => "scholes_williams_t2t",
            (ModelKind::Dimson, false) => "dimson",
            (ModelKind::Dimson, true) => "dimson_t2t",
            (ModelKind::Factor, t2t) => match (factor(), t2t) {
                (0, false) => "ff3",
                (0, true) => "ff3_t2t",
                (1, false) => "carhart",
                (1, true) => "carhart_t2t",
                (_, false) => "factor",
                (_, true) => "factor_t2t",
            },
        }
    }
}
