//! The `files` list of `run.json`: every file of the run with its size and SHA-256, so a
//! folder can be checked against the run that wrote it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::digest::file_digest;
use super::swap::MARKER;
use super::write_atomic;
use crate::error::{Error, Result};

/// One file of an output folder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileEntry {
    /// Path relative to the folder, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, lower-case hexadecimal.
    pub sha256: String,
}

/// Every file below `dir` but `run.json` (and a staging marker), sorted by path, with size and
/// SHA-256 (taken while this process wrote the file, or the file read and hashed; files in
/// parallel).
///
/// # Errors
/// [`Error::Io`] naming a folder or file that cannot be read.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.csv"), b"abc").unwrap();
/// std::fs::write(dir.path().join("run.json"), b"{}").unwrap();
/// let files = evstudy::output::folder_files(dir.path()).unwrap();
/// assert_eq!(files.len(), 1);
/// assert_eq!(files[0].path, "a.csv");
/// assert_eq!(files[0].bytes, 3);
/// assert_eq!(files[0].sha256,
///            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn folder_files(dir: &Path) -> Result<Vec<FileEntry>> {
    let mut paths = Vec::new();
    list_files(dir, Path::new(""), &mut paths)?;
    paths.retain(|p| p != Path::new("run.json") && p != Path::new(MARKER));
    paths.sort();
    paths
        .par_iter()
        .map(|rel| {
            let full = dir.join(rel);
            let (bytes, sha256) = file_digest(&full).map_err(|e| Error::io(&full, e))?;
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            Ok(FileEntry {
                path: parts.join("/"),
                bytes,
                sha256,
            })
        })
        .collect()
}

/// Appends the files below `dir/rel` (relative to `dir`) to `out`.
fn list_files(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let here = dir.join(rel);
    for entry in std::fs::read_dir(&here).map_err(|e| Error::io(&here, e))? {
        let entry = entry.map_err(|e| Error::io(&here, e))?;
        let path = rel.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| Error::io(dir.join(&path), e))?;
        if kind.is_dir() {
            list_files(dir, &path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// If `dir` holds a `run.json` object, adds (or replaces) its last key `files`: the
/// [`folder_files`] of `dir`. The other keys keep their order and their text byte for byte
/// (the file is edited as text, so no number is re-printed).
pub(crate) fn add_files_to_run_json(dir: &Path) -> Result<()> {
    let path = dir.join("run.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&text)
    else {
        return Ok(());
    };
    let files = folder_files(dir)?;
    let listed = serde_json::to_string_pretty(&files)
        .map_err(|e| Error::file(path.display().to_string(), e.to_string()))?
        .replace('\n', "\n  ");
    let bad = || {
        Error::file(
            path.display().to_string(),
            "not a run.json written by evstudy",
        )
    };
    let mut body = text
        .trim_end()
        .strip_suffix('}')
        .ok_or_else(bad)?
        .trim_end();
    if map.contains_key("files") {
        body = match body.rfind(",\n  \"files\": ") {
            Some(k) => &body[..k],
            None => "{",
        };
    }
    let sep = if body == "{" { "" } else { "," };
    let new_text = format!("{body}{sep}\n  \"files\": {listed}\n}}\n");
    // The edit must have kept every other key (`files` was the last one) and value.
    let others = |m: &serde_json::Map<String, serde_json::Value>| {
        m.iter()
            .filter(|(k, _)| *k != "files")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    match serde_json::from_str::<serde_json::Value>(&new_text) {
        Ok(serde_json::Value::Object(m)) if others(&m) == others(&map) => {}
        _ => return Err(bad()),
    }
    write_atomic(&path, new_text.as_bytes())
}
