//! The test-statistics battery and aggregation (methodology §5.5, §6–§10).
//!
//! OWNER: stats helper. The types below are the contract with `study`; extend them only by
//! adding fields.

use crate::abnormal::{PairResult, Window};
use chrono::NaiveDate;

/// One analysed event of a group, as the tests see it.
#[derive(Debug, Clone, Copy)]
pub struct StatsEvent<'a> {
    pub event_id: &'a str,
    pub security: &'a str,
    /// Calendar date of day 0: events with the same day-0 date are same-date pairs (§7.3).
    pub day0: NaiveDate,
    /// Calendar date of each estimation relative day L1..=L2 (None outside the calendar);
    /// residuals are aligned on these dates for r̄ (§7.3).
    pub est_dates: &'a [Option<NaiveDate>],
    /// The engine's results for this pair.
    pub result: &'a PairResult,
}

/// Settings the battery needs.
#[derive(Debug, Clone)]
pub struct StatsConfig {
    pub estimation: Window,
    pub windows: Vec<Window>,
    /// Minimum common dates for a pair to enter r̄ (default 30).
    pub rbar_min_common_dates: usize,
    /// Exact Wilcoxon p-value without ties (default false).
    pub wilcoxon_exact: bool,
    pub trade_to_trade: bool,
}
