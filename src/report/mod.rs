//! The study report: Markdown and a self-contained HTML page with inline SVG charts.
//!
//! OWNER: output/report helper.
