//! The run plan: every setting the phases read, derived once from the validated
//! [`Design`], so that no phase reads a configuration string.

use super::config::{CalendarMode, SecuritySpec, StudyConfig};
use super::pairs::Admission;
use crate::abnormal::{EngineConfig, Window};
use crate::data::{FactorSource, PriceSource};
use crate::design::{
    CarRegressionSpec, Design, DifferencePair, Holidays, SingleFirmDesign, VolumeDesign,
};
use crate::error::Result;
use crate::model::ModelKind;
use crate::returns::ReturnKind;
use crate::stats::{BootstrapSettings, MultipleTesting, StatsConfig};
use crate::vocab::GroupingSpec;
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
    /// Tickers or group names the study is restricted to (empty: no restriction).
    pub universe: Vec<String>,
    /// Groupings for aggregates and tests, in configuration order.
    pub groupings: Vec<GroupingSpec>,
    /// The input files.
    pub sources: Sources,
    /// Pairs of groups whose CAARs are compared (`[[differences]]`).
    pub differences: Vec<DifferencePair>,
    /// The abnormal-volume study (`[volume]`), when declared.
    pub volume: Option<VolumeDesign>,
    /// The wild cluster bootstrap test (`[bootstrap]`), when on.
    pub bootstrap: Option<BootstrapSettings>,
    /// Adjusted p-values (`[multiple_testing]`), when on.
    pub multiple_testing: Option<MultipleTesting>,
    /// Cross-sectional regressions of CARs (`[[car_regression]]`).
    pub car_regressions: Vec<CarRegressionSpec>,
    /// The single-firm quantile test and the variance-ratio table (§6.1, §7.7).
    pub single_firm: SingleFirmDesign,
}

/// Settings of the day-0 mapping (§2.4).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Day0Rules {
    /// Time of day for date-only events.
    pub default_event_time: NaiveTime,
    /// Maximum calendar days from the event date to day 0.
    pub max_shift_days: i64,
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
    pub events: PathBuf,
    /// `[[securities]]` entries.
    pub securities: Vec<SecuritySpec>,
    /// Securities file.
    pub securities_file: Option<PathBuf>,
    /// Default benchmark ticker.
    pub market: Option<String>,
}

impl RunPlan {
    /// Validate the configuration ([`Design::from_file`]) and derive the plan from it.
    ///
    /// # Errors
    /// The configuration errors of [`Design::from_file`].
    pub fn from_config(cfg: &StudyConfig) -> Result<RunPlan> {
        Ok(RunPlan::from_design(&Design::from_file(cfg)?))
    }

    /// The settings of a run of `design`.
    pub fn from_design(design: &Design) -> RunPlan {
        let model = &design.analysis.model;
        let engine = design.engine_config();
        RunPlan {
            model: model.kind(),
            model_name: model.name.as_str().to_string(),
            needs_benchmark: model.needs_benchmark(),
            event_period: engine.event_period(),
            stats: design.stats_config(),
            engine,
            calendar: design.calendar,
            day0: Day0Rules {
                default_event_time: design.default_event_time,
                max_shift_days: design.max_shift_days,
            },
            include_unverified: design.include_unverified,
            groups: design.inputs.groups.clone(),
            universe: design.inputs.universe.clone(),
            groupings: design.aggregate_by.clone(),
            sources: Sources::from_design(design),
            differences: design.differences.clone(),
            volume: design.volume.clone(),
            bootstrap: design.bootstrap,
            multiple_testing: design.multiple_testing.clone(),
            car_regressions: design.car_regressions.clone(),
            single_firm: design.single_firm,
        }
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
    fn from_design(design: &Design) -> Sources {
        let inputs = &design.inputs;
        Sources {
            prices: inputs.prices.clone(),
            prefer: inputs.prefer.clone(),
            factors: inputs.factors.clone(),
            holidays: design.holidays.clone(),
            events: inputs.events.clone(),
            securities: inputs.securities.clone(),
            securities_file: inputs.securities_file.clone(),
            market: design.market.clone(),
        }
    }
}
