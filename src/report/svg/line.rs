//! Lines over portfolio dates: the equity curves of a backtest (gross, net, benchmark) as
//! cumulative returns.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::date_frame::{date_axes, open_date_chart};
use super::{c, line_entry, Axis};

/// One line of a [`line_chart`]: its legend label, its `class`, its stroke attributes and one
/// value per date (`None` breaks the line).
pub(crate) struct Series<'a> {
    pub(crate) label: &'a str,
    pub(crate) class: &'a str,
    pub(crate) stroke: &'a str,
    pub(crate) values: Vec<Option<f64>>,
}

/// A chart of `series` over `dates` with a percent y axis covering 0: each series is drawn as
/// one `<polyline class="{class}">` per run of consecutive values, in the order given (the
/// last on top), with a legend entry each.
pub(crate) fn line_chart(
    title: &str,
    dates: &[NaiveDate],
    series: &[Series],
    y_title: &str,
    standalone: bool,
) -> String {
    let mut out = String::new();
    let values = || series.iter().flat_map(|s| s.values.iter().flatten());
    let n_values = if values().next().is_some() {
        dates.len()
    } else {
        0
    };
    let Some(f) = open_date_chart(&mut out, [360.0, 60.0], title, dates, n_values, standalone)
    else {
        return out;
    };
    let lo = values().copied().fold(f64::INFINITY, f64::min);
    let hi = values().copied().fold(f64::NEG_INFINITY, f64::max);
    let axis = Axis::covering(lo, hi, 6);
    date_axes(&mut out, &f, &axis, &|v| axis.percent_label(v), y_title);
    for s in series {
        for run in runs(&s.values) {
            let pts: Vec<String> = run
                .iter()
                .map(|&(i, v)| format!("{},{}", c(f.x(i)), c(f.y(&axis, v))))
                .collect();
            let _ = write!(
                out,
                "<polyline class=\"{}\" points=\"{}\" fill=\"none\" {}/>",
                s.class,
                pts.join(" "),
                s.stroke
            );
        }
    }
    let mut lx = f.frame.left + 12.0;
    for s in series {
        line_entry(
            &mut out,
            [&c(lx), "40", &c(lx + 22.0), "40"],
            s.stroke,
            [&c(lx + 28.0), "44"],
            s.label,
        );
        lx += 40.0 + 7.0 * s.label.chars().count() as f64;
    }
    out.push_str("</svg>");
    out
}

/// The runs of consecutive present values as `(index, value)` lists.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current: Vec<(usize, f64)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) if v.is_finite() => current.push((i, *v)),
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_break_the_line() {
        let r = runs(&[
            Some(0.1),
            None,
            Some(0.2),
            Some(f64::NAN),
            Some(0.3),
            Some(0.4),
        ]);
        assert_eq!(
            r,
            vec![vec![(0, 0.1)], vec![(2, 0.2)], vec![(4, 0.3), (5, 0.4)]]
        );
    }
}
