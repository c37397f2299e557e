//! The design of a calendar-time regression: which days enter it and their rows
//! x_t = (1, f_1t, …, f_mt).

use super::RegressionInput;

/// The days of one regression (indices into the input slices) and access to their rows.
pub(crate) struct Design<'i, 'a> {
    input: &'i RegressionInput<'a>,
    /// Input indices of the days used, ascending.
    pub(crate) rows: Vec<usize>,
    /// Number of coefficients k (the intercept and one per regressor).
    pub(crate) k: usize,
}

impl<'i, 'a> Design<'i, 'a> {
    /// The days with a finite y and finite regressors; for a weighted fit also a finite,
    /// strictly positive weight. No day when a regressor or (weighted) the weights do not have
    /// y's length.
    pub(crate) fn new(input: &'i RegressionInput<'a>, weighted: bool) -> Self {
        let n = input.y.len();
        let k = input.regressors.len() + 1;
        let lengths_agree = input.regressors.iter().all(|r| r.values.len() == n)
            && (!weighted || input.weights.len() == n);
        let rows = if lengths_agree {
            (0..n)
                .filter(|&i| {
                    input.y[i].is_finite()
                        && input.regressors.iter().all(|r| r.values[i].is_finite())
                        && (!weighted || (input.weights[i].is_finite() && input.weights[i] > 0.0))
                })
                .collect()
        } else {
            Vec::new()
        };
        Design { input, rows, k }
    }

    /// Number of days n.
    pub(crate) fn n(&self) -> usize {
        self.rows.len()
    }

    /// Regressand of the t-th day used.
    pub(crate) fn y(&self, t: usize) -> f64 {
        self.input.y[self.rows[t]]
    }

    /// Element j of the row of the t-th day used (j = 0 is the intercept's 1).
    pub(crate) fn x(&self, t: usize, j: usize) -> f64 {
        if j == 0 {
            1.0
        } else {
            self.input.regressors[j - 1].values[self.rows[t]]
        }
    }

    /// Weight of the t-th day used.
    pub(crate) fn weight(&self, t: usize) -> f64 {
        self.input.weights[self.rows[t]]
    }
}
