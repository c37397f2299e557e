//! [`StudyFile`] → [`Design`]: every value parsed into its type and every cross-field rule of
//! methodology §0.4 checked, in a fixed order (the first problem is the one reported).

use super::bootstrap::bootstrap_settings;
use super::car_regression::car_regressions;
use super::differences::difference_pairs;
use super::multiple_testing::multiple_testing;
use super::single_firm::single_firm_design;
use super::volume::volume_design;
use super::{defaults, Analysis, Design, Holidays, Inputs, Model, ModelName, StudyFile, Windows};
use crate::abnormal::Window;
use crate::error::{Error, Result};
use crate::output::OutputFormat;
use crate::vocab::{by_name, GroupingSpec};
use chrono::NaiveTime;
use std::path::PathBuf;

/// Every output format, as named in `formats`.
const OUTPUT_FORMATS: [OutputFormat; 2] = [OutputFormat::Csv, OutputFormat::Parquet];

impl Design {
    /// Check a study file and build its design. Errors name the study file when it was read
    /// from one ([`StudyFile::source`]).
    ///
    /// # Errors
    /// The first violated rule, as an [`Error::Config`] (or [`Error::File`] naming the
    /// study file): unknown model, bad or overlapping windows, `min_estimation_returns`
    /// below k + 1, trade-to-trade with a model that cannot use it, a factor model without
    /// matching factor columns, `dimson_lags` = 0, negative `max_shift_days`, unknown
    /// format or grouping, a `default_event_time` that is not `HH:MM`, no prices, no events.
    pub fn from_file(file: &StudyFile) -> Result<Design> {
        build(file).map_err(|e| match (e, &file.source) {
            (Error::Config(m), Some(src)) => Error::file(src.display().to_string(), m),
            (e, _) => e,
        })
    }
}

fn build(file: &StudyFile) -> Result<Design> {
    let name: ModelName = file.model.parse()?;
    let model = Model {
        name,
        factors: file
            .factors
            .as_ref()
            .map(|f| f.columns.clone())
            .unwrap_or_default(),
    };
    let windows = windows(file)?;
    check_model(file, &model)?;
    if file.dimson_lags == 0 {
        return Err(Error::config("dimson_lags must be at least 1"));
    }
    if file.max_shift_days < 0 {
        return Err(Error::config("max_shift_days must be ≥ 0"));
    }
    let formats = file
        .formats
        .iter()
        .map(|f| output_format(f))
        .collect::<Result<Vec<_>>>()?;
    if formats.is_empty() {
        return Err(Error::config(
            "formats = []: nothing would be written; list \"csv\", \"parquet\" or both",
        ));
    }
    let aggregate_by = file
        .aggregate_by
        .iter()
        .map(|g| g.parse())
        .collect::<Result<Vec<GroupingSpec>>>()?;
    let default_event_time =
        NaiveTime::parse_from_str(&file.default_event_time, defaults::EVENT_TIME_FORMAT).map_err(
            |_| {
                Error::config(format!(
                    "default_event_time '{}' is not HH:MM",
                    file.default_event_time
                ))
            },
        )?;
    let inputs = inputs(file)?;
    let differences = difference_pairs(&file.differences, &windows.event)?;
    let volume = volume_design(file.volume.as_ref(), windows.estimation, &windows.event)?;
    let bootstrap = bootstrap_settings(file.bootstrap.as_ref())?;
    let multiple_testing = multiple_testing(file.multiple_testing.as_ref())?;
    let base = file.source.as_deref().and_then(std::path::Path::parent);
    let car_regressions = car_regressions(&file.car_regression, &windows.event, base)?;
    let single_firm = single_firm_design(file)?;
    Ok(Design {
        title: file.title.clone(),
        analysis: Analysis {
            model,
            returns: file.returns,
            trade_to_trade: file.trade_to_trade,
            windows,
            min_estimation_returns: file.min_estimation_returns,
            dimson_lags: file.dimson_lags,
            rbar_min_common_dates: file.rbar_min_common_dates,
            wilcoxon_exact: file.wilcoxon_exact,
        },
        max_shift_days: file.max_shift_days,
        default_event_time,
        market: file.market.clone(),
        calendar: file.calendar,
        holidays: holidays(&file.holidays),
        include_unverified: file.include_unverified,
        aggregate_by,
        formats,
        out: file.out.clone(),
        inputs,
        file: file.clone(),
        differences,
        volume,
        bootstrap,
        multiple_testing,
        car_regressions,
        single_firm,
    })
}

/// The estimation and event windows: each parses, there is at least one event window, none
/// overlaps the estimation window and the estimation window starts first.
fn windows(file: &StudyFile) -> Result<Windows> {
    let estimation: Window = file.estimation_window.parse()?;
    if file.event_windows.is_empty() {
        return Err(Error::config("at least one event window is needed"));
    }
    let event = file
        .event_windows
        .iter()
        .map(|w| w.parse())
        .collect::<Result<Vec<Window>>>()?;
    let windows = Windows { estimation, event };
    if let Some(i) = windows.first_overlap() {
        return Err(Error::config(format!(
            "event window {} overlaps the estimation window {}",
            file.event_windows[i], file.estimation_window
        )));
    }
    if estimation.start > windows.event_period().start {
        return Err(Error::config(format!(
            "the estimation window {} must come before the event windows",
            file.estimation_window
        )));
    }
    Ok(windows)
}

/// The model's rules: enough estimation returns (≥ k + 1), trade-to-trade only where the model
/// supports it, and a factor model's columns.
fn check_model(file: &StudyFile, model: &Model) -> Result<()> {
    let name = model.name.as_str();
    let k = model.k();
    if file.min_estimation_returns < k + 1 {
        return Err(Error::config(format!(
            "min_estimation_returns = {} is below k + 1 = {} for model {name}",
            file.min_estimation_returns,
            k + 1,
        )));
    }
    if file.trade_to_trade && !model.supports_trade_to_trade() {
        return Err(Error::config(format!(
            "trade_to_trade cannot be used with the {name} model"
        )));
    }
    if !model.needs_factors() {
        return Ok(());
    }
    match &file.factors {
        None => Err(Error::config(format!(
            "model {name} needs a [factors] file with columns"
        ))),
        Some(f) if f.columns.is_empty() => Err(Error::config(format!(
            "model {name}: [factors] lists no columns"
        ))),
        Some(f) => match model.name.factor_columns() {
            Some(e) if f.columns.iter().map(String::as_str).ne(e.iter().copied()) => {
                Err(Error::config(format!(
                    "model {name} expects factor columns {:?}, got {:?}",
                    e, f.columns
                )))
            }
            _ => Ok(()),
        },
    }
}

/// An output format named exactly as its file extension.
fn output_format(name: &str) -> Result<OutputFormat> {
    by_name(&OUTPUT_FORMATS, OutputFormat::extension, name)
        .ok_or_else(|| Error::config(format!("unknown output format '{name}' (csv, parquet)")))
}

fn holidays(text: &str) -> Holidays {
    if text == defaults::BUILTIN_HOLIDAYS {
        Holidays::Builtin
    } else {
        Holidays::File(PathBuf::from(text))
    }
}

/// The inputs: at least one price file and an event file.
fn inputs(file: &StudyFile) -> Result<Inputs> {
    if file.prices.is_empty() {
        return Err(Error::config(
            "no price files: add at least one [[prices]] entry",
        ));
    }
    let Some(events) = file.events.clone() else {
        return Err(Error::config("no event file: set events = \"path\""));
    };
    if let Some(bad) = file.universe.iter().find(|n| n.trim().is_empty()) {
        return Err(Error::config(format!(
            "universe: '{bad}' is empty; list tickers or group names"
        )));
    }
    Ok(Inputs {
        prices: file.prices.clone(),
        prefer: file.prefer.clone(),
        factors: file.factors.clone(),
        events,
        securities_file: file.securities_file.clone(),
        securities: file.securities.clone(),
        groups: file.groups.clone(),
        universe: file.universe.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Grouping;

    fn file(extra: &str) -> StudyFile {
        StudyFile::from_toml_str(&format!(
            "events = \"e.csv\"\nmarket = \"IDX\"\n{extra}\n[[prices]]\npath = \"p.csv\"\n"
        ))
        .unwrap()
    }

    fn error(extra: &str) -> String {
        Design::from_file(&file(extra)).unwrap_err().to_string()
    }

    #[test]
    fn every_value_is_typed() {
        let d = Design::from_file(&file(
            "aggregate_by = [\"event\", \"security_group\"]\nformats = [\"parquet\"]\n\
             default_event_time = \"09:30\"\nholidays = \"h.csv\"\nmodel = \"dimson\"",
        ))
        .unwrap();
        assert_eq!(d.aggregate_by, [Grouping::Event, Grouping::SecurityGroup]);
        assert_eq!(d.formats, [OutputFormat::Parquet]);
        assert_eq!(
            d.default_event_time,
            NaiveTime::from_hms_opt(9, 30, 0).unwrap()
        );
        assert_eq!(d.holidays, Holidays::File(PathBuf::from("h.csv")));
        assert_eq!(d.analysis.model.name, ModelName::Dimson);
        assert_eq!(d.inputs.events, PathBuf::from("e.csv"));
    }

    #[test]
    fn defaults_come_from_the_defaults_module() {
        let d = Design::from_file(&file("")).unwrap();
        assert_eq!(d.analysis, Analysis::default());
        assert_eq!(d.aggregate_by, defaults::AGGREGATE_BY);
        assert_eq!(d.formats, defaults::FORMATS);
        assert_eq!(d.default_event_time, defaults::DEFAULT_EVENT_TIME);
        assert_eq!(d.max_shift_days, defaults::MAX_SHIFT_DAYS);
        assert_eq!(d.holidays, Holidays::Builtin);
        assert_eq!(d.title, defaults::TITLE);
    }

    #[test]
    fn universe_is_kept_and_an_empty_name_refused() {
        let d = Design::from_file(&file("universe = [\"chips\", \"NVDA\"]")).unwrap();
        assert_eq!(d.inputs.universe, ["chips", "NVDA"]);
        assert!(Design::from_file(&file(""))
            .unwrap()
            .inputs
            .universe
            .is_empty());
        assert_eq!(
            error("universe = [\"chips\", \" \"]"),
            "configuration: universe: ' ' is empty; list tickers or group names"
        );
    }

    #[test]
    fn min_estimation_follows_the_model_k() {
        assert_eq!(
            error("model = \"market_adjusted\"\nmin_estimation_returns = 1"),
            "configuration: min_estimation_returns = 1 is below k + 1 = 2 for model market_adjusted"
        );
        assert!(Design::from_file(&file(
            "model = \"market_adjusted\"\nmin_estimation_returns = 2"
        ))
        .is_ok());
        let e = error(
            "model = \"carhart\"\nmin_estimation_returns = 5\n[factors]\npath = \"f.csv\"\n\
             columns = [\"mkt_rf\", \"smb\", \"hml\", \"mom\"]",
        );
        assert!(e.contains("below k + 1 = 6 for model carhart"), "{e}");
    }

    #[test]
    fn bad_values_keep_their_messages() {
        assert_eq!(
            error("aggregate_by = [\"sector\"]"),
            "configuration: unknown aggregate_by 'sector' (group, all, category, security_group, event)"
        );
        assert_eq!(
            error("formats = [\"CSV\"]"),
            "configuration: unknown output format 'CSV' (csv, parquet)"
        );
        assert_eq!(
            error("default_event_time = \"noon\""),
            "configuration: default_event_time 'noon' is not HH:MM"
        );
        assert_eq!(
            error("model = \"ff3\"\n[factors]\npath = \"f.csv\"\ncolumns = [\"smb\"]"),
            "configuration: model ff3 expects factor columns [\"mkt_rf\", \"smb\", \"hml\"], got [\"smb\"]"
        );
        assert_eq!(
            error("model = \"factor\""),
            "configuration: model factor needs a [factors] file with columns"
        );
        assert_eq!(
            error("trade_to_trade = true\nmodel = \"dimson\""),
            "configuration: trade_to_trade cannot be used with the dimson model"
        );
        assert_eq!(
            error("dimson_lags = 0"),
            "configuration: dimson_lags must be at least 1"
        );
        assert_eq!(
            error("max_shift_days = -1"),
            "configuration: max_shift_days must be ≥ 0"
        );
        assert_eq!(
            error("event_windows = []"),
            "configuration: at least one event window is needed"
        );
    }

    #[test]
    fn errors_name_the_study_file() {
        let mut f = file("model = \"capm\"");
        f.source = Some(PathBuf::from("dir/study.toml"));
        let e = Design::from_file(&f).unwrap_err().to_string();
        assert!(e.starts_with("dir/study.toml: unknown model 'capm'"), "{e}");
    }
}
