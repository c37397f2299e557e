//! CSV price and factor files → [`TextTable`], with the separator and shape diagnostics that
//! name the offending row when polars cannot read a file.

use std::path::Path;

use polars::prelude::*;

use super::sniff;
use super::source::PriceSource;
use super::table::{CellColumn, TextTable};
use crate::error::{Error, Result};

pub(super) fn display_path(p: &Path) -> String {
    p.display().to_string()
}

pub(super) fn check_file(path: &Path) -> Result<()> {
    super::sniff::check_regular_file(path)
}

/// Read a CSV file with polars, every column as text (so that each value can be parsed and,
/// when bad, reported with its row and column).
pub(super) fn read_csv_text(src: &PriceSource) -> Result<TextTable> {
    let file = display_path(&src.path);
    check_file(&src.path)?;
    let head = sniff::read_head(&src.path)?;
    sniff::check_text(&file, &head, false)?;
    let sep = src
        .separator
        .unwrap_or(if src.decimal_comma { ';' } else { ',' });
    if !sep.is_ascii() {
        return Err(Error::config(format!(
            "{file}: separator '{sep}' must be a single ASCII character"
        )));
    }
    let parse = CsvParseOptions::default()
        .with_separator(sep as u8)
        .with_missing_is_null(true);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_parse_options(parse)
        .with_raise_if_empty(true)
        .try_into_reader_with_file_path(Some(src.path.clone()))
        .and_then(|r| r.finish())
        .map_err(|e| {
            // polars does not say which row is wrong: find it ourselves (error path only).
            if let Some(e) = not_utf8(&src.path, &file) {
                return e;
            }
            diagnose_csv_shape(&src.path, &file, sep as u8).unwrap_or_else(|| Error::Polars {
                file: file.clone(),
                message: format!("cannot read as CSV: {e}"),
            })
        })?;
    let mut any_null = false;
    let mut names = Vec::with_capacity(df.width());
    let mut columns = Vec::with_capacity(df.width());
    for col in df.columns() {
        // A UTF-8 byte-order mark may stick to the first header name.
        names.push(
            col.name()
                .as_str()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string(),
        );
        let ca = col.str().map_err(|e| Error::Polars {
            file: file.clone(),
            message: e.to_string(),
        })?;
        any_null |= ca.null_count() > 0;
        columns.push(CellColumn::Text(ca.clone()));
    }
    if names.len() == 1 {
        if let Some(e) = separator_hint(&file, &names[0], sep) {
            return Err(e);
        }
    }
    // polars fills the missing fields of a short row with nulls: tell a short row (an error)
    // from an empty cell (a missing value). Only scanned when some cell is null.
    if any_null {
        if let Some(e) = diagnose_csv_shape(&src.path, &file, sep as u8) {
            return Err(e);
        }
    }
    Ok(TextTable {
        file,
        names,
        columns,
        first_row: 2,
    })
}

/// The error of a file that is not UTF-8 past its first bytes (error path only).
fn not_utf8(path: &Path, file: &str) -> Option<Error> {
    let bytes = std::fs::read(path).ok()?;
    sniff::check_text(file, &bytes, true).err()
}

/// When a header is one column that contains another usual separator, the file was written
/// with that separator: say so (instead of "missing column 'date'").
fn separator_hint(file: &str, header: &str, sep: char) -> Option<Error> {
    let other = [';', '\t', '|', ',']
        .into_iter()
        .find(|&c| c != sep && header.contains(c))?;
    let shown = if other == '\t' {
        "\\t".to_string()
    } else {
        other.to_string()
    };
    Some(Error::file(
        file,
        format!(
            "the header '{}' has no '{sep}' but has '{shown}': the file seems to use '{shown}' as separator; \
             set separator = \"{shown}\" in its [[prices]] entry (and decimal_comma = true for numbers written 1,5)",
            header.trim_start_matches('\u{feff}')
        ),
    ))
}

/// Find the first record whose number of fields differs from the header's (quote-aware; the
/// row is the 1-based line where the record starts). `None` when every record has the
/// header's shape (or the file cannot be read).
fn diagnose_csv_shape(path: &Path, file: &str, sep: u8) -> Option<Error> {
    let bytes = std::fs::read(path).ok()?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut header_fields: Option<usize> = None;
    let mut header_text: &[u8] = &[];
    let (mut line, mut start_line, mut fields, mut in_quotes, mut empty_record) =
        (1usize, 1usize, 1usize, false, true);
    let mut record_start = 0usize;
    let mut i = 0usize;
    while i <= bytes.len() {
        let b = bytes.get(i).copied();
        match b {
            Some(b'"') => {
                in_quotes = !in_quotes;
                empty_record = false;
            }
            Some(c) if c == sep && !in_quotes => {
                fields += 1;
                empty_record = false;
            }
            Some(b'\n') if in_quotes => line += 1,
            None | Some(b'\n') => {
                if !empty_record {
                    match header_fields {
                        None => {
                            header_fields = Some(fields);
                            header_text = &bytes[record_start..i];
                        }
                        Some(h) if h != fields => {
                            let header = String::from_utf8_lossy(header_text);
                            if h == 1 {
                                if let Some(e) =
                                    separator_hint(file, header.trim_end_matches('\r'), sep as char)
                                {
                                    return Some(e);
                                }
                            }
                            let column = if fields < h {
                                header
                                    .trim_end_matches('\r')
                                    .split(sep as char)
                                    .nth(fields)
                                    .unwrap_or("")
                                    .trim()
                                    .to_string()
                            } else {
                                format!("field {}", h + 1)
                            };
                            return Some(Error::cell(
                                file,
                                start_line,
                                column,
                                format!("row has {fields} field(s) but the header has {h}"),
                            ));
                        }
                        Some(_) => {}
                    }
                }
                line += 1;
                start_line = line;
                fields = 1;
                empty_record = true;
                record_start = i + 1;
            }
            Some(b'\r') => {}
            Some(_) => empty_record = false,
        }
        i += 1;
    }
    None
}
