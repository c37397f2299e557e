//! The CARs of one event: one row per security, one dot per event window.

use std::fmt::Write as _;

use super::{box_entry, c, open_svg, xml_escape, Axis, Frame, COLOR_AXIS, COLOR_GRID};
use crate::report::format::fmt_pct;

/// Width of an event chart in pixels (smaller than the other charts: one per event).
const EVENT_WIDTH: f64 = 560.0;
/// Height of one security's row in pixels.
const ROW_H: f64 = 18.0;
/// Longest chart title in characters (bold 15 px across the chart's width); a longer one is
/// cut with `…` (the figure's caption has it whole).
const MAX_TITLE_CHARS: usize = 60;
/// The colour of each window's dots, in window order (repeating past the sixth).
const WINDOW_COLORS: [&str; 6] = [
    "#1f5fa8", "#d0652a", "#2e8b57", "#8e44ad", "#b8860b", "#555555",
];

/// One security's row of an event chart: its label and its CAR in each window (`None`
/// where the CAR is missing).
pub(crate) struct EventRowCars {
    /// The row label (the security's name or ticker).
    pub(crate) label: String,
    /// The CAR of each window, as fractions, in the chart's window order.
    pub(crate) cars: Vec<Option<f64>>,
}

/// The CARs of one event: a row per security with one dot per window (colour by window,
/// legend at the top), x axis in percent with a line at 0. Titled `title`.
pub(crate) fn event_chart(
    title: &str,
    windows: &[String],
    rows: &[EventRowCars],
    standalone: bool,
) -> String {
    let label_w = rows
        .iter()
        .map(|r| r.label.chars().count() as f64 * 6.4)
        .fold(40.0, f64::max)
        .min(200.0);
    let f = Frame {
        left: label_w + 20.0,
        right: EVENT_WIDTH - 20.0,
        top: 52.0,
        bottom: 52.0 + ROW_H * rows.len().max(1) as f64,
    };
    let shown: String = if title.chars().count() > MAX_TITLE_CHARS {
        title
            .chars()
            .take(MAX_TITLE_CHARS - 1)
            .chain(['…'])
            .collect()
    } else {
        title.to_string()
    };
    let mut out = String::new();
    open_svg(&mut out, EVENT_WIDTH, f.bottom + 46.0, &shown, standalone);
    let values = rows.iter().flat_map(|r| r.cars.iter().flatten().copied());
    let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let axis = if hi > lo {
        Axis::covering(lo, hi, 5)
    } else {
        Axis::covering(-0.01, 0.01, 4)
    };
    for v in axis.ticks() {
        let color = if v == 0.0 { COLOR_AXIS } else { COLOR_GRID };
        let x = axis.map(v, f.left, f.right);
        f.x_tick(
            &mut out,
            x,
            [f.top - 4.0, f.bottom],
            color,
            &axis.percent_label(v),
        );
    }
    f.bottom_line(&mut out);
    f.x_title(&mut out, "CAR (%)");
    let mut lx = f.left;
    for (k, w) in windows.iter().enumerate() {
        let color = WINDOW_COLORS[k % WINDOW_COLORS.len()];
        box_entry(
            &mut out,
            [&c(lx), "31", "10", "10"],
            &format!("fill=\"{color}\""),
            [&c(lx + 14.0), "40"],
            " fill=\"#333\"",
            w,
        );
        lx += 24.0 + w.chars().count() as f64 * 7.0;
    }
    for (i, r) in rows.iter().enumerate() {
        let yc = f.top + ROW_H * (i as f64 + 0.5);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
            c(f.left - 8.0),
            c(yc + 4.0),
            xml_escape(&r.label)
        );
        for (k, v) in r.cars.iter().enumerate() {
            let Some(v) = v else { continue };
            let color = WINDOW_COLORS[k % WINDOW_COLORS.len()];
            let _ = write!(
                out,
                "<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{color}\"><title>{}: CAR {} {} %</title></circle>",
                c(axis.map(*v, f.left, f.right)),
                c(yc),
                xml_escape(&r.label),
                xml_escape(windows.get(k).map(String::as_str).unwrap_or("")),
                fmt_pct(Some(*v))
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_chart_has_a_dot_per_car_and_percent_axis() {
        let windows = vec!["0:0".to_string(), "0:5".to_string()];
        let rows = vec![
            EventRowCars {
                label: "NVIDIA".into(),
                cars: vec![Some(-0.1312), Some(-0.05)],
            },
            EventRowCars {
                label: "SMIC".into(),
                cars: vec![Some(0.02), None],
            },
        ];
        let s = event_chart("2025-01-27 model release", &windows, &rows, true);
        crate::report::tests::assert_well_formed(&s);
        assert_eq!(s.matches("<circle class=\"dot\"").count(), 3);
        assert!(s.contains("NVIDIA: CAR 0:0 -13.12 %"));
        assert!(s.contains("CAR (%)"));
        assert!(
            s.contains(">-10%<") || s.contains(">-15%<"),
            "percent ticks"
        );
    }
}
