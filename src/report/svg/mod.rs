//! Hand-drawn SVG charts of the report: CAAR path with a 95 % band, AAR bars, CAR bars.
//!
//! Every coordinate is written with two decimals and every label with a fixed format, so the
//! same tables always give the same SVG text. The root element carries the SVG namespace when
//! the chart is written as a file; inline copies in the HTML page leave it out (HTML5 does not
//! need it).

mod aar;
mod axis;
mod caar;
mod canvas;
mod car;
mod day_frame;
mod escape;
mod frame;
mod histogram;
mod marks;

pub(crate) use self::aar::aar_chart;
use self::axis::Axis;
pub(crate) use self::caar::caar_chart;
#[cfg(test)]
pub(crate) use self::caar::caar_path;
pub(crate) use self::canvas::{background, c, close_empty_chart, open_root, open_svg, Root};
pub(crate) use self::car::car_chart;
use self::day_frame::{day_axes, DayFrame};
pub(crate) use self::escape::xml_escape;
use self::frame::Frame;
pub(crate) use self::histogram::{
    car_histogram, car_histogram_chart, car_histogram_summary, quantile_sorted, HIST_BINS,
};
pub(crate) use self::marks::{box_entry, line_entry, titled_rect};

/// Chart width in pixels.
const WIDTH: f64 = 760.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const COLOR_LINE: &str = "#1f5fa8";
const COLOR_BAND: &str = "#9ec3ea";
const COLOR_POS: &str = "#2f73b5";
const COLOR_NEG: &str = "#d0652a";
const COLOR_AXIS: &str = "#444";
const COLOR_GRID: &str = "#e3e3e3";
