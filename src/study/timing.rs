//! The wall time and peak memory of each phase of a run (for `--timings`; never written to
//! `run.json`, so outputs stay deterministic).

/// One phase of a run: its wall time and the process's peak resident memory at its end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseTiming {
    /// Phase name (`load`, `calendars_and_returns`, `day0`, `compute`, …).
    pub phase: &'static str,
    /// Wall time of the phase in seconds.
    pub seconds: f64,
    /// Peak resident memory of the process so far, in KiB (`VmHWM`; `None` off Linux).
    pub peak_kib: Option<u64>,
}

/// The process's peak resident memory so far in KiB: `VmHWM` of `/proc/self/status` (Linux;
/// `None` elsewhere or when it cannot be read).
///
/// # Examples
/// ```
/// let peak = evstudy::study::peak_memory_kib();
/// if cfg!(target_os = "linux") {
///     assert!(peak.unwrap() > 0);
/// }
/// ```
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
