//! Output-writing benchmark: synthetic [`StudyTables`] the size of a 50,000-event study
//! (5,000 securities, windows −1:1, −5:5, 0:20, event period −5..20: 1.3 M `abnormal_returns`
//! rows, 150 K `cars`, 50 K `model_fits`, 60 K `tests`, 50 K `day0_mapping`), timed in parts:
//!
//! * `csv/<table>`: the CSV text of one table (`%.17g` numbers);
//! * `parquet/to_dataframes` and `parquet/<table>`: the polars frames, then the Parquet bytes;
//! * `write_outputs/csv+parquet`: everything, files included (rendering + file I/O + fsync);
//! * `format_g17/1M`, `write_g17/1M`: one million `%.17g` numbers, as new strings and
//!   appended to one buffer.
//!
//! `cargo bench --bench write`; set `EVSTUDY_BENCH_EVENTS` for another size.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evstudy::output::{
    abnormal_returns_csv, cars_csv, day0_csv, format_g17, model_fits_csv, parquet_bytes, tests_csv,
    to_dataframes, write_g17, write_outputs, OutputFormat,
};
use evstudy::tables::{
    AbnormalReturnRow, AggregateRow, CarRow, Day0Row, ModelFitRow, StudyTables, TestRow,
};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64 with a normal-ish draw (sum of uniforms), deterministic.
struct Draws(u64);

impl Draws {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self, sd: f64) -> f64 {
        let s: f64 = (0..4).map(|_| self.uniform()).sum::<f64>() - 2.0;
        s * sd * 1.7320508075688772
    }
}

/// Synthetic tables with the row counts and number shapes of the big benchmark study.
fn synthetic_tables(events: usize) -> StudyTables {
    let mut rng = Draws(0x9E37_79B9_7F4A_7C15);
    let securities = (events / 10).max(1);
    let start = NaiveDate::from_ymd_opt(2015, 1, 2).unwrap();
    let mut t = StudyTables::default();
    for e in 0..events {
        let event_id = format!("E{e:06}");
        let security = format!("T{:05}", e % securities);
        let day0 = start + chrono::Duration::days((e % 2_400) as i64 + 300);
        let sigma = 0.01 + 0.02 * rng.uniform();
        for rel_day in -5..=20i32 {
            let ret = rng.normal(0.02);
            let expected = rng.normal(0.003);
            let ar = ret - expected;
            t.abnormal_returns.push(AbnormalReturnRow {
                event_id: event_id.as_str().into(),
                security: security.as_str().into(),
                group: "all".into(),
                rel_day,
                date: Some(day0 + chrono::Duration::days(rel_day as i64)),
                ret: Some(ret),
                expected_ret: Some(expected),
                ar: Some(ar),
                sar: Some(ar / sigma),
                ar_se: Some(sigma * 1.003),
                ar_p: Some(rng.uniform()),
                span: Some(1),
            });
        }
        for (window, n_days) in [("-1:1", 3u32), ("-5:5", 11), ("0:20", 21)] {
            let car = rng.normal(0.05);
            t.cars.push(CarRow {
                event_id: event_id.as_str().into(),
                security: security.as_str().into(),
                group: "all".into(),
                window: window.into(),
                car: Some(car),
                car_se: Some(sigma * (n_days as f64).sqrt()),
                car_t: Some(car / sigma),
                car_p: Some(rng.uniform()),
                scar: Some(car / sigma),
                bhar: Some(car * 0.98),
                n_days,
                extras: Vec::new(),
            });
        }
        t.model_fits.push(ModelFitRow {
            event_id: event_id.as_str().into(),
            security: security.as_str().into(),
            group: "all".into(),
            model: "market_model".into(),
            n_est: 240,
            df: 238,
            sigma: Some(sigma),
            alpha: Some(rng.normal(0.001)),
            beta: Some(1.0 + rng.normal(0.3)),
            r2: Some(rng.uniform()),
            extras: Vec::new(),
        });
        t.day0.push(Day0Row {
            event_id: event_id.as_str().into(),
            security: security.as_str().into(),
            exchange: "DATA".into(),
            event_instant_utc: String::new().into(),
            event_instant_local: format!("{day0} 12:00").into(),
            day0: Some(day0),
            shift_days: Some(0),
            shift_sessions: Some(0),
            status: "ok".into(),
        });
        if e % 1000 < 1 {
            for rel_day in -5..=20 {
                t.aggregate.push(AggregateRow {
                    group: "all".into(),
                    metric: evstudy::stats::Metric::Ar,
                    window: None,
                    rel_day: Some(rel_day),
                    n: events as u32,
                    mean: Some(rng.normal(1e-4)),
                    median: Some(rng.normal(1e-4)),
                    share_positive: Some(0.5 + rng.normal(0.01)),
                    sd: Some(0.02 + rng.normal(1e-4)),
                });
            }
        }
    }
    // About 1.2 test rows per event (day, car and portfolio tests by cluster).
    let tests = events * 6 / 5;
    for k in 0..tests {
        t.tests.push(TestRow {
            group: "all".into(),
            scope: evstudy::stats::Scope::Day,
            window: None,
            rel_day: Some((k % 26) as i32 - 5),
            test: evstudy::stats::TestKind::PortfolioT,
            statistic: Some(rng.normal(1.0)),
            p_value: Some(rng.uniform()),
            df: Some((k % 300) as f64),
            n: 50,
            cluster: Some(format!("PF:{}", start + chrono::Duration::days((k / 26) as i64)).into()),
            extras: Vec::new(),
        });
    }
    t
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, 100 ticks/s),
/// `None` elsewhere.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn bench_write(c: &mut Criterion) {
    let events = env_usize("EVSTUDY_BENCH_EVENTS", 50_000);
    let tables = synthetic_tables(events);
    let mut g = c.benchmark_group("write");
    g.sample_size(10);

    g.throughput(Throughput::Elements(tables.abnormal_returns.len() as u64));
    g.bench_function("csv/abnormal_returns", |b| {
        b.iter(|| abnormal_returns_csv(&tables.abnormal_returns).len())
    });
    g.throughput(Throughput::Elements(tables.cars.len() as u64));
    g.bench_function("csv/cars", |b| b.iter(|| cars_csv(&tables.cars).len()));
    g.throughput(Throughput::Elements(tables.model_fits.len() as u64));
    g.bench_function("csv/model_fits", |b| {
        b.iter(|| model_fits_csv(&tables.model_fits).len())
    });
    g.throughput(Throughput::Elements(tables.tests.len() as u64));
    g.bench_function("csv/tests", |b| b.iter(|| tests_csv(&tables.tests).len()));
    g.throughput(Throughput::Elements(tables.day0.len() as u64));
    g.bench_function("csv/day0_mapping", |b| {
        b.iter(|| day0_csv(&tables.day0).len())
    });

    g.throughput(Throughput::Elements(tables.abnormal_returns.len() as u64));
    g.bench_function("parquet/to_dataframes", |b| {
        b.iter(|| to_dataframes(&tables).unwrap().len())
    });
    let frames = to_dataframes(&tables).unwrap();
    for (name, df) in &frames {
        if df.height() < 10_000 {
            continue;
        }
        g.throughput(Throughput::Elements(df.height() as u64));
        g.bench_function(format!("parquet/{name}"), |b| {
            b.iter(|| parquet_bytes(name, df).unwrap().len())
        });
    }

    let dir = tempfile::tempdir().unwrap();
    let json = serde_json::json!({"model": "market_model"});
    // One timed run with its CPU time: CPU / wall shows how many cores the writing keeps busy.
    for _ in 0..3 {
        let (cpu0, t) = (process_cpu_seconds(), std::time::Instant::now());
        write_outputs(
            &dir.path().join("out"),
            &tables,
            &[OutputFormat::Csv, OutputFormat::Parquet],
            &json,
        )
        .unwrap();
        let wall = t.elapsed().as_secs_f64();
        if let (Some(a), Some(b)) = (cpu0, process_cpu_seconds()) {
            eprintln!(
                "write_outputs csv+parquet: wall {wall:.3} s, cpu {:.2} s, {:.2} cores busy",
                b - a,
                (b - a) / wall
            );
        }
    }
    g.throughput(Throughput::Elements(tables.abnormal_returns.len() as u64));
    for (label, formats) in [
        ("csv", vec![OutputFormat::Csv]),
        ("parquet", vec![OutputFormat::Parquet]),
        (
            "csv+parquet",
            vec![OutputFormat::Csv, OutputFormat::Parquet],
        ),
    ] {
        g.bench_function(format!("write_outputs/{label}"), |b| {
            b.iter(|| {
                write_outputs(&dir.path().join("out"), &tables, &formats, &json)
                    .unwrap()
                    .len()
            })
        });
    }

    let mut rng = Draws(7);
    let numbers: Vec<f64> = (0..1_000_000).map(|_| rng.normal(0.02)).collect();
    g.throughput(Throughput::Elements(numbers.len() as u64));
    g.bench_function("format_g17/1M", |b| {
        b.iter(|| numbers.iter().map(|&x| format_g17(x).len()).sum::<usize>())
    });
    g.bench_function("write_g17/1M", |b| {
        let mut buf = String::with_capacity(32 << 20);
        b.iter(|| {
            buf.clear();
            for &x in &numbers {
                write_g17(&mut buf, x);
                buf.push(',');
            }
            buf.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_write);
criterion_main!(benches);
