//! Partitioned execution through the real binary: `run --partition i/K` for every i, then
//! `merge`, writes the very files a plain `run` writes (every table, CSV and Parquet, LaTeX
//! and the charts; `run.json`, also shown in the report, records the partials read), and a
//! merge of the wrong folders stops with a message naming the folder.

use polars::prelude::{ParquetReader, SerReader};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod common;
use common::evstudy;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo() -> String {
    root()
        .join("datasets/demo/study.toml")
        .display()
        .to_string()
}

/// Runs the binary and requires success.
fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = evstudy(args);
    assert_eq!(code, 0, "evstudy {args:?}\n{stdout}{stderr}");
    stdout
}

/// Runs the binary and requires exit 1; returns stderr.
fn refused(args: &[&str]) -> String {
    let (code, stdout, stderr) = evstudy(args);
    assert_eq!(code, 1, "evstudy {args:?} should fail\n{stdout}{stderr}");
    stderr
}

/// The partial-result folders of partitions 1..=k of `config`, under `dir`.
fn partials(config: &str, dir: &Path, k: usize) -> Vec<String> {
    (1..=k)
        .map(|i| {
            let out = dir.join(format!("part-{i}-of-{k}")).display().to_string();
            let p = format!("{i}/{k}");
            ok(&["run", "--config", config, "--partition", &p, "--out", &out]);
            out
        })
        .collect()
}

/// A plain run of `config` into `dir/plain`.
fn plain_run(config: &str, dir: &Path) -> PathBuf {
    let plain = dir.join("plain");
    ok(&[
        "run",
        "--config",
        config,
        "--out",
        &plain.display().to_string(),
    ]);
    plain
}

/// `merge` of `parts` into `out`.
fn merge_args<'a>(config: &'a str, out: &'a str, parts: &'a [String]) -> Vec<&'a str> {
    let mut args = vec!["merge", "--config", config, "--out", out];
    args.extend(parts.iter().map(String::as_str));
    args
}

/// Every file of a folder but `run.json`, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "run.json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// The merged folder holds the plain run's files, byte for byte.
fn assert_same_outputs(plain: &Path, merged: &Path) {
    let (a, b) = (files(plain), files(merged));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "file lists differ"
    );
    for name in [
        "cars.csv",
        "cars.parquet",
        "tests.csv",
        "abnormal_returns.parquet",
    ] {
        assert!(
            a.contains_key(name),
            "{name} missing from {}",
            plain.display()
        );
    }
    for (name, bytes) in &a {
        if name.starts_with("report.") {
            assert_only_partials_added(name, bytes, &b[name]);
        } else {
            assert!(
                bytes == &b[name],
                "{name} differs between the plain run and the merge"
            );
        }
    }
}

/// The report embeds `run.json`: the merged one may only add the `partials` block to it.
fn assert_only_partials_added(name: &str, plain: &[u8], merged: &[u8]) {
    let prefix = plain.iter().zip(merged).take_while(|(x, y)| x == y).count();
    let rest = plain.len() - prefix;
    let suffix = plain[prefix..]
        .iter()
        .rev()
        .zip(merged[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    assert_eq!(
        suffix, rest,
        "{name}: the merge changed more than run.json's partials"
    );
    let added = String::from_utf8_lossy(&merged[prefix..merged.len() - suffix]);
    assert!(added.contains("partials"), "{name}: added {added}");
}

/// A `day0_mapping.csv` day 0 whose securities fall in more than one of k partitions.
fn spanning_cluster(day0_mapping: &Path, k: usize) -> Option<String> {
    let text = std::fs::read_to_string(day0_mapping).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (sec, day0) = (col("security"), col("day0"));
    let mut parts: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if !cells[day0].is_empty() {
            let p = evstudy::study::partition_of(cells[sec], k);
            parts.entry(cells[day0].to_string()).or_default().insert(p);
        }
    }
    parts.into_iter().find(|(_, p)| p.len() > 1).map(|(d, _)| d)
}

#[test]
fn demo_partitions_merge_into_the_plain_run() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo();
    let plain = plain_run(&config, dir.path());
    for k in [1, 2, 7] {
        if k > 1 {
            let day = spanning_cluster(&plain.join("day0_mapping.csv"), k);
            assert!(day.is_some(), "no same-date cluster spans {k} partitions");
        }
        let parts = partials(&config, dir.path(), k);
        let merged = dir.path().join(format!("merged-{k}"));
        let out = merged.display().to_string();
        let line = ok(&merge_args(&config, &out, &parts));
        assert!(line.contains("pairs analysed"), "{line}");
        assert_same_outputs(&plain, &merged);
        let run: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(merged.join("run.json")).unwrap())
                .unwrap();
        assert_eq!(run["partials"].as_array().unwrap().len(), k);
        let base: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(plain.join("run.json")).unwrap())
                .unwrap();
        for key in ["config", "inputs", "counts", "group_diagnostics"] {
            assert_eq!(run[key], base[key], "run.json {key}");
        }
    }
}

#[test]
fn partition_folders_hold_a_manifest_and_the_engine_rows() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo();
    let parts = partials(&config, dir.path(), 2);
    let mut jobs = 0;
    for (i, part) in parts.iter().enumerate() {
        let text = std::fs::read_to_string(Path::new(part).join("partial.json")).unwrap();
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (m["partition"].as_u64(), m["partitions"].as_u64()),
            (Some(i as u64 + 1), Some(2))
        );
        jobs += m["jobs"].as_u64().unwrap();
        let file = std::fs::File::open(Path::new(part).join("engine.parquet")).unwrap();
        let df = ParquetReader::new(file).finish().unwrap();
        assert_eq!(df.height() as u64, m["jobs"].as_u64().unwrap());
        assert!(df.column("est_resid").is_ok() && df.column("car").is_ok());
    }
    let text = std::fs::read_to_string(Path::new(&parts[0]).join("partial.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        m["jobs_total"].as_u64(),
        Some(jobs),
        "the partitions share out every job"
    );
    // `--timings` times the phases of a partition too
    let out = dir.path().join("timed").display().to_string();
    let args = [
        "run",
        "--config",
        &config,
        "--partition",
        "1/2",
        "--out",
        &out,
        "--timings",
    ];
    let (code, _, stderr) = evstudy(&args);
    assert_eq!(code, 0, "{stderr}");
    for phase in ["load", "day0", "compute", "write_partial"] {
        assert!(
            stderr.contains(&format!("timing {phase} ")),
            "{phase}: {stderr}"
        );
    }
}

#[test]
fn workers_may_name_the_study_file_by_another_path() {
    let dir = tempfile::tempdir().unwrap();
    let part1 = dir.path().join("p1").display().to_string();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_evstudy"))
        .current_dir(root())
        .args([
            "run",
            "--config",
            "datasets/demo/study.toml",
            "--partition",
            "1/2",
        ])
        .args(["--out", &part1])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let config = demo();
    let part2 = dir.path().join("p2").display().to_string();
    ok(&[
        "run",
        "--config",
        &config,
        "--partition",
        "2/2",
        "--out",
        &part2,
    ]);
    let out = dir.path().join("merged").display().to_string();
    ok(&merge_args(&config, &out, &[part1, part2]));
}

#[test]
fn a_merge_of_the_wrong_folders_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo();
    let parts = partials(&config, dir.path(), 3);
    let out = dir.path().join("merged").display().to_string();

    let e = refused(&merge_args(&config, &out, &parts[..2]));
    assert!(e.contains("partition 3/3 missing"), "{e}");

    let twice = [parts.clone(), vec![parts[1].clone()]].concat();
    let e = refused(&merge_args(&config, &out, &twice));
    assert!(
        e.contains(&parts[1]) && e.contains("give each partition once"),
        "{e}"
    );

    let other_k = partials(&config, &dir.path().join("k2"), 2);
    let mixed = vec![parts[0].clone(), parts[1].clone(), other_k[1].clone()];
    let e = refused(&merge_args(&config, &out, &mixed));
    assert!(
        e.contains(&other_k[1]) && e.contains("is partition 2/2"),
        "{e}"
    );

    // The same study with another minimum of estimation returns, paths made absolute.
    let demo_dir = root().join("datasets/demo");
    let text = std::fs::read_to_string(demo_dir.join("study.toml"))
        .unwrap()
        .replace(
            "min_estimation_returns = 120",
            "min_estimation_returns = 100",
        )
        .replace(
            "\"../events/",
            &format!("\"{}/../events/", demo_dir.display()),
        )
        .replace(
            "\"securities.csv\"",
            &format!("\"{}/securities.csv\"", demo_dir.display()),
        )
        .replace(
            "\"prices.csv\"",
            &format!("\"{}/prices.csv\"", demo_dir.display()),
        );
    let other = dir.path().join("other.toml");
    std::fs::write(&other, text).unwrap();
    let other_cfg = other.display().to_string();
    let foreign = partials(&other_cfg, &dir.path().join("other"), 3);
    let mixed = vec![parts[0].clone(), foreign[1].clone(), parts[2].clone()];
    let e = refused(&merge_args(&config, &out, &mixed));
    assert!(
        e.contains(&foreign[1]) && e.contains("another study configuration"),
        "{e}"
    );

    let not_partial = dir.path().join("plain");
    std::fs::create_dir(&not_partial).unwrap();
    let shown = not_partial.display().to_string();
    let e = refused(&merge_args(&config, &out, &[shown.clone()]));
    assert!(
        e.contains(&shown) && e.contains("not a partial-result folder"),
        "{e}"
    );
    assert!(!Path::new(&out).exists(), "a refused merge writes nothing");

    // A partial changed since it was written.
    let engine = Path::new(&parts[1]).join("engine.parquet");
    let mut bytes = std::fs::read(&engine).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&engine, bytes).unwrap();
    let e = refused(&merge_args(&config, &out, &parts));
    assert!(
        e.contains(&engine.display().to_string()) && e.contains("SHA-256 differs"),
        "{e}"
    );

    for bad in ["0/3", "4/3", "3", "a/b"] {
        let e = refused(&[
            "run",
            "--config",
            &config,
            "--partition",
            bad,
            "--out",
            &out,
        ]);
        assert!(e.contains("--partition must be i/K with 1 ≤ i ≤ K"), "{e}");
    }
}

/// A copy of the demo study (study file, prices, securities, events) under `dir`.
fn demo_copy(dir: &Path) -> PathBuf {
    let (demo, events) = (dir.join("demo"), dir.join("events"));
    std::fs::create_dir_all(&demo).unwrap();
    std::fs::create_dir_all(&events).unwrap();
    let from = root().join("datasets");
    for name in ["study.toml", "prices.csv", "securities.csv"] {
        std::fs::copy(from.join("demo").join(name), demo.join(name)).unwrap();
    }
    let calendar = "china_ai_chips.csv";
    std::fs::copy(from.join("events").join(calendar), events.join(calendar)).unwrap();
    demo.join("study.toml")
}

#[test]
fn a_merge_on_other_input_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo_copy(dir.path());
    let config = study.display().to_string();
    let parts = partials(&config, dir.path(), 2);
    // One price changed after the partitions ran: same configuration, other input files.
    let prices = study.with_file_name("prices.csv");
    let text = std::fs::read_to_string(&prices).unwrap();
    let text = text.replacen(
        "2025-12-31,^HSI,22002.4613",
        "2025-12-31,^HSI,22002.4614",
        1,
    );
    std::fs::write(&prices, text).unwrap();
    let out = dir.path().join("merged").display().to_string();
    let e = refused(&merge_args(&config, &out, &parts));
    assert!(
        e.contains(&parts[0]) && e.contains("other input files"),
        "{e}"
    );
}

#[test]
fn china_case_study_partitions_merge_into_the_plain_run() {
    let study = root().join("datasets/china-ai-chips/study.toml");
    let prices = root().join("../shared/datasets-raw/ashare_baostock_qfq_uwater1_2021_2026.csv");
    if !prices.is_file() {
        eprintln!(
            "skipping: the case study's shared prices are absent ({})",
            prices.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = study.display().to_string();
    let plain = plain_run(&config, dir.path());
    // The optional phases after the engine are part of the comparison.
    for name in [
        "car_regression.csv",
        "variance_ratio.csv",
        "volume_cars.csv",
        "differences.csv",
    ] {
        assert!(
            plain.join(name).is_file(),
            "{name} missing from the plain run"
        );
    }
    let parts = partials(&config, dir.path(), 3);
    let merged = dir.path().join("merged");
    ok(&merge_args(&config, &merged.display().to_string(), &parts));
    assert_same_outputs(&plain, &merged);
}
