//! Event-induced variance: the cross-sectional variance of standardized CARs against its
//! no-event value (§7.7).

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The variance-ratio test of one group and event window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarianceRatio {
    /// Events used (SCAR finite and ν > 2).
    pub n: usize,
    /// s²(SCAR) / v̄: 1 without event-induced variance.
    pub ratio: Option<f64>,
    /// (n − 1) · ratio, χ² with n − 1 degrees of freedom under no event-induced variance.
    pub statistic: Option<f64>,
    /// n − 1.
    pub df: Option<f64>,
    /// One-sided p-value P(χ²_{n−1} ≥ statistic) (the alternative is a variance increase).
    pub p_value: Option<f64>,
}

/// The variance-ratio test of event-induced variance: the cross-sectional variance of the
/// standardized CARs over its value without an event, tested with the χ² test of a normal
/// variance.
///
/// # Formula
/// Without event-induced variance SCAR_i follows Student's t with ν_i degrees of freedom,
/// of variance v_i = ν_i/(ν_i − 2) (Patell 1976; Boehmer, Musumeci & Poulsen 1991). Over the
/// n events with ν_i > 2 and a finite SCAR, with v̄ = Σ v_i / n and
/// s² = Σ (SCAR_i − mean SCAR)² / (n − 1):
///
/// ratio = s² / v̄,  X = (n − 1) · ratio ~ χ²(n − 1),  p = P(χ²_{n−1} ≥ X).
///
/// A ratio above 1 is event-induced variance (Harrington & Shrider 2007); `None` when
/// n < 2. §7.7.
///
/// # Examples
/// ```
/// use evstudy::stats::variance_ratio;
/// // ν = 4 everywhere: v = 2; SCARs −2, 0, 2 have s² = 4, so ratio = 2 and X = 4 on 2 df:
/// // p = exp(−X/2) = exp(−2).
/// let v = variance_ratio(&[-2.0, 0.0, 2.0], &[4.0, 4.0, 4.0]);
/// assert_eq!((v.n, v.ratio, v.statistic, v.df), (3, Some(2.0), Some(4.0), Some(2.0)));
/// assert!((v.p_value.unwrap() - (-2.0f64).exp()).abs() < 1e-12);
/// ```
pub fn variance_ratio(scar: &[f64], nu: &[f64]) -> VarianceRatio {
    let used = || {
        scar.iter()
            .zip(nu)
            .filter(|(s, v)| s.is_finite() && v.is_finite() && **v > 2.0)
    };
    let n = used().count();
    let none = VarianceRatio {
        n,
        ratio: None,
        statistic: None,
        df: None,
        p_value: None,
    };
    if n < 2 {
        return none;
    }
    let nf = n as f64;
    let mean = used().map(|(s, _)| s).sum::<f64>() / nf;
    let s2 = used().map(|(s, _)| (s - mean) * (s - mean)).sum::<f64>() / (nf - 1.0);
    let vbar = used().map(|(_, v)| v / (v - 2.0)).sum::<f64>() / nf;
    let ratio = s2 / vbar;
    let df = nf - 1.0;
    let statistic = df * ratio;
    let p_value = ChiSquared::new(df).ok().map(|d| d.sf(statistic));
    VarianceRatio {
        ratio: Some(ratio),
        statistic: Some(statistic),
        df: Some(df),
        p_value,
        ..none
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The groups of `tests/fixtures/single_firm/variance_ratio.csv`, computed with numpy and
    /// scipy by `make_fixtures.py`.
    #[test]
    fn matches_the_scipy_fixture() {
        let text = include_str!("../../tests/fixtures/single_firm/variance_ratio.csv");
        let mut cases = 0;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let list = |s: &str| -> Vec<f64> { s.split(';').map(|x| x.parse().unwrap()).collect() };
            let v = variance_ratio(&list(f[0]), &list(f[1]));
            assert_eq!(v.n, f[2].parse::<usize>().unwrap(), "{line}");
            assert_relative_eq!(v.ratio.unwrap(), f[3].parse().unwrap(), epsilon = 1e-10);
            assert_relative_eq!(v.statistic.unwrap(), f[4].parse().unwrap(), epsilon = 1e-10);
            assert_relative_eq!(v.df.unwrap(), f[5].parse().unwrap(), epsilon = 1e-10);
            assert_relative_eq!(v.p_value.unwrap(), f[6].parse().unwrap(), epsilon = 1e-10);
            cases += 1;
        }
        assert!(cases >= 3);
    }

    #[test]
    fn too_few_events_or_degrees_of_freedom() {
        // ν = 2 has no finite variance: left out, so one event remains.
        let v = variance_ratio(&[1.0, 2.0], &[30.0, 2.0]);
        assert_eq!((v.n, v.ratio, v.p_value), (1, None, None));
        let nan = variance_ratio(&[f64::NAN, 1.0, 2.0], &[30.0, 30.0, 30.0]);
        assert_eq!(nan.n, 2);
    }
}
