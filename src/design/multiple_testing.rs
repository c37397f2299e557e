//! The `[multiple_testing]` setting: Holm and Benjamini–Hochberg adjusted p-values of the
//! `tests` table by declared family (§8.9); off when the table is absent.

use crate::error::{Error, Result};
use crate::stats::{Adjustment, Family, MultipleTesting};
use serde::{Deserialize, Serialize};

/// The `[multiple_testing]` table as written in `study.toml`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultipleTestingFile {
    /// Adjustments: `holm`, `bh` (default both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    /// `test` (default: one family per test and scope) or `test_window` (per test, scope
    /// and window or day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The adjustment the report marks significance with (one of `methods`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<String>,
}

/// The typed `[multiple_testing]` settings; None when the table is absent.
///
/// # Errors
/// [`Error::Config`] naming `multiple_testing.methods` (empty, unknown or repeated method),
/// `multiple_testing.family` (unknown family) or `multiple_testing.mark` (not a declared
/// method).
pub(crate) fn multiple_testing(
    file: Option<&MultipleTestingFile>,
) -> Result<Option<MultipleTesting>> {
    let Some(f) = file else { return Ok(None) };
    let names = f
        .methods
        .clone()
        .unwrap_or_else(|| vec!["holm".into(), "bh".into()]);
    if names.is_empty() {
        return Err(Error::config(
            "multiple_testing.methods = []: list \"holm\", \"bh\" or both",
        ));
    }
    let mut methods = Vec::with_capacity(names.len());
    for name in &names {
        let m = method(name, "methods")?;
        if methods.contains(&m) {
            return Err(Error::config(format!(
                "multiple_testing.methods: '{name}' is listed twice"
            )));
        }
        methods.push(m);
    }
    let family = match &f.family {
        None => Family::Test,
        Some(name) => name.parse().map_err(|_| {
            Error::config(format!(
                "multiple_testing.family = '{name}': use \"test\" (one family per test and \
                 scope) or \"test_window\" (per test, scope and window)"
            ))
        })?,
    };
    let mark = f.mark.as_deref().map(|m| method(m, "mark")).transpose()?;
    if let Some(m) = mark {
        if !methods.contains(&m) {
            return Err(Error::config(format!(
                "multiple_testing.mark = '{m}' is not one of multiple_testing.methods"
            )));
        }
    }
    Ok(Some(MultipleTesting {
        methods,
        family,
        mark,
    }))
}

/// A method name of key `multiple_testing.<key>`.
fn method(name: &str, key: &str) -> Result<Adjustment> {
    name.parse().map_err(|_| {
        Error::config(format!(
            "multiple_testing.{key}: unknown method '{name}'; use \"holm\" or \"bh\""
        ))
    })
}

#[cfg(test)]
mod tests {
    use crate::design::{Design, StudyFile};
    use crate::stats::{Adjustment, Family};

    const BASE: &str = "events = \"e.csv\"\nmarket = \"IDX\"\n[[prices]]\npath = \"p.csv\"\n";

    fn design(extra: &str) -> Result<Design, String> {
        let file =
            StudyFile::from_toml_str(&format!("{BASE}{extra}")).map_err(|e| e.to_string())?;
        Design::from_file(&file).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_bad_values_and_unknown_keys() {
        assert_eq!(design("").unwrap().multiple_testing, None);
        let m = design("[multiple_testing]\n")
            .unwrap()
            .multiple_testing
            .unwrap();
        assert_eq!(m.methods, [Adjustment::Holm, Adjustment::BenjaminiHochberg]);
        assert_eq!((m.family, m.mark), (Family::Test, None));
        let m = design(
            "[multiple_testing]\nmethods = [\"bh\"]\nfamily = \"test_window\"\nmark = \"bh\"\n",
        )
        .unwrap()
        .multiple_testing
        .unwrap();
        assert_eq!(m.methods, [Adjustment::BenjaminiHochberg]);
        assert_eq!(
            (m.family, m.mark),
            (Family::TestWindow, Some(Adjustment::BenjaminiHochberg))
        );
        for (body, key) in [
            ("methods = [\"bonferroni\"]", "unknown method 'bonferroni'"),
            ("methods = []", "methods = []"),
            ("methods = [\"bh\", \"bh\"]", "listed twice"),
            ("family = \"all\"", "family = 'all'"),
            ("methods = [\"bh\"]\nmark = \"holm\"", "mark = 'holm'"),
            ("marks = \"bh\"", "marks"),
        ] {
            let err = design(&format!("[multiple_testing]\n{body}\n")).unwrap_err();
            assert!(err.contains(key), "{body}: {err}");
        }
    }
}
