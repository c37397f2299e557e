//! `evstudy report` — render the report from an output folder. The usage is
//! `evstudy report --help`.
//!
//! Reads the CSV tables and `run.json` that `evstudy run` wrote and writes `report.md`,
//! `report.html` and the SVG charts (to `--out`, default the same folder).

use anyhow::Context;
use evstudy::output::{read_csv_tables, write_folder, FolderOptions, Previous};
use evstudy::report::{is_report_file, render_report, write_report};
use std::path::PathBuf;

/// Arguments of `evstudy report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  evstudy report --from out/demo --out out/demo-report")]
pub struct ReportArgs {
    /// Output folder of `evstudy run`.
    #[arg(long)]
    pub from: PathBuf,
    /// Where to write the report (default: the same folder).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Report title (default: from run.json).
    #[arg(long)]
    pub title: Option<String>,
}

/// Run the command. With `--out` the folder `--from` (which must not be inside it) is only
/// read; without it the report of `--from` is replaced in place, the tables kept.
pub fn run(args: ReportArgs) -> anyhow::Result<i32> {
    let out = args.out.clone().unwrap_or_else(|| args.from.clone());
    let inputs = if out == args.from {
        Vec::new()
    } else {
        vec![args.from.clone()]
    };
    let options = FolderOptions {
        inputs: &inputs,
        previous: Previous::Keep(&is_report_file),
    };
    write_folder(&out, &options, |staging| -> anyhow::Result<()> {
        let tables = read_csv_tables(&args.from)?;
        let run_json_path = args.from.join("run.json");
        let mut run_info: serde_json::Value = match std::fs::read_to_string(&run_json_path) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("{}: not valid JSON", run_json_path.display()))?,
            Err(_) => serde_json::json!({}),
        };
        // The list of the folder's files is not part of the run's description: the report
        // shows run.json as `evstudy run` had it before writing.
        if let Some(map) = run_info.as_object_mut() {
            map.remove("files");
        }
        let title = args
            .title
            .clone()
            .or_else(|| {
                run_info
                    .pointer("/config/title")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "Event study".to_string());
        let report = render_report(&tables, &run_info, &title);
        write_report(staging, &report)?;
        Ok(())
    })?;
    say!("written: {}", out.join("report.html").display());
    Ok(0)
}
