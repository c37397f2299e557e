//! Several price files → one panel: a ticker in two files needs a named winner.

use super::panel::PricePanel;
use super::source::{read_prices_for, PriceSource};
use crate::error::{Error, Result};
use std::collections::BTreeSet;

/// Combine panels read from several files. A ticker present in two files is an error unless
/// `winner` names the file (its path as given) whose series is kept; the same ticker from two
/// files is otherwise ambiguous even when the dates do not overlap.
///
/// # Examples
/// ```
/// use evstudy::data::{combine_panels, PricePanel};
/// let merged = combine_panels(vec![PricePanel::default(), PricePanel::default()], None).unwrap();
/// assert!(merged.is_empty());
/// ```
pub fn combine_panels(panels: Vec<PricePanel>, winner: Option<&str>) -> Result<PricePanel> {
    let mut out = PricePanel::default();
    for p in panels {
        for (ticker, s) in p.series {
            match out.series.get(&ticker) {
                None => {
                    out.series.insert(ticker, s);
                }
                Some(existing) => {
                    let overlap = s
                        .dates
                        .iter()
                        .find(|d| existing.dates.binary_search(d).is_ok());
                    match winner {
                        Some(w) if w == s.file => {
                            out.series.insert(ticker, s);
                        }
                        Some(w) if w == existing.file => {}
                        _ => {
                            return Err(Error::file(
                                s.file.clone(),
                                format!(
                                    "ticker '{ticker}' is also in {}{}; name the file that wins (prefer = \"...\")",
                                    existing.file,
                                    overlap.map(|d| format!(" (both have {d})")).unwrap_or_default()
                                ),
                            ))
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Read several sources and combine them ([`combine_panels`]).
pub fn read_all(sources: &[PriceSource], winner: Option<&str>) -> Result<PricePanel> {
    read_all_for(sources, winner, None)
}

/// [`read_all`] for a run that needs only the tickers `wanted` (`None`: every ticker): folder
/// sources skip the partitions of other tickers ([`read_prices_for`]).
///
/// # Errors
/// As [`read_all`].
pub fn read_all_for(
    sources: &[PriceSource],
    winner: Option<&str>,
    wanted: Option<&BTreeSet<String>>,
) -> Result<PricePanel> {
    let panels = sources
        .iter()
        .map(|s| read_prices_for(s, wanted))
        .collect::<Result<Vec<_>>>()?;
    combine_panels(panels, winner)
}
