//! The tables of the abnormal-volume study (`[volume]`, methodology §5.6, §12): abnormal log
//! volume per day, cumulated per window, averaged per group and tested.

use super::rows::table;
use super::{vocabulary_cell, Cell, CellReader, CellWriter, ColumnSink, Table, TableVisitor};
use crate::error::Result;
use crate::stats::kind::vocabulary;
use crate::stats::UnknownName;
use crate::vocab::{Scope, TestKind};
use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;

vocabulary! {
    /// The cross-sectional summary of a `volume_aggregate` row (the `metric` column).
    ///
    /// # Examples
    /// ```
    /// use evstudy::tables::VolumeMetric;
    /// assert_eq!(VolumeMetric::ALL.map(VolumeMetric::as_str), ["aav", "caav"]);
    /// assert_eq!("caav".parse::<VolumeMetric>(), Ok(VolumeMetric::Caav));
    /// ```
    VolumeMetric, "metric", 2 {
        /// Average abnormal log volume of one relative day.
        Aav => "aav",
        /// Cumulative average abnormal log volume of one window.
        Caav => "caav",
    }
}

vocabulary_cell!(VolumeMetric => "volume metric");

table! {
    /// One row of `volume_abnormal`: a pair and one day of the volume study's event period.
    #[derive(Debug, Clone, PartialEq)]
    pub struct VolumeAbnormalRow in "volume_abnormal" {
        /// Event id.
        pub event_id: String,
        /// Security ticker.
        pub security: String,
        /// Relative trading day t (0 = day 0).
        pub rel_day: i32,
        /// Session date of this relative day.
        pub date: Option<NaiveDate>,
        /// Log volume v_t = ln(1 + V_t) (empty for a day without traded volume).
        pub log_volume: Option<f64>,
        /// Normal log volume: v̄ (mean-adjusted) or α̂ + β̂ v_mt (market model).
        pub expected: Option<f64>,
        /// Abnormal log volume AV_t = v_t − expected.
        pub av: Option<f64>,
    }
}

table! {
    /// One row of `volume_cars`: a pair and one window of the volume study.
    #[derive(Debug, Clone, PartialEq)]
    pub struct VolumeCarRow in "volume_cars" {
        /// Event id.
        pub event_id: String,
        /// Security ticker.
        pub security: String,
        /// Window, written `a:b`.
        pub window: String,
        /// Cumulative abnormal log volume CAV(W) = Σ AV_t (complete windows only).
        pub cav: Option<f64>,
        /// Days of the window with an AV.
        pub n_days: u32,
    }
}

table! {
    /// One row of `volume_aggregate`: a group and one day (`aav`) or window (`caav`).
    #[derive(Debug, Clone, PartialEq)]
    pub struct VolumeAggregateRow in "volume_aggregate" {
        /// Group label, as in `aggregate`.
        pub group: String,
        /// `aav` (per relative day) or `caav` (per window).
        pub metric: VolumeMetric,
        /// Set for `caav` (written `a:b`).
        pub window: Option<String>,
        /// Set for `aav`.
        pub rel_day: Option<i32>,
        /// Number of pairs in the test set.
        pub n: u32,
        /// AAV_t or CAAV(W).
        pub mean: Option<f64>,
        /// Median.
        pub median: Option<f64>,
        /// Share of values > 0.
        pub share_positive: Option<f64>,
    }
}

table! {
    /// One row of `volume_tests`: the cross-sectional t (§8.1) and the rank test (§9.3, §9.4)
    /// of the abnormal log volume of a group on one day or over one window.
    #[derive(Debug, Clone, PartialEq)]
    pub struct VolumeTestRow in "volume_tests" {
        /// Group label.
        pub group: String,
        /// `day` or `car`.
        pub scope: Scope,
        /// Window, written `a:b` (scope `car`).
        pub window: Option<String>,
        /// Relative trading day (scope `day`).
        pub rel_day: Option<i32>,
        /// `csect_t` or `rank_z`.
        pub test: TestKind,
        /// Test statistic.
        pub statistic: Option<f64>,
        /// Two-sided p-value.
        pub p_value: Option<f64>,
        /// Degrees of freedom (t statistics only).
        pub df: Option<f64>,
        /// Number of pairs in the test set.
        pub n: u32,
    }
}

/// The four tables of the abnormal-volume study.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VolumeTables {
    /// Table `volume_abnormal`.
    pub abnormal: Vec<VolumeAbnormalRow>,
    /// Table `volume_cars`.
    pub cars: Vec<VolumeCarRow>,
    /// Table `volume_aggregate`.
    pub aggregate: Vec<VolumeAggregateRow>,
    /// Table `volume_tests`.
    pub tests: Vec<VolumeTestRow>,
}

impl VolumeTables {
    /// Hands each table to `v`, in file order: `volume_abnormal`, `volume_cars`,
    /// `volume_aggregate`, `volume_tests`.
    pub fn visit<'a, V: TableVisitor<'a>>(&'a self, v: &mut V) {
        v.table(&self.abnormal);
        v.table(&self.cars);
        v.table(&self.aggregate);
        v.table(&self.tests);
    }
}
