//! End to end through `Study::run` on the golden worked examples of `shared/golden/spec/`
//! (b_panel: all six tables; c_factors and e_models: abnormal_returns, cars, model_fits,
//! exclusions). Every number to 1e-9 relative, every empty field empty, every text exact.

#[path = "common/shared.rs"]
mod shared;

use evstudy::output::csv_files;
use evstudy::study::{CalendarMode, Study, StudyConfig};
use std::path::{Path, PathBuf};

fn spec_dir() -> Option<PathBuf> {
    shared::shared_dir().map(|d| d.join("golden").join("spec"))
}

/// Build a StudyConfig from a golden `run.json`.
fn config_from_run_json(dir: &Path, with_exchange: bool) -> StudyConfig {
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    let s = |k: &str| run[k].as_str().map(str::to_string);
    let mut toml = String::new();
    let model = s("model").unwrap();
    let factor_cols: Vec<String> = run["factor_cols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let model_name = match (model.as_str(), factor_cols.len()) {
        ("factor", 3) => "ff3".to_string(),
        ("factor", 4) => "carhart".to_string(),
        (m, _) => m.to_string(),
    };
    toml += &format!("model = \"{model_name}\"\n");
    if let Some(m) = s("market") {
        toml += &format!("market = \"{m}\"\n");
    }
    toml += &format!("returns = \"{}\"\n", s("returns").unwrap());
    toml += &format!("trade_to_trade = {}\n", run["t2t"].as_bool().unwrap());
    let est = run["est"].as_array().unwrap();
    toml += &format!("estimation_window = \"{}:{}\"\n", est[0], est[1]);
    let windows: Vec<String> = run["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("\"{}\"", v.as_str().unwrap()))
        .collect();
    toml += &format!("event_windows = [{}]\n", windows.join(", "));
    toml += &format!("min_estimation_returns = {}\n", run["min_est"]);
    toml += &format!("max_shift_days = {}\n", run["max_shift_days"]);
    toml += &format!("rbar_min_common_dates = {}\n", run["rbar_min_common"]);
    toml += &format!("dimson_lags = {}\n", run["dimson_lags"]);
    toml += &format!(
        "wilcoxon_exact = {}\n",
        run["wilcoxon_exact"].as_bool().unwrap()
    );
    toml += &format!("events = \"{}\"\n", s("events").unwrap());
    if with_exchange {
        toml += &format!("securities_file = \"{}\"\n", s("securities").unwrap());
        toml += &format!(
            "holidays = \"{}\"\n",
            dir.join(s("holidays").unwrap()).display()
        );
    } else {
        toml += "calendar = \"data\"\n";
    }
    toml += &format!("[[prices]]\npath = \"{}\"\n", s("prices").unwrap());
    if let Some(f) = s("factors") {
        toml += &format!(
            "[factors]\npath = \"{f}\"\ncolumns = [{}]\n",
            factor_cols
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(rf) = s("rf_col") {
            toml += &format!("rf_col = \"{rf}\"\n");
        }
        toml += &format!("scale = {}\n", run["factor_scale"]);
    }
    let path = dir.join("__study_test.toml");
    // Parse from text with paths resolved against the golden folder.
    let mut cfg = StudyConfig::from_toml_str(&toml).unwrap();
    let fix = |p: &Path| {
        if p.is_relative() {
            dir.join(p)
        } else {
            p.to_path_buf()
        }
    };
    for p in &mut cfg.prices {
        p.path = fix(&p.path);
    }
    cfg.events = cfg.events.as_deref().map(fix);
    cfg.securities_file = cfg.securities_file.as_deref().map(fix);
    if let Some(f) = &mut cfg.factors {
        f.path = fix(&f.path);
    }
    let _ = path;
    cfg
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut cur)),
                (c, _) => cur.push(c),
            }
        }
        fields.push(cur);
        rows.push(fields);
    }
    rows
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Compare a produced CSV table with the expected one: same header, same rows in the same
/// order, numbers to 1e-9 relative, text exact.
fn compare_table(name: &str, got: &str, expected: &str, ignore_cols: &[&str]) {
    let g = parse_csv(got);
    let e = parse_csv(expected);
    assert_eq!(g[0], e[0], "{name}: header");
    let keep: Vec<usize> = (0..e[0].len())
        .filter(|&i| !ignore_cols.contains(&e[0][i].as_str()))
        .collect();
    assert_eq!(
        g.len(),
        e.len(),
        "{name}: row count (got {}, expected {})",
        g.len() - 1,
        e.len() - 1
    );
    for (r, (gr, er)) in g.iter().zip(&e).enumerate().skip(1) {
        for &c in &keep {
            let (a, b) = (&gr[c], &er[c]);
            let ok = match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => close(x, y),
                _ => a == b,
            };
            assert!(ok, "{name} row {r} column {}: got '{a}', expected '{b}'\n got row: {gr:?}\n exp row: {er:?}", e[0][c]);
        }
    }
}

fn run_and_compare(dir: &Path, tables: &[&str], with_exchange: bool) {
    let cfg = config_from_run_json(dir, with_exchange);
    let out = Study::new(cfg).run().unwrap();
    let files = csv_files(&out.tables);
    for &t in tables {
        let got = &files
            .iter()
            .find(|(n, _)| n.trim_end_matches(".csv") == t)
            .unwrap_or_else(|| panic!("no table {t}"))
            .1;
        let expected = std::fs::read_to_string(dir.join(format!("{t}.csv"))).unwrap();
        compare_table(&format!("{}/{t}", dir.display()), got, &expected, &[]);
    }
}

#[test]
fn b_panel_all_tables_exchange_calendar() {
    let Some(spec) = spec_dir() else { return };
    run_and_compare(
        &spec.join("b_panel"),
        &[
            "abnormal_returns",
            "cars",
            "model_fits",
            "aggregate",
            "tests",
            "exclusions",
        ],
        true,
    );
}

#[test]
fn b_panel_data_calendar_gives_the_same_numbers() {
    // §2.2: without a securities file the calendar is the index's dates; only portfolio ids
    // change (PF:DATA:…) and the off-calendar detail names the data calendar.
    let Some(spec) = spec_dir() else { return };
    let dir = spec.join("b_panel");
    let mut cfg = config_from_run_json(&dir, false);
    cfg.calendar = CalendarMode::Data;
    let out = Study::new(cfg).run().unwrap();
    let files = csv_files(&out.tables);
    for t in ["model_fits", "cars", "aggregate"] {
        let got = files
            .iter()
            .find(|(n, _)| n.trim_end_matches(".csv") == t)
            .unwrap()
            .1
            .replace("PF:DATA:", "PF:XNYS:");
        let expected = std::fs::read_to_string(dir.join(format!("{t}.csv"))).unwrap();
        compare_table(t, &got, &expected, &[]);
    }
    let got = files
        .iter()
        .find(|(n, _)| *n == "tests.csv")
        .unwrap()
        .1
        .replace("PF:DATA:", "PF:XNYS:");
    compare_table(
        "tests",
        &got,
        &std::fs::read_to_string(dir.join("tests.csv")).unwrap(),
        &[],
    );
}

#[test]
fn c_factors_ff3_and_carhart() {
    let Some(spec) = spec_dir() else { return };
    for run in ["ff3", "carhart"] {
        run_and_compare(
            &spec.join("c_factors").join(run),
            &["abnormal_returns", "cars", "model_fits", "exclusions"],
            true,
        );
    }
}

#[test]
fn e_models_every_model() {
    let Some(spec) = spec_dir() else { return };
    for run in [
        "constant_mean",
        "market_adjusted",
        "market_model",
        "market_model_log",
        "scholes_williams",
        "dimson",
        "market_model_t2t",
        "constant_mean_t2t",
    ] {
        run_and_compare(
            &spec.join("e_models").join(run),
            &["abnormal_returns", "cars", "model_fits", "exclusions"],
            true,
        );
    }
}

/// The demo study's headline table: one row per non-event group × CAR window, each number
/// equal to its `aggregate` and `tests` row; written as `headline.csv` and read back equal.
#[test]
fn demo_headline_equals_aggregate_and_tests() {
    use evstudy::output::{read_csv_tables, write_outputs, OutputFormat};
    use evstudy::stats::{Metric, Scope, TestKind};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let study = Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap();
    let out = study.run().unwrap();
    let t = &out.tables;
    let car_rows: Vec<_> = t
        .aggregate
        .iter()
        .filter(|a| a.metric == Metric::Car && !a.group.starts_with("event:"))
        .collect();
    assert!(!car_rows.is_empty());
    assert_eq!(t.headline.len(), car_rows.len());
    for (h, a) in t.headline.iter().zip(&car_rows) {
        assert_eq!((&h.group, Some(&h.window)), (&a.group, a.window.as_ref()));
        assert_eq!(
            (h.n, h.caar, h.share_positive),
            (a.n, a.mean, a.share_positive)
        );
        let test = |k: TestKind| {
            let r = t
                .tests
                .iter()
                .find(|r| {
                    r.group == h.group
                        && r.scope == Scope::Car
                        && r.window.as_deref() == Some(h.window.as_str())
                        && r.test == k
                })
                .unwrap();
            (r.statistic, r.p_value)
        };
        assert_eq!((h.csect_t, h.csect_p), test(TestKind::CsectT));
        assert_eq!((h.adj_bmp_t, h.adj_bmp_p), test(TestKind::AdjBmpT));
        assert_eq!((h.grank_t, h.grank_p), test(TestKind::GrankT));
    }
    let dir = std::env::temp_dir().join(format!("evstudy-headline-{}", std::process::id()));
    let json = serde_json::json!({});
    write_outputs(&dir, t, &[OutputFormat::Csv, OutputFormat::Parquet], &json).unwrap();
    assert!(dir.join("headline.parquet").is_file());
    let back = read_csv_tables(&dir).unwrap();
    assert_eq!(back.headline.len(), t.headline.len());
    for (b, h) in back.headline.iter().zip(&t.headline) {
        assert_eq!((&b.group, &b.window, b.n), (&h.group, &h.window, h.n));
        assert_eq!(
            (b.caar, b.csect_t, b.grank_p),
            (h.caar, h.csect_t, h.grank_p)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `[[differences]]` on the demo study: CAAR of each side equals the `aggregate` CAAR of that
/// label and window; a label naming no group gives n = 0, empty statistics and a note.
#[test]
fn demo_differences_match_aggregate_caars() {
    use evstudy::design::DifferenceFile;
    use evstudy::stats::Metric;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut study = Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap();
    let pair = |a: &str, b: &str, windows: &[&str]| DifferenceFile {
        a: a.into(),
        b: b.into(),
        windows: windows.iter().map(|w| w.to_string()).collect(),
    };
    study.config.differences = vec![
        pair(
            "security_group:china_ai_chips",
            "security_group:us_chips",
            &[],
        ),
        pair("security_group:china_ai_chips", "no_such_group", &["0:5"]),
    ];
    let out = study.run().unwrap();
    let t = &out.tables;
    assert_eq!(t.differences.len(), 5);
    let caar = |label: &str, window: &str| {
        let a = t
            .aggregate
            .iter()
            .find(|a| {
                a.group == label && a.metric == Metric::Car && a.window.as_deref() == Some(window)
            })
            .unwrap();
        (a.n, a.mean)
    };
    for d in &t.differences[..4] {
        let (n_a, mean_a) = caar(&d.group_a, &d.window);
        let (n_b, mean_b) = caar(&d.group_b, &d.window);
        assert_eq!((d.n_a, d.n_b), (n_a, n_b));
        assert!((d.caar_a.unwrap() - mean_a.unwrap()).abs() < 1e-14);
        assert!((d.caar_b.unwrap() - mean_b.unwrap()).abs() < 1e-14);
        assert!(d.welch_t.is_some() && d.mann_whitney_z.is_some());
    }
    let missing = &t.differences[4];
    assert_eq!((missing.window.as_str(), missing.n_b), ("0:5", 0));
    assert_eq!((missing.difference, missing.welch_t), (None, None));
    let notes = out.run_info["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].as_str().unwrap().contains("'no_such_group'"));
}
