//! The run of a study, phase by phase: inputs → pairs → universe → day 0 → engine → pair
//! rows → group tests and same-date portfolios → sorted tables.

use super::battery::{test_group, BatteryInputs, EstimationDates};
use super::bootstrap::bootstrap_group;
use super::car_regression::{car_regressions, RegressionInputs};
use super::compute::{analyse_all, record_outcomes};
use super::day0::{check_windows_reach, day0_rows, map_pairs_to_day0, MadeDay0Rows};
use super::differences::group_differences;
use super::empty_run::ticker_hints;
use super::groups::label_pairs;
use super::headline::headline_rows;
use super::inputs::load;
use super::made_rows::{make_pair_tables, HeldRows, PairTableParts};
use super::metadata::{event_rows, security_rows};
use super::multiple_testing::adjust_tests;
use super::pairs::{admit_pairs, expand_pairs, Pair, PairSet, Scopes};
use super::plan::RunPlan;
use super::portfolios::{same_date_portfolios, PortfolioInputs};
use super::rows::{push_all_pair_rows, AbnormalReturnRows, AnalysedPairs, MadeTables};
use super::securities::SecurityTable;
use super::single_firm::{quantile_phase, variance_ratio_rows};
use super::universe::{build_universe, Universe, UniverseSources};
use super::volume::{volume_study, VolumeInputs};
use super::{peak_memory_kib, PhaseTiming};
use super::{InputFile, LabelDiagnostics, RunSummary, StudyConfig, StudyRun};
use crate::abnormal::PairBatch;
use crate::calendar::EventRecord;
use crate::data::{factor_scale_warning, FactorTable};
use crate::error::Result;
use crate::tables::StudyTables;
use std::time::Instant;

/// Run the whole study: every table, sorted as methodology §12 says, the run's summary and
/// the aligned series of every security that entered the analysis (for placebo simulations
/// on the real panel). Errors stop the run; everything else is an exclusion row.
pub fn run_study(cfg: &StudyConfig) -> Result<StudyRun> {
    run_study_with(cfg, AbnormalReturnRows::Held)
}

/// [`run_study`] with the `abnormal_returns` rows held in the tables or made when written
/// ([`AbnormalReturnRows`]); the files written are the same either way.
pub fn run_study_with(cfg: &StudyConfig, ar: AbnormalReturnRows) -> Result<StudyRun> {
    let mut run = prepare(cfg)?;
    let batch = run.compute();
    run.finish(batch, ar)
}

/// A run up to and including day 0 (plan, inputs, pairs, universe, day 0): what the engine
/// reads, and what the phases after it read besides the engine's batch.
pub(crate) struct Prepared {
    /// The settings.
    pub plan: RunPlan,
    /// The tables and summary so far.
    out: Recorder,
    scopes: Scopes,
    /// The events and their pairs, day 0 set.
    pub set: PairSet,
    securities: SecurityTable,
    factors: Option<FactorTable>,
    /// The securities on their calendars.
    pub universe: Universe,
}

/// The phases of a run before the engine: cheap and deterministic, so every worker of a
/// partitioned run repeats them and agrees on the job list.
pub(crate) fn prepare(cfg: &StudyConfig) -> Result<Prepared> {
    let plan = RunPlan::from_config(cfg)?;
    let mut out = Recorder::start();
    let inputs = load(&plan)?;
    out.summary.inputs = inputs.files;
    if let (Some(f), Some(src)) = (&inputs.factors, &plan.sources.factors) {
        out.summary
            .warnings
            .extend(factor_scale_warning(f, src.scale));
    }
    out.lap("load");

    let (securities, factors) = (inputs.securities, inputs.factors);
    let scopes = Scopes::new(&securities, &plan.groups, inputs.panel.series.keys())
        .restricted_to(&plan.universe);
    let mut set = expand_pairs(inputs.events, plan.include_unverified, &scopes);
    out.tables.exclusions.append(&mut set.exclusions);
    out.summary.pairs_total = set.total;
    let excluded = &mut out.tables.exclusions;
    let wanted = admit_pairs(&set, &inputs.panel, &securities, plan.admission(), excluded);
    if wanted.is_empty() {
        let files = price_files(&plan);
        out.summary.hints = ticker_hints(&set, &inputs.panel, &securities, &files);
    }
    let sources = UniverseSources {
        securities: &securities,
        holidays: &inputs.holidays,
        factors: factors.as_ref(),
    };
    let universe = build_universe(inputs.panel, &wanted, &sources, &plan, excluded);
    out.lap("calendars_and_returns");

    check_windows_reach(&plan, &universe)?;
    let excluded = &mut out.tables.exclusions;
    map_pairs_to_day0(&mut set.pairs, &set.events, &universe, &plan.day0, excluded);
    out.lap("day0");
    Ok(Prepared {
        plan,
        out,
        scopes,
        set,
        securities,
        factors,
        universe,
    })
}

impl Prepared {
    /// The engine on every pair with a day 0.
    pub fn compute(&mut self) -> PairBatch {
        let excluded = &mut self.out.tables.exclusions;
        let (pairs, events) = (&mut self.set.pairs, &self.set.events);
        let batch = analyse_all(pairs, events, &self.universe, &self.plan.engine, excluded);
        self.out.lap("compute");
        batch
    }

    /// The engine's batch of every job of `todo`, made elsewhere (assembled from the parts
    /// of a partitioned run): the pairs' results and exclusions recorded as
    /// [`Prepared::compute`] records them.
    pub fn accept(&mut self, todo: &[usize], batch: &PairBatch) {
        let excluded = &mut self.out.tables.exclusions;
        record_outcomes(&mut self.set.pairs, &self.set.events, todo, batch, excluded);
        self.out.lap("merge");
    }

    /// The input files read, with size and SHA-256.
    pub fn inputs(&self) -> &[InputFile] {
        &self.out.summary.inputs
    }

    /// Records the time since the last phase, and the peak memory so far, as phase `name`.
    pub fn lap(&mut self, name: &'static str) {
        self.out.lap(name);
    }

    /// The phases timed so far.
    pub fn timings(&self) -> &[PhaseTiming] {
        &self.out.summary.timings
    }

    /// The phases after the engine: pair rows, group tests and portfolios, the optional
    /// phases, sorted tables.
    pub fn finish(self, batch: PairBatch, ar: AbnormalReturnRows) -> Result<StudyRun> {
        let Prepared {
            plan,
            mut out,
            scopes,
            mut set,
            securities,
            factors,
            mut universe,
        } = self;
        let (securities, factors) = (&securities, factors.as_ref());
        let (events, unverified, pairs) = (&set.events, &set.unverified, &mut set.pairs);
        let event_labels = &set.event_labels;
        out.summary.pairs_analysed = pairs.iter().filter(|p| p.result.is_some()).count();

        let analysed_pairs = AnalysedPairs {
            pairs,
            events,
            event_labels,
            universe: &universe,
            batch: &batch,
            event_period: plan.event_period,
            n_windows: plan.stats.windows.len(),
        };
        let made = MadeTables {
            abnormal_returns: ar,
            // the single-firm quantile cells are added to the held `cars` rows
            cars_and_model_fits: ar == AbnormalReturnRows::Made && !plan.single_firm.quantile,
        };
        let blocks = push_all_pair_rows(&mut out.tables, &analysed_pairs, made);
        let tables = &mut out.tables;
        quantile_phase(&plan, tables, &mut out.summary.notes, pairs, &batch);
        out.lap("pair_tables");

        let analysed = Analysed {
            pairs,
            events,
            universe: &universe,
            batch: &batch,
            securities,
            factors,
        };
        test_groups(&plan, &analysed, &mut out);
        out.lap("tests_and_portfolios");
        let window_order: Vec<String> = plan.stats.windows.iter().map(|w| w.label()).collect();
        if !plan.differences.is_empty() {
            let labels = label_pairs(pairs, events, securities, &plan.groupings);
            let d = group_differences(&plan.differences, &window_order, &labels, pairs, &batch);
            out.tables.differences = d.rows;
            out.summary.warnings.extend(d.warnings.iter().cloned());
            out.summary.notes.extend(d.warnings);
        }
        if plan.single_firm.variance_ratio {
            let labels = label_pairs(pairs, events, securities, &plan.groupings);
            out.tables.variance_ratio = variance_ratio_rows(&labels, &window_order, pairs, &batch);
        }
        regress_cars(&plan, &analysed, &window_order, &mut out)?;

        if let Some(design) = &plan.volume {
            let (pairs, excluded) = (&*pairs, &mut out.tables.exclusions);
            let v = VolumeInputs {
                plan: &plan,
                design,
                pairs,
                events,
                securities,
            };
            out.tables.volume = Some(volume_study(&v, &mut universe, excluded)?);
            out.lap("volume");
        }
        if ar == AbnormalReturnRows::Made {
            let held = HeldRows::take(&mut out.tables, made.cars_and_model_fits);
            let parts = PairTableParts {
                blocks,
                held,
                batch,
                h: plan.event_period,
                n_windows: plan.stats.windows.len(),
                cars_made: made.cars_and_model_fits,
            };
            make_pair_tables(parts, &mut out.tables);
        }
        // The `events`, `securities` and `day0_mapping` rows are made last, once the tests'
        // working memory is freed and the made tables are set up, so that none of these is
        // held at once.
        let kept = (&events[..], &event_labels[..], &set.scope_sizes[..]);
        out.tables.events = event_rows(kept, unverified, pairs, &scopes);
        out.tables.securities = security_rows(securities, pairs);
        let named = (&events[..], &event_labels[..]);
        if ar == AbnormalReturnRows::Made {
            let made = MadeDay0Rows::new(pairs, named, &universe, &plan.day0);
            out.tables.day0_made = Some(std::sync::Arc::new(made));
        } else {
            out.tables.day0 = day0_rows(pairs, named, &universe, &plan.day0);
        }
        crate::output::sort_tables(&mut out.tables, &window_order);
        if let Some(mt) = &plan.multiple_testing {
            adjust_tests(&mut out.tables.tests, mt, &mut out.summary);
        }
        out.tables.headline = headline_rows(&out.tables.aggregate, &out.tables.tests);
        out.lap("sort");
        Ok(StudyRun {
            tables: out.tables,
            summary: out.summary,
            series: universe.series,
        })
    }
}

/// The price files of the run, as named in messages.
fn price_files(plan: &RunPlan) -> String {
    let names: Vec<String> = plan
        .sources
        .prices
        .iter()
        .map(|s| s.path.display().to_string())
        .collect();
    names.join(", ")
}

/// The analysed pairs and what the group phases read besides them.
struct Analysed<'a> {
    pairs: &'a [Pair],
    events: &'a [EventRecord],
    universe: &'a Universe,
    batch: &'a PairBatch,
    securities: &'a SecurityTable,
    factors: Option<&'a FactorTable>,
}

/// The test battery and the same-date portfolios of every group label, label after label.
fn test_groups(plan: &RunPlan, a: &Analysed, out: &mut Recorder) {
    let est_dates = EstimationDates::new(a.universe, plan.stats.estimation);
    let battery = BatteryInputs {
        pairs: a.pairs,
        events: a.events,
        universe: a.universe,
        batch: a.batch,
        est_dates: &est_dates,
        stats: &plan.stats,
    };
    let portfolios = PortfolioInputs {
        pairs: a.pairs,
        universe: a.universe,
        factors: a.factors,
        engine: &plan.engine,
        stats: &plan.stats,
        event_period: plan.event_period,
    };
    for group in label_pairs(a.pairs, a.events, a.securities, &plan.groupings) {
        let tests = test_group(&group, &battery);
        out.tables.tests.extend(tests.tests);
        if let Some(settings) = &plan.bootstrap {
            out.tables
                .tests
                .extend(bootstrap_group(&group, &battery, settings));
        }
        out.tables.aggregate.extend(tests.aggregate);
        out.summary.diagnostics.push(LabelDiagnostics {
            group: group.label.clone(),
            diagnostics: tests.diagnostics,
        });
        same_date_portfolios(&group, &portfolios, &mut out.tables);
    }
}

/// The `car_regression` table of the declared regressions (none: nothing is read or added).
fn regress_cars(
    plan: &RunPlan,
    a: &Analysed,
    windows: &[String],
    out: &mut Recorder,
) -> Result<()> {
    if plan.car_regressions.is_empty() {
        return Ok(());
    }
    let labels = label_pairs(a.pairs, a.events, a.securities, &plan.groupings);
    let inputs = RegressionInputs {
        pairs: a.pairs,
        events: a.events,
        batch: a.batch,
        securities: a.securities,
        labels: &labels,
        window_labels: windows,
        events_file: &plan.sources.events,
    };
    let r = car_regressions(&plan.car_regressions, &inputs)?;
    out.tables.car_regression = r.rows;
    out.summary.warnings.extend(r.warnings.iter().cloned());
    out.summary.notes.extend(r.warnings);
    Ok(())
}

/// The tables and summary being filled, and the wall time of consecutive phases.
struct Recorder {
    tables: StudyTables,
    summary: RunSummary,
    clock: Instant,
}

impl Recorder {
    fn start() -> Recorder {
        Recorder {
            tables: StudyTables::default(),
            summary: RunSummary::default(),
            clock: Instant::now(),
        }
    }

    /// Record the time since the last lap, and the peak memory so far, as phase `name`.
    fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.summary.timings.push(PhaseTiming {
            phase: name,
            seconds: (now - self.clock).as_secs_f64(),
            peak_kib: peak_memory_kib(),
        });
        self.clock = now;
    }
}
