//! The sample of one regression: each pair's CAR and regressor values, the pairs left out and
//! why, and the design matrix with the dummies of categorical regressors (§7.6).

use super::columns::{Column, Value};
use super::RegressionInputs;
use crate::design::{ClusterBy, Regressor};
use std::collections::{BTreeSet, HashMap};

/// Where the values of one regressor come from.
pub(super) enum Source<'a> {
    /// The security's exchange code.
    Exchange,
    /// The security's group (`none` when it has none).
    SecurityGroup,
    /// The event's category (`none` when empty).
    Category,
    /// The pair's CAR over event window `w`.
    Car(usize),
    /// A column of the characteristics or events file.
    Column(Column<'a>),
}

/// A regressor with its source.
pub(super) struct Resolved<'a> {
    /// The regressor as written.
    pub name: String,
    /// Its values.
    pub source: Source<'a>,
}

impl<'a> Resolved<'a> {
    /// A built-in regressor (`None` for a column, resolved by the caller).
    pub fn builtin(r: &Regressor) -> Option<Resolved<'a>> {
        let source = match r {
            Regressor::Exchange => Source::Exchange,
            Regressor::SecurityGroup => Source::SecurityGroup,
            Regressor::Category => Source::Category,
            Regressor::Car { window, .. } => Source::Car(*window),
            Regressor::Column(_) => return None,
        };
        Some(Resolved {
            name: r.name(),
            source,
        })
    }

    fn value(&self, pair: usize, inputs: &RegressionInputs) -> Option<Value> {
        let p = &inputs.pairs[pair];
        let ev = &inputs.events[p.event];
        let level = |s: &str| Value::Level(if s.is_empty() { "none" } else { s }.to_string());
        match &self.source {
            Source::Exchange => inputs.securities.exchange_of(&p.security).map(Value::Level),
            Source::SecurityGroup => Some(level(
                inputs
                    .securities
                    .get(&p.security)
                    .and_then(|s| s.group.as_deref())
                    .unwrap_or(""),
            )),
            Source::Category => Some(level(&ev.category)),
            Source::Car(w) => inputs.complete_car(pair, *w).map(Value::Number),
            Source::Column(c) => c.value(&ev.event_id, &p.security),
        }
    }
}

/// The regression's data: y, X (row-major, intercept first), clusters and term names.
pub(super) struct Sample {
    /// CARs of the pairs used.
    pub y: Vec<f64>,
    /// Design matrix, row-major.
    pub x: Vec<f64>,
    /// Names of the columns of X.
    pub terms: Vec<String>,
    /// Base level of each column (empty but for dummies).
    pub bases: Vec<String>,
    /// Cluster of each observation (`None` for HC1).
    pub clusters: Option<Vec<usize>>,
    /// Pairs of the sample left out.
    pub n_excluded: usize,
    /// Why pairs were left out, e.g. `2 without a value of size`; empty when none was.
    pub note: String,
    /// A categorical regressor with a single level over the sample.
    pub single_level: Option<String>,
}

/// The sample of `members` for the CAR of window `w`: a pair is left out when its CAR or a
/// regressor value is missing (the first missing one is counted); categorical regressors
/// become dummies of each level but the first in sorted order.
pub(super) fn build_sample(
    members: &[usize],
    w: usize,
    regressors: &[Resolved],
    cluster: ClusterBy,
    inputs: &RegressionInputs,
) -> Sample {
    let mut rows: Vec<(usize, f64, Vec<Value>)> = Vec::with_capacity(members.len());
    let mut missing: Vec<usize> = vec![0; regressors.len() + 1];
    'pairs: for &i in members {
        let Some(car) = inputs.complete_car(i, w) else {
            missing[0] += 1;
            continue;
        };
        let mut values = Vec::with_capacity(regressors.len());
        for (j, r) in regressors.iter().enumerate() {
            match r.value(i, inputs) {
                Some(v) => values.push(v),
                None => {
                    missing[j + 1] += 1;
                    continue 'pairs;
                }
            }
        }
        rows.push((i, car, values));
    }
    let mut sample = Sample {
        y: rows.iter().map(|r| r.1).collect(),
        x: Vec::new(),
        terms: vec!["intercept".to_string()],
        bases: vec![String::new()],
        clusters: None,
        n_excluded: members.len() - rows.len(),
        note: exclusion_note(&missing, regressors, &inputs.window_labels[w]),
        single_level: None,
    };
    let columns = design_columns(&rows, regressors, &mut sample);
    for (_, _, values) in &rows {
        sample.x.push(1.0);
        for (j, v) in values.iter().enumerate() {
            match (&columns[j], v) {
                (None, Value::Number(x)) => sample.x.push(*x),
                (Some(levels), Value::Level(l)) => sample
                    .x
                    .extend(levels.iter().map(|d| f64::from(u8::from(d == l)))),
                // A column is numeric or text in every row (typed once per file).
                _ => sample.x.push(f64::NAN),
            }
        }
    }
    sample.clusters = cluster_ids(&rows, cluster, inputs);
    sample
}

/// The dummy levels of each categorical regressor (`None` for a numeric one), with the terms
/// and base levels pushed onto `sample`.
fn design_columns(
    rows: &[(usize, f64, Vec<Value>)],
    regressors: &[Resolved],
    sample: &mut Sample,
) -> Vec<Option<Vec<String>>> {
    let mut columns = Vec::with_capacity(regressors.len());
    for (j, r) in regressors.iter().enumerate() {
        let levels: BTreeSet<&str> = rows
            .iter()
            .filter_map(|row| match &row.2[j] {
                Value::Level(l) => Some(l.as_str()),
                Value::Number(_) => None,
            })
            .collect();
        let numeric = rows.iter().any(|row| matches!(row.2[j], Value::Number(_)))
            || matches!(r.source, Source::Car(_));
        if numeric {
            sample.terms.push(r.name.clone());
            sample.bases.push(String::new());
            columns.push(None);
            continue;
        }
        let mut levels = levels.into_iter();
        let base = levels.next().unwrap_or_default().to_string();
        let dummies: Vec<String> = levels.map(str::to_string).collect();
        if dummies.is_empty() && sample.single_level.is_none() && !rows.is_empty() {
            sample.single_level = Some(format!(
                "regressor '{}' has a single level ('{base}') over the sample",
                r.name
            ));
        }
        for d in &dummies {
            sample.terms.push(format!("{}={d}", r.name));
            sample.bases.push(base.clone());
        }
        columns.push(Some(dummies));
    }
    columns
}

/// The cluster id of each row: pairs of events announced on the same date, or pairs of the
/// same security, share an id.
fn cluster_ids(
    rows: &[(usize, f64, Vec<Value>)],
    cluster: ClusterBy,
    inputs: &RegressionInputs,
) -> Option<Vec<usize>> {
    let key = |i: usize| -> String {
        let p = &inputs.pairs[i];
        match cluster {
            ClusterBy::EventDate => inputs.events[p.event].date.to_string(),
            ClusterBy::Security | ClusterBy::None => p.security.to_string(),
        }
    };
    if cluster == ClusterBy::None {
        return None;
    }
    let mut ids: HashMap<String, usize> = HashMap::new();
    Some(
        rows.iter()
            .map(|r| {
                let n = ids.len();
                *ids.entry(key(r.0)).or_insert(n)
            })
            .collect(),
    )
}

/// `left out: 3 without a complete CAR(0:5), 1 without a value of size`; empty when no pair
/// was left out.
fn exclusion_note(missing: &[usize], regressors: &[Resolved], window: &str) -> String {
    let mut parts = Vec::new();
    if missing[0] > 0 {
        parts.push(format!("{} without a complete CAR({window})", missing[0]));
    }
    for (r, &m) in regressors.iter().zip(&missing[1..]) {
        if m > 0 {
            parts.push(format!("{m} without a value of {}", r.name));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("left out: {}", parts.join(", "))
    }
}
