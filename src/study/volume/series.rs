//! The log-volume series of the abnormal-volume study (§5.6): the traded volume of every
//! price file that has a volume column, as ln(1 + V) on each security's calendar, and the
//! market log volume: the equal-weighted mean of each calendar, or the benchmark's.

use super::super::universe::Universe;
use crate::data::{combine_panels, read_prices, Layout, PricePanel, PriceSource, ValueKind};
use crate::design::{VolumeDesign, VolumeMarket, VolumeModel};
use crate::error::{Error, Result};
use crate::returns::{align_to_sessions, AlignedSeries};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;

/// The log-volume series of a universe, parallel to its securities.
pub(crate) struct VolumeSeries {
    /// One series per security of the universe (all NaN for a security without volume), with
    /// the market log volume of its calendar as benchmark for the market model.
    pub series: Vec<AlignedSeries>,
    /// Whether each security has at least one session with traded volume.
    pub has_volume: Vec<bool>,
}

/// Log volume v = ln(1 + V) (§5.6); missing for a day without traded volume (V missing, 0
/// or negative: a suspension or a placeholder row).
///
/// # Formula
/// v_t = ln(1 + V_t), the analogue without shares outstanding of Campbell & Wasley's (1996)
/// ln(turnover + c), c = 0.000255.
///
/// # Examples
/// ```
/// use evstudy::study::log_volume;
/// assert_eq!(log_volume(0.0).is_nan(), true);
/// assert!((log_volume(std::f64::consts::E - 1.0) - 1.0).abs() < 1e-15);
/// ```
pub fn log_volume(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v.ln_1p()
    } else {
        f64::NAN
    }
}

/// The volume column read from `src`: `[volume] col`, else the file's `volume_col`, else a
/// column named `volume`. `None` when the file has no such column (a wide file never has
/// one; a Parquet file is read only when the column is named explicitly).
///
/// # Errors
/// The file cannot be opened.
fn volume_column(src: &PriceSource, col: Option<&str>) -> Result<Option<String>> {
    if src.layout == Layout::Wide {
        return Ok(None);
    }
    if col.is_none() {
        if let Some(c) = &src.volume_col {
            return Ok(Some(c.clone()));
        }
    }
    let name = col.unwrap_or("volume");
    if src.is_parquet() {
        return Ok(col.map(str::to_string));
    }
    let file = std::fs::File::open(&src.path).map_err(|e| Error::io(&src.path, e))?;
    let mut header = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut header)
        .map_err(|e| Error::io(&src.path, e))?;
    let found = header
        .trim_start_matches('\u{feff}')
        .split(|ch| {
            src.separator
                .map_or(ch == ',' || ch == ';' || ch == '\t', |s| ch == s)
        })
        .any(|field| field.trim().trim_matches('"') == name);
    Ok(found.then(|| name.to_string()))
}

/// The volumes of every price file with a volume column, as one panel (the file named by
/// `prefer` wins where two files have the same ticker, as for prices).
///
/// # Errors
/// The price readers' errors on the volume column.
pub(crate) fn read_volumes(
    sources: &[PriceSource],
    prefer: Option<&str>,
    col: Option<&str>,
) -> Result<PricePanel> {
    let mut panels = Vec::new();
    for src in sources {
        let Some(column) = volume_column(src, col)? else {
            continue;
        };
        let volume_source = PriceSource {
            price_col: column,
            value: ValueKind::Price,
            strict: false,
            open_col: None,
            volume_col: None,
            ..src.clone()
        };
        panels.push(read_prices(&volume_source)?);
    }
    combine_panels(panels, prefer)
}

/// The log-volume series of every security of `universe` on its calendar and, for the
/// market model, the market log volume as the benchmark column: the equal-weighted mean log
/// volume of the securities of its calendar or, with [`VolumeMarket::Benchmark`], the log
/// volume of the security's benchmark (`benchmark_of`) when the volume panel has one for it.
pub(crate) fn volume_series(
    panel: &PricePanel,
    universe: &Universe,
    design: &VolumeDesign,
    benchmark_of: impl Fn(&str) -> Option<String>,
) -> VolumeSeries {
    let logs: Vec<Vec<f64>> = universe
        .series
        .iter()
        .enumerate()
        .map(|(s, series)| logs_on(panel, &series.security, universe.calendar(s).dates()))
        .collect();
    let has_volume: Vec<bool> = logs
        .iter()
        .map(|v| v.iter().any(|x| x.is_finite()))
        .collect();
    let mut market = Markets {
        equal_weighted: Vec::new(),
        benchmarks: HashMap::new(),
    };
    if design.model == VolumeModel::MarketModel {
        market.equal_weighted = market_log_volume(universe, &logs);
    }
    let series = logs
        .into_iter()
        .enumerate()
        .map(|(s, ret)| {
            let bench = match design.model {
                VolumeModel::MarketModel => {
                    let b = match design.market {
                        VolumeMarket::Benchmark => benchmark_of(&universe.series[s].security),
                        VolumeMarket::EqualWeighted => None,
                    };
                    market.of(panel, universe, s, b)
                }
                VolumeModel::MeanAdjusted => Vec::new().into(),
            };
            AlignedSeries {
                security: universe.series[s].security.clone(),
                dates: Arc::clone(&universe.series[s].dates),
                ret,
                bench,
                ..Default::default()
            }
        })
        .collect();
    VolumeSeries { series, has_volume }
}

/// The log volume of `ticker` on `sessions` (all missing when the panel has no volume for it).
fn logs_on(panel: &PricePanel, ticker: &str, sessions: &[NaiveDate]) -> Vec<f64> {
    match panel.series.get(ticker) {
        Some(p) => align_to_sessions(&p.dates, &p.values, sessions)
            .values
            .into_iter()
            .map(log_volume)
            .collect(),
        None => vec![f64::NAN; sessions.len()],
    }
}

/// The market log-volume columns, shared by the securities that use the same one.
struct Markets {
    /// Equal-weighted, one per calendar.
    equal_weighted: Vec<Arc<[f64]>>,
    /// A benchmark's log volume on a calendar; `None` when the benchmark has no volume there.
    benchmarks: HashMap<(String, usize), Option<Arc<[f64]>>>,
}

impl Markets {
    /// The market column of security `s` with benchmark `b`.
    fn of(
        &mut self,
        panel: &PricePanel,
        universe: &Universe,
        s: usize,
        b: Option<String>,
    ) -> Arc<[f64]> {
        let ci = universe.securities[s].calendar;
        let own = b.and_then(|b| {
            self.benchmarks
                .entry((b.clone(), ci))
                .or_insert_with(|| {
                    let v = logs_on(panel, &b, universe.calendar(s).dates());
                    v.iter().any(|x| x.is_finite()).then(|| v.into())
                })
                .clone()
        });
        own.unwrap_or_else(|| Arc::clone(&self.equal_weighted[ci]))
    }
}

/// The equal-weighted market log volume of each calendar: on each session, the mean of the
/// log volumes of the universe's securities on that calendar that traded that day (missing
/// when none did).
///
/// # Formula
/// v_mt = (1/N_t) Σ_{i traded on t} v_it (Campbell & Wasley 1996, equal-weighted).
fn market_log_volume(universe: &Universe, logs: &[Vec<f64>]) -> Vec<Arc<[f64]>> {
    universe
        .calendars
        .iter()
        .enumerate()
        .map(|(ci, entry)| {
            let n = entry.calendar.dates().len();
            let (mut sum, mut count) = (vec![0.0; n], vec![0usize; n]);
            for (s, v) in logs.iter().enumerate() {
                if universe.securities[s].calendar != ci {
                    continue;
                }
                for (j, &x) in v.iter().enumerate() {
                    if x.is_finite() {
                        sum[j] += x;
                        count[j] += 1;
                    }
                }
            }
            sum.iter()
                .zip(&count)
                .map(|(&s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
                .collect()
        })
        .collect()
}
