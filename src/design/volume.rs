//! The `[volume]` setting: an abnormal-trading-volume study on log volume beside the return
//! study (methodology §5.6).

use crate::abnormal::Window;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The `[volume]` table as written in `study.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeFile {
    /// `mean_adjusted` or `market_model` (Campbell & Wasley 1996).
    pub model: String,
    /// Volume column of every long price file; default: each file's `volume_col`, else a
    /// column named `volume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<String>,
    /// Event windows of the volume study, written `a:b`; default: the study's event windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<Vec<String>>,
    /// Market volume of the market model: `equal_weighted` (default) or `benchmark`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
}

/// The normal-volume model of §5.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeModel {
    /// AV_t = v_t − v̄ (the mean log volume of the estimation window).
    MeanAdjusted,
    /// AV_t = v_t − α̂ − β̂ v_mt, with v_mt the market log volume ([`VolumeMarket`]).
    MarketModel,
}

/// The market log volume v_mt of the market model (§5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VolumeMarket {
    /// The equal-weighted mean log volume of the study's securities on the same calendar.
    #[default]
    EqualWeighted,
    /// The log volume of the security's benchmark when a price file gives it a volume, else
    /// the equal-weighted mean.
    Benchmark,
}

impl VolumeModel {
    /// The name written in `study.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeModel::MeanAdjusted => "mean_adjusted",
            VolumeModel::MarketModel => "market_model",
        }
    }
}

/// The checked `[volume]` setting.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeDesign {
    /// Normal-volume model.
    pub model: VolumeModel,
    /// Volume column named for every price file, if any.
    pub col: Option<String>,
    /// Market log volume of the market model.
    pub market: VolumeMarket,
    /// Event windows of the volume study, in configuration order.
    pub windows: Vec<Window>,
}

/// The typed `[volume]` setting (`None` when the study file has no `[volume]` table).
///
/// # Errors
/// [`Error::Config`] naming the key `volume.model` (an unknown model), `volume.col` (empty),
/// `volume.market` (unknown, or given with the mean-adjusted model) or `volume.windows` (a
/// window that does not parse, an empty list, or a window that does not start after the
/// estimation window).
pub(crate) fn volume_design(
    file: Option<&VolumeFile>,
    estimation: Window,
    event_windows: &[Window],
) -> Result<Option<VolumeDesign>> {
    let Some(f) = file else {
        return Ok(None);
    };
    let model = match f.model.as_str() {
        "mean_adjusted" => VolumeModel::MeanAdjusted,
        "market_model" => VolumeModel::MarketModel,
        other => {
            return Err(Error::config(format!(
                "volume.model: '{other}' is not one of mean_adjusted, market_model"
            )))
        }
    };
    if f.col.as_deref().is_some_and(|c| c.trim().is_empty()) {
        return Err(Error::config("volume.col: the column name is empty"));
    }
    let market = match (f.market.as_deref(), model) {
        (None, _) => VolumeMarket::EqualWeighted,
        (Some(_), VolumeModel::MeanAdjusted) => {
            return Err(Error::config(
                "volume.market: only the market_model uses a market volume",
            ))
        }
        (Some("equal_weighted"), _) => VolumeMarket::EqualWeighted,
        (Some("benchmark"), _) => VolumeMarket::Benchmark,
        (Some(other), _) => {
            return Err(Error::config(format!(
                "volume.market: '{other}' is not one of equal_weighted, benchmark"
            )))
        }
    };
    let windows = match &f.windows {
        None => event_windows.to_vec(),
        Some(list) => parse_windows(list, estimation)?,
    };
    Ok(Some(VolumeDesign {
        model,
        col: f.col.clone(),
        market,
        windows,
    }))
}

/// The windows of `volume.windows`: at least one, each after the estimation window.
fn parse_windows(list: &[String], estimation: Window) -> Result<Vec<Window>> {
    if list.is_empty() {
        return Err(Error::config(
            "volume.windows: the list is empty (leave the key out to use event_windows)",
        ));
    }
    list.iter()
        .map(|text| {
            let w: Window = text
                .parse()
                .map_err(|e| Error::config(format!("volume.windows: {e}")))?;
            if w.start <= estimation.end {
                return Err(Error::config(format!(
                    "volume.windows: '{text}' does not start after the estimation window"
                )));
            }
            Ok(w)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Design, StudyFile};

    fn design(volume: &str) -> crate::error::Result<Design> {
        let text = format!(
            "events = \"e.csv\"\nmarket = \"IDX\"\nevent_windows = [\"-1:1\", \"0:5\"]\n\
             [[prices]]\npath = \"p.csv\"\n{volume}"
        );
        Design::from_file(&StudyFile::from_toml_str(&text)?)
    }

    #[test]
    fn volume_is_optional_and_defaults_to_the_event_windows() {
        assert_eq!(design("").unwrap().volume, None);
        let d = design("[volume]\nmodel = \"mean_adjusted\"").unwrap();
        let v = d.volume.unwrap();
        assert_eq!(v.model, VolumeModel::MeanAdjusted);
        assert_eq!(v.windows, d.analysis.windows.event);
        assert_eq!(v.col, None);
        assert_eq!(v.market, VolumeMarket::EqualWeighted);
        let d = design("[volume]\nmodel = \"market_model\"\ncol = \"vol\"\nwindows = [\"0:2\"]\nmarket = \"benchmark\"");
        let v = d.unwrap().volume.unwrap();
        assert_eq!(v.model, VolumeModel::MarketModel);
        assert_eq!(v.windows, [Window { start: 0, end: 2 }]);
        assert_eq!(v.col.as_deref(), Some("vol"));
        assert_eq!(v.market, VolumeMarket::Benchmark);
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = |body: &str| design(body).unwrap_err().to_string();
        assert!(err("[volume]\nmodel = \"ols\"").contains("volume.model"));
        let e = err("[volume]\nmodel = \"market_model\"\nmarket = \"index\"");
        assert!(e.contains("volume.market") && e.contains("index"), "{e}");
        let e = err("[volume]\nmodel = \"mean_adjusted\"\nmarket = \"benchmark\"");
        assert!(e.contains("volume.market"), "{e}");
        assert!(err("[volume]\nmodel = \"mean_adjusted\"\ncol = \" \"").contains("volume.col"));
        let e = err("[volume]\nmodel = \"mean_adjusted\"\nwindows = [\"-20:0\"]");
        assert!(e.contains("volume.windows") && e.contains("-20:0"), "{e}");
        let e = err("[volume]\nmodel = \"mean_adjusted\"\nwindows = [\"x\"]");
        assert!(e.contains("volume.windows"), "{e}");
        assert!(err("[volume]\nmodel = \"mean_adjusted\"\nwindows = []").contains("volume.windows"));
        assert!(err("[volume]\nmodel = \"mean_adjusted\"\nlag = 1").contains("lag"));
    }
}
