//! Tests of the backtest report on small hand-built tables.

use chrono::NaiveDate;

use super::trades::largest_trades;
use super::*;
use crate::backtest::tables::{BacktestExclusionRow, DailyRow, PathRow, PlaceboRow, TradeRow};
use crate::backtest::{BacktestReason, Direction, PricePoint};
use crate::report::tests::assert_well_formed;
use crate::tables::{AggregateRow, StudyTables};

const HOSTILE: &str = "<script>alert('x')</script>&";

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
}

fn trade(event_id: &str, net: Option<f64>) -> TradeRow {
    TradeRow {
        event_id: event_id.to_string(),
        security: "0981.HK".to_string(),
        category: "export_control".to_string(),
        direction: Direction::Long,
        event_instant_utc: "2024-01-01T21:00Z".to_string(),
        entry_date: Some(date(2)),
        entry_point: PricePoint::Open,
        entry_instant_utc: "2024-01-02T01:30Z".to_string(),
        entry_price: Some(20.0),
        entry_rel_day: Some(0),
        exit_date: Some(date(4)),
        exit_point: PricePoint::Close,
        exit_price: Some(20.5),
        exit_rel_day: Some(2),
        sessions_held: 3,
        weight: Some(0.5),
        gross_return: net.map(|n| n + 0.002),
        net_return: net,
        car_held: Some(0.011),
        car_day0_to_exit: Some(0.015),
        timing_gap: Some(0.004),
        note: "entry moved: limit-locked open".to_string(),
    }
}

fn daily(d: u32, equity: [f64; 2], benchmark_return: f64, positions: u32) -> DailyRow {
    DailyRow {
        date: Some(date(d)),
        gross_return: None,
        net_return: None,
        benchmark_return: Some(benchmark_return),
        positions,
        gross_exposure: Some(1.0),
        net_exposure: Some(1.0),
        equity_gross: Some(equity[0]),
        equity_net: Some(equity[1]),
        drawdown: Some(0.0),
    }
}

fn metric_row(basis: ReturnBasis, metric: PerfMetric, value: f64, se: Option<f64>) -> MetricRow {
    MetricRow {
        basis,
        metric,
        value: Some(value),
        std_error: se,
    }
}

fn alpha(basis: ReturnBasis, se_kind: SeKind, coef: f64, t: f64, p: f64) -> AlphaRow {
    AlphaRow {
        basis,
        model: FactorModel::Capm,
        se_kind,
        term: "alpha".to_string(),
        coef: Some(coef),
        std_error: Some(coef / t),
        t: Some(t),
        p_value: Some(p),
        r2: Some(0.25),
        n_days: 3,
        lags: (se_kind == SeKind::NeweyWest).then_some(2),
    }
}

/// Three portfolio days; two trades (one with a hostile event id); metrics, a CAPM alpha, a
/// placebo row, a path and an exclusion.
fn tables() -> BacktestTables {
    use PerfMetric::*;
    use ReturnBasis::*;
    BacktestTables {
        trades: vec![trade("E1", Some(0.0123)), trade(HOSTILE, Some(-0.004))],
        daily: vec![
            daily(2, [1.012, 1.01], -0.004, 1),
            daily(3, [1.035, 1.03], 0.01, 2),
            daily(4, [1.028, 1.022], -0.005, 1),
        ],
        metrics: vec![
            metric_row(Gross, TotalReturn, 0.028, None),
            metric_row(Net, TotalReturn, 0.022, None),
            metric_row(Net, Cagr, 0.5123456, None),
            metric_row(Net, Sharpe, 1.23456, Some(0.56789)),
            metric_row(Net, MaxDrawdown, -0.0077669, None),
            metric_row(Net, HitRate, 0.5, None),
        ],
        alpha: vec![
            alpha(Net, SeKind::Ols, 0.000123, 2.5, 0.012),
            alpha(Net, SeKind::NeweyWest, 0.000123, 3.1, 0.0021),
        ],
        placebo: vec![PlaceboRow {
            statistic: "sharpe".to_string(),
            observed: Some(1.23456),
            placebo_mean: Some(0.1),
            placebo_sd: Some(0.4),
            p_value: Some(0.031),
            k: 999,
        }],
        path: vec![
            PathRow {
                rel_day: 0,
                n: 2,
                mean_cum_return: Some(0.002),
            },
            PathRow {
                rel_day: 1,
                n: 2,
                mean_cum_return: Some(0.006),
            },
        ],
        exclusions: vec![BacktestExclusionRow {
            event_id: HOSTILE.to_string(),
            security: "688256.SS".to_string(),
            reason: BacktestReason::NoFill,
            detail: "limit-locked open".to_string(),
        }],
    }
}

fn study() -> StudyTables {
    let ar = |day: i32, mean: f64| AggregateRow {
        group: "all".into(),
        metric: crate::stats::Metric::Ar,
        window: None,
        rel_day: Some(day),
        n: 2,
        mean: Some(mean),
        median: None,
        share_positive: None,
        sd: Some(0.01),
    };
    StudyTables {
        aggregate: vec![ar(-1, 0.001), ar(0, 0.01), ar(1, 0.002)],
        ..StudyTables::default()
    }
}

/// The `<main>` element of a report page (the part built from the blocks).
fn main_of(html: &str) -> &str {
    let start = html.find("<main>").expect("<main>");
    let end = html.find("</main>").expect("</main>") + "</main>".len();
    &html[start..end]
}

fn render() -> crate::report::Report {
    render_backtest_report(
        &tables(),
        &study(),
        &serde_json::json!({"hold": 5}),
        "Backtest <t>",
    )
}

#[test]
fn sections_come_in_order_answer_first() {
    let r = render();
    let headings: Vec<&str> = r
        .markdown
        .lines()
        .filter(|l| l.starts_with("## "))
        .collect();
    assert_eq!(
        headings,
        [
            "## Headline",
            "## Charts",
            "## Calendar-time alpha",
            "## Trades",
            "## Events not traded",
            "## Study configuration"
        ]
    );
    let names: Vec<&str> = r.svgs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "fig01_equity_curves.svg",
            "fig02_drawdown_net.svg",
            "fig03_positions_open.svg",
            "fig04_trades_net_returns.svg",
            "fig05_path_caar_vs_trade.svg"
        ]
    );
    assert_well_formed(main_of(&r.html));
    for (name, svg) in &r.svgs {
        assert!(svg.starts_with("<svg xmlns="), "{name}");
        assert_well_formed(svg);
    }
}

#[test]
fn numbers_are_percent_and_rounded() {
    let md = render().markdown;
    // Total return gross 2.8 %, net 2.2 %.
    assert!(md.contains("| total return | 2.800% | 2.200% |"), "{md}");
    // Sharpe 1.23456 ± 0.56789 → 4 significant digits; no gross Sharpe.
    assert!(
        md.contains("| Sharpe ratio ± standard error |  | 1.235 ± 0.5679 |"),
        "{md}"
    );
    // Alpha 0.000123 a day = 0.0123 %; p 0.0021 < 0.01 → three (escaped) stars.
    assert!(
        md.contains(
            "| CAPM alpha per day (Newey–West t, p) |  | 0.01230%\\*\\*\\* (t 3.100, p 0.002100) |"
        ),
        "{md}"
    );
    assert!(md.contains("| trades | 2 | 2 |"));
    // Trade row: net 1.23 %, CAR held 1.1 %, timing gap 0.4 %.
    assert!(md.contains("| E1 | 0981.HK | long | 2024-01-02 open @ 20.00 | 2024-01-04 close @ 20.50 | 3 | 50.00% | 1.430% | 1.230% | 1.100% | 0.4000% | entry moved: limit-locked open |"), "{md}");
    assert!(md.contains("| no_fill | 1 |"));
    assert!(md.contains("| sharpe | 1.235 | 0.1000 | 0.4000 | 0.03100\\*\\* | 999 |"));
}

#[test]
fn the_sentence_is_generated_from_the_numbers() {
    let md = render().markdown;
    let expected = "Net of costs, the 2 trades returned 2.200% in total (51.23% a year), against \
                    2.800% before costs. The strategy had a Sharpe ratio of 1.235 ± 0.5679, a \
                    maximum drawdown of -0.7767% and 50.00% of trades made money. The net CAPM \
                    alpha is 0.01230% a day (Newey–West t = 3.100, p = 0.002100, 3 days): \
                    significant at the 1% level. Against 999 placebo calendars, p = 0.03100 for \
                    sharpe.";
    assert!(md.contains(expected), "{md}");
    let empty = render_backtest_report(
        &BacktestTables::default(),
        &StudyTables::default(),
        &serde_json::json!({}),
        "t",
    );
    assert!(empty
        .markdown
        .contains("No event traded (0 event–security pair(s)"));
}

#[test]
fn three_day_equity_curve_has_the_expected_points() {
    let r = render();
    let svg = &r.svgs[0].1;
    // Values (equity − 1): gross 1.2 %, 3.5 %, 2.8 %; net 1 %, 3 %, 2.2 %; benchmark
    // −0.4 %, 0.596 %, 0.09302 %. The axis covers [−0.4 %, 3.5 %] and 0 in steps of 1 %:
    // [−1 %, 4 %]. The frame runs x 76 → 716 (three dates: 76, 396, 716) and y 304 → 60, so
    // y(v) = 304 − (v + 0.01) / 0.05 · 244 = 304 − (v + 0.01) · 4880.
    // Net: 304 − 0.02 · 4880 = 206.40, 304 − 0.04 · 4880 = 108.80, 304 − 0.032 · 4880 = 147.84.
    assert!(
        svg.contains("<polyline class=\"net\" points=\"76.00,206.40 396.00,108.80 716.00,147.84\""),
        "{svg}"
    );
    // Gross: 304 − 0.022 · 4880 = 196.64, 304 − 0.045 · 4880 = 84.40, 304 − 0.038 · 4880 = 118.56.
    assert!(svg
        .contains("<polyline class=\"gross\" points=\"76.00,196.64 396.00,84.40 716.00,118.56\""));
    // Benchmark: 304 − 0.006 · 4880 = 274.72; 0.996 · 1.01 − 1 = 0.00596 → 304 − 0.01596 · 4880
    // = 226.12; 1.00596 · 0.995 − 1 = 0.0009302 → 304 − 0.0109302 · 4880 = 250.66.
    assert!(svg.contains(
        "<polyline class=\"benchmark\" points=\"76.00,274.72 396.00,226.12 716.00,250.66\""
    ));
    assert!(svg.contains(">2024-01-02</text>") && svg.contains(">2024-01-04</text>"));
}

#[test]
fn positions_step_and_caar_beside_the_trade_path() {
    let r = render();
    // Positions 1, 2, 1: the nice axis over [0, 2] in steps of 0.5 ends at 2.5, rounded up to
    // whole steps: 0–3. y 244 → 40, y(n) = 244 − n · 68.
    assert!(r.svgs[2].1.contains(
        "<polyline class=\"positions\" points=\"76.00,176.00 396.00,176.00 396.00,108.00 716.00,108.00 716.00,176.00\""
    ));
    // CAAR = Σ AAR: 0.1 %, 1.1 %, 1.3 % on days −1, 0, 1; trade path 0.2 %, 0.6 % on days 0, 1.
    let path = &r.svgs[4].1;
    assert!(path.contains("<title>day 1: CAAR 1.300%</title>"), "{path}");
    assert!(path.contains("<title>day 0: average trade 0.2000%</title>"));
    assert_eq!(path.matches("<polyline class=\"caar\"").count(), 1);
    assert_eq!(path.matches("<polyline class=\"trade\"").count(), 1);
}

#[test]
fn hostile_event_ids_are_escaped() {
    let r = render();
    assert!(!r.html.contains("<script>"));
    assert!(r
        .html
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"));
    assert!(r.html.contains("<title>Backtest &lt;t&gt;</title>"));
    assert_well_formed(main_of(&r.html));
}

#[test]
fn many_trades_show_the_largest_by_absolute_net_return() {
    // Net returns alternate in sign and grow in size: trade k has |net| = k / 10,000.
    let trades: Vec<TradeRow> = (1..=250)
        .map(|k| {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            trade(&format!("E{k}"), Some(sign * k as f64 / 10_000.0))
        })
        .chain(std::iter::once(trade("NA", None)))
        .collect();
    let shown = largest_trades(&trades, 200);
    assert_eq!(shown.len(), 200);
    assert_eq!(shown[0].event_id, "E250");
    assert_eq!(shown[1].event_id, "E249");
    assert_eq!(shown[199].event_id, "E51");
    assert_eq!(largest_trades(&trades[..3], 200).len(), 3);
    let bt = BacktestTables { trades, ..tables() };
    let md = render_backtest_report(&bt, &study(), &serde_json::json!({}), "t").markdown;
    assert!(md.contains("The 200 largest of 251 trades by absolute net return"));
}

#[test]
fn rarest_exclusion_reason_first_and_placebo_alpha_in_percent() {
    let excluded = |event: &str, reason| BacktestExclusionRow {
        event_id: event.to_string(),
        security: "^HSI".to_string(),
        reason,
        detail: String::new(),
    };
    let mut bt = tables();
    bt.exclusions
        .push(excluded("E2", BacktestReason::ExcludedByStudy));
    bt.exclusions
        .push(excluded("E3", BacktestReason::ExcludedByStudy));
    bt.placebo.push(PlaceboRow {
        statistic: "alpha_capm_net".to_string(),
        observed: Some(0.000047),
        placebo_mean: Some(0.0009),
        placebo_sd: Some(0.001),
        p_value: Some(0.98),
        k: 199,
    });
    let md = render_backtest_report(&bt, &study(), &serde_json::json!({}), "t").markdown;
    let counts = "| reason | pairs |\n| --- | ---: |\n| no_fill | 1 |\n| excluded_by_study | 2 |\n";
    assert!(md.contains(counts), "{md}");
    assert!(md.contains("| alpha_capm_net | 0.004700% | 0.09000% | 0.1000% | 0.9800 | 199 |"));
}

#[test]
fn thinly_held_days_of_the_trade_path_are_not_drawn() {
    let day = |rel_day, n, v| PathRow {
        rel_day,
        n,
        mean_cum_return: Some(v),
    };
    let bt = BacktestTables {
        // Peak 20 positions: days held by fewer than 2 (10 %) are left out.
        path: vec![day(0, 20, 0.01), day(1, 2, 0.02), day(2, 1, 0.5)],
        ..tables()
    };
    let r = render_backtest_report(&bt, &study(), &serde_json::json!({}), "t");
    let path = &r.svgs[4].1;
    assert!(path.contains("<title>day 1: average trade 2.000%</title>"));
    assert!(!path.contains("day 2: average trade"));
    assert!(r
        .markdown
        .contains("Days with fewer than 2 open positions (10% of the most"));
}
