//! Small CSV files (event calendars, holiday tables, securities, exchanges, study outputs read
//! back) split into records with the `csv` crate.
//!
//! RFC 4180: quoted fields may hold commas, doubled quotes `""` and line breaks; LF, CRLF and
//! CR line ends; blank lines are skipped. Each record carries the 1-based line number on which
//! it starts, so that errors can name the row as the user sees it in an editor (the header is
//! row 1). The `csv` crate reads malformed quoting leniently; [`csv_records`] reports it
//! ([`QuoteError`]) so that a file with a quote left open is not read as one long field.

use crate::error::{Error, Result};

/// One CSV record and the 1-based line number of the file on which it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    /// 1-based line number where the record starts (the header is normally row 1).
    pub row: usize,
    /// The unquoted field values.
    pub fields: Vec<String>,
}

/// Malformed quoting found while splitting a file into records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuoteError {
    /// 1-based line on which the record starts.
    pub row: usize,
    /// 1-based position of the field in its record.
    pub field: usize,
    /// What is wrong.
    pub kind: QuoteErrorKind,
}

/// The kinds of malformed quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteErrorKind {
    /// A quoted field is still open at the end of the file.
    Unclosed,
    /// A character other than a comma or a line end follows a closing quote (`"ab"c`).
    AfterClosingQuote(char),
}

/// Splits CSV text into records (RFC 4180), with the rules of the module documentation.
///
/// A field quoted at its start must be closed: an open quote at the end of the file is an
/// error, and so is a character after a closing quote when `strict` (else it is kept, `"ab"c`
/// reads as `abc`).
pub(crate) fn csv_records(
    text: &str,
    strict: bool,
) -> std::result::Result<Vec<CsvRecord>, QuoteError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // The crate drops a byte-order mark at the very start of its input; a line end read
        // first (a blank line, skipped) keeps a mark in `text` as data: callers decide.
        .from_reader(std::io::Read::chain(&b"\n"[..], text.as_bytes()));
    let mut lines = LineCounter::default();
    let mut records = Vec::new();
    let mut record = ::csv::StringRecord::new();
    // `text` is a `&str` and reading from memory cannot fail: an `Err` ends the loop like the
    // end of the input.
    while let Ok(true) = reader.read_record(&mut record) {
        // Offsets in `text`: one less than in the reader's input (the line end read first).
        let previous_end = record
            .position()
            .map_or(0, |p| (p.byte() as usize).saturating_sub(1));
        let start = previous_end + blank_prefix(&text[previous_end..]);
        let row = lines.line_at(text, start);
        let fields: Vec<String> = record.iter().map(String::from).collect();
        check_quoting(&text[start..], &fields, strict).map_err(|(field, kind)| QuoteError {
            row,
            field,
            kind,
        })?;
        records.push(CsvRecord { row, fields });
    }
    Ok(records)
}

/// Length of the line ends at the start of `text` (the blank lines the reader skips).
fn blank_prefix(text: &str) -> usize {
    text.len() - text.trim_start_matches(['\r', '\n']).len()
}

/// 1-based line numbers of byte offsets visited in increasing order. A line ends at `\n`,
/// `\r\n` or a `\r` not followed by `\n`.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    breaks: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        let bytes = text.as_bytes();
        for k in self.offset..offset {
            let lone_cr = bytes[k] == b'\r' && bytes.get(k + 1) != Some(&b'\n');
            if bytes[k] == b'\n' || lone_cr {
                self.breaks += 1;
            }
        }
        self.offset = offset;
        self.breaks + 1
    }
}

/// A field as it is written when quoted: between double quotes, each `"` doubled.
fn quoted(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

/// Checks the quoting of one record against its raw text `raw` (which starts at the record
/// and runs to the end of the file): each field quoted at its start must be the quoted form
/// of its value, followed by a comma, a line end or the end of the file. Returns the 1-based
/// field and the problem.
fn check_quoting(
    raw: &str,
    fields: &[String],
    strict: bool,
) -> std::result::Result<(), (usize, QuoteErrorKind)> {
    let mut rest = raw;
    for (k, field) in fields.iter().enumerate() {
        if rest.starts_with('"') {
            let expected = quoted(field);
            if let Some(after) = rest.strip_prefix(expected.as_str()) {
                rest = after;
            } else if expected.len() == rest.len() + 1 && expected.starts_with(rest) {
                return Err((k + 1, QuoteErrorKind::Unclosed));
            } else {
                // Where the raw text closed the quote, then the character after it.
                let closing = expected
                    .bytes()
                    .zip(rest.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let c = rest
                    .get(closing + 1..)
                    .and_then(|after| after.chars().next())
                    .unwrap_or('"');
                if strict {
                    return Err((k + 1, QuoteErrorKind::AfterClosingQuote(c)));
                }
                // Lenient: after the closing quote the field runs to the next comma or line
                // end.
                let after = rest.get(closing + 1..).unwrap_or("");
                rest = &after[after.find([',', '\r', '\n']).unwrap_or(after.len())..];
            }
        } else {
            rest = rest.get(field.len()..).unwrap_or("");
        }
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    Ok(())
}

/// Splits CSV text into records (RFC 4180), skipping a leading UTF-8 byte-order mark.
///
/// `file` is used only in error messages. Blank lines (no characters at all between line
/// ends) are skipped; a line holding only spaces is a record with one field.
///
/// # Errors
/// [`Error::Cell`] when a quoted field is not closed before the end of the file or when
/// characters follow a closing quote (e.g. `"ab"c`).
///
/// # Examples
/// ```
/// use evstudy::calendar::split_csv_records;
/// let text = "\u{feff}id,note\r\n1,\"a, \"\"quoted\"\" note\"\r\n\r\n2,plain\n";
/// let recs = split_csv_records(text, "x.csv").unwrap();
/// assert_eq!(recs.len(), 3);
/// assert_eq!(recs[1].fields, vec!["1", "a, \"quoted\" note"]);
/// assert_eq!(recs[2].row, 4); // the blank line 3 is skipped, row numbers follow the file
/// ```
pub fn split_csv_records(text: &str, file: &str) -> Result<Vec<CsvRecord>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv_records(text, true).map_err(|e| {
        let message = match e.kind {
            QuoteErrorKind::Unclosed => {
                "a quoted field is not closed before the end of the file".to_string()
            }
            QuoteErrorKind::AfterClosingQuote(c) => {
                format!("unexpected character {c:?} after a closing quote")
            }
        };
        Error::cell(file, e.row, format!("field {}", e.field), message)
    })
}

/// The header of a small CSV file: column names and their positions.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub names: Vec<String>,
}

impl Header {
    /// Builds a header; names are trimmed; duplicate names are an error.
    pub fn new(fields: &[String], file: &str) -> Result<Self> {
        let names: Vec<String> = fields.iter().map(|s| s.trim().to_string()).collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) && !n.is_empty() {
                return Err(Error::cell(
                    file,
                    1,
                    n.clone(),
                    "column name appears twice in the header",
                ));
            }
        }
        Ok(Header { names })
    }
    /// Position of a column (exact, case-sensitive match after trimming).
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
    /// Comma-separated list of the columns present, for error messages.
    pub fn present(&self) -> String {
        self.names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_crlf_bom() {
        let text = "\u{feff}a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\r\n2,,\"multi\nline\"\r\n3,z,w";
        let r = split_csv_records(text, "t.csv").unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].fields, vec!["a", "b", "c"]);
        assert_eq!(r[1].fields, vec!["1", "x,y", "say \"hi\""]);
        assert_eq!(r[2].fields, vec!["2", "", "multi\nline"]);
        assert_eq!(r[2].row, 3);
        assert_eq!(r[3].row, 5);
        assert_eq!(r[3].fields, vec!["3", "z", "w"]);
    }

    #[test]
    fn empty_fields_and_trailing_comma() {
        let r = split_csv_records("a,b\n,\n", "t.csv").unwrap();
        assert_eq!(r[1].fields, vec!["", ""]);
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        let e = split_csv_records("a,b\n1,\"open\n", "t.csv").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("t.csv") && msg.contains("row 2"), "{msg}");
        assert!(
            msg.contains("'field 2'") && msg.contains("not closed"),
            "{msg}"
        );
        // A doubled quote just before the end of the file leaves the field open.
        let e = split_csv_records("a\n\"x\"\"", "t.csv").unwrap_err();
        assert!(e.to_string().contains("not closed"), "{e}");
    }

    #[test]
    fn garbage_after_quote_is_an_error() {
        let e = split_csv_records("a\n\"x\"y\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("row 2"));
        assert!(e.to_string().contains("unexpected character 'y'"), "{e}");
        let e = split_csv_records("a,b\n1,\"x\"\"\"z\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("'field 2'"), "{e}");
        assert!(e.to_string().contains("unexpected character 'z'"), "{e}");
    }

    #[test]
    fn lenient_reading_keeps_text_after_a_closing_quote() {
        let r = csv_records("a,b\n\"x\"y,2\n", false).unwrap();
        assert_eq!(r[1].fields, vec!["xy", "2"]);
        // A quote left open after such a field is still found.
        let e = csv_records("a,\"b,\"c,\"d", false).unwrap_err();
        assert_eq!((e.row, e.field, e.kind), (1, 3, QuoteErrorKind::Unclosed));
    }

    #[test]
    fn rows_follow_blank_lines_and_line_ends() {
        let r = split_csv_records("a\r\r\nb\n\n\"c\nd\"\re\n", "t.csv").unwrap();
        let rows: Vec<usize> = r.iter().map(|x| x.row).collect();
        assert_eq!(rows, vec![1, 3, 5, 7]);
    }

    #[test]
    fn a_byte_order_mark_is_stripped_once() {
        let r = csv_records("\u{feff}a,b\n", true).unwrap();
        assert_eq!(r[0].fields, vec!["\u{feff}a", "b"]);
        let r = split_csv_records("\u{feff}\u{feff}a\n", "t.csv").unwrap();
        assert_eq!(r[0].fields, vec!["\u{feff}a"]);
    }

    #[test]
    fn empty_text_gives_no_records() {
        assert!(split_csv_records("", "t.csv").unwrap().is_empty());
        assert!(split_csv_records("\u{feff}\r\n\n", "t.csv")
            .unwrap()
            .is_empty());
    }
}
