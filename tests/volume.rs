//! The abnormal-volume study (`[volume]`, methodology §5.6) end to end: the numbers of
//! `tests/fixtures/volume/make_fixtures.py` (numpy/scipy) to 1e-10, a hand-worked
//! mean-adjusted case, the `no_volume` exclusion and the CSV round trip.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use evstudy::data::PriceSource;
use evstudy::design::VolumeFile;
use evstudy::output::{read_csv_tables, write_outputs, OutputFormat};
use evstudy::study::{CalendarMode, Study, StudyConfig};
use evstudy::tables::{StudyTables, Table, VolumeTables};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/volume")
}

/// The fixture study without `[volume]`: four securities with volume, one without, the
/// index `index` (a file of the fixture folder), two windows.
fn fixture_config(index: &str) -> StudyConfig {
    let dir = fixtures();
    let mut cfg = StudyConfig::default();
    cfg.calendar = CalendarMode::Data;
    cfg.model = "constant_mean".into();
    cfg.market = Some("IDX".into());
    cfg.prices = vec![
        PriceSource::new(dir.join("prices.csv")),
        PriceSource::new(dir.join("prices_novol.csv")),
        PriceSource::new(dir.join(index)),
    ];
    cfg.events = Some(dir.join("events.csv"));
    cfg.estimation_window = "-60:-11".into();
    cfg.event_windows = vec!["-1:1".into(), "0:3".into()];
    cfg.min_estimation_returns = 30;
    cfg.aggregate_by = vec!["all".into()];
    cfg
}

/// The fixture study of `case`: the index with volume (`market_model_index`) or without.
fn fixture_study(case: &str) -> StudyTables {
    let (model, index, market) = match case {
        "market_model_index" => ("market_model", "index_volume.csv", Some("benchmark")),
        // An index without volume: the equal-weighted market, as by default.
        "market_model_fallback" => ("market_model", "index.csv", Some("benchmark")),
        _ => (case, "index.csv", None),
    };
    let market = market.map(String::from);
    let mut cfg = fixture_config(index);
    cfg.volume = Some(VolumeFile {
        model: model.into(),
        col: None,
        windows: None,
        market,
    });
    Study::new(cfg).run().unwrap().tables
}

/// The header and the rows of a CSV file without quoted cells, each row a map from column
/// name to cell.
fn csv_maps(path: &Path) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

/// The rows of an expected CSV file.
fn expected(model: &str, table: &str) -> Vec<HashMap<String, String>> {
    csv_maps(&fixtures().join(format!("expected_{model}_{table}.csv"))).1
}

/// The rows of a table as written by the CSV writer into `dir`.
fn written<T: Table>(rows: &[T], dir: &Path) -> Vec<HashMap<String, String>> {
    let (header, out) = csv_maps(&dir.join(T::CSV_FILE));
    assert_eq!(header, T::COLUMNS);
    assert_eq!(out.len(), rows.len());
    out
}

/// Every expected row has its row (same keys) with numbers within 1e-10.
fn compare(got: &[HashMap<String, String>], want: &[HashMap<String, String>], keys: &[&str]) {
    assert_eq!(got.len(), want.len());
    for w in want {
        let g = got
            .iter()
            .find(|g| keys.iter().all(|k| g[*k] == w[*k]))
            .unwrap_or_else(|| panic!("no row for {w:?}"));
        for (col, want_cell) in w {
            let got_cell = &g[col];
            match (want_cell.parse::<f64>(), got_cell.parse::<f64>()) {
                (Ok(a), Ok(b)) => assert!(
                    (a - b).abs() <= 1e-10 * a.abs().max(1.0),
                    "{col}: {b} vs {a} in {w:?}"
                ),
                _ => assert_eq!(got_cell, want_cell, "{col} in {w:?}"),
            }
        }
    }
}

fn check_model(case: &str, model: &str) {
    let tables = fixture_study(case);
    let volume = tables.volume.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write_outputs(&out, &tables, &[OutputFormat::Csv], &serde_json::json!({})).unwrap();
    let pair = ["event_id", "security"];
    compare(
        &written(&volume.abnormal, &out),
        &expected(model, "volume_abnormal"),
        &[pair[0], pair[1], "rel_day"],
    );
    compare(
        &written(&volume.cars, &out),
        &expected(model, "volume_cars"),
        &[pair[0], pair[1], "window"],
    );
    compare(
        &written(&volume.aggregate, &out),
        &expected(model, "volume_aggregate"),
        &["group", "metric", "window", "rel_day"],
    );
    compare(
        &written(&volume.tests, &out),
        &expected(model, "volume_tests"),
        &["group", "scope", "window", "rel_day", "test"],
    );
    // The security without volume is an exclusion, never silently missing.
    let e: Vec<_> = tables
        .exclusions
        .iter()
        .filter(|x| x.reason == "no_volume")
        .collect();
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].security.as_str(), e[0].event_id.as_str()), ("E", ""));
    // The incomplete window of E4 is reported as a volume exclusion.
    assert!(tables.exclusions.iter().any(|x| x.event_id == "E4"
        && x.reason == "incomplete_window"
        && x.detail.starts_with("abnormal volume:")));
    // The tables read back as written.
    assert_eq!(read_csv_tables(&out).unwrap().volume, Some(volume));
}

#[test]
fn mean_adjusted_matches_numpy() {
    check_model("mean_adjusted", "mean_adjusted");
}

#[test]
fn market_model_on_equal_weighted_volume_matches_numpy() {
    check_model("market_model", "market_model");
    check_model("market_model_fallback", "market_model");
}

#[test]
fn market_model_on_index_volume_matches_numpy() {
    check_model("market_model_index", "market_model_index");
}

#[test]
fn without_volume_setting_no_volume_tables() {
    let tables = Study::new(fixture_config("index_volume.csv"))
        .run()
        .unwrap()
        .tables;
    assert!(tables.volume.is_none());
    assert!(tables.exclusions.iter().all(|x| x.reason != "no_volume"));
    let out = tempfile::tempdir().unwrap();
    write_outputs(
        out.path(),
        &tables,
        &[OutputFormat::Csv],
        &serde_json::json!({}),
    )
    .unwrap();
    assert!(!out.path().join("volume_abnormal.csv").exists());
}

/// Hand-worked mean-adjusted case: volumes e^k − 1, so v = ln(1 + V) = k. Estimation days
/// −4..−2 have v = 1, 2, 3 (v̄ = 2); day 0 has v = 5 (AV = 3), day 1 v = 4 (AV = 2);
/// CAV(0:1) = 5.
#[test]
fn hand_worked_mean_adjusted() {
    let dir = tempfile::tempdir().unwrap();
    let logs: [f64; 7] = [0.5, 1.0, 2.0, 3.0, 7.0, 5.0, 4.0];
    let mut prices = String::from("date,ticker,close,volume\n");
    for (j, k) in logs.iter().enumerate() {
        let close = 10.0 + (j * j) as f64 * 0.1;
        prices += &format!("2024-03-{:02},X,{close},{:?}\n", 4 + j, k.exp_m1());
        prices += &format!("2024-03-{:02},IDX,{},\n", 4 + j, 100.0 + j as f64);
    }
    std::fs::write(dir.path().join("p.csv"), prices).unwrap();
    std::fs::write(
        dir.path().join("e.csv"),
        "event_id,ticker,date\nH1,X,2024-03-09\n",
    )
    .unwrap();
    let mut cfg = StudyConfig::default();
    cfg.calendar = CalendarMode::Data;
    cfg.model = "constant_mean".into();
    cfg.market = Some("IDX".into());
    cfg.prices = vec![PriceSource::new(dir.path().join("p.csv"))];
    cfg.events = Some(dir.path().join("e.csv"));
    cfg.estimation_window = "-4:-2".into();
    cfg.event_windows = vec!["0:1".into()];
    cfg.min_estimation_returns = 2;
    cfg.volume = Some(VolumeFile {
        model: "mean_adjusted".into(),
        col: Some("volume".into()),
        windows: None,
        market: None,
    });
    let v: VolumeTables = Study::new(cfg).run().unwrap().tables.volume.unwrap();
    let close = |a: Option<f64>, b: f64| assert!((a.unwrap() - b).abs() < 1e-12, "{a:?} vs {b}");
    assert_eq!(v.abnormal.len(), 2);
    close(v.abnormal[0].log_volume, 5.0);
    close(v.abnormal[0].expected, 2.0);
    close(v.abnormal[0].av, 3.0);
    close(v.abnormal[1].av, 2.0);
    close(v.cars[0].cav, 5.0);
    assert_eq!(v.cars[0].n_days, 2);
}
