//! The number of open positions over portfolio dates, as a step line.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::date_frame::{date_axes, open_date_chart};
use super::{c, Axis, COLOR_LINE};
use crate::report::format::fmt_count;

/// The positions chart: one `<polyline class="positions">` stepping from each date's count to
/// the next date's, on a whole-number axis from 0.
pub(crate) fn positions_chart(dates: &[NaiveDate], positions: &[u32], standalone: bool) -> String {
    let mut out = String::new();
    let Some(f) = open_date_chart(
        &mut out,
        [300.0, 40.0],
        "Open positions by portfolio date",
        dates,
        positions.len(),
        standalone,
    ) else {
        return out;
    };
    let max = positions.iter().copied().max().unwrap_or(0);
    let axis = Axis::counts(f64::from(max));
    date_axes(
        &mut out,
        &f,
        &axis,
        &|v| fmt_count(v.round() as usize),
        "positions",
    );
    let ys: Vec<String> = positions
        .iter()
        .map(|&n| c(f.y(&axis, f64::from(n))))
        .collect();
    let mut pts: Vec<String> = Vec::with_capacity(2 * positions.len());
    for (i, y) in ys.iter().enumerate() {
        let x = c(f.x(i));
        if i > 0 {
            pts.push(format!("{x},{}", ys[i - 1]));
        }
        pts.push(format!("{x},{y}"));
    }
    let _ = write!(
        out,
        "<polyline class=\"positions\" points=\"{}\" fill=\"none\" stroke=\"{COLOR_LINE}\" stroke-width=\"1.5\"/>",
        pts.join(" ")
    );
    out.push_str("</svg>");
    out
}
