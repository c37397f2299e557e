//! `evstudy validate` — check inputs and configuration, list every problem. The usage is
//! `evstudy validate --help`.
//!
//! Reads every input, builds calendars and maps day 0, without writing anything. Prints each
//! problem on its own line (errors first, then exclusions that a run would report) and exits
//! 1 if any error was found.

use crate::quick::{load_config, QuickArgs};
use evstudy::design::{BacktestDesign, Design};
use evstudy::study::Study;
use std::path::PathBuf;

/// Arguments of `evstudy validate`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evstudy validate --config datasets/china-ai-chips/study.toml\n  evstudy validate --prices prices.csv --events events.csv --market ^GSPC"
)]
pub struct ValidateArgs {
    /// Study file (TOML).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub quick: QuickArgs,
}

/// Run the command.
pub fn run(args: ValidateArgs) -> anyhow::Result<i32> {
    let mut problems: Vec<String> = Vec::new();
    let cfg = match load_config(&args.config, &args.quick) {
        Ok(c) => c,
        Err(e) => {
            println!("error: {e:#}");
            return Ok(1);
        }
    };
    if let Err(e) = Design::from_file(&cfg) {
        problems.push(format!("error: {e}"));
    }
    if cfg.backtest.is_some() {
        if let Err(e) = BacktestDesign::from_file(&cfg) {
            problems.push(format!("error: {e}"));
        }
    }
    // Every input file on its own, so that all broken files are listed, not just the first.
    for src in &cfg.prices {
        if let Err(e) = evstudy::data::read_prices(src) {
            problems.push(format!("error: {e}"));
        }
    }
    if let Some(f) = &cfg.factors {
        if let Err(e) = evstudy::data::read_factors(f) {
            problems.push(format!("error: {e}"));
        }
    }
    if let Some(ev) = &cfg.events {
        if let Err(e) = evstudy::calendar::read_events(ev) {
            problems.push(format!("error: {e}"));
        }
    }
    if problems.is_empty() {
        match Study::new(cfg).run() {
            Ok(out) => {
                for w in &out.summary.warnings {
                    println!("warning: {w}");
                }
                for x in &out.tables.exclusions {
                    println!(
                        "exclusion: {} {} [{}] {}: {}",
                        if x.event_id.is_empty() {
                            "-"
                        } else {
                            &x.event_id
                        },
                        x.security,
                        x.stage.as_str(),
                        x.reason,
                        x.detail
                    );
                }
                println!(
                    "ok: {} pairs, {} analysed, {} exclusion row(s)",
                    out.summary.pairs_total,
                    out.summary.pairs_analysed,
                    out.tables.exclusions.len()
                );
                return Ok(0);
            }
            Err(e) => problems.push(format!("error: {e}")),
        }
    }
    for p in &problems {
        println!("{p}");
    }
    println!("{} problem(s) found", problems.len());
    Ok(1)
}
