//! Ingest benchmark: a generated long panel (default 5,000 tickers × 2,520 days = 12.6 M rows)
//! read from CSV and from Parquet with `evstudy::data::read_prices`.
//!
//! `cargo bench --bench ingest`; set `EVSTUDY_BENCH_TICKERS` / `EVSTUDY_BENCH_DAYS` for other
//! sizes. Throughput is reported in rows per second (criterion "elements").

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evstudy::data::{read_prices, PriceSource};
use polars::prelude::*;
use std::io::Write;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench_ingest(c: &mut Criterion) {
    let tickers = env_usize("EVSTUDY_BENCH_TICKERS", 5_000);
    let days = env_usize("EVSTUDY_BENCH_DAYS", 2_520);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("panel.csv");
    let pq = dir.path().join("panel.parquet");
    // Deterministic prices from a tiny LCG.
    let start = chrono::NaiveDate::from_ymd_opt(2015, 1, 2).unwrap();
    let dates: Vec<chrono::NaiveDate> = (0..days)
        .map(|i| start + chrono::Duration::days(i as i64))
        .collect();
    let mut state = 42u64;
    let mut col_date = Vec::with_capacity(tickers * days);
    let mut col_ticker: Vec<String> = Vec::with_capacity(tickers * days);
    let mut col_close = Vec::with_capacity(tickers * days);
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        writeln!(w, "date,ticker,close").unwrap();
        for t in 0..tickers {
            let name = format!("T{t:05}");
            let mut p = 100.0f64;
            for d in &dates {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = ((state >> 11) as f64) / ((1u64 << 53) as f64) - 0.5;
                p *= 1.0 + 0.02 * u;
                writeln!(w, "{d},{name},{p:.4}").unwrap();
                col_date.push(*d);
                col_ticker.push(name.clone());
                col_close.push((p * 1e4).round() / 1e4);
            }
        }
    }
    let mut df = DataFrame::new_infer_height(vec![
        DateChunked::from_naive_date(PlSmallStr::from("date"), col_date)
            .into_series()
            .into(),
        Column::new("ticker".into(), col_ticker),
        Column::new("close".into(), col_close),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut df)
        .unwrap();
    drop(df);
    let rows = (tickers * days) as u64;
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows));
    g.bench_function(format!("csv_{tickers}x{days}"), |b| {
        b.iter(|| {
            let panel = read_prices(&PriceSource::new(&csv)).unwrap();
            assert_eq!(panel.len(), tickers);
        })
    });
    g.bench_function(format!("parquet_{tickers}x{days}"), |b| {
        b.iter(|| {
            let panel = read_prices(&PriceSource::new(&pq)).unwrap();
            assert_eq!(panel.len(), tickers);
        })
    });
    g.finish();
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
