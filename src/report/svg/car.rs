//! The CAR of every event–security pair of a window as horizontal bars.

use std::fmt::Write as _;

use super::{
    box_entry, c, open_svg, titled_rect, xml_escape, Axis, Frame, COLOR_AXIS, COLOR_GRID,
    COLOR_NEG, COLOR_POS, WIDTH,
};
use crate::report::format::fmt_num;
use crate::tables::CarRow;

/// Height of one pair's row in pixels.
const ROW_H: f64 = 22.0;

/// CAR per event–security pair for one window: one horizontal `<rect class="bar">` per row with
/// a CAR (NA rows are labelled `NA`), coloured by sign, with a ±1.96·car_se whisker, labelled
/// `event_id · security`.
pub(crate) fn car_chart(window: &str, rows: &[&CarRow], standalone: bool) -> String {
    let f = car_frame(rows);
    let height = f.bottom + 56.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        WIDTH,
        height,
        &format!("CAR by event, window {window}"),
        standalone,
    );
    let axis = car_axis(rows);
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
    f.x_title(
        &mut out,
        &format!("CAR {window} (whiskers: ±1.96 · car_se)"),
    );
    draw_legend(&mut out, &f);
    for (k, r) in rows.iter().enumerate() {
        draw_row(&mut out, &f, &axis, row_centre(&f, k), r);
    }
    out.push_str("</svg>");
    out
}

/// The plot area: room on the left for the longest `event_id · security` label (at most
/// 300 px), one row per pair.
fn car_frame(rows: &[&CarRow]) -> Frame {
    let top = 58.0;
    let label_w = rows
        .iter()
        .map(|r| (r.event_id.chars().count() + r.security.chars().count() + 3) as f64 * 6.6)
        .fold(60.0, f64::max)
        .min(300.0);
    Frame {
        left: label_w + 24.0,
        right: WIDTH - 24.0,
        top,
        bottom: top + ROW_H * rows.len().max(1) as f64,
    }
}

/// The centre line of row `k`.
fn row_centre(f: &Frame, k: usize) -> f64 {
    f.top + ROW_H * (k as f64 + 0.5)
}

/// The ±1.96 · car_se whisker of a row with a CAR and a standard error.
fn whisker(r: &CarRow) -> Option<(f64, f64)> {
    r.car
        .zip(r.car_se)
        .map(|(v, se)| (v - 1.96 * se, v + 1.96 * se))
}

/// The CAR axis: covers every CAR, every whisker and 0.
fn car_axis(rows: &[&CarRow]) -> Axis {
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
    if lo.is_finite() {
        Axis::covering(lo, hi, 6)
    } else {
        Axis::covering(-0.01, 0.01, 4)
    }
}

/// The legend (top right): the two bar colours.
fn draw_legend(out: &mut String, f: &Frame) {
    let lx = f.right - 190.0;
    for (dx, color, label) in [(0.0, COLOR_POS, "CAR ≥ 0"), (90.0, COLOR_NEG, "CAR < 0")] {
        box_entry(
            out,
            [&c(lx + dx), "31", "12", "12"],
            &format!("fill=\"{color}\""),
            [&c(lx + dx + 17.0), "41"],
            " fill=\"#333\"",
            label,
        );
    }
}

/// One pair's row centred at `yc`: its label, then its bar and whisker, or `NA`.
fn draw_row(out: &mut String, f: &Frame, axis: &Axis, yc: f64, r: &CarRow) {
    let label = format!("{} · {}", r.event_id, r.security);
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
        c(f.left - 8.0),
        c(yc + 4.0),
        xml_escape(&label)
    );
    let x0 = axis.map(0.0, f.left, f.right);
    let Some(v) = r.car else {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"#888\" font-style=\"italic\">NA (incomplete window)</text>",
            c(x0 + 6.0),
            c(yc + 4.0)
        );
        return;
    };
    let x = axis.map(v, f.left, f.right);
    let color = if v >= 0.0 { COLOR_POS } else { COLOR_NEG };
    titled_rect(
        out,
        "bar",
        [
            &c(x.min(x0)),
            &c(yc - ROW_H * 0.34),
            &c((x - x0).abs()),
            &c(ROW_H * 0.68),
        ],
        &format!("fill=\"{color}\""),
        &format!("{label}: CAR {}", fmt_num(v)),
    );
    if let Some((wl, wh)) = whisker(r) {
        let _ = write!(
            out,
            "<line class=\"whisker\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#222\" stroke-width=\"1\"/>",
            c(axis.map(wl, f.left, f.right)),
            c(axis.map(wh, f.left, f.right)),
            y = c(yc)
        );
    }
}
