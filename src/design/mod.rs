//! The study design: the settings of a study, read once and checked once.
//!
//! A setting flows in one direction:
//!
//! ```text
//! study.toml ─┐
//!             ├─► StudyFile ──Design::from_file──► Design ─┬─► design.engine_config()  → EngineConfig
//! CLI flags ──┘   (raw: what the user typed)   (typed, valid)├─► design.stats_config()   → StatsConfig
//!                                                            └─► simulate::SimulationConfig (same Analysis)
//! ```
//!
//! - [`StudyFile`] mirrors `study.toml` field for field (the command line's quick flags fill
//!   the same struct). It holds only what the user wrote, as written, so that errors can quote
//!   it and `run.json` can record it.
//! - [`Design::from_file`] is the one conversion: it parses every value into its type
//!   ([`Window`](crate::abnormal::Window), [`Model`], [`GroupingSpec`], [`OutputFormat`],
//!   [`NaiveTime`], [`Holidays`]) and makes every cross-field check, so code that holds a
//!   `Design` never sees an invalid value.
//! - [`Analysis`] is the part of the design that the engine and the test battery read; the
//!   simulations build their [`EngineConfig`] and [`StatsConfig`] through it too.
//! - Every default is defined once, in [`defaults`].
//!
//! # Examples
//! ```
//! use evstudy::design::{Design, StudyFile};
//! use evstudy::vocab::Grouping;
//! let file = StudyFile::from_toml_str(
//!     "events = \"e.csv\"\nmarket = \"IDX\"\nevent_windows = [\"-1:1\", \"0:5\"]\n[[prices]]\npath = \"p.csv\"\n",
//! )?;
//! let design = Design::from_file(&file)?;
//! assert_eq!(design.analysis.windows.labels(), ["-1:1", "0:5"]);
//! assert_eq!(design.aggregate_by, [Grouping::Group]);
//! assert_eq!(design.engine_config().min_estimation_returns, 120);
//! # Ok::<(), evstudy::Error>(())
//! ```

mod backtest;
mod bootstrap;
mod car_regression;
pub mod defaults;
mod differences;
mod file;
mod model;
mod multiple_testing;
mod single_firm;
mod validate;
mod volume;
mod window;

pub use model::{Model, ModelName, CARHART_FACTORS, FF3_FACTORS, MODEL_NAMES};
pub(crate) use window::{check_reach, DataReach};
pub use window::{parse_window, Windows};

pub use backtest::{
    parse_latency, BacktestDesign, BacktestFile, CostFile, Costs, DateOnly, DirectionFile,
    DirectionRule, EntryRule, ExitRule, LimitRules, PlaceboDesign, PlaceboFile, SignalKind,
    Unfillable, Weighting,
};
pub use bootstrap::BootstrapFile;
pub use car_regression::{CarRegressionFile, CarRegressionSpec, ClusterBy, Regressor};
pub use differences::{DifferenceFile, DifferencePair};
pub use file::{CalendarMode, SecuritySpec, StudyFile};
pub use multiple_testing::MultipleTestingFile;
pub use single_firm::{SingleFirmDesign, SingleFirmFile};
pub use volume::{VolumeDesign, VolumeFile, VolumeMarket, VolumeModel};

use crate::abnormal::EngineConfig;
use crate::data::{FactorSource, PriceSource};
use crate::output::OutputFormat;
use crate::returns::ReturnKind;
use crate::stats::{BootstrapSettings, MultipleTesting, StatsConfig};
use crate::vocab::GroupingSpec;
use chrono::NaiveTime;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The holiday table of exchange calendars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holidays {
    /// The table shipped in `datasets/exchanges/` (`holidays = "builtin"`).
    Builtin,
    /// A holiday CSV file.
    File(PathBuf),
}

/// The settings the abnormal-return engine and the test battery read.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Normal-return model.
    pub model: Model,
    /// Simple or log returns.
    pub returns: ReturnKind,
    /// Trade-to-trade returns (§1.3).
    pub trade_to_trade: bool,
    /// Estimation and event windows.
    pub windows: Windows,
    /// Minimum estimation returns M (≥ k + 1 of the model).
    pub min_estimation_returns: usize,
    /// Dimson lags K (≥ 1).
    pub dimson_lags: usize,
    /// Minimum common dates for a pair to enter r̄.
    pub rbar_min_common_dates: usize,
    /// Exact Wilcoxon p-value without ties.
    pub wilcoxon_exact: bool,
}

impl Analysis {
    /// The engine's settings.
    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            model: self.model.kind(),
            returns: self.returns,
            estimation: self.windows.estimation,
            windows: self.windows.event.clone(),
            min_estimation_returns: self.min_estimation_returns,
            dimson_lags: self.dimson_lags,
            trade_to_trade: self.trade_to_trade,
        }
    }

    /// The test battery's settings.
    pub fn stats_config(&self) -> StatsConfig {
        StatsConfig {
            estimation: self.windows.estimation,
            windows: self.windows.event.clone(),
            rbar_min_common_dates: self.rbar_min_common_dates,
            wilcoxon_exact: self.wilcoxon_exact,
            trade_to_trade: self.trade_to_trade,
        }
    }
}

impl Default for Analysis {
    /// The §0.4 defaults: market model, simple returns, the default windows, M = 120, K = 1,
    /// r̄ over ≥ 30 common dates, normal-approximation Wilcoxon.
    fn default() -> Self {
        Analysis {
            model: Model::default(),
            returns: ReturnKind::Simple,
            trade_to_trade: false,
            windows: Windows::default(),
            min_estimation_returns: defaults::MIN_ESTIMATION_RETURNS,
            dimson_lags: defaults::DIMSON_LAGS,
            rbar_min_common_dates: defaults::RBAR_MIN_COMMON_DATES,
            wilcoxon_exact: false,
        }
    }
}

/// The input files and securities of a study, paths resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    /// Price files.
    pub prices: Vec<PriceSource>,
    /// When the same ticker is in two price files: the path of the file that wins.
    pub prefer: Option<String>,
    /// Factor file (factor models).
    pub factors: Option<FactorSource>,
    /// Event file (CSV or TOML).
    pub events: PathBuf,
    /// Securities file, alternative to `[[securities]]` entries.
    pub securities_file: Option<PathBuf>,
    /// Securities listed in the study file.
    pub securities: Vec<SecuritySpec>,
    /// Named security groups usable in event scopes.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Tickers or group names the study is restricted to (empty: every security a scope names).
    pub universe: Vec<String>,
}

/// A checked study design: every value typed, every cross-field rule holding. Built only by
/// [`Design::from_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Title shown in the report.
    pub title: String,
    /// What the engine and the battery read.
    pub analysis: Analysis,
    /// Maximum calendar days from the event date to day 0 (≥ 0).
    pub max_shift_days: i64,
    /// Time of day of date-only events.
    pub default_event_time: NaiveTime,
    /// Default benchmark ticker.
    pub market: Option<String>,
    /// How trading calendars are built.
    pub calendar: CalendarMode,
    /// Holiday table of exchange calendars.
    pub holidays: Holidays,
    /// Keep events whose `verified` is `no`.
    pub include_unverified: bool,
    /// Groupings and combinations of groupings for aggregates and tests, in configuration
    /// order.
    pub aggregate_by: Vec<GroupingSpec>,
    /// Output formats, in configuration order.
    pub formats: Vec<OutputFormat>,
    /// Output folder (the CLI's `--out` overrides it).
    pub out: Option<PathBuf>,
    /// Input files and securities.
    pub inputs: Inputs,
    /// The settings as written (recorded in `run.json`).
    pub file: StudyFile,
    /// Pairs of groups whose CAARs are compared (`[[differences]]`, §7.5).
    pub differences: Vec<DifferencePair>,
    /// The abnormal-volume study (`[volume]`, §5.6), when declared.
    pub volume: Option<VolumeDesign>,
    /// The wild cluster bootstrap test (`[bootstrap]`, §8.8); None when off.
    pub bootstrap: Option<BootstrapSettings>,
    /// Adjusted p-values by family (`[multiple_testing]`, §8.9); None when off.
    pub multiple_testing: Option<MultipleTesting>,
    /// Cross-sectional regressions of CARs (`[[car_regression]]`, §7.6).
    pub car_regressions: Vec<CarRegressionSpec>,
    /// The single-firm quantile test and the variance-ratio table (§6.1, §7.7).
    pub single_firm: SingleFirmDesign,
}

impl Design {
    /// The engine's settings.
    pub fn engine_config(&self) -> EngineConfig {
        self.analysis.engine_config()
    }

    /// The test battery's settings.
    pub fn stats_config(&self) -> StatsConfig {
        self.analysis.stats_config()
    }
}
