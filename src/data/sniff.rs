//! Checks made before a text input is parsed, so that a file of the wrong kind gets one clear
//! message instead of a parser's: a folder, a FIFO or a device (rejected before reading: a
//! FIFO or `/dev/zero` would never end), a compressed, Parquet or spreadsheet file under a
//! `.csv` name, UTF-16 text, NUL bytes, and bytes that are not UTF-8 (Latin-1).

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// How many bytes of a file the kind checks read.
const HEAD_BYTES: u64 = 64 * 1024;

/// `path` is a regular, non-empty file (symbolic links followed).
///
/// # Errors
/// A missing file (the I/O error), a folder, a special file (FIFO, device, socket), an empty
/// file.
pub(crate) fn check_regular_file(path: &Path) -> Result<()> {
    let meta = check_not_special(path)?;
    if meta.len() == 0 {
        return Err(Error::file(
            path.display().to_string(),
            "file is empty (no header, no rows)",
        ));
    }
    Ok(())
}

/// `path` is a regular file (symbolic links followed); its metadata.
fn check_not_special(path: &Path) -> Result<std::fs::Metadata> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::file(
            file,
            "is a directory, expected a CSV or Parquet file",
        ));
    }
    if !meta.is_file() {
        return Err(Error::file(
            file,
            "is not a regular file (a FIFO, a device or a socket): save the data to a file and give its path",
        ));
    }
    Ok(meta)
}

/// The first [`HEAD_BYTES`] bytes of a regular file.
pub(crate) fn read_head(path: &Path) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_BYTES as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head))
        .map_err(|e| Error::io(path, e))?;
    Ok(head)
}

/// The kind checks of a text (CSV) file on its first bytes `head` (the whole file when
/// `complete`): a compressed, Parquet or ZIP file, UTF-16, a NUL byte, bytes that are not
/// UTF-8 (the last, truncated character of an incomplete head is not an error).
pub(crate) fn check_text(file: &str, head: &[u8], complete: bool) -> Result<()> {
    let kind = |what: &str| Err(Error::file(file, what.to_string()));
    if head.starts_with(&[0x1f, 0x8b]) {
        return kind("looks like a gzip-compressed file: decompress it first (gunzip), then give the .csv file");
    }
    if head.starts_with(b"PAR1") {
        return kind(
            "looks like a Parquet file: name it .parquet (the extension chooses the reader)",
        );
    }
    if head.starts_with(b"PK\x03\x04") {
        return kind(
            "looks like a ZIP or Excel (.xlsx) file: unzip it, or export the sheet as CSV (UTF-8)",
        );
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return kind(
            "is UTF-16 text (it starts with a UTF-16 byte-order mark): re-save it as UTF-8",
        );
    }
    if let Some(at) = head.iter().position(|&b| b == 0) {
        return Err(Error::file(
            file,
            format!(
                "row {}: NUL byte (0x00): not a text file, or UTF-16 without a byte-order mark; re-save it as UTF-8 CSV",
                row_of(head, at)
            ),
        ));
    }
    if let Err(e) = std::str::from_utf8(head) {
        if complete || e.error_len().is_some() {
            let at = e.valid_up_to();
            return Err(Error::file(
                file,
                format!(
                    "not UTF-8 at row {} (byte 0x{:02X}): re-save it as UTF-8 (it looks Latin-1 or Windows-1252 encoded)",
                    row_of(head, at),
                    head[at]
                ),
            ));
        }
    }
    Ok(())
}

/// The kind checks of a whole text file (an empty file passes), read as UTF-8 text.
pub(crate) fn read_text_file(path: &Path) -> Result<String> {
    check_not_special(path)?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    check_text(&path.display().to_string(), &bytes, true)?;
    String::from_utf8(bytes).map_err(|e| Error::io(path, std::io::Error::other(e)))
}

/// 1-based line of byte `at`.
fn row_of(bytes: &[u8], at: usize) -> usize {
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(bytes: &[u8], complete: bool) -> String {
        check_text("f.csv", bytes, complete)
            .map(|_| "ok".to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn kinds_by_their_first_bytes() {
        assert!(msg(b"\x1f\x8b\x08\x00", true).contains("gzip"));
        assert!(msg(b"PAR1\x15\x04", true).contains("Parquet"));
        assert!(msg(b"PK\x03\x04", true).contains("ZIP"));
        assert!(msg(b"\xff\xfed\x00a\x00", true).contains("UTF-16"));
        assert_eq!(
            msg(b"a,b\n1,2\x00\n", true),
            "f.csv: row 2: NUL byte (0x00): not a text file, or UTF-16 without a byte-order mark; re-save it as UTF-8 CSV"
        );
        assert!(msg(b"a,b\n1,2\nSoci\xe9t\xe9,3\n", true)
            .starts_with("f.csv: not UTF-8 at row 3 (byte 0xE9)"));
        // A head cut inside a character is not an error; a complete file is.
        assert_eq!(msg("a,é".as_bytes().split_last().unwrap().1, false), "ok");
        assert!(msg("a,é".as_bytes().split_last().unwrap().1, true).contains("not UTF-8"));
        assert_eq!(msg("date,x\n2024-01-02,é\n".as_bytes(), true), "ok");
    }
}
