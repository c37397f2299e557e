//! The document model shared by the HTML and Markdown renderers: cells, tables and blocks.

use super::format::{fmt_num, stars};
use super::svg::xml_escape;
use crate::tables::TestRow;

/// One table cell: Markdown text and the equivalent HTML.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) markdown: String,
    pub(crate) html: String,
    pub(crate) numeric: bool,
}

impl Cell {
    /// A text cell. In HTML a cross group's label may break after each `*` (what it joins are
    /// group labels), so that a table of long labels fits the page.
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            html: xml_escape(&s).replace('*', "*<wbr>"),
            markdown: s,
            numeric: false,
        }
    }
    pub(crate) fn num(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            html: xml_escape(&s),
            markdown: s,
            numeric: true,
        }
    }
    /// A value with significance stars and a note: the note below (HTML) or in parentheses
    /// (Markdown), as in `-13.21*** (t -4.200, p 0.0001)`.
    pub(crate) fn starred(value: &str, stars: &str, note: &str) -> Cell {
        Cell {
            markdown: format!("{value}{stars} ({note})"),
            html: format!(
                "{}<span class=\"stars\">{stars}</span><br><span class=\"p\">{}</span>",
                xml_escape(value),
                note_html(note)
            ),
            numeric: true,
        }
    }
    /// A test result: statistic with stars, p-value below (HTML) or in parentheses (Markdown).
    pub(crate) fn stat(row: Option<&TestRow>) -> Cell {
        match row {
            None => Cell::num(""),
            Some(r) => Cell::stat_p(r.statistic, r.p_value),
        }
    }
    /// A statistic with the stars of its p-value, and the p-value below (HTML) or in
    /// parentheses (Markdown); `NA` for a missing value.
    pub(crate) fn stat_p(statistic: Option<f64>, p_value: Option<f64>) -> Cell {
        let stat = statistic.map(fmt_num).unwrap_or_else(|| "NA".to_string());
        let s = stars(p_value);
        let p = p_value.map(fmt_num).unwrap_or_else(|| "NA".to_string());
        Cell {
            markdown: format!("{stat}{s} ({p})"),
            html: format!(
                "{}<span class=\"stars\">{s}</span><br><span class=\"p\">{}</span>",
                xml_escape(&stat),
                note_html(&format!("p {p}"))
            ),
            numeric: true,
        }
    }
}

/// A cell's note (`t -4.200, p 0.0001, …`) in HTML: each item kept on one line, so that a
/// narrow column breaks the note between items only.
fn note_html(note: &str) -> String {
    note.split(", ")
        .map(|item| xml_escape(item).replace(' ', "&#160;"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A table with a header row.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<Cell>>,
}

/// A piece of the report document.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    Heading(u8, String, Option<String>),
    Para(String),
    Table(Table),
    Chart {
        file: String,
        alt: String,
        inline_svg: String,
    },
    Pre(String),
    /// Opens a collapsed part with this summary line and anchor: `<details id>` in HTML, a
    /// level-3 heading in Markdown; closed by [`Block::DetailsEnd`].
    Details(String, String),
    /// Closes the part opened by the last [`Block::Details`].
    DetailsEnd,
}

/// The report as blocks, and the chart files the blocks show.
pub(crate) struct Document {
    /// The blocks in reading order.
    pub(crate) blocks: Vec<Block>,
    /// The charts as `(file name, standalone SVG document)`, in report order.
    pub(crate) svgs: Vec<(String, String)>,
}

/// A level-2 heading with the anchor `id` (listed in the HTML navigation bar).
pub(crate) fn section_heading(text: &str, id: &str) -> Block {
    Block::Heading(2, text.to_string(), Some(id.to_string()))
}

/// The table without the column headed `name` when every row's cell in it is `all` (a
/// study with only the pooled group): a column that says nothing is not shown.
pub(crate) fn hide_all_column(mut table: Table, name: &str) -> Table {
    let Some(k) = table.header.iter().position(|h| h == name) else {
        return table;
    };
    if table
        .rows
        .iter()
        .all(|r| r.get(k).is_some_and(|c| c.markdown == "all"))
    {
        table.header.remove(k);
        for r in &mut table.rows {
            r.remove(k);
        }
    }
    table
}

/// The blocks of a section as a collapsed part: its level-2 heading becomes the summary line
/// (its anchor kept), the other blocks go inside.
pub(crate) fn collapsed(blocks: Vec<Block>) -> Vec<Block> {
    let mut it = blocks.into_iter();
    let Some(first) = it.next() else {
        return Vec::new();
    };
    let (summary, id, rest) = match first {
        Block::Heading(2, text, id) => (text, id.unwrap_or_default(), None),
        other => (String::new(), String::new(), Some(other)),
    };
    let mut out = vec![Block::Details(summary, id)];
    out.extend(rest);
    out.extend(it);
    out.push(Block::DetailsEnd);
    out
}

/// Splits `items` into consecutive chunks of at most `max` items, as even in size as possible.
pub(crate) fn balanced_chunks<T>(items: &[T], max: usize) -> Vec<&[T]> {
    if items.is_empty() {
        return Vec::new();
    }
    let n_chunks = items.len().div_ceil(max.max(1));
    let size = items.len().div_ceil(n_chunks);
    items.chunks(size).collect()
}
