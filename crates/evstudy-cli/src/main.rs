//! The `evstudy` binary: parses the command line and dispatches to one module per command
//! (`cmd/*.rs`). The usage text is clap's help, generated from the argument structs
//! (`evstudy <command> --help`), so it cannot drift from the parser. All the work is done by
//! the `evstudy` library; this crate only turns flags into library calls and results into
//! files, lines and exit codes.

mod cmd;
mod quick;

use cmd::backtest as cmd_backtest;
use cmd::{demo as cmd_demo, events as cmd_events, report as cmd_report, run as cmd_run};
use cmd::{simulate as cmd_simulate, validate as cmd_validate};

use clap::{Parser, Subcommand};

/// evstudy — event studies: abnormal returns, CARs, BHARs and the standard test battery.
#[derive(Debug, Parser)]
#[command(name = "evstudy", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a full study (from a study file or from flags) and write tables and the report.
    Run(cmd_run::RunArgs),
    /// Trade the study's events ([backtest] table) and write the bt_* tables.
    Backtest(cmd_backtest::BacktestArgs),
    /// Check inputs and configuration; list every problem (exit 1 if any).
    Validate(cmd_validate::ValidateArgs),
    /// Print and write the day-0 mapping of every event–security pair.
    Events(cmd_events::EventsArgs),
    /// Render the report (Markdown + HTML + SVG) from an output folder.
    Report(cmd_report::ReportArgs),
    /// Generate the synthetic demo panel (simulated prices with known injected effects).
    Demo(cmd_demo::DemoArgs),
    /// Size and power of every test on simulated panels (Brown–Warner style).
    Simulate(cmd_simulate::SimulateArgs),
}

/// mimalloc, told to keep freed memory for reuse (see `evstudy_alloc`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    evstudy_alloc::keep_freed_memory();
    std::process::exit(main_entry());
}

/// Runs one command; returns the process exit code: 0 ok, 1 user error (one line naming
/// file, row and column), 2 internal error.
fn main_entry() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match cli.command {
        Command::Run(a) => cmd_run::run(a),
        Command::Backtest(a) => cmd_backtest::run(a),
        Command::Validate(a) => cmd_validate::run(a),
        Command::Events(a) => cmd_events::run(a),
        Command::Report(a) => cmd_report::run(a),
        Command::Demo(a) => cmd_demo::run(a),
        Command::Simulate(a) => cmd_simulate::run(a),
    }));
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e:#}");
            1
        }
        Err(_) => {
            eprintln!("error: internal error (this is a bug in evstudy; please report it with the inputs)");
            2
        }
    }
}

/// Is stderr a terminal (progress output only then)?
pub(crate) fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_lists_every_run_flag() {
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("run")
            .expect("run command")
            .render_long_help()
            .to_string();
        for flag in [
            "--config",
            "--timings",
            "--export",
            "--factor-scale",
            "--rf-col",
            "--date-col",
            "--ticker-col",
            "--price-col",
            "--format",
            "--returns",
        ] {
            assert!(help.contains(flag), "{flag} missing from:\n{help}");
        }
    }
}
