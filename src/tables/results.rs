//! The result tables a reader asks for first: the headline table (one row per group × event
//! window) and the differences between two groups (§7.5, §12).

use super::rows::table;
use super::{Cell, CellReader, CellWriter, ColumnSink, Table};
use crate::error::Result;

table! {
    /// One row of `headline`: one group × event window, with the numbers of the `aggregate`
    /// (`metric = car`) and `tests` (`scope = car`) rows of that group and window, copied,
    /// never recomputed.
    #[derive(Debug, Clone, PartialEq)]
    pub struct HeadlineRow in "headline" {
        /// Group label, as in `aggregate` and `tests`.
        pub group: String,
        /// Event window, written `a:b`.
        pub window: String,
        /// Number of events in the test set.
        pub n: u32,
        /// CAAR(W), a fraction (0.01 = 1 %).
        pub caar: Option<f64>,
        /// Share of CARs > 0.
        pub share_positive: Option<f64>,
        /// Cross-sectional t (§8.1).
        pub csect_t: Option<f64>,
        /// Two-sided p-value of `csect_t`.
        pub csect_p: Option<f64>,
        /// Kolari–Pynnönen adjusted BMP t (§8.6).
        pub adj_bmp_t: Option<f64>,
        /// Two-sided p-value of `adj_bmp_t`.
        pub adj_bmp_p: Option<f64>,
        /// Generalized rank t (§9.5).
        pub grank_t: Option<f64>,
        /// Two-sided p-value of `grank_t`.
        pub grank_p: Option<f64>,
    }
}

table! {
    /// One row of `differences`: CAAR of group A minus CAAR of group B over one event window,
    /// with Welch's t and the Mann–Whitney U test (§7.5).
    #[derive(Debug, Clone, PartialEq)]
    pub struct DifferenceRow in "differences" {
        /// Group label of A.
        pub group_a: String,
        /// Group label of B.
        pub group_b: String,
        /// Event window, written `a:b`.
        pub window: String,
        /// CARs of A used (finite values).
        pub n_a: u32,
        /// CARs of B used (finite values).
        pub n_b: u32,
        /// CAAR of A, a fraction.
        pub caar_a: Option<f64>,
        /// CAAR of B, a fraction.
        pub caar_b: Option<f64>,
        /// caar_a − caar_b.
        pub difference: Option<f64>,
        /// Welch's t of the difference.
        pub welch_t: Option<f64>,
        /// Welch–Satterthwaite degrees of freedom.
        pub welch_df: Option<f64>,
        /// Two-sided p-value of `welch_t`.
        pub welch_p: Option<f64>,
        /// Mann–Whitney U of A.
        pub mann_whitney_u: Option<f64>,
        /// Tie-corrected normal approximation of U.
        pub mann_whitney_z: Option<f64>,
        /// Two-sided p-value of `mann_whitney_z`.
        pub mann_whitney_p: Option<f64>,
    }
}
