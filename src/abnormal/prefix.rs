//! The prefix-sum route: per-security prefix sums of the moment columns make each pair's fit
//! O(1) in the length of the estimation window (the residuals are still O(L)).

use std::borrow::Cow;

use super::fitted::Fitted;
use super::moments::{
    estimation_positions, finish_moment_fit, fit_from_moments, layout_of, width, Layout, QMAX, WMAX,
};
use super::{EngineConfig, PairExclusion, PairResult};
use crate::model::ModelKind;
use crate::returns::AlignedSeries;

/// Prefix sums of one security's estimation-sample moments, built once and shared by all its
/// events.
///
/// For the model's columns z = (regressors…, regressand), centred by a per-security constant
/// c (the mean over valid sessions), position j of the prefix holds, over the sessions before
/// j where every column is available: the count, Σ(z_a − c_a) and Σ(z_a − c_a)(z_b − c_b).
/// The moments of any estimation window are then the difference of two records.
#[derive(Debug, Clone)]
pub(crate) struct SecurityPrefix {
    layout: Layout,
    model: ModelKind,
    q: usize,
    w: usize,
    n: usize,
    center: Vec<f64>,
    data: Vec<f64>,
}

impl SecurityPrefix {
    /// Build the prefix sums for `series` under the model of `cfg` (O(n·q²)). For models or
    /// modes without a moment fit the prefix is empty and [`analyse_pair_fast`] takes the
    /// explicit-design route.
    pub fn new(series: &AlignedSeries, cfg: &EngineConfig) -> Self {
        let n = series.ret.len();
        let (layout, q) = layout_of(series, cfg);
        let mut me = SecurityPrefix {
            layout,
            model: cfg.model,
            q,
            w: width(q),
            n,
            center: vec![0.0; q],
            data: Vec::new(),
        };
        if layout == Layout::None {
            return me;
        }
        let nan_col = vec![f64::NAN; if series.bench.len() == n { 0 } else { n }];
        let cols = moment_columns(series, layout, &nan_col);
        let valid: Vec<bool> = (0..n)
            .map(|j| cols.iter().all(|c| c[j].is_finite()))
            .collect();
        me.center_on_means(&cols, &valid);
        me.accumulate(&cols, &valid);
        me
    }

    /// c_a = the mean of column a over the valid sessions (0 without any).
    fn center_on_means(&mut self, cols: &[Cow<[f64]>], valid: &[bool]) {
        let nvalid = valid.iter().filter(|v| **v).count();
        if nvalid > 0 {
            for (a, c) in cols.iter().enumerate() {
                self.center[a] = c
                    .iter()
                    .zip(valid)
                    .filter(|(_, v)| **v)
                    .map(|(x, _)| x)
                    .sum::<f64>()
                    / nvalid as f64;
            }
        }
    }

    /// The n + 1 prefix records: record j + 1 is record j plus session j when it is valid.
    fn accumulate(&mut self, cols: &[Cow<[f64]>], valid: &[bool]) {
        let (n, q, w) = (self.n, self.q, self.w);
        let mut data = vec![0.0; (n + 1) * w];
        let mut z = [0.0; QMAX];
        for j in 0..n {
            let (prev, next) = data[j * w..(j + 2) * w].split_at_mut(w);
            next.copy_from_slice(prev);
            if !valid[j] {
                continue;
            }
            for a in 0..q {
                z[a] = cols[a][j] - self.center[a];
            }
            next[0] += 1.0;
            let mut idx = 1 + q;
            for a in 0..q {
                next[1 + a] += z[a];
                for b in a..q {
                    next[idx] += z[a] * z[b];
                    idx += 1;
                }
            }
        }
        self.data = data;
    }

    /// Whether pairs of this security use the O(1) fit.
    pub fn has_fast_path(&self) -> bool {
        self.layout != Layout::None
    }
}

/// The moment columns z[a][j] of `layout`, borrowed from the series where no arithmetic is
/// needed; a column without the series' length reads as missing (`nan_col`, length n, when
/// the benchmark is such a column).
fn moment_columns<'a>(
    series: &'a AlignedSeries,
    layout: Layout,
    nan_col: &'a [f64],
) -> Vec<Cow<'a, [f64]>> {
    let n = series.ret.len();
    fn col_or_nan(c: &[f64], n: usize) -> Cow<'_, [f64]> {
        if c.len() == n {
            Cow::Borrowed(c)
        } else {
            Cow::Owned(vec![f64::NAN; n])
        }
    }
    let bench: Cow<[f64]> = if series.bench.len() == n {
        Cow::Borrowed(&series.bench)
    } else {
        Cow::Borrowed(nan_col)
    };
    let minus = |a: &[f64], b: &[f64]| -> Cow<'a, [f64]> {
        Cow::Owned(a.iter().zip(b.iter()).map(|(r, m)| r - m).collect())
    };
    match layout {
        Layout::ConstantMean => vec![Cow::Borrowed(&series.ret)],
        Layout::MarketAdjusted => vec![minus(&series.ret, &bench)],
        Layout::MarketModel => vec![bench, Cow::Borrowed(&series.ret)],
        Layout::Factor => {
            let mut c: Vec<Cow<[f64]>> = series.factors.iter().map(|f| col_or_nan(f, n)).collect();
            let y: Cow<[f64]> = if series.rf.is_empty() {
                Cow::Borrowed(&series.ret)
            } else {
                minus(&series.ret, &col_or_nan(&series.rf, n))
            };
            c.push(y);
            c
        }
        Layout::None => unreachable!(),
    }
}

/// The prefix-sum route of one pair: the fit is O(1) in the estimation window, the residuals
/// are filled in O(L) afterwards, the event period uses the shared p-value tables. Same
/// result as the reference engine (to rounding); the explicit-design route when the prefix
/// has no moment fit.
pub(crate) fn analyse_pair_fast(
    series: &AlignedSeries,
    prefix: &SecurityPrefix,
    day0: usize,
    cfg: &EngineConfig,
) -> Result<PairResult, PairExclusion> {
    finish_moment_fit(series, day0, cfg, |est_resid| {
        fit_fast(series, prefix, day0, cfg, est_resid)
    })
}

/// The prefix-sum fit of one pair with its residuals written to `est_resid` (length L, NaN
/// beforehand); `None` when the prefix has no moment fit for this pair.
pub(crate) fn fit_fast(
    series: &AlignedSeries,
    prefix: &SecurityPrefix,
    day0: usize,
    cfg: &EngineConfig,
    est_resid: &mut [f64],
) -> Option<Result<Fitted, PairExclusion>> {
    if !prefix.has_fast_path()
        || prefix.model != cfg.model
        || cfg.trade_to_trade
        || prefix.n != series.ret.len()
    {
        return None;
    }
    let (lo, hi) = estimation_positions(series, day0, cfg);
    let (q, w) = (prefix.q, prefix.w);
    let mut mom = [0.0; WMAX];
    if lo <= hi {
        let a = &prefix.data[lo as usize * w..(lo as usize + 1) * w];
        let b = &prefix.data[(hi as usize + 1) * w..(hi as usize + 2) * w];
        for i in 0..w {
            mom[i] = b[i] - a[i];
        }
    }
    let mut c = [0.0; QMAX];
    c[..q].copy_from_slice(&prefix.center[..q]);
    let layout = prefix.layout;
    Some(fit_from_moments(
        series, layout, q, &mom, &c, day0, cfg, est_resid,
    ))
}
