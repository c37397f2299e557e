//! The AAR bars of a group.

use super::{
    c, close_empty_chart, day_axes, open_svg, titled_rect, Axis, DayFrame, COLOR_NEG, COLOR_POS,
    WIDTH,
};
use crate::report::format::fmt_num;
use crate::tables::AggregateRow;

/// AAR bars of one group: one `<rect class="bar">` per day with an AAR, coloured by sign.
pub(crate) fn aar_chart(group: &str, rows: &[&AggregateRow], standalone: bool) -> String {
    let days: Vec<(i32, f64)> = rows
        .iter()
        .filter(|r| r.metric == "ar")
        .filter_map(|r| Some((r.rel_day?, r.mean?)))
        .collect();
    let title = format!("AAR by relative day — group {group}");
    day_bars(&title, "AAR", days, standalone)
}

/// Bars of one value per relative day (`name` on the y axis and in each bar's title),
/// coloured by sign; an empty chart when there is no value.
pub(crate) fn day_bars(
    title: &str,
    name: &str,
    mut days: Vec<(i32, f64)>,
    standalone: bool,
) -> String {
    days.sort_by_key(|d| d.0);
    let height = 320.0;
    let mut out = String::new();
    open_svg(&mut out, WIDTH, height, title, standalone);
    if days.is_empty() {
        close_empty_chart(&mut out, "no abnormal returns");
        return out;
    }
    let f = DayFrame::new(40.0, height - 56.0, days[0].0, days[days.len() - 1].0);
    let lo = days.iter().map(|d| d.1).fold(f64::INFINITY, f64::min);
    let hi = days.iter().map(|d| d.1).fold(f64::NEG_INFINITY, f64::max);
    let axis = Axis::covering(lo, hi, 5);
    day_axes(&mut out, &f, &axis, "relative trading day", name);
    let bw = (f.slot() * 0.7).min(48.0);
    let y0 = f.y(&axis, 0.0);
    for (day, v) in &days {
        let y = f.y(&axis, *v);
        let color = if *v >= 0.0 { COLOR_POS } else { COLOR_NEG };
        titled_rect(
            &mut out,
            "bar",
            [
                &c(f.x(*day) - bw / 2.0),
                &c(y.min(y0)),
                &c(bw),
                &c((y - y0).abs()),
            ],
            &format!("fill=\"{color}\""),
            &format!("day {day}: {name} {}", fmt_num(*v)),
        );
    }
    out.push_str("</svg>");
    out
}
