//! `evstudy backtest` — trade the study's events (the `[backtest]` table of the study file)
//! and write the `bt_*` tables. The usage is `evstudy backtest --help`.

use crate::cmd::folder::{run_in_folder, run_options};
use crate::cmd::run::input_paths;
use crate::quick::FormatArg;
use anyhow::Context;
use evstudy::backtest::{run_backtest, BacktestRun, PerfMetric, ReturnBasis};
use evstudy::design::{defaults, BacktestDesign, Design};
use evstudy::output::{write_outputs, OutputFormat};
use evstudy::report::{
    backtest_report_info, render_backtest_report, write_backtest_export, write_report,
};
use evstudy::study::StudyConfig;
use std::path::{Path, PathBuf};

/// Arguments of `evstudy backtest`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evstudy backtest --config datasets/china-ai-chips/backtest.toml\n  evstudy backtest --config datasets/demo/study.toml --out out/demo-backtest --format csv"
)]
pub struct BacktestArgs {
    /// Study file (TOML) with an optional [backtest] table (defaults when absent).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Output folder (default: [backtest] out, else <study out>/backtest).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Output formats, comma-separated (default: the study's `formats`).
    #[arg(long, value_enum, value_delimiter = ',', ignore_case = true)]
    pub format: Option<Vec<FormatArg>>,
    /// Write only the report and small CSV summaries (for committed exports such as
    /// notebooks-export/china-ai-chips-backtest): see [`evstudy::report::write_backtest_export`].
    #[arg(long)]
    pub export: bool,
}

/// Run the command: the study and the backtest run inside the output folder's
/// [`evstudy::output::write_folder`], so its lock is held from the start and the folder receives one complete
/// run (tables, `run.json` and report together).
pub fn run(args: BacktestArgs) -> anyhow::Result<i32> {
    let cfg = StudyConfig::from_toml_file(&args.config)?;
    let design = Design::from_file(&cfg)?;
    let bt_design = BacktestDesign::from_file(&cfg)?;
    let formats: Vec<OutputFormat> = match &args.format {
        Some(list) => list.iter().map(|&f| f.into()).collect(),
        None => design.formats.clone(),
    };
    let out_dir = args.out.clone().or(bt_design.out).unwrap_or_else(|| {
        design
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("out/study"))
            .join(defaults::BACKTEST_SUBDIR)
    });
    let inputs = input_paths(&design, Some(&args.config));
    let options = run_options(&inputs, args.export);
    let line = run_in_folder(&out_dir, &options, |staging| {
        backtest_into(&args, &cfg, &design.title, &formats, &out_dir, staging)
    })?;
    say!("{line}");
    Ok(0)
}

/// Runs the study and the backtest and writes their files into `staging` (to become
/// `out_dir`); returns the summary line.
fn backtest_into(
    args: &BacktestArgs,
    cfg: &StudyConfig,
    title: &str,
    formats: &[OutputFormat],
    out_dir: &Path,
    staging: &Path,
) -> anyhow::Result<String> {
    let progress = crate::stderr_is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message("running study and backtest…");
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    });
    let result = run_backtest(cfg)?;
    let info = backtest_report_info(cfg, &result.notes);
    let (bt, study) = (&result.tables, &result.study.tables);
    if args.export {
        if let Some(pb) = &progress {
            pb.finish_and_clear();
        }
        let files = write_backtest_export(staging, bt, study, &info, title)?;
        return Ok(format!(
            "{title}: export of {} files written to {}",
            files.len(),
            out_dir.display()
        ));
    }
    let written = write_outputs(staging, bt, formats, &run_json(cfg, &result))
        .with_context(|| format!("writing outputs to {}", out_dir.display()))?;
    let report = render_backtest_report(bt, study, &info, title);
    write_report(staging, &report)?;
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let net = |m: PerfMetric| {
        bt.metrics
            .iter()
            .find(|r| r.basis == ReturnBasis::Net && r.metric == m)
            .and_then(|r| r.value)
            .map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"))
    };
    Ok(format!(
        "{title}: {} positions, {} pairs not traded; net total return {}, net Sharpe {}; {} files written to {} (report: {})",
        bt.trades.len(),
        bt.exclusions.len(),
        net(PerfMetric::TotalReturn),
        net(PerfMetric::Sharpe),
        written.len(),
        out_dir.display(),
        out_dir.join("report.html").display()
    ))
}

/// `run.json` of a backtest: version, configuration as resolved, counts and the run's notes.
fn run_json(cfg: &StudyConfig, r: &BacktestRun) -> serde_json::Value {
    let mut by_reason: std::collections::BTreeMap<&str, usize> = Default::default();
    for x in &r.tables.exclusions {
        *by_reason.entry(x.reason.as_str()).or_default() += 1;
    }
    serde_json::json!({
        "evstudy_version": env!("CARGO_PKG_VERSION"),
        "command": "backtest",
        "config": cfg,
        "counts": {
            "pairs_in_study": r.study.summary.pairs_total,
            "pairs_analysed_by_study": r.study.summary.pairs_analysed,
            "positions": r.tables.trades.len(),
            "not_traded_by_reason": by_reason,
            "portfolio_days": r.tables.daily.len(),
        },
        "notes": r.notes,
    })
}
