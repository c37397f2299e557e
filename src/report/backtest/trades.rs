//! The trades: every position when there are few, else the largest by net return.

use super::{num, pct, table_of};
use crate::backtest::tables::TradeRow;
use crate::backtest::BacktestTables;
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_count;
use crate::report::TABLE_MAX_ROWS;

/// The trades section: all trades in table order when there are at most
/// [`TABLE_MAX_ROWS`], else the [`TABLE_MAX_ROWS`] largest by |net return| (largest first,
/// trades without a return last) with a note naming the full table.
pub(crate) fn trades_section(bt: &BacktestTables) -> Vec<Block> {
    let mut blocks = vec![section_heading("Trades", "trades")];
    if bt.trades.is_empty() {
        blocks.push(Block::Para("No trade.".to_string()));
        return blocks;
    }
    let shown = largest_trades(&bt.trades, TABLE_MAX_ROWS);
    if shown.len() < bt.trades.len() {
        blocks.push(Block::Para(format!(
            "The {} largest of {} trades by absolute net return, largest first; every trade is \
             in bt_trades.csv (and bt_trades.parquet when Parquet output is written).",
            fmt_count(shown.len()),
            fmt_count(bt.trades.len())
        )));
    }
    blocks.push(Block::Para(
        "Returns in percent, signed by the position's direction. CAR held: the study's abnormal \
         returns summed over the days held; timing gap: the CAR from day 0 to the exit minus \
         the CAR held, the part of the measured reaction that came before the entry price."
            .to_string(),
    ));
    blocks.push(Block::Table(trade_table(&shown)));
    blocks
}

/// The trades in table order when there are at most `max`, else the `max` largest by
/// |net return| (ties and missing returns in table order, missing last).
pub(crate) fn largest_trades(trades: &[TradeRow], max: usize) -> Vec<&TradeRow> {
    let mut rows: Vec<&TradeRow> = trades.iter().collect();
    if rows.len() <= max {
        return rows;
    }
    let key = |r: &TradeRow| r.net_return.filter(|v| v.is_finite()).map(f64::abs);
    rows.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    rows.truncate(max);
    rows
}

/// One row per trade: event, security, side, entry and exit (date, point, price), sessions,
/// weight, gross and net return, CAR held, timing gap, and why the entry or exit moved.
fn trade_table(rows: &[&TradeRow]) -> Table {
    let header = [
        "event",
        "security",
        "side",
        "entry",
        "exit",
        "sessions",
        "weight",
        "gross",
        "net",
        "CAR held",
        "timing gap",
        "note",
    ];
    table_of(&header, rows, |r| {
        let mut cells = vec![
            Cell::text(r.event_id.clone()),
            Cell::text(r.security.clone()),
            Cell::text(r.direction.as_str()),
            Cell::text(fill_text(
                r.entry_date,
                r.entry_point.as_str(),
                r.entry_price,
            )),
            Cell::text(fill_text(r.exit_date, r.exit_point.as_str(), r.exit_price)),
            Cell::num(r.sessions_held.to_string()),
        ];
        let returns = [
            r.weight,
            r.gross_return,
            r.net_return,
            r.car_held,
            r.timing_gap,
        ];
        cells.extend(returns.map(|v| Cell::num(pct(v))));
        cells.push(Cell::text(r.note.clone()));
        cells
    })
}

/// `2024-01-02 open @ 12.34` (date and price left out when missing).
fn fill_text(date: Option<chrono::NaiveDate>, point: &str, price: Option<f64>) -> String {
    let mut s = date.map(|d| format!("{d} ")).unwrap_or_default();
    s.push_str(point);
    if price.is_some() {
        s.push_str(" @ ");
        s.push_str(&num(price));
    }
    s
}
