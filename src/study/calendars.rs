//! The calendars of a run (§2.2): one per exchange, built from the dates of every series on
//! it, or one per benchmark in data mode.

use super::config::CalendarMode;
use super::securities::SecurityTable;
use crate::calendar::{builtin_exchange, HolidayTable, SessionCalendar};
use crate::data::PricePanel;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One calendar of the study.
pub(crate) struct CalendarEntry {
    /// Sessions.
    pub calendar: SessionCalendar,
    /// Zone of the exchange (`None` for a data calendar).
    pub tz: Option<chrono_tz::Tz>,
    /// First and last date of the price rows an exchange calendar was built from (`None` for
    /// a data calendar): a row in this span that is not a session is off the calendar.
    pub span: Option<(NaiveDate, NaiveDate)>,
}

/// The calendars and which security is on which.
#[derive(Default)]
pub(crate) struct Calendars {
    /// In order of creation (exchanges by name; data calendars in order of first use).
    pub entries: Vec<CalendarEntry>,
    /// Calendar of each security that has one.
    pub of: HashMap<String, usize>,
}

/// The calendars of the securities `wanted`.
pub(crate) fn build_calendars(
    mode: CalendarMode,
    wanted: &BTreeSet<String>,
    panel: &PricePanel,
    securities: &SecurityTable,
    holidays: &HolidayTable,
) -> Calendars {
    match mode {
        CalendarMode::Exchange => exchange_calendars(wanted, panel, securities, holidays),
        CalendarMode::Data => data_calendars(wanted, panel, securities),
    }
}

/// One calendar per exchange, from the holiday table and the dates of every series on that
/// exchange (the wanted securities and every listed one).
fn exchange_calendars(
    wanted: &BTreeSet<String>,
    panel: &PricePanel,
    securities: &SecurityTable,
    holidays: &HolidayTable,
) -> Calendars {
    let mut dates_by_exchange: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    let mapped: BTreeSet<String> = wanted
        .iter()
        .cloned()
        .chain(securities.list.iter().map(|s| s.ticker.clone()))
        .collect();
    for t in &mapped {
        if let (Some(x), Some(s)) = (securities.exchange_of(t), panel.series.get(t)) {
            dates_by_exchange
                .entry(x)
                .or_default()
                .extend(s.dates.iter().copied());
        }
    }
    let mut out = Calendars::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (x, mut dates) in dates_by_exchange {
        let Some(spec) = builtin_exchange(&x) else {
            continue;
        };
        dates.sort_unstable();
        dates.dedup();
        let calendar = SessionCalendar::for_exchange(&spec, holidays, &dates);
        index.insert(x.clone(), out.entries.len());
        out.entries.push(CalendarEntry {
            calendar,
            tz: Some(spec.tz),
            span: dates.first().zip(dates.last()).map(|(a, b)| (*a, *b)),
        });
    }
    for t in wanted {
        if let Some(i) = securities
            .exchange_of(t)
            .and_then(|x| index.get(&x).copied())
        {
            out.of.insert(t.clone(), i);
        }
    }
    out
}

/// One calendar per benchmark: its dates with a valid close.
fn data_calendars(
    wanted: &BTreeSet<String>,
    panel: &PricePanel,
    securities: &SecurityTable,
) -> Calendars {
    let mut out = Calendars::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for t in wanted {
        let Some(b) = securities.benchmark_of(t) else {
            continue;
        };
        let i = match index.get(&b) {
            Some(&i) => i,
            None => {
                let s = &panel.series[&b];
                let dates: Vec<NaiveDate> = s
                    .dates
                    .iter()
                    .zip(&s.values)
                    .filter(|(_, v)| v.is_finite())
                    .map(|(d, _)| *d)
                    .collect();
                index.insert(b.clone(), out.entries.len());
                out.entries.push(CalendarEntry {
                    calendar: SessionCalendar::from_data_dates(&dates),
                    tz: None,
                    span: None,
                });
                out.entries.len() - 1
            }
        };
        out.of.insert(t.clone(), i);
    }
    out
}
