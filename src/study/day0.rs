//! Day 0 of every pair whose security is in the universe (§2.4): one `day0` row each, and an
//! exclusion for each event that maps to no session.

use super::pairs::{Pair, PairDay0};
use super::plan::Day0Rules;
use super::universe::Universe;
use crate::calendar::{map_day0, EventRecord};
use crate::tables::StudyTables;

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
