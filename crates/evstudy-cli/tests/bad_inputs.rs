//! The bad-input corpus (`tests/bad_inputs/<case>/`) run through the real binary.
//!
//! Every bad input must end in a clear error (exit code 1, one line on stderr naming the file,
//! the row and the column) or a reported exclusion (a row of `exclusions.csv`) — never a panic
//! (exit 101 or 2), a silent drop or a half-written output folder.
//!
//! # A case folder
//! * `prices.csv`, `events.csv`, `study.toml`, `factors.csv`, …: copied as they are into a
//!   fresh temporary folder. Without `prices.csv` the runner writes the standard panel
//!   ([`standard_panel`]: tickers `IDX` (benchmark), `AAA`, `BBB` on 400 weekdays from
//!   2023-01-02, one row per (date, ticker) in date then ticker order, so that the data row of
//!   day `i` and ticker `k` is file row `2 + 3i + k`). `prices.tail.csv` is appended to that
//!   standard panel (its first line is file row 1202). Without `events.csv` the runner writes
//!   [`STANDARD_EVENTS`].
//! * `args.txt` (optional): extra arguments, one per line, `{dir}` = the temporary folder.
//!   With `study.toml` the command is `run --config {dir}/study.toml --out {dir}/out`;
//!   without it, quick mode `run --prices {dir}/prices.csv --events {dir}/events.csv
//!   --market IDX --out {dir}/out`, where any of these flags given in `args.txt` replaces the
//!   default.
//! * `setup.txt` (optional): special preparations the files cannot express, one keyword a
//!   line: `prices-is-directory`, `config-is-directory`, `out-under-a-file`,
//!   `parquet-wrong-types`, `parquet-truncated`, `parquet-extra-columns`, `events-is-fifo`.
//! * `*.parquet` fixtures of the `prices_parquet_*` cases are written by
//!   `make_parquet_fixtures.py` (pyarrow), since polars as built here cannot write decimals.
//! * `expected.txt`: the outcome, one assertion a line (`#` starts a comment):
//!   - `exit: N` — the exit code (required);
//!   - `stderr: TEXT` — TEXT is a substring of stderr (`{dir}` expanded);
//!   - `exclusion: ROW` — ROW is a whole line of `out/exclusions.csv`;
//!   - `no-exclusion: TEXT` — no line of `out/exclusions.csv` contains TEXT;
//!   - `file: NAME: TEXT` — TEXT is a substring of `out/NAME`;
//!   - `analysed: N` — the summary line says `N pairs analysed`;
//!   - `no-outputs` — the output folder holds no table (errors stop before writing).
//!
//! Set `EVSTUDY_BAD_INPUTS_SHOW=1` to print what each case produced (for writing a new case),
//! `EVSTUDY_BAD_INPUTS_ONLY=text` to run only the cases whose name contains `text`, and
//! `EVSTUDY_BIN=path` to test another build of the binary.

use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Events used when a case has no `events.csv`.
pub const STANDARD_EVENTS: &str = "event_id,ticker,date\nE1,AAA,2024-03-01\nE2,BBB,2024-03-04\n";

/// Number of weekdays in the standard panel.
const STANDARD_DAYS: usize = 400;

/// Small deterministic generator (SplitMix64) for the standard panel.
fn splitmix(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}

/// Weekdays from 2023-01-02.
fn standard_dates() -> Vec<chrono::NaiveDate> {
    use chrono::Datelike;
    let mut d = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    let mut out = Vec::with_capacity(STANDARD_DAYS);
    while out.len() < STANDARD_DAYS {
        if d.weekday().number_from_monday() <= 5 {
            out.push(d);
        }
        d = d.succ_opt().unwrap();
    }
    out
}

/// The standard panel as (date, ticker, close) rows in file order.
fn standard_rows() -> Vec<(chrono::NaiveDate, &'static str, f64)> {
    let mut state = 7u64;
    let (mut m, mut a, mut b) = (100.0f64, 50.0f64, 20.0f64);
    let mut rows = Vec::with_capacity(3 * STANDARD_DAYS);
    for d in standard_dates() {
        let rm = 0.02 * splitmix(&mut state);
        let ea = 0.02 * splitmix(&mut state);
        let eb = 0.03 * splitmix(&mut state);
        m *= 1.0 + rm;
        a *= 1.0 + 1.2 * rm + ea;
        b *= 1.0 + 0.8 * rm + eb;
        rows.push((d, "IDX", m));
        rows.push((d, "AAA", a));
        rows.push((d, "BBB", b));
    }
    rows
}

/// The standard panel as CSV text.
pub fn standard_panel() -> String {
    let mut s = String::from("date,ticker,close\n");
    for (d, t, v) in standard_rows() {
        s += &format!("{d},{t},{v:.4}\n");
    }
    s
}

fn write_parquet(path: &Path, df: &mut DataFrame) {
    let f = std::fs::File::create(path).unwrap();
    ParquetWriter::new(f).finish(df).unwrap();
}

fn standard_frame() -> DataFrame {
    let rows = standard_rows();
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let dates: Vec<i32> = rows
        .iter()
        .map(|r| (r.0 - epoch).num_days() as i32)
        .collect();
    let tickers: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let closes: Vec<f64> = rows.iter().map(|r| r.2).collect();
    let date = Column::new("date".into(), dates)
        .cast(&DataType::Date)
        .unwrap();
    DataFrame::new(
        rows.len(),
        vec![
            date,
            Column::new("ticker".into(), tickers),
            Column::new("close".into(), closes),
        ],
    )
    .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        if matches!(
            name.as_str(),
            "expected.txt" | "args.txt" | "setup.txt" | "prices.tail.csv"
        ) {
            continue;
        }
        std::fs::copy(e.path(), to.join(&name)).unwrap();
    }
}

/// Prepare the temporary folder of a case and return the command-line arguments.
fn prepare(case: &Path, dir: &Path) -> Vec<String> {
    copy_dir(case, dir);
    let read = |n: &str| std::fs::read_to_string(case.join(n)).ok();
    let setup: Vec<String> = read("setup.txt")
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if !case.join("prices.csv").exists() && !setup.iter().any(|s| s == "prices-is-directory") {
        let mut text = standard_panel();
        if let Some(tail) = read("prices.tail.csv") {
            text += &tail;
        }
        std::fs::write(dir.join("prices.csv"), text).unwrap();
    }
    if !case.join("events.csv").exists() {
        std::fs::write(dir.join("events.csv"), STANDARD_EVENTS).unwrap();
    }
    let mut out = dir.join("out");
    for s in &setup {
        match s.as_str() {
            "prices-is-directory" => std::fs::create_dir(dir.join("prices.csv")).unwrap(),
            "events-is-fifo" => {
                let p = dir.join("events.csv");
                std::fs::remove_file(&p).unwrap();
                let made = Command::new("mkfifo").arg(&p).status().unwrap();
                assert!(made.success(), "mkfifo failed");
            }
            "config-is-directory" => std::fs::create_dir(dir.join("study.toml")).unwrap(),
            "out-under-a-file" => {
                std::fs::write(dir.join("blocker"), "not a folder").unwrap();
                out = dir.join("blocker").join("out");
            }
            "parquet-wrong-types" => {
                // Dates as integers (20230102), closes as text.
                let rows = standard_rows();
                let dates: Vec<i64> = rows
                    .iter()
                    .map(|r| r.0.format("%Y%m%d").to_string().parse().unwrap())
                    .collect();
                let tickers: Vec<&str> = rows.iter().map(|r| r.1).collect();
                let closes: Vec<String> = rows.iter().map(|r| format!("{:.4}", r.2)).collect();
                let mut df = DataFrame::new(
                    rows.len(),
                    vec![
                        Column::new("date".into(), dates),
                        Column::new("ticker".into(), tickers),
                        Column::new("close".into(), closes),
                    ],
                )
                .unwrap();
                write_parquet(&dir.join("prices.parquet"), &mut df);
            }
            "parquet-extra-columns" => {
                // A valid panel plus columns of types evstudy does not read (bool, list).
                let mut df = standard_frame();
                let n = df.height();
                let flags: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
                df.with_column(Column::new("halted".into(), flags)).unwrap();
                write_parquet(&dir.join("prices.parquet"), &mut df);
            }
            "parquet-truncated" => {
                let mut df = standard_frame();
                let p = dir.join("prices.parquet");
                write_parquet(&p, &mut df);
                let bytes = std::fs::read(&p).unwrap();
                std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
            }
            other => panic!("{}: unknown setup keyword '{other}'", case.display()),
        }
    }
    let d = dir.display().to_string();
    let extra: Vec<String> = read("args.txt")
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| l.replace("{dir}", &d))
                .collect()
        })
        .unwrap_or_default();
    let has = |flag: &str| {
        extra
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let mut args: Vec<String> = vec!["run".into()];
    let mut push = |flag: &str, value: String| {
        if !has(flag) {
            args.push(flag.into());
            args.push(value);
        }
    };
    if case.join("study.toml").exists() || setup.iter().any(|s| s == "config-is-directory") {
        push("--config", format!("{d}/study.toml"));
    } else {
        push("--prices", format!("{d}/prices.csv"));
        push("--events", format!("{d}/events.csv"));
        push("--market", "IDX".into());
    }
    push("--out", out.display().to_string());
    args.extend(extra);
    args
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The binary under test: `EVSTUDY_BIN` when set (a copy of one's own build, when several
/// worktrees share a target folder), else the one cargo built for this test.
fn evstudy_bin() -> PathBuf {
    std::env::var_os("EVSTUDY_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_evstudy")))
}

fn run_binary(args: &[String], cwd: &Path) -> Outcome {
    let out = Command::new(evstudy_bin())
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// Check one case; returns the list of failed assertions.
fn check_case(case: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let args = prepare(case, dir);
    let o = run_binary(&args, dir);
    let out_dir = dir.join("out");
    let d = dir.display().to_string();
    if std::env::var_os("EVSTUDY_BAD_INPUTS_SHOW").is_some() {
        println!(
            "=== {} (exit {})\nstdout: {}stderr: {}",
            case.display(),
            o.code,
            o.stdout,
            o.stderr
        );
        if let Ok(x) = std::fs::read_to_string(out_dir.join("exclusions.csv")) {
            println!("exclusions.csv:\n{x}");
        }
    }
    let expected = std::fs::read_to_string(case.join("expected.txt"))
        .unwrap_or_else(|_| panic!("{}: expected.txt is missing", case.display()));
    let mut failures = Vec::new();
    let mut saw_exit = false;
    // Never a panic, never an internal error, whatever the case expects.
    if o.code == 101 || o.code == 2 || o.stderr.contains("panicked") {
        failures.push(format!("crashed (exit {}): {}", o.code, o.stderr));
    }
    if o.code != 0 && o.stderr.trim().is_empty() {
        failures.push("failed without a message on stderr".into());
    }
    let exclusions = std::fs::read_to_string(out_dir.join("exclusions.csv")).unwrap_or_default();
    for line in expected.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .map(|(k, v)| (k.trim(), v.trim()))
            .unwrap_or((line, ""));
        let value = value.replace("{dir}", &d);
        match key {
            "exit" => {
                saw_exit = true;
                if o.code.to_string() != value {
                    failures.push(format!(
                        "exit {} (expected {value}); stderr: {}",
                        o.code,
                        o.stderr.trim()
                    ));
                }
            }
            "stderr" => {
                if !o.stderr.contains(&value) {
                    failures.push(format!("stderr lacks '{value}': {}", o.stderr.trim()));
                }
            }
            "exclusion" => {
                if !exclusions.lines().any(|l| l == value) {
                    failures.push(format!("no exclusion row '{value}' in:\n{exclusions}"));
                }
            }
            "no-exclusion" => {
                if let Some(l) = exclusions.lines().find(|l| l.contains(&value)) {
                    failures.push(format!("unexpected exclusion row '{l}'"));
                }
            }
            "file" => {
                let (name, text) = value
                    .split_once(':')
                    .map(|(a, b)| (a.trim(), b.trim()))
                    .unwrap_or((&value, ""));
                match std::fs::read_to_string(out_dir.join(name)) {
                    Ok(content) if content.contains(text) => {}
                    Ok(content) => failures.push(format!("out/{name} lacks '{text}':\n{content}")),
                    Err(e) => failures.push(format!("out/{name}: {e}")),
                }
            }
            "analysed" => {
                if !o.stdout.contains(&format!(": {value} pairs analysed")) {
                    failures.push(format!(
                        "expected {value} pairs analysed: {}",
                        o.stdout.trim()
                    ));
                }
            }
            "no-outputs" => {
                let tables: Vec<String> = std::fs::read_dir(&out_dir)
                    .map(|r| {
                        r.filter_map(|e| e.ok())
                            .map(|e| e.file_name().to_string_lossy().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                if !tables.is_empty() {
                    failures.push(format!("output folder is not empty: {tables:?}"));
                }
            }
            other => failures.push(format!("expected.txt: unknown key '{other}'")),
        }
    }
    if !saw_exit {
        failures.push("expected.txt has no 'exit:' line".into());
    }
    // A successful run leaves only complete outputs, no temporary files.
    if let Ok(r) = std::fs::read_dir(&out_dir) {
        for e in r.filter_map(|e| e.ok()) {
            if e.file_name().to_string_lossy().contains(".tmp-") {
                failures.push(format!(
                    "temporary file left behind: {}",
                    e.file_name().to_string_lossy()
                ));
            }
        }
    }
    failures
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("bad_inputs");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

#[test]
fn every_bad_input_case_has_its_expected_outcome() {
    let only = std::env::var("EVSTUDY_BAD_INPUTS_ONLY").ok();
    let all = cases();
    assert!(
        all.len() >= 40,
        "the corpus should hold at least 40 cases, found {}",
        all.len()
    );
    let mut report = String::new();
    let mut n = 0;
    for case in &all {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        n += 1;
        let failures = check_case(case);
        if !failures.is_empty() {
            report += &format!("\n--- {name}\n  {}", failures.join("\n  "));
        }
    }
    assert!(report.is_empty(), "bad-input cases failing:{report}");
    eprintln!("{n} bad-input cases passed");
}

/// A 2 GB price file generated on the fly (not committed): the run ends with a clear outcome
/// (exit 0 or 1), never a crash. Slow and disk-hungry, so ignored by default:
/// `cargo test --release --test bad_inputs -- --ignored`.
#[test]
#[ignore]
fn two_gigabyte_price_file() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("prices.csv");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap());
    writeln!(w, "date,ticker,close").unwrap();
    let dates = standard_dates();
    let mut written: u64 = 0;
    let mut k = 0usize;
    // ~2 GiB: tickers T000000.. on the standard 400 dates, ~30 bytes a row.
    'outer: loop {
        let ticker = if k == 0 {
            "IDX".to_string()
        } else {
            format!("T{k:06}")
        };
        let mut p = 100.0 + (k % 97) as f64;
        for (i, d) in dates.iter().enumerate() {
            p *= 1.0 + 0.001 * (((i * 31 + k * 17) % 41) as f64 - 20.0) / 20.0;
            let line = format!("{d},{ticker},{p:.4}\n");
            written += line.len() as u64;
            w.write_all(line.as_bytes()).unwrap();
        }
        k += 1;
        if written >= 2 * 1024 * 1024 * 1024 {
            break 'outer;
        }
    }
    w.flush().unwrap();
    drop(w);
    std::fs::write(
        dir.join("events.csv"),
        "event_id,ticker,date\nE1,T000001,2024-03-01\n",
    )
    .unwrap();
    let args: Vec<String> = [
        "run",
        "--prices",
        "prices.csv",
        "--events",
        "events.csv",
        "--market",
        "IDX",
        "--out",
        "out",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = run_binary(&args, dir);
    eprintln!(
        "2 GB file ({written} bytes, {k} tickers): exit {}\n{}{}",
        o.code, o.stdout, o.stderr
    );
    assert!(o.code == 0 || o.code == 1, "exit {}: {}", o.code, o.stderr);
    if o.code == 0 {
        assert!(o.stdout.contains("1 pairs analysed"), "{}", o.stdout);
    } else {
        assert!(!o.stderr.trim().is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// Determinism and atomic outputs.

/// Write a panel of `n_tickers` securities plus `IDX` on `n_days` weekdays and `n_events`
/// events into `dir` (prices.csv, events.csv).
fn write_big_panel(dir: &Path, n_tickers: usize, n_days: usize, n_events: usize) {
    use chrono::Datelike;
    use std::io::Write;
    let mut dates = Vec::with_capacity(n_days);
    let mut d = chrono::NaiveDate::from_ymd_opt(2015, 1, 5).unwrap();
    while dates.len() < n_days {
        if d.weekday().number_from_monday() <= 5 {
            dates.push(d);
        }
        d = d.succ_opt().unwrap();
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("prices.csv")).unwrap());
    writeln!(w, "date,ticker,close").unwrap();
    let mut state = 11u64;
    let mut closes = vec![100.0f64; n_tickers + 1];
    for day in &dates {
        let rm = 0.02 * splitmix(&mut state);
        for (k, c) in closes.iter_mut().enumerate() {
            *c *= 1.0
                + if k == 0 {
                    rm
                } else {
                    rm + 0.02 * splitmix(&mut state)
                };
            let t = if k == 0 {
                "IDX".to_string()
            } else {
                format!("S{k:04}")
            };
            writeln!(w, "{day},{t},{c:.6}").unwrap();
        }
    }
    w.flush().unwrap();
    let mut e = String::from("event_id,ticker,date\n");
    for i in 0..n_events {
        let k = 1 + i % n_tickers;
        let day = dates[300 + (i * 7919) % (n_days - 340)];
        e += &format!("E{i:05},S{k:04},{day}\n");
    }
    std::fs::write(dir.join("events.csv"), e).unwrap();
}

fn big_run_args(out: &str) -> Vec<String> {
    [
        "run",
        "--prices",
        "prices.csv",
        "--events",
        "events.csv",
        "--market",
        "IDX",
        "--out",
        out,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn read_folder(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().to_string(),
                        std::fs::read(e.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Two runs on the same inputs give byte-identical files (every table in CSV and Parquet,
/// run.json, the report and its figures).
#[test]
fn two_runs_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_big_panel(dir, 40, 800, 300);
    let a = run_binary(&big_run_args("out_a"), dir);
    assert_eq!(a.code, 0, "{}", a.stderr);
    // The same output folder name, so that run.json (which records it) can be compared.
    let first = read_folder(&dir.join("out_a"));
    std::fs::rename(dir.join("out_a"), dir.join("out_first")).unwrap();
    let b = run_binary(&big_run_args("out_a"), dir);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let second = read_folder(&dir.join("out_a"));
    assert!(first.len() >= 15, "{:?}", first.keys());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(bytes == &second[name], "{name} differs between two runs");
    }
}

/// A run killed at any moment leaves, in its output folder, only complete files — each
/// byte-identical to the file of an uninterrupted run — or none. Files are written to
/// `<name>.tmp-<pid>` and renamed into place ([`evstudy::output::write_atomic`]), so a kill
/// during a write can leave such a temporary file behind: it never has an output's name, and
/// it is not removed by a later run (the next complete run renames fresh files over every
/// output; a leftover `.tmp-<pid>` file can be deleted by hand). The test kills the binary
/// (SIGKILL) at delays spread over a full run's duration.
#[test]
fn killed_runs_leave_no_partial_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_big_panel(dir, 120, 1500, 1500);
    let started = std::time::Instant::now();
    let full = run_binary(&big_run_args("out_full"), dir);
    let duration = started.elapsed();
    assert_eq!(full.code, 0, "{}", full.stderr);
    let reference = read_folder(&dir.join("out_full"));
    let fractions = [
        0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.96, 0.98, 0.99, 1.0, 1.02,
    ];
    let (mut partial_sets, mut leftovers) = (0, 0);
    for (i, f) in fractions.iter().enumerate() {
        let out = format!("out_kill_{i}");
        let mut child = Command::new(evstudy_bin())
            .args(big_run_args(&out))
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(duration.mul_f64(*f));
        let _ = child.kill();
        let _ = child.wait();
        let got = read_folder(&dir.join(&out));
        if !got.is_empty() && got.len() < reference.len() {
            partial_sets += 1;
        }
        for (name, bytes) in &got {
            if let Some((base, pid)) = name.split_once(".tmp-") {
                assert!(
                    reference.contains_key(base) && pid.parse::<u32>().is_ok(),
                    "unexpected file {name}"
                );
                leftovers += 1;
                continue;
            }
            // run.json records the output folder: compare it after putting the name back.
            let want = &reference[name];
            let same = if name == "run.json" {
                String::from_utf8_lossy(bytes).replace(&out, "out_full")
                    == String::from_utf8_lossy(want)
            } else {
                bytes == want
            };
            assert!(
                same,
                "kill at {:.0}% of the run: {name} is not the complete file",
                f * 100.0
            );
        }
    }
    eprintln!(
        "full run {:.2} s; {} kills: {partial_sets} left an incomplete set of complete files, {leftovers} .tmp- leftover(s)",
        duration.as_secs_f64(),
        fractions.len()
    );
}

/// Writes the memory benchmark inputs of issue 7 — 5,000 securities × 2,520 days as Parquet
/// plus 50,000 events — into `$EVSTUDY_MEMORY_PANEL_DIR`, for measuring the peak RSS with
/// `/usr/bin/time -v evstudy run --prices DIR/prices.parquet --events DIR/events.csv
/// --market IDX --out DIR/out`. Ignored by default (it only writes files).
#[test]
#[ignore]
fn write_memory_benchmark_panel() {
    use chrono::Datelike;
    let Some(dir) = std::env::var_os("EVSTUDY_MEMORY_PANEL_DIR").map(PathBuf::from) else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    let (n_sec, n_days, n_events) = (5_000usize, 2_520usize, 50_000usize);
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let mut dates = Vec::with_capacity(n_days);
    let mut d = chrono::NaiveDate::from_ymd_opt(2015, 1, 5).unwrap();
    while dates.len() < n_days {
        if d.weekday().number_from_monday() <= 5 {
            dates.push(d);
        }
        d = d.succ_opt().unwrap();
    }
    let n = (n_sec + 1) * n_days;
    let mut date_col: Vec<i32> = Vec::with_capacity(n);
    let mut ticker_col: Vec<String> = Vec::with_capacity(n);
    let mut close_col: Vec<f64> = Vec::with_capacity(n);
    let mut state = 99u64;
    let market: Vec<f64> = (0..n_days).map(|_| 0.02 * splitmix(&mut state)).collect();
    for k in 0..=n_sec {
        let t = if k == 0 {
            "IDX".to_string()
        } else {
            format!("S{k:05}")
        };
        let mut c = 50.0 + (k % 100) as f64;
        for (j, day) in dates.iter().enumerate() {
            c *= 1.0
                + if k == 0 {
                    market[j]
                } else {
                    market[j] + 0.02 * splitmix(&mut state)
                };
            date_col.push((*day - epoch).num_days() as i32);
            ticker_col.push(t.clone());
            close_col.push(c);
        }
    }
    let date = Column::new("date".into(), date_col)
        .cast(&DataType::Date)
        .unwrap();
    let mut df = DataFrame::new(
        n,
        vec![
            date,
            Column::new("ticker".into(), ticker_col),
            Column::new("close".into(), close_col),
        ],
    )
    .unwrap();
    write_parquet(&dir.join("prices.parquet"), &mut df);
    let mut e = String::from("event_id,ticker,date\n");
    for i in 0..n_events {
        let k = 1 + (i * 7) % n_sec;
        let day = dates[300 + (i * 7919) % (n_days - 340)];
        e += &format!("E{i:06},S{k:05},{day}\n");
    }
    std::fs::write(dir.join("events.csv"), e).unwrap();
}
