//! The plot area of a chart: axis lines, grid lines with tick labels, and axis titles.

use std::fmt::Write as _;

use super::{c, xml_escape, COLOR_AXIS};

/// The plot area in pixels; y grows downwards, so `top < bottom`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) left: f64,
    pub(crate) right: f64,
    pub(crate) top: f64,
    pub(crate) bottom: f64,
}

impl Frame {
    /// The left and bottom axis lines.
    pub(crate) fn axis_lines(&self, out: &mut String) {
        let _ = write!(
            out,
            "<line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/>",
            l = c(self.left),
            t = c(self.top),
            b = c(self.bottom),
        );
        self.bottom_line(out);
    }

    /// The bottom axis line alone.
    pub(crate) fn bottom_line(&self, out: &mut String) {
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/>",
            c(self.left),
            c(self.right),
            b = c(self.bottom)
        );
    }

    /// A horizontal grid line at `y` across the frame, labelled left of the frame.
    pub(crate) fn y_grid(&self, out: &mut String, y: f64, color: &str, label: &str) {
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"1\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            c(self.left),
            c(self.right),
            c(self.left - 6.0),
            c(y + 4.0),
            xml_escape(label),
            y = c(y)
        );
    }

    /// A vertical line at `x` from `y1` to `y2` (a tick mark or a grid line), labelled under
    /// the frame.
    pub(crate) fn x_tick(
        &self,
        out: &mut String,
        x: f64,
        [y1, y2]: [f64; 2],
        color: &str,
        label: &str,
    ) {
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{color}\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            c(y1),
            c(y2),
            c(self.bottom + 18.0),
            xml_escape(label),
            x = c(x)
        );
    }

    /// A tick mark of the bottom axis at `x`, labelled under it.
    pub(crate) fn bottom_tick(&self, out: &mut String, x: f64, label: &str) {
        self.x_tick(out, x, [self.bottom, self.bottom + 5.0], COLOR_AXIS, label);
    }

    /// The title of the x axis, centred under the tick labels.
    pub(crate) fn x_title(&self, out: &mut String, text: &str) {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            c((self.left + self.right) / 2.0),
            c(self.bottom + 38.0),
            xml_escape(text)
        );
    }

    /// The title of the y axis, written upwards along the left edge.
    pub(crate) fn y_title(&self, out: &mut String, text: &str) {
        let _ = write!(
            out,
            "<text x=\"16\" y=\"{y}\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 16 {y})\">{}</text>",
            xml_escape(text),
            y = c((self.top + self.bottom) / 2.0)
        );
    }
}
