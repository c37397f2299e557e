//! The output tables of a study (methodology §12) as plain Rust rows.
//!
//! These structs are the contract between the engine (`abnormal`, `stats`), the writers
//! (`output`) and the report (`report`). Optional numbers are `None` when the methodology says
//! the field is empty (NA). Column names and order follow §12 exactly; see
//! [`crate::output`] for the CSV/Parquet writers.

use chrono::NaiveDate;

/// One row of `abnormal_returns`: an event and one day of the event period H.
#[derive(Debug, Clone, PartialEq)]
pub struct AbnormalReturnRow {
    pub event_id: String,
    pub security: String,
    pub group: String,
    pub rel_day: i32,
    /// Session date of this relative day (None when the position is outside the calendar).
    pub date: Option<NaiveDate>,
    pub ret: Option<f64>,
    pub expected_ret: Option<f64>,
    pub ar: Option<f64>,
    pub sar: Option<f64>,
    pub ar_se: Option<f64>,
    pub ar_p: Option<f64>,
    /// d_t; None when `ar` is NA.
    pub span: Option<u32>,
}

/// One row of `cars`: an event and one event window.
#[derive(Debug, Clone, PartialEq)]
pub struct CarRow {
    pub event_id: String,
    pub security: String,
    pub group: String,
    /// Written `a:b`.
    pub window: String,
    pub car: Option<f64>,
    pub car_se: Option<f64>,
    pub car_t: Option<f64>,
    pub car_p: Option<f64>,
    pub scar: Option<f64>,
    pub bhar: Option<f64>,
    pub n_days: u32,
}

/// One row of `model_fits`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFitRow {
    pub event_id: String,
    pub security: String,
    pub group: String,
    pub model: String,
    pub n_est: u32,
    pub df: u32,
    pub sigma: Option<f64>,
    pub alpha: Option<f64>,
    pub beta: Option<f64>,
    pub r2: Option<f64>,
    /// Model-specific extra columns (`beta_<factor>`, `beta_lag1`, …, `rho_m`), sorted by name.
    pub extras: Vec<(String, Option<f64>)>,
}

/// One row of `aggregate`.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateRow {
    pub group: String,
    /// `ar`, `car` or `bhar`.
    pub metric: String,
    /// Set for `car`/`bhar` (written `a:b`).
    pub window: Option<String>,
    /// Set for `ar`.
    pub rel_day: Option<i32>,
    pub n: u32,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub share_positive: Option<f64>,
    pub sd: Option<f64>,
}

/// One row of `tests`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRow {
    pub group: String,
    /// `day`, `car` or `bhar`.
    pub scope: String,
    pub window: Option<String>,
    pub rel_day: Option<i32>,
    /// Test name, e.g. `csect_t`, `patell_z`, `portfolio_t`.
    pub test: String,
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    /// Set for t-distributed statistics only.
    pub df: Option<f64>,
    pub n: u32,
    /// Cluster id for `portfolio_t` rows (e.g. `PF:XNYS:2024-06-26:IDX`), else None.
    pub cluster: Option<String>,
}

/// Exclusion stages in their sort order (§11, §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Input,
    Day0,
    Estimation,
    EventDay,
    Car,
    Portfolio,
}

impl Stage {
    /// The name written to the `stage` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Input => "input",
            Stage::Day0 => "day0",
            Stage::Estimation => "estimation",
            Stage::EventDay => "event_day",
            Stage::Car => "car",
            Stage::Portfolio => "portfolio",
        }
    }
}

/// One row of `exclusions`: something that was left out, and why (§11).
#[derive(Debug, Clone, PartialEq)]
pub struct ExclusionRow {
    /// Empty for series-level input rows (`off_calendar_prices`, `bad_price`).
    pub event_id: String,
    pub security: String,
    pub stage: Stage,
    pub reason: String,
    pub detail: String,
    /// Secondary sort key inside a stage: rel_day for `event_day`, window index for `car`.
    pub order: i64,
}

/// One row of the day-0 mapping table (`evstudy events`, report).
#[derive(Debug, Clone, PartialEq)]
pub struct Day0Row {
    pub event_id: String,
    pub security: String,
    pub exchange: String,
    /// Event instant in UTC, `YYYY-MM-DDTHH:MMZ`; empty if the event time is bad.
    pub event_instant_utc: String,
    /// Event instant in the exchange's local time, `YYYY-MM-DD HH:MM`.
    pub event_instant_local: String,
    pub day0: Option<NaiveDate>,
    pub shift_days: Option<i64>,
    /// Shift in sessions: number of sessions of the calendar strictly between the event's
    /// local date and day 0 (0 when day 0 is the event date).
    pub shift_sessions: Option<i64>,
    /// `ok` or the exclusion reason.
    pub status: String,
}

/// All tables of one study run.
#[derive(Debug, Clone, Default)]
pub struct StudyTables {
    pub abnormal_returns: Vec<AbnormalReturnRow>,
    pub cars: Vec<CarRow>,
    pub model_fits: Vec<ModelFitRow>,
    pub aggregate: Vec<AggregateRow>,
    pub tests: Vec<TestRow>,
    pub exclusions: Vec<ExclusionRow>,
    pub day0: Vec<Day0Row>,
}
