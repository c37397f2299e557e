//! The output-folder contract through the real binary: one complete run per folder whatever
//! happens to the process (a concurrent run, a rerun with other formats, kills at random
//! moments), and the process-level behaviour of standard output (closed pipe, full device).
//!
//! A folder is checked against its `run.json` with the system's `sha256sum`, not with the
//! library's own hashing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evstudy"))
}

/// The repository root (the demo study's paths are relative to it).
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A synthetic panel big enough for a run of a second or two.
fn bench_panel(dir: &Path) -> PathBuf {
    let panel = dir.join("panel");
    let status = bin()
        .args(["demo", "--bench-securities", "300", "--bench-days", "1000"])
        .args(["--bench-events", "3000", "--out"])
        .arg(&panel)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    panel.join("study.toml")
}

fn run_cmd(config: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = bin();
    cmd.arg("run")
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out)
        .args(extra)
        .current_dir(repo())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// `sha256sum` of a file (the system's, independent of evstudy).
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Asserts that `dir` holds exactly one complete run: every file its `run.json` lists is
/// there with that size and hash, and nothing else (`run.json` aside).
fn assert_one_complete_run(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("run.json")).expect("run.json present");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let files = json["files"].as_array().expect("files list");
    let mut listed: Vec<String> = Vec::new();
    for f in files {
        let rel = f["path"].as_str().unwrap();
        let path = dir.join(rel);
        let meta = std::fs::metadata(&path).unwrap_or_else(|_| panic!("{rel} missing"));
        assert_eq!(meta.len(), f["bytes"].as_u64().unwrap(), "{rel} size");
        assert_eq!(
            sha256sum(&path),
            f["sha256"].as_str().unwrap(),
            "{rel} hash"
        );
        listed.push(rel.to_string());
    }
    listed.push("run.json".into());
    listed.sort();
    assert_eq!(names(dir), listed, "files beside the listed ones");
}

#[test]
fn two_concurrent_runs_into_one_folder_one_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let config = bench_panel(tmp.path());
    let out = tmp.path().join("out");
    let a = run_cmd(&config, &out, &[]).spawn().unwrap();
    let b = run_cmd(&config, &out, &[]).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let codes = [a.status.code(), b.status.code()];
    assert!(
        codes == [Some(0), Some(1)] || codes == [Some(1), Some(0)],
        "{codes:?}"
    );
    let loser = if a.status.success() { &b } else { &a };
    let err = String::from_utf8_lossy(&loser.stderr);
    assert!(err.contains("another evstudy run is writing"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_one_complete_run(&out);
    assert_eq!(names(tmp.path()), ["out", "panel"]);
}

#[test]
fn a_rerun_leaves_nothing_of_the_previous_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let config = repo().join("datasets/demo/study.toml");
    assert!(run_cmd(&config, &out, &[]).status().unwrap().success());
    assert!(names(&out).iter().any(|n| n.ends_with(".parquet")));
    let status = run_cmd(&config, &out, &["--format", "csv", "--no-report"])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!names(&out)
        .iter()
        .any(|n| n.ends_with(".parquet") || n.starts_with("report")));
    assert_one_complete_run(&out);
    assert_eq!(names(tmp.path()), ["out"]);
}

#[test]
fn an_output_over_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for name in ["prices.csv", "securities.csv", "study.toml"] {
        std::fs::copy(repo().join("datasets/demo").join(name), data.join(name)).unwrap();
    }
    let events = repo().join("datasets/events/china_ai_chips.csv");
    std::fs::copy(&events, data.join("events.csv")).unwrap();
    let study = std::fs::read_to_string(data.join("study.toml"))
        .unwrap()
        .replace("../events/china_ai_chips.csv", "events.csv");
    std::fs::write(data.join("study.toml"), study).unwrap();
    let before = std::fs::read(data.join("prices.csv")).unwrap();
    let config = data.join("study.toml");
    for args in [
        vec!["run", "--out", "."],
        vec!["events", "--out", "prices.csv"],
    ] {
        let out = bin()
            .args(&args)
            .arg("--config")
            .arg(&config)
            .current_dir(&data)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("input"), "{err}");
    }
    assert_eq!(std::fs::read(data.join("prices.csv")).unwrap(), before);
    assert_eq!(
        names(&data),
        ["events.csv", "prices.csv", "securities.csv", "study.toml"]
    );
}

#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("day0.csv");
    let mut child = bin()
        .args(["events", "--config", "datasets/demo/study.toml", "--out"])
        .arg(&target)
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before anything is printed: every write is a broken pipe.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    // The command still did its work.
    assert!(target.is_file());
}

#[test]
fn a_full_stdout_is_exit_1_with_one_line() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let day0 = tmp.path().join("day0.csv").display().to_string();
    let config = "datasets/demo/study.toml";
    for args in [
        vec!["events", "--config", config, "--out", day0.as_str()],
        vec!["validate", "--config", config],
    ] {
        let mut cmd = bin();
        cmd.args(&args);
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = cmd
            .current_dir(repo())
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("standard output"), "{err}");
        assert!(err.contains("No space left on device"), "{err}");
    }
}

#[test]
fn os_error_text_is_printed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "run",
            "--prices",
            "missing.csv",
            "--events",
            "missing-events.csv",
        ])
        .args(["--market", "IDX", "--out"])
        .arg(tmp.path().join("out"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("(os error 2)").count(), 1, "{err}");
}

/// A deterministic generator of kill moments (xorshift64*).
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, max: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % max
    }
}

/// Sends `signal` to the child and waits; true if the signal ended it (it was still running).
fn kill(child: &mut Child, signal: &str) -> bool {
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    status.code().is_none()
}

#[test]
fn killed_runs_never_leave_a_mixed_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let config = bench_panel(tmp.path());
    let parent = tmp.path().join("runs");
    std::fs::create_dir(&parent).unwrap();
    let out = parent.join("out");
    // One complete run first: the kills below land on a previous run, and their moments are
    // drawn within this run's duration, so most runs are cut whatever the machine's speed.
    let started = std::time::Instant::now();
    let first = run_cmd(&config, &out, &["--format", "csv"])
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let full_ms = (started.elapsed().as_millis() as u64).max(20);
    assert_one_complete_run(&out);
    let mut moments = Moments(0x5eed_2026);
    let mut killed = 0;
    for k in 0..10 {
        // The formats alternate so that a mix of two runs would show.
        let format: &[&str] = if k % 2 == 0 {
            &["--format", "csv"]
        } else {
            &["--format", "csv,parquet"]
        };
        let mut child = run_cmd(&config, &out, format).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(moments.next_ms(full_ms)));
        killed += usize::from(kill(&mut child, if k % 3 == 0 { "-TERM" } else { "-KILL" }));
        if out.exists() {
            assert_one_complete_run(&out);
        }
        // Each start cleaned what the run before it left: at most the folder, its lock file
        // and the staging folder of the last killed run.
        let left = names(&parent);
        assert!(left.len() <= 3, "{left:?}");
        assert!(
            left.iter()
                .all(|n| n == "out" || n.starts_with(".out.evstudy-")),
            "{left:?}"
        );
    }
    assert!(
        killed >= 3,
        "only {killed} runs were killed before they ended"
    );
    // The next run cleans what the killed ones left beside the folder.
    let status = run_cmd(&config, &out, &[]).status().unwrap();
    assert!(status.success());
    assert_one_complete_run(&out);
    assert_eq!(names(&parent), ["out"]);
}
