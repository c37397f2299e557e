//! Benchmark of the Monte Carlo size/power simulation (`evstudy::simulate`): 1,000
//! replications × 200 event–security pairs, default design (market model, estimation
//! [−250, −11], windows −1:1, 0:0, −5:5, 0:20, 400-session calendar), independent and
//! clustered day 0. Target: under 10 s on 2 cores.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use evstudy::simulate::{simulate, EventClustering, SimulationConfig};

fn bench_simulate(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate_1000x200");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(60));
    for (name, clustering) in [
        ("independent", EventClustering::Independent),
        ("clustered", EventClustering::Clustered),
    ] {
        let cfg = SimulationConfig {
            scenario: name.to_string(),
            replications: 1000,
            pairs: 200,
            clustering,
            common_factor_weight: 0.1,
            ..Default::default()
        };
        group.bench_function(name, |b| {
            b.iter(|| black_box(simulate(black_box(&cfg)).expect("valid configuration")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_simulate);
criterion_main!(benches);
