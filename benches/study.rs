//! End-to-end bench: the whole study — Parquet in, every table out (CSV + Parquet) — on the
//! synthetic benchmark panel of `evstudy::demo::write_benchmark_panel`, market model, windows
//! −1:1, −5:5, 0:20, estimation −250:−11.
//!
//! Default size 5,000 securities × 2,520 days with 50,000 events (issue #4); set
//! `EVSTUDY_BENCH_SECURITIES` / `EVSTUDY_BENCH_EVENTS` for other sizes. Phase timings of one
//! run are printed to stderr first (load, compute, tests, writing).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evstudy::output::{write_outputs, OutputFormat};
use evstudy::study::Study;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench_study(c: &mut Criterion) {
    let securities = env_usize("EVSTUDY_BENCH_SECURITIES", 5_000);
    let events = env_usize("EVSTUDY_BENCH_EVENTS", 10 * securities);
    let dir = tempfile::tempdir().unwrap();
    evstudy::demo::write_benchmark_panel(dir.path(), securities, 2_520, events, 7).unwrap();
    let study = Study::from_toml_file(&dir.path().join("study.toml")).unwrap();
    let out_dir = dir.path().join("out");
    // One run with phase timings.
    let t = std::time::Instant::now();
    let out = study.run().unwrap();
    let run_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    write_outputs(
        &out_dir,
        &out.tables,
        &[OutputFormat::Csv, OutputFormat::Parquet],
        &out.run_info,
    )
    .unwrap();
    let write_s = t.elapsed().as_secs_f64();
    for p in &out.summary.timings {
        eprintln!("phase {:<22} {:>8.3} s", p.phase, p.seconds);
    }
    eprintln!(
        "phase {:<22} {:>8.3} s  (study.run total {:.3} s)",
        "write csv+parquet", write_s, run_s
    );
    drop(out);

    let mut g = c.benchmark_group("study");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events as u64));
    g.bench_function(format!("run_{securities}x2520_{events}ev"), |b| {
        b.iter(|| study.run().unwrap())
    });
    g.bench_function(format!("run_and_write_{securities}x2520_{events}ev"), |b| {
        b.iter(|| {
            let out = study.run().unwrap();
            write_outputs(
                &out_dir,
                &out.tables,
                &[OutputFormat::Csv, OutputFormat::Parquet],
                &out.run_info,
            )
            .unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, bench_study);
criterion_main!(benches);

/// The binary's allocator (mimalloc, default settings), so the benches measure what users
/// run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
