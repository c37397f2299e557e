//! The exclusive lock of an output folder: a file `.<name>.evstudy-lock` beside the folder,
//! held (`File::try_lock`) for the whole write, so a second run into the same folder fails at
//! once instead of mixing its files with the first run's.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The name of the lock file of the output folder `name`.
pub(crate) fn lock_name(name: &str) -> String {
    format!(".{name}.evstudy-lock")
}

/// A held lock; released (and its file removed) when dropped.
#[derive(Debug)]
pub(crate) struct FolderLock {
    file: File,
    path: PathBuf,
}

/// What [`FolderLock::try_acquire`] found.
pub(crate) enum Acquired {
    /// The lock is ours.
    Held(FolderLock),
    /// Another process holds it.
    Busy,
}

impl FolderLock {
    /// Takes the lock of the folder `name` in `parent` without waiting.
    ///
    /// The lock file is removed on release, so a process that opened it just before may hold a
    /// lock on a file no longer at its path; the lock is therefore taken only when the open
    /// file is still the one at the path (same device and inode), else taken again.
    pub(crate) fn try_acquire(parent: &Path, name: &str) -> Result<Acquired> {
        let path = parent.join(lock_name(name));
        for _ in 0..8 {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Ok(Acquired::Busy),
                Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
            if same_file(&file, &path) {
                return Ok(Acquired::Held(FolderLock { file, path }));
            }
        }
        Ok(Acquired::Busy)
    }

    /// Takes the lock of the output folder `target` (named `name` in `parent`), or explains
    /// that another run is writing it.
    pub(crate) fn acquire(target: &Path, parent: &Path, name: &str) -> Result<FolderLock> {
        match Self::try_acquire(parent, name)? {
            Acquired::Held(lock) => Ok(lock),
            Acquired::Busy => Err(Error::file(
                target.display().to_string(),
                format!(
                    "another evstudy run is writing this output folder (it holds {}); \
                     wait for it to finish or choose another output folder",
                    parent.join(lock_name(name)).display()
                ),
            )),
        }
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still held: a waiting process then finds a new file (see try_acquire).
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Is the open `file` the file now at `path`?
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Is the open `file` the file now at `path`? (Without inode numbers: the file exists.)
#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}
