//! The normal-return model of a design: its name as written in `study.toml` and its factor
//! columns, with every fact the rest of the study needs about it (§4).

use crate::error::{Error, Result};
use crate::model::ModelKind;
pub use crate::model::{CARHART_FACTORS, FF3_FACTORS};
use crate::vocab::by_name;
use std::str::FromStr;

/// The model names accepted in a study file, in the order of [`ModelName::ALL`].
pub const MODEL_NAMES: [&str; 8] = [
    "constant_mean",
    "market_adjusted",
    "market_model",
    "ff3",
    "carhart",
    "factor",
    "scholes_williams",
    "dimson",
];

/// A model name accepted in a study file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelName {
    /// §4.1.
    ConstantMean,
    /// §4.2.
    MarketAdjusted,
    /// §4.3.
    MarketModel,
    /// §4.4 with the factors [`FF3_FACTORS`].
    Ff3,
    /// §4.4 with the factors [`CARHART_FACTORS`].
    Carhart,
    /// §4.4 with the factor columns of the `[factors]` table.
    Factor,
    /// §4.5.
    ScholesWilliams,
    /// §4.6.
    Dimson,
}

impl ModelName {
    /// Every name, in the order of [`MODEL_NAMES`].
    pub const ALL: [ModelName; 8] = [
        ModelName::ConstantMean,
        ModelName::MarketAdjusted,
        ModelName::MarketModel,
        ModelName::Ff3,
        ModelName::Carhart,
        ModelName::Factor,
        ModelName::ScholesWilliams,
        ModelName::Dimson,
    ];

    /// The name in `study.toml`.
    ///
    /// # Examples
    /// ```
    /// use evstudy::design::ModelName;
    /// assert_eq!("scholes_williams".parse::<ModelName>().unwrap().as_str(), "scholes_williams");
    /// ```
    pub fn as_str(self) -> &'static str {
        MODEL_NAMES[self as usize]
    }

    /// The estimator the engine runs.
    pub fn kind(self) -> ModelKind {
        match self {
            ModelName::ConstantMean => ModelKind::ConstantMean,
            ModelName::MarketAdjusted => ModelKind::MarketAdjusted,
            ModelName::MarketModel => ModelKind::MarketModel,
            ModelName::Ff3 | ModelName::Carhart | ModelName::Factor => ModelKind::Factor,
            ModelName::ScholesWilliams => ModelKind::ScholesWilliams,
            ModelName::Dimson => ModelKind::Dimson,
        }
    }

    /// The factor columns the name fixes (`ff3`, `carhart`); `None` when any columns do.
    pub fn factor_columns(self) -> Option<&'static [&'static str]> {
        match self {
            ModelName::Ff3 => Some(&FF3_FACTORS),
            ModelName::Carhart => Some(&CARHART_FACTORS),
            _ => None,
        }
    }
}

impl FromStr for ModelName {
    type Err = Error;

    fn from_str(s: &str) -> Result<ModelName> {
        by_name(&ModelName::ALL, ModelName::as_str, s).ok_or_else(|| {
            Error::config(format!(
                "unknown model '{s}' (expected one of: {})",
                MODEL_NAMES.join(", ")
            ))
        })
    }
}

/// The normal-return model of a design: its name and, for factor models, the factor columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The model as named in the study.
    pub name: ModelName,
    /// Factor columns (factor models; empty otherwise).
    pub factors: Vec<String>,
}

impl Model {
    /// The estimator the engine runs.
    pub fn kind(&self) -> ModelKind {
        self.name.kind()
    }

    /// The number of mean parameters of §4 ([`ModelKind::n_params`]): 0 for market-adjusted.
    pub fn mean_params(&self) -> usize {
        self.kind().n_params(self.factors.len())
    }

    /// k, the estimation returns the residual variance σ̂² uses up (its degrees of freedom are
    /// M − k): the mean parameters, and 1 for market-adjusted, whose σ̂² divides by M − 1.
    /// A design needs `min_estimation_returns ≥ k + 1`, so that ν ≥ 1.
    ///
    /// # Examples
    /// ```
    /// use evstudy::design::{Model, ModelName};
    /// let k = |name| Model { name, factors: vec![] }.k();
    /// assert_eq!(k(ModelName::MarketAdjusted), 1);
    /// assert_eq!(k(ModelName::MarketModel), 2);
    /// ```
    pub fn k(&self) -> usize {
        self.mean_params().max(1)
    }

    /// Does the model read the benchmark's returns?
    pub fn needs_benchmark(&self) -> bool {
        matches!(
            self.kind(),
            ModelKind::MarketAdjusted
                | ModelKind::MarketModel
                | ModelKind::ScholesWilliams
                | ModelKind::Dimson
        )
    }

    /// Can the model be fitted on trade-to-trade returns (§4.7)? Not the market-adjusted,
    /// Scholes–Williams or Dimson models.
    pub fn supports_trade_to_trade(&self) -> bool {
        !matches!(
            self.kind(),
            ModelKind::MarketAdjusted | ModelKind::ScholesWilliams | ModelKind::Dimson
        )
    }

    /// Does the model read a factor file?
    pub fn needs_factors(&self) -> bool {
        self.kind() == ModelKind::Factor
    }

    /// The `model` column of `model_fits` ([`ModelKind::output_name`]).
    pub fn output_name(&self, trade_to_trade: bool) -> &'static str {
        self.kind().output_name(&self.factors, trade_to_trade)
    }
}

impl Default for Model {
    /// The market model.
    fn default() -> Self {
        Model {
            name: ModelName::MarketModel,
            factors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_every_model() {
        let k = |name, p: usize| {
            Model {
                name,
                factors: vec!["f".to_string(); p],
            }
            .k()
        };
        assert_eq!(k(ModelName::ConstantMean, 0), 1);
        assert_eq!(k(ModelName::MarketAdjusted, 0), 1);
        assert_eq!(k(ModelName::MarketModel, 0), 2);
        assert_eq!(k(ModelName::ScholesWilliams, 0), 2);
        assert_eq!(k(ModelName::Dimson, 0), 2);
        assert_eq!(k(ModelName::Ff3, 3), 4);
        assert_eq!(k(ModelName::Carhart, 4), 5);
        assert_eq!(k(ModelName::Factor, 2), 3);
    }

    #[test]
    fn unknown_model_lists_every_name() {
        for m in ModelName::ALL {
            assert_eq!(m.as_str().parse::<ModelName>().unwrap(), m);
        }
        assert_eq!(
            "capm9".parse::<ModelName>().unwrap_err().to_string(),
            "configuration: unknown model 'capm9' (expected one of: constant_mean, \
             market_adjusted, market_model, ff3, carhart, factor, scholes_williams, dimson)"
        );
    }
}
