//! The session instants of a security's [`Bars`] (methodology §16.1): when each session opens
//! and closes in UTC, which bars are zero-volume placeholders, and the security's daily price
//! limit. The timing phase reads them beside the prices.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::Bars;
use crate::calendar::{local_to_utc, ExchangeSpec, HolidayTable, SessionCalendar};

/// The open and close instants of every session of one [`Bars`], and what makes a bar
/// unfillable besides a missing price.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionTimes {
    /// Exchange code (`DATA` for a data calendar).
    pub exchange: String,
    /// Opening instant of each session (`None`: the exchange's opening time is unknown).
    pub open: Vec<Option<DateTime<Utc>>>,
    /// Closing instant of each session (the holiday table's early closes included).
    pub close: Vec<DateTime<Utc>>,
    /// True where the bar's volume is 0 or missing (a placeholder without real prices).
    pub no_volume: Vec<bool>,
    /// Daily price limit as a fraction (A-shares), if the security has one.
    pub limit: Option<f64>,
}

impl SessionTimes {
    /// The instants of `dates` on `spec`'s exchange: each session closes at the holiday
    /// table's early close if it has one, else at the regular close, and opens at the
    /// exchange's regular open, in the exchange's zone (§2.1).
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use evstudy::backtest::SessionTimes;
    /// use evstudy::calendar::{builtin_exchange, HolidayTable};
    /// let d = NaiveDate::from_ymd_opt(2024, 11, 29).unwrap(); // NYSE closes at 13:00
    /// let t = SessionTimes::for_exchange(&builtin_exchange("XNYS").unwrap(), &HolidayTable::builtin(), &[d]);
    /// assert_eq!(t.open[0].unwrap().format("%H:%M").to_string(), "14:30");
    /// assert_eq!(t.close[0].format("%H:%M").to_string(), "18:00");
    /// ```
    pub fn for_exchange(
        spec: &ExchangeSpec,
        holidays: &HolidayTable,
        dates: &[NaiveDate],
    ) -> SessionTimes {
        let cal = SessionCalendar::for_exchange(spec, holidays, dates);
        let close = dates
            .iter()
            .map(|&d| {
                let local = cal
                    .position(d)
                    .and_then(|i| cal.close_time(i))
                    .unwrap_or(spec.close);
                local_to_utc(spec.tz, d.and_time(local))
            })
            .collect();
        let open = dates
            .iter()
            .map(|&d| spec.open.map(|t| local_to_utc(spec.tz, d.and_time(t))))
            .collect();
        SessionTimes {
            exchange: spec.code.clone(),
            open,
            close,
            no_volume: vec![false; dates.len()],
            limit: None,
        }
    }

    /// The instants of a data calendar (§2.2): wall-clock times with no zone, written as if
    /// they were UTC, compared with event times read the same way; sessions open at `open`
    /// and close at `close`.
    pub fn for_data_calendar(dates: &[NaiveDate], open: NaiveTime, close: NaiveTime) -> Self {
        SessionTimes {
            exchange: crate::calendar::DATA_CALENDAR_LABEL.to_string(),
            open: dates
                .iter()
                .map(|d| Some(d.and_time(open).and_utc()))
                .collect(),
            close: dates.iter().map(|d| d.and_time(close).and_utc()).collect(),
            no_volume: vec![false; dates.len()],
            limit: None,
        }
    }
}

/// Bars of `ticker` on `dates`: each session's open and close from the price series (NaN
/// where a series has no usable value), with zero-volume placeholder bars blanked out (they
/// have no real price, so the simulation carries the last one across them). Returns the bars
/// and the placeholder flags.
pub(crate) fn bars_on(
    ticker: &str,
    dates: &[NaiveDate],
    close: Option<&crate::data::PriceSeries>,
    open: Option<&crate::data::PriceSeries>,
    volume: Option<&crate::data::PriceSeries>,
) -> (Bars, Vec<bool>) {
    let on = |s: Option<&crate::data::PriceSeries>, d: NaiveDate| {
        s.and_then(|s| s.value_on(d)).unwrap_or(f64::NAN)
    };
    let mut bars = Bars {
        ticker: ticker.to_string(),
        dates: dates.to_vec(),
        open: dates.iter().map(|&d| on(open, d)).collect(),
        close: dates.iter().map(|&d| on(close, d)).collect(),
    };
    // A bar is a placeholder when it has a close but no traded volume; a session without a
    // close is a suspension or a missing row, whatever the volume says.
    let no_volume: Vec<bool> = dates
        .iter()
        .zip(&bars.close)
        .map(|(&d, c)| c.is_finite() && volume.is_some_and(|_| !(on(volume, d) > 0.0)))
        .collect();
    for (i, &flag) in no_volume.iter().enumerate() {
        if flag {
            bars.open[i] = f64::NAN;
            bars.close[i] = f64::NAN;
        }
    }
    (bars, no_volume)
}

/// The bars and session instants of every security and benchmark a backtest reads, indexed
/// by ticker.
#[derive(Debug, Clone, Default)]
pub(crate) struct MarketData {
    /// Bars, in the order of `index`'s values.
    pub bars: Vec<Bars>,
    /// Session instants, parallel to `bars` (benchmarks' are empty: they are never traded).
    pub times: Vec<SessionTimes>,
    /// Ticker → position in `bars`.
    pub index: std::collections::BTreeMap<String, usize>,
}

/// What [`load_market`] reads besides the price files.
pub(crate) struct MarketRequest<'a> {
    /// The study's design (price sources, holidays).
    pub design: &'a crate::design::Design,
    /// The backtest's settings (limits).
    pub limits: &'a crate::design::LimitRules,
    /// Each traded security: ticker, its session dates and its calendar label.
    pub securities: Vec<(&'a str, &'a [NaiveDate], &'a str)>,
    /// Benchmarks whose prices the backtest reads (on the dates of their own rows).
    pub benchmarks: Vec<&'a str>,
}

/// The price files read again for one column (`open_col`, `volume_col`): the sources that
/// name it, with it as their value column. `None` when no source names it.
fn panel_of(
    sources: &[crate::data::PriceSource],
    prefer: Option<&str>,
    column: impl Fn(&crate::data::PriceSource) -> Option<&String>,
) -> crate::error::Result<Option<crate::data::PricePanel>> {
    let panels = sources
        .iter()
        .filter_map(|s| {
            column(s).map(|c| crate::data::PriceSource {
                price_col: c.clone(),
                value: crate::data::ValueKind::Price,
                strict: false,
                ..s.clone()
            })
        })
        .map(|s| crate::data::read_prices(&s))
        .collect::<crate::error::Result<Vec<_>>>()?;
    if panels.is_empty() {
        return Ok(None);
    }
    crate::data::combine_panels(panels, prefer).map(Some)
}

/// Read closes, opens and volumes and build the bars and instants of `req`.
///
/// # Errors
/// A price file that holds returns (a backtest needs prices), and the price readers' errors.
pub(crate) fn load_market(req: &MarketRequest) -> crate::error::Result<MarketData> {
    use crate::calendar::builtin_exchange;
    use crate::design::Holidays;
    let inputs = &req.design.inputs;
    if let Some(s) = inputs
        .prices
        .iter()
        .find(|s| s.value == crate::data::ValueKind::Return)
    {
        return Err(crate::error::Error::file(
            s.path.display().to_string(),
            "a backtest trades prices, but this price file holds returns (value = \"return\")",
        ));
    }
    let prefer = inputs.prefer.as_deref();
    let close = crate::data::read_all(&inputs.prices, prefer)?;
    let open = panel_of(&inputs.prices, prefer, |s| s.open_col.as_ref())?;
    let volume = panel_of(&inputs.prices, prefer, |s| s.volume_col.as_ref())?;
    let holidays = match &req.design.holidays {
        Holidays::Builtin => HolidayTable::builtin(),
        Holidays::File(path) => HolidayTable::from_csv(path)?,
    };
    let mut out = MarketData::default();
    for &(ticker, dates, code) in &req.securities {
        let (bars, no_volume) = bars_on(
            ticker,
            dates,
            close.get(ticker),
            open.as_ref().and_then(|p| p.get(ticker)),
            volume.as_ref().and_then(|p| p.get(ticker)),
        );
        let mut times = match builtin_exchange(code) {
            Some(spec) => SessionTimes::for_exchange(&spec, &holidays, dates),
            None => SessionTimes::for_data_calendar(
                dates,
                DATA_CALENDAR_OPEN,
                crate::calendar::data_calendar_close(),
            ),
        };
        times.no_volume = no_volume;
        times.limit = super::timing::daily_limit(ticker, code, req.limits);
        out.index.insert(ticker.to_string(), out.bars.len());
        out.bars.push(bars);
        out.times.push(times);
    }
    for &ticker in &req.benchmarks {
        if out.index.contains_key(ticker) {
            continue;
        }
        let Some(series) = close.get(ticker) else {
            continue;
        };
        let (bars, _) = bars_on(
            ticker,
            &series.dates,
            Some(series),
            open.as_ref().and_then(|p| p.get(ticker)),
            None,
        );
        out.index.insert(ticker.to_string(), out.bars.len());
        out.bars.push(bars);
        out.times.push(SessionTimes::default());
    }
    Ok(out)
}

/// Opening time of data-calendar sessions (wall clock in the event's zone, like their 16:00
/// close, §2.2): 09:30.
pub const DATA_CALENDAR_OPEN: NaiveTime = match NaiveTime::from_hms_opt(9, 30, 0) {
    Some(t) => t,
    None => panic!("09:30 is a valid time"),
};
