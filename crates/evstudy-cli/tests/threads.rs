//! The same study gives the same bytes at any thread count.
//!
//! A study of a few thousand events on the synthetic benchmark panel runs through the real
//! binary with `RAYON_NUM_THREADS` and `POLARS_MAX_THREADS` = 1, 2 and 4; every output file (the
//! tables in CSV and Parquet, the figures, the report and `run.json`) must be byte-identical.
//! Enough events per group that the parallel passes split their work (the rank pass, the
//! engine's chunks, the same-date clusters of r̄), so a reduction whose order followed the
//! thread count would show up as a difference in the last digits. The simulation runs its
//! replications in parallel, each with a battery of 600 pairs.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Runs the binary with `threads` threads in both pools (rayon's and polars', as on a machine
/// with that many cores); panics with stderr on a non-zero exit.
fn evstudy(threads: usize, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_evstudy"))
        .env("RAYON_NUM_THREADS", threads.to_string())
        .env("POLARS_MAX_THREADS", threads.to_string())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "evstudy {args:?} at {threads} threads: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file of `dir` (no subfolders are written) by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Asserts that the folders `name_1`, `name_2`, `name_4` hold the same files with the same
/// bytes, and that `expected` is among them.
fn assert_same_bytes(root: &Path, name: &str, expected: &str) {
    let one = files(&root.join(format!("{name}_1")));
    assert!(one.contains_key(expected), "{name}: no {expected}");
    for threads in [2, 4] {
        let other = files(&root.join(format!("{name}_{threads}")));
        assert_eq!(
            one.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>(),
            "{name}: file list at 1 and {threads} threads"
        );
        for (file, bytes) in &one {
            assert!(
                *bytes == other[file],
                "{name}: {file} differs between 1 and {threads} threads"
            );
        }
    }
}

#[test]
fn study_outputs_are_identical_at_1_2_and_4_threads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let panel = root.join("panel");
    let panel_s = panel.display().to_string();
    evstudy(
        1,
        &[
            "demo",
            "--out",
            &panel_s,
            "--bench-securities",
            "300",
            "--bench-days",
            "700",
            "--bench-events",
            "3000",
        ],
    );
    let config = panel.join("study.toml").display().to_string();
    for threads in [1, 2, 4] {
        let out = root.join(format!("study_{threads}")).display().to_string();
        evstudy(threads, &["run", "--config", &config, "--out", &out]);
    }
    assert_same_bytes(root, "study", "run.json");
}

#[test]
fn simulation_outputs_are_identical_at_1_2_and_4_threads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for threads in [1, 2, 4] {
        let out = root.join(format!("sim_{threads}")).display().to_string();
        let args = [
            "simulate",
            "--replications",
            "6",
            "--pairs",
            "600",
            "--out",
            &out,
        ];
        evstudy(threads, &args);
    }
    assert_same_bytes(root, "sim", "simulation.csv");
}
