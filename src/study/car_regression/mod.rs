//! The `car_regression` table (§7.6, §12): each declared regression's sample (the analysed
//! pairs of its group with a complete CAR in its window), its regressors read from the
//! characteristics and events files or built in, and the OLS fit with robust standard errors.

mod columns;
mod sample;

use self::columns::ColumnFile;
use self::sample::{build_sample, Resolved, Sample, Source};
use super::groups::GroupLabel;
use super::pairs::Pair;
use super::securities::SecurityTable;
use crate::abnormal::PairBatch;
use crate::calendar::EventRecord;
use crate::design::{CarRegressionSpec, ClusterBy, Regressor};
use crate::error::{Error, Result};
use crate::stats::car_regression::{car_regression, CarRegression, CrossSection};
use crate::tables::CarRegressionRow;
use std::path::Path;

/// The group of a regression declared without `group`.
const ALL_PAIRS: &str = "all_pairs";

/// What the regressions read of the run.
pub(crate) struct RegressionInputs<'a> {
    /// The pairs of the run.
    pub pairs: &'a [Pair],
    /// The events kept.
    pub events: &'a [EventRecord],
    /// The engine's results.
    pub batch: &'a PairBatch,
    /// The study's securities.
    pub securities: &'a SecurityTable,
    /// The group labels of the aggregate table.
    pub labels: &'a [GroupLabel],
    /// The event windows, written `a:b`.
    pub window_labels: &'a [String],
    /// The events file (its columns can be regressors).
    pub events_file: &'a Path,
}

impl RegressionInputs<'_> {
    /// CAR(W) of pair `i` when its window `w` is complete with a finite CAR and SCAR (the
    /// test set of the `aggregate` CAR row, §7.2).
    fn complete_car(&self, i: usize, w: usize) -> Option<f64> {
        let p = &self.pairs[i];
        p.day0?;
        let view = self.batch.get(p.result?).ok()?;
        let win = view.windows.get(w).filter(|x| x.complete)?;
        let (car, scar) = (win.car?, win.scar?);
        (car.is_finite() && scar.is_finite()).then_some(car)
    }
}

/// The rows of every declared regression and one warning per regression without estimates.
pub(crate) struct CarRegressions {
    /// One row per regression × coefficient, in declaration order.
    pub rows: Vec<CarRegressionRow>,
    /// One line per regression without estimates.
    pub warnings: Vec<String>,
}

/// Fits every declared regression.
///
/// # Errors
/// A regressor that names no column of the characteristics or events file (the error names
/// the files and their columns), a text cell in a numeric column (file, row, column), or a
/// characteristics file that cannot be read.
pub(crate) fn car_regressions(
    specs: &[CarRegressionSpec],
    inputs: &RegressionInputs,
) -> Result<CarRegressions> {
    let mut out = CarRegressions {
        rows: Vec::new(),
        warnings: Vec::new(),
    };
    for spec in specs {
        let chars = match &spec.characteristics {
            Some(p) => Some(ColumnFile::characteristics(p)?),
            None => None,
        };
        let needs_events = spec.regressors.iter().any(|r| match r {
            Regressor::Column(c) => !chars
                .as_ref()
                .is_some_and(|f| f.candidates().contains(&c.as_str())),
            _ => false,
        });
        let events = match (needs_events, is_toml(inputs.events_file)) {
            (false, _) => None,
            (true, false) => Some(ColumnFile::events(inputs.events_file)?),
            (true, true) => Some(ColumnFile::events_toml(inputs.events_file)?),
        };
        let resolved = spec
            .regressors
            .iter()
            .map(|r| resolve(spec, r, chars.as_ref(), events.as_ref()))
            .collect::<Result<Vec<Resolved>>>()?;
        let members: Vec<usize> = match &spec.group {
            None => (0..inputs.pairs.len())
                .filter(|&i| inputs.pairs[i].result.is_some())
                .collect(),
            Some(label) => match inputs.labels.iter().find(|g| &g.label == label) {
                Some(g) => g.members.clone(),
                None => {
                    let reason = format!(
                        "no analysed group has the label '{label}' (labels are those of the \
                         aggregate table)"
                    );
                    out.warnings
                        .push(format!("car_regression '{}': {reason}", spec.name));
                    out.rows.push(failed_row(spec, inputs, 0, 0, 0, reason));
                    continue;
                }
            },
        };
        let sample = build_sample(&members, spec.window, &resolved, spec.cluster, inputs);
        fit_rows(spec, inputs, &sample, &mut out);
    }
    Ok(out)
}

/// The events file is TOML (its `[[event]]` keys are the columns).
fn is_toml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// A regressor's source: a built-in, else a column of the characteristics file, else one of
/// the events file.
fn resolve<'a>(
    spec: &CarRegressionSpec,
    r: &Regressor,
    chars: Option<&'a ColumnFile>,
    events: Option<&'a ColumnFile>,
) -> Result<Resolved<'a>> {
    if let Some(b) = Resolved::builtin(r) {
        return Ok(b);
    }
    let name = r.name();
    for file in chars.into_iter().chain(events) {
        if let Some(column) = file.column(&name)? {
            return Ok(Resolved {
                name,
                source: Source::Column(column),
            });
        }
    }
    let mut places: Vec<String> = chars
        .into_iter()
        .chain(events)
        .map(|f| format!("{} has {}", f.path, f.candidates().join(", ")))
        .collect();
    places.push("built in: exchange, security_group, category, car:<a:b>".into());
    Err(Error::config(format!(
        "car_regression '{}': regressor '{name}' is no column of the characteristics or \
         events file ({})",
        spec.name,
        places.join("; ")
    )))
}

/// The rows of one regression: one per coefficient, or one with the reason when it has no
/// estimates (a warning then names it).
fn fit_rows(
    spec: &CarRegressionSpec,
    inputs: &RegressionInputs,
    s: &Sample,
    out: &mut CarRegressions,
) {
    let (n, k) = (s.y.len(), s.terms.len());
    let data = CrossSection {
        y: &s.y,
        x: &s.x,
        k,
        terms: &s.terms,
        clusters: s.clusters.as_deref(),
    };
    let fit = match &s.single_level {
        Some(reason) => Err(reason.clone()),
        None => car_regression(&data).map_err(|e| e.to_string()),
    };
    let fit = match fit {
        Ok(fit) => fit,
        Err(reason) => {
            out.warnings
                .push(format!("car_regression '{}': {reason}", spec.name));
            let note = [reason, s.note.clone()].join("; ");
            let note = note.trim_end_matches("; ").to_string();
            out.rows
                .push(failed_row(spec, inputs, n, k, s.n_excluded, note));
            return;
        }
    };
    for (j, c) in fit.coefficients.iter().enumerate() {
        let mut row = failed_row(spec, inputs, n, k, s.n_excluded, s.note.clone());
        row.term = s.terms[j].clone();
        row.base = s.bases[j].clone();
        (row.estimate, row.se, row.t, row.p) = (Some(c.estimate), c.se, c.t, c.p);
        fill_fit(&mut row, &fit);
        out.rows.push(row);
    }
}

/// The regression-level columns of a fitted row.
fn fill_fit(row: &mut CarRegressionRow, fit: &CarRegression) {
    row.df = Some(fit.df);
    row.n_clusters = fit.n_clusters.map(|g| g as u32);
    row.r2 = fit.r2;
    row.adj_r2 = fit.adj_r2;
}

/// A row of regression `spec` with no estimates.
fn failed_row(
    spec: &CarRegressionSpec,
    inputs: &RegressionInputs,
    n: usize,
    k: usize,
    n_excluded: usize,
    note: String,
) -> CarRegressionRow {
    CarRegressionRow {
        name: spec.name.clone(),
        window: inputs.window_labels[spec.window].clone(),
        group: spec.group.clone().unwrap_or_else(|| ALL_PAIRS.to_string()),
        term: String::new(),
        base: String::new(),
        estimate: None,
        se: None,
        t: None,
        p: None,
        df: None,
        se_kind: match spec.cluster {
            ClusterBy::None => "HC1",
            _ => "CR1",
        }
        .to_string(),
        cluster: spec.cluster.as_str().to_string(),
        n: n as u32,
        k: k as u32,
        n_clusters: None,
        n_excluded: n_excluded as u32,
        r2: None,
        adj_r2: None,
        note,
    }
}
