//! The headline in words: one paragraph generated from the metrics, the CAPM alpha and the
//! placebo p-values, so the report's first sentence always matches its tables.

use std::fmt::Write as _;

use super::{alpha_row, metric, num, pct};
use crate::backtest::{BacktestTables, FactorModel, PerfMetric, ReturnBasis, SeKind};
use crate::report::format::fmt_count;

/// The paragraph: what the trades earned net of costs (and gross), with what risk, and whether
/// the alpha of the simplest factor model available is significant (Newey–West), then the
/// placebo p-values. Clauses whose numbers are missing are left out.
pub(crate) fn verdict(bt: &BacktestTables) -> String {
    if bt.trades.is_empty() {
        return format!(
            "No event traded ({} event–security pair(s) did not; see the exclusions below), so \
             there is no performance to report.",
            fmt_count(bt.exclusions.len())
        );
    }
    let net = |m: PerfMetric| metric(bt, ReturnBasis::Net, m).and_then(|r| r.value);
    let mut s = format!("Net of costs, the {} trades", fmt_count(bt.trades.len()));
    match net(PerfMetric::TotalReturn) {
        Some(v) => {
            let _ = write!(s, " returned {} in total", pct(Some(v)));
        }
        None => s.push_str(" have no total return"),
    }
    if let Some(v) = net(PerfMetric::Cagr) {
        let _ = write!(s, " ({} a year)", pct(Some(v)));
    }
    let gross = metric(bt, ReturnBasis::Gross, PerfMetric::TotalReturn).and_then(|r| r.value);
    if let Some(g) = gross {
        let _ = write!(s, ", against {} before costs", pct(Some(g)));
    }
    s.push('.');
    let mut risk: Vec<String> = Vec::new();
    if let Some(r) = metric(bt, ReturnBasis::Net, PerfMetric::Sharpe) {
        if let Some(v) = r.value {
            let se = r
                .std_error
                .map(|se| format!(" ± {}", num(Some(se))))
                .unwrap_or_default();
            risk.push(format!("a Sharpe ratio of {}{se}", num(Some(v))));
        }
    }
    if let Some(v) = net(PerfMetric::MaxDrawdown) {
        risk.push(format!("a maximum drawdown of {}", pct(Some(v))));
    }
    if let Some(v) = net(PerfMetric::HitRate) {
        risk.push(format!("{} of trades made money", pct(Some(v))));
    }
    if !risk.is_empty() {
        let _ = write!(s, " The strategy had {}.", join_words(&risk));
    }
    s.push_str(&alpha_clause(bt));
    s.push_str(&placebo_clause(bt));
    s
}

/// " The CAPM alpha is 0.01% a day (Newey–West t = 1.2, p = 0.23): not significantly
/// different from zero." — for the first factor model with a net Newey–West alpha.
fn alpha_clause(bt: &BacktestTables) -> String {
    let Some((model, r)) = FactorModel::ALL
        .iter()
        .find_map(|&m| Some((m, alpha_row(bt, ReturnBasis::Net, m, SeKind::NeweyWest)?)))
    else {
        return String::new();
    };
    let Some(coef) = r.coef else {
        return String::new();
    };
    let verdict = match r.p_value {
        Some(p) if p < 0.01 => "significant at the 1% level",
        Some(p) if p < 0.05 => "significant at the 5% level",
        Some(p) if p < 0.1 => "significant at the 10% level only",
        Some(_) => "not significantly different from zero",
        None => "without a p-value",
    };
    format!(
        " The net {} alpha is {} a day (Newey–West t = {}, p = {}, {} days): {verdict}.",
        super::model_name(model),
        pct(Some(coef)),
        num(r.t),
        num(r.p_value),
        fmt_count(r.n_days as usize)
    )
}

/// " Against 999 placebo calendars, p = 0.04 for sharpe and 0.12 for alpha_capm."
fn placebo_clause(bt: &BacktestTables) -> String {
    let parts: Vec<String> = bt
        .placebo
        .iter()
        .filter_map(|r| Some(format!("p = {} for {}", num(Some(r.p_value?)), r.statistic)))
        .collect();
    match bt.placebo.first() {
        Some(first) if !parts.is_empty() => format!(
            " Against {} placebo calendars, {}.",
            fmt_count(first.k as usize),
            join_words(&parts)
        ),
        _ => String::new(),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
