//! Size and SHA-256 of a file, and the digests of the files this process wrote, taken as
//! their bytes went out ([`HashingFile`]) so that `run.json` does not read them back.
//!
//! A digest taken while writing is used only while the file is unchanged: its size and its
//! modification time must be those recorded when it was closed. Otherwise, and for every file
//! this process did not write, the file is read and hashed.

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// A file being written, with the SHA-256 and the count of the bytes written so far.
pub(crate) struct HashingFile {
    file: File,
    hasher: Sha256,
    bytes: u64,
}

impl HashingFile {
    pub(crate) fn new(file: File) -> Self {
        HashingFile {
            file,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Flushes the file to disk and records its digest under `path` (the name it will have
    /// when renamed into place; a rename keeps the modification time).
    pub(crate) fn sync_and_record(self, path: &Path) -> std::io::Result<()> {
        self.file.sync_all()?;
        let modified = self.file.metadata()?.modified()?;
        let known = Known {
            bytes: self.bytes,
            modified,
            sha256: hex(&self.hasher.finalize()),
        };
        written().insert(path.to_path_buf(), known);
        Ok(())
    }
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// A digest recorded when a file was written, with the size and time that must still hold.
struct Known {
    bytes: u64,
    modified: SystemTime,
    sha256: String,
}

/// The digests recorded by [`HashingFile::sync_and_record`], by path.
fn written() -> std::sync::MutexGuard<'static, HashMap<PathBuf, Known>> {
    static WRITTEN: OnceLock<Mutex<HashMap<PathBuf, Known>>> = OnceLock::new();
    let map = WRITTEN.get_or_init(|| Mutex::new(HashMap::new()));
    // A panic while the lock was held cannot leave a half-written entry: take it as it is.
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The digest recorded for `path` if the file still has the recorded size and modification
/// time (the entry is taken: each file is listed once per run).
fn recorded(path: &Path, meta: &Metadata) -> Option<(u64, String)> {
    let known = written().remove(path)?;
    let unchanged = meta.len() == known.bytes && meta.modified().ok() == Some(known.modified);
    unchanged.then_some((known.bytes, known.sha256))
}

/// Size and SHA-256 (lower-case hexadecimal) of the file `path`: the digest recorded while
/// this process wrote it, or the file read and hashed.
pub(crate) fn file_digest(path: &Path) -> std::io::Result<(u64, String)> {
    let meta = std::fs::metadata(path)?;
    if let Some(known) = recorded(path, &meta) {
        return Ok(known);
    }
    read_digest(File::open(path)?)
}

/// Size and SHA-256 (lower-case hexadecimal) of everything `source` reads, in 1 MiB blocks.
pub(crate) fn read_digest(mut source: impl Read) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = match source.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&block[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

/// Lower-case hexadecimal of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    /// Writes the `parts` one after the other as the file `path` through a [`HashingFile`].
    fn write_parts(path: &Path, parts: &[&[u8]]) {
        let mut f = HashingFile::new(File::create(path).unwrap());
        for part in parts {
            f.write_all(part).unwrap();
        }
        f.sync_and_record(path).unwrap();
    }

    #[test]
    fn a_digest_taken_while_writing_is_that_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_parts(&path, &[b"ab", b"c"]);
        assert_eq!(written().get(&path).unwrap().sha256, ABC);
        assert_eq!(file_digest(&path).unwrap(), (3, ABC.to_string()));
        // taken once: the next call reads the file, with the same result
        assert!(written().get(&path).is_none());
        assert_eq!(file_digest(&path).unwrap(), (3, ABC.to_string()));
    }

    #[test]
    fn a_file_changed_after_writing_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.txt");
        write_parts(&path, &[b"xyz"]);
        // same size, new content and a later modification time
        let later = written().get(&path).unwrap().modified + std::time::Duration::from_secs(5);
        std::fs::write(&path, b"abc").unwrap();
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(file_digest(&path).unwrap(), (3, ABC.to_string()));
    }
}
