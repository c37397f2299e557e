//! `evstudy merge` — the reduce step of a partitioned run (docs/scale.md): the partial-result
//! folders of `evstudy run --partition i/K`, one per partition, combined into the outputs of
//! the whole study, the same files `evstudy run` writes.

use crate::cmd::folder::{run_in_folder, run_options};
use crate::cmd::run::{formats_and_folder, input_paths, spinner, write_study, OutputArgs};
use evstudy::design::Design;
use evstudy::study::{merge_partials, AbnormalReturnRows, StudyConfig};
use std::path::PathBuf;

/// Arguments of `evstudy merge`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  evstudy run --config study.toml --partition 1/2 --out parts/1\n  evstudy run --config study.toml --partition 2/2 --out parts/2\n  evstudy merge --config study.toml --out out/study parts/1 parts/2"
)]
pub struct MergeArgs {
    /// Study file (TOML) of the partitioned run; its inputs are read again (up to day 0).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Output folder (default: the study's `out`, else out/study).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// The partial-result folders, one per partition.
    #[arg(required = true, value_name = "PARTIAL_DIR")]
    pub partials: Vec<PathBuf>,
}

/// Run the command: the merge runs inside the output folder's write, as `run` does.
pub fn run(args: MergeArgs) -> anyhow::Result<i32> {
    let cfg = StudyConfig::from_toml_file(&args.config)?;
    let design = Design::from_file(&cfg)?;
    let (formats, out_dir) = formats_and_folder(&design, &args.output.format, &args.out);
    let mut inputs = input_paths(&design, Some(&args.config));
    inputs.extend(args.partials.iter().cloned());
    let options = run_options(&inputs, false);
    let flags = args.output.flags(false);
    let line = run_in_folder(&out_dir, &options, |staging| {
        let progress = spinner("merging partial results…");
        let output = merge_partials(&cfg, &args.partials, AbnormalReturnRows::Made)?;
        write_study(
            &flags,
            &output,
            &design.title,
            &formats,
            &out_dir,
            staging,
            progress,
        )
    })?;
    say!("{line}");
    Ok(0)
}
