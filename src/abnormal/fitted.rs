//! A fitted normal-return model in the form the event period uses, and the `model_fits` row
//! and `estimation`-stage exclusions built from it.

use super::rows::Rows;
use super::sample::params_lost;
use super::{ModelFit, PairExclusion};
use crate::model::fit::FitFailure;
use crate::model::ModelKind;
use crate::tables::Stage;
use crate::vocab::ExclusionReason;

/// Largest k·k kept inline (no heap) in [`Coefs`]: k ≤ 5 parameters (market model, FF3,
/// Carhart). Small on purpose: a [`Fitted`] is moved by value a few times per pair.
const INLINE_COEFS: usize = 25;

/// A short coefficient vector or matrix: inline for the usual small k (the moment routes
/// allocate nothing per pair), on the heap otherwise.
pub(crate) struct Coefs {
    inline: [f64; INLINE_COEFS],
    heap: Vec<f64>,
    len: usize,
}

impl Coefs {
    /// The values of `x`, inline when they fit.
    pub fn from_slice(x: &[f64]) -> Self {
        if x.len() <= INLINE_COEFS {
            let mut inline = [0.0; INLINE_COEFS];
            inline[..x.len()].copy_from_slice(x);
            Coefs {
                inline,
                heap: Vec::new(),
                len: x.len(),
            }
        } else {
            Coefs::from(x.to_vec())
        }
    }
}

impl From<Vec<f64>> for Coefs {
    fn from(heap: Vec<f64>) -> Self {
        Coefs {
            inline: [0.0; INLINE_COEFS],
            len: heap.len(),
            heap,
        }
    }
}

impl std::ops::Deref for Coefs {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

/// The fitted model of one pair in raw coordinates, as used for the event period.
pub(crate) struct Fitted {
    /// θ̂ (length k).
    pub theta: Coefs,
    /// (X′X)⁻¹ (k×k).
    pub v: Coefs,
    /// σ̂².
    pub sigma2: f64,
    /// The `model_fits` row.
    pub fit: ModelFit,
}

/// An `estimation`-stage exclusion: the pair has no fit.
pub(crate) fn estimation_exclusion(reason: ExclusionReason, detail: String) -> PairExclusion {
    PairExclusion {
        stage: Stage::Estimation,
        reason,
        detail,
        order: 0,
    }
}

/// The exclusion of a pair whose design failed a §4.0 diagnostic.
pub(crate) fn fit_failure(f: FitFailure) -> PairExclusion {
    estimation_exclusion(f.reason(), f.detail())
}

/// The `model_fits` row from θ̂ (raw coordinates) for the OLS models.
pub(crate) fn model_fit_row(
    rows: &Rows,
    theta: &[f64],
    n_est: usize,
    sigma2: f64,
    r2: Option<f64>,
) -> ModelFit {
    let s = rows.series;
    let k = rows.k;
    let df = n_est - params_lost(rows.model, k);
    let (alpha, beta) = match rows.model {
        ModelKind::MarketAdjusted => (None, None),
        ModelKind::ConstantMean => (Some(theta[0]), None),
        _ => (Some(theta[0]), theta.get(1).copied()),
    };
    let mut extras = Vec::new();
    if rows.model == ModelKind::Factor {
        for (j, name) in s.factor_names.iter().enumerate().skip(1) {
            if let Some(&b) = theta.get(j + 1) {
                extras.push((format!("beta_{name}"), b));
            }
        }
        extras.sort_by(|a, b| a.0.cmp(&b.0));
    }
    ModelFit {
        model_name: rows.model.output_name(&s.factor_names, rows.t2t).into(),
        n_est,
        k,
        df,
        sigma: sigma2.sqrt(),
        alpha,
        beta,
        r2,
        extras,
    }
}
