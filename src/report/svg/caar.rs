//! The CAAR path of a group and its chart with a 95 % band.

use std::fmt::Write as _;

use super::path::{day_polyline, DayValue, PathLook};
use super::{
    box_entry, c, close_empty_chart, day_axes, line_entry, open_svg, Axis, DayFrame, COLOR_BAND,
    COLOR_LINE, WIDTH,
};
use crate::report::format::fmt_num;
use crate::tables::AggregateRow;

/// One point of the CAAR path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CaarPoint {
    pub rel_day: i32,
    /// Σ AAR up to and including this day.
    pub caar: f64,
    /// 1.96 × √(Σ sd²/n) up to this day; None once a day without sd (n < 2) was passed.
    pub half_band: Option<f64>,
}

/// The CAAR path of one group from its `ar` aggregate rows (any order).
///
/// CAAR_t = Σ_{s ≤ t} AAR_s from the first day of H; the band is ±1.96 · √(Σ_{s ≤ t} sd_s²/n_s),
/// the cumulated cross-sectional standard error of the AARs (days treated as independent).
/// Follows the NA rule: the path stops at the first day whose AAR is NA, the band at the
/// first day whose sd is NA.
pub(crate) fn caar_path(rows: &[&AggregateRow]) -> Vec<CaarPoint> {
    let mut days: Vec<&AggregateRow> = rows
        .iter()
        .copied()
        .filter(|r| r.metric == "ar" && r.rel_day.is_some())
        .collect();
    days.sort_by_key(|r| r.rel_day);
    let mut out = Vec::new();
    let mut caar = 0.0;
    let mut var = Some(0.0);
    for r in days {
        let Some(mean) = r.mean else { break };
        caar += mean;
        var = match (var, r.sd) {
            (Some(v), Some(sd)) if r.n > 0 => Some(v + sd * sd / r.n as f64),
            _ => None,
        };
        out.push(CaarPoint {
            rel_day: r.rel_day.unwrap_or(0),
            caar,
            half_band: var.map(|v| 1.96 * v.sqrt()),
        });
    }
    out
}

/// The CAAR chart of one group: the path (one `<polyline class="caar">` with one point per day),
/// the 95 % band (`<path class="band">`), axes, legend and title.
pub(crate) fn caar_chart(group: &str, rows: &[&AggregateRow], standalone: bool) -> String {
    let points = caar_path(rows);
    let height = 360.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        WIDTH,
        height,
        &format!("CAAR with 95% band — group {group}"),
        standalone,
    );
    if points.is_empty() {
        close_empty_chart(&mut out, "no abnormal returns");
        return out;
    }
    let f = DayFrame::new(
        48.0,
        height - 56.0,
        points[0].rel_day,
        points[points.len() - 1].rel_day,
    );
    let lo = points
        .iter()
        .map(|p| p.caar - p.half_band.unwrap_or(0.0))
        .fold(f64::INFINITY, f64::min);
    let hi = points
        .iter()
        .map(|p| p.caar + p.half_band.unwrap_or(0.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let axis = Axis::covering(lo, hi, 6);
    day_axes(&mut out, &f, &axis, "relative trading day", "CAAR (Σ AAR)");
    draw_band(&mut out, &f, &axis, &points);
    draw_path(&mut out, &f, &axis, &points);
    draw_legend(&mut out, &f);
    out.push_str("</svg>");
    out
}

/// The 95 % band as one closed path: upper edge forwards, lower edge backwards, over the days
/// that have a band.
fn draw_band(out: &mut String, f: &DayFrame, axis: &Axis, points: &[CaarPoint]) {
    let banded: Vec<&CaarPoint> = points.iter().filter(|p| p.half_band.is_some()).collect();
    if banded.is_empty() {
        return;
    }
    let mut d = String::new();
    for (k, p) in banded.iter().enumerate() {
        let hb = p.half_band.unwrap_or(0.0);
        let _ = write!(
            d,
            "{}{},{} ",
            if k == 0 { "M" } else { "L" },
            c(f.x(p.rel_day)),
            c(f.y(axis, p.caar + hb))
        );
    }
    for p in banded.iter().rev() {
        let hb = p.half_band.unwrap_or(0.0);
        let _ = write!(d, "L{},{} ", c(f.x(p.rel_day)), c(f.y(axis, p.caar - hb)));
    }
    d.push('Z');
    let _ = write!(out, "<path class=\"band\" d=\"{d}\" fill=\"{COLOR_BAND}\" fill-opacity=\"0.55\" stroke=\"none\"/>");
}

/// The CAAR path as a polyline with a dot (and tooltip) per day.
fn draw_path(out: &mut String, f: &DayFrame, axis: &Axis, points: &[CaarPoint]) {
    let values: Vec<DayValue> = points
        .iter()
        .map(|p| DayValue {
            rel_day: p.rel_day,
            value: p.caar,
        })
        .collect();
    let look = PathLook {
        class: "caar",
        stroke: &format!("stroke=\"{COLOR_LINE}\" stroke-width=\"2.2\""),
        dot_color: COLOR_LINE,
        tooltip: &|p| format!("day {}: CAAR {}", p.rel_day, fmt_num(p.value)),
    };
    day_polyline(out, f, axis, &values, &look);
}

/// The legend (top right): the CAAR line and the band.
fn draw_legend(out: &mut String, f: &DayFrame) {
    let lx = f.frame.right - 210.0;
    let ly = 34.0;
    line_entry(
        out,
        [&c(lx), &c(ly), &c(lx + 22.0), &c(ly)],
        &format!("stroke=\"{COLOR_LINE}\" stroke-width=\"2.2\""),
        [&c(lx + 28.0), &c(ly + 4.0)],
        "CAAR",
    );
    box_entry(
        out,
        [&c(lx + 80.0), &c(ly - 5.0), "22", "10"],
        &format!("fill=\"{COLOR_BAND}\" fill-opacity=\"0.55\""),
        [&c(lx + 108.0), &c(ly + 4.0)],
        " fill=\"#333\"",
        "95% band",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar_row(day: i32, n: u32, mean: Option<f64>, sd: Option<f64>) -> AggregateRow {
        AggregateRow {
            group: "all".into(),
            metric: crate::stats::Metric::Ar,
            window: None,
            rel_day: Some(day),
            n,
            mean,
            median: None,
            share_positive: None,
            sd,
        }
    }

    #[test]
    fn caar_path_cumulates_mean_and_variance() {
        let rows = [
            ar_row(1, 4, Some(0.02), Some(0.02)),
            ar_row(0, 4, Some(0.01), Some(0.04)),
            ar_row(2, 1, Some(-0.005), None),
        ];
        let refs: Vec<&AggregateRow> = rows.iter().collect();
        let p = caar_path(&refs);
        assert_eq!(p.len(), 3);
        approx::assert_relative_eq!(p[0].caar, 0.01);
        approx::assert_relative_eq!(p[1].caar, 0.03);
        approx::assert_relative_eq!(p[2].caar, 0.025);
        // day 0: √(0.04²/4) = 0.02; day 1: √(0.0004 + 0.0001) = 0.02236…
        approx::assert_relative_eq!(p[0].half_band.unwrap(), 1.96 * 0.02, epsilon = 1e-15);
        approx::assert_relative_eq!(
            p[1].half_band.unwrap(),
            1.96 * 0.0005f64.sqrt(),
            epsilon = 1e-15
        );
        assert_eq!(p[2].half_band, None);
    }
}
