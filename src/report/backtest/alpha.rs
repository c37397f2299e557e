//! The calendar-time alpha regressions: the alpha with every kind of standard error, then the
//! factor loadings.

use super::{model_name, num, p_cell, pct, se_name, table_of};
use crate::backtest::tables::AlphaRow;
use crate::backtest::BacktestTables;
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_count;

/// The alpha section: one row per basis × model × standard error for the intercept (in
/// percent per day), then the factor loadings with OLS standard errors.
pub(crate) fn alpha_section(bt: &BacktestTables) -> Vec<Block> {
    let mut blocks = vec![section_heading("Calendar-time alpha", "alpha")];
    if bt.alpha.is_empty() {
        blocks.push(Block::Para(
            "No calendar-time regression was run (too few portfolio days with the minimum \
             number of positions, or no factor file)."
                .to_string(),
        ));
        return blocks;
    }
    blocks.push(Block::Para(
        "The daily excess portfolio return regressed on the factors over the days with at \
         least the minimum number of open positions. Alpha is the daily intercept in percent; \
         Newey–West errors use Bartlett weights with the lag shown; WLS weights each day by its \
         number of open positions."
            .to_string(),
    ));
    let alphas: Vec<&AlphaRow> = bt.alpha.iter().filter(|r| r.term == "alpha").collect();
    blocks.push(Block::Table(alpha_table(&alphas)));
    let loadings: Vec<&AlphaRow> = bt
        .alpha
        .iter()
        .filter(|r| r.term != "alpha" && r.se_kind == crate::backtest::SeKind::Ols)
        .collect();
    if !loadings.is_empty() {
        blocks.push(Block::Heading(
            3,
            "Factor loadings (OLS standard errors)".to_string(),
            None,
        ));
        blocks.push(Block::Table(loading_table(&loadings)));
        blocks.push(Block::Para(
            "The loadings with every kind of standard error are in bt_alpha.csv.".to_string(),
        ));
    }
    blocks
}

/// `basis | model | standard error | alpha | SE | t | p | R² | days | lags`.
fn alpha_table(rows: &[&AlphaRow]) -> Table {
    let header = [
        "basis",
        "model",
        "standard error",
        "alpha per day",
        "SE",
        "t",
        "p",
        "R²",
        "days",
        "NW lags",
    ];
    table_of(&header, rows, |r| {
        vec![
            Cell::text(r.basis.as_str()),
            Cell::text(model_name(r.model)),
            Cell::text(se_name(r.se_kind)),
            Cell::num(pct(r.coef)),
            Cell::num(pct(r.std_error)),
            Cell::num(num(r.t)),
            p_cell(r.p_value),
            Cell::num(num(r.r2)),
            Cell::num(fmt_count(r.n_days as usize)),
            Cell::num(r.lags.map(|l| l.to_string()).unwrap_or_default()),
        ]
    })
}

/// `basis | model | factor | loading | SE | t | p`.
fn loading_table(rows: &[&AlphaRow]) -> Table {
    let header = ["basis", "model", "factor", "loading", "SE", "t", "p"];
    table_of(&header, rows, |r| {
        let mut cells = vec![
            Cell::text(r.basis.as_str()),
            Cell::text(model_name(r.model)),
            Cell::text(r.term.clone()),
        ];
        cells.extend([r.coef, r.std_error, r.t].map(|v| Cell::num(num(v))));
        cells.push(p_cell(r.p_value));
        cells
    })
}
