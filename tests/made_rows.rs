//! `abnormal_returns`, `cars` and `model_fits` made when written (the command line's runs)
//! against the held tables of `Study::run`: the same rows in the same order, the same files,
//! the same report. The demo study has same-date portfolios, whose rows are merged among the
//! pairs' by event id.

use evstudy::output::{write_outputs, OutputFormat};
use evstudy::study::{AbnormalReturnRows, Study};
use std::collections::BTreeSet;
use std::path::Path;

fn demo() -> Study {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap()
}

#[test]
fn made_rows_equal_held_rows_and_write_the_same_files() {
    let study = demo();
    let held = study.run().unwrap();
    let made = study.run_with(AbnormalReturnRows::Made).unwrap();
    assert!(made.tables.abnormal_returns.is_empty());
    let source = made.tables.abnormal_returns_made.clone().unwrap();
    let rows = &held.tables.abnormal_returns;
    assert!(rows.iter().any(|r| r.event_id.starts_with("PF:")));
    assert_eq!(source.len(), rows.len());
    assert_eq!(&source.rows(0..source.len()), rows);
    // Uneven ranges, as the writers ask for them, join into the same rows.
    let mut joined = Vec::new();
    let mut start = 0;
    for step in [1, 7, 26, 1000, 4093].iter().cycle() {
        if start >= source.len() {
            break;
        }
        let end = (start + step).min(source.len());
        joined.extend(source.rows(start..end));
        start = end;
    }
    assert_eq!(&joined, rows);
    let days: BTreeSet<i32> = rows.iter().map(|r| r.rel_day).collect();
    let groups: BTreeSet<String> = rows.iter().map(|r| r.group.to_string()).collect();
    assert_eq!(source.rel_days(), days);
    assert_eq!(source.groups(), groups);
    // cars and model_fits, portfolios included
    assert!(made.tables.cars.is_empty() && made.tables.model_fits.is_empty());
    let cars = made.tables.cars_made.clone().unwrap();
    assert!(held
        .tables
        .cars
        .iter()
        .any(|r| r.event_id.starts_with("PF:")));
    assert_eq!(cars.rows(0..cars.len()), held.tables.cars);
    assert_eq!(cars.rows(3..9), held.tables.cars[3..9]);
    let fits = made.tables.model_fits_made.clone().unwrap();
    assert_eq!(fits.rows(0..fits.len()), held.tables.model_fits);
    // day0_mapping
    assert!(made.tables.day0.is_empty() && !held.tables.day0.is_empty());
    let day0 = made.tables.day0_made.clone().unwrap();
    assert_eq!(day0.rows(0..day0.len()), held.tables.day0);
    assert_eq!(day0.rows(2..5), held.tables.day0[2..5]);
    let report = |t| evstudy::report::render_report(t, &serde_json::json!({}), "Demo").html;
    assert!(report(&held.tables) == report(&made.tables));

    let dir = std::env::temp_dir().join(format!("evstudy-made-rows-{}", std::process::id()));
    let formats = [OutputFormat::Csv, OutputFormat::Parquet];
    let info = serde_json::json!({});
    let a = write_outputs(&dir.join("held"), &held.tables, &formats, &info).unwrap();
    let b = write_outputs(&dir.join("made"), &made.tables, &formats, &info).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.file_name(), y.file_name());
        let same = std::fs::read(x).unwrap() == std::fs::read(y).unwrap();
        assert!(same, "{} differs", x.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn made_rows_become_a_dataframe_like_held_rows() {
    let study = demo();
    let held = evstudy::output::to_dataframes(&study.run().unwrap().tables).unwrap();
    let made_out = study.run_with(AbnormalReturnRows::Made).unwrap();
    let made = evstudy::output::to_dataframes(&made_out.tables).unwrap();
    assert_eq!(held.len(), made.len());
    for ((name, a), (other, b)) in held.iter().zip(&made) {
        assert_eq!(name, other);
        assert_eq!(a.height(), b.height(), "{name}");
        let bytes = |df| evstudy::output::parquet_bytes(name, df).unwrap();
        assert!(bytes(a) == bytes(b), "{name}");
    }
}

#[test]
fn made_columns_hold_the_values_of_the_rows() {
    use evstudy::tables::{AbnormalReturnRow, ColumnValues};
    let made = demo().run_with(AbnormalReturnRows::Made).unwrap();
    let source = made.tables.abnormal_returns_made.clone().unwrap();
    let n = source.len();
    let text = |c: &ColumnValues| -> Vec<String> {
        match c {
            ColumnValues::TextRuns(runs) => runs
                .iter()
                .flat_map(|(v, k)| std::iter::repeat_n(v.to_string(), *k))
                .collect(),
            other => panic!("not text: {other:?}"),
        }
    };
    // whole table, one row, ranges across blocks and portfolio rows, the last rows
    for range in [0..n, 0..1, 5..60, 25..27, 100..400, n - 3..n] {
        let rows = source.rows(range.clone());
        let cols = source.columns(range.clone()).unwrap();
        assert_eq!(cols.len(), 12);
        let labels = |f: fn(&AbnormalReturnRow) -> String| rows.iter().map(f).collect::<Vec<_>>();
        assert_eq!(text(&cols[0]), labels(|r| r.event_id.to_string()));
        assert_eq!(text(&cols[1]), labels(|r| r.security.to_string()));
        assert_eq!(text(&cols[2]), labels(|r| r.group.to_string()));
        assert_eq!(
            cols[3],
            ColumnValues::I32(rows.iter().map(|r| r.rel_day).collect())
        );
        assert_eq!(
            cols[4],
            ColumnValues::OptDate(rows.iter().map(|r| r.date).collect())
        );
        let floats: [fn(&AbnormalReturnRow) -> Option<f64>; 6] = [
            |r| r.ret,
            |r| r.expected_ret,
            |r| r.ar,
            |r| r.sar,
            |r| r.ar_se,
            |r| r.ar_p,
        ];
        // the float columns are null where a value is not finite
        let cells = |c: &ColumnValues| -> Vec<Option<f64>> {
            match c {
                ColumnValues::FiniteF64(v) => {
                    v.iter().map(|x| x.is_finite().then_some(*x)).collect()
                }
                other => panic!("not finite floats: {other:?}"),
            }
        };
        for (j, get) in floats.iter().enumerate() {
            let want: Vec<Option<f64>> = rows.iter().map(get).collect();
            assert_eq!(cells(&cols[5 + j]), want, "column {}", 5 + j);
        }
        assert_eq!(
            cols[11],
            ColumnValues::OptU32(rows.iter().map(|r| r.span).collect())
        );
    }
}
