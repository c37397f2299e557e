//! The regressions against statsmodels on the fixture of `tests/fixtures/backtest/`
//! (expected_alpha.csv), and hand-worked degenerate cases.

use super::{calendar_time_regression, newey_west_lags, AlphaEstimate, RegressionInput, Regressor};
use crate::backtest::performance::fixture::Csv;
use crate::backtest::SeKind;
use approx::assert_relative_eq;

fn factor_names(model: &str) -> &'static [&'static str] {
    match model {
        "capm" => &["mkt"],
        "ff3" => &["mkt", "smb", "hml"],
        "carhart" => &["mkt", "smb", "hml", "mom"],
        other => panic!("model {other}"),
    }
}

fn assert_close(got: Option<f64>, want: Option<f64>, what: &str) {
    match (got, want) {
        (Some(g), Some(w)) => assert_relative_eq!(g, w, max_relative = 1e-10),
        _ => assert_eq!(got, want, "{what}"),
    }
}

#[test]
fn every_model_and_standard_error_matches_statsmodels() {
    let inputs = Csv::read("inputs.csv");
    let expected = Csv::read("expected_alpha.csv");
    let (ret, rf) = (inputs.f64s("ret"), inputs.f64s("rf"));
    let y: Vec<f64> = ret.iter().zip(&rf).map(|(r, f)| r - f).collect();
    let weights = inputs.f64s("positions");
    let columns: Vec<(&str, Vec<f64>)> = ["mkt", "smb", "hml", "mom"]
        .iter()
        .map(|f| (*f, inputs.f64s(f)))
        .collect();
    let mut checked = 0;
    for model in ["capm", "ff3", "carhart"] {
        let regressors: Vec<Regressor> = factor_names(model)
            .iter()
            .map(|f| Regressor {
                name: f,
                values: &columns.iter().find(|(n, _)| n == f).expect("factor").1,
            })
            .collect();
        let input = RegressionInput {
            y: &y,
            regressors: &regressors,
            weights: &weights,
        };
        let got = calendar_time_regression(&input);
        let want: Vec<&Vec<String>> = expected
            .rows
            .iter()
            .filter(|r| expected.text(r, "model") == model)
            .collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            let what = format!("{model} {} {}", g.se_kind, g.term);
            assert_eq!(g.se_kind.as_str(), expected.text(w, "se_kind"), "{what}");
            assert_eq!(g.term, expected.text(w, "term"), "{what}");
            assert_eq!(Some(g.n as f64), expected.cell(w, "n"), "{what}");
            assert_eq!(g.lags.map(|l| l as f64), expected.cell(w, "lags"), "{what}");
            assert_close(g.coef, expected.cell(w, "coef"), &what);
            assert_close(g.std_error, expected.cell(w, "std_error"), &what);
            assert_close(g.t, expected.cell(w, "t"), &what);
            assert_close(g.p_value, expected.cell(w, "p_value"), &what);
            assert_close(g.r2, expected.cell(w, "r2"), &what);
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * (2 + 4 + 5));
}

fn rows_of(rows: &[AlphaEstimate], kind: SeKind) -> Vec<&AlphaEstimate> {
    rows.iter().filter(|r| r.se_kind == kind).collect()
}

/// y = 0.002 + 0.5 x1 − 0.25 x2 exactly on 5 days (all values dyadic, so the fit is exact
/// in floating point up to rounding of the solve): the coefficients are recovered, R² is 1
/// and the standard errors are undefined.
#[test]
fn two_regressor_exact_fit() {
    let x1 = [0.01, -0.02, 0.03, 0.0, 0.015];
    let x2 = [0.005, 0.01, -0.01, 0.02, 0.0];
    let y: Vec<f64> = (0..5).map(|t| 0.002 + 0.5 * x1[t] - 0.25 * x2[t]).collect();
    let regressors = [
        Regressor {
            name: "a",
            values: &x1,
        },
        Regressor {
            name: "b",
            values: &x2,
        },
    ];
    let input = RegressionInput {
        y: &y,
        regressors: &regressors,
        weights: &[1.0, 2.0, 3.0, 1.0, 2.0],
    };
    let rows = calendar_time_regression(&input);
    assert_eq!(rows.len(), 12);
    for kind in SeKind::ALL {
        let r = rows_of(&rows, kind);
        assert_relative_eq!(r[0].coef.unwrap(), 0.002, max_relative = 1e-10);
        assert_relative_eq!(r[1].coef.unwrap(), 0.5, max_relative = 1e-10);
        assert_relative_eq!(r[2].coef.unwrap(), -0.25, max_relative = 1e-10);
        assert_relative_eq!(r[0].r2.unwrap(), 1.0, max_relative = 1e-10);
        assert!(r
            .iter()
            .all(|e| e.std_error.is_none() && e.t.is_none() && e.p_value.is_none()));
        assert_eq!(r[0].n, 5);
    }
}

/// Hand-worked simple regression on 4 days: x = (0, 1, 2, 3), y = (1, 3, 2, 5).
/// x̄ = 1.5, ȳ = 2.75, Sxx = 5, Sxy = 5.5 → slope 1.1, intercept 1.1; residuals
/// (−0.1, 0.8, −1.3, 0.6), SSR = 2.7, s² = 1.35, SE(slope) = √(1.35/5), SST = 8.75.
#[test]
fn simple_regression_hand_worked() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let y = [1.0, 3.0, 2.0, 5.0];
    let regressors = [Regressor {
        name: "x",
        values: &x,
    }];
    let input = RegressionInput {
        y: &y,
        regressors: &regressors,
        weights: &[1.0; 4],
    };
    let rows = calendar_time_regression(&input);
    let ols = rows_of(&rows, SeKind::Ols);
    assert_relative_eq!(ols[0].coef.unwrap(), 1.1, max_relative = 1e-12);
    assert_relative_eq!(ols[1].coef.unwrap(), 1.1, max_relative = 1e-12);
    assert_relative_eq!(
        ols[1].std_error.unwrap(),
        (1.35f64 / 5.0).sqrt(),
        max_relative = 1e-12
    );
    // SE(intercept)² = s² (1/n + x̄²/Sxx) = 1.35 · (0.25 + 0.45) = 0.945.
    assert_relative_eq!(
        ols[0].std_error.unwrap(),
        0.945f64.sqrt(),
        max_relative = 1e-12
    );
    assert_relative_eq!(ols[0].r2.unwrap(), 1.0 - 2.7 / 8.75, max_relative = 1e-12);
    // HC1: (X'X)⁻¹ Σe²xx' (X'X)⁻¹ · 4/2; for the slope Σ e_t²(x_t − x̄)² / Sxx² · 2
    // = (0.01·2.25 + 0.64·0.25 + 1.69·0.25 + 0.36·2.25) / 25 · 2.
    let hc1 = rows_of(&rows, SeKind::Hc1);
    let meat: f64 = 0.01 * 2.25 + 0.64 * 0.25 + 1.69 * 0.25 + 0.36 * 2.25;
    assert_relative_eq!(
        hc1[1].std_error.unwrap(),
        (meat / 25.0 * 2.0).sqrt(),
        max_relative = 1e-12
    );
    // Newey–West with L = ⌊4·0.04^(2/9)⌋ = 1 (weight 1/2): with u_t = e_t (x_t − x̄) =
    // (0.15, −0.4, −0.65, 0.9), Γ_0 = Σu² = 1.415 and Γ_1 = Σ u_t u_{t−1} = −0.385, so the
    // slope's variance is (1.415 + 2 · ½ · (−0.385)) / 25 · 4/2.
    let nw = rows_of(&rows, SeKind::NeweyWest);
    assert_eq!(newey_west_lags(4), 1);
    assert_eq!(nw[0].lags, Some(1));
    assert_relative_eq!(
        nw[1].std_error.unwrap(),
        ((1.415f64 - 0.385) / 25.0 * 2.0).sqrt(),
        max_relative = 1e-12
    );
}

#[test]
fn degenerate_inputs_give_none_without_panicking() {
    let x = [0.01, 0.02, f64::NAN, 0.04];
    let y = [0.001, f64::NAN, 0.003, 0.002];
    let regressors = [Regressor {
        name: "x",
        values: &x,
    }];
    // Two usable days for two coefficients: nothing is estimable.
    let rows = calendar_time_regression(&RegressionInput {
        y: &y,
        regressors: &regressors,
        weights: &[1.0; 4],
    });
    assert!(rows
        .iter()
        .all(|r| r.coef.is_none() && r.r2.is_none() && r.n == 2));
    // A constant regressor beside the intercept: singular X'X.
    let constant = [0.01; 5];
    let regressors = [Regressor {
        name: "c",
        values: &constant,
    }];
    let rows = calendar_time_regression(&RegressionInput {
        y: &[0.01, 0.02, 0.0, 0.03, 0.01],
        regressors: &regressors,
        weights: &[1.0; 5],
    });
    assert!(rows
        .iter()
        .all(|r| r.coef.is_none() && r.std_error.is_none()));
    // Weights of the wrong length leave OLS intact and WLS empty.
    let x = [0.0, 1.0, 2.0, 3.0];
    let regressors = [Regressor {
        name: "x",
        values: &x,
    }];
    let rows = calendar_time_regression(&RegressionInput {
        y: &[1.0, 3.0, 2.0, 5.0],
        regressors: &regressors,
        weights: &[1.0],
    });
    assert!(rows_of(&rows, SeKind::Ols)[0].coef.is_some());
    assert!(rows_of(&rows, SeKind::Wls)
        .iter()
        .all(|r| r.coef.is_none() && r.n == 0));
    // A regressor shorter than y: no day is usable.
    let short = [0.0, 1.0];
    let regressors = [Regressor {
        name: "x",
        values: &short,
    }];
    let rows = calendar_time_regression(&RegressionInput {
        y: &[1.0, 3.0, 2.0, 5.0],
        regressors: &regressors,
        weights: &[1.0; 4],
    });
    assert!(rows.iter().all(|r| r.coef.is_none() && r.n == 0));
}
