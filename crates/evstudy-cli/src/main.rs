//! The `evstudy` binary: parses the command line and dispatches to one module per command
//! (`cmd/*.rs`). The usage text is clap's help, generated from the argument structs
//! (`evstudy <command> --help`), so it cannot drift from the parser. All the work is done by
//! the `evstudy` library; this crate only turns flags into library calls and results into
//! files, lines and exit codes.

/// Prints one line to standard output through [`say`] and returns its error with `?`.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::say(format_args!($($arg)*))?
    };
}

mod cmd;
mod quick;

use cmd::backtest as cmd_backtest;
use cmd::{demo as cmd_demo, events as cmd_events, report as cmd_report, run as cmd_run};
use cmd::{merge as cmd_merge, simulate as cmd_simulate, validate as cmd_validate};

use clap::{Parser, Subcommand};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Combine the partial results of `run --partition i/K` into the outputs of one run.
    Merge(cmd_merge::MergeArgs),
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

/// Transparent huge pages off for this process (Linux). mimalloc hands freed memory back to
/// the system, and each huge page faulted in again is 2 MB cleared at once: measured in
/// `docs/performance.md`, "Allocator and rank-test memory".
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc (v3) with its default settings: freed memory goes back to the system a second
/// after it is freed (`docs/performance.md`, "Allocator and rank-test memory").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    no_huge_pages();
    quiet_stdout_panics();
    let mut code = main_entry();
    if code == 0 {
        if let Err(e) = finish_stdout() {
            report_error(&format!("{e:#}"));
            code = 1;
        }
    }
    std::process::exit(code);
}

/// Set once standard output is found closed by its reader: the rest of the output is dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Prints one line to standard output.
///
/// A closed standard output (`evstudy events … | head -1`: the reader has gone) silences the
/// rest of the output and the command carries on, so its files are still written and it
/// exits 0, as Unix tools end quietly on a closed pipe. (SIGPIPE is left ignored, as Rust
/// sets it: dying of the signal mid-command would skip the files and exit 141.) Any other
/// write error, such as a full device, is returned: exit 1 with one line.
pub(crate) fn say(args: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| out.write_all(b"\n"));
    stdout_result(written)
}

/// Flushes standard output at the end of a command (see [`say`]).
fn finish_stdout() -> anyhow::Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    stdout_result(std::io::stdout().lock().flush())
}

/// A write to standard output: ok, closed by the reader (ok, output dropped) or an error.
fn stdout_result(written: std::io::Result<()>) -> anyhow::Result<()> {
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!("writing to standard output: {e}")),
    }
}

/// The panic message of `println!` when standard output cannot be written.
const PRINT_PANIC: &str = "failed printing to stdout";

/// Keeps the panic hook from printing a `println!` failure on standard output (a closed or
/// full stdout is not a bug; [`main_entry`] turns it into exit 0 or 1). Commands print
/// through [`say`]; this covers any `println!` left elsewhere.
fn quiet_stdout_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if panic_text(info.payload()).is_some_and(|m| m.starts_with(PRINT_PANIC)) {
            return;
        }
        default_hook(info);
    }));
}

/// The text of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
}

/// Prints an error line to stderr; a stderr that cannot be written is ignored (the exit code
/// still tells).
fn report_error(message: &str) {
    let _ = writeln!(std::io::stderr(), "error: {message}");
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
        Command::Merge(a) => cmd_merge::run(a),
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
            report_error(&format!("{e:#}"));
            1
        }
        Err(payload) => {
            match panic_text(payload.as_ref()) {
                // A `println!` outside `say`: closed stdout (EPIPE) is success, anything else exit 1.
                Some(m) if m.starts_with(PRINT_PANIC) => {
                    if m.contains("os error 32") {
                        0
                    } else {
                        let error = &m[PRINT_PANIC.len()..];
                        report_error(&format!("writing to standard output{error}"));
                        1
                    }
                }
                _ => {
                    report_error("internal error (this is a bug in evstudy; please report it with the inputs)");
                    2
                }
            }
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
