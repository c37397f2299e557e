//! The headline: performance gross and net of costs, the calendar-time alphas with their
//! Newey–West t and p, the placebo p-values, and the sentence that says it in words.

use super::verdict::verdict;
use super::{alpha_row, metric, model_name, num, p_cell, pct, table_of};
use crate::backtest::tables::PlaceboRow;
use crate::backtest::{BacktestTables, FactorModel, PerfMetric, ReturnBasis, SeKind};
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::{fmt_count, fmt_num, stars};

/// The bases in column order.
const BASES: [ReturnBasis; 2] = [ReturnBasis::Gross, ReturnBasis::Net];

/// The headline section: the sentence, the headline table and, if the backtest ran placebo
/// calendars, their table.
pub(crate) fn headline_section(bt: &BacktestTables) -> Vec<Block> {
    let mut blocks = vec![
        section_heading("Headline", "headline"),
        Block::Para(verdict(bt)),
        Block::Table(headline_table(bt)),
        Block::Para(
            "Returns in percent; CAGR, volatility and Sharpe ratio annualised with the \
             exchanges' actual sessions per year; Sharpe ± its standard error (Lo 2002); alpha \
             is the daily intercept of the calendar-time regression of the portfolio's excess \
             return on the factors, with Newey–West t and two-sided p (*** p < 0.01, \
             ** p < 0.05, * p < 0.1)."
                .to_string(),
        ),
    ];
    if !bt.placebo.is_empty() {
        blocks.push(Block::Para(
            "The strategy against placebo calendars (the same number of events per security on \
             random dates): p = (1 + #{|placebo| ≥ |observed|}) / (K + 1), which does not rely \
             on the regression's assumptions."
                .to_string(),
        ));
        blocks.push(Block::Table(placebo_table(&bt.placebo)));
    }
    blocks
}

/// `measure | gross | net`: total return, CAGR, Sharpe ± SE, maximum drawdown, hit rate,
/// trades, and the alpha of each factor model the backtest regressed.
fn headline_table(bt: &BacktestTables) -> Table {
    let pct_row = |label: &str, m: PerfMetric| {
        let mut row = vec![Cell::text(label)];
        row.extend(BASES.map(|b| Cell::num(pct(metric(bt, b, m).and_then(|r| r.value)))));
        row
    };
    let mut rows = vec![
        pct_row("total return", PerfMetric::TotalReturn),
        pct_row("CAGR", PerfMetric::Cagr),
        sharpe_row(bt),
        pct_row("maximum drawdown", PerfMetric::MaxDrawdown),
        pct_row(
            "hit rate (trades with a positive return)",
            PerfMetric::HitRate,
        ),
        vec![
            Cell::text("trades"),
            Cell::num(fmt_count(bt.trades.len())),
            Cell::num(fmt_count(bt.trades.len())),
        ],
    ];
    for model in FactorModel::ALL {
        if BASES
            .iter()
            .all(|&b| alpha_row(bt, b, model, SeKind::NeweyWest).is_none())
        {
            continue;
        }
        let mut row = vec![Cell::text(format!(
            "{} alpha per day (Newey–West t, p)",
            model_name(model)
        ))];
        row.extend(BASES.map(|b| alpha_cell(bt, b, model)));
        rows.push(row);
    }
    Table {
        header: ["measure", "gross of costs", "net of costs"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

/// `Sharpe ratio | 1.234 ± 0.5678 | …`.
fn sharpe_row(bt: &BacktestTables) -> Vec<Cell> {
    let mut row = vec![Cell::text("Sharpe ratio ± standard error")];
    row.extend(BASES.map(|b| {
        let r = metric(bt, b, PerfMetric::Sharpe);
        let value = num(r.and_then(|r| r.value));
        match r.and_then(|r| r.std_error) {
            Some(se) if !value.is_empty() => Cell::num(format!("{value} ± {}", fmt_num(se))),
            _ => Cell::num(value),
        }
    }));
    row
}

/// The alpha of `model` on `basis` in percent per day with its Newey–West t, p and stars.
fn alpha_cell(bt: &BacktestTables, basis: ReturnBasis, model: FactorModel) -> Cell {
    let Some(r) = alpha_row(bt, basis, model, SeKind::NeweyWest) else {
        return Cell::num("");
    };
    let s = stars(r.p_value);
    Cell::num(format!(
        "{}{s} (t {}, p {})",
        pct(r.coef),
        num(r.t),
        num(r.p_value)
    ))
}

/// `statistic | observed | placebo mean | placebo sd | p | K`.
fn placebo_table(rows: &[PlaceboRow]) -> Table {
    let header = [
        "statistic",
        "observed",
        "placebo mean",
        "placebo sd",
        "p-value",
        "K",
    ];
    table_of(&header, rows, |r| {
        let mut cells = vec![Cell::text(r.statistic.clone())];
        // Alphas are daily returns, shown in percent like every return; ratios as numbers.
        let shown = if r.statistic.starts_with("alpha") {
            pct
        } else {
            num
        };
        cells.extend([r.observed, r.placebo_mean, r.placebo_sd].map(|v| Cell::num(shown(v))));
        cells.push(p_cell(r.p_value));
        cells.push(Cell::num(fmt_count(r.k as usize)));
        cells
    })
}
