//! Marks shared by the charts: bars with a tooltip and legend entries. Coordinates come as
//! text, written as each chart formats its numbers; paints are whole attribute lists such as
//! `fill="#2f73b5"`.

use std::fmt::Write as _;

use super::xml_escape;

/// A rectangle of class `class` with a `<title>` tooltip:
/// `<rect class x y width height {paint}><title>{title}</title></rect>`.
pub(crate) fn titled_rect(
    out: &mut String,
    class: &str,
    [x, y, w, h]: [&str; 4],
    paint: &str,
    title: &str,
) {
    let _ = write!(
        out,
        "<rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" {paint}><title>{}</title></rect>",
        xml_escape(title)
    );
}

/// A legend entry drawn as a filled box: `<rect x y width height {paint}/><text x y{label_paint}>`.
/// `label_paint` is empty or starts with a space.
pub(crate) fn box_entry(
    out: &mut String,
    [x, y, w, h]: [&str; 4],
    paint: &str,
    [tx, ty]: [&str; 2],
    label_paint: &str,
    label: &str,
) {
    let _ = write!(
        out,
        "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" {paint}/><text x=\"{tx}\" y=\"{ty}\"{label_paint}>{}</text>",
        xml_escape(label)
    );
}

/// A legend entry drawn as a line sample: `<line x1 y1 x2 y2 {paint}/><text x y fill="#333">`.
pub(crate) fn line_entry(
    out: &mut String,
    [x1, y1, x2, y2]: [&str; 4],
    paint: &str,
    [tx, ty]: [&str; 2],
    label: &str,
) {
    let _ = write!(
        out,
        "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" {paint}/><text x=\"{tx}\" y=\"{ty}\" fill=\"#333\">{}</text>",
        xml_escape(label)
    );
}
