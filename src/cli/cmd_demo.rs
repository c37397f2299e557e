//! `evstudy demo` — generate the synthetic demo panel.
//!
//! ```text
//! Usage:
//!   evstudy demo [--out datasets/demo] [--events datasets/events/china_ai_chips.csv] [--seed N]
//! ```
//!
//! Writes simulated prices (clearly synthetic; see `evstudy::demo` for the model and the
//! injected effects) for the case-study tickers on their exchange calendars. The same seed
//! gives byte-identical files; the committed panel uses the default seed.

use std::path::PathBuf;

/// Arguments of `evstudy demo`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  evstudy demo --out datasets/demo")]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, short, default_value = "datasets/demo")]
    pub out: PathBuf,
    /// Event calendar whose events get injected effects.
    #[arg(long, default_value = "datasets/events/china_ai_chips.csv")]
    pub events: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = crate::demo::DEMO_SEED)]
    pub seed: u64,
}

/// Run the command.
pub fn run(args: DemoArgs) -> anyhow::Result<i32> {
    crate::demo::generate_demo(&args.out, &args.events, args.seed)?;
    println!("synthetic demo panel written to {}", args.out.display());
    Ok(0)
}
