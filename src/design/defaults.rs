//! Every default of a study (methodology §0.4) and of a simulation, written once.
//!
//! The study file ([`crate::study::StudyConfig`]), the simulations
//! ([`crate::simulate::SimulationConfig`]), the calendar and the command line take their
//! defaults from here.

use crate::abnormal::Window;
use crate::output::OutputFormat;
use crate::vocab::Grouping;
use chrono::NaiveTime;

/// Report title.
pub const TITLE: &str = "Event study";

/// Normal-return model name: the market model (§4.3).
pub const MODEL: &str = "market_model";

/// Estimation window [L1, L2] = [−250, −11].
pub const ESTIMATION_WINDOW: Window = Window {
    start: -250,
    end: -11,
};

/// Event windows: [−1, 1], [0, 0], [−5, 5], [0, 20].
pub const EVENT_WINDOWS: [Window; 4] = [
    Window { start: -1, end: 1 },
    Window { start: 0, end: 0 },
    Window { start: -5, end: 5 },
    Window { start: 0, end: 20 },
];

/// Minimum estimation returns M: 120.
pub const MIN_ESTIMATION_RETURNS: usize = 120;

/// Maximum calendar days from the event date to day 0: 7 (§2.4).
pub const MAX_SHIFT_DAYS: i64 = 7;

/// Time of day of date-only events: 12:00 (§2.3).
pub const DEFAULT_EVENT_TIME: NaiveTime = match NaiveTime::from_hms_opt(12, 0, 0) {
    Some(t) => t,
    None => panic!("12:00 is a valid time"),
};

/// How [`DEFAULT_EVENT_TIME`] and every `default_event_time` setting are written: `HH:MM`.
pub const EVENT_TIME_FORMAT: &str = "%H:%M";

/// Minimum common dates for a pair to enter r̄: 30.
pub const RBAR_MIN_COMMON_DATES: usize = 30;

/// Dimson lags K: 1 (§4.6).
pub const DIMSON_LAGS: usize = 1;

/// The `holidays` keyword that selects the table shipped in `datasets/exchanges/`.
pub const BUILTIN_HOLIDAYS: &str = "builtin";

/// Groupings for aggregates and tests: the event's group column.
pub const AGGREGATE_BY: [Grouping; 1] = [Grouping::Group];

/// Output formats: CSV and Parquet.
pub const FORMATS: [OutputFormat; 2] = [OutputFormat::Csv, OutputFormat::Parquet];

/// Simulations: master seed.
pub const SIMULATION_SEED: u64 = 20_250_101;

/// Simulations: Monte Carlo replications R.
pub const SIMULATION_REPLICATIONS: usize = 1000;

/// Simulations: event–security pairs per replication.
pub const SIMULATION_PAIRS: usize = 50;

/// Simulations: length of the synthetic calendar in sessions.
pub const SIMULATION_DAYS: usize = 400;

/// Simulations: output folder of `evstudy simulate`.
pub const SIMULATION_OUT: &str = "out/simulation";

/// Backtests: entry rule (§16.1), the first fillable price after the event.
pub const BACKTEST_ENTRY: &str = "first_tradable";

/// Backtests: which price points an entry may use (§16.1): the open or the close, whichever
/// comes first (the close only when a price source has no opening prices).
pub const BACKTEST_ENTRY_POINT: &str = "either";

/// Backtests: delay between the event instant and the first order (§16.1).
pub const BACKTEST_LATENCY: &str = "15m";

/// Backtests: when a date-only event is taken to be known (§16.1): after the close.
pub const BACKTEST_DATE_ONLY: &str = "after_close";

/// Backtests: an unfillable entry moves to the next fillable price point (§16.1).
pub const BACKTEST_UNFILLABLE: &str = "next";

/// Backtests: sessions an unfillable entry may move forward (§16.1).
pub const BACKTEST_MAX_DELAY: i64 = 5;

/// Backtests: holding period in sessions (§16.1).
pub const BACKTEST_HOLD: i64 = 5;

/// Backtests: exit price point (§16.1).
pub const BACKTEST_EXIT_POINT: &str = "close";

/// Backtests: share of equity per trade with `weighting = "notional"` (§16.2).
pub const BACKTEST_NOTIONAL: f64 = 0.1;

/// Backtests: A-share daily price limits in percent (§16.1): main board, STAR (688…),
/// ChiNext (300…/301…).
pub const BACKTEST_LIMIT_PCT: [(&str, f64); 3] =
    [("main", 10.0), ("star", 20.0), ("chinext", 20.0)];

/// Backtests: how close (as a fraction of the previous close) an open must come to the daily
/// limit to count as locked (§16.1): 0.2 percentage points, which absorbs the rounding of
/// the limit price to 0.01 CNY (0.05 % on a 10 CNY stock) and the rescaling of adjusted
/// prices, yet stays far below the gap between a 9.8 % and a 10 % open.
pub const BACKTEST_LIMIT_TOLERANCE: f64 = 0.002;

/// Backtests: days with fewer open positions are left out of the alpha regression (§16.5).
pub const BACKTEST_MIN_POSITIONS: i64 = 1;

/// Backtests: placebo calendars K (§16.6); 0 = none.
pub const BACKTEST_PLACEBO_CALENDARS: i64 = 0;

/// Backtests: output folder inside the study's, when `[backtest] out` is not set.
pub const BACKTEST_SUBDIR: &str = "backtest";
