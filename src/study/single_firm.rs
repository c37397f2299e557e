//! The single-firm sample-quantile columns of `cars` (§6.1) and the `variance_ratio` table
//! (§7.7), computed from the engine's results after the pair rows are written.

use super::groups::GroupLabel;
use super::pairs::Pair;
use super::plan::RunPlan;
use crate::abnormal::{PairBatch, PairView};
use crate::stats::{sample_quantile_test, variance_ratio};
use crate::tables::{CarRow, StudyTables, VarianceRatioRow};

/// The note of a trade-to-trade study, whose estimation residuals are scaled by 1/√d (§4.7)
/// and so are not daily abnormal returns.
const TRADE_TO_TRADE_NOTE: &str = "single_firm_quantile: the sample-quantile test \
     is not defined in trade-to-trade mode (§6.1); quantile_n, quantile_p and quantile_rank \
     are empty";

/// With `single_firm_quantile`, the quantile cells of the `cars` rows of the analysed pairs
/// ([`add_quantile_cells`]), and in trade-to-trade mode the note that they are empty.
pub(crate) fn quantile_phase(
    plan: &RunPlan,
    tables: &mut StudyTables,
    notes: &mut Vec<String>,
    pairs: &[Pair],
    batch: &PairBatch,
) {
    if !plan.single_firm.quantile {
        return;
    }
    add_quantile_cells(&mut tables.cars, pairs, batch, plan.trade_to_trade());
    if plan.trade_to_trade() {
        notes.push(TRADE_TO_TRADE_NOTE.to_string());
    }
}

/// Adds `quantile_n`, `quantile_p` and `quantile_rank` to the `cars` rows of the analysed
/// pairs. `cars` holds exactly the rows [`super::rows::push_all_pair_rows`] wrote: one per
/// configured window of each analysed pair, in pair order. In trade-to-trade mode every
/// cell is empty.
fn add_quantile_cells(
    cars: &mut [CarRow],
    pairs: &[Pair],
    batch: &PairBatch,
    trade_to_trade: bool,
) {
    let mut rows = cars.iter_mut();
    for p in pairs {
        let Some(Ok(view)) = p.result.map(|slot| batch.get(slot)) else {
            continue;
        };
        for w in view.windows {
            let Some(row) = rows.next() else { return };
            row.extras = if trade_to_trade {
                quantile_cells(None, None, None)
            } else {
                window_cells(&view, w.window.len(), w.car)
            };
        }
    }
}

/// The quantile cells of one window of L days.
fn window_cells(view: &PairView, l: usize, car: Option<f64>) -> Vec<(String, Option<f64>)> {
    let t = sample_quantile_test(&view.est_resid.to_vec(), l, car);
    quantile_cells(Some(t.n_reference as f64), t.p_value, t.rank)
}

fn quantile_cells(n: Option<f64>, p: Option<f64>, rank: Option<f64>) -> Vec<(String, Option<f64>)> {
    vec![
        ("quantile_n".to_string(), n),
        ("quantile_p".to_string(), p),
        ("quantile_rank".to_string(), rank),
    ]
}

/// One `variance_ratio` row per group label × event window: the SCARs of the members whose
/// window is complete with a finite CAR and SCAR (the test set of `aggregate`, §7.2) and
/// their residual degrees of freedom ν.
pub(crate) fn variance_ratio_rows(
    labels: &[GroupLabel],
    window_labels: &[String],
    pairs: &[Pair],
    batch: &PairBatch,
) -> Vec<VarianceRatioRow> {
    let mut out = Vec::with_capacity(labels.len() * window_labels.len());
    let (mut scar, mut nu) = (Vec::new(), Vec::new());
    for group in labels {
        for (w, window) in window_labels.iter().enumerate() {
            scar.clear();
            nu.clear();
            for &i in &group.members {
                let Some(Ok(view)) = pairs[i].result.map(|slot| batch.get(slot)) else {
                    continue;
                };
                let Some(win) = view.windows.get(w).filter(|x| x.complete) else {
                    continue;
                };
                if let (Some(car), Some(s)) = (win.car, win.scar) {
                    if car.is_finite() && s.is_finite() {
                        scar.push(s);
                        nu.push(view.fit.df as f64);
                    }
                }
            }
            let v = variance_ratio(&scar, &nu);
            out.push(VarianceRatioRow {
                group: group.label.clone(),
                window: window.clone(),
                n: v.n as u32,
                ratio: v.ratio,
                statistic: v.statistic,
                df: v.df,
                p_value: v.p_value,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abnormal::{Engine, EngineConfig, PairJob, Window};
    use crate::model::ModelKind;
    use crate::returns::{AlignedSeries, ReturnKind};
    use approx::assert_relative_eq;

    /// The engine's estimation residuals, as the quantile cells read them, are the residuals
    /// of an OLS market model fitted here in closed form; the cells are the brute-force counts
    /// of §6.1 over those residuals.
    #[test]
    fn quantile_cells_from_independent_ols_residuals() {
        let n = 80;
        let bench: Vec<f64> = (0..n)
            .map(|i| 0.01 * ((i * 7 % 13) as f64 - 6.0) / 6.0)
            .collect();
        let ret: Vec<f64> = (0..n)
            .map(|i| 0.0003 + 1.2 * bench[i] + 0.004 * ((i * 11 % 17) as f64 - 8.0) / 8.0)
            .collect();
        let series = AlignedSeries {
            ret: ret.clone(),
            bench: bench.clone().into(),
            span: vec![1; n],
            ..Default::default()
        };
        let cfg = EngineConfig {
            model: ModelKind::MarketModel,
            returns: ReturnKind::Simple,
            estimation: Window {
                start: -60,
                end: -11,
            },
            windows: vec![Window { start: 0, end: 0 }, Window { start: 0, end: 5 }],
            min_estimation_returns: 30,
            dimson_lags: 1,
            trade_to_trade: false,
        };
        let day0 = 70;
        let batch = Engine::new(&cfg).analyse_batch(&[series], &[PairJob { series: 0, day0 }]);
        let view = batch.get(0).unwrap();

        let (x, y) = (&bench[10..60], &ret[10..60]);
        let m = x.len() as f64;
        let (xm, ym) = (x.iter().sum::<f64>() / m, y.iter().sum::<f64>() / m);
        let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - xm) * (b - ym)).sum();
        let sxx: f64 = x.iter().map(|a| (a - xm) * (a - xm)).sum();
        let beta = sxy / sxx;
        let alpha = ym - beta * xm;
        let resid: Vec<f64> = x.iter().zip(y).map(|(a, b)| b - alpha - beta * a).collect();
        for (e, r) in view.est_resid.to_vec().iter().zip(&resid) {
            assert_relative_eq!(*e, *r, epsilon = 1e-12);
        }

        let car = view.windows.get(1).unwrap().car.unwrap();
        let sums: Vec<f64> = resid.windows(6).map(|w| w.iter().sum()).collect();
        let below = sums.iter().filter(|s| **s <= car).count() as f64;
        let above = sums.iter().filter(|s| **s >= car).count() as f64;
        let k = sums.len() as f64;
        let cells = window_cells(&view, 6, Some(car));
        assert_eq!(cells[0], ("quantile_n".to_string(), Some(45.0)));
        let p = (2.0 * (below / k).min(above / k)).min(1.0);
        assert_relative_eq!(cells[1].1.unwrap(), p, epsilon = 1e-12);
        assert_relative_eq!(cells[2].1.unwrap(), below / k, epsilon = 1e-12);
    }
}
