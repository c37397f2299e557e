//! The configuration section: the study configuration as pretty-printed JSON.

use crate::report::document::{section_heading, Block};

/// The configuration section: `config_summary` pretty-printed.
pub(crate) fn configuration_section(config_summary: &serde_json::Value) -> Vec<Block> {
    let json =
        serde_json::to_string_pretty(config_summary).unwrap_or_else(|_| config_summary.to_string());
    vec![
        section_heading("Study configuration", "configuration"),
        Block::Pre(json),
    ]
}
