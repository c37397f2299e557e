//! The run plan: every setting the phases read, parsed and checked once from the
//! configuration, so that no phase reads a configuration string.

use super::config::{CalendarMode, SecuritySpec, StudyConfig};
use super::groups::Grouping;
use super::pairs::Admission;
use crate::abnormal::{EngineConfig, Window};
use crate::data::{FactorSource, PriceSource};
use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::returns::ReturnKind;
use crate::stats::StatsConfig;
use chrono::NaiveTime;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The validated settings of one run.
pub(crate) struct RunPlan {
    /// Normal-return model.
    pub model: ModelKind,
    /// The model's name as configured (named in errors).
    pub model_name: String,
    /// The model regresses on a benchmark (needs one per security).
    pub needs_benchmark: bool,
    /// Engine settings (windows, model, minimum estimation returns, …).
    pub engine: EngineConfig,
    /// Test settings.
    pub stats: StatsConfig,
    /// Event period H, the hull of the event windows.
    pub event_period: Window,
    /// Exchange or data calendars (§2.2).
    pub calendar: CalendarMode,
    /// How events become day 0 (§2.4).
    pub day0: Day0Rules,
    /// Keep events whose `verified` is `no`.
    pub include_unverified: bool,
    /// Named security groups usable in event scopes.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Groupings for aggregates and tests, in configuration order.
    pub groupings: Vec<Grouping>,
    /// The input files.
    pub sources: Sources,
}

/// Settings of the day-0 mapping (§2.4).
pub(crate) struct Day0Rules {
    /// Time of day for date-only events.
    pub default_event_time: NaiveTime,
    /// Maximum calendar days from the event date to day 0.
    pub max_shift_days: i64,
}

/// Where the holiday table comes from.
pub(crate) enum Holidays {
    /// The table shipped with evstudy.
    Builtin,
    /// A holiday CSV file.
    File(PathBuf),
}

/// The input files and inline inputs of a study.
pub(crate) struct Sources {
    /// Price files.
    pub prices: Vec<PriceSource>,
    /// The price file that wins when a ticker is in two files.
    pub prefer: Option<String>,
    /// Factor file (read for factor models only; always hashed).
    pub factors: Option<FactorSource>,
    /// Holiday table.
    pub holidays: Holidays,
    /// Event file.
    pub events: Option<PathBuf>,
    /// `[[securities]]` entries.
    pub securities: Vec<SecuritySpec>,
    /// Securities file.
    pub securities_file: Option<PathBuf>,
    /// Default benchmark ticker.
    pub market: Option<String>,
}

impl RunPlan {
    /// Validate the configuration and parse every setting once.
    ///
    /// # Errors
    /// The configuration errors of [`StudyConfig::validate`] and [`StudyConfig::model_kind`].
    pub fn from_config(cfg: &StudyConfig) -> Result<RunPlan> {
        let (estimation, windows) = cfg.validate()?;
        let model = cfg.model_kind()?;
        let default_event_time = NaiveTime::parse_from_str(&cfg.default_event_time, "%H:%M")
            .map_err(|_| Error::config("default_event_time must be HH:MM"))?;
        let groupings = cfg
            .aggregate_by
            .iter()
            .map(|g| {
                Grouping::from_name(g)
                    .ok_or_else(|| Error::config(format!("unknown aggregate_by '{g}'")))
            })
            .collect::<Result<Vec<_>>>()?;
        let engine = EngineConfig {
            model,
            returns: cfg.returns,
            estimation,
            windows: windows.clone(),
            min_estimation_returns: cfg.min_estimation_returns,
            dimson_lags: cfg.dimson_lags,
            trade_to_trade: cfg.trade_to_trade,
        };
        let stats = StatsConfig {
            estimation,
            windows,
            rbar_min_common_dates: cfg.rbar_min_common_dates,
            wilcoxon_exact: cfg.wilcoxon_exact,
            trade_to_trade: cfg.trade_to_trade,
        };
        Ok(RunPlan {
            model,
            model_name: cfg.model.clone(),
            needs_benchmark: needs_benchmark(model),
            event_period: engine.event_period(),
            engine,
            stats,
            calendar: cfg.calendar,
            day0: Day0Rules {
                default_event_time,
                max_shift_days: cfg.max_shift_days,
            },
            include_unverified: cfg.include_unverified,
            groups: cfg.groups.clone(),
            groupings,
            sources: Sources::from_config(cfg),
        })
    }

    /// Daily or log returns.
    pub fn returns(&self) -> ReturnKind {
        self.engine.returns
    }

    /// Trade-to-trade returns (§1.3).
    pub fn trade_to_trade(&self) -> bool {
        self.engine.trade_to_trade
    }

    /// What a pair's security needs besides prices.
    pub fn admission(&self) -> Admission {
        Admission {
            needs_benchmark: self.needs_benchmark,
            calendar: self.calendar,
        }
    }
}

impl Sources {
    fn from_config(cfg: &StudyConfig) -> Sources {
        Sources {
            prices: cfg.prices.clone(),
            prefer: cfg.prefer.clone(),
            factors: cfg.factors.clone(),
            holidays: if cfg.holidays == "builtin" {
                Holidays::Builtin
            } else {
                Holidays::File(PathBuf::from(&cfg.holidays))
            },
            events: cfg.events.clone(),
            securities: cfg.securities.clone(),
            securities_file: cfg.securities_file.clone(),
            market: cfg.market.clone(),
        }
    }
}

/// Models that regress on (or subtract) a benchmark return.
fn needs_benchmark(kind: ModelKind) -> bool {
    matches!(
        kind,
        ModelKind::MarketAdjusted
            | ModelKind::MarketModel
            | ModelKind::ScholesWilliams
            | ModelKind::Dimson
    )
}
