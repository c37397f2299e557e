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
