//! Reading every input of a run: prices, factors, holidays, events and securities, with the
//! size and SHA-256 of each input file for `run.json`.

use super::needed::needed_tickers;
use super::plan::{RunPlan, Sources};
use super::securities::{check_unique_securities, read_securities_file, SecurityTable};
use super::InputFile;
use crate::calendar::{read_events, EventRecord, HolidayTable};
use crate::data::{
    parquet_folder_files, read_all_for, read_factors, FactorTable, Layout, PricePanel, ValueKind,
};
use crate::design::Holidays;
use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::returns::ReturnKind;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Everything a run reads.
pub(crate) struct Inputs {
    /// Prices (or returns) by ticker.
    pub panel: PricePanel,
    /// Factor table (factor models only).
    pub factors: Option<FactorTable>,
    /// Holiday table of the exchange calendars.
    pub holidays: HolidayTable,
    /// Every row of the event file, verified or not.
    pub events: Vec<EventRecord>,
    /// The securities with their exchange, benchmark and group.
    pub securities: SecurityTable,
    /// Size and SHA-256 of each input file.
    pub files: Vec<InputFile>,
}

/// Read every input; the file digests are computed while the prices are read. With a folder
/// of Parquet prices the events and securities are read first, so that only the partitions of
/// the tickers the run needs are read ([`needed_tickers`]).
///
/// # Errors
/// Unreadable or malformed inputs; a returns column in trade-to-trade mode; a benchmark model
/// without any benchmark.
pub(crate) fn load(plan: &RunPlan) -> Result<Inputs> {
    let src = &plan.sources;
    let early = if src.prices.iter().any(|p| p.path.is_dir()) {
        Some(read_events_and_securities(plan)?)
    } else {
        None
    };
    let wanted = early
        .as_ref()
        .and_then(|(events, securities)| needed_tickers(events, securities, plan));
    let paths = digest_paths(src, wanted.as_ref());
    let (panel, files) = rayon::join(
        || read_all_for(&src.prices, src.prefer.as_deref(), wanted.as_ref()),
        || digests(&paths),
    );
    let mut panel = panel?;
    drop_impossible_returns(&mut panel, plan)?;
    if plan.trade_to_trade() && panel.series.values().any(|s| s.kind == ValueKind::Return) {
        return Err(Error::config(
            "trade_to_trade needs prices, not a returns column",
        ));
    }
    let factors = match (&src.factors, plan.model) {
        (Some(f), ModelKind::Factor) => Some(read_factors(f)?),
        _ => None,
    };
    let holidays = match &src.holidays {
        Holidays::Builtin => HolidayTable::builtin(),
        Holidays::File(path) => HolidayTable::from_csv(path)?,
    };
    let (events, securities) = match early {
        Some(read) => read,
        None => read_events_and_securities(plan)?,
    };
    Ok(Inputs {
        panel,
        factors,
        holidays,
        events,
        securities,
        files,
    })
}

/// The event file's rows and the securities (listed, then from the securities file).
fn read_events_and_securities(plan: &RunPlan) -> Result<(Vec<EventRecord>, SecurityTable)> {
    let src = &plan.sources;
    let events = read_events(&src.events)?;
    let mut list = src.securities.clone();
    if let Some(p) = &src.securities_file {
        let from_file = read_securities_file(p)?;
        check_unique_securities(&list, &from_file, &p.display().to_string())?;
        list.extend(from_file);
    } else {
        check_unique_securities(&list, &[], "")?;
    }
    let securities = SecurityTable::new(list, src.market.clone());
    if plan.needs_benchmark && securities.has_no_benchmark() {
        return Err(Error::config(format!(
            "model {} needs a benchmark: set market = \"TICKER\"",
            plan.model_name
        )));
    }
    Ok((events, securities))
}

/// Simple returns of −1 (−100 %) or less cannot happen: each is made missing and counted
/// for the series' `impossible_return` exclusion, or, from a `strict` source, is an error
/// naming the file, row and column. Log returns are kept as given.
fn drop_impossible_returns(panel: &mut PricePanel, plan: &RunPlan) -> Result<()> {
    if plan.returns() != ReturnKind::Simple {
        return Ok(());
    }
    for s in panel.series.values_mut() {
        if s.kind != ValueKind::Return || s.issues.low_returns == 0 {
            continue;
        }
        let src = plan
            .sources
            .prices
            .iter()
            .find(|p| p.path.display().to_string() == s.file);
        if let Some(src) = src.filter(|p| p.strict) {
            let value = s
                .values
                .iter()
                .copied()
                .find(|&v| v <= -1.0)
                .unwrap_or(-1.0);
            let column = match src.layout {
                Layout::Long => src.price_col.as_str(),
                Layout::Wide => s.ticker.as_str(),
            };
            return Err(Error::cell(
                &s.file,
                s.issues.first_low_return_row.unwrap_or(0),
                column,
                format!(
                    "the simple return {value} of {} is −100 % or worse, which is impossible; \
                     correct it, or set returns = \"log\" if the file holds log returns",
                    s.ticker
                ),
            ));
        }
        for v in s.values.iter_mut().filter(|v| **v <= -1.0) {
            *v = f64::NAN;
        }
        s.issues.impossible_returns = s.issues.low_returns;
    }
    Ok(())
}

/// The files named in `run.json`: prices (of a folder source, the files read), factors,
/// events, securities, in that order.
fn digest_paths(src: &Sources, wanted: Option<&BTreeSet<String>>) -> Vec<PathBuf> {
    let price_files = src.prices.iter().flat_map(|s| {
        if s.path.is_dir() {
            parquet_folder_files(s, wanted)
                .map(|files| files.into_iter().map(|f| f.path).collect())
                .unwrap_or_default()
        } else {
            vec![s.path.clone()]
        }
    });
    price_files
        .chain(src.factors.iter().map(|f| f.path.clone()))
        .chain(std::iter::once(src.events.clone()))
        .chain(src.securities_file.clone())
        .collect()
}

/// Digests of the readable files among `paths`.
fn digests(paths: &[PathBuf]) -> Vec<InputFile> {
    paths
        .iter()
        .filter_map(|p| {
            file_digest(p).map(|(bytes, sha256)| InputFile {
                path: p.display().to_string(),
                bytes,
                sha256,
            })
        })
        .collect()
}

/// Size and SHA-256 (hex) of a regular file (`None` for a FIFO or a device, which the
/// readers reject: reading one could block or never end).
fn file_digest(path: &Path) -> Option<(u64, String)> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    crate::output::read_digest(std::fs::File::open(path).ok()?).ok()
}
