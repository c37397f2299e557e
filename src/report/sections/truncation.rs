//! Per-pair tables cut to their first rows in big studies: the note and the summary above them.

use crate::report::document::{Block, Table};
use crate::report::format::fmt_count;
use crate::report::TABLE_MAX_ROWS;

/// The note above a truncated table: "Showing the first 200 of 50,000 rows …".
fn truncation_note(shown: usize, total: usize, what: &str, table: &str) -> String {
    format!(
        "Showing the first {} of {} {what} (in the table's order); the full table is in \
         {table}.csv (and {table}.parquet when Parquet output is written).",
        fmt_count(shown),
        fmt_count(total)
    )
}

/// The preamble of a per-pair table cut to [`TABLE_MAX_ROWS`]: an optional sentence, the
/// summary over all `total` rows, and the truncation note; nothing when the table is short.
pub(crate) fn push_truncated_preamble(
    blocks: &mut Vec<Block>,
    total: usize,
    intro: Option<String>,
    summary: impl FnOnce() -> Table,
    what: &str,
    table: &str,
) {
    if total <= TABLE_MAX_ROWS {
        return;
    }
    if let Some(text) = intro {
        blocks.push(Block::Para(text));
    }
    blocks.push(Block::Table(summary()));
    blocks.push(Block::Para(truncation_note(
        TABLE_MAX_ROWS,
        total,
        what,
        table,
    )));
}
