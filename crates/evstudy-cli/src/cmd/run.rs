//! `evstudy run` — the full study, from a study file or from the quick flags
//! ([`crate::quick::QuickArgs`]). The usage is `evstudy run --help`.
//!
//! Without a study file, a security's calendar is the market's dates and day 0 is the first
//! of them on or after the event date (16:00 close in the event's own time zone).

use crate::quick::{load_config, FormatArg, QuickArgs};
use anyhow::Context;
use evstudy::design::Design;
use evstudy::output::{write_outputs, OutputFormat};
use evstudy::report::{render_report, write_report};
use evstudy::study::Study;
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
    /// Output formats, comma-separated (default: the study's `formats`, else csv,parquet).
    #[arg(long, value_enum, value_delimiter = ',', ignore_case = true)]
    pub format: Option<Vec<FormatArg>>,
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

/// Run the command.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let cfg = load_config(&args.config, &args.quick)?;
    let design = Design::from_file(&cfg)?;
    let formats: Vec<OutputFormat> = match &args.format {
        Some(list) => list.iter().map(|&f| f.into()).collect(),
        None => design.formats.clone(),
    };
    let out_dir = args
        .out
        .clone()
        .or_else(|| design.out.clone())
        .unwrap_or_else(|| PathBuf::from("out/study"));
    let progress = crate::stderr_is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message("running study…");
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    });
    let title = design.title.clone();
    let study = Study::new(cfg);
    let output = study.run()?;
    for w in &output.summary.warnings {
        eprintln!("warning: {w}");
    }
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
