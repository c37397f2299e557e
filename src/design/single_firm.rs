//! The single-firm and volatility settings: `single_firm_quantile` (or `[single_firm]
//! quantile`), the sample-quantile test of each event window (§6.1), and `variance_ratio`, the
//! event-induced variance table (§7.7).

use super::file::StudyFile;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The `[single_firm]` table as written in `study.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleFirmFile {
    /// Add the sample-quantile columns to `cars` (§6.1).
    #[serde(default)]
    pub quantile: Option<bool>,
}

/// The checked single-firm and volatility settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SingleFirmDesign {
    /// Write `quantile_n`, `quantile_p` and `quantile_rank` in `cars` (§6.1).
    pub quantile: bool,
    /// Write the `variance_ratio` table (§7.7).
    pub variance_ratio: bool,
}

/// The typed settings: the quantile test is on when `single_firm_quantile` or
/// `[single_firm] quantile` is true.
///
/// # Errors
/// [`Error::Config`] naming both keys when they are both written with different values.
pub(crate) fn single_firm_design(file: &StudyFile) -> Result<SingleFirmDesign> {
    let table = file.single_firm.as_ref().and_then(|t| t.quantile);
    let quantile = match (file.single_firm_quantile, table) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::config(format!(
                "single_firm_quantile = {a} and single_firm.quantile = {b} disagree; \
                 write one of the two keys"
            )))
        }
        (a, b) => a.or(b).unwrap_or(false),
    };
    Ok(SingleFirmDesign {
        quantile,
        variance_ratio: file.variance_ratio.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<SingleFirmDesign> {
        single_firm_design(&StudyFile::from_toml_str(body)?)
    }

    #[test]
    fn both_spellings_and_their_conflict() {
        assert_eq!(parse("").unwrap(), SingleFirmDesign::default());
        assert!(parse("single_firm_quantile = true\n").unwrap().quantile);
        assert!(parse("[single_firm]\nquantile = true\n").unwrap().quantile);
        let both = parse("single_firm_quantile = true\n[single_firm]\nquantile = true\n");
        assert!(both.unwrap().quantile);
        let err = parse("single_firm_quantile = false\n[single_firm]\nquantile = true\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("single_firm.quantile"), "{err}");
        assert!(parse("variance_ratio = true\n").unwrap().variance_ratio);
        let unknown = StudyFile::from_toml_str("[single_firm]\nquantiles = true\n")
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("quantiles"), "{unknown}");
        assert!(StudyFile::from_toml_str("variance_ratios = true\n").is_err());
    }
}
