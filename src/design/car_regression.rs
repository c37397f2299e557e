//! The `[[car_regression]]` setting: cross-sectional regressions of the CARs of one event
//! window on event and security characteristics (§7.6).

use crate::abnormal::Window;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One `[[car_regression]]` entry as written in `study.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarRegressionFile {
    /// Name of the regression in the table (default `reg<k>`, k counted from 1).
    #[serde(default)]
    pub name: Option<String>,
    /// The event window of the dependent CAR, `a:b`, one of the study's event windows.
    pub window: String,
    /// A group label as in the `aggregate` table; default every analysed pair.
    #[serde(default)]
    pub group: Option<String>,
    /// Regressors: a column of the characteristics or events file, `exchange`,
    /// `security_group`, `category` or `car:<a:b>`.
    #[serde(default)]
    pub regressors: Vec<String>,
    /// `event_date` (default), `security` or `none` (HC1).
    #[serde(default)]
    pub cluster: Option<String>,
    /// CSV or Parquet (`.parquet`, `.pq`) file keyed by `event_id` and `security`, or by
    /// `security` alone.
    #[serde(default)]
    pub characteristics: Option<PathBuf>,
}

/// How the errors of a regression are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterBy {
    /// Pairs of events announced on the same date share a cluster (CR1).
    EventDate,
    /// Pairs of the same security share a cluster (CR1).
    Security,
    /// No clusters: heteroskedasticity-robust HC1.
    None,
}

impl ClusterBy {
    /// The name as written in the study file.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterBy::EventDate => "event_date",
            ClusterBy::Security => "security",
            ClusterBy::None => "none",
        }
    }
}

/// One regressor of a regression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regressor {
    /// The security's exchange code (categorical).
    Exchange,
    /// The security's `group` (categorical, `none` when it has none).
    SecurityGroup,
    /// The event's category (categorical, `none` when empty).
    Category,
    /// The pair's CAR over another event window (index in the study's event windows).
    Car {
        /// Index of the window.
        window: usize,
        /// The window, written `a:b`.
        label: String,
    },
    /// A column of the characteristics file or of the events file: numeric when any of its
    /// cells is a number, categorical otherwise.
    Column(String),
}

impl Regressor {
    /// The regressor as written in the study file.
    pub fn name(&self) -> String {
        match self {
            Regressor::Exchange => "exchange".into(),
            Regressor::SecurityGroup => "security_group".into(),
            Regressor::Category => "category".into(),
            Regressor::Car { label, .. } => format!("car:{label}"),
            Regressor::Column(c) => c.clone(),
        }
    }
}

/// A checked `[[car_regression]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct CarRegressionSpec {
    /// Name of the regression.
    pub name: String,
    /// Index of the dependent CAR's window in the study's event windows.
    pub window: usize,
    /// Group label of the sample; `None` for every analysed pair.
    pub group: Option<String>,
    /// The regressors, in the order given.
    pub regressors: Vec<Regressor>,
    /// How the errors are clustered.
    pub cluster: ClusterBy,
    /// The characteristics file, resolved against the study file's folder.
    pub characteristics: Option<PathBuf>,
}

/// The typed `[[car_regression]]` entries; relative characteristics paths are resolved
/// against `base` (the study file's folder).
///
/// # Errors
/// [`Error::Config`] naming the key `car_regression[i].<key>`: a window that does not parse
/// or is not declared, an unknown `cluster`, an empty or repeated regressor or name.
pub(crate) fn car_regressions(
    entries: &[CarRegressionFile],
    event_windows: &[Window],
    base: Option<&Path>,
) -> Result<Vec<CarRegressionSpec>> {
    let mut out: Vec<CarRegressionSpec> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let key = |k: &str| format!("car_regression[{i}].{k}");
        let name = e.name.clone().unwrap_or_else(|| format!("reg{}", i + 1));
        if name.trim().is_empty() || out.iter().any(|s| s.name == name) {
            return Err(Error::config(format!(
                "{}: '{name}' is empty or names another regression",
                key("name")
            )));
        }
        let window = window_index(&key("window"), &e.window, event_windows)?;
        let regressors = e
            .regressors
            .iter()
            .map(|r| regressor(&key("regressors"), r, window, event_windows))
            .collect::<Result<Vec<Regressor>>>()?;
        if let Some(dup) = (1..regressors.len()).find(|&j| regressors[..j].contains(&regressors[j]))
        {
            return Err(Error::config(format!(
                "{}: '{}' is listed twice",
                key("regressors"),
                e.regressors[dup]
            )));
        }
        let characteristics = e.characteristics.as_ref().map(|p| match base {
            Some(b) if p.is_relative() => b.join(p),
            _ => p.clone(),
        });
        out.push(CarRegressionSpec {
            name,
            window,
            group: e.group.clone(),
            regressors,
            cluster: cluster(&key("cluster"), e.cluster.as_deref())?,
            characteristics,
        });
    }
    Ok(out)
}

/// `event_date` (also the default), `security` or `none`.
fn cluster(key: &str, text: Option<&str>) -> Result<ClusterBy> {
    match text.map(str::trim) {
        None | Some("event_date") => Ok(ClusterBy::EventDate),
        Some("security") => Ok(ClusterBy::Security),
        Some("none") => Ok(ClusterBy::None),
        Some(other) => Err(Error::config(format!(
            "{key}: '{other}' is not one of event_date, security, none"
        ))),
    }
}

/// A regressor: a built-in name, `car:<a:b>` of a declared window other than the
/// regression's own, or a column name (checked when the files are read).
fn regressor(key: &str, text: &str, own: usize, event_windows: &[Window]) -> Result<Regressor> {
    let text = text.trim();
    Ok(match text {
        "" => return Err(Error::config(format!("{key}: a regressor name is empty"))),
        "exchange" => Regressor::Exchange,
        "security_group" => Regressor::SecurityGroup,
        "category" => Regressor::Category,
        _ => match text.strip_prefix("car:") {
            Some(w) => {
                let window = window_index(key, w, event_windows)?;
                if window == own {
                    return Err(Error::config(format!(
                        "{key}: '{text}' is the regression's own window"
                    )));
                }
                Regressor::Car {
                    window,
                    label: event_windows[window].label(),
                }
            }
            None => Regressor::Column(text.to_string()),
        },
    })
}

/// The position of window `text` among the event windows.
fn window_index(key: &str, text: &str, event_windows: &[Window]) -> Result<usize> {
    let w: Window = text
        .parse()
        .map_err(|e| Error::config(format!("{key}: {e}")))?;
    event_windows.iter().position(|x| *x == w).ok_or_else(|| {
        let declared: Vec<String> = event_windows.iter().map(Window::label).collect();
        Error::config(format!(
            "{key}: '{text}' is not one of the study's event_windows ({})",
            declared.join(", ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Design, StudyFile};

    const BASE: &str = "events = \"e.csv\"\nmarket = \"IDX\"\n\
                        event_windows = [\"-1:1\", \"0:5\", \"-5:-1\"]\n\
                        [[prices]]\npath = \"p.csv\"\n";

    fn design(body: &str) -> std::result::Result<Design, String> {
        let text = format!("{BASE}{body}");
        let file = StudyFile::from_toml_str(&text).map_err(|e| e.to_string())?;
        Design::from_file(&file).map_err(|e| e.to_string())
    }

    #[test]
    fn entries_are_typed_with_defaults() {
        let d = design(
            "[[car_regression]]\nwindow = \"0:5\"\n\
             regressors = [\"exchange\", \"car:-5:-1\", \"size\"]\n\
             [[car_regression]]\nname = \"hk\"\nwindow = \"-1:1\"\ncluster = \"none\"\n\
             group = \"category:export_control\"\ncharacteristics = \"/abs/c.csv\"\n",
        )
        .unwrap();
        let r = &d.car_regressions;
        assert_eq!((r[0].name.as_str(), r[0].window), ("reg1", 1));
        assert_eq!(r[0].cluster, ClusterBy::EventDate);
        assert_eq!(
            r[0].regressors,
            [
                Regressor::Exchange,
                Regressor::Car {
                    window: 2,
                    label: "-5:-1".into()
                },
                Regressor::Column("size".into())
            ]
        );
        assert_eq!((r[1].name.as_str(), r[1].cluster), ("hk", ClusterBy::None));
        assert_eq!(r[1].group.as_deref(), Some("category:export_control"));
        assert_eq!(r[1].characteristics, Some(PathBuf::from("/abs/c.csv")));
        assert!(design("").unwrap().car_regressions.is_empty());
    }

    #[test]
    fn bad_entries_name_the_key() {
        let cases = [
            ("window = \"0:7\"", "car_regression[0].window"),
            (
                "window = \"0:5\"\ncluster = \"firm\"",
                "car_regression[0].cluster",
            ),
            (
                "window = \"0:5\"\nregressors = [\"car:0:9\"]",
                "car_regression[0].regressors",
            ),
            ("window = \"0:5\"\nregressors = [\"car:0:5\"]", "own window"),
            (
                "window = \"0:5\"\nregressors = [\"size\", \"size\"]",
                "listed twice",
            ),
            ("window = \"0:5\"\nweight = 1", "weight"),
        ];
        for (body, needle) in cases {
            let err = design(&format!("[[car_regression]]\n{body}\n")).unwrap_err();
            assert!(err.contains(needle), "{body}: {err}");
        }
    }
}
