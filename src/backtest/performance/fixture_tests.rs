//! Every metric of [`performance`](super::performance) against numpy on the 300-day fixture of
//! `tests/fixtures/backtest/` (inputs.csv, trades.csv → expected_metrics.csv).

use super::fixture::Csv;
use super::{performance, periods_per_year, PerformanceInput};
use crate::backtest::PerfMetric;
use approx::assert_relative_eq;

#[test]
fn every_metric_matches_numpy() {
    let inputs = Csv::read("inputs.csv");
    let trades = Csv::read("trades.csv").f64s("trade_return");
    let expected = Csv::read("expected_metrics.csv");
    let positions: Vec<u32> = inputs.f64s("positions").iter().map(|p| *p as u32).collect();
    let (r, b, rf) = (inputs.f64s("ret"), inputs.f64s("bench"), inputs.f64s("rf"));
    let turnover = inputs.f64s("turnover");
    let p = periods_per_year(&inputs.dates("date"));
    let input = PerformanceInput {
        returns: &r,
        benchmark: Some(&b),
        risk_free: Some(&rf),
        positions: &positions,
        turnover: &turnover,
        trade_returns: &trades,
        periods_per_year: p,
    };
    let got = performance(&input);
    let mut checked = 0;
    for row in &expected.rows {
        let name = expected.text(row, "metric");
        let want = expected.cell(row, "value").expect("expected value");
        if name == "periods_per_year" {
            assert_relative_eq!(p, want, max_relative = 1e-14);
            continue;
        }
        let metric: PerfMetric = name.parse().expect("metric name");
        let m = got[metric.position()];
        assert_eq!(m.metric, metric);
        assert_relative_eq!(m.value.expect(name), want, max_relative = 1e-10);
        match expected.cell(row, "std_error") {
            Some(se) => assert_relative_eq!(m.std_error.expect(name), se, max_relative = 1e-10),
            None => assert_eq!(m.std_error, None, "{name}"),
        }
        checked += 1;
    }
    assert_eq!(checked, PerfMetric::ALL.len());
}

#[test]
fn benchmark_metrics_are_none_without_a_benchmark() {
    let input = PerformanceInput {
        returns: &[0.01, -0.01, 0.02],
        benchmark: None,
        risk_free: None,
        positions: &[0, 0, 0],
        turnover: &[0.0; 3],
        trade_returns: &[],
        periods_per_year: 252.0,
    };
    let got = performance(&input);
    for metric in [
        PerfMetric::Beta,
        PerfMetric::JensenAlpha,
        PerfMetric::TrackingError,
        PerfMetric::InformationRatio,
        PerfMetric::HitRate,
        PerfMetric::ProfitFactor,
        PerfMetric::AvgTrade,
    ] {
        assert_eq!(got[metric.position()].value, None, "{metric}");
    }
    assert_eq!(got[PerfMetric::Exposure.position()].value, Some(0.0));
}
