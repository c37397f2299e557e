//! The rows of the volume tables: the engine's per-pair results on log volume and the group
//! battery's aggregates and tests, relabelled (§5.6, §12).

use super::super::rows::position;
use crate::abnormal::PairView;
use crate::calendar::SessionCalendar;
use crate::stats::GroupBattery;
use crate::tables::{
    VolumeAbnormalRow, VolumeAggregateRow, VolumeCarRow, VolumeMetric, VolumeTables, VolumeTestRow,
};
use crate::vocab::{Metric, Scope, TestKind};

/// The tests of the volume study: the cross-sectional t (§8.1) and the rank test of Corrado
/// (day, §9.3) and Cowan (window, §9.4), the tests Campbell & Wasley (1996) and Cready &
/// Hurtt (2002) examine for volume.
pub(crate) const VOLUME_TESTS: [TestKind; 2] = [TestKind::CsectT, TestKind::RankZ];

/// A finite value, or `None` (an empty cell).
fn opt(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The `volume_abnormal` and `volume_cars` rows of one analysed pair.
pub(crate) fn push_pair_rows(
    out: &mut VolumeTables,
    event_id: &str,
    security: &str,
    res: &PairView,
    cal: &SessionCalendar,
    day0: usize,
) {
    let h = res.event_period;
    for (k, t) in (h.start..=h.end).enumerate() {
        out.abnormal.push(VolumeAbnormalRow {
            event_id: event_id.to_string(),
            security: security.to_string(),
            rel_day: t,
            date: position(day0, t).and_then(|j| cal.date(j)),
            log_volume: res.ret.get(k).and_then(opt),
            expected: res.expected_ret.get(k).and_then(opt),
            av: opt(res.ar[k]),
        });
    }
    for w in res.windows {
        out.cars.push(VolumeCarRow {
            event_id: event_id.to_string(),
            security: security.to_string(),
            window: w.window.label(),
            cav: w.car,
            n_days: w.n_days,
        });
    }
}

/// The `volume_aggregate` and `volume_tests` rows of one group's battery: AAV per day and
/// CAAV per window, and the tests of [`VOLUME_TESTS`] (the buy-and-hold rows are left out:
/// compounding log volumes means nothing).
pub(crate) fn push_group_rows(out: &mut VolumeTables, battery: GroupBattery) {
    for a in battery.aggregate {
        let metric = match a.metric {
            Metric::Ar => VolumeMetric::Aav,
            Metric::Car => VolumeMetric::Caav,
            Metric::Bhar => continue,
        };
        out.aggregate.push(VolumeAggregateRow {
            group: a.group,
            metric,
            window: a.window,
            rel_day: a.rel_day,
            n: a.n,
            mean: a.mean,
            median: a.median,
            share_positive: a.share_positive,
        });
    }
    for t in battery.tests {
        if t.scope == Scope::Bhar || !VOLUME_TESTS.contains(&t.test) {
            continue;
        }
        out.tests.push(VolumeTestRow {
            group: t.group,
            scope: t.scope,
            window: t.window,
            rel_day: t.rel_day,
            test: t.test,
            statistic: t.statistic,
            p_value: t.p_value,
            df: t.df,
            n: t.n,
        });
    }
}
