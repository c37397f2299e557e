//! The `evstudy` command line: one file per command.

/// Entry point of the binary; returns the process exit code.
pub fn main_entry() -> i32 {
    0
}
