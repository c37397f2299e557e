//! The event study's CAAR beside the average trade's cumulative return, by day relative to
//! day 0.

use std::fmt::Write as _;

use super::{
    c, close_empty_chart, day_axes, line_entry, open_svg, xml_escape, Axis, DayFrame, COLOR_LINE,
    WIDTH,
};
use crate::report::format::fmt_num;

/// The trade path's colour (the CAAR keeps the study charts' blue).
const COLOR_TRADE: &str = "#2a9d5c";

/// One point of a path over relative days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DayValue {
    /// Session relative to day 0.
    pub(crate) rel_day: i32,
    /// The cumulative return at that day's close.
    pub(crate) value: f64,
}

/// The two paths on one relative-day axis: `caar` as `<polyline class="caar">` and `trade` as
/// `<polyline class="trade">` (dashed), each point with a tooltip, legend at the top.
pub(crate) fn path_chart(caar: &[DayValue], trade: &[DayValue], standalone: bool) -> String {
    let height = 360.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        WIDTH,
        height,
        "Event-study CAAR and the average trade's cumulative return",
        standalone,
    );
    let all = || caar.iter().chain(trade);
    let (Some(first), Some(last)) = (
        all().map(|p| p.rel_day).min(),
        all().map(|p| p.rel_day).max(),
    ) else {
        close_empty_chart(&mut out, "no CAAR and no trade path");
        return out;
    };
    let f = DayFrame::new(60.0, height - 56.0, first, last);
    let lo = all().map(|p| p.value).fold(f64::INFINITY, f64::min);
    let hi = all().map(|p| p.value).fold(f64::NEG_INFINITY, f64::max);
    let axis = Axis::covering(lo, hi, 6);
    day_axes(
        &mut out,
        &f,
        &axis,
        "relative trading day",
        "cumulative return",
    );
    let caar_stroke = format!("stroke=\"{COLOR_LINE}\" stroke-width=\"2.2\"");
    let trade_stroke =
        format!("stroke=\"{COLOR_TRADE}\" stroke-width=\"2.2\" stroke-dasharray=\"7 4\"");
    let tooltip = |name: &'static str| {
        move |p: &DayValue| format!("day {}: {name} {}%", p.rel_day, fmt_num(p.value * 100.0))
    };
    for (points, class, stroke, dot_color, name) in [
        (caar, "caar", &caar_stroke, COLOR_LINE, "CAAR"),
        (trade, "trade", &trade_stroke, COLOR_TRADE, "average trade"),
    ] {
        let look = PathLook {
            class,
            stroke,
            dot_color,
            tooltip: &tooltip(name),
        };
        day_polyline(&mut out, &f, &axis, points, &look);
    }
    let lx = f.frame.left + 12.0;
    line_entry(
        &mut out,
        [&c(lx), "40", &c(lx + 22.0), "40"],
        &caar_stroke,
        [&c(lx + 28.0), "44"],
        "CAAR (Σ AAR, group all)",
    );
    line_entry(
        &mut out,
        [&c(lx + 210.0), "40", &c(lx + 232.0), "40"],
        &trade_stroke,
        [&c(lx + 238.0), "44"],
        "average trade from entry, before costs",
    );
    out.push_str("</svg>");
    out
}

/// How one path over relative days is drawn: its `class`, the stroke attributes of the line,
/// the colour of its dots and the tooltip of each dot.
pub(crate) struct PathLook<'a> {
    pub(crate) class: &'a str,
    pub(crate) stroke: &'a str,
    pub(crate) dot_color: &'a str,
    pub(crate) tooltip: &'a dyn Fn(&DayValue) -> String,
}

/// One path as a `<polyline class="{class}">` with a dot (`r="3"`, tooltip) per day.
pub(crate) fn day_polyline(
    out: &mut String,
    f: &DayFrame,
    axis: &Axis,
    points: &[DayValue],
    look: &PathLook,
) {
    if points.is_empty() {
        return;
    }
    let pts: Vec<String> = points
        .iter()
        .map(|p| format!("{},{}", c(f.x(p.rel_day)), c(f.y(axis, p.value))))
        .collect();
    let _ = write!(
        out,
        "<polyline class=\"{}\" points=\"{}\" fill=\"none\" {}/>",
        look.class,
        pts.join(" "),
        look.stroke
    );
    for p in points {
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"><title>{}</title></circle>",
            c(f.x(p.rel_day)),
            c(f.y(axis, p.value)),
            look.dot_color,
            xml_escape(&(look.tooltip)(p))
        );
    }
}
