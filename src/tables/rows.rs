//! The seven row types of the output tables, each declared once with `table!`.

use chrono::NaiveDate;

use super::{Cell, CellReader, CellWriter, ColumnSink, Label, Table};
use crate::error::Result;
use crate::vocab::{ExclusionReason, Metric, Scope, TestKind};

/// Declares a row type and its [`Table`] implementation: one declaration per output table.
///
/// `columns` are the written columns (column name = field name, in order; the cell type is
/// the field type's [`Cell`]); `others` are fields that are not columns, each filled on
/// reading by the named [`CellReader`] method; `extra cells FIELD` names the field holding the
/// named cells written after the fixed columns.
macro_rules! table {
    (
        $(#[$meta:meta])*
        pub struct $row:ident in $name:literal {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
        $( others {
            $( $(#[$ometa:meta])* pub $ofield:ident : $oty:ty = $oread:ident, )*
        } )?
        $( extra cells $extra:ident; )?
    ) => {
        $(#[$meta])*
        pub struct $row {
            $( $(#[$fmeta])* pub $field: $ty, )*
            $($( $(#[$ometa])* pub $ofield: $oty, )*)?
        }

        impl Table for $row {
            const NAME: &'static str = $name;
            const CSV_FILE: &'static str = concat!($name, ".csv");
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            fn write_cells<W: CellWriter>(&self, w: &mut W) {
                $( Cell::write(&self.$field, w); )*
            }
            fn read_cells<R: CellReader>(r: &mut R) -> Result<Self> {
                Ok($row {
                    $($( $ofield: r.$oread()?, )*)?
                    $( $field: <$ty as Cell>::read(r)?, )*
                })
            }
            fn frame_columns<S: ColumnSink<Self>>(s: &mut S) {
                $( <$ty as Cell>::column(s, stringify!($field), |r: &Self| &r.$field); )*
            }
            $( fn extra_cells(&self) -> &[(String, Option<f64>)] {
                &self.$extra
            } )?
        }
    };
}

pub(crate) use table;

table! {
    /// One row of `abnormal_returns`: an event and one day of the event period H.
    #[derive(Debug, Clone, PartialEq)]
    pub struct AbnormalReturnRow in "abnormal_returns" {
        /// Event id (a cluster id `PF:…` for portfolio pseudo-events).
        pub event_id: Label,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: Label,
        /// Group label of the event (default `all`).
        pub group: Label,
        /// Relative trading day t (0 = day 0).
        pub rel_day: i32,
        /// Session date of this relative day (None when the position is outside the calendar).
        pub date: Option<NaiveDate>,
        /// Security return R_t (span return in trade-to-trade mode).
        pub ret: Option<f64>,
        /// Normal (expected) return E\[R_t\] from the fitted model.
        pub expected_ret: Option<f64>,
        /// Abnormal return AR_t = R_t − E\[R_t\].
        pub ar: Option<f64>,
        /// Standardized abnormal return SAR_t = AR_t / ar_se_t.
        pub sar: Option<f64>,
        /// Standard error of AR_t with the forecast-error correction (§5.2).
        pub ar_se: Option<f64>,
        /// Two-sided p-value of the single-day t test (ν df).
        pub ar_p: Option<f64>,
        /// d_t; None when `ar` is NA.
        pub span: Option<u32>,
    }
}

table! {
    /// One row of `cars`: an event and one event window.
    #[derive(Debug, Clone, PartialEq)]
    pub struct CarRow in "cars" {
        /// Event id (a cluster id `PF:…` for portfolio pseudo-events).
        pub event_id: Label,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: Label,
        /// Group label of the event (default `all`).
        pub group: Label,
        /// Written `a:b`.
        pub window: String,
        /// Cumulative abnormal return CAR(W) = Σ AR_t.
        pub car: Option<f64>,
        /// √Var(CAR) with the exact variance (§5.3).
        pub car_se: Option<f64>,
        /// Single-event CAR t = SCAR.
        pub car_t: Option<f64>,
        /// Two-sided p-value of car_t (ν df).
        pub car_p: Option<f64>,
        /// Standardized CAR = CAR / car_se.
        pub scar: Option<f64>,
        /// Buy-and-hold abnormal return (§5.4).
        pub bhar: Option<f64>,
        /// Days of the window with an AR.
        pub n_days: u32,
    }
    others {
        /// The single-firm quantile columns (`quantile_n`, `quantile_p`, `quantile_rank`,
        /// §6.1) when the study asks for them; empty otherwise.
        pub extras: Vec<(String, Option<f64>)> = extra_columns,
    }
    extra cells extras;
}

table! {
    /// One row of `model_fits`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct ModelFitRow in "model_fits" {
        /// Event id (a cluster id `PF:…` for portfolio pseudo-events).
        pub event_id: Label,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: Label,
        /// Group label of the event (default `all`).
        pub group: Label,
        /// Model name (`market_model`, `ff3`, …; `_t2t` suffix in trade-to-trade mode).
        pub model: String,
        /// Estimation observations M.
        pub n_est: u32,
        /// Degrees of freedom.
        pub df: u32,
        /// σ̂ of the estimation residuals.
        pub sigma: Option<f64>,
        /// Intercept (μ̂ for the constant-mean model).
        pub alpha: Option<f64>,
        /// Slope of the first non-constant regressor.
        pub beta: Option<f64>,
        /// R² of the estimation regression.
        pub r2: Option<f64>,
    }
    others {
        /// Model-specific extra columns (`beta_<factor>`, `beta_lag1`, …, `rho_m`), sorted by name.
        pub extras: Vec<(String, Option<f64>)> = extra_columns,
    }
    extra cells extras;
}

table! {
    /// One row of `aggregate`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct AggregateRow in "aggregate" {
        /// Group label of the event (default `all`).
        pub group: String,
        /// `ar`, `car` or `bhar`.
        pub metric: Metric,
        /// Set for `car`/`bhar` (written `a:b`).
        pub window: Option<String>,
        /// Set for `ar`.
        pub rel_day: Option<i32>,
        /// Number of events in the test set.
        pub n: u32,
        /// Mean (AAR, CAAR or mean BHAR).
        pub mean: Option<f64>,
        /// Median.
        pub median: Option<f64>,
        /// Share of values > 0 (zeros are not positive).
        pub share_positive: Option<f64>,
        /// Cross-sectional standard deviation (divisor n − 1).
        pub sd: Option<f64>,
    }
}

table! {
    /// One row of `tests`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct TestRow in "tests" {
        /// Group label of the event (default `all`).
        pub group: String,
        /// `day`, `car` or `bhar`.
        pub scope: Scope,
        /// Event window written `a:b`.
        pub window: Option<String>,
        /// Relative trading day t (0 = day 0).
        pub rel_day: Option<i32>,
        /// Test name, e.g. `csect_t`, `patell_z`, `portfolio_t`.
        pub test: TestKind,
        /// Test statistic.
        pub statistic: Option<f64>,
        /// Two-sided p-value.
        pub p_value: Option<f64>,
        /// Set for t-distributed statistics only.
        pub df: Option<f64>,
        /// Number of events in the test set.
        pub n: u32,
        /// Cluster id for `portfolio_t` rows (e.g. `PF:XNYS:2024-06-26:IDX`), else None.
        pub cluster: Option<String>,
    }
    others {
        /// Adjusted p-values of `[multiple_testing]` (`p_bh`, `p_holm`, §8.9), sorted by name;
        /// empty when none is declared.
        pub extras: Vec<(String, Option<f64>)> = extra_columns,
    }
    extra cells extras;
}

/// Exclusion stages in their sort order (§11, §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Reading inputs, securities and benchmarks.
    Input,
    /// Mapping the event to day 0.
    Day0,
    /// Fitting the normal-return model.
    Estimation,
    /// A day of the event period.
    EventDay,
    /// An event window.
    Car,
    /// A same-date portfolio.
    Portfolio,
}

impl Stage {
    /// Every stage, in sort order.
    pub const ALL: [Stage; 6] = [
        Stage::Input,
        Stage::Day0,
        Stage::Estimation,
        Stage::EventDay,
        Stage::Car,
        Stage::Portfolio,
    ];

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

table! {
    /// One row of `exclusions`: something that was left out, and why (§11).
    #[derive(Debug, Clone, PartialEq)]
    pub struct ExclusionRow in "exclusions" {
        /// Empty for series-level input rows (`off_calendar_prices`, `bad_price`).
        pub event_id: String,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: String,
        /// Pipeline stage where the event (or part of it) was lost.
        pub stage: Stage,
        /// Machine-readable reason, e.g. `too_few_estimation_returns`.
        pub reason: ExclusionReason,
        /// Human-readable detail.
        pub detail: String,
    }
    others {
        /// Secondary sort key inside a stage: rel_day for `event_day`, window index for `car`.
        pub order: i64 = row_order,
    }
}

table! {
    /// One row of the day-0 mapping table (`evstudy events`, report).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Day0Row in "day0_mapping" {
        /// Event id (a cluster id `PF:…` for portfolio pseudo-events).
        pub event_id: Label,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: Label,
        /// Calendar label (exchange code or `DATA`).
        pub exchange: Label,
        /// Event instant in UTC, `YYYY-MM-DDTHH:MMZ`; empty if the event time is bad.
        pub event_instant_utc: String,
        /// Event instant in the exchange's local time, `YYYY-MM-DD HH:MM`.
        pub event_instant_local: String,
        /// The day-0 mapping table.
        pub day0: Option<NaiveDate>,
        /// Calendar days from the event date to day 0.
        pub shift_days: Option<i64>,
        /// Shift in sessions: number of sessions of the calendar strictly between the event's
        /// local date and day 0 (0 when day 0 is the event date).
        pub shift_sessions: Option<i64>,
        /// `ok` or the exclusion reason.
        pub status: Label,
    }
}
