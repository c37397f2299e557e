//! `evstudy events` — the day-0 mapping of every event–security pair. The usage is
//! `evstudy events --help`.
//!
//! Prints a table (event, security, exchange, event instant in UTC and local time, day 0,
//! shift in calendar days and in sessions, status) and writes it as CSV
//! (default `<out>/day0_mapping.csv`).

use crate::quick::{load_config, QuickArgs};
use anyhow::Context;
use evstudy::design::Design;
use evstudy::output::{
    day0_csv, refuse_inputs, write_atomic, write_folder, FolderOptions, Previous,
};
use evstudy::study::Study;
use evstudy::tables::Day0Row;
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

/// Run the command. The target may not be an input. An explicit `--out FILE` is written
/// atomically (temporary file, then rename); the default target, inside the study's output
/// folder, replaces that folder's day-0 mapping as one complete update of the folder
/// ([`evstudy::output::write_folder`]), so its `run.json` keeps listing what it holds.
pub fn run(args: EventsArgs) -> anyhow::Result<i32> {
    let cfg = load_config(&args.config, &args.quick)?;
    let design = Design::from_file(&cfg)?;
    let inputs = super::run::input_paths(&design, args.config.as_deref());
    let target = args.out.clone().unwrap_or_else(|| {
        cfg.out
            .clone()
            .unwrap_or_else(|| PathBuf::from("out/study"))
            .join("day0_mapping.csv")
    });
    refuse_inputs(&target, &inputs)?;
    let out = Study::new(cfg).run()?;
    let rows = &out.tables.day0;
    print_mapping(rows)?;
    let csv = day0_csv(rows);
    match (&args.out, target.parent()) {
        (None, Some(folder)) => {
            let options = FolderOptions {
                inputs: &inputs,
                previous: Previous::Keep(&|_| false),
            };
            write_folder(folder, &options, |staging| {
                write_atomic(&staging.join("day0_mapping.csv"), csv.as_bytes())
            })?;
        }
        _ => {
            if let Some(parent) = target.parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("creating {}", parent.display()))?;
                }
            }
            write_atomic(&target, csv.as_bytes())?;
        }
    }
    say!("written: {}", target.display());
    Ok(0)
}

/// Prints the mapping table and the same-date clusters.
fn print_mapping(rows: &[Day0Row]) -> anyhow::Result<()> {
    say!(
        "{:<8} {:<11} {:<6} {:<18} {:<17} {:<10} {:>5} {:>5}  status",
        "event",
        "security",
        "exch",
        "instant (UTC)",
        "instant (local)",
        "day 0",
        "shift",
        "sess"
    );
    for r in rows {
        say!(
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
    say!(
        "same-date clusters (day 0 shared by several pairs): {}",
        if shared.is_empty() {
            "none".into()
        } else {
            shared.join(", ")
        }
    );
    Ok(())
}
