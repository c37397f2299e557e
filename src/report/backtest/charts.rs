//! The backtest's charts: equity curves, drawdown, open positions, the distribution of trade
//! returns, and the event study's CAAR beside the average trade's cumulative return.

use chrono::NaiveDate;

use super::pct;
use crate::backtest::tables::DailyRow;
use crate::backtest::BacktestTables;
use crate::report::document::section_heading;
use crate::report::format::fmt_count;
use crate::report::sections::Charts;
use crate::report::svg::{self, DayValue, HistogramLabels, Series};
use crate::tables::{AggregateRow, StudyTables};

/// Days of the trade path held by fewer positions than this share of the most held on any
/// day are not drawn: an average over one or two late entries is noise, not a path.
const PATH_MIN_SHARE: f64 = 0.1;

/// The study group whose CAAR is set beside the trade path.
const CAAR_GROUP: &str = "all";

/// The charts section, charts numbered `fig01_…` in report order.
pub(crate) fn backtest_chart_section(bt: &BacktestTables, study: &StudyTables) -> Charts {
    let mut charts = Charts {
        blocks: vec![section_heading("Charts", "charts")],
        svgs: Vec::new(),
    };
    let days: Vec<&DailyRow> = bt.daily.iter().filter(|r| r.date.is_some()).collect();
    let dates: Vec<NaiveDate> = days.iter().filter_map(|r| r.date).collect();
    charts.add(
        "equity",
        "curves",
        "Cumulative return of the portfolio gross and net of costs, and of its benchmark \
         (the positions' benchmarks at the portfolio's weights, compounded; flat on days \
         without a benchmark return)"
            .to_string(),
        &|s| equity_chart(&dates, &days, s),
    );
    let drawdown: Vec<Option<f64>> = days.iter().map(|r| r.drawdown).collect();
    charts.add(
        "drawdown",
        "net",
        "Drawdown of net equity: equity over its running maximum, minus 1".to_string(),
        &|s| svg::drawdown_chart(&dates, &drawdown, s),
    );
    let positions: Vec<u32> = days.iter().map(|r| r.positions).collect();
    charts.add(
        "positions",
        "open",
        "Positions open on each portfolio day".to_string(),
        &|s| svg::positions_chart(&dates, &positions, s),
    );
    add_trade_histogram(&mut charts, bt);
    add_path_chart(&mut charts, bt, study);
    charts
}

/// Gross, net and benchmark cumulative returns (equity − 1).
fn equity_chart(dates: &[NaiveDate], days: &[&DailyRow], standalone: bool) -> String {
    let mut bench = 1.0;
    let benchmark: Vec<Option<f64>> = days
        .iter()
        .map(|r| {
            bench *= 1.0 + r.benchmark_return.filter(|v| v.is_finite()).unwrap_or(0.0);
            Some(bench - 1.0)
        })
        .collect();
    let series = [
        Series {
            label: "benchmark",
            class: "benchmark",
            stroke: "stroke=\"#888888\" stroke-width=\"1.6\" stroke-dasharray=\"5 3\"",
            values: benchmark,
        },
        Series {
            label: "gross",
            class: "gross",
            stroke: "stroke=\"#9ec3ea\" stroke-width=\"2\"",
            values: days
                .iter()
                .map(|r| r.equity_gross.map(|e| e - 1.0))
                .collect(),
        },
        Series {
            label: "net of costs",
            class: "net",
            stroke: "stroke=\"#1f5fa8\" stroke-width=\"2.2\"",
            values: days.iter().map(|r| r.equity_net.map(|e| e - 1.0)).collect(),
        },
    ];
    svg::line_chart(
        "Equity curves (cumulative return)",
        dates,
        &series,
        "cumulative return",
        standalone,
    )
}

/// The histogram of the trades' net returns.
fn add_trade_histogram(charts: &mut Charts, bt: &BacktestTables) {
    let values: Vec<f64> = bt.trades.iter().filter_map(|r| r.net_return).collect();
    let n_na = bt.trades.len() - values.len();
    let summary = svg::car_histogram(&values, svg::HIST_BINS)
        .map(|h| svg::histogram_summary(&h, 0, percent))
        .unwrap_or_else(|| "no trade return".to_string());
    let note = (n_na > 0).then(|| format!("{} trade(s) without a return", fmt_count(n_na)));
    let labels = HistogramLabels {
        title: "Distribution of trade returns, net of costs",
        value: "net return",
        x_title: &format!(
            "net trade return ({} equal bins; count of trades per bin)",
            svg::HIST_BINS
        ),
        y_title: "trades",
        empty: "no trade return",
        note,
        fmt: percent,
    };
    charts.add(
        "trades",
        "net_returns",
        format!(
            "Distribution of the {} trades' net returns ({summary}); {} equal bins over the \
             0.5%–99.5% quantiles, values outside counted in the edge bins",
            fmt_count(values.len()),
            svg::HIST_BINS
        ),
        &|s| svg::histogram_chart(&values, 0, &labels, s),
    );
}

/// The study's CAAR (group `all`, Σ AAR by relative day) beside the average trade's cumulative
/// return before costs (`bt_path`).
fn add_path_chart(charts: &mut Charts, bt: &BacktestTables, study: &StudyTables) {
    let ar: Vec<&AggregateRow> = study
        .aggregate
        .iter()
        .filter(|r| r.group == CAAR_GROUP)
        .collect();
    let caar: Vec<DayValue> = svg::caar_path(&ar)
        .into_iter()
        .map(|p| DayValue {
            rel_day: p.rel_day,
            value: p.caar,
        })
        .collect();
    let peak = bt.path.iter().map(|r| r.n).max().unwrap_or(0);
    let min_n = (f64::from(peak) * PATH_MIN_SHARE).ceil() as u32;
    let trade: Vec<DayValue> = bt
        .path
        .iter()
        .filter(|r| r.n >= min_n)
        .filter_map(|r| {
            Some(DayValue {
                rel_day: r.rel_day,
                value: r.mean_cum_return?,
            })
        })
        .collect();
    charts.add(
        "path",
        "caar_vs_trade",
        format!(
            "The event study's CAAR (cumulative average abnormal return of group all, from \
             the first day of the event period) beside the average trade's cumulative return \
             from its entry price, before costs, by session relative to day 0; the gap between \
             the two paths at entry is the part of the reaction that came before a tradable \
             price. Days with fewer than {} open positions ({}% of the most on any day) are \
             not drawn; bt_path.csv has every day with its count",
            fmt_count(min_n as usize),
            PATH_MIN_SHARE * 100.0
        ),
        &|s| svg::path_chart(&caar, &trade, s),
    );
}

/// A fraction in percent for the histogram's summary, tooltips and legend.
fn percent(x: f64) -> String {
    pct(Some(x))
}
