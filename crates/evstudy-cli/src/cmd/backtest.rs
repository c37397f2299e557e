//! `evstudy backtest` — trade the study's events (the `[backtest]` table of the study file)
//! and write the `bt_*` tables. The usage is `evstudy backtest --help`.

use crate::quick::FormatArg;
use anyhow::Context;
use evstudy::backtest::{run_backtest, BacktestRun, PerfMetric, ReturnBasis};
use evstudy::design::{defaults, Design};
use evstudy::output::{write_outputs, OutputFormat};
use evstudy::report::{
    backtest_report_info, render_backtest_report, write_backtest_export, write_report,
};
use evstudy::study::StudyConfig;
use std::path::PathBuf;

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

/// Run the command.
pub fn run(args: BacktestArgs) -> anyhow::Result<i32> {
    let cfg = StudyConfig::from_toml_file(&args.config)?;
    let design = Design::from_file(&cfg)?;
    let formats: Vec<OutputFormat> = match &args.format {
        Some(list) => list.iter().map(|&f| f.into()).collect(),
        None => design.formats.clone(),
    };
    let progress = crate::stderr_is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message("running study and backtest…");
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    });
    let result = run_backtest(&cfg)?;
    let out_dir = args
        .out
        .clone()
        .or_else(|| result.design.out.clone())
        .unwrap_or_else(|| {
            design
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from("out/study"))
                .join(defaults::BACKTEST_SUBDIR)
        });
    let info = backtest_report_info(&cfg, &result.notes);
    let (bt, study) = (&result.tables, &result.study.tables);
    if args.export {
        if let Some(pb) = &progress {
            pb.finish_and_clear();
        }
        let files = write_backtest_export(&out_dir, bt, study, &info, &design.title)?;
        println!(
            "{}: export of {} files written to {}",
            design.title,
            files.len(),
            out_dir.display()
        );
        return Ok(0);
    }
    let written = write_outputs(&out_dir, &result.tables, &formats, &run_json(&cfg, &result))
        .with_context(|| format!("writing outputs to {}", out_dir.display()))?;
    let report = render_backtest_report(bt, study, &info, &design.title);
    write_report(&out_dir, &report)?;
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let t = &result.tables;
    let net = |m: PerfMetric| {
        t.metrics
            .iter()
            .find(|r| r.basis == ReturnBasis::Net && r.metric == m)
            .and_then(|r| r.value)
            .map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"))
    };
    println!(
        "{}: {} positions, {} pairs not traded; net total return {}, net Sharpe {}; {} files written to {}",
        design.title,
        t.trades.len(),
        t.exclusions.len(),
        net(PerfMetric::TotalReturn),
        net(PerfMetric::Sharpe),
        written.len(),
        out_dir.display()
    );
    Ok(0)
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
