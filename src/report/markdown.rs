//! The Markdown renderer: charts linked as files, stars escaped.

use std::fmt::Write as _;

use super::document::Block;

/// Escapes Markdown emphasis markers (the significance stars) in text.
fn md_text(s: &str) -> String {
    s.replace('*', "\\*")
}

fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|").replace('\n', " ")
}

/// The document as Markdown; charts are linked by file name.
pub(crate) fn render_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text, _) => {
                let _ = writeln!(out, "{} {}\n", "#".repeat(*level as usize), text);
            }
            Block::Para(text) => {
                let _ = writeln!(out, "{}\n", md_text(text));
            }
            Block::Table(t) => {
                let _ = writeln!(
                    out,
                    "| {} |",
                    t.header
                        .iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let aligns: Vec<&str> = (0..t.header.len())
                    .map(|k| {
                        if t.rows
                            .first()
                            .map(|r| r.get(k).is_some_and(|c| c.numeric))
                            .unwrap_or(false)
                        {
                            "---:"
                        } else {
                            "---"
                        }
                    })
                    .collect();
                let _ = writeln!(out, "| {} |", aligns.join(" | "));
                for row in &t.rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        row.iter()
                            .map(|c| md_cell(&c.markdown))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::Chart { file, alt, .. } => {
                let _ = writeln!(out, "![{}]({file})\n", alt.replace(['[', ']'], ""));
            }
            Block::Pre(text) => {
                let _ = writeln!(out, "```json\n{text}\n```\n");
            }
            Block::Details(summary, _) => {
                let _ = writeln!(out, "### {}\n", md_text(summary));
            }
            Block::DetailsEnd => {}
        }
    }
    out
}
