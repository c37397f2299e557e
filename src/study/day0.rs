//! Day 0 of every pair whose security is in the universe (§2.4): one `day0` row each, and an
//! exclusion for each event that maps to no session.

use super::pairs::{Pair, PairDay0};
use super::plan::{Day0Rules, RunPlan};
use super::universe::Universe;
use crate::calendar::SessionCalendar;
use crate::calendar::{locate_day0, map_day0, EventRecord};
use crate::design::{check_reach, DataReach};
use crate::error::Result;
use crate::tables::{Day0Row, ExclusionRow, Label, RowSource};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rayon::prelude::*;
use std::ops::Range;

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

/// Set each pair's security index and day 0, and write the day-0 exclusions; the `day0` rows
/// are made later, by [`day0_rows`], when the tests' memory is freed.
///
/// Each pair's mapping is computed on its own (in parallel); the exclusions are then appended
/// in pair order, so the tables do not depend on the number of threads.
pub(crate) fn map_pairs_to_day0(
    pairs: &mut [Pair],
    events: &[EventRecord],
    universe: &Universe,
    rules: &Day0Rules,
    exclusions: &mut Vec<ExclusionRow>,
) {
    let mapped: Vec<Option<Mapped>> = pairs
        .par_iter()
        .map(|p| map_pair(p, events, universe, rules))
        .collect();
    for (p, m) in pairs.iter_mut().zip(mapped) {
        let Some(m) = m else {
            continue;
        };
        p.sec = m.sec;
        p.day0 = m.day0;
        exclusions.extend(m.exclusion);
    }
}

/// Day 0 of one pair whose security is in the universe.
struct Mapped {
    sec: usize,
    day0: Option<PairDay0>,
    exclusion: Option<ExclusionRow>,
}

/// The day-0 mapping of pair `p` (None when its security is not in the universe).
fn map_pair(
    p: &Pair,
    events: &[EventRecord],
    universe: &Universe,
    rules: &Day0Rules,
) -> Option<Mapped> {
    let (sec, calendar) = pair_calendar(p, universe)?;
    let ev = &events[p.event];
    let entry = &universe.calendars[calendar];
    let found = locate_day0(
        &entry.calendar,
        (ev.date, ev.time.as_deref(), ev.tz.as_deref()),
        entry.tz,
        rules.default_event_time,
        rules.max_shift_days,
    );
    let (day0, exclusion) = match &found.result {
        Ok(d) => {
            let day0 = PairDay0 {
                index: d.index,
                date: d.date,
            };
            (Some(day0), None)
        }
        Err(e) => (None, Some(e.to_row(&ev.event_id, &p.security))),
    };
    Some(Mapped {
        sec,
        day0,
        exclusion,
    })
}

/// The universe index of pair `p`'s security and its calendar (None when it is not in the
/// universe).
fn pair_calendar(p: &Pair, universe: &Universe) -> Option<(usize, usize)> {
    let &sec = universe.index.get(p.security.as_str())?;
    Some((sec, universe.securities[sec].calendar))
}

/// The `day0` row of every pair whose security is in the universe, in the table's order: the
/// mapping of [`map_pairs_to_day0`] made again (a pure function of the event and the
/// calendar), with its instants written as text; the rows [`MadeDay0Rows`] makes, held.
pub(crate) fn day0_rows(
    pairs: &[Pair],
    events: (&[EventRecord], &[Label]),
    universe: &Universe,
    rules: &Day0Rules,
) -> Vec<Day0Row> {
    let made = MadeDay0Rows::new(pairs, events, universe, rules);
    made.rows.par_iter().map(|job| made.row(job)).collect()
}

/// The `day0_mapping` rows made when written (the command line's runs: the writers ask for a
/// range of rows at a time), the rows of [`day0_rows`] in the table's order (event id, then
/// security): each row's event, security and calendar are kept (72 bytes a row) instead of
/// the row itself and its two instants as text.
#[derive(Debug)]
pub(crate) struct MadeDay0Rows {
    rows: Vec<Day0Job>,
    calendars: Vec<CalendarAt>,
    rules: Day0Rules,
    ok: Label,
}

/// What one `day0_mapping` row is made from.
#[derive(Debug)]
struct Day0Job {
    event_id: Label,
    security: Label,
    date: NaiveDate,
    time: Option<Label>,
    tz: Option<Label>,
    calendar: usize,
}

impl Day0Job {
    /// The table's order: event id, then security, as bytes.
    fn key(&self) -> (&[u8], &[u8]) {
        (self.event_id.as_bytes(), self.security.as_bytes())
    }
}

/// A calendar of the study with its zone and label.
#[derive(Debug)]
struct CalendarAt {
    calendar: SessionCalendar,
    tz: Option<Tz>,
    label: Label,
}

impl MadeDay0Rows {
    /// The rows of the pairs whose security is in the universe, sorted stably by (event id,
    /// security) as the table is.
    pub fn new(
        pairs: &[Pair],
        (events, event_labels): (&[EventRecord], &[Label]),
        universe: &Universe,
        rules: &Day0Rules,
    ) -> Self {
        let mut rows: Vec<Day0Job> = pairs
            .iter()
            .filter_map(|p| {
                let (_, calendar) = pair_calendar(p, universe)?;
                let ev = &events[p.event];
                Some(Day0Job {
                    event_id: event_labels[p.event].clone(),
                    security: p.security.clone(),
                    date: ev.date,
                    time: ev.time.clone(),
                    tz: ev.tz.clone(),
                    calendar,
                })
            })
            .collect();
        if !rows.is_sorted_by(|a, b| a.key() <= b.key()) {
            rows.sort_by(|a, b| a.key().cmp(&b.key()));
        }
        let calendars = universe
            .calendars
            .iter()
            .map(|c| CalendarAt {
                calendar: c.calendar.clone(),
                tz: c.tz,
                label: Label::from(c.calendar.label()),
            })
            .collect();
        MadeDay0Rows {
            rows,
            calendars,
            rules: *rules,
            ok: Label::from("ok"),
        }
    }

    /// The row of `job`: its event mapped onto its calendar.
    fn row(&self, job: &Day0Job) -> Day0Row {
        let (at, rules) = (&self.calendars[job.calendar], &self.rules);
        let out = map_day0(
            &at.calendar,
            job.date,
            job.time.as_deref(),
            job.tz.as_deref(),
            at.tz,
            rules.default_event_time,
            rules.max_shift_days,
        );
        out.to_row(&job.event_id, &job.security, &at.label, &self.ok)
    }
}

impl RowSource<Day0Row> for MadeDay0Rows {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<Day0Row> {
        self.rows[range].iter().map(|job| self.row(job)).collect()
    }
}
