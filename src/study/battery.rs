//! The test battery of one group label (§7–§9).

use super::groups::GroupLabel;
use super::pairs::Pair;
use super::universe::Universe;
use crate::abnormal::{PairBatch, PairRef, Window};
use crate::calendar::EventRecord;
use crate::stats::{group_battery, GroupBattery, StatsConfig, StatsEvent};
use chrono::NaiveDate;

/// Calendar dates of the estimation days, as slices of one padded vector per calendar
/// (`None` outside the calendar): no per-pair allocation.
pub(crate) struct EstimationDates {
    estimation: Window,
    pad: usize,
    padded: Vec<Vec<Option<NaiveDate>>>,
}

impl EstimationDates {
    /// The padded date columns of the universe's calendars.
    pub fn new(universe: &Universe, estimation: Window) -> EstimationDates {
        let pad = (estimation.start.unsigned_abs() as usize)
            .max(estimation.end.unsigned_abs() as usize)
            + 1;
        let padded = universe
            .calendars
            .iter()
            .map(|c| {
                let mut v = vec![None; pad];
                v.extend(c.calendar.dates().iter().map(|d| Some(*d)));
                v.extend(std::iter::repeat_n(None, pad));
                v
            })
            .collect();
        EstimationDates {
            estimation,
            pad,
            padded,
        }
    }

    /// The estimation dates of a pair with day 0 at position `day0` of calendar `calendar`.
    fn of(&self, calendar: usize, day0: usize) -> &[Option<NaiveDate>] {
        let v = &self.padded[calendar];
        let a = (day0 + self.pad) as i64 + self.estimation.start as i64;
        let b = (day0 + self.pad) as i64 + self.estimation.end as i64;
        &v[a as usize..=b as usize]
    }
}

/// What the battery of one label reads.
pub(crate) struct BatteryInputs<'a> {
    /// Every pair of the run.
    pub pairs: &'a [Pair],
    /// The events the pairs index.
    pub events: &'a [EventRecord],
    /// The securities' calendars.
    pub universe: &'a Universe,
    /// Engine results.
    pub batch: &'a PairBatch,
    /// Estimation dates by calendar.
    pub est_dates: &'a EstimationDates,
    /// Test settings.
    pub stats: &'a StatsConfig,
}

/// The test battery of the members of `group`.
pub(crate) fn test_group(group: &GroupLabel, inputs: &BatteryInputs) -> GroupBattery {
    group_battery(&group.label, &stats_events(group, inputs), inputs.stats)
}

/// The analysed members of `group` as the battery reads them (room for exactly the members:
/// one event is 80 bytes).
pub(crate) fn stats_events<'a>(
    group: &GroupLabel,
    inputs: &BatteryInputs<'a>,
) -> Vec<StatsEvent<'a>> {
    let mut events = Vec::with_capacity(group.members.len());
    events.extend(group.members.iter().filter_map(|&i| {
        // Labels hold analysed pairs only.
        let p = &inputs.pairs[i];
        let day0 = p.day0?;
        let calendar = inputs.universe.securities[p.sec].calendar;
        Some(StatsEvent {
            event_id: &inputs.events[p.event].event_id,
            security: &p.security,
            day0: day0.date,
            est_dates: inputs.est_dates.of(calendar, day0.index),
            pair: PairRef::slot(inputs.batch, p.result?)?,
        })
    }));
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::SessionCalendar;
    use crate::study::calendars::CalendarEntry;
    use std::collections::HashMap;

    #[test]
    fn estimation_dates_are_none_before_the_calendar() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        let dates = [d(2), d(3), d(4), d(5), d(8)];
        let universe = Universe {
            calendars: vec![CalendarEntry {
                calendar: SessionCalendar::from_data_dates(&dates),
                tz: None,
                span: None,
            }],
            securities: Vec::new(),
            series: Vec::new().into(),
            index: HashMap::new(),
        };
        let est = EstimationDates::new(&universe, Window { start: -3, end: -2 });
        assert_eq!(est.of(0, 4), [Some(d(3)), Some(d(4))]);
        assert_eq!(est.of(0, 2), [None, Some(d(2))]);
        assert_eq!(est.of(0, 0), [None, None]);
    }
}
