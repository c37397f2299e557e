//! Small synthetic pairs and settings shared by the unit tests of the battery and the pass.

use super::{StatsConfig, StatsEvent};
use crate::abnormal::{ModelFit, PairResult, Window, WindowResult};
use chrono::NaiveDate;

pub fn cfg() -> StatsConfig {
    StatsConfig {
        estimation: Window {
            start: -40,
            end: -1,
        },
        windows: vec![Window { start: 0, end: 1 }],
        rbar_min_common_dates: 30,
        wilcoxon_exact: false,
        trade_to_trade: false,
    }
}

/// `n` pairs whose residuals and ARs differ from pair to pair (seeds 3 to 39 in turn, ARs
/// rising by 0.0001 from −0.01), 38 degrees of freedom each.
pub fn varied_pairs(n: usize) -> Vec<PairResult> {
    (0..n)
        .map(|k| pair(k as u64 % 37 + 3, [0.0001 * k as f64 - 0.01, 0.002], 38))
        .collect()
}

pub fn pair(seed: u64, ar: [f64; 2], df: usize) -> PairResult {
    let mut s = seed;
    let est_resid: Vec<f64> = (0..40)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.02
        })
        .collect();
    let car = ar[0] + ar[1];
    PairResult {
        fit: ModelFit {
            model_name: "market_model".into(),
            n_est: 40,
            k: 2,
            df,
            sigma: 0.01,
            alpha: None,
            beta: None,
            r2: None,
            extras: vec![],
        },
        est_resid,
        event_period: Window { start: 0, end: 1 },
        ret: vec![0.0; 2],
        expected_ret: vec![0.0; 2],
        ar: ar.to_vec(),
        sar: ar.iter().map(|a| a / 0.01).collect(),
        ar_se: vec![0.01; 2],
        ar_p: vec![0.5; 2],
        span: vec![1, 1],
        windows: vec![WindowResult {
            window: Window { start: 0, end: 1 },
            complete: true,
            car: Some(car),
            car_se: Some(0.015),
            car_t: Some(car / 0.015),
            car_p: None,
            scar: Some(car / 0.015),
            bhar: Some(car),
            n_days: 2,
        }],
        exclusions: vec![],
    }
}

pub fn dates() -> Vec<Option<NaiveDate>> {
    let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    (0..40).map(|k| Some(d0 + chrono::Days::new(k))).collect()
}

/// The events of `results`, all with the estimation dates `dates`, on the day-0 dates `day0s`.
pub fn events<'a>(
    results: &'a [PairResult],
    dates: &'a [Option<NaiveDate>],
    day0s: &[NaiveDate],
) -> Vec<StatsEvent<'a>> {
    results
        .iter()
        .zip(day0s)
        .map(|(r, d)| StatsEvent {
            event_id: "E",
            security: "S",
            day0: *d,
            est_dates: dates,
            pair: r.into(),
        })
        .collect()
}
