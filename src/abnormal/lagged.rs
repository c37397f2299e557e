//! The reference fit of the lagged-benchmark models, Scholes–Williams and Dimson (§4.5,
//! §4.6), for one pair.

use super::fitted::{fit_failure, model_fit_row, Coefs, Fitted};
use super::rows::{at, Rows};
use super::sample::check_sample_size;
use super::{EngineConfig, PairExclusion};
use crate::model::fit::{check_singular, dimson, scholes_williams, FitFailure, ZERO_SSE_TOL};
use crate::model::linalg::spd_inverse;
use crate::model::ModelKind;

/// The estimation sample of a lagged model: the days τ where R_τ, R_mτ and every lead and
/// lag R_m,τ+j (j = −K..K, daily benchmark returns) are available.
struct LaggedSample {
    /// R_τ.
    r: Vec<f64>,
    /// R_mτ (the benchmark column of the model, span returns in trade-to-trade mode).
    m: Vec<f64>,
    /// R_m,τ+j for j = −K..K, one column per j.
    lagged: Vec<Vec<f64>>,
    /// The relative days τ of the sample.
    taus: Vec<i64>,
}

/// The coefficients of a lagged model and its `model_fits` extra columns (unsorted).
struct LaggedCoefs {
    alpha: f64,
    beta: f64,
    extras: Vec<(String, f64)>,
}

/// Scholes–Williams and Dimson (§4.5, §4.6): α̂ and β̂ from the lagged regressions; the
/// residuals, σ̂² and the FEC / CAR-variance design come from X = [1, R_m] over the sample
/// (§4.5 Decision).
///
/// # Formula
/// ε̂_τ = R_τ − α̂ − β̂·R_mτ;  σ̂² = SSE/(M − 2);  (X′X)⁻¹ with X = [1, R_m].
pub(crate) fn fit_lagged(
    rows: &Rows,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Result<Fitted, PairExclusion> {
    let kl = if rows.model == ModelKind::ScholesWilliams {
        1i64
    } else {
        cfg.dimson_lags as i64
    };
    let sample = lagged_sample(rows, day0, cfg, kl);
    let (r, m) = (&sample.r, &sample.m);
    let n = r.len();
    check_sample_size(n, rows.model, rows.k, cfg)?;
    let sx: f64 = m.iter().sum();
    let sxx: f64 = m.iter().map(|v| v * v).sum();
    let xtx = [n as f64, sx, sx, sxx];
    let LaggedCoefs {
        alpha,
        beta,
        mut extras,
    } = if rows.model == ModelKind::ScholesWilliams {
        scholes_williams_coefs(&sample)?
    } else {
        check_singular(&xtx, 2).map_err(fit_failure)?;
        dimson_coefs(&sample, kl)?
    };
    check_singular(&xtx, 2).map_err(fit_failure)?;
    extras.sort_by(|a, b| a.0.cmp(&b.0));
    let l1 = cfg.estimation.start as i64;
    let mut sse = 0.0;
    let mut sum_y2 = 0.0;
    for (i, &tau) in sample.taus.iter().enumerate() {
        let e = r[i] - alpha - beta * m[i];
        est_resid[(tau - l1) as usize] = e;
        sse += e * e;
        sum_y2 += r[i] * r[i];
    }
    if sse <= ZERO_SSE_TOL * sum_y2 {
        return Err(fit_failure(FitFailure::ZeroResidualVariance {
            sse,
            sum_y2,
        }));
    }
    let rbar = r.iter().sum::<f64>() / n as f64;
    let sst: f64 = r.iter().map(|v| (v - rbar) * (v - rbar)).sum();
    let v = spd_inverse(&xtx, 2).ok_or_else(|| fit_failure(FitFailure::SingularDesign(0.0)))?;
    let sigma2 = sse / (n - 2) as f64;
    let mut fit = model_fit_row(rows, &[alpha, beta], n, sigma2, Some(1.0 - sse / sst));
    fit.extras = extras;
    Ok(Fitted {
        theta: Coefs::from_slice(&[alpha, beta]),
        v: v.into(),
        sigma2,
        fit,
    })
}

/// The estimation sample of a lagged model with `kl` = K leads and lags.
fn lagged_sample(rows: &Rows, day0: usize, cfg: &EngineConfig, kl: i64) -> LaggedSample {
    let s = rows.series;
    let base = day0 as i64;
    let lagcol: &[f64] = if s.bench_daily.is_empty() {
        &s.bench
    } else {
        &s.bench_daily
    };
    let mut sample = LaggedSample {
        r: Vec::new(),
        m: Vec::new(),
        lagged: vec![Vec::new(); (2 * kl + 1) as usize],
        taus: Vec::new(),
    };
    'tau: for tau in cfg.estimation.start as i64..=cfg.estimation.end as i64 {
        let pos = base + tau;
        let rv = at(&s.ret, pos);
        let mv = at(&s.bench, pos);
        if !rv.is_finite() || !mv.is_finite() {
            continue;
        }
        for j in -kl..=kl {
            if !at(lagcol, pos + j).is_finite() {
                continue 'tau;
            }
        }
        for j in -kl..=kl {
            sample.lagged[(j + kl) as usize].push(at(lagcol, pos + j));
        }
        sample.r.push(rv);
        sample.m.push(mv);
        sample.taus.push(tau);
    }
    sample
}

/// Scholes–Williams (§4.5): each of the three simple regressions on [1, R_m,τ+j] must pass
/// the singular-design diagnostic.
fn scholes_williams_coefs(sample: &LaggedSample) -> Result<LaggedCoefs, PairExclusion> {
    let n = sample.r.len() as f64;
    for c in &sample.lagged {
        let cs: f64 = c.iter().sum();
        let css: f64 = c.iter().map(|v| v * v).sum();
        check_singular(&[n, cs, cs, css], 2).map_err(fit_failure)?;
    }
    let cols = &sample.lagged;
    let sw = scholes_williams(&sample.r, &cols[0], &sample.m, &cols[2]);
    Ok(LaggedCoefs {
        alpha: sw.alpha,
        beta: sw.beta,
        extras: vec![
            ("beta_lag1".to_string(), sw.beta_lag1),
            ("beta_contemp".to_string(), sw.beta_contemp),
            ("beta_lead1".to_string(), sw.beta_lead1),
            ("rho_m".to_string(), sw.rho_m),
        ],
    })
}

/// Dimson (§4.6) with `kl` = K leads and lags: one slope per R_m,τ+j, named
/// `beta_lag{K}` … `beta_contemp` … `beta_lead{K}`.
fn dimson_coefs(sample: &LaggedSample, kl: i64) -> Result<LaggedCoefs, PairExclusion> {
    let refs: Vec<&[f64]> = sample.lagged.iter().map(|c| c.as_slice()).collect();
    let (alpha, beta, slopes) = dimson(&sample.r, &refs, &sample.m).map_err(fit_failure)?;
    let mut extras = Vec::new();
    for j in -kl..=kl {
        let name = match j.cmp(&0) {
            std::cmp::Ordering::Less => format!("beta_lag{}", -j),
            std::cmp::Ordering::Equal => "beta_contemp".to_string(),
            std::cmp::Ordering::Greater => format!("beta_lead{j}"),
        };
        extras.push((name, slopes[(j + kl) as usize]));
    }
    Ok(LaggedCoefs {
        alpha,
        beta,
        extras,
    })
}
