//! From an analysed event–security pair of the study to a [`Position`] (methodology §16.1,
//! §16.2): the event instant the trade may act on, its side, entry and exit, size, hedge and
//! costs — or the reason it does not trade.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::bars::MarketData;
use super::timing::{entry_fill, exit_fill, Excluded, Market, Side, Timed};
use super::{BacktestReason, Direction, Fill, Hedge, Position};
use crate::calendar::{local_to_utc, parse_event_time, parse_time_zone, EventRecord};
use crate::design::{BacktestDesign, DirectionRule, SignalKind, Weighting};

/// An event–security pair the study analysed, with what the backtest reads of it.
#[derive(Debug, Clone)]
pub(crate) struct StudyPair<'a> {
    /// The event.
    pub event: &'a EventRecord,
    /// Security ticker.
    pub security: &'a str,
    /// Calendar label of the security (exchange code or `DATA`).
    pub exchange: &'a str,
    /// The study's day 0.
    pub day0: chrono::NaiveDate,
    /// Estimation-window σ̂ of the fit.
    pub sigma: Option<f64>,
    /// Estimation-window beta on the security's benchmark.
    pub beta: Option<f64>,
    /// The security's benchmark ticker.
    pub benchmark: Option<&'a str>,
    /// The study's abnormal returns of the pair by relative day (missing days absent).
    pub ars: BTreeMap<i32, f64>,
}

impl StudyPair<'_> {
    /// Σ AR over relative days `first..=last`, `None` if any day is missing.
    pub fn car(&self, first: i32, last: i32) -> Option<f64> {
        if first > last {
            return Some(0.0);
        }
        (first..=last).map(|t| self.ars.get(&t).copied()).sum()
    }
}

/// A pair's position and what its `bt_trades` row adds.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// The position.
    pub position: Position,
    /// The instant the trade acts on (event instant, date-only rule applied), before latency.
    pub event_instant: DateTime<Utc>,
    /// Notes of moved fills (empty when none moved).
    pub note: String,
}

/// The instant a trade acts on: the event's time in its zone (the security's exchange zone
/// when the event has none, §2.3); a date-only event reads as the `date_only` keyword
/// (`after_close` 18:00 or `before_open` 08:00, §2.3). On a data calendar, wall-clock times
/// written as UTC (see [`super::SessionTimes::for_data_calendar`]).
fn event_instant(
    event: &EventRecord,
    zone: Option<chrono_tz::Tz>,
    bt: &BacktestDesign,
    default_time: chrono::NaiveTime,
) -> Result<DateTime<Utc>, Excluded> {
    let bad = |detail: String| Excluded {
        reason: BacktestReason::NoCalendar,
        detail,
    };
    let time = event
        .time
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(bt.date_only.keyword());
    let local = event
        .date
        .and_time(parse_event_time(Some(time), default_time).map_err(bad)?);
    let Some(exchange_zone) = zone else {
        return Ok(local.and_utc());
    };
    let zone = match event.tz.as_deref().filter(|z| !z.trim().is_empty()) {
        Some(z) => parse_time_zone(z).map_err(bad)?,
        None => exchange_zone,
    };
    Ok(local_to_utc(zone, local))
}

/// The side of the pair's trade and the signal's note.
fn direction(pair: &StudyPair, rule: &DirectionRule) -> Result<Direction, Excluded> {
    match rule {
        DirectionRule::Fixed(d) => Ok(*d),
        DirectionRule::ByCategory(map) => map
            .get(pair.event.category.as_str())
            .copied()
            .ok_or_else(|| Excluded {
                reason: BacktestReason::NoDirection,
                detail: format!(
                    "category '{}' has no side in [backtest.direction]",
                    pair.event.category
                ),
            }),
        DirectionRule::Signal { window, kind } => {
            let signal = pair.car(window.start, window.end).filter(|s| *s != 0.0);
            let Some(s) = signal else {
                return Err(Excluded {
                    reason: BacktestReason::NoSignal,
                    detail: format!("the CAR over {} is missing or zero", window.label()),
                });
            };
            let up = (s > 0.0) == (*kind == SignalKind::Momentum);
            Ok(if up {
                Direction::Long
            } else {
                Direction::Short
            })
        }
    }
}

/// The position of `pair`, or why it does not trade.
pub(crate) fn plan_position(
    pair: &StudyPair,
    market: &MarketData,
    bt: &BacktestDesign,
    default_time: chrono::NaiveTime,
) -> Result<Planned, Excluded> {
    if bt
        .tradable
        .as_ref()
        .is_some_and(|t| !t.contains(pair.security))
    {
        return Err(Excluded {
            reason: BacktestReason::OutsideGroups,
            detail: format!("{} is in none of [backtest] groups", pair.security),
        });
    }
    let no_calendar = |detail: String| Excluded {
        reason: BacktestReason::NoCalendar,
        detail,
    };
    let &security = market
        .index
        .get(pair.security)
        .ok_or_else(|| no_calendar(format!("no bars for {}", pair.security)))?;
    let (bars, times) = (&market.bars[security], &market.times[security]);
    let m = Market {
        bars,
        times,
        tolerance: bt.limits.tolerance,
    };
    let day0 = bars
        .dates
        .binary_search(&pair.day0)
        .map_err(|_| no_calendar(format!("day 0 {} is not a session of the bars", pair.day0)))?;
    let zone = crate::calendar::builtin_exchange(pair.exchange).map(|s| s.tz);
    let instant = event_instant(pair.event, zone, bt, default_time)?;
    let direction = direction(pair, &bt.direction)?;
    let known_at = instant + bt.latency;
    let mut entry = entry_fill(
        &m,
        bt.entry,
        bt.unfillable,
        known_at,
        day0,
        Side::entering(direction),
    )?;
    if m.instant(entry.fill).is_some_and(|t| t < known_at) {
        // Only a fixed open:K / close:K entry can precede the event; say so on the trade.
        let sep = if entry.note.is_empty() { "" } else { "; " };
        entry.note = format!(
            "{}{sep}entry before the event instant plus latency (look-ahead)",
            entry.note
        );
    }
    check_signal_before_entry(bt, entry.fill, day0)?;
    let exit = exit_fill(
        &m,
        bt.exit,
        bt.exit_point,
        entry.fill,
        day0,
        Side::exiting(direction),
    )?;
    let position = Position {
        event_id: pair.event.event_id.to_string(),
        security,
        direction,
        entry: entry.fill,
        exit: exit.fill,
        day0: Some(day0),
        size: size(pair, bt.weighting)?,
        hedge: hedge(pair, market, bt.hedge)?,
        cost_bps: bt.costs.bps(pair.exchange),
        borrow_bps: match direction {
            Direction::Short => bt.borrow_bps,
            Direction::Long => 0.0,
        },
    };
    Ok(Planned {
        position,
        event_instant: instant,
        note: notes(&entry, &exit),
    })
}

/// A signal must be known before the trade: its window ends before the entry session.
fn check_signal_before_entry(
    bt: &BacktestDesign,
    entry: Fill,
    day0: usize,
) -> Result<(), Excluded> {
    let DirectionRule::Signal { window, .. } = &bt.direction else {
        return Ok(());
    };
    let rel = entry.session as i64 - day0 as i64;
    if i64::from(window.end) < rel {
        return Ok(());
    }
    Err(Excluded {
        reason: BacktestReason::NoSignal,
        detail: format!(
            "the signal window {} does not end before the entry session (day {rel})",
            window.label()
        ),
    })
}

/// Relative size: 1, or 1/σ̂ of the estimation window for inverse-volatility weights.
fn size(pair: &StudyPair, weighting: Weighting) -> Result<f64, Excluded> {
    match weighting {
        Weighting::Equal | Weighting::Notional(_) => Ok(1.0),
        Weighting::InverseVol => match pair.sigma {
            Some(s) if s.is_finite() && s > 0.0 => Ok(1.0 / s),
            _ => Err(Excluded {
                reason: BacktestReason::NoVolatility,
                detail: "the study's fit has no positive σ̂".to_string(),
            }),
        },
    }
}

/// The pair's benchmark leg: the estimation-window beta when the backtest hedges, else β = 0
/// (the benchmark is tracked for the benchmark return, not traded). `None` without benchmark
/// prices when not hedging.
fn hedge(pair: &StudyPair, market: &MarketData, hedged: bool) -> Result<Option<Hedge>, Excluded> {
    let benchmark = pair.benchmark.and_then(|b| market.index.get(b).copied());
    if !hedged {
        return Ok(benchmark.map(|benchmark| Hedge {
            benchmark,
            beta: 0.0,
        }));
    }
    match (benchmark, pair.beta.filter(|b| b.is_finite())) {
        (Some(benchmark), Some(beta)) => Ok(Some(Hedge { benchmark, beta })),
        (None, _) => Err(Excluded {
            reason: BacktestReason::NoHedge,
            detail: format!(
                "no prices for the benchmark {}",
                pair.benchmark.unwrap_or("(none)")
            ),
        }),
        (_, None) => Err(Excluded {
            reason: BacktestReason::NoHedge,
            detail: "the study's fit has no beta".to_string(),
        }),
    }
}

/// The notes of moved fills, `; `-separated.
fn notes(entry: &Timed, exit: &Timed) -> String {
    [entry.note.as_str(), exit.note.as_str()]
        .iter()
        .filter(|n| !n.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::StudyFile;

    fn event(time: &str, tz: &str) -> EventRecord {
        EventRecord {
            event_id: "E".into(),
            date: chrono::NaiveDate::from_ymd_opt(2024, 6, 3).unwrap(),
            time: Some(time.into()),
            tz: Some(tz.into()),
            category: "c".into(),
            scope: vec!["X".into()],
            group: None,
            title: "".into(),
            source: "".into(),
            verified: None,
            row: 2,
        }
    }

    fn design(date_only: &str) -> BacktestDesign {
        let f = StudyFile::from_toml_str(&format!(
            "events = \"e.csv\"\nmarket = \"IDX\"\n[[prices]]\npath = \"p.csv\"\n[backtest]\ndate_only = \"{date_only}\"\n"
        ))
        .unwrap();
        BacktestDesign::from_file(&f).unwrap()
    }

    #[test]
    fn date_only_events_are_known_after_the_close_or_before_the_open() {
        let noon = chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap();
        let hk = Some(chrono_tz::Asia::Hong_Kong);
        let at = |e: &EventRecord, d: &BacktestDesign| {
            crate::calendar::format_utc(event_instant(e, hk, d, noon).unwrap())
        };
        // 2024-06-03 in New York (EDT, UTC−4): after the close = 18:00 → 22:00 UTC; before
        // the open = 08:00 → 12:00 UTC; the study's noon default is not used.
        let ny = event("", "America/New_York");
        assert_eq!(at(&ny, &design("after_close")), "2024-06-03T22:00Z");
        assert_eq!(at(&ny, &design("before_open")), "2024-06-03T12:00Z");
        // An event without a zone is read in the exchange's (Hong Kong, UTC+8).
        let local = event("", "");
        assert_eq!(at(&local, &design("after_close")), "2024-06-03T10:00Z");
        // A written time is used as given.
        assert_eq!(
            at(&event("20:00", "America/New_York"), &design("after_close")),
            "2024-06-04T00:00Z"
        );
        // On a data calendar (no exchange zone), wall clock written as UTC.
        let d = design("after_close");
        let naive = event_instant(&ny, None, &d, noon).unwrap();
        assert_eq!(crate::calendar::format_utc(naive), "2024-06-03T18:00Z");
    }
}
