//! The placebo p-value and the `bt_placebo` rows.

use crate::backtest::tables::PlaceboRow;

/// Two-sided placebo p-value of `observed` against its values on K placebo calendars
/// (methodology §16.6): the share of calendars at least as extreme, counting the real one.
///
/// Placebo values that are NaN (a statistic undefined on that calendar, e.g. a Sharpe ratio
/// with no variance) are left out, and K is the number of the others. `None` when `observed`
/// is NaN or no placebo value is left.
///
/// # Formula
/// ```text
/// p = (1 + #{k : |x_k| ≥ |observed|}) / (K + 1)
/// ```
/// (the Monte Carlo p-value of Davison & Hinkley 1997, section 4.2.1, which is exact for
/// exchangeable calendars and never 0).
///
/// # Examples
/// ```
/// use evstudy::backtest::placebo::placebo_p_value;
/// // |−1.2| and |2| are at least |1|; the NaN is left out, so K = 4
/// let p = placebo_p_value(1.0, &[0.5, -1.2, 2.0, f64::NAN, -0.3]);
/// assert_eq!(p, Some(3.0 / 5.0));
/// ```
pub fn placebo_p_value(observed: f64, placebo: &[f64]) -> Option<f64> {
    if observed.is_nan() {
        return None;
    }
    let valid = placebo.iter().filter(|x| !x.is_nan());
    let k = valid.clone().count();
    let extreme = valid.filter(|x| x.abs() >= observed.abs()).count();
    (k > 0).then(|| (1 + extreme) as f64 / (k + 1) as f64)
}

/// The `bt_placebo` rows: statistic s has the real value `observed[s]` and the placebo values
/// `runs[k][s]` (one row of statistics per calendar, as [`super::run_placebo`] returns them).
/// Mean and standard deviation (n − 1) are over the placebo values that are not NaN, and `k`
/// counts them.
///
/// # Examples
/// ```
/// use evstudy::backtest::placebo::placebo_rows;
/// let rows = placebo_rows(&["sharpe"], &[1.5], &[vec![0.5], vec![-0.5], vec![1.5]]);
/// assert_eq!(rows[0].k, 3);
/// assert_eq!(rows[0].placebo_mean, Some(0.5));
/// assert_eq!(rows[0].placebo_sd, Some(1.0));
/// assert_eq!(rows[0].p_value, Some(0.5)); // (1 + 1) / (3 + 1)
/// ```
pub fn placebo_rows(names: &[&str], observed: &[f64], runs: &[Vec<f64>]) -> Vec<PlaceboRow> {
    names
        .iter()
        .zip(observed)
        .enumerate()
        .map(|(s, (name, &obs))| {
            let values: Vec<f64> = runs
                .iter()
                .map(|r| r.get(s).copied().unwrap_or(f64::NAN))
                .collect();
            let valid: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
            let (mean, sd) = mean_sd(&valid);
            PlaceboRow {
                statistic: (*name).to_string(),
                observed: obs.is_finite().then_some(obs),
                placebo_mean: mean,
                placebo_sd: sd,
                p_value: placebo_p_value(obs, &values),
                k: valid.len() as u32,
            }
        })
        .collect()
}

/// Mean and sample standard deviation (n − 1), where defined and finite.
fn mean_sd(x: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = x.len() as f64;
    if x.is_empty() {
        return (None, None);
    }
    let mean = x.iter().sum::<f64>() / n;
    let sd = (x.len() > 1)
        .then(|| (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    (
        mean.is_finite().then_some(mean),
        sd.filter(|s| s.is_finite()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_value_counts_ties_and_both_tails() {
        // |−2| and |2| tie with |−2|: (1 + 2) / (3 + 1)
        assert_eq!(placebo_p_value(-2.0, &[2.0, -2.0, 1.9]), Some(0.75));
        // nothing as extreme: the smallest p-value 1 / (K + 1)
        assert_eq!(placebo_p_value(5.0, &[0.1, -0.2, 0.3, 0.0]), Some(0.2));
        assert_eq!(placebo_p_value(f64::NAN, &[1.0]), None);
        assert_eq!(placebo_p_value(1.0, &[f64::NAN, f64::NAN]), None);
        assert_eq!(placebo_p_value(1.0, &[]), None);
    }

    #[test]
    fn rows_per_statistic_leave_nan_calendars_out() {
        let runs = vec![vec![1.0, 0.1], vec![3.0, f64::NAN], vec![2.0, -0.3]];
        let rows = placebo_rows(&["sharpe", "alpha_capm"], &[2.5, 0.2], &runs);
        assert_eq!(rows[0].statistic, "sharpe");
        assert_eq!(
            (rows[0].k, rows[0].placebo_mean, rows[0].placebo_sd),
            (3, Some(2.0), Some(1.0))
        );
        assert_eq!(rows[0].p_value, Some(0.5)); // only 3 ≥ 2.5
                                                // 0.1 and −0.3: mean −0.1, sd √((0.04 + 0.04) / 1)
        assert_eq!(rows[1].k, 2);
        approx::assert_abs_diff_eq!(rows[1].placebo_mean.unwrap(), -0.1, epsilon = 1e-15);
        approx::assert_abs_diff_eq!(rows[1].placebo_sd.unwrap(), 0.08f64.sqrt(), epsilon = 1e-15);
        assert_eq!(rows[1].p_value, Some(2.0 / 3.0)); // |−0.3| ≥ 0.2
    }
}
