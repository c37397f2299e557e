//! The AAR bars of a group.

use std::fmt::Write as _;

use super::{
    c, close_empty_chart, day_axes, open_svg, Axis, DayFrame, COLOR_NEG, COLOR_POS, WIDTH,
};
use crate::report::format::fmt_num;
use crate::tables::AggregateRow;

/// AAR bars of one group: one `<rect class="bar">` per day with an AAR, coloured by sign.
pub(crate) fn aar_chart(group: &str, rows: &[&AggregateRow], standalone: bool) -> String {
    let mut days: Vec<(i32, f64)> = rows
        .iter()
        .filter(|r| r.metric == "ar")
        .filter_map(|r| Some((r.rel_day?, r.mean?)))
        .collect();
    days.sort_by_key(|d| d.0);
    let height = 320.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        WIDTH,
        height,
        &format!("AAR by relative day — group {group}"),
        standalone,
    );
    if days.is_empty() {
        close_empty_chart(&mut out, "no abnormal returns");
        return out;
    }
    let first = days[0].0;
    let last = days[days.len() - 1].0;
    let f = DayFrame {
        left: 76.0,
        right: WIDTH - 24.0,
        top: 40.0,
        bottom: height - 56.0,
        first,
        n_days: (last - first + 1) as usize,
    };
    let lo = days.iter().map(|d| d.1).fold(f64::INFINITY, f64::min);
    let hi = days.iter().map(|d| d.1).fold(f64::NEG_INFINITY, f64::max);
    let axis = Axis::covering(lo, hi, 5);
    day_axes(&mut out, &f, &axis, "relative trading day", "AAR");
    let bw = (f.slot() * 0.7).min(48.0);
    let y0 = axis.map(0.0, f.bottom, f.top);
    for (day, v) in &days {
        let y = axis.map(*v, f.bottom, f.top);
        let color = if *v >= 0.0 { COLOR_POS } else { COLOR_NEG };
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\"><title>day {day}: AAR {}</title></rect>",
            c(f.x(*day) - bw / 2.0),
            c(y.min(y0)),
            c(bw),
            c((y - y0).abs()),
            fmt_num(*v)
        );
    }
    out.push_str("</svg>");
    out
}
