//! The `variance_ratio` table (§7.7, §12): event-induced variance per group and event window.

use super::rows::table;
use super::{Cell, CellReader, CellWriter, ColumnSink, Table};
use crate::error::Result;

table! {
    /// One row of `variance_ratio`: the cross-sectional variance of the standardized CARs of
    /// one group and event window over its no-event value, with its χ² test (§7.7).
    #[derive(Debug, Clone, PartialEq)]
    pub struct VarianceRatioRow in "variance_ratio" {
        /// Group label, as in `aggregate` and `tests`.
        pub group: String,
        /// Event window, written `a:b`.
        pub window: String,
        /// Events used: a complete window with a finite SCAR and ν > 2.
        pub n: u32,
        /// s²(SCAR) / mean of ν/(ν − 2); 1 without event-induced variance.
        pub ratio: Option<f64>,
        /// (n − 1) · ratio.
        pub statistic: Option<f64>,
        /// Degrees of freedom of the χ² statistic, n − 1.
        pub df: Option<f64>,
        /// One-sided p-value P(χ² ≥ statistic).
        pub p_value: Option<f64>,
    }
}
