//! `evstudy events` — the day-0 mapping of every event–security pair. The usage is
//! `evstudy events --help`.
//!
//! Prints a table (event, security, exchange, event instant in UTC and local time, day 0,
//! shift in calendar days and in sessions, status) and writes it as CSV
//! (default `<out>/day0_mapping.csv`).

use crate::quick::{load_config, QuickArgs};
use anyhow::Context;
use evstudy::output::{day0_csv, write_atomic};
use evstudy::study::Study;
use std::path::PathBuf;

/// Arguments of `evstudy events`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evstudy events --config datasets/china-ai-chips/study.toml\n  evstudy events --config datasets/demo/study.toml --out day0.csv"
)]
pub struct EventsArgs {
    /// Study file (TOML).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub quick: QuickArgs,
    /// CSV file to write (default: <study out>/day0_mapping.csv).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

/// Run the command.
pub fn run(args: EventsArgs) -> anyhow::Result<i32> {
    let cfg = load_config(&args.config, &args.quick)?;
    let target = args.out.clone().unwrap_or_else(|| {
        cfg.out
            .clone()
            .unwrap_or_else(|| PathBuf::from("out/study"))
            .join("day0_mapping.csv")
    });
    let out = Study::new(cfg).run()?;
    let rows = &out.tables.day0;
    println!(
        "{:<8} {:<11} {:<6} {:<18} {:<17} {:<10} {:>5} {:>5}  status",
        "event", "security", "exch", "instant (UTC)", "instant (local)", "day 0", "shift", "sess"
    );
    for r in rows {
        println!(
            "{:<8} {:<11} {:<6} {:<18} {:<17} {:<10} {:>5} {:>5}  {}",
            r.event_id,
            r.security,
            r.exchange,
            r.event_instant_utc,
            r.event_instant_local,
            r.day0.map(|d| d.to_string()).unwrap_or_default(),
            r.shift_days.map(|d| d.to_string()).unwrap_or_default(),
            r.shift_sessions.map(|d| d.to_string()).unwrap_or_default(),
            r.status
        );
    }
    let mut clusters: std::collections::BTreeMap<chrono::NaiveDate, usize> = Default::default();
    for r in rows.iter().filter(|r| r.status == "ok") {
        if let Some(d) = r.day0 {
            *clusters.entry(d).or_default() += 1;
        }
    }
    let shared: Vec<String> = clusters
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(d, n)| format!("{d} ({n})"))
        .collect();
    println!(
        "same-date clusters (day 0 shared by several pairs): {}",
        if shared.is_empty() {
            "none".into()
        } else {
            shared.join(", ")
        }
    );
    if let Some(parent) = target.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    write_atomic(&target, day0_csv(rows).as_bytes())?;
    println!("written: {}", target.display());
    Ok(0)
}
