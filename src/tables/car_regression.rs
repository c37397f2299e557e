//! The `car_regression` table (§7.6, §12): one row per declared regression × coefficient.

use super::rows::table;
use super::{Cell, CellReader, CellWriter, ColumnSink, Table};
use crate::error::Result;

table! {
    /// One row of `car_regression`: one coefficient of one cross-sectional regression of
    /// CAR(W) on the declared regressors (§7.6). A regression without estimates (too few
    /// observations, a constant or collinear regressor, one cluster) has one row with
    /// `term` empty, the numbers empty and the reason in `note`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct CarRegressionRow in "car_regression" {
        /// Name of the regression (`name`, default `reg<k>`).
        pub name: String,
        /// Event window of the dependent CAR, written `a:b`.
        pub window: String,
        /// Group label of the sample; `all_pairs` when every analysed pair is used.
        pub group: String,
        /// `intercept`, a numeric regressor's name, `<regressor>=<level>` for a dummy, or
        /// `car:<a:b>`.
        pub term: String,
        /// For a dummy: the base level left out; empty otherwise.
        pub base: String,
        /// Coefficient b̂, in CAR units (a fraction) per unit of the regressor.
        pub estimate: Option<f64>,
        /// Robust standard error.
        pub se: Option<f64>,
        /// estimate / se.
        pub t: Option<f64>,
        /// Two-sided p-value of t with `df` degrees of freedom.
        pub p: Option<f64>,
        /// Degrees of freedom of t: n − k (HC1) or G − 1 (clustered).
        pub df: Option<f64>,
        /// `HC1`, or `CR1` for clustered errors.
        pub se_kind: String,
        /// `event_date`, `security` or `none`.
        pub cluster: String,
        /// Observations (pairs) used.
        pub n: u32,
        /// Coefficients, the intercept included.
        pub k: u32,
        /// Number of clusters G; empty for HC1.
        pub n_clusters: Option<u32>,
        /// Pairs of the sample left out: no complete CAR in a window used, or no value of a
        /// regressor.
        pub n_excluded: u32,
        /// R².
        pub r2: Option<f64>,
        /// Adjusted R².
        pub adj_r2: Option<f64>,
        /// Why a regression has no estimates, or why pairs were left out; empty otherwise.
        pub note: String,
    }
}
