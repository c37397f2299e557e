//! `evstudy backtest` as a subprocess: a one-security fixture whose trades are worked out by
//! hand from its prices, configuration errors naming file and key, and the demo.

use chrono::NaiveDate;
use evstudy::calendar::{builtin_exchange, HolidayTable, SessionCalendar};
use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::evstudy;

/// 400 XNYS sessions from 2023-01-03 with prices from fixed formulas.
struct Fixture {
    dates: Vec<NaiveDate>,
    open: Vec<f64>,
    close: Vec<f64>,
}

impl Fixture {
    fn new() -> Fixture {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let cal = SessionCalendar::for_exchange_range(
            &builtin_exchange("XNYS").unwrap(),
            &HolidayTable::builtin(),
            d(2023, 1, 3),
            d(2024, 12, 31),
        );
        let dates: Vec<NaiveDate> = cal.dates()[..400].to_vec();
        let close: Vec<f64> = (0..400)
            .map(|i| 50.0 * (1.0 + 0.03 * (0.7 * i as f64).sin() + 0.001 * i as f64))
            .collect();
        let open = (0..400)
            .map(|i| match i {
                0 => 50.0,
                _ => close[i - 1] * (1.0 + 0.004 * (i as f64).cos()),
            })
            .collect();
        Fixture { dates, open, close }
    }

    /// `prices.csv`: AAA with opens, IDX (the market) with closes only.
    fn prices(&self) -> String {
        let mut s = String::from("date,ticker,open,close\n");
        for i in 0..self.dates.len() {
            let m = 100.0 * (1.0 + 0.01 * (0.3 * i as f64).sin() + 0.0005 * i as f64);
            s += &format!("{},AAA,{},{}\n", self.dates[i], self.open[i], self.close[i]);
            s += &format!("{},IDX,{m},{m}\n", self.dates[i]);
        }
        s
    }
}

/// The study folder: prices, events and `study.toml` with `backtest` appended.
fn study(dir: &Path, fx: &Fixture, events: &[(&str, usize, &str, &str)], backtest: &str) {
    std::fs::write(dir.join("prices.csv"), fx.prices()).unwrap();
    let mut ev = String::from("id,date,time,tz,category,scope\n");
    for (id, session, time, category) in events {
        ev += &format!(
            "{id},{},{time},America/New_York,{category},AAA\n",
            fx.dates[*session]
        );
    }
    std::fs::write(dir.join("events.csv"), ev).unwrap();
    let toml = format!(
        "events = \"events.csv\"\nmarket = \"IDX\"\nformats = [\"csv\"]\nout = \"out\"\n\
         [[securities]]\nticker = \"AAA\"\nexchange = \"XNYS\"\n\
         [[securities]]\nticker = \"IDX\"\nexchange = \"XNYS\"\n\
         [[prices]]\npath = \"prices.csv\"\nopen_col = \"open\"\n{backtest}"
    );
    std::fs::write(dir.join("study.toml"), toml).unwrap();
}

/// A CSV written by evstudy (no quoted fields in these tables) as rows of column → text.
fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap()
}

fn run_backtest(dir: &Path) -> (i32, String, String) {
    let cfg = dir.join("study.toml").display().to_string();
    evstudy(&["backtest", "--config", &cfg])
}

#[test]
fn after_close_release_enters_next_open_and_holds_five_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let events = [
        ("E1", 300, "after_close", "up"),
        ("E2", 320, "11:00", "down"),
        ("E3", 340, "11:00", "other"),
    ];
    let backtest = "[backtest]\nhold = 5\n[backtest.direction]\nup = \"long\"\ndown = \"short\"\n";
    study(dir.path(), &fx, &events, backtest);
    let (code, stdout, stderr) = run_backtest(dir.path());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("2 positions, 1 pairs not traded"),
        "{stdout}"
    );
    let out = dir.path().join("out").join("backtest");
    let trades = table(&out.join("bt_trades.csv"));
    // E1, known after the close of session 300 (18:00 New York): the open of session 301,
    // held to the close of session 306.
    let e1 = &trades[0];
    assert_eq!(e1["event_id"], "E1");
    assert_eq!(e1["entry_date"], fx.dates[301].to_string());
    assert_eq!(
        (e1["entry_point"].as_str(), e1["exit_point"].as_str()),
        ("open", "close")
    );
    assert_eq!(e1["exit_date"], fx.dates[306].to_string());
    assert_eq!(e1["sessions_held"], "5");
    let gross = fx.close[306] / fx.open[301] - 1.0;
    assert!((num(e1, "gross_return") - gross).abs() < 1e-12);
    // E2 at 11:00 + 15 min: the open has passed, so the same session's close; short.
    let e2 = &trades[1];
    assert_eq!(
        (e2["direction"].as_str(), e2["entry_point"].as_str()),
        ("short", "close")
    );
    assert_eq!(e2["entry_date"], fx.dates[320].to_string());
    assert_eq!(e2["exit_date"], fx.dates[325].to_string());
    let gross2 = -(fx.close[325] / fx.close[320] - 1.0);
    assert!((num(e2, "gross_return") - gross2).abs() < 1e-12);
    // The portfolio holds E1 alone over sessions 301–306: the first day earns close/open − 1
    // and equity on the exit day is the trade's growth.
    let daily = table(&out.join("bt_daily.csv"));
    let day = |d: NaiveDate| daily.iter().find(|r| r["date"] == d.to_string()).unwrap();
    let first = fx.close[301] / fx.open[301] - 1.0;
    assert!((num(day(fx.dates[301]), "gross_return") - first).abs() < 1e-12);
    assert!((num(day(fx.dates[306]), "equity_gross") - (1.0 + gross)).abs() < 1e-12);
    assert_eq!(day(fx.dates[306])["positions"], "1");
    assert!(e1["note"].is_empty() && e2["note"].is_empty());
    // E3's category has no side: a bt_exclusions row.
    let excl = std::fs::read_to_string(out.join("bt_exclusions.csv")).unwrap();
    assert!(
        excl.contains("E3,AAA,no_direction,category 'other' has no side"),
        "{excl}"
    );
}

#[test]
fn signal_direction_follows_the_pre_event_car() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let events = [
        ("E1", 300, "after_close", "x"),
        ("E2", 330, "after_close", "x"),
    ];
    study(
        dir.path(),
        &fx,
        &events,
        "[backtest]\ndirection = \"signal\"\nsignal_window = \"-5:-1\"\nsignal = \"reversal\"\n",
    );
    let cfg = dir.path().join("study.toml").display().to_string();
    let (code, _, stderr) = evstudy(&["run", "--config", &cfg, "--no-report"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run_backtest(dir.path());
    assert_eq!(code, 0, "{stdout}{stderr}");
    let ars = table(&dir.path().join("out").join("abnormal_returns.csv"));
    let trades = table(&dir.path().join("out/backtest/bt_trades.csv"));
    assert_eq!(trades.len(), 2);
    for t in &trades {
        let signal: f64 = ars
            .iter()
            .filter(|r| r["event_id"] == t["event_id"])
            .filter(|r| (-5..=-1).contains(&r["rel_day"].parse::<i32>().unwrap()))
            .map(|r| num(r, "ar"))
            .sum();
        let expected = if signal > 0.0 { "short" } else { "long" };
        assert_eq!(
            t["direction"], expected,
            "{} signal {signal}",
            t["event_id"]
        );
    }
}

#[test]
fn configuration_errors_name_file_and_key() {
    let fx = Fixture::new();
    let events = [("E1", 300, "after_close", "up")];
    let cases = [
        (
            "[backtest]\nhold = 0\n",
            "[backtest] hold: must be ≥ 1, got 0",
        ),
        (
            "[backtest]\nlatency = \"soon\"\n",
            "[backtest] latency: 'soon' is not a duration",
        ),
        (
            "[backtest.direction]\nexport_control = \"long\"\n",
            "[backtest] direction: unknown event category 'export_control'; the categories in",
        ),
    ];
    for (backtest, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        study(dir.path(), &fx, &events, backtest);
        let (code, _, stderr) = run_backtest(dir.path());
        assert_eq!(code, 1, "{backtest}: {stderr}");
        assert!(
            stderr.contains("study.toml: ") && stderr.contains(message),
            "{stderr}"
        );
        // `validate` reports the settings' errors too (the category check needs the events
        // and is the backtest's own).
        if !backtest.contains("direction") {
            let cfg = dir.path().join("study.toml").display().to_string();
            let (code, stdout, _) = evstudy(&["validate", "--config", &cfg]);
            assert_eq!(code, 1, "{backtest}: {stdout}");
            assert!(stdout.contains(message), "{stdout}");
        }
    }
    // An open entry without an open column.
    let dir = tempfile::tempdir().unwrap();
    study(dir.path(), &fx, &events, "[backtest]\nentry = \"open:1\"\n");
    let path = dir.path().join("study.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("open_col = \"open\"\n", "")).unwrap();
    let (code, _, stderr) = run_backtest(dir.path());
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "study.toml: [backtest] entry_point: trading at the open needs opening prices"
        ),
        "{stderr}"
    );
}

#[test]
fn demo_backtests_at_the_close() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cfg = root.join("datasets/demo/study.toml").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt").display().to_string();
    let (code, stdout, stderr) = evstudy(&[
        "backtest", "--config", &cfg, "--out", &out, "--format", "csv",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let trades = table(&dir.path().join("bt/bt_trades.csv"));
    assert!(trades.len() > 100, "{}", trades.len());
    assert!(trades.iter().all(|t| t["entry_point"] == "close"));
    for name in [
        "bt_daily",
        "bt_metrics",
        "bt_alpha",
        "bt_path",
        "bt_exclusions",
    ] {
        assert!(dir.path().join(format!("bt/{name}.csv")).exists(), "{name}");
    }
    // Every pair of the study is a position or a bt_exclusions row.
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("bt/run.json")).unwrap())
            .unwrap();
    let counts = &run["counts"];
    let not_traded: u64 = counts["not_traded_by_reason"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        counts["positions"].as_u64().unwrap() + not_traded,
        counts["pairs_in_study"].as_u64().unwrap()
    );
    let excluded = std::fs::read_to_string(dir.path().join("bt/bt_exclusions.csv")).unwrap();
    assert_eq!(excluded.lines().count() as u64 - 1, not_traded);
}

#[test]
fn fixed_entry_before_the_event_is_marked_look_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    // Known after the close of session 300, so day 0 is session 301; close:-1 is the close
    // of session 300, two hours before the release.
    let events = [("E1", 300, "after_close", "x")];
    study(
        dir.path(),
        &fx,
        &events,
        "[backtest]\nentry = \"close:-1\"\nhold = 2\n",
    );
    let (code, stdout, stderr) = run_backtest(dir.path());
    assert_eq!(code, 0, "{stdout}{stderr}");
    let trades = table(&dir.path().join("out/backtest/bt_trades.csv"));
    let t = &trades[0];
    assert_eq!(t["entry_date"], fx.dates[300].to_string());
    assert_eq!(
        (t["entry_rel_day"].as_str(), t["exit_rel_day"].as_str()),
        ("-1", "1")
    );
    assert_eq!(
        t["note"],
        "entry before the event instant plus latency (look-ahead)"
    );
    let gross = fx.close[302] / fx.close[300] - 1.0;
    assert!((num(t, "gross_return") - gross).abs() < 1e-12);
}
