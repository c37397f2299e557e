//! The embedded demo: a deterministic **synthetic** price panel for the China AI-chip case
//! study (same tickers, exchange calendars and real event calendar; simulated prices with
//! known injected effects). Real prices cannot live in the repository; this panel lets a
//! fresh clone run the whole pipeline.
//!
//! # Model
//! For each benchmark (CSI 300 `000300.SS` on XSHG, Hang Seng `^HSI` on XHKG, S&P 500 `^GSPC`
//! on XNYS) daily returns are N(0.0003, 0.012²). Each security follows a market model against
//! its benchmark, R = α + β·R_m + ε with ε ~ N(0, σ²) (β, σ per security below), on its own
//! exchange's sessions 2021-01-04 … 2025-12-31 (holidays from the built-in table). Injected
//! abnormal returns (added to ε on day 0 of each event–security pair, day 0 by the §2.4 rule):
//!
//! | category | China AI chips | China platforms | US chips |
//! |---|---|---|---|
//! | export_control | +4 % | +1 % | −3 % |
//! | model_release | +2 % | +3 % | −4 % |
//! | countermeasure | +2 % | 0 | −1 % |
//! | earnings (own) | ±2.5 % (sign from the event id) | ±2.5 % | ±2.5 % |
//!
//! The list of injected effects is written beside the prices (`injected_effects.csv`), so a
//! reader can compare what the study finds with what was put in.

use crate::calendar::{
    builtin_exchange, map_day0, read_events, EventRecord, HolidayTable, SessionCalendar,
};
use crate::error::{Error, Result};
use crate::output::{format_g17, write_atomic};
use crate::simulate::rng::SplitMix64;
use chrono::{NaiveDate, NaiveTime};
use std::collections::BTreeMap;
use std::path::Path;

/// A security of the demo panel.
#[derive(Debug, Clone, Copy)]
pub struct DemoSecurity {
    /// Ticker.
    pub ticker: &'static str,
    /// Exchange code.
    pub exchange: &'static str,
    /// Benchmark ticker.
    pub benchmark: &'static str,
    /// Security group.
    pub group: &'static str,
    /// Market beta.
    pub beta: f64,
    /// Idiosyncratic daily volatility.
    pub sigma: f64,
    /// Start price.
    pub start_price: f64,
}

/// The demo securities (the case study's tickers).
pub const DEMO_SECURITIES: &[DemoSecurity] = &[
    DemoSecurity {
        ticker: "688256.SS",
        exchange: "XSHG",
        benchmark: "000300.SS",
        group: "china_ai_chips",
        beta: 1.6,
        sigma: 0.035,
        start_price: 150.0,
    },
    DemoSecurity {
        ticker: "688981.SS",
        exchange: "XSHG",
        benchmark: "000300.SS",
        group: "china_ai_chips",
        beta: 1.3,
        sigma: 0.022,
        start_price: 60.0,
    },
    DemoSecurity {
        ticker: "688347.SS",
        exchange: "XSHG",
        benchmark: "000300.SS",
        group: "china_ai_chips",
        beta: 1.2,
        sigma: 0.025,
        start_price: 45.0,
    },
    DemoSecurity {
        ticker: "0981.HK",
        exchange: "XHKG",
        benchmark: "^HSI",
        group: "china_ai_chips",
        beta: 1.4,
        sigma: 0.028,
        start_price: 25.0,
    },
    DemoSecurity {
        ticker: "1347.HK",
        exchange: "XHKG",
        benchmark: "^HSI",
        group: "china_ai_chips",
        beta: 1.3,
        sigma: 0.030,
        start_price: 40.0,
    },
    DemoSecurity {
        ticker: "0700.HK",
        exchange: "XHKG",
        benchmark: "^HSI",
        group: "china_platforms",
        beta: 1.1,
        sigma: 0.018,
        start_price: 500.0,
    },
    DemoSecurity {
        ticker: "9988.HK",
        exchange: "XHKG",
        benchmark: "^HSI",
        group: "china_platforms",
        beta: 1.3,
        sigma: 0.022,
        start_price: 200.0,
    },
    DemoSecurity {
        ticker: "9888.HK",
        exchange: "XHKG",
        benchmark: "^HSI",
        group: "china_platforms",
        beta: 1.3,
        sigma: 0.024,
        start_price: 250.0,
    },
    DemoSecurity {
        ticker: "NVDA",
        exchange: "XNYS",
        benchmark: "^GSPC",
        group: "us_chips",
        beta: 1.8,
        sigma: 0.025,
        start_price: 130.0,
    },
    DemoSecurity {
        ticker: "AMD",
        exchange: "XNYS",
        benchmark: "^GSPC",
        group: "us_chips",
        beta: 1.7,
        sigma: 0.025,
        start_price: 92.0,
    },
    DemoSecurity {
        ticker: "BABA",
        exchange: "XNYS",
        benchmark: "^GSPC",
        group: "china_platforms_us",
        beta: 1.2,
        sigma: 0.025,
        start_price: 216.0,
    },
    DemoSecurity {
        ticker: "BIDU",
        exchange: "XNYS",
        benchmark: "^GSPC",
        group: "china_platforms_us",
        beta: 1.2,
        sigma: 0.026,
        start_price: 220.0,
    },
];

/// The demo benchmarks: (ticker, exchange, start level).
pub const DEMO_BENCHMARKS: &[(&str, &str, f64)] = &[
    ("000300.SS", "XSHG", 5200.0),
    ("^HSI", "XHKG", 27000.0),
    ("^GSPC", "XNYS", 3700.0),
];

/// The demo's variates, drawn from the project's SplitMix64 ([`SplitMix64`]).
#[derive(Debug, Clone)]
struct DemoRng(SplitMix64);

impl DemoRng {
    /// Seeded generator.
    fn new(seed: u64) -> Self {
        DemoRng(SplitMix64::new(seed))
    }
    /// Uniform on (0, 1): the top 53 bits, centred in their interval.
    fn uniform(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Standard normal (Box–Muller, one draw per call).
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

fn group_effect(
    category: &str,
    group: &str,
    event_id: &str,
    ticker: &str,
    scope_has_ticker: bool,
) -> f64 {
    match (category, group) {
        ("export_control", "china_ai_chips") => 0.04,
        ("export_control", "china_platforms") | ("export_control", "china_platforms_us") => 0.01,
        ("export_control", "us_chips") => -0.03,
        ("model_release", "china_ai_chips") => 0.02,
        ("model_release", "china_platforms") | ("model_release", "china_platforms_us") => 0.03,
        ("model_release", "us_chips") => -0.04,
        ("countermeasure", "china_ai_chips") => 0.02,
        ("countermeasure", "us_chips") => -0.01,
        ("earnings", _) if scope_has_ticker => {
            let h = event_id
                .bytes()
                .chain(ticker.bytes())
                .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32));
            if h % 2 == 0 {
                0.025
            } else {
                -0.025
            }
        }
        _ => 0.0,
    }
}

/// Generate the demo panel into `dir`: `prices.csv` (`date,ticker,close`), `securities.csv`,
/// `injected_effects.csv`. Deterministic: the same `seed` gives byte-identical files.
///
/// # Examples
/// ```no_run
/// evstudy::demo::generate_demo("datasets/demo".as_ref(), "datasets/events/china_ai_chips.csv".as_ref(), 20250127).unwrap();
/// ```
pub fn generate_demo(dir: &Path, events_file: &Path, seed: u64) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let events = read_events(events_file)?;
    let holidays = HolidayTable::builtin();
    let start = NaiveDate::from_ymd_opt(2021, 1, 4).expect("date");
    let end = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
    let mut calendars: BTreeMap<&str, SessionCalendar> = BTreeMap::new();
    for x in ["XSHG", "XHKG", "XNYS"] {
        let spec = builtin_exchange(x).ok_or_else(|| Error::config(format!("no exchange {x}")))?;
        calendars.insert(
            x,
            SessionCalendar::for_exchange_range(&spec, &holidays, start, end),
        );
    }
    let mut rng = DemoRng::new(seed);
    // Benchmarks.
    let mut bench_returns: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut rows: Vec<(NaiveDate, String, f64)> = Vec::new();
    for &(ticker, x, level) in DEMO_BENCHMARKS {
        let cal = &calendars[x];
        let mut p = level;
        let mut rets = Vec::with_capacity(cal.len());
        for i in 0..cal.len() {
            let r = if i == 0 {
                0.0
            } else {
                0.0003 + 0.012 * rng.normal()
            };
            p *= 1.0 + r;
            rets.push(r);
            rows.push((cal.date(i).expect("in range"), ticker.to_string(), p));
        }
        bench_returns.insert(ticker, rets);
    }
    // Effects by (ticker, session index).
    let mut effects: Vec<(String, String, NaiveDate, f64)> = Vec::new();
    let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("time");
    let mut effect_at: BTreeMap<(&str, usize), f64> = BTreeMap::new();
    for ev in events.iter().filter(|e: &&EventRecord| !e.is_unverified()) {
        for s in DEMO_SECURITIES {
            let in_scope = ev.scope.iter().any(|t| t == s.ticker);
            if !in_scope {
                continue;
            }
            let eff = group_effect(&ev.category, s.group, &ev.event_id, s.ticker, in_scope);
            if eff == 0.0 {
                continue;
            }
            let cal = &calendars[s.exchange];
            let tz = builtin_exchange(s.exchange).map(|x| x.tz);
            let out = map_day0(
                cal,
                ev.date,
                ev.time.as_deref(),
                ev.tz.as_deref(),
                tz,
                noon,
                7,
            );
            if let Some(d) = out.day0() {
                *effect_at.entry((s.ticker, d.index)).or_default() += eff;
                effects.push((ev.event_id.to_string(), s.ticker.to_string(), d.date, eff));
            }
        }
    }
    for s in DEMO_SECURITIES {
        let cal = &calendars[s.exchange];
        let rm = &bench_returns[s.benchmark];
        let mut p = s.start_price;
        for i in 0..cal.len() {
            let eps = s.sigma * rng.normal();
            if i > 0 {
                let r = 0.0001
                    + s.beta * rm[i]
                    + eps
                    + effect_at.get(&(s.ticker, i)).copied().unwrap_or(0.0);
                p *= 1.0 + r.max(-0.5);
            }
            rows.push((cal.date(i).expect("in range"), s.ticker.to_string(), p));
        }
    }
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut prices = String::from("date,ticker,close\n");
    for (d, t, p) in &rows {
        prices.push_str(&format!("{d},{t},{:.4}\n", p));
    }
    write_atomic(&dir.join("prices.csv"), prices.as_bytes())?;
    let mut sec = String::from("ticker,exchange,benchmark,group\n");
    for &(t, x, _) in DEMO_BENCHMARKS {
        sec.push_str(&format!("{t},{x},,benchmark\n"));
    }
    for s in DEMO_SECURITIES {
        sec.push_str(&format!(
            "{},{},{},{}\n",
            s.ticker, s.exchange, s.benchmark, s.group
        ));
    }
    write_atomic(&dir.join("securities.csv"), sec.as_bytes())?;
    effects.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut eff = String::from("event_id,ticker,day0,injected_ar\n");
    for (e, t, d, x) in &effects {
        eff.push_str(&format!("{e},{t},{d},{}\n", format_g17(*x)));
    }
    write_atomic(&dir.join("injected_effects.csv"), eff.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_normals_have_unit_variance() {
        let mut r = DemoRng::new(1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "var {var}");
    }

    #[test]
    fn committed_demo_panel_is_reproducible() {
        // The committed datasets/demo/prices.csv must be exactly what the generator makes.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        generate_demo(
            dir.path(),
            &root.join("datasets/events/china_ai_chips.csv"),
            DEMO_SEED,
        )
        .unwrap();
        for f in ["prices.csv", "securities.csv", "injected_effects.csv"] {
            let made = std::fs::read(dir.path().join(f)).unwrap();
            let committed = std::fs::read(root.join("datasets/demo").join(f)).unwrap();
            assert!(
                made == committed,
                "datasets/demo/{f} is stale: run `cargo run --release -- demo`"
            );
        }
    }
}

/// The seed of the committed demo panel.
pub const DEMO_SEED: u64 = 20250127;

/// Write a large synthetic benchmark panel into `dir`: `prices.parquet` (long
/// `date,ticker,close`, `tickers` securities `T00000…` plus the index `IDX`, `days` weekdays
/// from 2010-01-04), `events.csv` (`events` date-only events, spread evenly over securities,
/// day 0 drawn uniformly after the first 300 days) and `study.toml` (market model, data
/// calendar, windows −1:1, −5:5, 0:20). Used by the end-to-end bench and the memory check.
///
/// # Examples
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// evstudy::demo::write_benchmark_panel(dir.path(), 3, 400, 6, 1).unwrap();
/// assert!(dir.path().join("study.toml").exists());
/// ```
pub fn write_benchmark_panel(
    dir: &Path,
    tickers: usize,
    days: usize,
    events: usize,
    seed: u64,
) -> Result<()> {
    use polars::prelude::*;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    if days < 330 {
        return Err(Error::config("benchmark panel needs at least 330 days"));
    }
    let mut dates = Vec::with_capacity(days);
    let mut d = NaiveDate::from_ymd_opt(2010, 1, 4).expect("date");
    while dates.len() < days {
        use chrono::Datelike;
        if d.weekday().number_from_monday() <= 5 {
            dates.push(d);
        }
        d = d.succ_opt().expect("date");
    }
    let mut rng = DemoRng::new(seed);
    let n = (tickers + 1) * days;
    let mut col_date: Vec<NaiveDate> = Vec::with_capacity(n);
    let mut col_ticker: Vec<String> = Vec::with_capacity(n);
    let mut col_close: Vec<f64> = Vec::with_capacity(n);
    let mut market = Vec::with_capacity(days);
    let mut p = 1000.0;
    for &dt in &dates {
        let r = 0.0003 + 0.01 * rng.normal();
        p *= 1.0 + r;
        market.push(r);
        col_date.push(dt);
        col_ticker.push("IDX".into());
        col_close.push(p);
    }
    for t in 0..tickers {
        let name = format!("T{t:05}");
        let beta = 0.5 + rng.uniform();
        let sigma = 0.01 + 0.02 * rng.uniform();
        let mut p = 50.0;
        for (i, &dt) in dates.iter().enumerate() {
            p *= 1.0 + 0.0001 + beta * market[i] + sigma * rng.normal();
            col_date.push(dt);
            col_ticker.push(name.clone());
            col_close.push(p);
        }
    }
    let mut df = DataFrame::new_infer_height(vec![
        DateChunked::from_naive_date(PlSmallStr::from("date"), col_date)
            .into_series()
            .into(),
        Column::new("ticker".into(), col_ticker),
        Column::new("close".into(), col_close),
    ])
    .map_err(|e| Error::Polars {
        file: "prices.parquet".into(),
        message: e.to_string(),
    })?;
    let path = dir.join("prices.parquet");
    let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    ParquetWriter::new(file)
        .finish(&mut df)
        .map_err(|e| Error::Polars {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
    let mut ev = String::from("event_id,ticker,date\n");
    for k in 0..events {
        let t = k % tickers.max(1);
        let day = 300 + (rng.0.next_u64() % (days as u64 - 330)) as usize;
        ev.push_str(&format!("E{k:06},T{t:05},{}\n", dates[day]));
    }
    write_atomic(&dir.join("events.csv"), ev.as_bytes())?;
    let study = "title = \"Synthetic benchmark panel\"\nmodel = \"market_model\"\nmarket = \"IDX\"\ncalendar = \"data\"\n\
        event_windows = [\"-1:1\", \"-5:5\", \"0:20\"]\nevents = \"events.csv\"\n\n[[prices]]\npath = \"prices.parquet\"\n";
    write_atomic(&dir.join("study.toml"), study.as_bytes())?;
    Ok(())
}
