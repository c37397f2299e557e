//! The portfolio test of a same-date cluster (methodology §10): the single-event t tests of
//! the cluster's equal-weighted portfolio, fitted like an event by the engine.

use super::kind::{Scope, TestKind};
use super::rows::{At, RowLabels};
use super::{t_stat, StatsConfig};
use crate::abnormal::PairResult;
use crate::tables::TestRow;

/// The `portfolio_t` rows of one cluster (§10): one per day of H, then one per window.
///
/// `portfolio` is the engine's result for the portfolio return series; `members_per_day[k]`
/// = members with a return on day H1 + k (the `n` of day rows); `n_members` = the `n` of
/// window rows. Reference: Jaffe, J. F. (1974), Journal of Business 47(3), 410–428;
/// Mandelker, G. (1974), JFE 1(4), 303–335; Schwert, G. W. (1981), Journal of Law and
/// Economics 24(1), 121–158.
///
/// # Formula
/// ```text
/// day t:     t = SAR_p,t          window W:  t = SCAR_p(W)          df ν_p,  p from F_ν
/// ```
/// statistic, p_value and df are empty when the AR or the window is NA or ν_p = 0.
///
/// # Examples
/// ```
/// use evstudy::abnormal::{ModelFit, PairResult, Window, WindowResult};
/// use evstudy::stats::{portfolio_test_rows, StatsConfig};
/// let w = Window { start: 0, end: 1 };
/// let fit = ModelFit { model_name: "market_model".into(), n_est: 45, k: 2, df: 43,
///     sigma: 0.01, alpha: None, beta: None, r2: None, extras: vec![] };
/// let pf = PairResult { fit, est_resid: vec![], event_period: w,
///     ret: vec![0.0; 2], expected_ret: vec![0.0; 2], ar: vec![0.02, f64::NAN],
///     sar: vec![2.0, f64::NAN], ar_se: vec![0.01, f64::NAN], ar_p: vec![0.05, f64::NAN],
///     span: vec![1, 0],
///     windows: vec![WindowResult { window: w, complete: false, car: None, car_se: None,
///         car_t: None, car_p: None, scar: None, bhar: None, n_days: 1 }],
///     exclusions: vec![] };
/// let cfg = StatsConfig { estimation: Window { start: -50, end: -6 }, windows: vec![w],
///     rbar_min_common_dates: 30, wilcoxon_exact: false, trade_to_trade: false };
/// let rows = portfolio_test_rows("all", "PF:XNYS:2024-06-26:IDX", &pf, &[3, 2], 3, &cfg);
/// assert_eq!(rows.len(), 3);
/// assert_eq!(rows[0].statistic, Some(2.0));
/// assert_eq!(rows[0].df, Some(43.0));
/// assert_eq!(rows[1].statistic, None);
/// assert_eq!((rows[2].scope.as_str(), rows[2].n), ("car", 3));
/// ```
pub fn portfolio_test_rows(
    group: &str,
    cluster_id: &str,
    portfolio: &PairResult,
    members_per_day: &[u32],
    n_members: u32,
    cfg: &StatsConfig,
) -> Vec<TestRow> {
    let df = portfolio.fit.df as f64;
    let h = portfolio.event_period;
    let labels = RowLabels {
        group,
        cluster: Some(cluster_id),
    };
    let row = |scope: Scope, at: At, x: Option<f64>, n: u32| {
        let stat = x
            .filter(|v| v.is_finite())
            .and_then(|v| t_stat(v, df, n as usize));
        labels.test_row(scope, &at, TestKind::PortfolioT, stat, n)
    };
    let mut rows = Vec::with_capacity(h.len() + cfg.windows.len());
    for (k, t) in (h.start..=h.end).enumerate() {
        let sar = portfolio.sar.get(k).copied();
        let n = members_per_day.get(k).copied().unwrap_or(0);
        rows.push(row(Scope::Day, At::Day(t), sar, n));
    }
    for (w_idx, w) in cfg.windows.iter().enumerate() {
        let scar = portfolio
            .windows
            .get(w_idx)
            .filter(|r| r.complete)
            .and_then(|r| r.scar);
        rows.push(row(Scope::Car, At::Window(w.label()), scar, n_members));
    }
    rows
}
