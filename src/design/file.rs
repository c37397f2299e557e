//! The study file (`study.toml`): every setting of methodology §0.4 plus inputs, securities
//! and groups, as written. Relative paths are resolved against the folder of the study file.
//!
//! This is the raw layer, and the only code that reads TOML: values stay as the user typed
//! them (the command line's quick flags fill the same struct), so that error messages quote
//! them and `run.json` records them. [`Design::from_file`] parses and checks them.

use super::{
    defaults, BacktestFile, BootstrapFile, CarRegressionFile, Design, DifferenceFile, ModelName,
    MultipleTestingFile, SingleFirmFile, VolumeFile,
};
use crate::abnormal::Window;
use crate::data::{FactorSource, PriceSource};
use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::returns::ReturnKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a security's trading calendar is built (methodology §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarMode {
    /// Exchange calendar from the holiday table; exchange from the securities table or the
    /// ticker suffix.
    #[default]
    Exchange,
    /// The benchmark's dates with a valid close; sessions close at 16:00 in the event's zone.
    Data,
}

/// One security of the study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySpec {
    /// Ticker as in the price files.
    pub ticker: String,
    /// Exchange code (XSHG, XSHE, XHKG, XNYS, XNAS); default from the ticker suffix.
    #[serde(default)]
    pub exchange: Option<String>,
    /// Benchmark ticker; default the study's `market`.
    #[serde(default)]
    pub benchmark: Option<String>,
    /// Security group label (e.g. `china_ai_chips`).
    #[serde(default)]
    pub group: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// The whole study configuration, as written in `study.toml` (also known as
/// [`crate::study::StudyConfig`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    /// Title shown in the report.
    #[serde(default = "default_title")]
    pub title: String,
    /// Normal-return model name (see [`MODEL_NAMES`](crate::design::MODEL_NAMES)).
    #[serde(default = "default_model")]
    pub model: String,
    /// `simple` or `log`.
    #[serde(default)]
    pub returns: ReturnKind,
    /// Trade-to-trade returns (§1.3).
    #[serde(default)]
    pub trade_to_trade: bool,
    /// Estimation window `"a:b"` (default `-250:-11`).
    #[serde(default = "default_estimation")]
    pub estimation_window: String,
    /// Event windows `"a:b"`.
    #[serde(default = "default_windows")]
    pub event_windows: Vec<String>,
    /// Minimum estimation returns (default 120).
    #[serde(default = "default_min_est")]
    pub min_estimation_returns: usize,
    /// Maximum calendar days from the event date to day 0 (default 7).
    #[serde(default = "default_max_shift")]
    pub max_shift_days: i64,
    /// Time of day for date-only events (default 12:00).
    #[serde(default = "default_event_time")]
    pub default_event_time: String,
    /// Minimum common dates for a pair in r̄ (default 30).
    #[serde(default = "default_rbar_min")]
    pub rbar_min_common_dates: usize,
    /// Dimson lags K (default 1).
    #[serde(default = "default_dimson")]
    pub dimson_lags: usize,
    /// Exact Wilcoxon p without ties.
    #[serde(default)]
    pub wilcoxon_exact: bool,
    /// Default benchmark ticker.
    #[serde(default)]
    pub market: Option<String>,
    /// Calendar mode.
    #[serde(default)]
    pub calendar: CalendarMode,
    /// Holiday table: a path, or `builtin` (the table shipped in `datasets/exchanges/`).
    #[serde(default = "default_holidays")]
    pub holidays: String,
    /// Keep events whose `verified` is `no`.
    #[serde(default)]
    pub include_unverified: bool,
    /// Groupings for aggregates and tests: `group` (the event's group column, default),
    /// `all`, `category`, `security_group`, `event`.
    #[serde(default = "default_aggregate_by")]
    pub aggregate_by: Vec<String>,
    /// Output formats: `csv`, `parquet`.
    #[serde(default = "default_formats")]
    pub formats: Vec<String>,
    /// Output folder (default `out/<study file stem>`); the CLI's `--out` overrides it.
    #[serde(default)]
    pub out: Option<PathBuf>,
    /// Price files.
    #[serde(default)]
    pub prices: Vec<PriceSource>,
    /// When the same ticker is in two price files: the path of the file that wins.
    #[serde(default)]
    pub prefer: Option<String>,
    /// Factor file (factor models).
    #[serde(default)]
    pub factors: Option<FactorSource>,
    /// Event file (CSV or TOML).
    #[serde(default)]
    pub events: Option<PathBuf>,
    /// Securities file (`ticker, exchange[, benchmark, group, name]`), alternative to
    /// `[[securities]]` entries.
    #[serde(default)]
    pub securities_file: Option<PathBuf>,
    /// Securities.
    #[serde(default)]
    pub securities: Vec<SecuritySpec>,
    /// Named security groups usable in event scopes (`scope = "china_ai_chips"`).
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
    /// The `[backtest]` table (methodology §16), read by `evstudy backtest` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backtest: Option<BacktestFile>,
    /// The study file this configuration was read from (named in configuration errors).
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// Pairs of groups whose CAARs are compared (`[[differences]]`, §7.5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<DifferenceFile>,
    /// Securities the study is restricted to: tickers or group names, as in an event scope.
    /// Empty: no restriction. Pairs outside it are `outside_universe` exclusions (§11).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub universe: Vec<String>,
    /// The abnormal-volume study (`[volume]`, §5.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeFile>,
    /// The wild cluster bootstrap test (`[bootstrap]`, §8.8); off when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapFile>,
    /// Adjusted p-values of the `tests` table (`[multiple_testing]`, §8.9); off when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_testing: Option<MultipleTestingFile>,
    /// Cross-sectional regressions of CARs (`[[car_regression]]`, §7.6).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub car_regression: Vec<CarRegressionFile>,
    /// Add the single-firm sample-quantile columns to `cars` (§6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_firm_quantile: Option<bool>,
    /// The `[single_firm]` table (`quantile = true`, the same as `single_firm_quantile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_firm: Option<SingleFirmFile>,
    /// Write the `variance_ratio` table (event-induced variance, §7.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variance_ratio: Option<bool>,
}

fn default_title() -> String {
    defaults::TITLE.into()
}
fn default_model() -> String {
    defaults::MODEL.into()
}
fn default_estimation() -> String {
    defaults::ESTIMATION_WINDOW.label()
}
fn default_windows() -> Vec<String> {
    defaults::EVENT_WINDOWS.iter().map(Window::label).collect()
}
fn default_min_est() -> usize {
    defaults::MIN_ESTIMATION_RETURNS
}
fn default_max_shift() -> i64 {
    defaults::MAX_SHIFT_DAYS
}
fn default_event_time() -> String {
    defaults::DEFAULT_EVENT_TIME
        .format(defaults::EVENT_TIME_FORMAT)
        .to_string()
}
fn default_rbar_min() -> usize {
    defaults::RBAR_MIN_COMMON_DATES
}
fn default_dimson() -> usize {
    defaults::DIMSON_LAGS
}
fn default_holidays() -> String {
    defaults::BUILTIN_HOLIDAYS.into()
}
fn default_aggregate_by() -> Vec<String> {
    defaults::AGGREGATE_BY
        .iter()
        .map(|g| g.as_str().to_string())
        .collect()
}
fn default_formats() -> Vec<String> {
    defaults::FORMATS
        .iter()
        .map(|f| f.extension().to_string())
        .collect()
}

impl Default for StudyFile {
    fn default() -> Self {
        toml::from_str("").expect("empty study parses")
    }
}

impl StudyFile {
    /// Read a study file; relative paths inside are resolved against its folder.
    pub fn from_toml_file(path: &Path) -> Result<StudyFile> {
        if path.is_dir() {
            return Err(Error::file(
                path.display().to_string(),
                "is a directory, expected a study TOML file",
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut cfg = Self::from_toml_str(&text).map_err(|e| match e {
            Error::Config(m) => Error::file(path.display().to_string(), m),
            other => other,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        cfg.resolve_paths(&base);
        cfg.source = Some(path.to_path_buf());
        if cfg.out.is_none() {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("study");
            let parent = base.file_name().and_then(|s| s.to_str()).unwrap_or(stem);
            cfg.out = Some(PathBuf::from("out").join(if stem == "study" { parent } else { stem }));
        }
        Ok(cfg)
    }

    /// Parse a study from TOML text (paths are left as written).
    pub fn from_toml_str(text: &str) -> Result<StudyFile> {
        toml::from_str(text).map_err(|e| {
            let msg = e.to_string();
            // 1-based line of the span start: newlines before it, plus one (counting
            // `lines()` would be one short when the span starts a line).
            let line = e.span().map(|s| {
                text.as_bytes()[..s.start.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1
            });
            match line {
                Some(l) => Error::config(format!("invalid study file at line {l}: {}", msg.trim())),
                None => Error::config(format!("invalid study file: {}", msg.trim())),
            }
        })
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        for s in &mut self.prices {
            fix(&mut s.path);
        }
        if let Some(f) = &mut self.factors {
            fix(&mut f.path);
        }
        if let Some(e) = &mut self.events {
            fix(e);
        }
        if let Some(s) = &mut self.securities_file {
            fix(s);
        }
        if let Some(o) = &mut self.out {
            fix(o);
        }
        if let Some(o) = self.backtest.as_mut().and_then(|b| b.out.as_mut()) {
            fix(o);
        }
        if self.holidays != defaults::BUILTIN_HOLIDAYS && Path::new(&self.holidays).is_relative() {
            self.holidays = base.join(&self.holidays).display().to_string();
        }
        if let Some(p) = &self.prefer {
            if Path::new(p).is_relative() {
                self.prefer = Some(base.join(p).display().to_string());
            }
        }
    }

    /// The model kind for the engine.
    pub fn model_kind(&self) -> Result<ModelKind> {
        self.model.parse::<ModelName>().map(ModelName::kind)
    }

    /// Check the configuration (methodology §0.4) and return the resolved windows; the
    /// checks are those of [`Design::from_file`].
    pub fn validate(&self) -> Result<(Window, Vec<Window>)> {
        let design = Design::from_file(self)?;
        let windows = design.analysis.windows;
        Ok((windows.estimation, windows.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> StudyFile {
        StudyFile::from_toml_str(
            "events = \"e.csv\"\nmarket = \"IDX\"\n[[prices]]\npath = \"p.csv\"\n",
        )
        .unwrap()
    }

    #[test]
    fn defaults_follow_the_methodology() {
        let c = base();
        let (est, w) = c.validate().unwrap();
        assert_eq!((est.start, est.end), (-250, -11));
        assert_eq!(w.len(), 4);
        assert_eq!(c.min_estimation_returns, 120);
        assert_eq!(c.max_shift_days, 7);
        assert_eq!(c.rbar_min_common_dates, 30);
    }

    #[test]
    fn overlapping_windows_are_a_configuration_error() {
        let mut c = base();
        c.event_windows = vec!["-20:1".into()];
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("overlaps the estimation window"), "{e}");
    }

    #[test]
    fn estimation_after_event_is_an_error() {
        let mut c = base();
        c.estimation_window = "5:100".into();
        c.event_windows = vec!["-1:1".into()];
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("must come before"), "{e}");
    }

    #[test]
    fn unknown_model_and_bad_toml() {
        let mut c = base();
        c.model = "capm2".into();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("unknown model 'capm2'"));
        let e = StudyFile::from_toml_str("model = \n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
        let e = StudyFile::from_toml_str("modle = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("modle"), "{e}");
        // The line of a key that starts a line (after a comment line) is that line, not the one before.
        let e = StudyFile::from_toml_str("# comment\nmodle = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("at line 2:"), "{e}");
    }

    #[test]
    fn min_estimation_below_k_plus_one() {
        let mut c = base();
        c.min_estimation_returns = 2;
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("below k + 1 = 3"));
    }

    #[test]
    fn trade_to_trade_with_market_adjusted_is_an_error() {
        let mut c = base();
        c.model = "market_adjusted".into();
        c.trade_to_trade = true;
        assert!(c.validate().is_err());
    }
}
