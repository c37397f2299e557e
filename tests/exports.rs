//! The committed case-study exports must match what the code produces now.
//! Regenerate with:
//!   cargo run --release -- run --config datasets/china-ai-chips/study.toml --out notebooks-export/china-ai-chips --export
//!   cargo run --release -- backtest --config datasets/china-ai-chips/backtest.toml --out notebooks-export/china-ai-chips-backtest --export

#[path = "common/shared.rs"]
mod shared;

use evstudy::backtest::run_backtest;
use evstudy::design::Design;
use evstudy::study::{Study, StudyConfig};
use std::path::Path;

#[test]
fn china_ai_chips_export_is_fresh() {
    if shared::shared_dir().is_none() {
        return; // real prices live in ../shared (required in CI)
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let study = Study::from_toml_file(Path::new("datasets/china-ai-chips/study.toml")).unwrap();
    let out = study.run().unwrap();
    let files = evstudy::report::export_files(&out.tables, &out.run_info, &study.config.title);
    let dir = root.join("notebooks-export/china-ai-chips");
    for (name, bytes) in &files {
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(
            &committed == bytes,
            "notebooks-export/china-ai-chips/{name} is stale; regenerate with: cargo run --release -- run --config datasets/china-ai-chips/study.toml --out notebooks-export/china-ai-chips --export"
        );
    }
}

/// A number as the report rounds it: 4 significant digits, fixed notation for
/// 1e-4 ≤ |x| < 1e6 (written independently of the library's formatter).
fn four_digits(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    let a = x.abs();
    if (1e-4..1e6).contains(&a) {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

#[test]
fn china_ai_chips_report_headline_equals_the_aggregate_and_tests_tables() {
    if shared::shared_dir().is_none() {
        return; // real prices live in ../shared (required in CI)
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let study = Study::from_toml_file(Path::new("datasets/china-ai-chips/study.toml")).unwrap();
    let out = study.run().unwrap();
    let t = &out.tables;
    let report = evstudy::report::render_report(t, &out.run_info, &study.config.title);
    let section = report
        .markdown
        .split("## Headline results\n\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("headline table");
    let mut lines = section.lines();
    let header: Vec<&str> = lines.next().unwrap().split(" | ").collect();
    let windows: Vec<String> = header[1..]
        .iter()
        .map(|h| {
            h.trim_start_matches("CAAR ")
                .trim_end_matches(" |")
                .trim_end_matches(" (%)")
                .to_string()
        })
        .collect();
    let mut checked = 0;
    for line in lines.skip(1) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        // Markdown escapes the `*` of cross-group labels.
        let group = cells[0].replace("\\*", "*");
        let group = group.as_str();
        for (w, cell) in windows.iter().zip(&cells[1..]) {
            let agg = t
                .aggregate
                .iter()
                .find(|r| r.metric == "car" && r.group == group && r.window.as_deref() == Some(w))
                .unwrap_or_else(|| panic!("no aggregate row {group} {w}"));
            let test = t
                .tests
                .iter()
                .find(|r| {
                    r.test == "csect_t"
                        && r.scope.as_str() == "car"
                        && r.cluster.is_none()
                        && r.group == group
                        && r.window.as_deref() == Some(w)
                })
                .unwrap_or_else(|| panic!("no csect_t row {group} {w}"));
            let expected = format!(
                "{} (t {}, n {})",
                four_digits(100.0 * agg.mean.unwrap()),
                test.statistic.map_or("NA".to_string(), four_digits),
                test.n
            );
            assert_eq!(cell.replace("\\*", ""), expected, "{group} {w}");
            checked += 1;
        }
    }
    assert_eq!(checked, t.headline.len());
    // The DeepSeek day is in the per-event results, NVIDIA's day-0 CAR in percent.
    let nvda = t
        .cars
        .iter()
        .find(|r| r.security == "NVDA" && r.window == "0:0" && r.event_id == "MR03")
        .unwrap();
    assert!(nvda.car.unwrap() < -0.1);
    let deepseek = report
        .markdown
        .split("### 2025-01-27 DeepSeek")
        .nth(1)
        .expect("the DeepSeek day has its own per-event table");
    let row = deepseek
        .lines()
        .find(|l| l.starts_with("| Nvidia |"))
        .expect("NVDA's row, by name");
    assert!(
        row.contains(&format!(
            "| {}\\*\\*\\* (t ",
            four_digits(100.0 * nvda.car.unwrap())
        )),
        "{row}"
    );
}

/// The command that regenerates the backtest export.
const BACKTEST_REGENERATE: &str = "cargo run --release -- backtest --config datasets/china-ai-chips/backtest.toml --out notebooks-export/china-ai-chips-backtest --export";

#[test]
fn china_ai_chips_backtest_export_is_fresh() {
    if shared::shared_dir().is_none() {
        return; // real prices live in ../shared (required in CI)
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let cfg =
        StudyConfig::from_toml_file(Path::new("datasets/china-ai-chips/backtest.toml")).unwrap();
    let run = run_backtest(&cfg).unwrap();
    let info = evstudy::report::backtest_report_info(&cfg, &run.notes);
    let title = Design::from_file(&cfg).unwrap().title;
    let files =
        evstudy::report::backtest_export_files(&run.tables, &run.study.tables, &info, &title);
    // Regenerated in a fresh folder, then compared file by file with the committed one.
    let fresh = tempfile::tempdir().unwrap();
    evstudy::report::write_backtest_export(
        fresh.path(),
        &run.tables,
        &run.study.tables,
        &info,
        &title,
    )
    .unwrap();
    let dir = root.join("notebooks-export/china-ai-chips-backtest");
    for (name, bytes) in &files {
        assert_eq!(&std::fs::read(fresh.path().join(name)).unwrap(), bytes);
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(
            &committed == bytes,
            "notebooks-export/china-ai-chips-backtest/{name} is stale; regenerate with: {BACKTEST_REGENERATE}"
        );
    }
    // The folder holds nothing the export no longer writes, besides its README.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name == "README.md" || files.iter().any(|(n, _)| *n == name),
            "notebooks-export/china-ai-chips-backtest/{name} is not part of the export; remove it"
        );
    }
    // The README states the result in the report's own words and numbers.
    let report = String::from_utf8(files[0].1.clone()).unwrap();
    let headline = report
        .split("## Headline\n\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap();
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(
        readme.replace('\n', " ").contains(headline),
        "notebooks-export/china-ai-chips-backtest/README.md must quote the report's headline sentence: {headline}"
    );
}

#[test]
fn demo_study_runs_end_to_end_and_recovers_injected_effects() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let study = Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap();
    let out = study.run().unwrap();
    assert!(
        out.summary.pairs_analysed > 250,
        "{}",
        out.summary.pairs_analysed
    );
    // Injected: +4 % on day 0 for China AI chips on export-control events (demo docs).
    let row = out
        .tables
        .aggregate
        .iter()
        .find(|r| {
            r.group == "security_group:china_ai_chips" && r.metric == "ar" && r.rel_day == Some(0)
        })
        .expect("aggregate row");
    assert!(
        row.mean.unwrap() > 0.01,
        "AAR day 0 china_ai_chips = {:?}",
        row.mean
    );
    // Every pair is accounted for: analysed or excluded with a reason.
    let analysed: std::collections::BTreeSet<(String, String)> = out
        .tables
        .model_fits
        .iter()
        .filter(|r| r.security != "PORTFOLIO")
        .map(|r| (r.event_id.to_string(), r.security.to_string()))
        .collect();
    let excluded: std::collections::BTreeSet<(String, String)> = out
        .tables
        .exclusions
        .iter()
        .filter(|r| matches!(r.stage.as_str(), "input" | "day0" | "estimation"))
        .map(|r| (r.event_id.clone(), r.security.clone()))
        .collect();
    assert_eq!(
        analysed.len() + excluded.iter().filter(|k| !k.0.is_empty()).count(),
        out.summary.pairs_total
    );
}

#[test]
fn demo_study_per_pair_tables_join_to_events_and_securities() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let study = Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap();
    let t = study.run().unwrap().tables;
    let events: std::collections::BTreeSet<&str> =
        t.events.iter().map(|r| r.event_id.as_str()).collect();
    let securities: std::collections::BTreeSet<&str> =
        t.securities.iter().map(|r| r.security.as_str()).collect();
    assert!(!events.is_empty() && !securities.is_empty());
    // Same-date portfolios are pseudo-events `PF:<date>` of pseudo-security `PORTFOLIO`.
    let pairs = t
        .abnormal_returns
        .iter()
        .map(|r| (r.event_id.as_str(), r.security.as_str()))
        .chain(
            t.cars
                .iter()
                .map(|r| (r.event_id.as_str(), r.security.as_str())),
        )
        .chain(
            t.model_fits
                .iter()
                .map(|r| (r.event_id.as_str(), r.security.as_str())),
        )
        .chain(
            t.day0
                .iter()
                .map(|r| (r.event_id.as_str(), r.security.as_str())),
        )
        .chain(
            t.exclusions
                .iter()
                .map(|r| (r.event_id.as_str(), r.security.as_str())),
        );
    for (event_id, security) in pairs {
        if event_id.starts_with("PF:") {
            continue;
        }
        assert!(events.contains(event_id), "orphan event {event_id}");
        assert!(
            security.is_empty() || securities.contains(security),
            "orphan security {security} of {event_id}"
        );
    }
    // n_analysed counts the pairs with a model fit.
    let fits = t.model_fits.iter().filter(|r| r.security != "PORTFOLIO");
    let total: u32 = t.events.iter().map(|r| r.n_analysed).sum();
    assert_eq!(total as usize, fits.count());
    assert!(t.events.iter().all(|r| r.n_analysed <= r.n_pairs));
}
