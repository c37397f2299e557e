//! `evstudy demo` — generate the synthetic demo panel. The usage is `evstudy demo --help`.
//!
//! Writes simulated prices (clearly synthetic; see `evstudy::demo` for the model and the
//! injected effects) for the case-study tickers on their exchange calendars. The same seed
//! gives byte-identical files; the committed panel uses the default seed.

use evstudy::output::{write_folder, FolderOptions, Previous};
use std::path::PathBuf;

/// Arguments of `evstudy demo`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evstudy demo --out datasets/demo\n  evstudy demo --out out/bench-panel --bench-securities 5000"
)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, short, default_value = "datasets/demo")]
    pub out: PathBuf,
    /// Event calendar whose events get injected effects.
    #[arg(long, default_value = "datasets/events/china_ai_chips.csv")]
    pub events: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = evstudy::demo::DEMO_SEED)]
    pub seed: u64,
    /// Instead of the case-study demo, write a large synthetic benchmark panel with this many
    /// securities (Parquet prices, events and study.toml; see `evstudy::demo::write_benchmark_panel`).
    #[arg(long)]
    pub bench_securities: Option<usize>,
    /// Days of the benchmark panel.
    #[arg(long, default_value_t = 2520)]
    pub bench_days: usize,
    /// Events of the benchmark panel.
    #[arg(long, default_value_t = 50_000)]
    pub bench_events: usize,
}

/// Run the command. The panel is written as one complete folder
/// ([`evstudy::output::write_folder`]); files of the folder the command does not make (the
/// README and study file of `datasets/demo`) are kept.
pub fn run(args: DemoArgs) -> anyhow::Result<i32> {
    let inputs = if args.bench_securities.is_some() {
        Vec::new()
    } else {
        vec![args.events.clone()]
    };
    let options = FolderOptions {
        inputs: &inputs,
        previous: Previous::Keep(&|_| false),
    };
    write_folder(&args.out, &options, |staging| match args.bench_securities {
        Some(n) => evstudy::demo::write_benchmark_panel(
            staging,
            n,
            args.bench_days,
            args.bench_events,
            args.seed,
        ),
        None => evstudy::demo::generate_demo(staging, &args.events, args.seed),
    })?;
    match args.bench_securities {
        Some(n) => say!(
            "synthetic benchmark panel ({n} securities × {} days, {} events) written to {}",
            args.bench_days,
            args.bench_events,
            args.out.display()
        ),
        None => say!("synthetic demo panel written to {}", args.out.display()),
    }
    Ok(0)
}
