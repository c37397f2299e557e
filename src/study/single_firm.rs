//! The single-firm sample-quantile columns of `cars` (§6.1) and the `variance_ratio` table
//! (§7.6), computed from the engine's results after the pair rows are written.

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
    let t = sample_quantile_test(view.est_resid, l, car);
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
