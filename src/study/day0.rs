//! Day 0 of every pair whose security is in the universe (§2.4): one `day0` row each, and an
//! exclusion for each event that maps to no session.

use super::pairs::{Pair, PairDay0};
use super::plan::{Day0Rules, RunPlan};
use super::universe::Universe;
use crate::calendar::{map_day0, EventRecord};
use crate::design::{check_reach, DataReach};
use crate::error::Result;
use crate::tables::{Day0Row, ExclusionRow, Label, StudyTables};
use rayon::prelude::*;

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
///
/// Each pair's mapping is computed on its own (in parallel); the rows are then appended in
/// pair order, so the tables do not depend on the number of threads.
pub(crate) fn map_pairs_to_day0(
    pairs: &mut [Pair],
    (events, event_labels): (&[EventRecord], &[Label]),
    universe: &Universe,
    rules: &Day0Rules,
    tables: &mut StudyTables,
) {
    let labels = RowLabels {
        event_ids: event_labels,
        exchanges: universe
            .calendars
            .iter()
            .map(|c| Label::from(c.calendar.label()))
            .collect(),
        ok: Label::from("ok"),
    };
    let mapped: Vec<Option<Mapped>> = pairs
        .par_iter()
        .map(|p| map_pair(p, events, universe, rules, &labels))
        .collect();
    for (p, m) in pairs.iter_mut().zip(mapped) {
        let Some(m) = m else {
            continue;
        };
        p.sec = m.sec;
        p.day0 = m.day0;
        tables.day0.push(m.row);
        tables.exclusions.extend(m.exclusion);
    }
}

/// Day 0 of one pair whose security is in the universe.
struct Mapped {
    sec: usize,
    day0: Option<PairDay0>,
    row: Day0Row,
    exclusion: Option<ExclusionRow>,
}

/// The labels the `day0` rows share: one per event id, one per calendar, and `ok`.
struct RowLabels<'a> {
    event_ids: &'a [Label],
    exchanges: Vec<Label>,
    ok: Label,
}

/// The day-0 mapping of pair `p` (None when its security is not in the universe).
fn map_pair(
    p: &Pair,
    events: &[EventRecord],
    universe: &Universe,
    rules: &Day0Rules,
    labels: &RowLabels<'_>,
) -> Option<Mapped> {
    let &sec = universe.index.get(p.security.as_str())?;
    let ev = &events[p.event];
    let calendar = universe.securities[sec].calendar;
    let entry = &universe.calendars[calendar];
    let out = map_day0(
        &entry.calendar,
        ev.date,
        ev.time.as_deref(),
        ev.tz.as_deref(),
        entry.tz,
        rules.default_event_time,
        rules.max_shift_days,
    );
    let row = out.to_row(
        &labels.event_ids[p.event],
        &p.security,
        &labels.exchanges[calendar],
        &labels.ok,
    );
    let day0 = out.day0().map(|d| PairDay0 {
        index: d.index,
        date: d.date,
    });
    let exclusion = match day0 {
        Some(_) => None,
        None => out.to_exclusion(&ev.event_id, &p.security),
    };
    Some(Mapped {
        sec,
        day0,
        row,
        exclusion,
    })
}
