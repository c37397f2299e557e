//! The CAR of every event–security pair of a window as horizontal bars.

use std::fmt::Write as _;

use super::{c, open_svg, xml_escape, Axis, COLOR_AXIS, COLOR_GRID, COLOR_NEG, COLOR_POS, WIDTH};
use crate::report::format::fmt_num;
use crate::tables::CarRow;

/// CAR per event–security pair for one window: one horizontal `<rect class="bar">` per row with
/// a CAR (NA rows are labelled `NA`), coloured by sign, with a ±1.96·car_se whisker, labelled
/// `event_id · security`.
pub(crate) fn car_chart(window: &str, rows: &[&CarRow], standalone: bool) -> String {
    let row_h = 22.0;
    let top = 58.0;
    let label_w = rows
        .iter()
        .map(|r| (r.event_id.chars().count() + r.security.chars().count() + 3) as f64 * 6.6)
        .fold(60.0, f64::max)
        .min(300.0);
    let left = label_w + 24.0;
    let right = WIDTH - 24.0;
    let bottom = top + row_h * rows.len().max(1) as f64;
    let height = bottom + 56.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        WIDTH,
        height,
        &format!("CAR by event, window {window}"),
        standalone,
    );
    let whisker = |r: &CarRow| {
        r.car
            .zip(r.car_se)
            .map(|(v, se)| (v - 1.96 * se, v + 1.96 * se))
    };
    let lo = rows
        .iter()
        .flat_map(|r| [r.car, whisker(r).map(|w| w.0)])
        .flatten()
        .fold(f64::INFINITY, f64::min);
    let hi = rows
        .iter()
        .flat_map(|r| [r.car, whisker(r).map(|w| w.1)])
        .flatten()
        .fold(f64::NEG_INFINITY, f64::max);
    let axis = if lo.is_finite() {
        Axis::covering(lo, hi, 6)
    } else {
        Axis::covering(-0.01, 0.01, 4)
    };
    for v in axis.ticks() {
        let x = axis.map(v, left, right);
        let color = if v == 0.0 { COLOR_AXIS } else { COLOR_GRID };
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{color}\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            c(top - 4.0),
            c(bottom),
            c(bottom + 18.0),
            axis.percent_label(v),
            x = c(x)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/>",
        c(left),
        c(right),
        b = c(bottom)
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">CAR {} (whiskers: ±1.96 · car_se)</text>",
        c((left + right) / 2.0),
        c(bottom + 38.0),
        xml_escape(window)
    );
    // Legend.
    let lx = right - 190.0;
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"31\" width=\"12\" height=\"12\" fill=\"{COLOR_POS}\"/><text x=\"{}\" y=\"41\" fill=\"#333\">CAR ≥ 0</text><rect x=\"{}\" y=\"31\" width=\"12\" height=\"12\" fill=\"{COLOR_NEG}\"/><text x=\"{}\" y=\"41\" fill=\"#333\">CAR &lt; 0</text>",
        c(lx),
        c(lx + 17.0),
        c(lx + 90.0),
        c(lx + 107.0)
    );
    let x0 = axis.map(0.0, left, right);
    for (k, r) in rows.iter().enumerate() {
        let yc = top + row_h * (k as f64 + 0.5);
        let label = format!("{} · {}", r.event_id, r.security);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
            c(left - 8.0),
            c(yc + 4.0),
            xml_escape(&label)
        );
        match r.car {
            Some(v) => {
                let x = axis.map(v, left, right);
                let color = if v >= 0.0 { COLOR_POS } else { COLOR_NEG };
                let _ = write!(
                    out,
                    "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\"><title>{}: CAR {}</title></rect>",
                    c(x.min(x0)),
                    c(yc - row_h * 0.34),
                    c((x - x0).abs()),
                    c(row_h * 0.68),
                    xml_escape(&label),
                    fmt_num(v)
                );
                if let Some((wl, wh)) = whisker(r) {
                    let _ = write!(
                        out,
                        "<line class=\"whisker\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#222\" stroke-width=\"1\"/>",
                        c(axis.map(wl, left, right)),
                        c(axis.map(wh, left, right)),
                        y = c(yc)
                    );
                }
            }
            None => {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" fill=\"#888\" font-style=\"italic\">NA (incomplete window)</text>",
                    c(x0 + 6.0),
                    c(yc + 4.0)
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}
