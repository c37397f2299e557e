//! The frame of a chart over portfolio dates: one point per date, evenly spaced, with a few
//! date ticks.

use chrono::NaiveDate;

use super::{close_empty_chart, open_svg, Axis, Frame, COLOR_AXIS, COLOR_GRID, WIDTH};

/// Room right of the frame: half a centred `YYYY-MM-DD` label under the last date.
const RIGHT_MARGIN: f64 = 44.0;

/// Largest number of date labels under a date chart.
const DATE_TICKS: usize = 7;

/// Plot geometry of a date chart: the frame and the dates, one point each, the first on the
/// left edge and the last on the right edge (evenly spaced by portfolio day, so weekends and
/// holidays take no room).
pub(crate) struct DateFrame<'a> {
    pub(crate) frame: Frame,
    pub(crate) dates: &'a [NaiveDate],
}

impl<'a> DateFrame<'a> {
    /// The frame of a [`WIDTH`]-wide chart from `top` to `bottom` over `dates`.
    pub(crate) fn new(top: f64, bottom: f64, dates: &'a [NaiveDate]) -> DateFrame<'a> {
        DateFrame {
            frame: Frame {
                left: 76.0,
                right: WIDTH - RIGHT_MARGIN,
                top,
                bottom,
            },
            dates,
        }
    }

    /// The x of the `i`-th date (the centre of the frame when there is only one date).
    pub(crate) fn x(&self, i: usize) -> f64 {
        let (l, r) = (self.frame.left, self.frame.right);
        if self.dates.len() < 2 {
            return (l + r) / 2.0;
        }
        l + i as f64 / (self.dates.len() - 1) as f64 * (r - l)
    }

    /// The pixel height of `v` on `axis`.
    pub(crate) fn y(&self, axis: &Axis, v: f64) -> f64 {
        axis.map(v, self.frame.bottom, self.frame.top)
    }

    /// The indices of the labelled dates: at most [`DATE_TICKS`], evenly spread, first and
    /// last included.
    fn tick_indices(&self) -> Vec<usize> {
        let n = self.dates.len();
        if n <= DATE_TICKS {
            return (0..n).collect();
        }
        (0..DATE_TICKS)
            .map(|k| (k * (n - 1) + (DATE_TICKS - 1) / 2) / (DATE_TICKS - 1))
            .collect()
    }
}

/// Opens a date chart `height` pixels high with its title and returns its frame (plot area
/// from `top` to 56 pixels above the bottom); ends the chart with a message and returns `None`
/// when there is no date or `n_values` differs from the number of dates.
pub(crate) fn open_date_chart<'a>(
    out: &mut String,
    [height, top]: [f64; 2],
    title: &str,
    dates: &'a [NaiveDate],
    n_values: usize,
    standalone: bool,
) -> Option<DateFrame<'a>> {
    open_svg(out, WIDTH, height, title, standalone);
    if dates.is_empty() || dates.len() != n_values {
        close_empty_chart(out, "no portfolio days");
        return None;
    }
    Some(DateFrame::new(top, height - 56.0, dates))
}

/// Grid lines and y labels (`label` of each tick), date ticks and the axis titles of a date
/// chart.
pub(crate) fn date_axes(
    out: &mut String,
    f: &DateFrame,
    axis: &Axis,
    label: &dyn Fn(f64) -> String,
    y_title: &str,
) {
    for v in axis.ticks() {
        let color = if v == 0.0 { COLOR_AXIS } else { COLOR_GRID };
        f.frame.y_grid(out, f.y(axis, v), color, &label(v));
    }
    for i in f.tick_indices() {
        let date = f.dates[i].format("%Y-%m-%d").to_string();
        f.frame.bottom_tick(out, f.x(i), &date);
    }
    f.frame.axis_lines(out);
    f.frame.x_title(out, "portfolio date");
    f.frame.y_title(out, y_title);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_spread_over_the_frame_with_first_and_last_labelled() {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let dates: Vec<NaiveDate> = (0..13).map(|k| d0 + chrono::Days::new(k)).collect();
        let f = DateFrame::new(40.0, 300.0, &dates);
        // The frame runs from 76 to 716: 12 gaps of 53⅓ pixels.
        assert_eq!(f.x(0), 76.0);
        approx::assert_relative_eq!(f.x(3), 236.0);
        assert_eq!(f.x(12), 716.0);
        // 7 labels over 13 dates: every second date.
        assert_eq!(f.tick_indices(), vec![0, 2, 4, 6, 8, 10, 12]);
        let one = DateFrame::new(40.0, 300.0, &dates[..1]);
        assert_eq!(one.x(0), 396.0);
        assert_eq!(one.tick_indices(), vec![0]);
    }
}
