//! The per-event results: for each event a compact table (one row per security: CAR per
//! window in %, single-firm t and p, stars) and a small chart of the CARs.

use std::collections::HashMap;

use super::{distinct, Charts};
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::{fmt_count, fmt_num, fmt_pct, stars};
use crate::report::svg::{self, EventRowCars};
use crate::report::PORTFOLIO;
use crate::tables::{CarRow, EventRow, StudyTables};

/// Largest number of events shown in full (table and chart) in the body of the report;
/// above it the events with the largest significant single-firm CARs are shown there and
/// every event's table goes to the appendix.
pub(crate) const MAX_EVENTS_SHOWN: usize = 40;
/// Events shown in the body of the report when the study has more than [`MAX_EVENTS_SHOWN`].
const NOTABLE_EVENTS: usize = 10;
/// Largest number of events whose tables the appendix lists; above it the first ones are
/// listed with a note naming the full tables.
const MAX_EVENTS_APPENDIX: usize = 200;
/// Level of the single-firm test that makes a CAR "significant" for choosing notable events.
const LEVEL: f64 = 0.05;

/// The per-event blocks: those of the report's body and those of the appendix.
pub(crate) struct EventSections {
    /// The per-event section of the report's body.
    pub(crate) main: Vec<Block>,
    /// The per-event tables of the appendix (empty for at most [`MAX_EVENTS_SHOWN`] events).
    pub(crate) appendix: Vec<Block>,
}

/// One event as the section shows it: id, heading and its CAR rows.
struct EventCars<'a> {
    heading: String,
    rows: Vec<&'a CarRow>,
}

/// The per-event section: every event in the body when there are at most
/// [`MAX_EVENTS_SHOWN`], else the [`NOTABLE_EVENTS`] events with the largest significant
/// single-firm |CAR| in the body and every event's table in the appendix. Charts are added to
/// `charts` (numbered after the charts already there).
pub(crate) fn event_sections(
    tables: &StudyTables,
    windows: &[String],
    charts: &mut Charts,
) -> EventSections {
    let events = events_of(tables);
    if events.is_empty() {
        return EventSections {
            main: Vec::new(),
            appendix: Vec::new(),
        };
    }
    let names: HashMap<&str, &str> = tables
        .securities
        .iter()
        .filter(|s| !s.name.is_empty())
        .map(|s| (s.security.as_str(), s.name.as_str()))
        .collect();
    let label = |sec: &str| names.get(sec).map_or(sec.to_string(), |n| n.to_string());
    let mut main = vec![section_heading("Per-event results", "events")];
    let legend = "CAR in percent per window with the stars of the single-firm t \
                  (methodology §6): * p < 0.1, ** p < 0.05, *** p < 0.01; t and p below, and \
                  the sample-quantile p of the firm's own estimation-window CARs (§6.1) when \
                  the study asks for it. All pairs are in `cars.csv`, the events in \
                  `events.csv`.";
    let shown: Vec<&EventCars> = if events.len() <= MAX_EVENTS_SHOWN {
        main.push(Block::Para(legend.to_string()));
        events.iter().collect()
    } else {
        let notable = notable(&events);
        main.push(Block::Para(format!(
            "{} events: shown here are the {} with the largest significant (p < {}) \
             single-firm CAR; every event's table is in the appendix. {legend}",
            events.len(),
            notable.len(),
            fmt_num(LEVEL)
        )));
        notable
    };
    for e in &shown {
        main.push(Block::Heading(3, e.heading.clone(), None));
        main.push(Block::Table(event_table(&e.rows, windows, &label)));
        let rows = chart_rows(&e.rows, windows, &label);
        charts.add(
            "event",
            &e.rows[0].event_id,
            format!("CAR by security and window, {}", e.heading),
            &|s| svg::event_chart(&e.heading, windows, &rows, s),
        );
        main.append(&mut charts.blocks);
    }
    let mut appendix = Vec::new();
    if events.len() > MAX_EVENTS_SHOWN {
        appendix.push(section_heading("All events", "all-events"));
        if events.len() > MAX_EVENTS_APPENDIX {
            appendix.push(Block::Para(format!(
                "Showing the first {MAX_EVENTS_APPENDIX} of {} events; every pair's CAR is in \
                 cars.csv, the events in events.csv.",
                fmt_count(events.len())
            )));
        }
        for e in events.iter().take(MAX_EVENTS_APPENDIX) {
            appendix.push(Block::Heading(3, e.heading.clone(), None));
            appendix.push(Block::Table(event_table(&e.rows, windows, &label)));
        }
    }
    EventSections { main, appendix }
}

/// The events in the order of the `events` table (title, date and category in the heading),
/// then any event of the `cars` table it lacks (an older output folder: its id alone).
fn events_of(tables: &StudyTables) -> Vec<EventCars<'_>> {
    let mut by_event: HashMap<&str, Vec<&CarRow>> = HashMap::new();
    for r in tables.cars.iter().filter(|r| r.security != PORTFOLIO) {
        by_event.entry(r.event_id.as_str()).or_default().push(r);
    }
    let info: HashMap<&str, &EventRow> = tables
        .events
        .iter()
        .map(|e| (e.event_id.as_str(), e))
        .collect();
    let order = distinct(
        tables
            .events
            .iter()
            .map(|e| e.event_id.as_str())
            .chain(tables.cars.iter().map(|r| r.event_id.as_str())),
    );
    order
        .into_iter()
        .filter_map(|id| {
            let rows = by_event.remove(id.as_str())?;
            let heading = match info.get(id.as_str()) {
                Some(e) => {
                    let date = e.date.map(|d| d.to_string()).unwrap_or_default();
                    let title = if e.title.is_empty() {
                        id.as_str()
                    } else {
                        e.title.as_str()
                    };
                    format!("{date} {title} ({}; {id})", e.category)
                        .trim()
                        .replace("(; ", "(")
                }
                None => id.clone(),
            };
            Some(EventCars { heading, rows })
        })
        .collect()
}

/// The events with the largest significant single-firm |CAR|, largest first.
fn notable<'a, 'b>(events: &'b [EventCars<'a>]) -> Vec<&'b EventCars<'a>> {
    let mut scored: Vec<(f64, &EventCars)> = events
        .iter()
        .filter_map(|e| {
            let best = e
                .rows
                .iter()
                .filter(|r| r.car_p.is_some_and(|p| p < LEVEL))
                .filter_map(|r| r.car.map(f64::abs))
                .fold(f64::NAN, f64::max);
            (!best.is_nan()).then_some((best, e))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(NOTABLE_EVENTS)
        .map(|(_, e)| e)
        .collect()
}

/// The securities of an event in first-appearance order.
fn securities(rows: &[&CarRow]) -> Vec<String> {
    distinct(rows.iter().map(|r| r.security.as_str()))
}

/// One event's table: a row per security, a column per window (CAR in % with stars, t and p
/// below).
fn event_table(rows: &[&CarRow], windows: &[String], label: &dyn Fn(&str) -> String) -> Table {
    let by_key: HashMap<(&str, &str), &CarRow> = rows
        .iter()
        .map(|r| ((r.security.as_str(), r.window.as_str()), *r))
        .collect();
    let mut header = vec!["security".to_string()];
    header.extend(windows.iter().map(|w| format!("CAR {w} (%)")));
    let body = securities(rows)
        .iter()
        .map(|sec| {
            let mut cells = vec![Cell::text(label(sec))];
            cells.extend(windows.iter().map(|w| {
                by_key
                    .get(&(sec.as_str(), w.as_str()))
                    .map_or_else(|| Cell::num(""), |r| car_cell(r))
            }));
            cells
        })
        .collect();
    Table { header, rows: body }
}

/// A CAR in % with the stars of its single-firm test; t and p below (HTML) or in
/// parentheses (Markdown), and the sample-quantile p (§6.1) when the `cars` table has it;
/// `NA` for an incomplete window.
fn car_cell(r: &CarRow) -> Cell {
    let na = |v: Option<f64>| v.map_or_else(|| "NA".to_string(), fmt_num);
    let car = r.car.map_or_else(|| "NA".to_string(), |v| fmt_pct(Some(v)));
    let mut below = format!("t {}, p {}", na(r.car_t), na(r.car_p));
    if let Some((_, q)) = r.extras.iter().find(|(name, _)| name == "quantile_p") {
        below.push_str(&format!(", quantile p {}", na(*q)));
    }
    Cell::starred(&car, stars(r.car_p), &below)
}

/// The chart rows of one event: a row per security with its CAR in each window.
fn chart_rows(
    rows: &[&CarRow],
    windows: &[String],
    label: &dyn Fn(&str) -> String,
) -> Vec<EventRowCars> {
    securities(rows)
        .iter()
        .map(|sec| EventRowCars {
            label: label(sec),
            cars: windows
                .iter()
                .map(|w| {
                    rows.iter()
                        .find(|r| &r.security == sec && &r.window == w)
                        .and_then(|r| r.car)
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn car(extras: Vec<(String, Option<f64>)>) -> CarRow {
        CarRow {
            event_id: "E".into(),
            security: "S".into(),
            group: "all".into(),
            window: "0:0".into(),
            car: Some(-0.1321),
            car_se: Some(0.02),
            car_t: Some(-6.605),
            car_p: Some(1e-6),
            scar: None,
            bhar: None,
            n_days: 1,
            extras,
        }
    }

    #[test]
    fn a_car_cell_shows_the_quantile_p_when_the_table_has_it() {
        let plain = car_cell(&car(Vec::new()));
        assert_eq!(plain.markdown, "-13.21*** (t -6.605, p 1.000e-6)");
        let q = vec![
            ("quantile_n".to_string(), Some(240.0)),
            ("quantile_p".into(), Some(0.0)),
        ];
        let with_q = car_cell(&car(q));
        assert_eq!(
            with_q.markdown,
            "-13.21*** (t -6.605, p 1.000e-6, quantile p 0)"
        );
    }
}
