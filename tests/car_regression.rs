//! `[[car_regression]]` on the demo study (methodology §7.6): a coefficient table equal to
//! statsmodels' on the tables the run wrote, and the bad-input outcomes (a missing column, text
//! in a numeric column, pairs without characteristics, too few observations, a constant
//! regressor).

use approx::assert_relative_eq;
use evstudy::design::CarRegressionFile;
use evstudy::study::Study;
use evstudy::tables::CarRegressionRow;
use std::path::{Path, PathBuf};

fn demo() -> Study {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut study = Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap();
    study.config.event_windows.push("-5:-1".into());
    study
}

fn regression(name: &str, window: &str, regressors: &[&str]) -> CarRegressionFile {
    CarRegressionFile {
        name: Some(name.into()),
        window: window.into(),
        group: None,
        regressors: regressors.iter().map(|r| r.to_string()).collect(),
        cluster: None,
        characteristics: None,
    }
}

/// A characteristics file in a fresh temporary folder.
fn characteristics(tag: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evstudy-carreg-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("characteristics.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn rows<'a>(t: &'a [CarRegressionRow], name: &str) -> Vec<&'a CarRegressionRow> {
    t.iter().filter(|r| r.name == name).collect()
}

/// `tests/fixtures/car_regression/demo_expected.csv`, made by `check_demo.py` from the
/// `cars`, `events` and `securities` tables of this run.
#[test]
fn demo_regression_matches_statsmodels_on_the_written_cars() {
    let mut study = demo();
    let mut spec = regression("ec_exchange", "0:5", &["exchange", "car:-5:-1"]);
    spec.group = Some("category:export_control".into());
    study.config.car_regression = vec![spec];
    let out = study.run().unwrap();
    let got = rows(&out.tables.car_regression, "ec_exchange");
    let text = include_str!("fixtures/car_regression/demo_expected.csv");
    let expected: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(got.len(), expected.len());
    let num = |s: &str| s.parse::<f64>().unwrap();
    for (r, e) in got.iter().zip(&expected) {
        assert_eq!(r.term, e[0]);
        let e = 1e-10;
        assert_relative_eq!(
            r.estimate.unwrap(),
            num(e_at(&expected, &r.term, 1)),
            max_relative = e
        );
        assert_relative_eq!(
            r.se.unwrap(),
            num(e_at(&expected, &r.term, 2)),
            max_relative = e
        );
        assert_relative_eq!(
            r.t.unwrap(),
            num(e_at(&expected, &r.term, 3)),
            max_relative = e
        );
        assert_relative_eq!(
            r.p.unwrap(),
            num(e_at(&expected, &r.term, 4)),
            max_relative = e
        );
        assert_relative_eq!(
            r.r2.unwrap(),
            num(e_at(&expected, &r.term, 7)),
            max_relative = e
        );
        assert_relative_eq!(
            r.adj_r2.unwrap(),
            num(e_at(&expected, &r.term, 8)),
            max_relative = e
        );
        assert_eq!(r.n.to_string(), e_at(&expected, &r.term, 5));
        assert_eq!(
            r.n_clusters.unwrap().to_string(),
            e_at(&expected, &r.term, 6)
        );
        assert_eq!(
            (r.se_kind.as_str(), r.cluster.as_str()),
            ("CR1", "event_date")
        );
    }
    assert_eq!(got[1].base, "XHKG");
}

fn e_at<'a>(expected: &'a [Vec<&'a str>], term: &str, col: usize) -> &'a str {
    expected.iter().find(|e| e[0] == term).unwrap()[col]
}

#[test]
fn missing_pairs_few_observations_and_constants_are_reported_rows() {
    let path = characteristics(
        "rows",
        "security,size,flat\n688256.SS,1.5,2\n688981.SS,2.5,2\n0981.HK,0.5,2\nNVDA,9,2\nAMD,7,2\n\
         0700.HK,3,2\n",
    );
    let keyed = characteristics("keyed", "event_id,security,size\nEC01,NVDA,1\nEC01,AMD,2\n");
    let mut study = demo();
    let with = |name: &str, regressors: &[&str], file: &PathBuf| {
        let mut r = regression(name, "0:5", regressors);
        r.characteristics = Some(file.clone());
        r
    };
    study.config.car_regression = vec![
        with("size", &["size"], &path),
        with("flat", &["size", "flat"], &path),
        with("two", &["size"], &keyed),
    ];
    let out = study.run().unwrap();
    let t = &out.tables.car_regression;
    let size = rows(t, "size");
    assert_eq!(size.len(), 2);
    assert!(size[0].n > 2 && size[0].n_excluded > 0);
    assert!(
        size[0].note.contains("without a value of size"),
        "{}",
        size[0].note
    );
    let flat = rows(t, "flat");
    assert_eq!(
        (flat.len(), flat[0].term.as_str(), flat[0].estimate),
        (1, "", None)
    );
    assert!(
        flat[0].note.contains("'flat' is constant"),
        "{}",
        flat[0].note
    );
    let two = rows(t, "two");
    assert_eq!((two.len(), two[0].n, two[0].k), (1, 2, 2));
    assert!(
        two[0].note.contains("too few observations"),
        "{}",
        two[0].note
    );
    let notes = out.run_info["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
}

#[test]
fn bad_columns_are_errors_naming_file_row_and_column() {
    let text_cell = characteristics("text", "security,size\nNVDA,1.5\nAMD,big\n");
    let mut study = demo();
    let mut r = regression("bad", "0:5", &["size"]);
    r.characteristics = Some(text_cell.clone());
    study.config.car_regression = vec![r.clone()];
    let err = study.run().unwrap_err().to_string();
    assert!(
        err.contains("characteristics.csv") && err.contains("row 3"),
        "{err}"
    );
    assert!(err.contains("size") && err.contains("'big'"), "{err}");
    r.regressors = vec!["beta".into()];
    study.config.car_regression = vec![r];
    let err = study.run().unwrap_err().to_string();
    assert!(err.contains("'beta'") && err.contains("size"), "{err}");
    assert!(
        err.contains("china_ai_chips.csv has") && err.contains("title"),
        "{err}"
    );
}
