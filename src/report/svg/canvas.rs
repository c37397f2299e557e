//! The drawing surface: coordinates as text, the root element, the background, the chart's
//! title and the message of an empty chart.

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

/// The look of a root `<svg>` element; sizes are written as the caller formats them.
pub(crate) struct Root<'a> {
    /// Whether to declare the SVG namespace (standalone files need it, inline copies do not).
    pub(crate) standalone: bool,
    /// Width and height, also the view box.
    pub(crate) size: [&'a str; 2],
    /// The `font-family` attribute.
    pub(crate) font_family: &'a str,
    /// The `font-size` attribute.
    pub(crate) font_size: &'a str,
    /// Further attributes, each with its leading space.
    pub(crate) extra: &'a str,
}

/// Opens the root element: `<svg [xmlns] width height viewBox font-family font-size …>`.
pub(crate) fn open_root(out: &mut String, root: &Root) {
    let ns = if root.standalone {
        " xmlns=\"http://www.w3.org/2000/svg\""
    } else {
        ""
    };
    let [w, h] = root.size;
    let _ = write!(
        out,
        "<svg{ns} width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{}\" font-size=\"{}\"{}>",
        root.font_family, root.font_size, root.extra
    );
}

/// A background rectangle covering the whole drawing.
pub(crate) fn background(out: &mut String, [w, h]: [&str; 2], fill: &str) {
    let _ = write!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"{fill}\"/>"
    );
}

/// Opens a report chart: the root element, its `<title>`, a white background and the title
/// written at the top left.
pub(crate) fn open_svg(out: &mut String, width: f64, height: f64, title: &str, standalone: bool) {
    let (w, h) = (c(width), c(height));
    open_root(
        out,
        &Root {
            standalone,
            size: [&w, &h],
            font_family: FONT,
            font_size: "12",
            extra: " role=\"img\"",
        },
    );
    let _ = write!(out, "<title>{}</title>", xml_escape(title));
    background(out, [&w, &h], "#ffffff");
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
