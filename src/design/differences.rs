//! The `[[differences]]` setting: pairs of group labels whose CAARs are compared window by
//! window with Welch's t and the Mann–Whitney U test (§7.5).

use crate::abnormal::Window;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// One `[[differences]]` entry as written in `study.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DifferenceFile {
    /// Group label A, as in the `aggregate` table (e.g. `category:export_control`).
    pub a: String,
    /// Group label B.
    pub b: String,
    /// Event windows compared, written `a:b`; empty means every event window.
    #[serde(default)]
    pub windows: Vec<String>,
}

/// A checked pair of groups to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct DifferencePair {
    /// Group label A.
    pub a: String,
    /// Group label B.
    pub b: String,
    /// Indices of the compared windows in the study's event windows, in the order given.
    pub windows: Vec<usize>,
}

/// The typed `[[differences]]` entries: each listed window must be one of the study's event
/// windows (a label is checked only after the run, when the groups are known).
///
/// # Errors
/// [`Error::Config`] naming the key `differences[i].windows` and the window that is not
/// declared or does not parse.
pub(crate) fn difference_pairs(
    entries: &[DifferenceFile],
    event_windows: &[Window],
) -> Result<Vec<DifferencePair>> {
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let windows = if e.windows.is_empty() {
                (0..event_windows.len()).collect()
            } else {
                e.windows
                    .iter()
                    .map(|text| window_index(i, text, event_windows))
                    .collect::<Result<Vec<usize>>>()?
            };
            Ok(DifferencePair {
                a: e.a.clone(),
                b: e.b.clone(),
                windows,
            })
        })
        .collect()
}

/// The position of window `text` among the event windows.
fn window_index(entry: usize, text: &str, event_windows: &[Window]) -> Result<usize> {
    let key = format!("differences[{entry}].windows");
    let w: Window = text
        .parse()
        .map_err(|e| Error::config(format!("{key}: {e}")))?;
    event_windows.iter().position(|x| *x == w).ok_or_else(|| {
        Error::config(format!(
            "{key}: '{text}' is not one of the study's event_windows"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(windows: &[&str]) -> DifferenceFile {
        DifferenceFile {
            a: "category:x".into(),
            b: "category:y".into(),
            windows: windows.iter().map(|w| w.to_string()).collect(),
        }
    }

    #[test]
    fn windows_default_to_all_and_must_be_declared() {
        let event = [Window { start: -1, end: 1 }, Window { start: 0, end: 5 }];
        let all = difference_pairs(&[entry(&[])], &event).unwrap();
        assert_eq!(all[0].windows, [0, 1]);
        let one = difference_pairs(&[entry(&["0:5"])], &event).unwrap();
        assert_eq!(
            (one[0].a.as_str(), one[0].windows.clone()),
            ("category:x", vec![1])
        );
        let err = difference_pairs(&[entry(&[]), entry(&["0:7"])], &event)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("differences[1].windows") && err.contains("'0:7'"),
            "{err}"
        );
        let err = difference_pairs(&[entry(&["zz"])], &event)
            .unwrap_err()
            .to_string();
        assert!(err.contains("differences[0].windows"), "{err}");
    }

    #[test]
    fn study_file_entries_are_typed_and_unknown_keys_rejected() {
        use crate::design::{Design, StudyFile};
        let base = "events = \"e.csv\"\nmarket = \"IDX\"\nevent_windows = [\"-1:1\", \"0:5\"]\n\
                    [[prices]]\npath = \"p.csv\"\n";
        let with = |body: &str| format!("{base}[[differences]]\na = \"x\"\nb = \"y\"\n{body}\n");
        let parse = |text: &str| StudyFile::from_toml_str(text).map_err(|e| e.to_string());
        let design = Design::from_file(&parse(&with("windows = [\"0:5\"]")).unwrap()).unwrap();
        assert_eq!(design.differences[0].windows, [1]);
        let none = Design::from_file(&parse(base).unwrap()).unwrap();
        assert!(none.differences.is_empty());
        let err = parse(&with("window = [\"0:5\"]")).unwrap_err();
        assert!(err.contains("window"), "{err}");
        let undeclared = parse(&with("windows = [\"0:9\"]")).unwrap();
        let err = Design::from_file(&undeclared).unwrap_err().to_string();
        assert!(err.contains("differences[0].windows"), "{err}");
    }
}
