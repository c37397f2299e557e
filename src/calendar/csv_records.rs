//! A small RFC-4180 record splitter for the calendar's own small CSV files (event calendars,
//! holiday tables).
//!
//! Handles quoted fields (with commas, doubled quotes `""` and line breaks inside quotes),
//! LF and CRLF line ends, a leading UTF-8 byte-order mark, and blank lines (skipped). Each
//! record carries the 1-based line number on which it starts, so that errors can name the row
//! as the user sees it in an editor (the header is row 1).

use crate::error::{Error, Result};

/// One CSV record and the 1-based line number of the file on which it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    /// 1-based line number where the record starts (the header is normally row 1).
    pub row: usize,
    /// The unquoted field values.
    pub fields: Vec<String>,
}

/// Splits CSV text into records (RFC 4180).
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
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    while chars.peek().is_some() {
        // Skip blank lines.
        match chars.peek() {
            Some('\n') => {
                chars.next();
                line += 1;
                continue;
            }
            Some('\r') => {
                chars.next();
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                line += 1;
                continue;
            }
            _ => {}
        }
        let start_line = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted_field = false;
        loop {
            // Start of a field.
            if chars.peek() == Some(&'"') {
                chars.next();
                quoted_field = true;
                loop {
                    match chars.next() {
                        None => {
                            return Err(Error::cell(
                                file,
                                start_line,
                                format!("field {}", fields.len() + 1),
                                "a quoted field is not closed before the end of the file",
                            ))
                        }
                        Some('"') => {
                            if chars.peek() == Some(&'"') {
                                chars.next();
                                field.push('"');
                            } else {
                                break;
                            }
                        }
                        Some(c) => {
                            // A line break inside quotes: LF, or a CR not followed by LF.
                            if c == '\n' || (c == '\r' && chars.peek() != Some(&'\n')) {
                                line += 1;
                            }
                            field.push(c);
                        }
                    }
                }
            }
            // Unquoted part (or what follows a closing quote).
            let mut end_of_record = false;
            loop {
                match chars.peek().copied() {
                    None => {
                        end_of_record = true;
                        break;
                    }
                    Some(',') => {
                        chars.next();
                        break;
                    }
                    Some('\n') => {
                        chars.next();
                        line += 1;
                        end_of_record = true;
                        break;
                    }
                    Some('\r') => {
                        chars.next();
                        if chars.peek() == Some(&'\n') {
                            chars.next();
                        }
                        line += 1;
                        end_of_record = true;
                        break;
                    }
                    Some(c) => {
                        if quoted_field {
                            return Err(Error::cell(
                                file,
                                start_line,
                                format!("field {}", fields.len() + 1),
                                format!("unexpected character {c:?} after a closing quote"),
                            ));
                        }
                        chars.next();
                        field.push(c);
                    }
                }
            }
            fields.push(std::mem::take(&mut field));
            quoted_field = false;
            if end_of_record {
                break;
            }
        }
        records.push(CsvRecord {
            row: start_line,
            fields,
        });
    }
    Ok(records)
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
    }

    #[test]
    fn garbage_after_quote_is_an_error() {
        let e = split_csv_records("a\n\"x\"y\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("row 2"));
    }

    #[test]
    fn empty_text_gives_no_records() {
        assert!(split_csv_records("", "t.csv").unwrap().is_empty());
        assert!(split_csv_records("\u{feff}\r\n\n", "t.csv")
            .unwrap()
            .is_empty());
    }
}
