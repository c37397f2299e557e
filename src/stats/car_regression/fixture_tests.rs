//! The regression against statsmodels (`tests/fixtures/car_regression/make_fixtures.py`).

use super::*;
use approx::assert_relative_eq;

/// `data.csv` as X (intercept, size, dummies of the two exchanges after the base XHKG), y and
/// the cluster of each row (its date).
fn data() -> (Vec<f64>, Vec<f64>, Vec<usize>) {
    let text = include_str!("../../../tests/fixtures/car_regression/data.csv");
    let (mut x, mut y, mut ids) = (Vec::new(), Vec::new(), Vec::new());
    let mut dates: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let dummy = |level: &str| if f[1] == level { 1.0 } else { 0.0 };
        x.extend([1.0, f[2].parse().unwrap(), dummy("XNYS"), dummy("XSHG")]);
        y.push(f[3].parse().unwrap());
        let id = dates.iter().position(|d| d == f[0]).unwrap_or_else(|| {
            dates.push(f[0].to_string());
            dates.len() - 1
        });
        ids.push(id);
    }
    (x, y, ids)
}

/// The expected rows of one covariance kind, in term order.
fn expected(kind: &str) -> Vec<Vec<f64>> {
    let text = include_str!("../../../tests/fixtures/car_regression/expected.csv");
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<&str>>())
        .filter(|f| f[0] == kind)
        .map(|f| f[2..].iter().map(|v| v.parse().unwrap()).collect())
        .collect()
}

fn check(fit: &CarRegression, kind: &str) {
    let e = 1e-10;
    let rows = expected(kind);
    assert_eq!(fit.coefficients.len(), rows.len());
    for (c, r) in fit.coefficients.iter().zip(&rows) {
        assert_relative_eq!(c.estimate, r[0], max_relative = e);
        assert_relative_eq!(c.se.unwrap(), r[1], max_relative = e);
        assert_relative_eq!(c.t.unwrap(), r[2], max_relative = e);
        assert_relative_eq!(c.p.unwrap(), r[3], max_relative = e);
        assert_eq!(fit.df, r[4]);
        assert_relative_eq!(fit.r2.unwrap(), r[5], max_relative = e);
        assert_relative_eq!(fit.adj_r2.unwrap(), r[6], max_relative = e);
    }
}

fn terms() -> Vec<String> {
    ["const", "size", "exchange=XNYS", "exchange=XSHG"]
        .map(String::from)
        .to_vec()
}

#[test]
fn hc1_and_cluster_by_date_match_statsmodels() {
    let (x, y, ids) = data();
    let terms = terms();
    for (kind, clusters, g) in [("hc1", None, None), ("cluster", Some(&ids[..]), Some(9))] {
        let data = CrossSection {
            y: &y,
            x: &x,
            k: 4,
            terms: &terms,
            clusters,
        };
        let fit = car_regression(&data).unwrap();
        assert_eq!((fit.n, fit.k, fit.n_clusters), (37, 4, g));
        check(&fit, kind);
    }
}

#[test]
fn degenerate_samples_are_named_failures() {
    let (x, y, ids) = data();
    let terms = terms();
    // n = k
    let few = CrossSection {
        y: &y[..4],
        x: &x[..16],
        k: 4,
        terms: &terms,
        clusters: None,
    };
    assert_eq!(
        car_regression(&few).unwrap_err(),
        RegressionFailure::TooFewObservations { n: 4, k: 4 }
    );
    // The last column a copy of the size column: collinear, named.
    let copy: Vec<f64> = x
        .chunks(4)
        .flat_map(|r| [r[0], r[1], r[2], 2.0 * r[1]])
        .collect();
    let data = CrossSection {
        y: &y,
        x: &copy,
        k: 4,
        terms: &terms,
        clusters: None,
    };
    let err = car_regression(&data).unwrap_err();
    assert_eq!(err, RegressionFailure::Collinear("exchange=XSHG".into()));
    assert!(err.to_string().contains("'exchange=XSHG'"), "{err}");
    // One cluster only.
    let one = vec![0; ids.len()];
    let data = CrossSection {
        y: &y,
        x: &x,
        k: 4,
        terms: &terms,
        clusters: Some(&one),
    };
    assert_eq!(
        car_regression(&data).unwrap_err(),
        RegressionFailure::TooFewClusters(1)
    );
}
