//! A-share daily price limits by board (methodology §16.1).

use crate::design::LimitRules;

/// The daily price limit of a security as a fraction of the previous close, or `None` when
/// its exchange has none.
///
/// Shanghai (XSHG) and Shenzhen (XSHE) limit a stock's price to ±10 % of the previous close
/// on the main boards and ±20 % on the STAR market (codes 688…, 689…) and ChiNext (300…,
/// 301…); `rules` holds the three numbers (`limit_pct` overrides them). Risk-warning (ST)
/// stocks' ±5 % is not detected from the ticker: set `limit_pct.main` for a study of them.
///
/// # Examples
/// ```
/// use evstudy::backtest::timing::daily_limit;
/// use evstudy::design::LimitRules;
/// let rules = LimitRules { main: 0.10, star: 0.20, chinext: 0.20, tolerance: 0.002 };
/// assert_eq!(daily_limit("688256.SS", "XSHG", &rules), Some(0.20));
/// assert_eq!(daily_limit("300750.SZ", "XSHE", &rules), Some(0.20));
/// assert_eq!(daily_limit("600519.SS", "XSHG", &rules), Some(0.10));
/// assert_eq!(daily_limit("0981.HK", "XHKG", &rules), None);
/// ```
pub fn daily_limit(ticker: &str, exchange: &str, rules: &LimitRules) -> Option<f64> {
    if !matches!(exchange, "XSHG" | "XSHE") {
        return None;
    }
    let code = ticker.split('.').next().unwrap_or(ticker);
    Some(if code.starts_with("688") || code.starts_with("689") {
        rules.star
    } else if code.starts_with("300") || code.starts_with("301") {
        rules.chinext
    } else {
        rules.main
    })
}
