//! The frame of a chart over relative days: one slot per day, percent grid, day ticks.

use super::{Axis, Frame, COLOR_AXIS, COLOR_GRID};

/// Plot geometry of a day-axis chart: the frame and the days `first ..= first + n_days − 1`,
/// one slot each.
pub(crate) struct DayFrame {
    pub(crate) frame: Frame,
    pub(crate) first: i32,
    pub(crate) n_days: usize,
}

impl DayFrame {
    /// The frame of a [`super::WIDTH`]-wide chart from `top` to `bottom` over the days
    /// `first ..= last`.
    pub(crate) fn new(top: f64, bottom: f64, first: i32, last: i32) -> DayFrame {
        DayFrame {
            frame: Frame {
                left: 76.0,
                right: super::WIDTH - 24.0,
                top,
                bottom,
            },
            first,
            n_days: (last - first + 1) as usize,
        }
    }
    /// The centre of the slot of `day`.
    pub(crate) fn x(&self, day: i32) -> f64 {
        let w = (self.frame.right - self.frame.left) / self.n_days as f64;
        self.frame.left + ((day - self.first) as f64 + 0.5) * w
    }
    /// The width of one day's slot.
    pub(crate) fn slot(&self) -> f64 {
        (self.frame.right - self.frame.left) / self.n_days as f64
    }
    /// The pixel height of `v` on `axis`.
    pub(crate) fn y(&self, axis: &Axis, v: f64) -> f64 {
        axis.map(v, self.frame.bottom, self.frame.top)
    }
}

/// Grid lines, y ticks (percent) and x ticks (relative days) of a day chart.
pub(crate) fn day_axes(out: &mut String, f: &DayFrame, axis: &Axis, x_label: &str, y_label: &str) {
    for v in axis.ticks() {
        let color = if v == 0.0 { COLOR_AXIS } else { COLOR_GRID };
        f.frame
            .y_grid(out, f.y(axis, v), color, &axis.percent_label(v));
    }
    let every = f.n_days.div_ceil(20).max(1) as i32;
    for k in 0..f.n_days as i32 {
        let day = f.first + k;
        if day % every != 0 {
            continue;
        }
        f.frame.bottom_tick(out, f.x(day), &day.to_string());
    }
    f.frame.axis_lines(out);
    f.frame.x_title(out, x_label);
    f.frame.y_title(out, y_label);
}
