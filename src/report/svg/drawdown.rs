//! The drawdown of a backtest's net equity over portfolio dates, as a filled area under 0.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::date_frame::{date_axes, open_date_chart};
use super::{c, Axis, COLOR_NEG};

/// The drawdown chart: one `<path class="drawdown">` filled between 0 and the drawdown of each
/// date (a missing drawdown is drawn as 0) and its outline as `<polyline class="drawdown">`,
/// on a percent axis.
pub(crate) fn drawdown_chart(
    dates: &[NaiveDate],
    drawdown: &[Option<f64>],
    standalone: bool,
) -> String {
    let mut out = String::new();
    let Some(f) = open_date_chart(
        &mut out,
        [300.0, 40.0],
        "Drawdown of net equity (below its running maximum)",
        dates,
        drawdown.len(),
        standalone,
    ) else {
        return out;
    };
    let dd: Vec<f64> = drawdown
        .iter()
        .map(|v| v.filter(|x| x.is_finite()).unwrap_or(0.0))
        .collect();
    let lo = dd.iter().copied().fold(0.0, f64::min);
    let axis = Axis::covering(lo, 0.0, 5);
    date_axes(&mut out, &f, &axis, &|v| axis.percent_label(v), "drawdown");
    let pts: Vec<String> = dd
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{},{}", c(f.x(i)), c(f.y(&axis, v))))
        .collect();
    let y0 = c(f.y(&axis, 0.0));
    let _ = write!(
        out,
        "<path class=\"drawdown\" d=\"M{},{y0} L{} L{},{y0} Z\" fill=\"{COLOR_NEG}\" fill-opacity=\"0.35\" stroke=\"none\"/>",
        c(f.x(0)),
        pts.join(" L"),
        c(f.x(dd.len() - 1)),
    );
    let _ = write!(
        out,
        "<polyline class=\"drawdown\" points=\"{}\" fill=\"none\" stroke=\"{COLOR_NEG}\" stroke-width=\"1.5\"/>",
        pts.join(" ")
    );
    out.push_str("</svg>");
    out
}
