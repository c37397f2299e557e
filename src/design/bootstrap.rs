//! The `[bootstrap]` setting: the wild cluster bootstrap test `wild_boot_t` with event-date
//! clusters (§8.8); off when the table is absent.

use crate::error::{Error, Result};
use crate::stats::{BootstrapSettings, BootstrapWeights};
use serde::{Deserialize, Serialize};

/// Bootstrap replications B when `replications` is not given.
pub const DEFAULT_REPLICATIONS: usize = 999;
/// The fewest replications accepted: with fewer, p-values cannot go below 1 %.
pub const MIN_REPLICATIONS: usize = 99;
/// Seed when `seed` is not given.
pub const DEFAULT_SEED: u64 = 1;

/// The `[bootstrap]` table as written in `study.toml`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapFile {
    /// Replications B (default 999, at least 99).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications: Option<usize>,
    /// Seed of the draws (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// `rademacher` (default) or `webb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<String>,
}

/// The typed `[bootstrap]` settings; None when the table is absent.
///
/// # Errors
/// [`Error::Config`] naming `bootstrap.replications` (below 99) or `bootstrap.weights`
/// (not `rademacher` or `webb`).
pub(crate) fn bootstrap_settings(
    file: Option<&BootstrapFile>,
) -> Result<Option<BootstrapSettings>> {
    let Some(f) = file else { return Ok(None) };
    let replications = f.replications.unwrap_or(DEFAULT_REPLICATIONS);
    if replications < MIN_REPLICATIONS {
        return Err(Error::config(format!(
            "bootstrap.replications = {replications}: use at least {MIN_REPLICATIONS} \
             (999 is the default; p-values are multiples of 1/(B + 1))"
        )));
    }
    let weights = match &f.weights {
        None => BootstrapWeights::Rademacher,
        Some(w) => w.parse().map_err(|_| {
            Error::config(format!(
                "bootstrap.weights = '{w}': use \"rademacher\" or \"webb\""
            ))
        })?,
    };
    Ok(Some(BootstrapSettings {
        replications,
        seed: f.seed.unwrap_or(DEFAULT_SEED),
        weights,
    }))
}

#[cfg(test)]
mod tests {
    use crate::design::{Design, StudyFile};
    use crate::stats::BootstrapWeights;

    const BASE: &str = "events = \"e.csv\"\nmarket = \"IDX\"\n[[prices]]\npath = \"p.csv\"\n";

    fn design(extra: &str) -> Result<Design, String> {
        let file =
            StudyFile::from_toml_str(&format!("{BASE}{extra}")).map_err(|e| e.to_string())?;
        Design::from_file(&file).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_bad_values_and_unknown_keys() {
        assert_eq!(design("").unwrap().bootstrap, None);
        let b = design("[bootstrap]\n").unwrap().bootstrap.unwrap();
        assert_eq!(
            (b.replications, b.seed, b.weights),
            (999, 1, BootstrapWeights::Rademacher)
        );
        let b = design("[bootstrap]\nreplications = 199\nseed = 5\nweights = \"webb\"\n")
            .unwrap()
            .bootstrap
            .unwrap();
        assert_eq!(
            (b.replications, b.seed, b.weights),
            (199, 5, BootstrapWeights::Webb)
        );
        let err = design("[bootstrap]\nreplications = 50\n").unwrap_err();
        assert!(err.contains("bootstrap.replications = 50"), "{err}");
        let err = design("[bootstrap]\nweights = \"mammen\"\n").unwrap_err();
        assert!(err.contains("bootstrap.weights = 'mammen'"), "{err}");
        let err = design("[bootstrap]\nreps = 999\n").unwrap_err();
        assert!(err.contains("reps"), "{err}");
    }
}
