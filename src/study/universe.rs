//! The universe of a run: the admitted securities on their calendars, as aligned return
//! series with their benchmark and factors (§1), plus the series-level exclusions.

use super::calendars::{build_calendars, CalendarEntry};
use super::config::CalendarMode;
use super::plan::RunPlan;
use super::securities::SecurityTable;
use super::series_checks::{series_exclusions, with_edge_rows};
use crate::calendar::{HolidayTable, SessionCalendar};
use crate::data::{FactorTable, PricePanel, PriceSeries, ValueKind};
use crate::returns::{
    align_to_sessions, compound_over_spans, daily_returns, span_returns_from_closes,
    trade_to_trade_returns, AlignedSeries, OnCalendar, ReturnKind,
};
use crate::tables::ExclusionRow;
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A security's place in the run besides its aligned series.
pub(crate) struct SecurityData {
    /// Index into [`Universe::calendars`].
    pub calendar: usize,
    /// Daily returns (for portfolios, which always use daily returns, §10) when they differ
    /// from the model's returns (trade-to-trade mode); `None`: the model's returns are daily.
    pub daily: Option<Vec<f64>>,
    /// Benchmark ticker (models with a benchmark).
    pub benchmark: Option<String>,
}

/// The securities of a run on their calendars.
pub(crate) struct Universe {
    /// Every calendar of the run.
    pub calendars: Vec<CalendarEntry>,
    /// The securities in ticker order.
    pub securities: Vec<SecurityData>,
    /// The aligned series, parallel to `securities` (what the engine reads).
    pub series: Vec<AlignedSeries>,
    /// Position in `securities` by ticker.
    pub index: HashMap<String, usize>,
}

impl Universe {
    /// The calendar of security `s`.
    pub fn calendar(&self, s: usize) -> &SessionCalendar {
        &self.calendars[self.securities[s].calendar].calendar
    }

    /// Daily returns of security `s`: its own column in trade-to-trade mode, else the model's.
    pub fn daily(&self, s: usize) -> &[f64] {
        self.securities[s]
            .daily
            .as_deref()
            .unwrap_or(&self.series[s].ret)
    }
}

/// Factor columns (and the risk-free column, empty when the table has none) on `dates`; NaN
/// where the factor table has no row.
pub(crate) struct FactorsOn {
    /// One column per factor, in the table's order.
    pub columns: Vec<Vec<f64>>,
    /// Risk-free rate.
    pub rf: Vec<f64>,
}

/// The factor table's values on `dates`.
pub(crate) fn factors_on(f: &FactorTable, dates: &[NaiveDate]) -> FactorsOn {
    let pos: Vec<Option<usize>> = dates.iter().map(|d| f.position(*d)).collect();
    let pick = |col: &[f64]| -> Vec<f64> {
        pos.iter()
            .map(|p| p.map(|i| col[i]).unwrap_or(f64::NAN))
            .collect()
    };
    FactorsOn {
        columns: f.columns.iter().map(|c| pick(c)).collect(),
        rf: if f.rf.is_empty() {
            Vec::new()
        } else {
            pick(&f.rf)
        },
    }
}

/// The inputs besides prices that place securities on calendars.
pub(crate) struct UniverseSources<'a> {
    /// Exchanges and benchmarks of the securities.
    pub securities: &'a SecurityTable,
    /// Holiday table of the exchange calendars.
    pub holidays: &'a HolidayTable,
    /// Factor table (factor models).
    pub factors: Option<&'a FactorTable>,
}

/// Put the securities `wanted` on their calendars and align their series. The prices are
/// consumed: later phases reuse their memory.
pub(crate) fn build_universe(
    panel: PricePanel,
    wanted: &BTreeSet<String>,
    sources: &UniverseSources,
    plan: &RunPlan,
    exclusions: &mut Vec<ExclusionRow>,
) -> Universe {
    let securities = sources.securities;
    let calendars = build_calendars(plan.calendar, wanted, &panel, securities, sources.holidays);
    let mut aligner = Aligner {
        panel: &panel,
        dates: calendars
            .entries
            .iter()
            .map(|c| c.calendar.dates().into())
            .collect(),
        calendars: &calendars.entries,
        securities,
        factors: sources.factors,
        returns: plan.returns(),
        trade_to_trade: plan.trade_to_trade(),
        mode: plan.calendar,
        needs_benchmark: plan.needs_benchmark,
        benchmarks: HashMap::new(),
        reported: BTreeSet::new(),
    };
    let mut data = Vec::new();
    let mut series = Vec::new();
    let mut index = HashMap::new();
    for t in wanted {
        let Some(&ci) = calendars.of.get(t) else {
            continue;
        };
        let (d, s) = aligner.security(t, ci, exclusions);
        index.insert(t.clone(), data.len());
        data.push(d);
        series.push(s);
    }
    drop(aligner);
    drop(panel);
    Universe {
        calendars: calendars.entries,
        securities: data,
        series,
        index,
    }
}

/// A benchmark on one calendar, shared by its securities.
struct AlignedBenchmark {
    on: OnCalendar,
    daily: Arc<[f64]>,
}

/// Aligns one security after another, sharing date columns and benchmarks.
struct Aligner<'a> {
    panel: &'a PricePanel,
    calendars: &'a [CalendarEntry],
    /// One date column per calendar, shared by its securities.
    dates: Vec<Arc<[NaiveDate]>>,
    securities: &'a SecurityTable,
    factors: Option<&'a FactorTable>,
    returns: ReturnKind,
    trade_to_trade: bool,
    mode: CalendarMode,
    needs_benchmark: bool,
    /// One aligned benchmark per (benchmark, calendar).
    benchmarks: HashMap<(String, usize), AlignedBenchmark>,
    /// Series whose exclusions are reported already.
    reported: BTreeSet<String>,
}

impl Aligner<'_> {
    /// Security `t` on calendar `ci`.
    fn security(
        &mut self,
        t: &str,
        ci: usize,
        exclusions: &mut Vec<ExclusionRow>,
    ) -> (SecurityData, AlignedSeries) {
        let (panel, calendars) = (self.panel, self.calendars);
        let sessions = calendars[ci].calendar.dates();
        let s = &panel.series[t];
        let on = align_to_sessions(&s.dates, &s.values, sessions);
        self.report(s, &on, ci, exclusions);
        let daily = if s.kind == ValueKind::Return {
            on.values.clone()
        } else {
            daily_returns(&on.values, self.returns)
        };
        let (ret, span, daily) = if self.trade_to_trade {
            let (ret, span) = trade_to_trade_returns(&on.values, self.returns);
            (ret, span, Some(daily))
        } else {
            // Daily returns: every span is 1, and the engine reads spans only in
            // trade-to-trade mode (see `AlignedSeries::span`).
            (daily, Vec::new(), None)
        };
        let mut series = AlignedSeries {
            security: t.to_string(),
            dates: Arc::clone(&self.dates[ci]),
            ret,
            span,
            ..Default::default()
        };
        let benchmark = if self.needs_benchmark {
            self.securities.benchmark_of(t)
        } else {
            None
        };
        if let Some(b) = &benchmark {
            self.add_benchmark(&mut series, b, ci, exclusions);
        }
        if let Some(f) = self.factors {
            self.add_factors(&mut series, f);
        }
        let data = SecurityData {
            calendar: ci,
            daily,
            benchmark,
        };
        (data, series)
    }

    /// The off-calendar count of `series` as reported: on an exchange calendar, its rows
    /// outside the sessions' span but inside the calendar's data span are closed days too.
    fn counted(&self, series: &PriceSeries, on: &OnCalendar, entry: &CalendarEntry) -> OnCalendar {
        match entry.span {
            Some(span) => with_edge_rows(&series.dates, entry.calendar.dates(), span, on),
            None => OnCalendar {
                values: Vec::new(),
                off_calendar: on.off_calendar,
                first_off_calendar: on.first_off_calendar,
            },
        }
    }

    /// Report the exclusions of `series` (on calendar `ci`) once.
    fn report(
        &mut self,
        series: &PriceSeries,
        on: &OnCalendar,
        ci: usize,
        exclusions: &mut Vec<ExclusionRow>,
    ) {
        if self.reported.insert(series.ticker.clone()) {
            let entry = &self.calendars[ci];
            let on = self.counted(series, on, entry);
            series_exclusions(series, &on, entry.calendar.label(), exclusions);
        }
    }

    /// The benchmark columns of `series`.
    fn add_benchmark(
        &mut self,
        series: &mut AlignedSeries,
        b: &str,
        ci: usize,
        exclusions: &mut Vec<ExclusionRow>,
    ) {
        let (panel, calendars) = (self.panel, self.calendars);
        let bs = &panel.series[b];
        let key = (b.to_string(), ci);
        if !self.benchmarks.contains_key(&key) {
            let sessions = calendars[ci].calendar.dates();
            let on = align_to_sessions(&bs.dates, &bs.values, sessions);
            let daily: Arc<[f64]> = if bs.kind == ValueKind::Return {
                on.values.clone().into()
            } else {
                daily_returns(&on.values, self.returns).into()
            };
            self.benchmarks
                .insert(key.clone(), AlignedBenchmark { on, daily });
        }
        let bench = &self.benchmarks[&key];
        // The benchmark's own off-calendar rows are only meaningful on its own calendar.
        let label = calendars[ci].calendar.label();
        if self
            .securities
            .exchange_of(b)
            .map(|x| x == label)
            .unwrap_or(false)
            || self.mode == CalendarMode::Data
        {
            if self.reported.insert(bs.ticker.clone()) {
                let on = self.counted(bs, &bench.on, &calendars[ci]);
                series_exclusions(bs, &on, label, exclusions);
            }
        }
        series.bench = if self.trade_to_trade {
            span_returns_from_closes(&bench.on.values, &series.span, self.returns).into()
        } else {
            Arc::clone(&bench.daily)
        };
        series.bench_daily = Arc::clone(&bench.daily);
    }

    /// The factor columns of `series` (compounded over spans in trade-to-trade mode).
    fn add_factors(&self, series: &mut AlignedSeries, f: &FactorTable) {
        let daily = factors_on(f, &series.dates);
        for (name, col) in f.names.iter().zip(daily.columns) {
            series.factors.push(if self.trade_to_trade {
                compound_over_spans(&col, &series.span, self.returns)
            } else {
                col
            });
            series.factor_names.push(name.clone());
        }
        if !f.rf.is_empty() {
            series.rf = if self.trade_to_trade {
                compound_over_spans(&daily.rf, &series.span, self.returns)
            } else {
                daily.rf
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_are_looked_up_by_date_with_nan_for_missing_rows() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        let table = FactorTable {
            dates: vec![d(2), d(3), d(5)],
            names: vec!["mkt_rf".into(), "smb".into()],
            columns: vec![vec![1.0, 2.0, 3.0], vec![10.0, 20.0, 30.0]],
            rf: vec![0.1, 0.2, 0.3],
            file: "ff.csv".into(),
        };
        let on = factors_on(&table, &[d(3), d(4), d(5)]);
        let show = |v: &[f64]| format!("{v:?}");
        assert_eq!(show(&on.columns[0]), "[2.0, NaN, 3.0]");
        assert_eq!(show(&on.columns[1]), "[20.0, NaN, 30.0]");
        assert_eq!(show(&on.rf), "[0.2, NaN, 0.3]");
        let without_rf = FactorTable {
            rf: Vec::new(),
            ..table
        };
        assert!(factors_on(&without_rf, &[d(2)]).rf.is_empty());
    }
}
