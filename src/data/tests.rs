//! Ingest tests: every shared raw file loads with known values; one test per error case.

use super::long::ticker_ids_by_row;
use super::table::{dates_by_lookup, CellColumn, TextTable};
use super::*;
use approx::assert_relative_eq;
use chrono::NaiveDate;
use polars::prelude::*;
use std::path::PathBuf;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn raw(name: &str) -> Option<PathBuf> {
    crate::shared_data::shared_dir().map(|p| p.join("datasets-raw").join(name))
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn tommy66779_nvda_known_closes() {
    let Some(path) = raw("close_split_adjusted_tommy66779_2021_2026.csv") else {
        return;
    };
    let panel = read_prices(&PriceSource::new(path)).unwrap();
    let nvda = panel.get("NVDA").unwrap();
    assert_eq!(nvda.value_on(d("2025-01-24")), Some(142.62));
    assert_eq!(nvda.value_on(d("2025-01-27")), Some(118.42));
    assert_eq!(nvda.value_on(d("2024-06-07")), Some(120.888));
    assert_eq!(panel.len(), 3);
    assert_eq!(nvda.dates.len(), 1369);
}

#[test]
fn baostock_cambricon_and_suspension() {
    let Some(path) = raw("ashare_baostock_qfq_uwater1_2021_2026.csv") else {
        return;
    };
    let mut src = PriceSource::new(path);
    src.tradestatus_col = Some("tradestatus".into());
    let panel = read_prices(&src).unwrap();
    let cam = panel.get("688256.SS").unwrap();
    assert_eq!(cam.value_on(d("2025-08-28")), Some(1587.91));
    assert_eq!(cam.value_on(d("2025-08-27")), Some(1372.10));
    let smic = panel.get("688981.SS").unwrap();
    // Suspended 2025-09-01..09-08: a missing price, not the carried-forward one.
    assert!(smic.value_on(d("2025-09-02")).unwrap().is_nan());
    assert_eq!(smic.issues.first_suspended, Some(d("2025-09-01")));
    assert!(smic.issues.suspended >= 6);
}

#[test]
fn suiwenfeng_raw_ashares() {
    let Some(path) = raw("ashare_raw_suiwenfeng_2021_2025.csv") else {
        return;
    };
    let panel = read_prices(&PriceSource::new(path)).unwrap();
    assert_eq!(panel.len(), 3);
    assert_eq!(panel.get("688256.SS").unwrap().dates.len(), 1013);
    assert_eq!(
        panel.get("688256.SS").unwrap().value_on(d("2021-03-18")),
        Some(144.22)
    );
}

#[test]
fn zjplab_adjusted_closes() {
    let Some(path) = raw("yf_adjusted_zjplab_2021_2026.csv") else {
        return;
    };
    let panel =
        read_prices(&PriceSource::new(path).with_columns("date", "ticker", "adj_close")).unwrap();
    assert_relative_eq!(
        panel
            .get("^GSPC")
            .unwrap()
            .value_on(d("2025-01-27"))
            .unwrap(),
        6012.28,
        max_relative = 1e-6
    );
    assert_eq!(
        panel.get("NVDA").unwrap().value_on(d("2025-01-24")),
        Some(142.407288)
    );
    assert_eq!(panel.get("9888.HK").unwrap().dates.len(), 1330);
    assert_eq!(panel.len(), 9);
}

#[test]
fn koiwest_baba_rebound_day() {
    let Some(path) = raw("yf_adjusted_koiwest_us_2021_2026.csv") else {
        return;
    };
    let panel =
        read_prices(&PriceSource::new(path).with_columns("date", "ticker", "adj_close")).unwrap();
    let baba = panel.get("BABA").unwrap();
    let i = baba.dates.binary_search(&d("2022-03-16")).unwrap();
    let r = baba.values[i] / baba.values[i - 1] - 1.0;
    assert!((r - 0.368).abs() < 0.001, "BABA return on 2022-03-16 = {r}");
}

#[test]
fn index_levels_need_a_source_priority() {
    let Some(path) = raw("index_levels_2021_2026.csv") else {
        return;
    };
    // ^HSI comes from two sources that overlap on six days.
    let err = read_prices(&PriceSource::new(&path))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("duplicate (date, ticker)")
            && err.contains("^HSI")
            && err.contains("column 'date'"),
        "{err}"
    );
    let mut src = PriceSource::new(&path);
    src.source_col = Some("source".into());
    src.source_priority = vec!["tapi262/portfolio_opt".into()];
    let panel = read_prices(&src).unwrap();
    assert_eq!(
        panel
            .get("^HSI")
            .unwrap()
            .value_on(d("2025-01-27"))
            .map(|x| (x * 100.0).round() / 100.0),
        Some(20197.77)
    );
    assert_eq!(
        panel
            .get("000300.SS")
            .unwrap()
            .value_on(d("2025-01-27"))
            .map(|x| (x * 100.0).round() / 100.0),
        Some(3817.08)
    );
    assert_eq!(
        panel
            .get("^NDX")
            .unwrap()
            .value_on(d("2025-01-27"))
            .map(|x| (x * 100.0).round() / 100.0),
        Some(21127.28)
    );
    let hsi = panel.get("^HSI").unwrap();
    assert_eq!(hsi.dates.len(), 1060 + 133 - 6);
}

#[test]
fn fama_french_factors_in_percent() {
    let Some(path) = raw("ff_us_3factors_mom_daily_1926_2026.csv") else {
        return;
    };
    let src = FactorSource {
        path,
        date_col: "date".into(),
        columns: vec!["mkt_rf".into(), "smb".into(), "hml".into(), "mom".into()],
        rf_col: Some("rf".into()),
        scale: 0.01,
        date_format: None,
    };
    let t = read_factors(&src).unwrap();
    let i = t.position(d("2025-01-27")).unwrap();
    assert_relative_eq!(t.columns[0][i], -0.0149, max_relative = 1e-12);
    assert_relative_eq!(t.columns[2][i], 0.025, max_relative = 1e-12);
    assert_eq!(t.dates.len(), 26233);
    assert!(t.columns[3][0].is_nan()); // mom starts 1926-11-03
}

#[test]
fn wide_layout_and_unsorted_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "w.csv",
        "date,AAA,BBB\n2025-01-03,11,21\n2025-01-02,10,\n",
    );
    let panel = read_prices(&PriceSource::new(&p).wide()).unwrap();
    assert_eq!(panel.get("AAA").unwrap().values, vec![10.0, 11.0]);
    assert_eq!(panel.get("BBB").unwrap().dates, vec![d("2025-01-03")]);
}

#[test]
fn semicolon_and_decimal_comma() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "s.csv", "date;ticker;close\n2025-01-02;AAA;1.234,5\n");
    let mut src = PriceSource::new(&p);
    src.decimal_comma = true;
    assert_eq!(
        read_prices(&src).unwrap().get("AAA").unwrap().values,
        vec![1234.5]
    );
}

#[test]
fn bom_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "b.csv",
        "\u{feff}date,ticker,close\r\n2025-01-02,AAA,10\r\n2025-01-03,AAA,11\r\n",
    );
    let panel = read_prices(&PriceSource::new(&p)).unwrap();
    assert_eq!(panel.get("AAA").unwrap().values, vec![10.0, 11.0]);
}

#[test]
fn parquet_roundtrip() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.parquet");
    let dates =
        DateChunked::from_naive_date(PlSmallStr::from("date"), [d("2025-01-03"), d("2025-01-02")]);
    let mut df = DataFrame::new_infer_height(vec![
        dates.into_series().into(),
        Column::new("ticker".into(), ["AAA", "AAA"]),
        Column::new("close".into(), [11.0f64, 10.0]),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let panel = read_prices(&PriceSource::new(&p)).unwrap();
    let s = panel.get("AAA").unwrap();
    assert_eq!(s.dates, vec![d("2025-01-02"), d("2025-01-03")]);
    assert_eq!(s.values, vec![10.0, 11.0]);
}

#[test]
fn bad_prices_are_missing_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "p.csv", "date,ticker,close\n2025-01-02,AAA,10\n2025-01-03,AAA,0\n2025-01-06,AAA,-1\n2025-01-07,AAA,NaN\n2025-01-08,AAA,inf\n2025-01-09,AAA,\n2025-01-10,AAA,12\n");
    let s = read_prices(&PriceSource::new(&p))
        .unwrap()
        .series
        .remove("AAA")
        .unwrap();
    assert_eq!(s.issues.bad_price, 5);
    assert_eq!(s.issues.first_bad_price, Some(d("2025-01-03")));
    assert_eq!(s.values.iter().filter(|v| v.is_nan()).count(), 5);
}

// ---- one test per error case: each names file, row and column ----

fn err_of(text: &str, src: impl FnOnce(PathBuf) -> PriceSource) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "in.csv", text);
    read_prices(&src(p)).unwrap_err().to_string()
}

#[test]
fn error_missing_column() {
    let e = err_of("date,ticker,price\n2025-01-02,AAA,1\n", PriceSource::new);
    assert!(
        e.contains("in.csv")
            && e.contains("missing column 'close'")
            && e.contains("date, ticker, price"),
        "{e}"
    );
}

#[test]
fn error_unparsable_date() {
    let e = err_of(
        "date,ticker,close\n2025-01-02,AAA,1\n02/01/2025,AAA,2\n",
        PriceSource::new,
    );
    assert!(
        e.contains("in.csv: row 3, column 'date'") && e.contains("unparsable date '02/01/2025'"),
        "{e}"
    );
}

#[test]
fn error_impossible_date() {
    let e = err_of("date,ticker,close\n2025-02-30,AAA,1\n", PriceSource::new);
    assert!(
        e.contains("row 2, column 'date'") && e.contains("impossible date '2025-02-30'"),
        "{e}"
    );
}

#[test]
fn error_duplicate_key() {
    let e = err_of(
        "date,ticker,close\n2025-01-02,AAA,1\n2025-01-03,AAA,2\n2025-01-02,AAA,3\n",
        PriceSource::new,
    );
    assert!(
        e.contains("row 4, column 'date'") && e.contains("also on row 2"),
        "{e}"
    );
}

#[test]
fn error_text_price() {
    let e = err_of("date,ticker,close\n2025-01-02,AAA,abc\n", PriceSource::new);
    assert!(
        e.contains("row 2, column 'close'") && e.contains("not a number: 'abc'"),
        "{e}"
    );
}

#[test]
fn error_non_positive_price_when_strict() {
    let e = err_of(
        "date,ticker,close\n2025-01-02,AAA,1\n2025-01-03,AAA,-5\n",
        |p| PriceSource {
            strict: true,
            ..PriceSource::new(p)
        },
    );
    assert!(
        e.contains("row 3, column 'close'") && e.contains("> 0"),
        "{e}"
    );
}

#[test]
fn error_non_finite_price_when_strict() {
    let e = err_of("date,ticker,close\n2025-01-02,AAA,inf\n", |p| PriceSource {
        strict: true,
        ..PriceSource::new(p)
    });
    assert!(e.contains("row 2, column 'close'"), "{e}");
}

#[test]
fn error_empty_file() {
    let e = err_of("", PriceSource::new);
    assert!(e.contains("in.csv") && e.contains("empty"), "{e}");
}

#[test]
fn error_header_only() {
    let e = err_of("date,ticker,close\n", PriceSource::new);
    assert!(e.contains("in.csv") && e.contains("no data rows"), "{e}");
}

#[test]
fn error_unreadable_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "bad.parquet", "this is not parquet");
    let e = read_prices(&PriceSource::new(&p)).unwrap_err().to_string();
    assert!(
        e.contains("bad.parquet") && e.contains("unreadable Parquet"),
        "{e}"
    );
}

#[test]
fn error_directory() {
    let dir = tempfile::tempdir().unwrap();
    let e = read_prices(&PriceSource::new(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("is a directory"), "{e}");
}

#[test]
fn error_same_ticker_in_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "a.csv", "date,ticker,close\n2025-01-02,AAA,1\n");
    let b = write(&dir, "b.csv", "date,ticker,close\n2025-01-02,AAA,2\n");
    let srcs = [PriceSource::new(&a), PriceSource::new(&b)];
    let e = read_all(&srcs, None).unwrap_err().to_string();
    assert!(
        e.contains("b.csv") && e.contains("also in") && e.contains("2025-01-02"),
        "{e}"
    );
    let won = read_all(&srcs, Some(b.to_str().unwrap())).unwrap();
    assert_eq!(won.get("AAA").unwrap().values, vec![2.0]);
}

// ---- bad inputs found by the reliability corpus (tests/bad_inputs) ----

#[test]
fn short_row_is_an_error_naming_the_row_not_an_empty_close() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.csv",
        "date,ticker,close\n2025-01-02,AAA,10\n2025-01-03,AAA\n2025-01-06,AAA,\n",
    );
    let e = read_prices(&PriceSource::new(&p)).unwrap_err().to_string();
    assert!(
        e.contains("p.csv: row 3, column 'close': row has 2 field(s) but the header has 3"),
        "{e}"
    );
    // An empty last field is an empty close (a missing value), not a short row.
    let p = write(
        &dir,
        "q.csv",
        "date,ticker,close\n2025-01-02,AAA,10\n2025-01-06,AAA,\n",
    );
    let panel = read_prices(&PriceSource::new(&p)).unwrap();
    assert_eq!(panel.get("AAA").unwrap().issues.bad_price, 1);
}

#[test]
fn long_row_is_an_error_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.csv",
        "date,ticker,close\n2025-01-02,AAA,10\n2025-01-03,AAA,1,1\n",
    );
    let e = read_prices(&PriceSource::new(&p)).unwrap_err().to_string();
    assert!(
        e.contains("p.csv: row 3, column 'field 4': row has 4 field(s) but the header has 3"),
        "{e}"
    );
}

#[test]
fn semicolon_file_read_with_commas_says_which_separator() {
    let dir = tempfile::tempdir().unwrap();
    // With and without decimal commas (the first makes polars fail, the second reads one column).
    for body in ["2025-01-02;AAA;10,5\n", "2025-01-02;AAA;10\n"] {
        let p = write(&dir, "p.csv", &format!("date;ticker;close\n{body}"));
        let e = read_prices(&PriceSource::new(&p)).unwrap_err().to_string();
        assert!(
            e.contains("seems to use ';' as separator") && e.contains("separator = \";\""),
            "{e}"
        );
    }
    // Declared: read fine.
    let p = write(&dir, "p.csv", "date;ticker;close\n2025-01-02;AAA;10,5\n");
    let mut src = PriceSource::new(&p);
    src.decimal_comma = true;
    assert_eq!(
        read_prices(&src).unwrap().get("AAA").unwrap().values,
        vec![10.5]
    );
}

#[test]
fn price_jump_of_a_million_is_counted_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.csv",
        "date,ticker,close\n2025-01-02,AAA,40\n2025-01-03,AAA,4e7\n2025-01-06,AAA,40\n2025-01-07,AAA,41\n2025-01-08,AAA,40000\n",
    );
    let panel = read_prices(&PriceSource::new(&p)).unwrap();
    let s = panel.get("AAA").unwrap();
    // 40 → 4e7 (×1e6), 4e7 → 40 (×1e6), 41 → 40000 (×975.6, below the 1000 threshold).
    assert_eq!(s.issues.price_jumps, 2);
    assert_eq!(s.issues.first_price_jump, Some(d("2025-01-03")));
    let (factor, date) = s.issues.largest_price_jump.unwrap();
    assert_relative_eq!(factor, 1.0e6, max_relative = 1e-12);
    assert_eq!(date, d("2025-01-03"));
    assert_eq!(s.values[1], 4e7); // kept as given
}

#[test]
fn parquet_unused_column_of_any_type_is_ignored_and_numeric_dates_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.parquet");
    let date = Column::new("date".into(), vec![20089i32, 20090])
        .cast(&DataType::Date)
        .unwrap();
    let mut df = DataFrame::new(
        2,
        vec![
            date,
            Column::new("ticker".into(), vec!["AAA", "AAA"]),
            Column::new("close".into(), vec![10.0, 11.0]),
            Column::new("halted".into(), vec![false, true]),
        ],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let panel = read_prices(&PriceSource::new(&p)).unwrap();
    assert_eq!(panel.get("AAA").unwrap().values, vec![10.0, 11.0]);
    // The same bool column named as the price column is an error.
    let e = read_prices(&PriceSource::new(&p).with_columns("date", "ticker", "halted"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("column 'halted' has Parquet type bool"), "{e}");
    // Dates stored as integers 20250102.
    let mut df = DataFrame::new(
        1,
        vec![
            Column::new("date".into(), vec![20250102i64]),
            Column::new("ticker".into(), vec!["AAA"]),
            Column::new("close".into(), vec![10.0]),
        ],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let e = read_prices(&PriceSource::new(&p)).unwrap_err().to_string();
    assert!(
        e.contains("row 1, column 'date': the date column holds numbers"),
        "{e}"
    );
}

#[test]
fn parquet_dates_by_lookup_match_cell_by_cell_conversion() {
    // repeated and scattered days, across a leap day, in two chunks
    let days: Vec<i32> = (0..5_000)
        .map(|i| 19_000 + ((i * 7919) % 1_500) as i32)
        .collect();
    let mut ca = Int32Chunked::from_vec("date".into(), days[..2_000].to_vec());
    ca.append(&Int32Chunked::from_vec(
        "date".into(),
        days[2_000..].to_vec(),
    ))
    .unwrap();
    let by_lookup = dates_by_lookup(&ca).unwrap();
    let expected: Vec<NaiveDate> = days
        .iter()
        .map(|&x| NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(x as i64))
        .collect();
    assert_eq!(by_lookup, expected);
    // nulls and spans too wide for a table take the cell-by-cell path (which names the row)
    let with_null =
        Int32Chunked::from_iter_options("date".into(), [Some(19_000), None].into_iter());
    assert!(dates_by_lookup(&with_null).is_none());
    let wide = Int32Chunked::from_vec("date".into(), vec![-2_000_000, 2_000_000]);
    assert!(dates_by_lookup(&wide).is_none());
}

/// The Parquet fast routes (ticker views, numeric closes) read the same panel as the
/// cell-by-cell CSV route: interleaved and repeated tickers, names longer than an inline view
/// (12 bytes), unusable closes, a rename and a ticker filter, data in two chunks.
#[test]
fn parquet_fast_routes_match_csv_route() {
    let names = [
        "AAA",
        "A_VERY_LONG_TICKER_NAME",
        "BBB",
        "ANOTHER_LONG_TICKER_X",
    ];
    let mut rows: Vec<(NaiveDate, &str, Option<f64>)> = Vec::new();
    for k in 0..60 {
        // runs of different lengths, each ticker coming back later in the file
        let name = names[(k / 3 + k % 2) % names.len()];
        let day = d("2024-01-01") + chrono::Duration::days(k as i64);
        let close = match k {
            7 => None,        // null in Parquet, empty cell in CSV
            11 => Some(-2.0), // unusable: missing and counted
            _ => Some(10.0 + k as f64 / 8.0),
        };
        rows.push((day, name, close));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("date,ticker,close\n");
    for (day, name, close) in &rows {
        let c = close.map(|x| format!("{x}")).unwrap_or_default();
        csv.push_str(&format!("{day},{name},{c}\n"));
    }
    let csv_path = write(&dir, "p.csv", &csv);
    let pq_path = dir.path().join("p.parquet");
    let frame = |part: &[(NaiveDate, &str, Option<f64>)]| {
        DataFrame::new_infer_height(vec![
            DateChunked::from_naive_date("date".into(), part.iter().map(|r| r.0))
                .into_series()
                .into(),
            Column::new(
                "ticker".into(),
                part.iter().map(|r| r.1).collect::<Vec<_>>(),
            ),
            Column::new("close".into(), part.iter().map(|r| r.2).collect::<Vec<_>>()),
        ])
        .unwrap()
    };
    let mut df = frame(&rows[..25]);
    df.vstack_mut(&frame(&rows[25..])).unwrap();
    ParquetWriter::new(std::fs::File::create(&pq_path).unwrap())
        .with_row_group_size(Some(25))
        .finish(&mut df)
        .unwrap();
    let configure = |p: &PathBuf| {
        let mut s = PriceSource::new(p);
        s.rename
            .insert("BBB".into(), "RENAMED_BBB_LONGER_THAN_12".into());
        s.tickers = Some(vec![
            "AAA".into(),
            "A_VERY_LONG_TICKER_NAME".into(),
            "RENAMED_BBB_LONGER_THAN_12".into(),
        ]);
        s
    };
    let from_csv = read_prices(&configure(&csv_path)).unwrap();
    let from_pq = read_prices(&configure(&pq_path)).unwrap();
    assert_eq!(
        from_csv.series.keys().collect::<Vec<_>>(),
        vec![
            "AAA",
            "A_VERY_LONG_TICKER_NAME",
            "RENAMED_BBB_LONGER_THAN_12"
        ]
    );
    assert_eq!(from_pq.len(), from_csv.len());
    let mut n_rows = 0;
    for (name, a) in &from_csv.series {
        let b = from_pq.get(name).unwrap();
        assert_eq!(a.dates, b.dates, "{name}");
        assert_eq!(a.issues, b.issues, "{name}");
        assert_eq!(a.values.len(), b.values.len());
        for (x, y) in a.values.iter().zip(&b.values) {
            assert!(x == y || (x.is_nan() && y.is_nan()), "{name}: {x} vs {y}");
        }
        n_rows += a.dates.len();
    }
    // every row of the three kept tickers, checked against the rows written
    let kept = rows.iter().filter(|r| r.1 != names[3]).count();
    assert_eq!(n_rows, kept);
    let issues: usize = from_pq.series.values().map(|s| s.issues.bad_price).sum();
    let unusable = rows
        .iter()
        .filter(|r| r.1 != names[3] && !r.2.is_some_and(|x| x > 0.0))
        .count();
    assert!(unusable >= 1);
    assert_eq!(issues, unusable);
}

/// A null ticker in a Parquet file takes the cell-by-cell route, which names the row.
#[test]
fn parquet_null_ticker_names_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.parquet");
    let mut df = DataFrame::new_infer_height(vec![
        DateChunked::from_naive_date(
            "date".into(),
            [d("2025-01-02"), d("2025-01-03"), d("2025-01-06")],
        )
        .into_series()
        .into(),
        Column::new("ticker".into(), [Some("AAA"), Some("AAA"), None]),
        Column::new("close".into(), [10.0f64, 11.0, 12.0]),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let e = read_prices(&PriceSource::new(&p)).unwrap_err().to_string();
    assert!(
        e.contains("p.parquet") && e.contains("row 3") && e.contains("ticker"),
        "{e}"
    );
    assert!(e.contains("empty ticker"), "{e}");
}

/// Views are compared only within one chunk: two long names of equal length and equal
/// 4-byte prefix, each first in its own chunk, have identical views (buffer 0, offset 0) but
/// are different tickers.
#[test]
fn ticker_views_are_not_compared_across_chunks() {
    let mut ca =
        StringChunked::from_iter_values("ticker".into(), ["LONG_NAME_NUMBER_ONE_XX"].into_iter());
    ca.append(&StringChunked::from_iter_values(
        "ticker".into(),
        [
            "LONG_NAME_NUMBER_TWO_YY",
            "LONG_NAME_NUMBER_TWO_YY",
            "SHORT",
        ]
        .into_iter(),
    ))
    .unwrap();
    assert_eq!(ca.chunks().len(), 2);
    let table = TextTable {
        file: "t.parquet".into(),
        names: vec!["ticker".into()],
        columns: vec![CellColumn::Text(ca)],
        first_row: 1,
    };
    let src = PriceSource::new("t.parquet");
    let (by_row, names) = ticker_ids_by_row(&src, &table, 4).unwrap();
    assert_eq!(
        names,
        vec![
            "LONG_NAME_NUMBER_ONE_XX",
            "LONG_NAME_NUMBER_TWO_YY",
            "SHORT"
        ]
    );
    assert_eq!(by_row, vec![0, 1, 1, 2]);
}

/// A long Parquet file read a few row groups at a time gives the panel of the file read at
/// once, and an error in a later batch names the row as numbered in the file.
#[test]
fn parquet_read_in_batches_equals_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.parquet");
    let names = ["AAA", "BBB", "CCC"];
    let start = d("2020-01-01");
    let rows: Vec<(NaiveDate, &str, Option<f64>)> = (0..600)
        .map(|i| {
            let close = match i % 97 {
                13 => None,
                41 => Some(-1.0),
                _ => Some(10.0 + (i as f64 * 0.37).sin()),
            };
            (
                start + chrono::Days::new(i / 3),
                names[(i % 3) as usize],
                close,
            )
        })
        .collect();
    let write = |rows: &[(NaiveDate, &str, Option<f64>)]| {
        let mut df = DataFrame::new_infer_height(vec![
            DateChunked::from_naive_date("date".into(), rows.iter().map(|r| r.0))
                .into_series()
                .into(),
            Column::new(
                "ticker".into(),
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            ),
            Column::new("close".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
        ])
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&p).unwrap())
            .with_row_group_size(Some(25))
            .finish(&mut df)
            .unwrap();
    };
    write(&rows);
    let src = PriceSource::new(&p);
    let whole = super::long::read_long(&src, super::parquet::read_parquet_text(&src).unwrap());
    let whole = whole.unwrap();
    let batched = super::source::read_long_parquet(&src, 60).unwrap();
    assert_eq!(whole.len(), 3);
    assert_eq!(
        whole.series.keys().collect::<Vec<_>>(),
        batched.series.keys().collect::<Vec<_>>()
    );
    for (name, a) in &whole.series {
        let b = batched.get(name).unwrap();
        assert_eq!(a.dates, b.dates, "{name}");
        assert_eq!(a.issues, b.issues, "{name}");
        assert_eq!(a.dates.len(), 200);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.values), bits(&b.values), "{name}");
    }
    assert!(whole.series["BBB"].issues.bad_price > 0);
    // row 400 (file numbering, 1-based) repeats the (date, ticker) of row 10, in another batch
    let mut dup = rows.clone();
    dup[399] = dup[9];
    write(&dup);
    let e = super::source::read_long_parquet(&src, 60)
        .unwrap_err()
        .to_string();
    assert!(e.contains("400") && e.contains("also on row 10"), "{e}");
    // an empty ticker on row 555
    let mut empty = rows.clone();
    empty[554].1 = "";
    write(&empty);
    let e = super::source::read_long_parquet(&src, 60)
        .unwrap_err()
        .to_string();
    assert!(e.contains("555") && e.contains("empty ticker"), "{e}");
}
