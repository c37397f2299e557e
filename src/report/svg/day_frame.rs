//! The frame of a chart over relative days: geometry, grid, ticks and axis labels.

use std::fmt::Write as _;

use super::{c, xml_escape, Axis, COLOR_AXIS, COLOR_GRID};

/// Plot geometry of a day-axis chart.
pub(crate) struct DayFrame {
    pub(crate) left: f64,
    pub(crate) right: f64,
    pub(crate) top: f64,
    pub(crate) bottom: f64,
    pub(crate) first: i32,
    pub(crate) n_days: usize,
}

impl DayFrame {
    pub(crate) fn x(&self, day: i32) -> f64 {
        let w = (self.right - self.left) / self.n_days as f64;
        self.left + ((day - self.first) as f64 + 0.5) * w
    }
    pub(crate) fn slot(&self) -> f64 {
        (self.right - self.left) / self.n_days as f64
    }
}

/// Grid lines, y ticks (percent) and x ticks (relative days) of a day chart.
pub(crate) fn day_axes(out: &mut String, f: &DayFrame, axis: &Axis, x_label: &str, y_label: &str) {
    for v in axis.ticks() {
        let y = axis.map(v, f.bottom, f.top);
        let color = if v == 0.0 { COLOR_AXIS } else { COLOR_GRID };
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"1\"/>",
            c(f.left),
            c(f.right),
            y = c(y)
        );
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            c(f.left - 6.0),
            c(y + 4.0),
            axis.percent_label(v)
        );
    }
    let every = f.n_days.div_ceil(20).max(1) as i32;
    for k in 0..f.n_days as i32 {
        let day = f.first + k;
        if day % every != 0 {
            continue;
        }
        let x = f.x(day);
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{COLOR_AXIS}\"/>",
            c(f.bottom),
            c(f.bottom + 5.0),
            x = c(x)
        );
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{day}</text>",
            c(x),
            c(f.bottom + 18.0)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/><line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/>",
        l = c(f.left),
        t = c(f.top),
        b = c(f.bottom),
        r = c(f.right)
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
        c((f.left + f.right) / 2.0),
        c(f.bottom + 38.0),
        xml_escape(x_label)
    );
    let _ = write!(
        out,
        "<text x=\"16\" y=\"{y}\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 16 {y})\">{}</text>",
        xml_escape(y_label),
        y = c((f.top + f.bottom) / 2.0)
    );
}
