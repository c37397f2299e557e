//! Support shared by the command-line tests: the built binary as a subprocess.

use std::process::Command;

/// Runs the `evstudy` binary with `args`; returns (exit code, −1 when ended by a signal;
/// stdout; stderr).
pub fn evstudy(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_evstudy"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}
