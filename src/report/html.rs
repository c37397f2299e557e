//! The HTML renderer: one self-contained page with inline CSS and SVG.

use std::fmt::Write as _;

use super::document::{Block, Table};
use super::svg::xml_escape;

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;\
margin:0;background:#f6f7f9}main{max-width:1180px;margin:0 auto;padding:24px 32px 48px;background:#fff}\
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid #dde3ea}\
h3{font-size:16px;margin:22px 0 6px}p{line-height:1.45;max-width:900px}nav{font-size:14px;margin:6px 0 12px}\
nav a{margin-right:14px;color:#1f5fa8;text-decoration:none}\
table{border-collapse:collapse;margin:8px 0 14px;font-size:13px}th,td{border:1px solid #d8dde3;padding:4px 8px;vertical-align:top}\
th{background:#eef2f6;text-align:left;font-weight:600}tr:nth-child(even) td{background:#fafbfc}\
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.stars{color:#b3261e;font-weight:700}\
.p{color:#666;font-size:11px;white-space:normal}figure{margin:12px 0 20px}figcaption{font-size:12px;color:#555}\
pre{background:#f3f5f7;border:1px solid #dde3ea;padding:10px;font-size:12px;overflow-x:auto}svg{max-width:100%;height:auto}\
details{margin:6px 0;border:1px solid #dde3ea;border-radius:4px;padding:4px 10px}\
summary{cursor:pointer;font-weight:600;padding:4px 0}.findings li{margin:3px 0;line-height:1.4}\
figure.event svg{max-width:560px}.wide{overflow-x:auto;max-width:100%}\
@media print{body{background:#fff}main{max-width:none;padding:0}nav{display:none}\
h2{break-after:avoid}table,figure{break-inside:avoid}\
table{font-size:10px}th,td{padding:2px 4px}svg{max-height:9cm;width:auto}figure.event svg{max-height:6cm}}";

/// The document as one HTML page titled `title`, with a navigation bar of its sections.
pub(crate) fn render_html(blocks: &[Block], title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        xml_escape(title)
    );
    let anchors: Vec<(&str, &str)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(2, text, Some(id)) => Some((id.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    for b in blocks {
        match b {
            Block::Heading(level, text, id) => {
                let id_attr = id
                    .as_ref()
                    .map(|i| format!(" id=\"{}\"", xml_escape(i)))
                    .unwrap_or_default();
                let _ = writeln!(out, "<h{level}{id_attr}>{}</h{level}>", xml_escape(text));
                if *level == 1 {
                    html_nav(&mut out, &anchors);
                }
            }
            Block::Para(text) => {
                let _ = writeln!(out, "<p>{}</p>", xml_escape(text));
            }
            Block::Table(t) => html_table(&mut out, t),
            Block::Chart {
                file,
                alt,
                inline_svg,
            } => {
                let _ = writeln!(
                    out,
                    "<figure>\n{inline_svg}\n<figcaption>{} (file {})</figcaption>\n</figure>",
                    xml_escape(alt),
                    xml_escape(file)
                );
            }
            Block::Pre(text) => {
                let _ = writeln!(out, "<pre>{}</pre>", xml_escape(text));
            }
            Block::Details(summary, id) => {
                let _ = writeln!(
                    out,
                    "<details id=\"{}\">\n<summary>{}</summary>",
                    xml_escape(id),
                    xml_escape(summary)
                );
            }
            Block::DetailsEnd => out.push_str("</details>\n"),
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The navigation bar: a link to each anchored section.
fn html_nav(out: &mut String, anchors: &[(&str, &str)]) {
    out.push_str("<nav>");
    for (id, text) in anchors {
        let _ = write!(
            out,
            "<a href=\"#{}\">{}</a>",
            xml_escape(id),
            xml_escape(text)
        );
    }
    out.push_str("</nav>\n");
}

/// A table with its header row; numeric cells are right-aligned by the `num` class. The table
/// sits in a box that scrolls sideways when the table is wider than the page, so the page
/// itself never does.
fn html_table(out: &mut String, t: &Table) {
    out.push_str("<div class=\"wide\"><table>\n<thead><tr>");
    for h in &t.header {
        let _ = write!(out, "<th>{}</th>", xml_escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            let class = if cell.numeric { " class=\"num\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", cell.html);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::document::Cell;

    #[test]
    fn long_labels_and_notes_break_where_they_may_and_wide_tables_scroll_in_their_box() {
        let table = Table {
            header: vec!["group".into(), "CAR -1:1 (%)".into()],
            rows: vec![vec![
                Cell::text("category:export_control*security_group:us_chips"),
                Cell::starred("-1.278", "**", "t -2.100, p 0.0400, quantile p 0.9160"),
            ]],
        };
        let html = render_html(&[Block::Table(table)], "t");
        // a cross group may break after its `*` only
        assert!(html.contains("<td>category:export_control*<wbr>security_group:us_chips</td>"));
        // a note breaks between its items, never inside one
        assert!(html.contains(
            "<span class=\"p\">t&#160;-2.100, p&#160;0.0400, quantile&#160;p&#160;0.9160</span>"
        ));
        assert!(html.contains("<div class=\"wide\"><table>") && html.contains("</table></div>"));
        assert!(CSS.contains(".wide{overflow-x:auto"));
        // the Markdown keeps the plain text
        let p = Cell::stat_p(Some(2.5), Some(0.0123));
        assert!(p.markdown.contains("(0.01230)") && p.html.contains("p&#160;0.01230"));
    }
}
