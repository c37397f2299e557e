//! One complete run per output folder: every command that writes a folder goes through
//! [`write_folder`].
//!
//! The contract: the files of a run are written into a staging folder beside the target and
//! swapped in at the end, so the target holds the previous complete run or the new complete
//! run, never a mix; `run.json`, when the run writes one, lists every file with its size and
//! SHA-256; a lock beside the target makes a second concurrent run fail at once; what a
//! killed run left is repaired or removed at the next start; a folder that is not an evstudy
//! output, and an output path equal to or containing an input, are refused before anything is
//! written.

use std::path::{Path, PathBuf};

use super::lock::FolderLock;
use super::manifest::add_files_to_run_json;
use super::swap::{is_staged, recover, recover_others, Staging};
use crate::error::{Error, Result};

/// What becomes of the previous content of the target folder.
#[derive(Clone, Copy)]
pub enum Previous<'a> {
    /// The folder is the run's alone: nothing of the previous content is kept (a rerun with
    /// fewer formats or windows leaves no file of the earlier run). A non-empty target must be
    /// an evstudy run folder (its `run.json` has `evstudy_version`).
    Replace,
    /// The files of the previous folder that the new run does not write are carried over
    /// unchanged, except those `stale` names (outputs of the same command the new run may not
    /// rewrite, such as charts). For folders shared with files the run does not make (a
    /// README beside generated data); the target may hold files only, no subfolder.
    Keep(&'a dyn Fn(&str) -> bool),
}

/// The checks and the policy of [`write_folder`].
#[derive(Clone, Copy)]
pub struct FolderOptions<'a> {
    /// The run's input files: the target may neither be one of them nor contain one.
    pub inputs: &'a [PathBuf],
    /// What becomes of the previous content of the target.
    pub previous: Previous<'a>,
}

impl FolderOptions<'_> {
    /// A folder that is the run's alone, with no input to protect.
    pub const REPLACE: FolderOptions<'static> = FolderOptions {
        inputs: &[],
        previous: Previous::Replace,
    };
}

/// Writes one complete run into the folder `target`: `fill` writes every file into the
/// staging folder it is given, then the staging folder replaces `target` in one swap.
///
/// In order: an output equal to or containing an input is refused; the lock
/// `.<name>.evstudy-lock` beside the target is taken (held by another run: error at once);
/// leftovers of killed runs in the parent folder are recovered (a previous run renamed aside
/// is put back, staging folders are removed; those of other folders only when their lock is
/// free); a non-empty target that is not an evstudy output is refused ([`Previous`]); `fill`
/// writes into `.<name>.evstudy-staging-<pid>`; under [`Previous::Keep`] the previous files
/// are carried over; a `run.json` written by `fill` gets its `files` list; the staging folder
/// is swapped in and the previous content removed. If `fill` fails, the staging folder is
/// removed and the target is untouched.
///
/// Called for a folder inside a staging folder of this process (from a writer called by
/// another writer's `fill`), `write_folder` just creates it and calls `fill` on it, so writers
/// compose into one run.
///
/// # Errors
/// [`Error::File`] for a refused target or a held lock; [`Error::Io`] naming the path that
/// could not be created, written or renamed; any error of `fill`.
///
/// # Examples
///
/// ```
/// use evstudy::output::{write_folder, FolderOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("out");
/// for text in ["first", "second"] {
///     write_folder(&out, &FolderOptions::REPLACE, |staging| {
///         std::fs::write(staging.join("a.txt"), text).unwrap();
///         std::fs::write(staging.join("run.json"), "{\n  \"evstudy_version\": \"x\"\n}\n").unwrap();
///         Ok::<(), evstudy::Error>(())
///     })
///     .unwrap();
/// }
/// assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "second");
/// let run: serde_json::Value =
///     serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
/// assert_eq!(run["files"][0]["path"], "a.txt");
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1); // no staging, no lock
/// ```
pub fn write_folder<T, E: From<Error>>(
    target: &Path,
    options: &FolderOptions<'_>,
    fill: impl FnOnce(&Path) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let resolved = resolve(target);
    if is_staged(&resolved) {
        super::create_dir(target)?;
        return fill(target);
    }
    refuse_inputs(target, options.inputs)?;
    let (parent, name) = split(target, &resolved)?;
    create_parent(target, &parent)?;
    let lock = FolderLock::acquire(target, &parent, &name)?;
    recover(&parent, &name)?;
    recover_others(&parent, &name)?;
    let final_path = parent.join(&name);
    check_previous(target, &final_path, options.previous)?;
    let staging = Staging::create(&parent, &name)?;
    let value = fill(staging.path())?;
    if let Previous::Keep(stale) = options.previous {
        carry_over(&final_path, staging.path(), stale)?;
    }
    add_files_to_run_json(staging.path())?;
    staging.swap_into(&final_path, &parent, &name)?;
    drop(lock);
    Ok(value)
}

/// `path` made absolute with symbolic links and `..` resolved as far as it exists (its
/// longest existing ancestor canonicalised, the rest appended).
pub(crate) fn resolve(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    let mut base = abs.as_path();
    loop {
        if let Ok(canonical) = base.canonicalize() {
            let mut out = canonical;
            for part in rest.iter().rev() {
                match *part {
                    p if p == ".." => {
                        out.pop();
                    }
                    p if p == "." => {}
                    p => out.push(p),
                }
            }
            return out;
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                base = parent;
            }
            _ => return abs,
        }
    }
}

/// Refuses an output path (a folder or a file) equal to, or containing, one of `inputs`,
/// before anything is written: the run would replace the input.
///
/// # Errors
/// [`Error::File`] naming the output and the input.
///
/// # Examples
///
/// ```
/// use evstudy::output::refuse_inputs;
/// let dir = tempfile::tempdir().unwrap();
/// let prices = dir.path().join("prices.csv");
/// std::fs::write(&prices, "date,ticker,close\n").unwrap();
/// let inputs = [prices.clone()];
/// assert!(refuse_inputs(&prices, &inputs).is_err());
/// assert!(refuse_inputs(dir.path(), &inputs).is_err());
/// assert!(refuse_inputs(&dir.path().join("out"), &inputs).is_ok());
/// ```
pub fn refuse_inputs(output: &Path, inputs: &[PathBuf]) -> Result<()> {
    let resolved = resolve(output);
    for input in inputs {
        if resolve(input).starts_with(&resolved) {
            return Err(Error::file(
                output.display().to_string(),
                format!(
                    "the output is or contains the input {}, which it would replace; \
                     choose another output path",
                    input.display()
                ),
            ));
        }
    }
    Ok(())
}

/// The parent folder and the name of the (resolved) target.
fn split(target: &Path, resolved: &Path) -> Result<(PathBuf, String)> {
    match (resolved.parent(), resolved.file_name()) {
        (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name.to_string_lossy().into())),
        _ => Err(Error::file(
            target.display().to_string(),
            "cannot be an output folder (it has no parent folder)",
        )),
    }
}

/// Creates the parent folder of the target; below a file, the error is the system's "not a
/// directory" (not "file exists", which would point at the wrong path).
fn create_parent(target: &Path, parent: &Path) -> Result<()> {
    match std::fs::create_dir_all(parent) {
        Ok(()) => Ok(()),
        Err(e) => {
            let e = match parent.is_file() {
                true => std::fs::read_dir(parent).err().unwrap_or(e),
                false => e,
            };
            Err(Error::io(target, e))
        }
    }
}

/// Refuses a target whose previous content the policy must not replace.
fn check_previous(target: &Path, path: &Path, previous: Previous<'_>) -> Result<()> {
    let refuse = |why: String| Err(Error::file(target.display().to_string(), why));
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(target, e)),
    };
    if !meta.is_dir() {
        return refuse("exists and is not a folder".into());
    }
    let entries = entries(path)?;
    match previous {
        Previous::Replace if entries.is_empty() || is_run_folder(path) => Ok(()),
        Previous::Replace => refuse(
            "exists, is not empty and is not an evstudy output folder (no run.json written \
             by evstudy); evstudy replaces its output folder as a whole, so choose a new or \
             empty folder"
                .into(),
        ),
        Previous::Keep(_) => match entries.iter().find(|(_, is_file)| !is_file) {
            None => Ok(()),
            Some((name, _)) => refuse(format!(
                "holds '{name}', which is not a plain file; evstudy replaces its output folder \
                 as a whole, so choose a folder of files only or a new one"
            )),
        },
    }
}

/// Does `dir` hold a `run.json` written by evstudy?
fn is_run_folder(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("run.json")) else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|v| v.get("evstudy_version").is_some())
        .unwrap_or(false)
}

/// The entries of a folder: name and whether it is a regular file.
fn entries(dir: &Path) -> Result<Vec<(String, bool)>> {
    let list = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut out = Vec::new();
    for entry in list {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        out.push((entry.file_name().to_string_lossy().into_owned(), is_file));
    }
    Ok(out)
}

/// Links (or copies) into `staging` the files of the previous folder that the new run did not
/// write and `stale` does not name.
fn carry_over(previous: &Path, staging: &Path, stale: &dyn Fn(&str) -> bool) -> Result<()> {
    if !previous.is_dir() {
        return Ok(());
    }
    for (name, _) in entries(previous)? {
        let to = staging.join(&name);
        if stale(&name) || to.exists() {
            continue;
        }
        let from = previous.join(&name);
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
        }
    }
    Ok(())
}
