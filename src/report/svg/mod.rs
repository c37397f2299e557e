//! Hand-drawn SVG charts: the report's CAAR path with a 95 % band, AAR bars, CAR bars and
//! CAR histogram; the backtest's equity lines ([`line`](self::line)), drawdown area
//! ([`drawdown`](self::drawdown)), positions step line ([`step`](self::step)) over portfolio
//! dates ([`date_frame`](self::date_frame)) and its trade path beside the CAAR
//! ([`path`](self::path)); and the chart toolkit they share with the simulation's rejection
//! chart.
//!
//! The toolkit: [`canvas`](self::canvas) (root element, background, chart title, empty-chart
//! message, coordinates as text), [`frame`](self::frame) (axis lines, grid lines, ticks, axis
//! titles), [`axis`](self::axis) ("nice" linear axes), [`marks`](self::marks) (bars with a
//! tooltip, legend entries) and [`escape`](self::escape) (the one XML escaper, also used by the
//! HTML page). Marks take their coordinates as text, so each chart keeps its own number format.
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
mod date_frame;
mod day_frame;
mod drawdown;
mod escape;
mod event;
mod frame;
mod histogram;
mod line;
mod marks;
mod path;
mod step;

pub(crate) use self::aar::{aar_chart, day_bars};
use self::axis::Axis;
pub(crate) use self::caar::caar_chart;
pub(crate) use self::caar::caar_path;
pub(crate) use self::canvas::{background, open_root, Root};
use self::canvas::{c, close_empty_chart, open_svg};
pub(crate) use self::car::car_chart;
use self::day_frame::{day_axes, DayFrame};
pub(crate) use self::drawdown::drawdown_chart;
pub(crate) use self::escape::xml_escape;
pub(crate) use self::event::{event_chart, EventRowCars};
use self::frame::Frame;
pub(crate) use self::histogram::{
    car_histogram, car_histogram_chart, car_histogram_summary, histogram_chart, histogram_summary,
    quantile_sorted, HistogramLabels, HIST_BINS,
};
pub(crate) use self::line::{line_chart, Series};
use self::marks::line_entry;
pub(crate) use self::marks::{box_entry, titled_rect};
pub(crate) use self::path::{path_chart, DayValue};
pub(crate) use self::step::positions_chart;

/// Chart width in pixels.
const WIDTH: f64 = 760.0;
/// Font stack of the report's charts.
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
/// The CAAR path.
const COLOR_LINE: &str = "#1f5fa8";
/// The 95 % band of the CAAR path.
const COLOR_BAND: &str = "#9ec3ea";
/// Bars of non-negative values.
const COLOR_POS: &str = "#2f73b5";
/// Bars of negative values.
const COLOR_NEG: &str = "#d0652a";
/// Axis lines, tick marks and the zero grid line.
const COLOR_AXIS: &str = "#444";
/// Other grid lines.
const COLOR_GRID: &str = "#e3e3e3";
