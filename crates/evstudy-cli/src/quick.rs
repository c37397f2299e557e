//! The quick flags: a study described on the command line instead of in a study file. They
//! map to the raw study file ([`StudyFile`]) in one function, [`QuickArgs::to_study_file`],
//! and are checked by the same [`evstudy::design::Design::from_file`] as a study file.

use anyhow::bail;
use evstudy::data::{FactorSource, PriceSource};
use evstudy::design::{ModelName, StudyFile, FF3_FACTORS};
use evstudy::output::OutputFormat;
use evstudy::returns::ReturnKind;
use evstudy::study::CalendarMode;
use std::path::{Path, PathBuf};

/// `--returns`: how returns are computed from prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReturnsArg {
    /// Simple returns P_t / P_{t−1} − 1.
    Simple,
    /// Log returns ln(P_t / P_{t−1}).
    Log,
}

impl From<ReturnsArg> for ReturnKind {
    fn from(r: ReturnsArg) -> ReturnKind {
        match r {
            ReturnsArg::Simple => ReturnKind::Simple,
            ReturnsArg::Log => ReturnKind::Log,
        }
    }
}

/// `--format`: a file format of the output tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Comma-separated text.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl From<FormatArg> for OutputFormat {
    fn from(f: FormatArg) -> OutputFormat {
        match f {
            FormatArg::Csv => OutputFormat::Csv,
            FormatArg::Parquet => OutputFormat::Parquet,
        }
    }
}

/// Flags that describe a study without a file.
#[derive(Debug, clap::Args, Default)]
pub struct QuickArgs {
    /// Prices: long CSV or Parquet (`date,ticker,close` by default).
    #[arg(long)]
    pub prices: Option<PathBuf>,
    /// Events CSV with at least `event_id,ticker,date` (optional time, tz, category).
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// Benchmark ticker.
    #[arg(long)]
    pub market: Option<String>,
    /// Normal-return model: market (market-model), constant-mean, market-adjusted, ff3,
    /// carhart, factor, scholes-williams, dimson; an unknown name is a configuration error
    /// that lists the models.
    #[arg(long)]
    pub model: Option<String>,
    /// Factor file (ff3, carhart): `date,mkt_rf,smb,hml[,mom][,rf]`.
    #[arg(long)]
    pub factors: Option<PathBuf>,
    /// Multiplier for factor values (0.01 for files in percent).
    #[arg(long, default_value_t = 1.0)]
    pub factor_scale: f64,
    /// Risk-free column of the factor file.
    #[arg(long)]
    pub rf_col: Option<String>,
    /// Estimation window a:b.
    #[arg(long, allow_hyphen_values = true)]
    pub estimation: Option<String>,
    /// Event window a:b (repeat for several).
    #[arg(long = "window", allow_hyphen_values = true)]
    pub windows: Vec<String>,
    /// Simple or log returns (default simple).
    #[arg(long, value_enum, ignore_case = true)]
    pub returns: Option<ReturnsArg>,
    /// Minimum estimation returns.
    #[arg(long)]
    pub min_estimation: Option<usize>,
    /// Date column of the price file.
    #[arg(long, default_value = "date")]
    pub date_col: String,
    /// Ticker column of the price file.
    #[arg(long, default_value = "ticker")]
    pub ticker_col: String,
    /// Price column of the price file.
    #[arg(long, default_value = "close")]
    pub price_col: String,
}

/// The study file's model name for a `--model` value: `market` and `market-model` name the
/// market model, and dashes stand for underscores.
fn model_name(flag: &str) -> String {
    match flag {
        "market" | "market-model" => ModelName::MarketModel.as_str().to_string(),
        other => other.replace('-', "_"),
    }
}

impl QuickArgs {
    /// True when no flag of the quick form was given (all at their defaults).
    fn is_empty(&self) -> bool {
        self.prices.is_none()
            && self.events.is_none()
            && self.market.is_none()
            && self.model.is_none()
            && self.factors.is_none()
            && self.factor_scale == 1.0
            && self.rf_col.is_none()
            && self.estimation.is_none()
            && self.windows.is_empty()
            && self.returns.is_none()
            && self.min_estimation.is_none()
            && self.date_col == "date"
            && self.ticker_col == "ticker"
            && self.price_col == "close"
    }

    /// The study file these flags describe: the data calendar of the market, day 0 the first
    /// market date on or after the event date, outputs in `out/<events file stem>`.
    pub fn to_study_file(&self, prices: &Path, events: &Path) -> StudyFile {
        let mut file = StudyFile {
            title: format!("Event study: {}", events.display()),
            calendar: CalendarMode::Data,
            prices: vec![PriceSource::new(prices).with_columns(
                &self.date_col,
                &self.ticker_col,
                &self.price_col,
            )],
            events: Some(events.to_path_buf()),
            market: self.market.clone(),
            ..StudyFile::default()
        };
        if let Some(m) = &self.model {
            file.model = model_name(m);
        }
        if let Some(f) = &self.factors {
            let columns = file
                .model
                .parse::<ModelName>()
                .ok()
                .and_then(ModelName::factor_columns)
                .unwrap_or(&FF3_FACTORS);
            file.factors = Some(FactorSource {
                path: f.clone(),
                date_col: "date".into(),
                columns: columns.iter().map(|s| s.to_string()).collect(),
                rf_col: self.rf_col.clone(),
                scale: self.factor_scale,
                date_format: None,
            });
        }
        if let Some(e) = &self.estimation {
            file.estimation_window = e.clone();
        }
        if !self.windows.is_empty() {
            file.event_windows = self.windows.clone();
        }
        if let Some(r) = self.returns {
            file.returns = r.into();
        }
        if let Some(n) = self.min_estimation {
            file.min_estimation_returns = n;
        }
        let stem = events
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("study");
        file.out = Some(PathBuf::from("out").join(stem));
        file
    }
}

/// The raw study file of a command: read from `--config`, or described by the quick flags
/// (the one entry of `run`, `validate` and `events`).
pub(crate) fn load_config(config: &Option<PathBuf>, q: &QuickArgs) -> anyhow::Result<StudyFile> {
    if let Some(path) = config {
        if !q.is_empty() {
            bail!("give either --config or the study flags (--prices, --events, --market, --model, --window, …), not both: with --config, set them in the study file");
        }
        return Ok(StudyFile::from_toml_file(path)?);
    }
    let (Some(prices), Some(events)) = (&q.prices, &q.events) else {
        bail!(
            "give --config study.toml, or --prices, --events and --market (see evstudy run --help)"
        );
    };
    Ok(q.to_study_file(prices, events))
}
