//! `evstudy run` — the full study.
//!
//! ```text
//! Usage:
//!   evstudy run --config study.toml [--out DIR] [--format csv,parquet] [--no-report]
//!   evstudy run --prices P --events E --market TICKER [--model NAME] [--factors F]
//!               [--estimation=-250:-11] [--window=-1:1 ...] [--returns simple|log]
//!               [--min-estimation N] [--format csv,parquet] [--out DIR]
//!
//! Examples:
//!   evstudy run --config datasets/demo/study.toml
//!   evstudy run --prices prices.csv --events events.csv --market ^GSPC --window=-1:1 --window=0:5
//! ```
//!
//! Without a study file, a security's calendar is the market's dates and day 0 is the first
//! of them on or after the event date (16:00 close in the event's own time zone).

use anyhow::{bail, Context};
use evstudy::data::{FactorSource, PriceSource};
use evstudy::output::{write_outputs, OutputFormat};
use evstudy::report::{render_report, write_report};
use evstudy::study::{CalendarMode, Study, StudyConfig};
use std::path::PathBuf;

/// Arguments of `evstudy run`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evstudy run --config datasets/demo/study.toml\n  evstudy run --prices prices.csv --events events.csv --market ^GSPC --window=-1:1 --window=0:5 --out out/quick"
)]
pub struct RunArgs {
    /// Study file (TOML). Without it, give --prices, --events and --market.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub quick: QuickArgs,
    /// Output folder (default: the study's `out`, else out/<study name>).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Output formats, comma-separated: csv, parquet.
    #[arg(long, value_delimiter = ',')]
    pub format: Option<Vec<String>>,
    /// Do not write the report.
    #[arg(long)]
    pub no_report: bool,
    /// Print the wall time of each phase to stderr, and the peak memory (Linux).
    #[arg(long)]
    pub timings: bool,
    /// Write only the report and small CSV summaries (for committed exports such as
    /// notebooks-export/china-ai-chips): see [`evstudy::report::write_export`].
    #[arg(long)]
    pub export: bool,
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
    /// market | constant-mean | market-adjusted | ff3 | carhart | scholes-williams | dimson
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
    /// simple | log
    #[arg(long)]
    pub returns: Option<String>,
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
}

/// Build the configuration from a study file or from flags.
pub(crate) fn load_config(config: &Option<PathBuf>, q: &QuickArgs) -> anyhow::Result<StudyConfig> {
    if let Some(path) = config {
        if !q.is_empty() {
            bail!("give either --config or the study flags (--prices, --events, --market, --model, --window, …), not both: with --config, set them in the study file");
        }
        return Ok(StudyConfig::from_toml_file(path)?);
    }
    let (Some(prices), Some(events)) = (&q.prices, &q.events) else {
        bail!(
            "give --config study.toml, or --prices, --events and --market (see evstudy run --help)"
        );
    };
    let mut cfg = StudyConfig::default();
    cfg.title = format!("Event study: {}", events.display());
    cfg.calendar = CalendarMode::Data;
    cfg.prices =
        vec![PriceSource::new(prices).with_columns(&q.date_col, &q.ticker_col, &q.price_col)];
    cfg.events = Some(events.clone());
    cfg.market = q.market.clone();
    if let Some(m) = &q.model {
        cfg.model = match m.as_str() {
            "market" | "market-model" | "market_model" => "market_model".into(),
            other => other.replace('-', "_"),
        };
    }
    if let Some(f) = &q.factors {
        let columns: Vec<String> = match cfg.model.as_str() {
            "carhart" => ["mkt_rf", "smb", "hml", "mom"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            _ => ["mkt_rf", "smb", "hml"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        cfg.factors = Some(FactorSource {
            path: f.clone(),
            date_col: "date".into(),
            columns,
            rf_col: q.rf_col.clone(),
            scale: q.factor_scale,
            date_format: None,
        });
    }
    if let Some(e) = &q.estimation {
        cfg.estimation_window = e.clone();
    }
    if !q.windows.is_empty() {
        cfg.event_windows = q.windows.clone();
    }
    if let Some(r) = &q.returns {
        cfg.returns = match r.as_str() {
            "simple" => evstudy::returns::ReturnKind::Simple,
            "log" => evstudy::returns::ReturnKind::Log,
            other => bail!("--returns must be simple or log, got '{other}'"),
        };
    }
    if let Some(n) = q.min_estimation {
        cfg.min_estimation_returns = n;
    }
    let stem = events
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("study")
        .to_string();
    cfg.out = Some(PathBuf::from("out").join(stem));
    Ok(cfg)
}

pub(crate) fn parse_formats(list: &[String]) -> anyhow::Result<Vec<OutputFormat>> {
    list.iter()
        .map(|f| f.parse::<OutputFormat>().map_err(anyhow::Error::from))
        .collect()
}

/// Run the command.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let cfg = load_config(&args.config, &args.quick)?;
    cfg.validate()?;
    let formats = parse_formats(args.format.as_ref().unwrap_or(&cfg.formats))?;
    let out_dir = args
        .out
        .clone()
        .or_else(|| cfg.out.clone())
        .unwrap_or_else(|| PathBuf::from("out/study"));
    let progress = crate::stderr_is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message("running study…");
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    });
    let title = cfg.title.clone();
    let study = Study::new(cfg);
    let output = study.run()?;
    if let Some(pb) = &progress {
        pb.set_message("writing outputs…");
    }
    if args.export {
        let files =
            evstudy::report::write_export(&out_dir, &output.tables, &output.run_info, &title)?;
        println!(
            "{title}: export of {} files written to {}",
            files.len(),
            out_dir.display()
        );
        return Ok(0);
    }
    let t_write = std::time::Instant::now();
    let written = write_outputs(&out_dir, &output.tables, &formats, &output.run_info)
        .with_context(|| format!("writing outputs to {}", out_dir.display()))?;
    let write_s = t_write.elapsed().as_secs_f64();
    let t_report = std::time::Instant::now();
    if !args.no_report {
        let report = render_report(&output.tables, &output.run_info, &title);
        write_report(&out_dir, &report)?;
    }
    if args.timings {
        for (name, s) in &output.summary.timings {
            eprintln!("timing {name:<22} {:>9.3} s", s);
        }
        eprintln!("timing {:<22} {:>9.3} s", "write_tables", write_s);
        eprintln!(
            "timing {:<22} {:>9.3} s",
            "report",
            t_report.elapsed().as_secs_f64()
        );
        if let Some(kib) = peak_memory_kib() {
            eprintln!("peak memory {:>24.0} MB", kib as f64 / 1024.0);
        }
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let t = &output.tables;
    println!(
        "{}: {} pairs analysed of {}, {} exclusion row(s); {} files written to {}{}",
        title,
        output.summary.pairs_analysed,
        output.summary.pairs_total,
        t.exclusions.len(),
        written.len(),
        out_dir.display(),
        if args.no_report {
            String::new()
        } else {
            format!(" (report: {})", out_dir.join("report.html").display())
        }
    );
    Ok(0)
}

/// The process's peak resident memory in KiB (`VmHWM` of `/proc/self/status`; Linux only).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
