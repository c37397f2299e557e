//! The documentation stays in step with the code:
//!
//! * every methodology citation in the Rust sources (a section sign followed by `N` or `N.M`)
//!   names a heading of `docs/methodology.md` (`## N.` or `### N.M`);
//! * `README.md` shows the exact test command that `.ci/run` runs.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The section sign, written as an escape so that this file cites no section itself.
const SECTION: char = '\u{a7}';

/// Folders whose `.rs` files are scanned, relative to the repository root.
const SOURCE_DIRS: [&str; 4] = ["src", "crates", "tests", "benches"];

/// Texts that, written just before a section sign, say that the section belongs to another
/// document (the C standard's `%g` conversion), not to the methodology.
const EXTERNAL_DOCUMENTS: [&str; 1] = ["C11 "];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, skipping build output (`target*` folders) and hidden folders.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with("target") && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The section numbers of the headings of `docs/methodology.md`: `N` for `## N. Title` and
/// `N.M` for `### N.M Title`.
fn methodology_sections(text: &str) -> BTreeSet<String> {
    let mut sections = BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("## ") {
            if let Some((num, _)) = rest.split_once(". ") {
                if !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()) {
                    sections.insert(num.to_string());
                }
            }
        } else if let Some(rest) = line.strip_prefix("### ") {
            let num = rest.split_whitespace().next().unwrap_or("");
            let parts: Vec<&str> = num.split('.').collect();
            let numeric = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
            if parts.len() == 2 && parts.iter().all(numeric) {
                sections.insert(num.to_string());
            }
        }
    }
    sections
}

/// Reads a section number (`7`, `7.3`, `7.21.6.1`) at the start of `chars`; returns it and the
/// number of characters read. A trailing dot (end of a sentence) is not part of it.
fn read_number(chars: &[char]) -> (String, usize) {
    let mut end = 0;
    while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
        end += 1;
    }
    let mut text: String = chars[..end].iter().collect();
    while text.ends_with('.') {
        text.pop();
    }
    let used = text.chars().count();
    (text, used)
}

/// The methodology citations of one line, in order. A range such as "2.3–2.4" after a section
/// sign cites both ends.
fn citations_in_line(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != SECTION {
            i += 1;
            continue;
        }
        let before: String = chars[..i].iter().collect();
        let external = EXTERNAL_DOCUMENTS.iter().any(|d| before.ends_with(d));
        let mut j = i + 1;
        if chars.get(j) == Some(&' ') {
            j += 1;
        }
        let (num, used) = read_number(&chars[j..]);
        if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
            i += 1;
            continue;
        }
        j += used;
        if !external {
            found.push(num);
            // "N.M–N.K" or "N–K" without a second section sign.
            if matches!(chars.get(j), Some('–') | Some('-'))
                && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit())
            {
                let (tail, tail_used) = read_number(&chars[j + 1..]);
                found.push(tail);
                j += 1 + tail_used;
            }
        }
        i = j.max(i + 1);
    }
    found
}

#[test]
fn every_section_cited_in_code_is_a_heading_of_the_methodology() {
    let root = repo_root();
    let doc_path = root.join("docs").join("methodology.md");
    let doc = fs::read_to_string(&doc_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", doc_path.display()));
    let sections = methodology_sections(&doc);
    assert!(
        sections.contains("0") && sections.contains("0.1"),
        "docs/methodology.md has no '## 0.' / '### 0.1' headings"
    );

    let mut files = Vec::new();
    for dir in SOURCE_DIRS {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(
        !files.is_empty(),
        "no .rs files found under {SOURCE_DIRS:?}"
    );

    let mut cited = 0;
    let mut unresolved = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (n, line) in text.lines().enumerate() {
            for section in citations_in_line(line) {
                cited += 1;
                if !sections.contains(&section) {
                    unresolved.push(format!("{shown}:{}: {SECTION}{section}", n + 1));
                }
            }
        }
    }
    assert!(cited > 0, "no methodology citations found in the sources");
    assert!(
        unresolved.is_empty(),
        "{} citation(s) name no heading of docs/methodology.md ('## N.' or '### N.M'):\n{}",
        unresolved.len(),
        unresolved.join("\n")
    );
}

#[test]
fn readme_shows_the_test_command_of_ci() {
    let root = repo_root();
    let ci = fs::read_to_string(root.join(".ci").join("run")).expect("cannot read .ci/run");
    let command = ci
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("cargo test") || l.starts_with("bash scripts/"))
        .expect(".ci/run has no line starting with `cargo test` or `bash scripts/`");
    let readme = fs::read_to_string(root.join("README.md")).expect("cannot read README.md");
    assert!(
        readme.lines().any(|l| l.trim() == command),
        "README.md does not show the test command of .ci/run on a line of its own: `{command}`"
    );
}

#[test]
fn citation_reader_handles_ranges_sentences_and_other_documents() {
    let s = SECTION;
    assert_eq!(
        citations_in_line(&format!("see {s}2.3–2.4 and {s}6–{s}10.")),
        ["2.3", "2.4", "6", "10"]
    );
    assert_eq!(citations_in_line(&format!("({s} 4.0).")), ["4.0"]);
    assert!(citations_in_line(&format!("ISO C11 {s}7.21.6.1")).is_empty());
    assert_eq!(citations_in_line(&format!("{s}7.21.6.1")), ["7.21.6.1"]);
    let doc = "## 7. Samples\n### 7.3 Average\n#### 7.3.1 deeper\n## Notes\n";
    let found: Vec<String> = methodology_sections(doc).into_iter().collect();
    assert_eq!(found, ["7", "7.3"]);
}
