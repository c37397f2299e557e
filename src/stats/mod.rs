//! The test-statistics battery and aggregation (methodology §5.5, §6–§10).
//!
//! The types [`StatsEvent`] and [`StatsConfig`] are the contract with `study`; extend them
//! only by adding fields.
//!
//! Layout:
//! * [`parametric`] — `csect_t`, `cda_t` (with [`parametric::s_cda`]), `patell_z`,
//!   `adj_patell_z`, `bmp_t`, `adj_bmp_t`, `skew_adj_t` (§8);
//! * [`nonparametric`] — `sign_z`, `gsign_z`, the Corrado/Cowan `rank_z`, `grank_t`,
//!   `wilcoxon_z` and the rank standardization U, S_V (§9);
//! * [`correlation`] — r̄ over same-date clusters, same-date partners m, pair correlations (§7.3);
//! * [`difference`] — [`group_difference`]: two groups of CARs compared by Welch's t and the
//!   Mann-Whitney U test (§7.5);
//! * [`aggregate`] — the `aggregate` table summaries (§5.5);
//! * [`kind`] — the vocabulary of the output rows: [`TestKind`] (with its §12 order),
//!   [`Scope`] and [`Metric`];
//! * [`battery`] — [`group_battery`]: every test row and aggregate row of one group (§7, §12),
//!   from the test sets (`sets.rs`) and the single pass over the events (`rank_pass.rs`);
//! * [`portfolio`] — [`portfolio_test_rows`]: the `portfolio_t` rows of a same-date cluster (§10);
//! * [`bootstrap`] — [`wild_bootstrap_rows`]: the `wild_boot_t` rows, the event-date clustered
//!   t with its wild cluster bootstrap p-value (§8.8);
//! * [`multiple`] — [`holm`], [`benjamini_hochberg`] and [`adjust_test_rows`]: adjusted
//!   p-values by family (§8.9).
//!
//! Every statistic function is pure, works on slices and returns `Option<`[`TestStat`]`>`:
//! `None` is the methodology's NA (too few observations, zero variance, negative variance
//! factor, …); nothing here panics on data.

use crate::abnormal::{PairRef, PairView, Window};
use chrono::NaiveDate;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

pub mod aggregate;
pub mod battery;
pub mod bootstrap;
pub mod car_regression;
pub mod correlation;
pub mod difference;
mod event_ranks;
pub mod kind;
pub mod multiple;
pub mod nonparametric;
pub mod parametric;
pub mod portfolio;
pub mod quantile;
mod rank_pass;
mod rows;
mod sets;
pub mod variance_ratio;

pub use aggregate::{describe, Summary};
pub use battery::{group_battery, GroupBattery, GroupDiagnostics};
pub use bootstrap::{
    wild_bootstrap_rows, wild_cluster_test, BootstrapSettings, BootstrapWeights, ClusterSums,
};
pub use correlation::{
    pair_correlations, rbar, same_date_partners_m, CommonCorrelation, CorrelationSum,
    PairCorrelation, Rbar,
};
pub use difference::{group_difference, GroupDifference};
pub use kind::{Metric, Scope, TestKind, UnknownName};
pub use multiple::{
    adjust_test_rows, benjamini_hochberg, holm, Adjustment, Family, MultipleTesting,
};
pub use nonparametric::{
    grank_t, grank_u, gsign_z, midranks, positive_share, rank_s_v, rank_z_day, rank_z_window,
    sign_z, standardized_ranks, wilcoxon_z, GrankU, RankScale, Wilcoxon,
};
pub use parametric::{
    adj_bmp_t, adj_patell_z, bmp_t, cda_t, csect_t, patell_z, s_cda, skew_adj_t, CdaScale,
};
pub use portfolio::portfolio_test_rows;
pub use quantile::{sample_quantile_test, QuantileTest};
pub use variance_ratio::{variance_ratio, VarianceRatio};

/// One analysed event of a group, as the tests see it.
#[derive(Debug, Clone, Copy)]
pub struct StatsEvent<'a> {
    /// Event id.
    pub event_id: &'a str,
    /// Security ticker.
    pub security: &'a str,
    /// Calendar date of day 0: events with the same day-0 date are same-date pairs (§7.3).
    pub day0: NaiveDate,
    /// Calendar date of each estimation relative day L1..=L2 (None outside the calendar);
    /// residuals are aligned on these dates for r̄ (§7.3).
    pub est_dates: &'a [Option<NaiveDate>],
    /// The engine's results for this pair.
    pub pair: PairRef<'a>,
}

impl<'a> StatsEvent<'a> {
    /// The engine's results for this pair ([`PairRef::view`]).
    pub fn view(&self) -> PairView<'a> {
        self.pair.view()
    }
}

/// Settings the battery needs.
#[derive(Debug, Clone)]
pub struct StatsConfig {
    /// Estimation window [L1, L2].
    pub estimation: Window,
    /// Event windows in configuration order.
    pub windows: Vec<Window>,
    /// Minimum common dates for a pair to enter r̄ (default 30).
    pub rbar_min_common_dates: usize,
    /// Exact Wilcoxon p-value without ties (default false).
    pub wilcoxon_exact: bool,
    /// Trade-to-trade mode: day-level tests use only span-1 ARs (§7.2).
    pub trade_to_trade: bool,
}

impl StatsConfig {
    /// The event period H = hull of all event windows ([0, 0] without windows).
    pub fn event_period(&self) -> Window {
        crate::abnormal::event_period(&self.windows)
    }
}

/// One computed test statistic (a `tests` row without its labels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestStat {
    /// The statistic (t or z).
    pub statistic: f64,
    /// Two-sided p-value (§0.3).
    pub p_value: f64,
    /// Degrees of freedom, for Student-t statistics only.
    pub df: Option<f64>,
    /// Size of the test set.
    pub n: usize,
}

/// Two-sided Student-t p-value 2·F̄_ν(|x|) from the survival function (§0.3).
///
/// `None` when `x` is not finite or `df` ≤ 0.
///
/// # Formula
/// ```text
/// p = 2 · (1 − F_ν(|x|))   computed as 2 · sf_ν(|x|)
/// ```
///
/// # Examples
/// ```
/// use evstudy::stats::p_value_t;
/// // t = 0 gives p = 1; the 97.5 % quantile of t(1) is 12.706…
/// assert!((p_value_t(0.0, 5.0).unwrap() - 1.0).abs() < 1e-12);
/// assert!((p_value_t(12.706204736174698, 1.0).unwrap() - 0.05).abs() < 1e-9);
/// ```
pub fn p_value_t(x: f64, df: f64) -> Option<f64> {
    if !x.is_finite() || !(df > 0.0) {
        return None;
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * dist.sf(x.abs())).min(1.0))
}

/// Two-sided standard-normal p-value 2·Φ̄(|z|) from the survival function (§0.3).
///
/// `None` when `z` is not finite.
///
/// # Formula
/// ```text
/// p = 2 · (1 − Φ(|z|))   computed as 2 · sf(|z|)
/// ```
///
/// # Examples
/// ```
/// use evstudy::stats::p_value_normal;
/// assert!((p_value_normal(1.959963984540054).unwrap() - 0.05).abs() < 1e-10);
/// ```
pub fn p_value_normal(z: f64) -> Option<f64> {
    if !z.is_finite() {
        return None;
    }
    Some((2.0 * Normal::standard().sf(z.abs())).min(1.0))
}

/// A t-distributed [`TestStat`] (`None` when the p-value is undefined).
pub(crate) fn t_stat(statistic: f64, df: f64, n: usize) -> Option<TestStat> {
    let p_value = p_value_t(statistic, df)?;
    Some(TestStat {
        statistic,
        p_value,
        df: Some(df),
        n,
    })
}

/// A normal [`TestStat`] (`None` when the statistic is not finite).
pub(crate) fn z_stat(statistic: f64, n: usize) -> Option<TestStat> {
    let p_value = p_value_normal(statistic)?;
    Some(TestStat {
        statistic,
        p_value,
        df: None,
        n,
    })
}

/// Mean of a slice (NaN for an empty slice).
pub(crate) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample standard deviation, divisor n − 1, two-pass (`None` if n < 2).
pub(crate) fn sd(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x);
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (x.len() - 1) as f64).sqrt())
}

#[cfg(test)]
pub(crate) mod test_util {
    /// Golden tolerance |a − b| ≤ 1e-9·max(1, |b|).
    pub fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod golden_tests;
