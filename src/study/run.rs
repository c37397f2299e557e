//! The run of a study, phase by phase: inputs → pairs → universe → day 0 → engine → pair
//! rows → group tests and same-date portfolios → sorted tables.

use super::battery::{test_group, BatteryInputs, EstimationDates};
use super::compute::analyse_all;
use super::day0::map_pairs_to_day0;
use super::groups::label_pairs;
use super::inputs::load;
use super::pairs::{admit_pairs, expand_pairs, Admission, Scopes};
use super::plan::RunPlan;
use super::portfolios::{same_date_portfolios, PortfolioInputs};
use super::rows::push_all_pair_rows;
use super::universe::build_universe;
use super::{RunSummary, StudyConfig, StudyRun};
use crate::error::Result;
use crate::tables::StudyTables;
use std::time::Instant;

/// Run the whole study: every table, sorted as methodology §12 says, the run's summary and
/// the aligned series of every security that entered the analysis (for placebo simulations
/// on the real panel). Errors stop the run; everything else is an exclusion row.
pub fn run_study(cfg: &StudyConfig) -> Result<StudyRun> {
    let plan = RunPlan::from_config(cfg)?;
    let mut summary = RunSummary::default();
    let mut clock = Stopwatch(Instant::now());
    let inputs = load(&plan)?;
    summary.inputs = inputs.files;
    let mut tables = StudyTables::default();
    clock.lap(&mut summary, "load");

    let scopes = Scopes::new(&inputs.securities, &plan.groups, inputs.panel.series.keys());
    let mut set = expand_pairs(inputs.events, plan.include_unverified, &scopes);
    tables.exclusions.append(&mut set.exclusions);
    summary.pairs_total = set.total;
    let admission = Admission {
        needs_benchmark: plan.needs_benchmark,
        calendar: plan.calendar,
    };
    let wanted = admit_pairs(
        &set,
        &inputs.panel,
        &inputs.securities,
        admission,
        &mut tables.exclusions,
    );
    let (securities, factors) = (&inputs.securities, inputs.factors.as_ref());
    let universe = build_universe(
        inputs.panel,
        &wanted,
        securities,
        &inputs.holidays,
        factors,
        &plan,
        &mut tables.exclusions,
    );
    clock.lap(&mut summary, "calendars_and_returns");

    let (events, pairs) = (&set.events, &mut set.pairs);
    map_pairs_to_day0(pairs, events, &universe, &plan.day0, &mut tables);
    clock.lap(&mut summary, "day0");

    let batch = analyse_all(
        pairs,
        events,
        &universe,
        &plan.engine,
        &mut tables.exclusions,
    );
    summary.pairs_analysed = pairs.iter().filter(|p| p.result.is_some()).count();
    clock.lap(&mut summary, "compute");

    let n_windows = plan.stats.windows.len();
    push_all_pair_rows(
        &mut tables,
        pairs,
        events,
        &universe,
        &batch,
        plan.event_period,
        n_windows,
    );
    clock.lap(&mut summary, "pair_tables");

    let est_dates = EstimationDates::new(&universe, plan.stats.estimation);
    let battery = BatteryInputs {
        pairs,
        events,
        universe: &universe,
        batch: &batch,
        est_dates: &est_dates,
        stats: &plan.stats,
    };
    let portfolios = PortfolioInputs {
        pairs,
        universe: &universe,
        factors,
        engine: &plan.engine,
        stats: &plan.stats,
        event_period: plan.event_period,
    };
    for group in label_pairs(pairs, events, securities, &plan.groupings) {
        let tests = test_group(&group, &battery);
        tables.tests.extend(tests.tests);
        tables.aggregate.extend(tests.aggregate);
        summary
            .diagnostics
            .push((group.label.clone(), tests.diagnostics));
        same_date_portfolios(&group, &portfolios, &mut tables);
    }
    clock.lap(&mut summary, "tests_and_portfolios");

    let window_order: Vec<String> = plan.stats.windows.iter().map(|w| w.label()).collect();
    crate::output::sort_tables(&mut tables, &window_order);
    clock.lap(&mut summary, "sort");
    Ok(StudyRun {
        tables,
        summary,
        series: universe.series,
    })
}

/// Wall time of consecutive phases.
struct Stopwatch(Instant);

impl Stopwatch {
    /// Record the time since the last lap as phase `name`.
    fn lap(&mut self, summary: &mut RunSummary, name: &'static str) {
        let now = Instant::now();
        summary.timings.push((name, (now - self.0).as_secs_f64()));
        self.0 = now;
    }
}
