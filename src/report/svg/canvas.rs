//! The drawing surface: coordinates as text, the root element with its title, and the
//! message of an empty chart.

use std::fmt::Write as _;

use super::{xml_escape, FONT};

/// A number as an SVG coordinate (two decimals, no negative zero).
pub(crate) fn c(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// Opens an SVG document.
pub(crate) fn open_svg(out: &mut String, width: f64, height: f64, title: &str, standalone: bool) {
    let ns = if standalone {
        " xmlns=\"http://www.w3.org/2000/svg\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<svg{ns} width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" font-size=\"12\" role=\"img\">",
        w = c(width),
        h = c(height),
    );
    let _ = write!(out, "<title>{}</title>", xml_escape(title));
    let _ = write!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        c(width),
        c(height)
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"22\" font-size=\"15\" font-weight=\"600\" fill=\"#222\">{}</text>",
        c(16.0),
        xml_escape(title)
    );
}

/// Ends a chart that has nothing to draw with a short grey message.
pub(crate) fn close_empty_chart(out: &mut String, message: &str) {
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" fill=\"#666\">{}</text></svg>",
        c(40.0),
        c(80.0),
        xml_escape(message)
    );
}
