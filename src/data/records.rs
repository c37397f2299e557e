//! Small CSV files (event calendars, holiday tables, securities, exchanges, study outputs read
//! back) split into records with the `csv` crate.
//!
//! RFC 4180: quoted fields may hold commas, doubled quotes `""` and line breaks; line ends and
//! blank lines follow a [`Dialect`]. Each record carries the 1-based line number on which it
//! starts, so that errors can name the row as the user sees it in an editor (the header is
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

/// The CSV rules a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// Files people write (event calendars, holiday tables, securities, exchanges): a line
    /// ends at LF, CRLF or CR; blank lines are skipped; text after a closing quote is an
    /// error.
    Strict,
    /// Files evstudy wrote (study outputs read back): a line ends at LF (a CR just before it
    /// is dropped, any other CR is data); a blank line is a record of one empty field; text
    /// after a closing quote is kept (`"ab"c` reads as `abc`).
    Written,
}

impl Dialect {
    /// The characters that end a line.
    fn line_ends(self) -> &'static [char] {
        match self {
            Dialect::Strict => &['\r', '\n'],
            Dialect::Written => &['\n'],
        }
    }
}

/// Splits CSV text into records (RFC 4180) with the rules of `dialect`.
///
/// A field quoted at its start must be closed: an open quote at the end of the file is an
/// error (and, [`Dialect::Strict`], so is a character after a closing quote).
pub(crate) fn csv_records(
    text: &str,
    dialect: Dialect,
) -> std::result::Result<Vec<CsvRecord>, QuoteError> {
    let mut builder = ::csv::ReaderBuilder::new();
    builder.has_headers(false).flexible(true);
    if dialect == Dialect::Written {
        builder.terminator(::csv::Terminator::Any(b'\n'));
    }
    // The crate drops a byte-order mark at the very start of its input; a line end read first
    // (a blank line, skipped) keeps a mark in `text` as data: callers decide.
    let mut reader = builder.from_reader(std::io::Read::chain(&b"\n"[..], text.as_bytes()));
    // Offsets in `text` are one less than in the reader's input (the line end read first).
    let offset = |p: &::csv::Position| (p.byte() as usize).saturating_sub(1);
    let mut lines = LineCounter {
        dialect,
        offset: 0,
        breaks: 0,
    };
    let mut records = Vec::new();
    let mut record = ::csv::StringRecord::new();
    let mut end = 0;
    // `text` is a `&str` and reading from memory cannot fail: an `Err` ends the loop like the
    // end of the input.
    while let Ok(true) = reader.read_record(&mut record) {
        let previous_end = record.position().map_or(0, offset);
        let start = previous_end + text[previous_end..].len()
            - text[previous_end..]
                .trim_start_matches(dialect.line_ends())
                .len();
        blank_line_records(&mut records, &mut lines, text, previous_end..start, dialect);
        let row = lines.line_at(text, start);
        let mut fields: Vec<String> = record.iter().map(String::from).collect();
        check_quoting(&text[start..], &fields, dialect).map_err(|(field, kind)| QuoteError {
            row,
            field,
            kind,
        })?;
        end = offset(reader.position());
        if dialect == Dialect::Written && text[..end].ends_with("\r\n") {
            if let Some(last) = fields.last_mut().filter(|f| f.ends_with('\r')) {
                last.pop();
            }
        }
        records.push(CsvRecord { row, fields });
    }
    blank_line_records(&mut records, &mut lines, text, end..text.len(), dialect);
    Ok(records)
}

/// [`Dialect::Written`]: a record of one empty field for each line end in `text[range]` (the
/// blank lines the reader skips).
fn blank_line_records(
    records: &mut Vec<CsvRecord>,
    lines: &mut LineCounter,
    text: &str,
    range: std::ops::Range<usize>,
    dialect: Dialect,
) {
    if dialect != Dialect::Written {
        return;
    }
    for k in range.filter(|&k| text.as_bytes()[k] == b'\n') {
        let row = lines.line_at(text, k);
        records.push(CsvRecord {
            row,
            fields: vec![String::new()],
        });
    }
}

/// 1-based line numbers of byte offsets visited in increasing order. A line ends at `\n`,
/// and, [`Dialect::Strict`], at `\r\n` or a `\r` not followed by `\n`.
struct LineCounter {
    dialect: Dialect,
    offset: usize,
    breaks: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        let bytes = text.as_bytes();
        let strict = self.dialect == Dialect::Strict;
        for k in self.offset..offset {
            let lone_cr = bytes[k] == b'\r' && bytes.get(k + 1) != Some(&b'\n');
            if bytes[k] == b'\n' || (strict && lone_cr) {
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
    dialect: Dialect,
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
                if dialect == Dialect::Strict {
                    return Err((k + 1, QuoteErrorKind::AfterClosingQuote(c)));
                }
                // Lenient: after the closing quote the field runs to the next comma or line
                // end.
                let after = rest.get(closing + 1..).unwrap_or("");
                let field_end = after.find(|c| c == ',' || dialect.line_ends().contains(&c));
                rest = &after[field_end.unwrap_or(after.len())..];
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
    csv_records(text, Dialect::Strict).map_err(|e| {
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
        let r = csv_records("a,b\n\"x\"y,2\n", Dialect::Written).unwrap();
        assert_eq!(r[1].fields, vec!["xy", "2"]);
        // A quote left open after such a field is still found.
        let e = csv_records("a,\"b,\"c,\"d", Dialect::Written).unwrap_err();
        assert_eq!((e.row, e.field, e.kind), (1, 3, QuoteErrorKind::Unclosed));
    }

    #[test]
    fn rows_follow_blank_lines_and_line_ends() {
        let r = split_csv_records("a\r\r\nb\n\n\"c\nd\"\re\n", "t.csv").unwrap();
        let rows: Vec<usize> = r.iter().map(|x| x.row).collect();
        assert_eq!(rows, vec![1, 3, 5, 7]);
    }

    #[test]
    fn written_files_keep_blank_lines_and_lone_carriage_returns() {
        let r = csv_records("a,b\r\n\nx\ry,\"q\r\"\n\n", Dialect::Written).unwrap();
        let fields: Vec<Vec<String>> = r.into_iter().map(|x| x.fields).collect();
        assert_eq!(
            fields,
            vec![vec!["a", "b"], vec![""], vec!["x\ry", "q\r"], vec![""]]
        );
    }

    #[test]
    fn a_byte_order_mark_is_stripped_once() {
        let r = csv_records("\u{feff}a,b\n", Dialect::Strict).unwrap();
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
