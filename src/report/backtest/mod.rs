//! The backtest report (methodology §16): the answer first — a headline table of performance
//! and calendar-time alpha, gross and net of costs, and one sentence in words generated from
//! those numbers — then the charts (equity curves, drawdown, open positions, the distribution
//! of trade returns, and the event study's CAAR beside the average trade's cumulative return),
//! the alpha regressions with every kind of standard error, the trades and the events that did
//! not trade.
//!
//! [`render_backtest_report`] returns the same [`Report`](crate::report::Report) as the study's
//! report, so [`write_report`](crate::report::write_report) writes it as `report.html`,
//! `report.md` and the charts; [`write_backtest_export`] writes the compact export of a case
//! study (the report and the small `bt_*` CSV tables of [`BACKTEST_EXPORT_TABLES`]).
//!
//! Returns are shown in percent everywhere (rounded to 4 significant digits); the CSV and
//! Parquet tables keep full precision as fractions.
//!
//! Where things are: `render.rs` puts the sections in order; one file per section
//! (`headline.rs` with `verdict.rs` for the sentence, `charts.rs`, `alpha.rs`, `trades.rs`,
//! `exclusions.rs`); `export.rs` holds the export.

mod alpha;
mod charts;
mod exclusions;
mod export;
mod headline;
mod render;
#[cfg(test)]
mod tests;
mod trades;
mod verdict;

pub use self::export::{
    backtest_export_files, backtest_report_info, write_backtest_export, BACKTEST_EXPORT_TABLES,
};
pub use self::render::render_backtest_report;

use super::document::{Cell, Table};
use super::format::{fmt_num, stars};
use crate::backtest::tables::{AlphaRow, MetricRow};
use crate::backtest::{BacktestTables, FactorModel, PerfMetric, ReturnBasis, SeKind};

/// A fraction as a percentage rounded for reading (`0.01234` → `1.234%`); empty when missing.
pub(crate) fn pct(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{}%", fmt_num(v * 100.0)),
        Some(v) => fmt_num(v),
        None => String::new(),
    }
}

/// A p-value rounded for reading with its significance stars; empty when missing.
pub(crate) fn p_cell(p: Option<f64>) -> Cell {
    Cell::num(format!("{}{}", num(p), stars(p)))
}

/// A table with the `header` and one row per item of `items`, made by `row`.
pub(crate) fn table_of<T>(header: &[&str], items: &[T], row: impl Fn(&T) -> Vec<Cell>) -> Table {
    Table {
        header: header.iter().map(|h| h.to_string()).collect(),
        rows: items.iter().map(row).collect(),
    }
}

/// A number rounded for reading; empty when missing.
pub(crate) fn num(x: Option<f64>) -> String {
    x.map(fmt_num).unwrap_or_default()
}

/// The `bt_metrics` row of `metric` on `basis`.
pub(crate) fn metric(
    bt: &BacktestTables,
    basis: ReturnBasis,
    metric: PerfMetric,
) -> Option<&MetricRow> {
    bt.metrics
        .iter()
        .find(|r| r.basis == basis && r.metric == metric)
}

/// The `alpha` row of the `model` regression on `basis` with standard errors of `se_kind`.
pub(crate) fn alpha_row(
    bt: &BacktestTables,
    basis: ReturnBasis,
    model: FactorModel,
    se_kind: SeKind,
) -> Option<&AlphaRow> {
    bt.alpha
        .iter()
        .find(|r| r.basis == basis && r.model == model && r.se_kind == se_kind && r.term == "alpha")
}

/// The name of a factor model as a reader knows it.
pub(crate) fn model_name(model: FactorModel) -> &'static str {
    match model {
        FactorModel::Capm => "CAPM",
        FactorModel::Ff3 => "Fama–French 3",
        FactorModel::Carhart => "Carhart 4",
    }
}

/// The name of a kind of standard error as a reader knows it.
pub(crate) fn se_name(kind: SeKind) -> &'static str {
    match kind {
        SeKind::Ols => "OLS",
        SeKind::Hc1 => "White (HC1)",
        SeKind::NeweyWest => "Newey–West",
        SeKind::Wls => "WLS by positions",
    }
}
