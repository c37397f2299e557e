//! `evstudy run` — the full study, from a study file or from the quick flags
//! ([`crate::quick::QuickArgs`]). The usage is `evstudy run --help`.
//!
//! Without a study file, a security's calendar is the market's dates and day 0 is the first
//! of them on or after the event date (16:00 close in the event's own time zone).

use crate::cmd::folder::{run_in_folder, run_options};
use crate::quick::{load_config, FormatArg, QuickArgs};
use anyhow::Context;
use evstudy::design::{Design, Holidays};
use evstudy::output::{write_latex, write_outputs, OutputFormat};
use evstudy::report::{render_report, write_export, write_report};
use evstudy::study::{
    peak_memory_kib, run_partition, AbnormalReturnRows, Partition, PhaseTiming, Study, StudyOutput,
};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    #[command(flatten)]
    pub output: OutputArgs,
    /// Write only the report and small CSV summaries (for committed exports such as
    /// notebooks-export/china-ai-chips): see [`evstudy::report::write_export`].
    #[arg(long)]
    pub export: bool,
    /// Compute only partition i of K of the securities and write a partial-result folder
    /// (default output: the study's folder with `-part-i-of-K`); `evstudy merge` combines the
    /// K folders into the outputs of the whole run (docs/scale.md).
    #[arg(long, value_name = "i/K", value_parser = parse_partition,
          conflicts_with_all = ["export", "format", "no_report"])]
    pub partition: Option<Partition>,
}

/// The output formats (`--format`, else the study's) and folder (`--out`, else the study's
/// `out`, else out/study).
pub(crate) fn formats_and_folder(
    design: &Design,
    format: &Option<Vec<FormatArg>>,
    out: &Option<PathBuf>,
) -> (Vec<OutputFormat>, PathBuf) {
    let formats = match format {
        Some(list) => list.iter().map(|&f| f.into()).collect(),
        None => design.formats.clone(),
    };
    let out_dir = out
        .clone()
        .or_else(|| design.out.clone())
        .unwrap_or_else(|| PathBuf::from("out/study"));
    (formats, out_dir)
}

/// `--partition` at the boundary: `i/K` with 1 ≤ i ≤ K.
fn parse_partition(text: &str) -> Result<Partition, String> {
    text.parse()
        .map_err(|_| format!("--partition must be i/K with 1 ≤ i ≤ K, got {text:?}"))
}

/// The output options of the commands that write a study's tables (`run`, `merge`).
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output formats, comma-separated (default: the study's `formats`, else csv,parquet).
    #[arg(long, value_enum, value_delimiter = ',', ignore_case = true)]
    pub format: Option<Vec<FormatArg>>,
    /// Do not write the report.
    #[arg(long)]
    pub no_report: bool,
    /// Print the wall time of each phase to stderr, and the peak memory (Linux).
    #[arg(long)]
    pub timings: bool,
}

impl OutputArgs {
    /// What to write besides the tables (`export`: the committed-export layout).
    pub(crate) fn flags(&self, export: bool) -> WriteFlags {
        WriteFlags {
            no_report: self.no_report,
            timings: self.timings,
            export,
        }
    }
}

/// What a command writes besides the tables.
pub(crate) struct WriteFlags {
    /// No report.
    pub no_report: bool,
    /// Phase timings and peak memory on stderr.
    pub timings: bool,
    /// The committed-export layout.
    pub export: bool,
}

/// Run the command: the whole study runs inside the output folder's [`evstudy::output::write_folder`], so its
/// lock is held from the start (a second run into the same folder fails at once) and the
/// folder receives one complete run.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let cfg = load_config(&args.config, &args.quick)?;
    let design = Design::from_file(&cfg)?;
    let (formats, out_dir) = formats_and_folder(&design, &args.output.format, &args.out);
    let inputs = input_paths(&design, args.config.as_deref());
    let options = run_options(&inputs, args.export);
    if let Some(partition) = args.partition {
        let dir = args.out.clone().unwrap_or_else(|| {
            let (i, k) = (partition.index(), partition.count());
            PathBuf::from(format!("{}-part-{i}-of-{k}", out_dir.display()))
        });
        let line = run_in_folder(&dir, &options, |staging| {
            let part = run_partition(&cfg, partition)?;
            let t_write = std::time::Instant::now();
            part.write(staging)?;
            if args.output.timings {
                let mut lines = part.timings.clone();
                lines.push(PhaseTiming {
                    phase: "write_partial",
                    seconds: t_write.elapsed().as_secs_f64(),
                    peak_kib: peak_memory_kib(),
                });
                print_timings(&lines);
            }
            let m = &part.manifest;
            Ok(format!(
                "{}: partition {partition}: {} of {} pairs computed ({} analysed); partial \
                 results written to {}",
                design.title,
                m.jobs,
                m.jobs_total,
                m.pairs_analysed,
                dir.display()
            ))
        })?;
        say!("{line}");
        return Ok(0);
    }
    let line = run_in_folder(&out_dir, &options, |staging| {
        run_into(&args, cfg, &design.title, &formats, &out_dir, staging)
    })?;
    say!("{line}");
    Ok(0)
}

/// Runs the study and writes its files into `staging` (to become `out_dir`); returns the
/// summary line.
fn run_into(
    args: &RunArgs,
    cfg: evstudy::study::StudyConfig,
    title: &str,
    formats: &[OutputFormat],
    out_dir: &Path,
    staging: &Path,
) -> anyhow::Result<String> {
    let progress = spinner("running study…");
    let output = Study::new(cfg).run_with(AbnormalReturnRows::Made)?;
    let flags = args.output.flags(args.export);
    let line = write_study(&flags, &output, title, formats, out_dir, staging, progress);
    // The process ends once the folder is swapped in: the system takes the study's memory
    // back at exit at once, while freeing it piece by piece takes 0.1 s at 500,000 events.
    std::mem::forget(output);
    line
}

/// A spinner on stderr showing `message` (a terminal only).
pub(crate) fn spinner(message: &'static str) -> Option<indicatif::ProgressBar> {
    crate::stderr_is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message(message);
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    })
}

/// Writes a study's tables, LaTeX tables, report and `run.json` into `staging` (to become
/// `out_dir`); returns the summary line.
pub(crate) fn write_study(
    args: &WriteFlags,
    output: &StudyOutput,
    title: &str,
    formats: &[OutputFormat],
    out_dir: &Path,
    staging: &Path,
    progress: Option<indicatif::ProgressBar>,
) -> anyhow::Result<String> {
    for w in &output.summary.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(pb) = &progress {
        pb.set_message("writing outputs…");
    }
    if args.export {
        let files = write_export(staging, &output.tables, &output.run_info, title)?;
        return Ok(format!(
            "{title}: export of {} files written to {}",
            files.len(),
            out_dir.display()
        ));
    }
    let t_write = std::time::Instant::now();
    let mut written = write_outputs(staging, &output.tables, formats, &output.run_info)
        .with_context(|| format!("writing outputs to {}", out_dir.display()))?;
    written.extend(
        write_latex(staging, &output.tables)
            .with_context(|| format!("writing LaTeX tables to {}", out_dir.display()))?,
    );
    let write_s = t_write.elapsed().as_secs_f64();
    let t_report = std::time::Instant::now();
    let mut n_files = written.len();
    if !args.no_report {
        // The report states how many table files this run wrote.
        let mut info = output.run_info.clone();
        if let Some(map) = info.as_object_mut() {
            map.insert("files_written".to_string(), written.len().into());
        }
        let report = render_report(&output.tables, &info, title);
        write_report(staging, &report)?;
        n_files += 2 + report.svgs.len();
    }
    if args.timings {
        let mut lines = output.summary.timings.clone();
        lines.push(PhaseTiming {
            phase: "write_tables",
            seconds: write_s,
            peak_kib: peak_memory_kib(),
        });
        lines.push(PhaseTiming {
            phase: "report",
            seconds: t_report.elapsed().as_secs_f64(),
            peak_kib: peak_memory_kib(),
        });
        print_timings(&lines);
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    Ok(format!(
        "{}: {} pairs analysed of {}, {} exclusion row(s); {} files written to {}{}",
        title,
        output.summary.pairs_analysed,
        output.summary.pairs_total,
        output.tables.exclusions.len(),
        n_files,
        out_dir.display(),
        if args.no_report {
            String::new()
        } else {
            format!(" (report: {})", out_dir.join("report.html").display())
        }
    ))
}

/// Every input file of a study (prices, factors, events, securities, holidays, the study file
/// itself): an output may neither be nor contain one of them.
pub(crate) fn input_paths(design: &Design, study_file: Option<&Path>) -> Vec<PathBuf> {
    let inputs = &design.inputs;
    let mut paths: Vec<PathBuf> = inputs.prices.iter().map(|p| p.path.clone()).collect();
    paths.extend(inputs.factors.iter().map(|f| f.path.clone()));
    paths.push(inputs.events.clone());
    paths.extend(inputs.securities_file.clone());
    if let Holidays::File(path) = &design.holidays {
        paths.push(path.clone());
    }
    paths.extend(study_file.map(Path::to_path_buf));
    paths
}

/// Prints the wall time of each phase, the peak memory at its end, and the run's peak
/// memory to standard error.
fn print_timings(lines: &[PhaseTiming]) {
    let mut err = std::io::stderr().lock();
    for t in lines {
        let peak = t
            .peak_kib
            .map(|k| format!("   peak {:>6.0} MB", k as f64 / 1024.0))
            .unwrap_or_default();
        let _ = writeln!(err, "timing {:<22} {:>9.3} s{peak}", t.phase, t.seconds);
    }
    if let Some(kib) = peak_memory_kib() {
        let _ = writeln!(err, "peak memory {:>24.0} MB", kib as f64 / 1024.0);
    }
}
