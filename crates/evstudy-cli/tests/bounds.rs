//! Windows beyond the data (methodology §3.1, §11): a window longer than the longest calendar of
//! the data, or wholly beyond it, is a configuration error (exit 1, one line naming the key and
//! the data's span) raised before any work per pair, so an absurd window costs neither time nor
//! memory nor output; a window that merely runs past one pair's data is analysed as before, its
//! days after the last session reported day by day up to 60 of them and in one row beyond.

use std::path::Path;

mod common;

/// Runs the binary; (exit code, stderr).
fn evstudy(args: &[&str]) -> (i32, String) {
    let (code, _, stderr) = common::evstudy(args);
    (code, stderr)
}

/// 400 weekdays from 2023-01-02 (the last one 2024-07-12) of `IDX`, `AAA` and `BBB`.
fn prices() -> String {
    use chrono::Datelike;
    let mut s = String::from("date,ticker,close\n");
    let mut d = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    let mut n = 0usize;
    while n < 400 {
        if d.weekday().number_from_monday() <= 5 {
            let wiggle = |k: usize| 1.0 + 0.001 * ((n * k) % 13) as f64;
            s += &format!("{d},IDX,{}\n", 100.0 * wiggle(7919));
            s += &format!("{d},AAA,{}\n", 50.0 * wiggle(104_729));
            s += &format!("{d},BBB,{}\n", 20.0 * wiggle(1_299_709));
            n += 1;
        }
        d = d.succ_opt().unwrap();
    }
    s
}

/// Quick-mode run on the 400-day panel with two events and the `extra` flags.
fn run(dir: &Path, extra: &[&str]) -> (i32, String) {
    let p = dir.join("prices.csv");
    let e = dir.join("events.csv");
    std::fs::write(&p, prices()).unwrap();
    std::fs::write(
        &e,
        "event_id,ticker,date\nE1,AAA,2024-03-01\nE2,BBB,2024-07-08\n",
    )
    .unwrap();
    let (p, e) = (p.display().to_string(), e.display().to_string());
    let out = dir.join("out").display().to_string();
    let mut args = vec![
        "run", "--prices", &p, "--events", &e, "--market", "IDX", "--out", &out,
    ];
    args.extend_from_slice(extra);
    evstudy(&args)
}

/// No table was written: the error came before the output.
fn assert_no_tables(dir: &Path) {
    let out = dir.join("out");
    let tables = std::fs::read_dir(&out)
        .map(|d| d.filter(|e| e.is_ok()).count())
        .unwrap_or(0);
    assert_eq!(tables, 0, "files written to {}", out.display());
}

const SPAN: &str =
    "the longest session calendar of the data (DATA: 2023-01-02 to 2024-07-12) has 400 sessions";

/// Asserts that the run with `extra` flags exits 1 with one line that contains `expected`
/// followed by the data's span, and writes no table.
fn assert_window_error(extra: &[&str], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run(dir.path(), extra);
    assert_eq!(code, 1, "{extra:?}: {stderr}");
    assert!(
        stderr.contains(&format!("{expected}, but {SPAN}")),
        "{extra:?}: {stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert_no_tables(dir.path());
}

#[test]
fn an_event_window_longer_than_the_data_is_a_configuration_error() {
    assert_window_error(
        &["--window", "0:100000"],
        "event_windows '0:100000' spans 100001 sessions",
    );
    assert_window_error(
        &["--window", "0:1000000"],
        "event_windows '0:1000000' spans 1000001 sessions",
    );
}

#[test]
fn a_window_wholly_beyond_the_data_is_a_configuration_error() {
    assert_window_error(
        &["--window", "-1:1", "--window", "400:410"],
        "event_windows '400:410' starts 400 sessions after day 0",
    );
}

#[test]
fn an_estimation_window_longer_than_the_data_is_a_configuration_error() {
    assert_window_error(
        &["--estimation", "-100000:-11"],
        "estimation_window '-100000:-11' spans 99990 sessions",
    );
}

#[test]
fn a_window_that_runs_past_one_pairs_data_is_analysed() {
    // E2 is four sessions before the data end: its window 0:20 is incomplete, E1's is complete
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run(dir.path(), &["--window", "0:20"]);
    assert_eq!(code, 0, "{stderr}");
    let exclusions = std::fs::read_to_string(dir.path().join("out/exclusions.csv")).unwrap();
    assert!(
        exclusions.contains("E2,BBB,car,incomplete_window,window 0:20: 5 of 21 days"),
        "{exclusions}"
    );
    assert!(!exclusions.contains("E1,"), "{exclusions}");
}

#[test]
fn days_past_the_data_share_one_row_beyond_sixty() {
    // 0:200 fits the 400-session calendar; E2's days 5..200 lie after its last session
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run(dir.path(), &["--window", "0:200"]);
    assert_eq!(code, 0, "{stderr}");
    let exclusions = std::fs::read_to_string(dir.path().join("out/exclusions.csv")).unwrap();
    let e2: Vec<&str> = exclusions
        .lines()
        .filter(|l| l.starts_with("E2,") && l.contains(",event_day,"))
        .collect();
    assert_eq!(
        e2,
        ["E2,BBB,event_day,window_beyond_data,rel_day=5..200: 196 days after the last session of the calendar"],
        "{exclusions}"
    );
}
