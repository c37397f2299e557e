use super::*;
use approx::assert_abs_diff_eq;

/// A short design that runs fast: 200 sessions, estimation [−150, −11], windows 0:0 and −1:1.
fn small(scenario: &str, replications: usize, pairs: usize) -> SimulationConfig {
    SimulationConfig {
        scenario: scenario.into(),
        seed: 7,
        replications,
        pairs,
        days: 200,
        estimation: Window {
            start: -150,
            end: -11,
        },
        windows: vec![Window { start: 0, end: 0 }, Window { start: -1, end: 1 }],
        min_estimation_returns: 100,
        ..Default::default()
    }
}

fn rate(res: &SimulationResult, test: &str, scope: &str, window: &str, level: f64) -> f64 {
    res.rows
        .iter()
        .find(|r| {
            r.test == test
                && r.scope == scope
                && r.window == window
                && (r.level - level).abs() < 1e-12
        })
        .and_then(|r| r.rejection_rate)
        .unwrap_or_else(|| panic!("no rate for {test} {scope} {window} {level}"))
}

#[test]
fn parametric_tests_hold_size_under_independent_normal_events() {
    let res = simulate(&small("independent", 2000, 30)).unwrap();
    assert_eq!(res.replications, 2000);
    for test in ["csect_t", "patell_z", "bmp_t"] {
        let p = rate(&res, test, "day", "0", 0.05);
        eprintln!("size {test}: {p}");
        assert!((0.03..=0.07).contains(&p), "{test}: size {p}");
        let row = res
            .rows
            .iter()
            .find(|r| r.test == test && r.scope == "day" && r.level == 0.05)
            .unwrap();
        assert_eq!(row.replications, 2000);
        assert_abs_diff_eq!(
            row.mc_se.unwrap(),
            (p * (1.0 - p) / 2000.0).sqrt(),
            epsilon = 1e-15
        );
    }
    // every pair is analysed without missing data
    assert_abs_diff_eq!(res.mean_events, 30.0, epsilon = 1e-12);
}

#[test]
fn clustering_with_a_common_factor_inflates_bmp_but_not_adjusted_bmp() {
    let cfg = SimulationConfig {
        clustering: EventClustering::Clustered,
        common_factor_weight: 0.2,
        ..small("clustered", 1000, 30)
    };
    let res = simulate(&cfg).unwrap();
    let bmp = rate(&res, "bmp_t", "day", "0", 0.05);
    let adj = rate(&res, "adj_bmp_t", "day", "0", 0.05);
    eprintln!(
        "clustered: bmp_t {bmp}, adj_bmp_t {adj}, r̄ {}",
        res.mean_rbar
    );
    assert!(bmp > 0.10, "bmp_t {bmp}");
    assert!(adj < 0.08, "adj_bmp_t {adj}");
    // r̄ recovers the residual correlation w = 0.2 on average (market-model residuals)
    assert!(
        (res.mean_rbar - 0.2).abs() < 0.03,
        "mean r̄ {}",
        res.mean_rbar
    );
}

#[test]
fn one_percent_day0_shift_is_detected_by_the_parametric_tests() {
    let cfg = SimulationConfig {
        effect: Effect::MeanShift { day0: 0.01 },
        ..small("shift", 400, 50)
    };
    let res = simulate(&cfg).unwrap();
    for test in ["csect_t", "patell_z", "bmp_t", "adj_bmp_t"] {
        let p = rate(&res, test, "day", "0", 0.05);
        eprintln!("power {test}: {p}");
        assert!(p > 0.80, "{test}: power {p}");
    }
    // power grows with the level
    let (p1, p5, p10) = (
        rate(&res, "csect_t", "day", "0", 0.01),
        rate(&res, "csect_t", "day", "0", 0.05),
        rate(&res, "csect_t", "day", "0", 0.10),
    );
    assert!(p1 <= p5 && p5 <= p10);
}

#[test]
fn same_seed_gives_identical_rows_whatever_the_thread_count() {
    let cfg = small("det", 40, 12);
    let a = simulate(&cfg).unwrap();
    let b = simulate(&cfg).unwrap();
    assert_eq!(a, b);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let c = one_thread.install(|| simulate(&cfg).unwrap());
    assert_eq!(a, c);
    let other = simulate(&SimulationConfig { seed: 8, ..cfg }).unwrap();
    assert_ne!(a.rows, other.rows);
}

#[test]
fn rows_cover_every_test_scope_and_level() {
    let res = simulate(&small("cover", 5, 10)).unwrap();
    // day 0 and two windows × 12 tests, plus 2 bhar tests per window, × 3 levels
    assert_eq!(res.rows.len(), (12 + 2 * 12 + 2 * 2) * 3);
    assert_eq!(res.rows[0].scope, "day");
    assert_eq!(res.rows[0].test, "csect_t");
    assert_eq!(res.rows[0].level, 0.01);
    assert_eq!(res.rows[3].test, "cda_t");
    let windows: Vec<&str> = res
        .rows
        .iter()
        .filter(|r| r.scope == "car")
        .map(|r| r.window.as_str())
        .collect();
    assert_eq!(windows[0], "0:0");
    assert_eq!(windows[windows.len() - 1], "-1:1");
    assert!(res.rows.iter().all(|r| r.scenario == "cover"));
}

#[test]
fn rejection_counts_follow_p_below_alpha() {
    let mut c = RejectionCounts::new(2);
    c.add(&[Some(0.005), None]);
    c.add(&[Some(0.05), Some(0.09)]); // p = α is not a rejection
    c.add(&[Some(0.5), Some(0.0)]);
    assert_eq!(c.available, vec![3, 2]);
    assert_eq!(c.rejected[0], [1, 1, 2]);
    assert_eq!(c.rejected[1], [1, 1, 2]);
    let (p, se) = rejection_rate(2, 3);
    assert_abs_diff_eq!(p.unwrap(), 2.0 / 3.0, epsilon = 1e-15);
    assert_abs_diff_eq!(se.unwrap(), (2.0f64 / 9.0 / 3.0).sqrt(), epsilon = 1e-15);
}

#[test]
fn effects_change_only_the_event_days() {
    let base = small("base", 1, 4);
    let none = generate_replication(&base, 3).unwrap();
    let shift = generate_replication(
        &SimulationConfig {
            effect: Effect::MeanShift { day0: 0.01 },
            ..base.clone()
        },
        3,
    )
    .unwrap();
    let win = generate_replication(
        &SimulationConfig {
            effect: Effect::WindowShift { per_day: 0.002 },
            ..base.clone()
        },
        3,
    )
    .unwrap();
    let var = generate_replication(
        &SimulationConfig {
            effect: Effect::VarianceIncrease { factor: 4.0 },
            ..base.clone()
        },
        3,
    )
    .unwrap();
    assert_eq!(none.day0, shift.day0);
    for i in 0..4 {
        let d0 = none.day0[i];
        let (a, s, w, v) = (
            &none.series[i].ret,
            &shift.series[i].ret,
            &win.series[i].ret,
            &var.series[i].ret,
        );
        let m = &none.series[i].bench;
        assert!(a[d0 - 151].is_nan() && !a[d0 - 150].is_nan() && !a[d0 + 1].is_nan());
        for t in d0 - 150..=d0 + 1 {
            let in_h = t + 1 >= d0 && t <= d0 + 1;
            assert_abs_diff_eq!(
                s[t] - a[t],
                if t == d0 { 0.01 } else { 0.0 },
                epsilon = 1e-15
            );
            assert_abs_diff_eq!(w[t] - a[t], if in_h { 0.002 } else { 0.0 }, epsilon = 1e-15);
            // idiosyncratic part doubles (variance × 4) on H, unchanged elsewhere
            let beta = none.beta[i];
            let ratio = (v[t] - beta * m[t]) / (a[t] - beta * m[t]);
            assert_abs_diff_eq!(ratio, if in_h { 2.0 } else { 1.0 }, epsilon = 1e-9);
        }
    }
}

#[test]
fn generated_returns_have_the_configured_moments() {
    // one long calendar: residual correlation w, idiosyncratic σ_i, β_i, missing share
    let cfg = SimulationConfig {
        pairs: 2,
        days: 20_000,
        estimation: Window {
            start: -19_990,
            end: -11,
        },
        windows: vec![Window { start: 0, end: 0 }],
        beta_range: (0.8, 1.2),
        sigma_range: (0.02, 0.02),
        common_factor_weight: 0.3,
        missing_share: 0.1,
        shocks: ShockDistribution::StudentT { df: 5.0 },
        ..Default::default()
    };
    let data = generate_replication(&cfg, 0).unwrap();
    let m = &data.series[0].bench;
    let resid = |i: usize| -> Vec<f64> {
        data.series[i]
            .ret
            .iter()
            .zip(m.iter())
            .map(|(r, mk)| r - data.beta[i] * mk)
            .collect()
    };
    let (x, y) = (resid(0), resid(1));
    let crate::stats::CommonCorrelation { n_common: n, r } =
        crate::stats::correlation::pair_correlation(&x, &y, 30);
    assert!(n > 12_000); // ≈ 20 000·0.81²
    assert_abs_diff_eq!(r.unwrap(), 0.3, epsilon = 0.03);
    // share of missing returns: 1 − (1 − q)² = 0.19
    let d0 = data.day0[0];
    let drawn = &data.series[0].ret[d0 - 19_990..=d0];
    let miss = drawn.iter().filter(|v| v.is_nan()).count() as f64 / drawn.len() as f64;
    assert_abs_diff_eq!(miss, 0.19, epsilon = 0.015);
    let spans_ok = data.series[0]
        .ret
        .iter()
        .zip(&data.series[0].span)
        .all(|(r, &s)| (s == 0) == r.is_nan());
    assert!(spans_ok);
    // residual sd = σ_i (unit-variance t shocks)
    let v: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
    assert_abs_diff_eq!(sd, 0.02, epsilon = 0.0008);
    assert!((0.8..1.2).contains(&data.beta[0]));
}

#[test]
fn clustered_pairs_share_day0_and_independent_ones_spread() {
    let c = generate_replication(
        &SimulationConfig {
            clustering: EventClustering::Clustered,
            ..small("c", 1, 20)
        },
        1,
    )
    .unwrap();
    assert!(c.day0.iter().all(|&d| d == c.day0[0]));
    let i = generate_replication(&small("i", 1, 20), 1).unwrap();
    let (lo, hi) = small("i", 1, 20).day0_range().unwrap();
    assert_eq!((lo, hi), (150, 198));
    assert!(i.day0.iter().all(|&d| (lo..=hi).contains(&d)));
    assert!(i.day0.iter().any(|&d| d != i.day0[0]));
}

#[test]
fn invalid_configurations_are_config_errors() {
    let ok = small("x", 1, 5);
    let cases = [
        SimulationConfig {
            replications: 0,
            ..ok.clone()
        },
        SimulationConfig {
            pairs: 1,
            ..ok.clone()
        },
        SimulationConfig {
            days: 150,
            ..ok.clone()
        },
        SimulationConfig {
            windows: vec![],
            ..ok.clone()
        },
        SimulationConfig {
            windows: vec![Window { start: -20, end: 0 }],
            ..ok.clone()
        },
        SimulationConfig {
            sigma_range: (0.0, 0.02),
            ..ok.clone()
        },
        SimulationConfig {
            beta_range: (1.0, 0.5),
            ..ok.clone()
        },
        SimulationConfig {
            shocks: ShockDistribution::StudentT { df: 2.0 },
            ..ok.clone()
        },
        SimulationConfig {
            common_factor_weight: 1.0,
            ..ok.clone()
        },
        SimulationConfig {
            missing_share: -0.1,
            ..ok.clone()
        },
        SimulationConfig {
            min_estimation_returns: 2,
            ..ok.clone()
        },
        SimulationConfig {
            effect: Effect::VarianceIncrease { factor: 0.0 },
            ..ok.clone()
        },
        SimulationConfig {
            effect: Effect::MeanShift { day0: f64::NAN },
            ..ok.clone()
        },
    ];
    for (k, cfg) in cases.iter().enumerate() {
        assert!(matches!(simulate(cfg), Err(Error::Config(_))), "case {k}");
    }
    assert!(simulate(&ok).is_ok());
}

/// Writes the committed size table `notebooks-export/simulation/size_table.{csv,svg}` (and
/// the 0:20 CAR chart `size_table_car_0_20.svg`):
/// 1,000 replications × 50 pairs, default design (market model, estimation [−250, −11],
/// windows −1:1, 0:0, −5:5, 0:20, normal shocks), a common non-market factor with residual
/// correlation w = 0.1, and three placements of day 0:
/// * `independent` — per-pair day 0 on a 2,500-session calendar (events spread over ~9 years);
/// * `overlapping` — per-pair day 0 on a 400-session calendar (all day 0 within 130 sessions,
///   so windows of different events overlap in calendar time and some share day 0);
/// * `clustered` — one common day 0 per replication.
///
/// Run with `cargo test --release --lib export_size_table -- --ignored`.
#[test]
#[ignore]
fn export_size_table() {
    let base = SimulationConfig {
        replications: 1000,
        pairs: 50,
        common_factor_weight: 0.1,
        ..Default::default()
    };
    let scenarios = [
        SimulationConfig {
            scenario: "independent".into(),
            days: 2500,
            ..base.clone()
        },
        SimulationConfig {
            scenario: "overlapping".into(),
            ..base.clone()
        },
        SimulationConfig {
            scenario: "clustered".into(),
            clustering: EventClustering::Clustered,
            ..base
        },
    ];
    let mut rows: Vec<RejectionRow> = Vec::new();
    for cfg in &scenarios {
        let res = simulate(cfg).unwrap();
        eprintln!(
            "{}: mean r̄ {}, mean events {}",
            res.scenario, res.mean_rbar, res.mean_events
        );
        rows.extend(res.rows);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("notebooks-export/simulation");
    write_rejection_outputs(&dir, "size_table", &rows).unwrap();
    let car_0_20 = rejection_chart_svg(&rows, "car", "0:20", 0.05);
    crate::output::write_atomic(&dir.join("size_table_car_0_20.svg"), car_0_20.as_bytes()).unwrap();
}

#[test]
fn bootstrap_rows_only_when_asked_and_na_with_one_event_date() {
    use crate::stats::{BootstrapSettings, BootstrapWeights};
    let boot = Some(BootstrapSettings {
        replications: 99,
        seed: 3,
        weights: BootstrapWeights::Rademacher,
    });
    let plain = simulate(&small("plain", 5, 10)).unwrap();
    assert!(plain.rows.iter().all(|r| r.test != "wild_boot_t"));
    let cfg = SimulationConfig {
        bootstrap: boot,
        ..small("boot", 5, 10)
    };
    let with = simulate(&cfg).unwrap();
    // day 0 and two windows, × 3 levels, after the battery's rows of the same scopes
    let boot_rows: Vec<_> = with
        .rows
        .iter()
        .filter(|r| r.test == "wild_boot_t")
        .collect();
    assert_eq!(boot_rows.len(), 3 * 3);
    assert!(boot_rows.iter().all(|r| r.replications == 5));
    let without_boot: Vec<_> = with
        .rows
        .iter()
        .filter(|r| r.test != "wild_boot_t")
        .cloned()
        .map(|r| RejectionRow {
            scenario: "plain".into(),
            ..r
        })
        .collect();
    assert_eq!(without_boot, plain.rows);
    let clustered = SimulationConfig {
        clustering: EventClustering::Clustered,
        ..cfg
    };
    let one_date = simulate(&clustered).unwrap();
    assert!(one_date
        .rows
        .iter()
        .filter(|r| r.test == "wild_boot_t")
        .all(|r| r.replications == 0 && r.rejection_rate.is_none()));
}

#[test]
fn shared_dates_place_every_pair_on_one_of_g_distinct_positions() {
    let (pairs, g) = (23, 5);
    let cfg = SimulationConfig {
        clustering: EventClustering::SharedDates { dates: g },
        ..small("shared_dates_5", 1, pairs)
    };
    let (lo, hi) = cfg.day0_range().unwrap();
    let mut seen_sets = Vec::new();
    for r in 0..6 {
        let data = generate_replication(&cfg, r).unwrap();
        assert_eq!(data.day0.len(), pairs);
        let mut distinct = data.day0.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), g, "replication {r}: {:?}", data.day0);
        assert!(distinct.iter().all(|d| (lo..=hi).contains(d)));
        for j in 0..pairs - g {
            assert_eq!(data.day0[j], data.day0[j + g], "replication {r}, pair {j}");
        }
        // the first G pairs are on G different dates
        let mut first = data.day0[..g].to_vec();
        first.sort_unstable();
        assert_eq!(first, distinct);
        seen_sets.push(distinct);
    }
    // the dates are drawn per replication
    seen_sets.dedup();
    assert!(seen_sets.len() > 1);
}

#[test]
fn shared_dates_need_between_one_and_pairs_dates() {
    let one = small("shared_dates", 1, 6);
    for (dates, ok) in [(0, false), (1, true), (6, true), (7, false)] {
        let cfg = SimulationConfig {
            clustering: EventClustering::SharedDates { dates },
            ..one.clone()
        };
        assert_eq!(cfg.validate().is_ok(), ok, "dates = {dates}");
        if !ok {
            let err = cfg.validate().unwrap_err().to_string();
            assert!(err.contains("event dates must be in 1..=6"), "{err}");
        }
    }
}
