//! The fixed vocabularies of a backtest (methodology §16): price points, sides, the return
//! basis and names of the performance metrics, the alpha regression's factor models, terms and
//! standard-error kinds, and the reasons an event did not trade. Each `as_str()` is the text
//! written to the `bt_*` tables and read from `study.toml`.

use crate::stats::kind::vocabulary;
use crate::stats::UnknownName;
use std::fmt;
use std::str::FromStr;

vocabulary! {
    /// Where in a session a trade fills.
    ///
    /// # Examples
    /// ```
    /// use evstudy::backtest::PricePoint;
    /// assert_eq!("open".parse::<PricePoint>(), Ok(PricePoint::Open));
    /// assert!(PricePoint::Open < PricePoint::Close);
    /// ```
    PricePoint, "price point", 2 {
        /// The session's opening price.
        Open => "open",
        /// The session's closing price.
        Close => "close",
    }
}

vocabulary! {
    /// The side of a position.
    Direction, "direction", 2 {
        /// Bought at entry, sold at exit.
        Long => "long",
        /// Sold short at entry, bought back at exit.
        Short => "short",
    }
}

impl Direction {
    /// +1 for long, −1 for short.
    ///
    /// # Examples
    /// ```
    /// use evstudy::backtest::Direction;
    /// assert_eq!(Direction::Short.sign(), -1.0);
    /// ```
    pub fn sign(self) -> f64 {
        match self {
            Direction::Long => 1.0,
            Direction::Short => -1.0,
        }
    }
}

vocabulary! {
    /// Returns before or after costs (transaction and borrow costs, §16).
    ReturnBasis, "basis", 2 {
        /// Before costs.
        Gross => "gross",
        /// After costs.
        Net => "net",
    }
}

vocabulary! {
    /// One performance metric of the `bt_metrics` table (§16), in output order.
    PerfMetric, "metric", 17 {
        /// Total compounded return over the backtest.
        TotalReturn => "total_return",
        /// Compound annual growth rate.
        Cagr => "cagr",
        /// Annualised standard deviation of daily returns.
        Volatility => "volatility",
        /// Annualised Sharpe ratio, with its standard error (Lo 2002).
        Sharpe => "sharpe",
        /// Annualised Sortino ratio.
        Sortino => "sortino",
        /// Maximum drawdown of the equity curve (a negative fraction).
        MaxDrawdown => "max_drawdown",
        /// Longest drawdown, in portfolio days from peak to recovery.
        MaxDrawdownDays => "max_drawdown_days",
        /// CAGR over the absolute maximum drawdown.
        Calmar => "calmar",
        /// Share of trades with a positive return.
        HitRate => "hit_rate",
        /// Sum of winning trade returns over the absolute sum of losing ones.
        ProfitFactor => "profit_factor",
        /// Mean trade return.
        AvgTrade => "avg_trade",
        /// Mean daily turnover (traded notional over equity), annualised.
        Turnover => "turnover",
        /// Share of portfolio days with at least one open position.
        Exposure => "exposure",
        /// Slope of the portfolio's daily return on the benchmark's.
        Beta => "beta",
        /// Jensen's alpha, annualised.
        JensenAlpha => "jensen_alpha",
        /// Annualised standard deviation of the active return (portfolio − benchmark).
        TrackingError => "tracking_error",
        /// Annualised mean active return over the tracking error.
        InformationRatio => "information_ratio",
    }
}

vocabulary! {
    /// The factor model of a calendar-time alpha regression (§16).
    FactorModel, "factor model", 3 {
        /// Market excess return only.
        Capm => "capm",
        /// Fama–French (1993) three factors.
        Ff3 => "ff3",
        /// Carhart (1997) four factors.
        Carhart => "carhart",
    }
}

vocabulary! {
    /// The standard errors of a calendar-time alpha regression (§16).
    SeKind, "standard error", 4 {
        /// Classical OLS standard errors.
        Ols => "ols",
        /// White heteroskedasticity-consistent errors with the n/(n−k) correction (HC1).
        Hc1 => "hc1",
        /// Newey–West (1987) HAC errors with Bartlett weights.
        NeweyWest => "newey_west",
        /// Weighted least squares, weights = number of open positions.
        Wls => "wls",
    }
}

vocabulary! {
    /// Why an event did not trade (the `bt_exclusions` table, §16.7).
    BacktestReason, "backtest reason", 14 {
        /// The study excluded the pair before the backtest (its reason is in the detail).
        ExcludedByStudy => "excluded_by_study",
        /// No fillable entry price within `max_delay` sessions of the rule's point.
        NoFill => "no_fill",
        /// The entry or exit session has no opening price.
        NoOpenPrice => "no_open_price",
        /// The entry or exit session has no close (suspension, missing row, tradestatus 0).
        Suspended => "suspended",
        /// The bar's volume is 0 or missing: a placeholder without a real open or close.
        NoVolume => "no_volume",
        /// An A-share open locked at the daily limit on the side the trade needs.
        LimitLocked => "limit_locked",
        /// The entry or exit falls after the last session with data.
        BeyondData => "beyond_data",
        /// The signal is missing, zero, or does not end before the entry session.
        NoSignal => "no_signal",
        /// The event's category has no side in the direction map.
        NoDirection => "no_direction",
        /// The exit rule gives an exit at or before the entry.
        ExitBeforeEntry => "exit_before_entry",
        /// Inverse-volatility weights without the estimation-window σ̂.
        NoVolatility => "no_volatility",
        /// A beta hedge without the estimation-window beta or the benchmark's prices.
        NoHedge => "no_hedge",
        /// The pair has no session calendar with price instants.
        NoCalendar => "no_calendar",
        /// The security is in none of the `[backtest] groups`.
        OutsideGroups => "outside_groups",
    }
}
