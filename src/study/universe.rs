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
use rayon::prelude::*;
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
    /// The aligned series, parallel to `securities` (what the engine reads; shared with the
    /// engine's batch, which recomputes residuals from them).
    pub series: Arc<[AlignedSeries]>,
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
///
/// The benchmarks are aligned first, once per benchmark and calendar; the securities are then
/// aligned in parallel, and their series-level exclusions recorded afterwards in ticker order,
/// each series once, as a security-by-security pass would (so the rows do not depend on the
/// number of threads).
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
    };
    let todo: Vec<(&String, usize)> = wanted
        .iter()
        .filter_map(|t| calendars.of.get(t).map(|&ci| (t, ci)))
        .collect();
    for &(t, ci) in &todo {
        if let Some(b) = aligner.benchmark_of(t) {
            aligner.align_benchmark(&b, ci);
        }
    }
    let aligned: Vec<Aligned> = todo
        .par_iter()
        .map(|&(t, ci)| aligner.security(t, ci))
        .collect();
    let mut reported = BTreeSet::new();
    for a in &aligned {
        aligner.report(a, &mut reported, exclusions);
    }
    drop(aligner);
    drop(panel);
    let mut data = Vec::with_capacity(aligned.len());
    let mut series = Vec::with_capacity(aligned.len());
    let mut index = HashMap::new();
    for a in aligned {
        index.insert(a.series.security.clone(), data.len());
        data.push(a.data);
        series.push(a.series);
    }
    Universe {
        calendars: calendars.entries,
        securities: data,
        series: series.into(),
        index,
    }
}

/// A benchmark on one calendar, shared by its securities.
struct AlignedBenchmark {
    on: OnCalendar,
    daily: Arc<[f64]>,
}

/// One security on its calendar, and what its series-level exclusions are made of.
struct Aligned {
    data: SecurityData,
    series: AlignedSeries,
    /// Its own series' off-calendar count as reported (values left empty).
    counted: OnCalendar,
}

/// Aligns securities on their calendars, sharing date columns and benchmarks.
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
}

impl Aligner<'_> {
    /// The benchmark of `t`, when the model uses one.
    fn benchmark_of(&self, t: &str) -> Option<String> {
        if self.needs_benchmark {
            self.securities.benchmark_of(t)
        } else {
            None
        }
    }

    /// Benchmark `b` on calendar `ci`, aligned once.
    fn align_benchmark(&mut self, b: &str, ci: usize) {
        let key = (b.to_string(), ci);
        if self.benchmarks.contains_key(&key) {
            return;
        }
        let bs = &self.panel.series[b];
        let sessions = self.calendars[ci].calendar.dates();
        let on = align_to_sessions(&bs.dates, &bs.values, sessions);
        let daily: Arc<[f64]> = if bs.kind == ValueKind::Return {
            on.values.clone().into()
        } else {
            daily_returns(&on.values, self.returns).into()
        };
        self.benchmarks.insert(key, AlignedBenchmark { on, daily });
    }

    /// Security `t` on calendar `ci` (its benchmark aligned already).
    fn security(&self, t: &str, ci: usize) -> Aligned {
        let sessions = self.calendars[ci].calendar.dates();
        let s = &self.panel.series[t];
        let on = align_to_sessions(&s.dates, &s.values, sessions);
        let counted = self.counted(s, &on, &self.calendars[ci]);
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
        let benchmark = self.benchmark_of(t);
        if let Some(b) = &benchmark {
            self.add_benchmark(&mut series, b, ci);
        }
        if let Some(f) = self.factors {
            self.add_factors(&mut series, f);
        }
        let data = SecurityData {
            calendar: ci,
            daily,
            benchmark,
        };
        Aligned {
            data,
            series,
            counted,
        }
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

    /// The exclusions of security `a`'s series and then of its benchmark's, each series
    /// reported once (`reported`); a benchmark's own off-calendar rows only on its own
    /// calendar.
    fn report(
        &self,
        a: &Aligned,
        reported: &mut BTreeSet<String>,
        exclusions: &mut Vec<ExclusionRow>,
    ) {
        let ci = a.data.calendar;
        let label = self.calendars[ci].calendar.label();
        let s = &self.panel.series[&a.series.security];
        if reported.insert(s.ticker.clone()) {
            series_exclusions(s, &a.counted, label, exclusions);
        }
        let Some(b) = &a.data.benchmark else {
            return;
        };
        let on_own_calendar = self.securities.exchange_of(b).is_some_and(|x| x == label);
        if on_own_calendar || self.mode == CalendarMode::Data {
            let bs = &self.panel.series[b];
            if reported.insert(bs.ticker.clone()) {
                let bench = &self.benchmarks[&(b.clone(), ci)];
                let on = self.counted(bs, &bench.on, &self.calendars[ci]);
                series_exclusions(bs, &on, label, exclusions);
            }
        }
    }

    /// The benchmark columns of `series` (benchmark `b`, aligned on calendar `ci`).
    fn add_benchmark(&self, series: &mut AlignedSeries, b: &str, ci: usize) {
        let bench = &self.benchmarks[&(b.to_string(), ci)];
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
