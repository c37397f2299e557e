//! The staging folder of a run, its swap into place, and the recovery of what a killed run
//! left behind.
//!
//! Names, all beside the target `<name>` in the same parent folder (so every rename is
//! atomic): `.<name>.evstudy-staging-<pid>` (the new run being written, holding the marker
//! file [`MARKER`] until it is complete) and `.<name>.evstudy-old-<pid>` (the previous run,
//! between the two renames of the portable swap).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::lock::{Acquired, FolderLock};
use crate::error::{Error, Result};

/// The marker file of a staging folder (removed before the swap).
pub(crate) const MARKER: &str = ".evstudy-staging";

const STAGING: &str = ".evstudy-staging-";
const OLD: &str = ".evstudy-old-";

/// The staging folders this process is writing (absolute paths): a writer asked to write into
/// one of them (or below) writes there directly, so writers compose inside one staged run.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Is `path` (absolute) an active staging folder of this process, or inside one?
pub(crate) fn is_staged(path: &Path) -> bool {
    let active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
    active.iter().any(|s| path.starts_with(s))
}

/// A staging folder being written; removed when dropped unless swapped in.
pub(crate) struct Staging {
    path: PathBuf,
    done: bool,
}

impl Staging {
    /// Creates `.<name>.evstudy-staging-<pid>` in `parent` (emptied first if a previous
    /// process with the same pid left it) with its marker file.
    pub(crate) fn create(parent: &Path, name: &str) -> Result<Staging> {
        let path = parent.join(format!(".{name}{STAGING}{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
        std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
        let marker = format!(
            "evstudy staging folder of {name}, process {}\n",
            std::process::id()
        );
        let staging = Staging { path, done: false };
        let marker_path = staging.path.join(MARKER);
        std::fs::write(&marker_path, marker).map_err(|e| Error::io(&marker_path, e))?;
        ACTIVE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(staging.path.clone());
        Ok(staging)
    }

    /// The folder to write into.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Puts the complete staging folder at `target` (whose previous content, if any, is
    /// removed): one `renameat2(RENAME_EXCHANGE)` on Linux, else the previous folder renamed
    /// aside, the new one renamed in, the previous one removed ([`recover`] repairs a stop
    /// between the two renames).
    pub(crate) fn swap_into(mut self, target: &Path, parent: &Path, name: &str) -> Result<()> {
        let marker = self.path.join(MARKER);
        std::fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))?;
        if !target.exists() {
            std::fs::rename(&self.path, target).map_err(|e| Error::io(target, e))?;
        } else if exchange(&self.path, target) {
            // The staging path now holds the previous run.
            remove_tree(&self.path)?;
        } else {
            let old = parent.join(format!(".{name}{OLD}{}", std::process::id()));
            std::fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
            if let Err(e) = std::fs::rename(&self.path, target) {
                let _ = std::fs::rename(&old, target);
                return Err(Error::io(target, e));
            }
            remove_tree(&old)?;
        }
        self.done = true;
        sync_dir(parent);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let mut active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
        active.retain(|p| p != &self.path);
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Exchanges two paths atomically; false where the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(ca), Ok(cb)) = (
        CString::new(a.as_os_str().as_bytes()),
        CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    rc == 0
}

/// Exchanges two paths atomically; false where the system or file system cannot.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}

/// Flushes a folder's entries (the renames) to disk where the system allows it.
fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

fn remove_tree(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path).map_err(|e| Error::io(path, e))
}

/// The target name and kind of a leftover name `.<name>.evstudy-{staging,old}-<pid>`.
fn leftover_of(entry: &str) -> Option<(&str, bool)> {
    let rest = entry.strip_prefix('.')?;
    for (tag, is_old) in [(STAGING, false), (OLD, true)] {
        if let Some(k) = rest.rfind(tag) {
            let pid = &rest[k + tag.len()..];
            if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && k > 0 {
                return Some((&rest[..k], is_old));
            }
        }
    }
    None
}

/// Repairs the folder `name` of `parent` after a killed run (its lock must be held): a
/// previous run renamed aside while the target is missing is put back; every other leftover
/// (staging folders, previous runs already replaced) is removed.
pub(crate) fn recover(parent: &Path, name: &str) -> Result<()> {
    let target = parent.join(name);
    let mut leftovers: Vec<(PathBuf, bool)> = Vec::new();
    for entry in read_dir(parent)? {
        if let Some((of, is_old)) = leftover_of(&entry) {
            if of == name {
                leftovers.push((parent.join(&entry), is_old));
            }
        }
    }
    for (path, is_old) in leftovers {
        if is_old && !target.exists() {
            std::fs::rename(&path, &target).map_err(|e| Error::io(&target, e))?;
        } else {
            remove_tree(&path)?;
        }
    }
    Ok(())
}

/// Recovers the leftovers of every other folder of `parent` whose lock is free (its run was
/// killed); folders being written by a live run are left alone.
pub(crate) fn recover_others(parent: &Path, name: &str) -> Result<()> {
    let mut names: Vec<String> = read_dir(parent)?
        .iter()
        .filter_map(|e| leftover_of(e).map(|(of, _)| of.to_string()))
        .filter(|of| of != name)
        .collect();
    names.sort();
    names.dedup();
    for other in names {
        if let Acquired::Held(lock) = FolderLock::try_acquire(parent, &other)? {
            recover(parent, &other)?;
            drop(lock);
        }
    }
    Ok(())
}

/// The entry names of a folder.
fn read_dir(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    Ok(entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::leftover_of;

    #[test]
    fn leftover_names_are_recognised() {
        assert_eq!(leftover_of(".out.evstudy-staging-42"), Some(("out", false)));
        assert_eq!(leftover_of(".a.b.evstudy-old-7"), Some(("a.b", true)));
        assert_eq!(leftover_of(".out.evstudy-staging-"), None);
        assert_eq!(leftover_of("out.evstudy-staging-1"), None);
        assert_eq!(leftover_of(".out.evstudy-lock"), None);
    }
}
