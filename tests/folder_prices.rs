//! Prices read from a hive-partitioned folder of Parquet files (`ticker=…/year=…/*.parquet`)
//! give the same tables as the same prices in one CSV file, and partitions of tickers no
//! event needs are never opened.

use evstudy::output::csv_files;
use evstudy::study::Study;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// The demo's `date,ticker,close` rows, by ticker and year.
fn demo_rows(root: &Path) -> BTreeMap<(String, String), (Vec<String>, Vec<f64>)> {
    let text = std::fs::read_to_string(root.join("datasets/demo/prices.csv")).unwrap();
    let mut groups: BTreeMap<(String, String), (Vec<String>, Vec<f64>)> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let key = (cells[1].to_string(), cells[0][..4].to_string());
        let entry = groups.entry(key).or_default();
        entry.0.push(cells[0].to_string());
        entry.1.push(cells[2].parse().unwrap());
    }
    groups
}

/// Write the demo prices as `ticker=<t>/year=<y>/part-0.parquet` (tickers percent-escaped as
/// hive writers do), plus a partition of a ticker no event names whose file is not Parquet
/// at all, and a `_SUCCESS` marker.
fn write_hive_folder(root: &Path, dir: &Path) {
    for ((ticker, year), (dates, closes)) in demo_rows(root) {
        let escaped = ticker.replace('^', "%5E");
        let part = dir
            .join(format!("ticker={escaped}"))
            .join(format!("year={year}"));
        std::fs::create_dir_all(&part).unwrap();
        let mut df = df!("date" => dates, "close" => closes).unwrap();
        let file = std::fs::File::create(part.join("part-0.parquet")).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
    }
    let unused = dir.join("ticker=UNUSED");
    std::fs::create_dir_all(&unused).unwrap();
    std::fs::write(unused.join("part-0.parquet"), b"not parquet: never opened").unwrap();
    std::fs::write(dir.join("_SUCCESS"), b"").unwrap();
}

#[test]
fn a_hive_partitioned_folder_gives_the_tables_of_the_csv_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = root.join("datasets/demo");
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("prices");
    write_hive_folder(root, &folder);
    let study_text = std::fs::read_to_string(demo.join("study.toml"))
        .unwrap()
        .replace(
            "\"../events/",
            &format!("\"{}/datasets/events/", root.display()),
        )
        .replace(
            "\"securities.csv\"",
            &format!("\"{}/securities.csv\"", demo.display()),
        )
        .replace(
            "path = \"prices.csv\"",
            &format!("path = \"{}\"", folder.display()),
        );
    let study_file = tmp.path().join("study.toml");
    std::fs::write(&study_file, study_text).unwrap();

    let from_csv = Study::from_toml_file(&demo.join("study.toml"))
        .unwrap()
        .run()
        .unwrap();
    let from_folder = Study::from_toml_file(&study_file).unwrap().run().unwrap();
    let (a, b) = (csv_files(&from_csv.tables), csv_files(&from_folder.tables));
    assert_eq!(a.len(), b.len());
    for ((name_a, text_a), (name_b, text_b)) in a.iter().zip(&b) {
        assert_eq!(name_a, name_b);
        assert!(
            text_a == text_b,
            "{name_a} differs between the CSV and the folder"
        );
    }
    let summary = serde_json::to_string(&from_folder.run_info).unwrap();
    assert!(
        summary.contains("year=2024"),
        "the files read are listed as inputs"
    );
    assert!(
        !summary.contains("UNUSED"),
        "the unused partition is not read"
    );
}

#[test]
fn files_whose_columns_differ_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("prices");
    for (year, extra) in [("2024", false), ("2025", true)] {
        let part = dir.join("ticker=AAA").join(format!("year={year}"));
        std::fs::create_dir_all(&part).unwrap();
        let mut df = df!("date" => ["2024-01-02"], "close" => [1.0]).unwrap();
        if extra {
            df = df!("date" => ["2025-01-02"], "price" => [1.0]).unwrap();
        }
        let file = std::fs::File::create(part.join("p.parquet")).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
    }
    let src = evstudy::data::PriceSource::new(&dir);
    let err = evstudy::data::read_prices(&src).unwrap_err().to_string();
    assert!(err.contains("year=2025"), "{err}");
    assert!(
        err.contains("differ from those of the folder's first file"),
        "{err}"
    );
}
