//! Locating the project's shared reference data (`../shared` beside the repository): test
//! support, compiled into the library's unit tests and into each integration test that uses it.
//!
//! Tests that read shared data call [`shared_dir`]: it returns the folder, or `None` with a
//! printed reason when it is absent — except under `CI=true`, where a missing folder is a
//! failure (the data must be there in CI).

use std::path::PathBuf;

/// The shared folder: `$EVSTUDY_SHARED` if set, else `<crate root>/../shared`.
///
/// # Panics
/// When the folder is missing and the environment variable `CI` is `true` (tests must fail
/// loudly in CI rather than skip).

pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("EVSTUDY_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("shared")
        });
    if dir.join("reference").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!(
            "shared data folder not found at {} (set EVSTUDY_SHARED); it is required in CI",
            dir.display()
        );
    }
    eprintln!(
        "skipping: shared data folder not found at {} (set EVSTUDY_SHARED)",
        dir.display()
    );
    None
}
