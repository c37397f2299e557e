//! Day 0 of every pair whose security is in the universe (§2.4): one `day0` row each, and an
//! exclusion for each event that maps to no session.

use super::pairs::{Pair, PairDay0};
use super::plan::{Day0Rules, RunPlan};
use super::universe::Universe;
use crate::calendar::{map_day0, EventRecord};
use crate::design::{check_reach, DataReach};
use crate::error::Result;
use crate::tables::StudyTables;

/// Every window within the reach of the data (§3.1), checked before any work per pair: a
/// window longer than the longest calendar of `universe`, or wholly beyond it, is a
/// configuration error (nothing to check without a calendar).
pub(crate) fn check_windows_reach(plan: &RunPlan, universe: &Universe) -> Result<()> {
    let Some(data) = longest_calendar(universe) else {
        return Ok(());
    };
    check_reach("estimation_window", plan.engine.estimation, &data)?;
    for &w in &plan.engine.windows {
        check_reach("event_windows", w, &data)?;
    }
    Ok(())
}

/// The calendar of `universe` with the most sessions (the first of equals).
fn longest_calendar(universe: &Universe) -> Option<DataReach> {
    let mut longest: Option<&crate::calendar::SessionCalendar> = None;
    for entry in &universe.calendars {
        if longest.map_or(true, |l| entry.calendar.len() > l.len()) {
            longest = Some(&entry.calendar);
        }
    }
    let cal = longest?;
    Some(DataReach {
        sessions: cal.len(),
        calendar: cal.label().to_string(),
        first: *cal.dates().first()?,
        last: *cal.dates().last()?,
    })
}

/// Set each pair's security index and day 0; write the `day0` rows and day-0 exclusions.
pub(crate) fn map_pairs_to_day0(
    pairs: &mut [Pair],
    events: &[EventRecord],
    universe: &Universe,
    rules: &Day0Rules,
    tables: &mut StudyTables,
) {
    for p in pairs {
        let Some(&si) = universe.index.get(&p.security) else {
            continue;
        };
        p.sec = si;
        let ev = &events[p.event];
        let entry = &universe.calendars[universe.securities[si].calendar];
        let out = map_day0(
            &entry.calendar,
            ev.date,
            ev.time.as_deref(),
            ev.tz.as_deref(),
            entry.tz,
            rules.default_event_time,
            rules.max_shift_days,
        );
        tables
            .day0
            .push(out.to_row(&ev.event_id, &p.security, entry.calendar.label()));
        match out.day0() {
            Some(d) => {
                p.day0 = Some(PairDay0 {
                    index: d.index,
                    date: d.date,
                })
            }
            None => {
                if let Some(x) = out.to_exclusion(&ev.event_id, &p.security) {
                    tables.exclusions.push(x);
                }
            }
        }
    }
}
