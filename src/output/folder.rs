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

/// Is `name` a temporary file of [`write_atomic`](super::write_atomic) (`<name>.tmp-<pid>`),
/// left by a killed writer?
fn is_temporary(name: &str) -> bool {
    name.rsplit_once(".tmp-")
        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Links (or copies) into `staging` the files of the previous folder that the new run did not
/// write and `stale` does not name.
fn carry_over(previous: &Path, staging: &Path, stale: &dyn Fn(&str) -> bool) -> Result<()> {
    if !previous.is_dir() {
        return Ok(());
    }
    for (name, _) in entries(previous)? {
        let to = staging.join(&name);
        if stale(&name) || to.exists() || is_temporary(&name) {
            continue;
        }
        let from = previous.join(&name);
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::lock::{Acquired, FolderLock};
    use super::super::manifest::FileEntry;
    use super::*;

    const RUN_JSON: &str = "{\n  \"evstudy_version\": \"0.1.0\",\n  \"model\": \"m\"\n}\n";
    /// SHA-256 of "abc" and of the empty string (FIPS 180-2 test vectors).
    const SHA_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const SHA_EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// A run writing `files` (name, content) and a run.json.
    fn run(target: &Path, files: &[(&str, &str)]) -> Result<()> {
        write_folder(target, &FolderOptions::REPLACE, |dir| {
            for (name, text) in files {
                std::fs::write(dir.join(name), text).unwrap();
            }
            std::fs::write(dir.join("run.json"), RUN_JSON).unwrap();
            Ok(())
        })
    }

    #[test]
    fn files_are_staged_beside_the_target_then_swapped_in() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        run(&out, &[("old.csv", "1")]).unwrap();
        write_folder(&out, &FolderOptions::REPLACE, |staging| {
            assert_eq!(staging.parent(), Some(resolve(tmp.path()).as_path()));
            let name = staging.file_name().unwrap().to_string_lossy().into_owned();
            assert_eq!(name, format!(".out.evstudy-staging-{}", std::process::id()));
            assert!(staging.join(super::super::swap::MARKER).is_file());
            // The previous run is untouched while the new one is written.
            assert_eq!(names(&out), ["old.csv", "run.json"]);
            std::fs::write(staging.join("new.csv"), "abc").unwrap();
            std::fs::write(staging.join("run.json"), RUN_JSON).unwrap();
            Ok::<(), Error>(())
        })
        .unwrap();
        // Nothing of the previous run is left, nothing but the target in the parent.
        assert_eq!(names(&out), ["new.csv", "run.json"]);
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn run_json_lists_every_file_with_size_and_hash() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_folder(&out, &FolderOptions::REPLACE, |dir| {
            std::fs::write(dir.join("b.csv"), "abc").unwrap();
            std::fs::create_dir(dir.join("sub")).unwrap();
            std::fs::write(dir.join("sub/a.txt"), "").unwrap();
            std::fs::write(dir.join("run.json"), RUN_JSON).unwrap();
            Ok::<(), Error>(())
        })
        .unwrap();
        let text = std::fs::read_to_string(out.join("run.json")).unwrap();
        // The existing keys keep their text; `files` comes last.
        assert!(text.starts_with("{\n  \"evstudy_version\": \"0.1.0\",\n  \"model\": \"m\",\n"));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let files: Vec<FileEntry> = serde_json::from_value(json["files"].clone()).unwrap();
        let expected = [("b.csv", 3, SHA_ABC), ("sub/a.txt", 0, SHA_EMPTY)];
        assert_eq!(files.len(), expected.len());
        for (f, (path, bytes, sha)) in files.iter().zip(expected) {
            assert_eq!(
                (f.path.as_str(), f.bytes, f.sha256.as_str()),
                (path, bytes, sha)
            );
        }
        // A second pass (a report written into a run folder later) replaces the list.
        run(&out, &[("b.csv", "abc")]).unwrap();
        write_folder(
            &out,
            &FolderOptions {
                inputs: &[],
                previous: Previous::Keep(&|_| false),
            },
            |dir| std::fs::write(dir.join("c.md"), "abc").map_err(|e| Error::io(dir, e)),
        )
        .unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
        let paths: Vec<&str> = json["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["b.csv", "c.md"]);
        assert_eq!(json["model"], "m");
    }

    #[test]
    fn leftovers_of_killed_runs_are_cleaned_or_recovered() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        run(&out, &[("a.csv", "1")]).unwrap();
        // A killed run of this folder, and of another folder whose lock is free.
        for dir in [".out.evstudy-staging-999999", ".other.evstudy-staging-4"] {
            std::fs::create_dir(tmp.path().join(dir)).unwrap();
            std::fs::write(tmp.path().join(dir).join("half.csv"), "x").unwrap();
        }
        // A run killed between the two renames of the portable swap: the previous run aside.
        let previous = tmp.path().join(".lost.evstudy-old-5");
        std::fs::create_dir(&previous).unwrap();
        std::fs::write(previous.join("run.json"), RUN_JSON).unwrap();
        run(&out, &[("b.csv", "2")]).unwrap();
        assert_eq!(names(tmp.path()), ["lost", "out"]);
        assert_eq!(names(&tmp.path().join("lost")), ["run.json"]);
        assert_eq!(names(&out), ["b.csv", "run.json"]);
    }

    #[test]
    fn leftovers_of_a_live_run_are_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let Acquired::Held(_lock) = FolderLock::try_acquire(tmp.path(), "busy").unwrap() else {
            panic!("lock free")
        };
        std::fs::create_dir(tmp.path().join(".busy.evstudy-staging-1")).unwrap();
        run(&tmp.path().join("out"), &[]).unwrap();
        assert!(tmp.path().join(".busy.evstudy-staging-1").is_dir());
    }

    #[test]
    fn a_held_lock_is_an_error_at_once() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        run(&out, &[("a.csv", "1")]).unwrap();
        let Acquired::Held(lock) = FolderLock::try_acquire(tmp.path(), "out").unwrap() else {
            panic!("lock free")
        };
        let mut called = false;
        let err = write_folder(&out, &FolderOptions::REPLACE, |_| {
            called = true;
            Ok::<(), Error>(())
        })
        .unwrap_err()
        .to_string();
        assert!(!called);
        assert!(err.contains("another evstudy run is writing"), "{err}");
        assert!(err.contains(".out.evstudy-lock"), "{err}");
        assert_eq!(names(&out), ["a.csv", "run.json"]);
        drop(lock);
        run(&out, &[("b.csv", "2")]).unwrap();
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn a_foreign_folder_is_refused_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let mine = tmp.path().join("mine");
        std::fs::create_dir(&mine).unwrap();
        std::fs::write(mine.join("thesis.tex"), "x").unwrap();
        let err = run(&mine, &[("a.csv", "1")]).unwrap_err().to_string();
        assert!(err.contains("not an evstudy output folder"), "{err}");
        assert_eq!(names(&mine), ["thesis.tex"]);
        // A run.json that is not evstudy's does not make it ours.
        std::fs::write(mine.join("run.json"), "{\"x\": 1}").unwrap();
        assert!(run(&mine, &[]).is_err());
        // Keep: a subfolder is refused.
        std::fs::create_dir(mine.join("chapters")).unwrap();
        let keep = FolderOptions {
            inputs: &[],
            previous: Previous::Keep(&|_| false),
        };
        let err = write_folder(&mine, &keep, |_| Ok::<(), Error>(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'chapters'"), "{err}");
        assert_eq!(names(&mine), ["chapters", "run.json", "thesis.tex"]);
    }

    #[test]
    fn keep_carries_other_files_and_drops_stale_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("data");
        std::fs::create_dir(&out).unwrap();
        for name in [
            "README.md",
            "fig09_old.svg",
            "prices.csv",
            "prices.csv.tmp-12",
        ] {
            std::fs::write(out.join(name), "old").unwrap();
        }
        let keep = FolderOptions {
            inputs: &[],
            previous: Previous::Keep(&|n| n.starts_with("fig")),
        };
        write_folder(&out, &keep, |dir| {
            std::fs::write(dir.join("prices.csv"), "new").map_err(|e| Error::io(dir, e))
        })
        .unwrap();
        assert_eq!(names(&out), ["README.md", "prices.csv"]);
        assert_eq!(
            std::fs::read_to_string(out.join("README.md")).unwrap(),
            "old"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("prices.csv")).unwrap(),
            "new"
        );
    }

    #[test]
    fn an_output_equal_to_or_containing_an_input_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let prices = data.join("prices.csv");
        std::fs::write(&prices, "p").unwrap();
        let inputs = [prices.clone()];
        let options = FolderOptions {
            inputs: &inputs,
            previous: Previous::Keep(&|_| false),
        };
        // Also through `..` and `.`.
        for out in [
            data.clone(),
            data.join("../data/."),
            tmp.path().to_path_buf(),
        ] {
            let mut called = false;
            let err = write_folder(&out, &options, |_| {
                called = true;
                Ok::<(), Error>(())
            })
            .unwrap_err()
            .to_string();
            assert!(!called);
            assert!(err.contains("prices.csv"), "{err}");
        }
        assert!(refuse_inputs(&data.join("./prices.csv"), &inputs).is_err());
        assert_eq!(names(tmp.path()), ["data"]);
        assert_eq!(names(&data), ["prices.csv"]);
    }

    #[test]
    fn a_failed_run_leaves_the_previous_one() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        run(&out, &[("a.csv", "1")]).unwrap();
        let err = write_folder(&out, &FolderOptions::REPLACE, |dir| {
            std::fs::write(dir.join("half.csv"), "x").unwrap();
            Err::<(), Error>(Error::config("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(names(&out), ["a.csv", "run.json"]);
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn writers_called_inside_a_staged_run_join_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_folder(&out, &FolderOptions::REPLACE, |dir| {
            run(dir, &[("a.csv", "1")])?;
            write_folder(&dir.join("sub"), &FolderOptions::REPLACE, |sub| {
                std::fs::write(sub.join("b.csv"), "2").map_err(|e| Error::io(sub, e))
            })
        })
        .unwrap();
        assert_eq!(names(&out), ["a.csv", "run.json", "sub"]);
        assert_eq!(names(&out.join("sub")), ["b.csv"]);
        let listed = folder_files_of(&out);
        assert_eq!(listed, ["a.csv", "sub/b.csv"]);
    }

    fn folder_files_of(dir: &Path) -> Vec<String> {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
        json["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect()
    }
}
