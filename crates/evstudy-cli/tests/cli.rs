//! The real binary as a subprocess: bad inputs end with exit code 1 and a one-line reason
//! naming file, row and column — never a panic (101).

use std::path::Path;

mod common;
use common::evstudy;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const EVENTS: &str = "event_id,ticker,date\nE1,AAA,2024-03-01\n";

fn prices(n: usize) -> String {
    let mut s = String::from("date,ticker,close\n");
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    for i in 0..n {
        let d = start + chrono::Duration::days(i as i64);
        let m = 100.0 * (1.0 + 0.001 * ((i * 7919) % 13) as f64);
        let a = 50.0 * (1.0 + 0.0013 * ((i * 104729) % 17) as f64);
        s += &format!("{d},IDX,{m}\n{d},AAA,{a}\n");
    }
    s
}

fn quick(
    dir: &Path,
    prices_text: &str,
    events_text: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let p = write(dir, "prices.csv", prices_text);
    let e = write(dir, "events.csv", events_text);
    let out = dir.join("out").display().to_string();
    let mut args = vec![
        "run", "--prices", &p, "--events", &e, "--market", "IDX", "--out", &out,
    ];
    args.extend_from_slice(extra);
    evstudy(&args)
}

#[test]
fn quick_run_succeeds_and_writes_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = quick(
        dir.path(),
        &prices(500),
        EVENTS,
        &["--window=-1:1", "--window=0:5"],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let cars = std::fs::read_to_string(dir.path().join("out/cars.csv")).unwrap();
    assert!(cars.starts_with("event_id,security,group,window,car,"));
    assert_eq!(cars.lines().count(), 3);
}

#[test]
fn run_writes_headline_csv_and_tex_listed_in_run_json() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = quick(dir.path(), &prices(500), EVENTS, &["--window=0:5"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let out = dir.path().join("out");
    let headline = std::fs::read_to_string(out.join("headline.csv")).unwrap();
    assert!(headline.starts_with("group,window,n,caar,share_positive,csect_t,"));
    assert_eq!(headline.lines().count(), 2);
    let tex = std::fs::read_to_string(out.join("headline.tex")).unwrap();
    assert!(tex.starts_with("\\begin{tabular}{llrrrrrr}\n\\toprule\n"));
    assert!(tex.contains("\nall & 0:5 & 1 & "));
    assert!(!out.join("differences.tex").exists());
    let run = std::fs::read_to_string(out.join("run.json")).unwrap();
    assert!(run.contains("\"path\": \"headline.tex\""), "{run}");
    let dest = dir.path().join("again");
    let from = out.display().to_string();
    let to = dest.display().to_string();
    let (code, stdout, stderr) = evstudy(&["report", "--from", &from, "--out", &to]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn outputs_are_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(quick(dir.path(), &prices(500), EVENTS, &[]).0, 0);
    let first: Vec<Vec<u8>> = ["cars.csv", "tests.csv", "cars.parquet", "report.html"]
        .iter()
        .map(|f| std::fs::read(dir.path().join("out").join(f)).unwrap())
        .collect();
    assert_eq!(quick(dir.path(), &prices(500), EVENTS, &[]).0, 0);
    let second: Vec<Vec<u8>> = ["cars.csv", "tests.csv", "cars.parquet", "report.html"]
        .iter()
        .map(|f| std::fs::read(dir.path().join("out").join(f)).unwrap())
        .collect();
    assert!(first == second);
    // No temporary files left behind.
    assert!(std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .all(|e| !e.unwrap().file_name().to_string_lossy().contains(".tmp-")));
}

#[test]
fn bad_date_names_file_row_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = prices(300);
    p += "2025-02-30,AAA,1\n";
    let (code, _, stderr) = quick(dir.path(), &p, EVENTS, &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("prices.csv: row 602, column 'date'") && stderr.contains("impossible date"),
        "{stderr}"
    );
}

#[test]
fn text_price_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = quick(
        dir.path(),
        "date,ticker,close\n2024-01-02,AAA,abc\n",
        EVENTS,
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("row 2, column 'close'") && stderr.contains("not a number"),
        "{stderr}"
    );
}

#[test]
fn missing_column_and_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = quick(
        dir.path(),
        "date,ticker,price\n2024-01-02,AAA,1\n",
        EVENTS,
        &[],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("missing column 'close'"), "{stderr}");
    let (code, _, stderr) = quick(dir.path(), "", EVENTS, &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("empty"), "{stderr}");
}

#[test]
fn unknown_ticker_event_is_an_exclusion_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = quick(dir.path(), &prices(500), "event_id,ticker,date\nE1,AAA,2024-03-01\nE2,ZZZ,2024-03-01\nE3,AAA,2030-01-01\nE4,AAA,2023-01-20\n", &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let ex = std::fs::read_to_string(dir.path().join("out/exclusions.csv")).unwrap();
    assert!(ex.contains("E2,ZZZ,input,unknown_security"), "{ex}");
    assert!(ex.contains("E3,AAA,day0,no_session"), "{ex}");
    assert!(
        ex.contains("E4,AAA,estimation,too_few_estimation_returns"),
        "{ex}"
    );
}

#[test]
fn configuration_errors_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = quick(dir.path(), &prices(100), EVENTS, &["--window=-20:1"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("overlaps the estimation window"),
        "{stderr}"
    );
    let (code, _, stderr) = quick(dir.path(), &prices(100), EVENTS, &["--model", "capm9"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown model"), "{stderr}");
    let bad = write(dir.path(), "bad.toml", "model = \n");
    let (code, _, stderr) = evstudy(&["run", "--config", &bad]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("bad.toml") && stderr.contains("line 1"),
        "{stderr}"
    );
}

#[test]
fn directory_instead_of_file_and_unwritable_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let e = write(dir.path(), "events.csv", EVENTS);
    let (code, _, stderr) = evstudy(&["run", "--prices", &d, "--events", &e, "--market", "IDX"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is a directory"), "{stderr}");
    let blocker = write(dir.path(), "blocker", "x");
    let p = write(dir.path(), "prices.csv", &prices(500));
    let out = format!("{blocker}/sub");
    let (code, _, stderr) = evstudy(&[
        "run", "--prices", &p, "--events", &e, "--market", "IDX", "--out", &out,
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("blocker"), "{stderr}");
}

#[test]
fn validate_lists_problems_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "prices.csv",
        "date,ticker,close\n2024-13-01,AAA,1\n",
    );
    let e = write(
        dir.path(),
        "events.csv",
        "event_id,ticker,date\nE1,AAA,2024-02-30\n",
    );
    let (code, stdout, _) = evstudy(&[
        "validate", "--prices", &p, "--events", &e, "--market", "IDX",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("prices.csv: row 2, column 'date'") && stdout.contains("events.csv"),
        "{stdout}"
    );
    assert!(stdout.contains("2 problem(s) found"), "{stdout}");
}

#[test]
fn simulate_shared_dates_scenario_and_its_argument_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim").display().to_string();
    let base = [
        "simulate",
        "--replications",
        "3",
        "--pairs",
        "8",
        "--days",
        "200",
        "--estimation=-150:-11",
        "--window=0:0",
        "--out",
        &out,
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        evstudy(&args)
    };
    let (code, stdout, stderr) = with(&["--clustering", "dates", "--event-dates", "4"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let csv = std::fs::read_to_string(dir.path().join("sim/simulation.csv")).unwrap();
    let body: Vec<&str> = csv.lines().skip(1).collect();
    assert!(!body.is_empty());
    assert!(
        body.iter().all(|l| l.starts_with("shared_dates_4,")),
        "{csv}"
    );
    for (extra, says) in [
        (&["--clustering", "dates"][..], "needs --event-dates"),
        (&["--event-dates", "4"][..], "goes with --clustering dates"),
        (
            &["--clustering", "dates", "--event-dates", "9"][..],
            "event dates must be in 1..=8",
        ),
    ] {
        let (code, _, stderr) = with(extra);
        assert_eq!(code, 1, "{extra:?}: {stderr}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
    }
}
