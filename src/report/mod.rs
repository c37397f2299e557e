//! The study report: Markdown and a self-contained HTML page with inline SVG charts.
//!
//! [`render_report`] turns the output tables into a [`Report`] (no I/O); [`write_report`] writes
//! `report.md`, `report.html` and the charts as `.svg` files. The HTML page has inline CSS
//! and inline SVG only: no scripts, fonts, images or other resources are loaded, so it can be
//! opened offline or mailed as one file. Output is deterministic: the same tables give the
//! same bytes.
//!
//! Charts, drawn by hand in SVG:
//! 1. per group, the CAAR path CAAR_t = Σ_{s ≤ t} AAR_s from the first day of the event period
//!    H, with a 95 % band ±1.96 · √(Σ_{s ≤ t} sd_s² / n_s) — the cumulated cross-sectional
//!    standard error of the daily AARs from the `aggregate` rows, treating days as
//!    independent. This path is Σ AAR; it differs from the table's CAAR(W) (the mean of
//!    complete CARs, methodology §5.5) when the number of events varies by day;
//! 2. per group, the AAR of each day as bars;
//! 3. per event window, the CAR of every event–security pair as horizontal bars (colour by
//!    sign, whiskers ±1.96 · car_se) when the window has at most [`CAR_CHART_MAX_PAIRS`] rows;
//!    above that, the distribution of the pairs' CARs as a histogram of 40 equal bins over the
//!    0.5 %–99.5 % quantiles (values outside counted in the edge bins, and said so), with
//!    lines at 0 and at the mean and n, mean and median in the title.
//!
//! The report stays readable and small for large studies: tables with one row per pair
//! (model fits, day-0 mapping, exclusions) show their first [`TABLE_MAX_ROWS`] rows with a
//! note naming the full output table, after a summary over all rows (fit-statistic quartiles,
//! day-0 status counts, exclusion counts by stage × reason); portfolio test tables list the
//! first [`PORTFOLIO_MAX_CLUSTERS`] portfolios after a per-column count of significant ones;
//! charts and tests are given for the first [`MAX_GROUPS_SHOWN`] groups. Every lookup is
//! hashed, so the time is linear in the size of the tables.
//!
//! Numbers in the report are rounded for reading (4 significant digits); the CSV/Parquet
//! outputs keep full precision.

mod svg;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::hash::Hash;
use std::path::Path;

use crate::error::Result;
use crate::output::{model_fit_extra_columns, write_atomic};
use crate::stats::TestKind;
use crate::tables::{AggregateRow, CarRow, Stage, StudyTables, TestRow};

use self::svg::xml_escape;

/// A rendered report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The report as Markdown; charts are linked as `![…](file.svg)`.
    pub markdown: String,
    /// The report as one self-contained HTML page (inline CSS and SVG).
    pub html: String,
    /// The charts as `(file name, standalone SVG document)`, in report order.
    pub svgs: Vec<(String, String)>,
}

/// A number rounded for reading: 4 significant digits in fixed notation for
/// 1e-4 ≤ |x| < 1e6, else scientific with 4 significant digits; `NA` for NaN.
pub(crate) fn fmt_num(x: f64) -> String {
    if x.is_nan() {
        return "NA".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        };
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let a = x.abs();
    if (1e-4..1e6).contains(&a) {
        let mag = a.log10().floor() as i32;
        let decimals = (3 - mag).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map(fmt_num).unwrap_or_default()
}

/// Significance stars of a two-sided p-value: `***` < 0.01, `**` < 0.05, `*` < 0.1.
fn stars(p: Option<f64>) -> &'static str {
    match p {
        Some(p) if p < 0.01 => "***",
        Some(p) if p < 0.05 => "**",
        Some(p) if p < 0.1 => "*",
        _ => "",
    }
}

/// One table cell: Markdown text and the equivalent HTML.
#[derive(Debug, Clone)]
struct Cell {
    markdown: String,
    html: String,
    numeric: bool,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            html: xml_escape(&s),
            markdown: s,
            numeric: false,
        }
    }
    fn num(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            html: xml_escape(&s),
            markdown: s,
            numeric: true,
        }
    }
    /// A test result: statistic with stars, p-value below (HTML) or in parentheses (Markdown).
    fn stat(row: Option<&TestRow>) -> Cell {
        match row {
            None => Cell::num(""),
            Some(r) => {
                let stat = r.statistic.map(fmt_num).unwrap_or_else(|| "NA".to_string());
                let s = stars(r.p_value);
                let p = r.p_value.map(fmt_num).unwrap_or_else(|| "NA".to_string());
                Cell {
                    markdown: format!("{stat}{s} ({p})"),
                    html: format!(
                        "{}<span class=\"stars\">{s}</span><br><span class=\"p\">p {}</span>",
                        xml_escape(&stat),
                        xml_escape(&p)
                    ),
                    numeric: true,
                }
            }
        }
    }
}

/// A table with a header row.
#[derive(Debug, Clone)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// A piece of the report document.
#[derive(Debug, Clone)]
enum Block {
    Heading(u8, String, Option<String>),
    Para(String),
    Table(Table),
    Chart {
        file: String,
        alt: String,
        inline_svg: String,
    },
    Pre(String),
}

/// A file-name-safe version of `s`: ASCII letters, digits and `-` kept, others `_`.
fn slug(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() {
        "_".to_string()
    } else {
        t
    }
}

/// Distinct values in first-appearance order (linear time).
fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for s in items {
        if seen.insert(s) {
            out.push(s.to_string());
        }
    }
    out
}

/// Distinct values in first-appearance order (linear time), for any hashable key.
fn distinct_keys<K: Clone + Eq + Hash>(items: impl Iterator<Item = K>) -> Vec<K> {
    let mut seen: HashSet<K> = HashSet::new();
    let mut out: Vec<K> = Vec::new();
    for k in items {
        if seen.insert(k.clone()) {
            out.push(k);
        }
    }
    out
}

/// Largest number of event–security pairs of a window drawn one bar each; above it the
/// window's CAR chart is a histogram of the CAR distribution.
pub const CAR_CHART_MAX_PAIRS: usize = 60;
/// Largest number of rows of a per-pair table (model fits, day-0 mapping, exclusions) shown in
/// full; above it the first rows are shown with a note naming the full output table.
pub const TABLE_MAX_ROWS: usize = 200;
/// Largest number of same-date portfolios of a group listed in its portfolio test table;
/// above it the first ones are listed, after a per-column count of significant portfolios.
pub const PORTFOLIO_MAX_CLUSTERS: usize = 50;
/// Largest number of groups given their own charts and test tables; above it the first groups
/// (in name order) are shown with a note.
pub const MAX_GROUPS_SHOWN: usize = 30;

/// The note above a truncated table: "Showing the first 200 of 50,000 rows …".
fn truncation_note(shown: usize, total: usize, what: &str, table: &str) -> String {
    format!(
        "Showing the first {} of {} {what} (in the table's order); the full table is in \
         {table}.csv (and {table}.parquet when Parquet output is written).",
        svg::fmt_count(shown),
        svg::fmt_count(total)
    )
}

/// The preamble of a per-pair table cut to [`TABLE_MAX_ROWS`]: an optional sentence, the
/// summary over all `total` rows, and the truncation note; nothing when the table is short.
fn push_truncated_preamble(
    blocks: &mut Vec<Block>,
    total: usize,
    intro: Option<String>,
    summary: impl FnOnce() -> Table,
    what: &str,
    table: &str,
) {
    if total <= TABLE_MAX_ROWS {
        return;
    }
    if let Some(text) = intro {
        blocks.push(Block::Para(text));
    }
    blocks.push(Block::Table(summary()));
    blocks.push(Block::Para(truncation_note(
        TABLE_MAX_ROWS,
        total,
        what,
        table,
    )));
}

/// The event windows in configuration order (as the sorted tables list them).
fn window_order(tables: &StudyTables) -> Vec<String> {
    let mut order = distinct(
        tables
            .aggregate
            .iter()
            .filter(|r| r.metric == "car")
            .filter_map(|r| r.window.as_deref()),
    );
    for w in distinct(tables.cars.iter().map(|r| r.window.as_str())) {
        if !order.contains(&w) {
            order.push(w);
        }
    }
    order
}

fn groups_of(tables: &StudyTables) -> Vec<String> {
    let set: BTreeSet<&str> = tables
        .aggregate
        .iter()
        .map(|r| r.group.as_str())
        .chain(tables.abnormal_returns.iter().map(|r| r.group.as_str()))
        .chain(tables.tests.iter().map(|r| r.group.as_str()))
        .collect();
    set.into_iter().map(String::from).collect()
}

/// The `security` of the rows of a same-date portfolio.
const PORTFOLIO: &str = "PORTFOLIO";

fn summary_block(tables: &StudyTables, windows: &[String], groups: &[String]) -> Table {
    let is_pf = |s: &str| s == PORTFOLIO;
    let events = tables
        .model_fits
        .iter()
        .filter(|r| !is_pf(&r.security))
        .count();
    let portfolios = tables
        .model_fits
        .iter()
        .filter(|r| is_pf(&r.security))
        .count();
    let models = distinct(tables.model_fits.iter().map(|r| r.model.as_str()));
    let days: BTreeSet<i32> = tables.abnormal_returns.iter().map(|r| r.rel_day).collect();
    let period = match (days.first(), days.last()) {
        (Some(a), Some(b)) => format!("[{a}, {b}] ({} days)", days.len()),
        _ => "—".to_string(),
    };
    let mut by_stage = Vec::new();
    for stage in [
        Stage::Input,
        Stage::Day0,
        Stage::Estimation,
        Stage::EventDay,
        Stage::Car,
        Stage::Portfolio,
    ] {
        let n = tables
            .exclusions
            .iter()
            .filter(|r| r.stage == stage)
            .count();
        if n > 0 {
            by_stage.push(format!("{} {n}", stage.as_str()));
        }
    }
    let dropped: BTreeSet<(&str, &str)> = tables
        .exclusions
        .iter()
        .filter(|r| {
            !r.event_id.is_empty()
                && matches!(r.stage, Stage::Input | Stage::Day0 | Stage::Estimation)
        })
        .map(|r| (r.event_id.as_str(), r.security.as_str()))
        .collect();
    let shifted = tables
        .day0
        .iter()
        .filter(|r| r.shift_days.unwrap_or(0) > 0)
        .count();
    let incomplete = tables.cars.iter().filter(|r| r.car.is_none()).count();
    let mut rows = vec![
        (
            "events analysed (event–security pairs with a model fit)",
            events.to_string(),
        ),
        (
            "events excluded before the analysis",
            dropped.len().to_string(),
        ),
        ("same-date portfolios", portfolios.to_string()),
        (
            "groups",
            if groups.is_empty() {
                "—".to_string()
            } else {
                groups.join(", ")
            },
        ),
        (
            "model",
            if models.is_empty() {
                "—".to_string()
            } else {
                models.join(", ")
            },
        ),
        ("event period H (relative days)", period),
        (
            "event windows",
            if windows.is_empty() {
                "—".to_string()
            } else {
                windows.join(", ")
            },
        ),
        ("incomplete CARs (NA)", incomplete.to_string()),
        (
            "exclusion rows",
            if by_stage.is_empty() {
                "0".to_string()
            } else {
                format!("{} ({})", tables.exclusions.len(), by_stage.join(", "))
            },
        ),
    ];
    if !tables.day0.is_empty() {
        rows.push((
            "events whose day 0 is after the announcement date",
            shifted.to_string(),
        ));
    }
    Table {
        header: vec!["quantity".into(), "value".into()],
        rows: rows
            .into_iter()
            .map(|(k, v)| vec![Cell::text(k), Cell::text(v)])
            .collect(),
    }
}

/// Splits `items` into consecutive chunks of at most `max` items, as even in size as possible.
fn balanced_chunks<T>(items: &[T], max: usize) -> Vec<&[T]> {
    if items.is_empty() {
        return Vec::new();
    }
    let n_chunks = items.len().div_ceil(max.max(1));
    let size = items.len().div_ceil(n_chunks);
    items.chunks(size).collect()
}

/// Pivot tables of the tests of one group and scope: rows = tests, columns = days or windows,
/// at most `chunk` columns per table.
fn pivot_tests(
    rows: &[&TestRow],
    keys: &[(Option<i32>, Option<String>)],
    chunk: usize,
    key_label: &dyn Fn(&(Option<i32>, Option<String>)) -> String,
) -> Vec<Table> {
    let tests: Vec<String> = {
        let mut t = distinct(rows.iter().map(|r| r.test.as_str()));
        t.sort_by_key(|name| {
            name.parse::<TestKind>()
                .map_or(TestKind::ALL.len(), TestKind::position)
        });
        t
    };
    // First row of each (test, day, window) and of each (day, window): hashed lookups.
    let mut by_key: HashMap<(&str, Option<i32>, Option<&str>), &TestRow> = HashMap::new();
    let mut n_of: HashMap<(Option<i32>, Option<&str>), u32> = HashMap::new();
    for r in rows {
        by_key
            .entry((r.test.as_str(), r.rel_day, r.window.as_deref()))
            .or_insert(r);
        n_of.entry((r.rel_day, r.window.as_deref())).or_insert(r.n);
    }
    let mut out = Vec::new();
    for cols in balanced_chunks(keys, chunk) {
        let mut header = vec!["test".to_string()];
        header.extend(cols.iter().map(key_label));
        let mut body = Vec::new();
        for t in &tests {
            let mut line = vec![Cell::text(t.clone())];
            for k in cols {
                let found = by_key.get(&(t.as_str(), k.0, k.1.as_deref())).copied();
                line.push(Cell::stat(found));
            }
            body.push(line);
        }
        let mut n_line = vec![Cell::text("n")];
        for k in cols {
            let n = n_of
                .get(&(k.0, k.1.as_deref()))
                .map(|n| n.to_string())
                .unwrap_or_default();
            n_line.push(Cell::num(n));
        }
        body.push(n_line);
        out.push(Table { header, rows: body });
    }
    out
}

fn test_blocks(tables: &StudyTables, groups: &[String]) -> Vec<Block> {
    let mut blocks = vec![Block::Para(
        "Each cell: test statistic with significance stars (*** p < 0.01, ** p < 0.05, * p < 0.1) \
         and its two-sided p-value. The last row gives n, the size of the test set."
            .to_string(),
    )];
    if tables.tests.is_empty() {
        blocks.push(Block::Para("No test results.".to_string()));
        return blocks;
    }
    let mut by_group: HashMap<&str, Vec<&TestRow>> = HashMap::new();
    for r in &tables.tests {
        by_group.entry(r.group.as_str()).or_default().push(r);
    }
    let with_tests: Vec<&String> = groups
        .iter()
        .filter(|g| by_group.contains_key(g.as_str()))
        .collect();
    if with_tests.len() > MAX_GROUPS_SHOWN {
        blocks.push(Block::Para(format!(
            "Showing the tests of the first {} of {} groups; every test is in tests.csv (and \
             tests.parquet when Parquet output is written).",
            MAX_GROUPS_SHOWN,
            svg::fmt_count(with_tests.len())
        )));
    }
    for g in with_tests.into_iter().take(MAX_GROUPS_SHOWN) {
        let Some(in_group) = by_group.get(g.as_str()) else {
            continue;
        };
        for (scope, title) in [
            ("day", "daily abnormal returns (AAR)"),
            ("car", "cumulative abnormal returns (CAAR)"),
            ("bhar", "buy-and-hold abnormal returns"),
        ] {
            let rows: Vec<&TestRow> = in_group
                .iter()
                .copied()
                .filter(|r| r.scope == scope && r.cluster.is_none())
                .collect();
            if rows.is_empty() {
                continue;
            }
            let keys: Vec<(Option<i32>, Option<String>)> =
                distinct_keys(rows.iter().map(|r| (r.rel_day, r.window.clone())));
            blocks.push(Block::Heading(3, format!("Group {g} — {title}"), None));
            let label = |k: &(Option<i32>, Option<String>)| match (k.0, &k.1) {
                (Some(d), _) => format!("day {d}"),
                (None, Some(w)) => format!("window {w}"),
                _ => String::new(),
            };
            for t in pivot_tests(&rows, &keys, 8, &label) {
                blocks.push(Block::Table(t));
            }
        }
        let pf: Vec<&TestRow> = in_group
            .iter()
            .copied()
            .filter(|r| r.cluster.is_some())
            .collect();
        if !pf.is_empty() {
            blocks.push(Block::Heading(
                3,
                format!("Group {g} — same-date portfolios (portfolio_t)"),
                None,
            ));
            blocks.extend(portfolio_blocks(&pf));
        }
    }
    blocks
}

/// Column key of a portfolio test table: (scope, day, window).
type PortfolioKey<'a> = (&'a str, Option<i32>, Option<&'a str>);

/// The portfolio test tables of one group: rows = same-date portfolios (clusters), columns =
/// days and windows. Above [`PORTFOLIO_MAX_CLUSTERS`] portfolios, a per-column count of the
/// portfolios significant at 5 % (by sign) comes first and only the first portfolios are listed.
fn portfolio_blocks(pf: &[&TestRow]) -> Vec<Block> {
    let keys: Vec<PortfolioKey> = distinct_keys(
        pf.iter()
            .map(|r| (r.scope.as_str(), r.rel_day, r.window.as_deref())),
    );
    let clusters = distinct(pf.iter().filter_map(|r| r.cluster.as_deref()));
    let mut by_cell: HashMap<(&str, PortfolioKey), &TestRow> = HashMap::new();
    for r in pf {
        if let Some(cl) = r.cluster.as_deref() {
            by_cell
                .entry((cl, (r.scope.as_str(), r.rel_day, r.window.as_deref())))
                .or_insert(r);
        }
    }
    let label = |(s, d, w): &PortfolioKey| match (d, w) {
        (Some(d), _) => format!("day {d}"),
        (None, Some(w)) => format!("{s} {w}"),
        _ => s.to_string(),
    };
    let mut blocks = Vec::new();
    let shown = clusters.len().min(PORTFOLIO_MAX_CLUSTERS);
    if clusters.len() > shown {
        // Count per column over every portfolio (first row per cluster and column).
        let mut tested: HashMap<PortfolioKey, (usize, usize, usize)> = HashMap::new();
        for ((_, key), r) in &by_cell {
            let e = tested.entry(*key).or_insert((0, 0, 0));
            if r.statistic.is_some() {
                e.0 += 1;
            }
            if r.p_value.is_some_and(|p| p < 0.05) {
                match r.statistic {
                    Some(t) if t > 0.0 => e.1 += 1,
                    Some(t) if t < 0.0 => e.2 += 1,
                    _ => {}
                }
            }
        }
        blocks.push(Block::Para(format!(
            "{} same-date portfolios. Per day or window: the number of portfolios with a test \
             statistic, and how many are significant at 5 % (two-sided p < 0.05) with a positive \
             or a negative statistic. Under the null about 2.5 % of the portfolios fall on each side.",
            svg::fmt_count(clusters.len())
        )));
        for cols in balanced_chunks(&keys, 8) {
            let mut header = vec!["portfolios".to_string()];
            header.extend(cols.iter().map(label));
            let mut body = Vec::new();
            for (name, pick) in [
                ("with a statistic", 0usize),
                ("p < 0.05, statistic > 0", 1),
                ("p < 0.05, statistic < 0", 2),
            ] {
                let mut line = vec![Cell::text(name)];
                for k in cols {
                    let (a, b, c) = tested.get(k).copied().unwrap_or((0, 0, 0));
                    line.push(Cell::num([a, b, c][pick].to_string()));
                }
                body.push(line);
            }
            blocks.push(Block::Table(Table { header, rows: body }));
        }
        blocks.push(Block::Para(format!(
            "Showing the first {} of {} portfolios (in the table's order); every portfolio test is \
             in tests.csv (and tests.parquet when Parquet output is written), rows with a cluster.",
            svg::fmt_count(shown),
            svg::fmt_count(clusters.len())
        )));
    }
    for cols in balanced_chunks(&keys, 8) {
        let mut header = vec!["cluster".to_string()];
        header.extend(cols.iter().map(label));
        let mut body = Vec::new();
        for cl in &clusters[..shown] {
            let mut line = vec![Cell::text(cl.clone())];
            for k in cols {
                line.push(Cell::stat(by_cell.get(&(cl.as_str(), *k)).copied()));
            }
            body.push(line);
        }
        blocks.push(Block::Table(Table { header, rows: body }));
    }
    blocks
}

fn aggregate_table(rows: &[AggregateRow]) -> Table {
    Table {
        header: [
            "group",
            "metric",
            "day / window",
            "n",
            "mean",
            "median",
            "share > 0",
            "sd",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                let key = match (r.rel_day, &r.window) {
                    (Some(d), _) => d.to_string(),
                    (None, Some(w)) => w.clone(),
                    _ => String::new(),
                };
                let metric = match r.metric.as_str() {
                    "ar" => "AAR",
                    "car" => "CAAR",
                    "bhar" => "ABHAR",
                    other => other,
                };
                vec![
                    Cell::text(r.group.clone()),
                    Cell::text(metric),
                    Cell::num(key),
                    Cell::num(r.n.to_string()),
                    Cell::num(fmt_opt(r.mean)),
                    Cell::num(fmt_opt(r.median)),
                    Cell::num(fmt_opt(r.share_positive)),
                    Cell::num(fmt_opt(r.sd)),
                ]
            })
            .collect(),
    }
}

/// The first `limit` model fits as a table.
fn model_fit_table(tables: &StudyTables, limit: usize) -> Table {
    let extras = model_fit_extra_columns(&tables.model_fits);
    let mut header: Vec<String> = [
        "event", "security", "group", "model", "n_est", "df", "sigma", "alpha", "beta", "R²",
    ]
    .map(String::from)
    .to_vec();
    header.extend(extras.iter().cloned());
    let rows = tables
        .model_fits
        .iter()
        .take(limit)
        .map(|r| {
            let mut line = vec![
                Cell::text(r.event_id.clone()),
                Cell::text(r.security.clone()),
                Cell::text(r.group.clone()),
                Cell::text(r.model.clone()),
                Cell::num(r.n_est.to_string()),
                Cell::num(r.df.to_string()),
                Cell::num(fmt_opt(r.sigma)),
                Cell::num(fmt_opt(r.alpha)),
                Cell::num(fmt_opt(r.beta)),
                Cell::num(fmt_opt(r.r2)),
            ];
            for e in &extras {
                line.push(Cell::num(fmt_opt(
                    r.extras.iter().find(|(n, _)| n == e).and_then(|(_, v)| *v),
                )));
            }
            line
        })
        .collect();
    Table { header, rows }
}

/// The first `limit` rows of the day-0 mapping as a table.
fn day0_table(tables: &StudyTables, limit: usize) -> Table {
    Table {
        header: [
            "event",
            "security",
            "exchange",
            "event instant (UTC)",
            "event instant (local)",
            "day 0",
            "shift (days)",
            "shift (sessions)",
            "status",
        ]
        .map(String::from)
        .to_vec(),
        rows: tables
            .day0
            .iter()
            .take(limit)
            .map(|r| {
                vec![
                    Cell::text(r.event_id.clone()),
                    Cell::text(r.security.clone()),
                    Cell::text(r.exchange.clone()),
                    Cell::text(r.event_instant_utc.clone()),
                    Cell::text(r.event_instant_local.clone()),
                    Cell::text(
                        r.day0
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default(),
                    ),
                    Cell::num(r.shift_days.map(|v| v.to_string()).unwrap_or_default()),
                    Cell::num(r.shift_sessions.map(|v| v.to_string()).unwrap_or_default()),
                    Cell::text(r.status.clone()),
                ]
            })
            .collect(),
    }
}

/// The first `limit` exclusion rows as a table.
fn exclusion_table(tables: &StudyTables, limit: usize) -> Table {
    Table {
        header: ["event", "security", "stage", "reason", "detail"]
            .map(String::from)
            .to_vec(),
        rows: tables
            .exclusions
            .iter()
            .take(limit)
            .map(|r| {
                vec![
                    Cell::text(if r.event_id.is_empty() {
                        "—".to_string()
                    } else {
                        r.event_id.clone()
                    }),
                    Cell::text(r.security.clone()),
                    Cell::text(r.stage.as_str()),
                    Cell::text(r.reason.clone()),
                    Cell::text(r.detail.clone()),
                ]
            })
            .collect(),
    }
}

/// Exclusion rows counted by stage and reason (stage order, then reason name).
fn exclusion_counts(tables: &StudyTables) -> Table {
    let mut counts: BTreeMap<(Stage, &str), usize> = BTreeMap::new();
    for r in &tables.exclusions {
        *counts.entry((r.stage, r.reason.as_str())).or_insert(0) += 1;
    }
    Table {
        header: ["stage", "reason", "rows"].map(String::from).to_vec(),
        rows: counts
            .into_iter()
            .map(|((stage, reason), n)| {
                vec![
                    Cell::text(stage.as_str()),
                    Cell::text(reason),
                    Cell::num(n.to_string()),
                ]
            })
            .collect(),
    }
}

/// Day-0 rows counted by status (status name order).
fn day0_status_counts(tables: &StudyTables) -> Table {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &tables.day0 {
        *counts.entry(r.status.as_str()).or_insert(0) += 1;
    }
    let shifted = tables
        .day0
        .iter()
        .filter(|r| r.shift_days.unwrap_or(0) > 0)
        .count();
    let mut rows: Vec<Vec<Cell>> = counts
        .into_iter()
        .map(|(status, n)| {
            vec![
                Cell::text(format!("status {status}")),
                Cell::num(n.to_string()),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::text("day 0 after the announcement date"),
        Cell::num(shifted.to_string()),
    ]);
    Table {
        header: ["day-0 mappings", "rows"].map(String::from).to_vec(),
        rows,
    }
}

/// Quartiles and extremes of the main model-fit statistics over every fit.
fn model_fit_distribution(tables: &StudyTables) -> Table {
    let fits = &tables.model_fits;
    let columns: [(&str, Vec<f64>); 5] = [
        ("n_est", fits.iter().map(|r| f64::from(r.n_est)).collect()),
        ("sigma", fits.iter().filter_map(|r| r.sigma).collect()),
        ("alpha", fits.iter().filter_map(|r| r.alpha).collect()),
        ("beta", fits.iter().filter_map(|r| r.beta).collect()),
        ("R²", fits.iter().filter_map(|r| r.r2).collect()),
    ];
    let rows = columns
        .into_iter()
        .map(|(name, mut values)| {
            values.retain(|v| v.is_finite());
            values.sort_by(f64::total_cmp);
            let mut line = vec![Cell::text(name), Cell::num(values.len().to_string())];
            for p in [0.0, 0.25, 0.5, 0.75, 1.0] {
                let q = svg::quantile_sorted(&values, p);
                line.push(Cell::num(match q {
                    // Whole counts (n_est) read as integers.
                    Some(v) if name == "n_est" && v.fract() == 0.0 => format!("{v:.0}"),
                    Some(v) if name == "n_est" => format!("{v:.1}"),
                    _ => fmt_opt(q),
                }));
            }
            line
        })
        .collect();
    Table {
        header: ["statistic", "n", "min", "25%", "median", "75%", "max"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

/// Builds the report document and the charts.
fn build(
    tables: &StudyTables,
    config_summary: &serde_json::Value,
    title: &str,
) -> (Vec<Block>, Vec<(String, String)>) {
    let windows = window_order(tables);
    let groups = groups_of(tables);
    let mut blocks = vec![Block::Heading(1, title.to_string(), None)];
    blocks.push(Block::Para(
        "Event-study results. Numbers are rounded to 4 significant digits for reading; the CSV and \
         Parquet tables keep full precision."
            .to_string(),
    ));

    blocks.push(Block::Heading(
        2,
        "Summary".to_string(),
        Some("summary".to_string()),
    ));
    blocks.push(Block::Table(summary_block(tables, &windows, &groups)));

    // Charts.
    blocks.push(Block::Heading(
        2,
        "Charts".to_string(),
        Some("charts".to_string()),
    ));
    blocks.push(Block::Para(
        "CAAR path: cumulative sum of the daily AARs from the first day of the event period; band \
         ±1.96 · √(Σ sd²/n), the cumulated cross-sectional standard error of the AARs (days treated \
         as independent). The path is Σ AAR and can differ from the CAAR of a window in the \
         aggregate table (the mean of complete CARs) when the number of events varies by day."
            .to_string(),
    ));
    let mut svgs: Vec<(String, String)> = Vec::new();
    let mut add_chart = |blocks: &mut Vec<Block>,
                         kind: &str,
                         key: &str,
                         alt: String,
                         draw: &dyn Fn(bool) -> String| {
        let file = format!("fig{:02}_{kind}_{}.svg", svgs.len() + 1, slug(key));
        svgs.push((file.clone(), draw(true)));
        blocks.push(Block::Chart {
            file,
            alt,
            inline_svg: draw(false),
        });
    };
    let mut aggregate_by_group: HashMap<&str, Vec<&AggregateRow>> = HashMap::new();
    for r in &tables.aggregate {
        aggregate_by_group
            .entry(r.group.as_str())
            .or_default()
            .push(r);
    }
    let charted: Vec<(&String, &Vec<&AggregateRow>)> = groups
        .iter()
        .filter_map(|g| Some((g, aggregate_by_group.get(g.as_str())?)))
        .filter(|(_, rows)| rows.iter().any(|r| r.metric == "ar"))
        .collect();
    if charted.len() > MAX_GROUPS_SHOWN {
        blocks.push(Block::Para(format!(
            "CAAR and AAR charts of the first {} of {} groups; the daily AARs of every group are \
             in the aggregate table below and in aggregate.csv.",
            MAX_GROUPS_SHOWN,
            svg::fmt_count(charted.len())
        )));
    }
    for (g, rows) in charted.into_iter().take(MAX_GROUPS_SHOWN) {
        add_chart(
            &mut blocks,
            "caar",
            g,
            format!("CAAR path with 95% band, group {g}"),
            &|s| svg::caar_chart(g, rows, s),
        );
        add_chart(
            &mut blocks,
            "aar",
            g,
            format!("AAR by relative day, group {g}"),
            &|s| svg::aar_chart(g, rows, s),
        );
    }
    let mut cars_by_window: HashMap<&str, Vec<&CarRow>> = HashMap::new();
    for r in &tables.cars {
        cars_by_window.entry(r.window.as_str()).or_default().push(r);
    }
    for w in &windows {
        let Some(rows) = cars_by_window.get(w.as_str()) else {
            continue;
        };
        if rows.len() <= CAR_CHART_MAX_PAIRS {
            add_chart(
                &mut blocks,
                "car",
                w,
                format!("CAR by event, window {w}"),
                &|s| svg::car_chart(w, rows, s),
            );
        } else {
            // Same-date portfolio CARs average the pairs: not part of the distribution.
            let pairs: Vec<&CarRow> = rows
                .iter()
                .copied()
                .filter(|r| r.security != PORTFOLIO)
                .collect();
            let portfolios = rows.len() - pairs.len();
            let values: Vec<f64> = pairs.iter().filter_map(|r| r.car).collect();
            let n_na = pairs.len() - values.len();
            let summary = svg::car_histogram(&values, svg::HIST_BINS)
                .map(|h| svg::car_histogram_summary(&h, n_na))
                .unwrap_or_else(|| "no complete CAR".to_string());
            add_chart(
                &mut blocks,
                "car",
                w,
                format!(
                    "Distribution of CAR, window {w}, over {} event–security pairs ({summary}); \
                     histogram of {} equal bins over the 0.5%–99.5% quantiles, values outside \
                     counted in the edge bins{}",
                    svg::fmt_count(pairs.len()),
                    svg::HIST_BINS,
                    if portfolios > 0 {
                        format!(
                            "; {} same-date portfolio CARs not included",
                            svg::fmt_count(portfolios)
                        )
                    } else {
                        String::new()
                    }
                ),
                &|s| svg::car_histogram_chart(w, &pairs, portfolios, s),
            );
        }
    }
    if svgs.is_empty() {
        blocks.push(Block::Para("No data to chart.".to_string()));
    }

    blocks.push(Block::Heading(
        2,
        "Tests".to_string(),
        Some("tests".to_string()),
    ));
    blocks.extend(test_blocks(tables, &groups));

    blocks.push(Block::Heading(
        2,
        "Aggregate abnormal returns".to_string(),
        Some("aggregate".to_string()),
    ));
    blocks.push(Block::Para(
        "AAR per day; CAAR and ABHAR per window are means over the events with a complete window \
         (methodology §5.5). share > 0: share of strictly positive values; sd with divisor n − 1."
            .to_string(),
    ));
    blocks.push(Block::Table(aggregate_table(&tables.aggregate)));

    blocks.push(Block::Heading(
        2,
        "Model fits".to_string(),
        Some("models".to_string()),
    ));
    push_truncated_preamble(
        &mut blocks,
        tables.model_fits.len(),
        Some(format!(
            "Distribution over all {} model fits (quartiles by linear interpolation):",
            svg::fmt_count(tables.model_fits.len())
        )),
        || model_fit_distribution(tables),
        "model fits",
        "model_fits",
    );
    blocks.push(Block::Table(model_fit_table(tables, TABLE_MAX_ROWS)));

    blocks.push(Block::Heading(
        2,
        "Day-0 mapping".to_string(),
        Some("day0".to_string()),
    ));
    if tables.day0.is_empty() {
        blocks.push(Block::Para(
            "Not available (no day-0 mapping in these outputs).".to_string(),
        ));
    } else {
        push_truncated_preamble(
            &mut blocks,
            tables.day0.len(),
            None,
            || day0_status_counts(tables),
            "day-0 mappings",
            "day0_mapping",
        );
        blocks.push(Block::Table(day0_table(tables, TABLE_MAX_ROWS)));
    }

    blocks.push(Block::Heading(
        2,
        "Exclusions".to_string(),
        Some("exclusions".to_string()),
    ));
    if tables.exclusions.is_empty() {
        blocks.push(Block::Para("Nothing was excluded.".to_string()));
    } else {
        push_truncated_preamble(
            &mut blocks,
            tables.exclusions.len(),
            Some(format!(
                "All {} exclusion rows by stage and reason:",
                svg::fmt_count(tables.exclusions.len())
            )),
            || exclusion_counts(tables),
            "exclusion rows",
            "exclusions",
        );
        blocks.push(Block::Table(exclusion_table(tables, TABLE_MAX_ROWS)));
    }

    blocks.push(Block::Heading(
        2,
        "Study configuration".to_string(),
        Some("configuration".to_string()),
    ));
    let json =
        serde_json::to_string_pretty(config_summary).unwrap_or_else(|_| config_summary.to_string());
    blocks.push(Block::Pre(json));
    (blocks, svgs)
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;\
margin:0;background:#f6f7f9}main{max-width:1180px;margin:0 auto;padding:24px 32px 48px;background:#fff}\
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid #dde3ea}\
h3{font-size:16px;margin:22px 0 6px}p{line-height:1.45;max-width:900px}nav{font-size:14px;margin:6px 0 12px}\
nav a{margin-right:14px;color:#1f5fa8;text-decoration:none}\
table{border-collapse:collapse;margin:8px 0 14px;font-size:13px}th,td{border:1px solid #d8dde3;padding:4px 8px;vertical-align:top}\
th{background:#eef2f6;text-align:left;font-weight:600}tr:nth-child(even) td{background:#fafbfc}\
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.stars{color:#b3261e;font-weight:700}\
.p{color:#666;font-size:11px}figure{margin:12px 0 20px}figcaption{font-size:12px;color:#555}\
pre{background:#f3f5f7;border:1px solid #dde3ea;padding:10px;font-size:12px;overflow-x:auto}svg{max-width:100%;height:auto}";

fn render_html(blocks: &[Block], title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        xml_escape(title)
    );
    let anchors: Vec<(&str, &str)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(2, text, Some(id)) => Some((id.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    for b in blocks {
        match b {
            Block::Heading(level, text, id) => {
                let id_attr = id
                    .as_ref()
                    .map(|i| format!(" id=\"{}\"", xml_escape(i)))
                    .unwrap_or_default();
                let _ = writeln!(out, "<h{level}{id_attr}>{}</h{level}>", xml_escape(text));
                if *level == 1 {
                    out.push_str("<nav>");
                    for (id, text) in &anchors {
                        let _ = write!(
                            out,
                            "<a href=\"#{}\">{}</a>",
                            xml_escape(id),
                            xml_escape(text)
                        );
                    }
                    out.push_str("</nav>\n");
                }
            }
            Block::Para(text) => {
                let _ = writeln!(out, "<p>{}</p>", xml_escape(text));
            }
            Block::Table(t) => {
                out.push_str("<table>\n<thead><tr>");
                for h in &t.header {
                    let _ = write!(out, "<th>{}</th>", xml_escape(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in &t.rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let class = if cell.numeric { " class=\"num\"" } else { "" };
                        let _ = write!(out, "<td{class}>{}</td>", cell.html);
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Chart {
                file,
                alt,
                inline_svg,
            } => {
                let _ = writeln!(
                    out,
                    "<figure>\n{inline_svg}\n<figcaption>{} (file {})</figcaption>\n</figure>",
                    xml_escape(alt),
                    xml_escape(file)
                );
            }
            Block::Pre(text) => {
                let _ = writeln!(out, "<pre>{}</pre>", xml_escape(text));
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Escapes Markdown emphasis markers (the significance stars) in text.
fn md_text(s: &str) -> String {
    s.replace('*', "\\*")
}

fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|").replace('\n', " ")
}

fn render_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text, _) => {
                let _ = writeln!(out, "{} {}\n", "#".repeat(*level as usize), text);
            }
            Block::Para(text) => {
                let _ = writeln!(out, "{}\n", md_text(text));
            }
            Block::Table(t) => {
                let _ = writeln!(
                    out,
                    "| {} |",
                    t.header
                        .iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let aligns: Vec<&str> = (0..t.header.len())
                    .map(|k| {
                        if t.rows
                            .first()
                            .map(|r| r.get(k).is_some_and(|c| c.numeric))
                            .unwrap_or(false)
                        {
                            "---:"
                        } else {
                            "---"
                        }
                    })
                    .collect();
                let _ = writeln!(out, "| {} |", aligns.join(" | "));
                for row in &t.rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        row.iter()
                            .map(|c| md_cell(&c.markdown))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::Chart { file, alt, .. } => {
                let _ = writeln!(out, "![{}]({file})\n", alt.replace(['[', ']'], ""));
            }
            Block::Pre(text) => {
                let _ = writeln!(out, "```json\n{text}\n```\n");
            }
        }
    }
    out
}

/// Renders the report of a study: Markdown, self-contained HTML and the SVG charts.
///
/// `tables` should be in §12 order ([`crate::output::sort_tables`]); windows appear in the
/// order of the `aggregate` table. `config_summary` is shown pretty-printed in the
/// "Study configuration" section; `title` heads both documents. Sections: summary (counts),
/// charts (CAAR path with 95 % band and AAR bars per group, CAR bars or CAR histogram per
/// window), tests (per group and scope: statistic, stars, p-value, n), aggregate table, model
/// fits, day-0 mapping, exclusions with reasons, configuration. Large studies are bounded as
/// the module documentation describes. Pure function: no I/O, deterministic.
///
/// # Examples
///
/// ```
/// use evstudy::report::render_report;
/// use evstudy::tables::StudyTables;
/// let r = render_report(&StudyTables::default(), &serde_json::json!({"model": "market_model"}), "Empty study");
/// assert!(r.html.starts_with("<!DOCTYPE html>"));
/// assert!(r.markdown.starts_with("# Empty study"));
/// assert!(r.svgs.is_empty());
/// ```
pub fn render_report(
    tables: &StudyTables,
    config_summary: &serde_json::Value,
    title: &str,
) -> Report {
    let (blocks, svgs) = build(tables, config_summary, title);
    Report {
        markdown: render_markdown(&blocks),
        html: render_html(&blocks, title),
        svgs,
    }
}

/// Writes `report.md`, `report.html` and every chart (`figNN_….svg`) into `dir`, creating it
/// if needed; each file is written atomically ([`crate::output::write_atomic`]).
///
/// # Errors
/// [`crate::Error::Io`] naming the folder or file that could not be written.
pub fn write_report(dir: &Path, report: &Report) -> Result<()> {
    crate::output::create_dir(dir)?;
    write_atomic(&dir.join("report.md"), report.markdown.as_bytes())?;
    write_atomic(&dir.join("report.html"), report.html.as_bytes())?;
    for (name, svg) in &report.svgs {
        write_atomic(&dir.join(name), svg.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::read_csv_tables;

    /// Checks that `xml` is well formed as far as tags go: every start tag is closed in order,
    /// attributes are quoted, no stray `<` or `&`.
    fn assert_well_formed(xml: &str) {
        let mut stack: Vec<String> = Vec::new();
        let bytes = xml.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'<' => {
                    let end = xml[i..].find('>').map(|e| i + e).expect("unclosed tag");
                    let tag = &xml[i + 1..end];
                    assert!(!tag.contains('<'), "'<' inside tag: {tag}");
                    assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
                    if let Some(name) = tag.strip_prefix('/') {
                        let open = stack
                            .pop()
                            .unwrap_or_else(|| panic!("close without open: {name}"));
                        assert_eq!(open, name.trim(), "mismatched close tag");
                    } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!')
                    {
                        let name = tag.split_whitespace().next().unwrap_or("").to_string();
                        assert!(!name.is_empty(), "empty tag");
                        stack.push(name);
                    }
                    i = end + 1;
                }
                b'&' => {
                    let semi = xml[i..].find(';').expect("bare &");
                    let entity = &xml[i + 1..i + semi];
                    assert!(
                        ["amp", "lt", "gt", "quot", "#39"].contains(&entity),
                        "unknown entity &{entity};"
                    );
                    i += semi + 1;
                }
                b'>' => panic!("stray '>' at byte {i}"),
                _ => i += 1,
            }
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
    }

    fn golden() -> Option<StudyTables> {
        let shared = crate::shared_data::shared_dir()?;
        Some(read_csv_tables(&shared.join("golden/spec/b_panel")).expect("golden tables"))
    }

    fn config() -> serde_json::Value {
        serde_json::json!({"model": "market_model", "windows": ["-1:1", "0:3"], "note": "a < b & c"})
    }

    #[test]
    fn fmt_num_readable() {
        assert_eq!(fmt_num(0.0101576560), "0.01016");
        assert_eq!(fmt_num(2.0731737), "2.073");
        assert_eq!(fmt_num(-1234.5678), "-1235");
        assert_eq!(fmt_num(0.00028731042), "0.0002873");
        assert_eq!(fmt_num(3.9e-5), "3.900e-5");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(stars(Some(0.009)), "***");
        assert_eq!(stars(Some(0.04)), "**");
        assert_eq!(stars(Some(0.07)), "*");
        assert_eq!(stars(Some(0.1)), "");
        assert_eq!(stars(None), "");
    }

    #[test]
    fn svgs_are_well_formed_with_expected_series() {
        let Some(tables) = golden() else { return };
        let r = render_report(&tables, &config(), "b_panel");
        // 1 group → caar + aar; 2 windows → 2 CAR charts.
        let names: Vec<&str> = r.svgs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "fig01_caar_all.svg",
                "fig02_aar_all.svg",
                "fig03_car_-1_1.svg",
                "fig04_car_0_3.svg"
            ]
        );
        for (name, svg) in &r.svgs {
            assert!(
                svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
                "{name}"
            );
            assert_well_formed(svg);
        }
        let caar = &r.svgs[0].1;
        assert_eq!(caar.matches("<polyline class=\"caar\"").count(), 1);
        let points = caar
            .split("<polyline class=\"caar\" points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(
            points.split(' ').count(),
            5,
            "one point per day of H = [-1, 3]"
        );
        assert_eq!(caar.matches("<path class=\"band\"").count(), 1);
        assert_eq!(r.svgs[1].1.matches("<rect class=\"bar\"").count(), 5);
        let car_rows = |w: &str| {
            tables
                .cars
                .iter()
                .filter(|c| c.window == w && c.car.is_some())
                .count()
        };
        assert_eq!(
            r.svgs[2].1.matches("<rect class=\"bar\"").count(),
            car_rows("-1:1")
        );
        assert_eq!(
            r.svgs[3].1.matches("<rect class=\"bar\"").count(),
            car_rows("0:3")
        );
        assert_eq!(car_rows("-1:1"), 10);
        assert_eq!(car_rows("0:3"), 9); // E6 0:3 incomplete
        assert!(r.svgs[3].1.contains("NA (incomplete window)"));
        assert!(r.svgs[2].1.contains("E1 · S1"));
    }

    #[test]
    fn caar_chart_last_point_matches_sum_of_aar() {
        let Some(tables) = golden() else { return };
        let ar: Vec<&AggregateRow> = tables
            .aggregate
            .iter()
            .filter(|r| r.metric == "ar")
            .collect();
        let path = svg::caar_path(&ar);
        let direct: f64 = ar.iter().filter_map(|r| r.mean).sum();
        approx::assert_relative_eq!(path[4].caar, direct, max_relative = 1e-12);
        let var: f64 = ar.iter().map(|r| r.sd.unwrap().powi(2) / r.n as f64).sum();
        approx::assert_relative_eq!(
            path[4].half_band.unwrap(),
            1.96 * var.sqrt(),
            max_relative = 1e-12
        );
    }

    #[test]
    fn html_is_self_contained_and_complete() {
        let Some(tables) = golden() else { return };
        let r = render_report(&tables, &config(), "b_panel <test>");
        let html = &r.html;
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "external reference in HTML"
        );
        for bad in ["<script", "<link", "<img", "@import", "url("] {
            assert!(!html.contains(bad), "{bad}");
        }
        for attr in html
            .split("href=\"")
            .skip(1)
            .chain(html.split("src=\"").skip(1))
        {
            assert!(
                attr.starts_with('#'),
                "non-local reference: {}",
                &attr[..20.min(attr.len())]
            );
        }
        assert_well_formed(
            &html
                .replace("<!DOCTYPE html>", "")
                .replace("<meta charset=\"utf-8\">", "")
                .replace(
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                    "",
                )
                .replace("<br>", "<br/>"),
        );
        assert_eq!(html.matches("<svg").count(), 4);
        assert!(html.contains("b_panel &lt;test&gt;"));
        assert!(
            html.contains("a &lt; b &amp; c"),
            "configuration shown escaped"
        );
        // Tests table: day 0 csect_t of the golden file is 0.9... with p; check stars and a value.
        let csect_day0 = tables
            .tests
            .iter()
            .find(|t| t.test == "csect_t" && t.rel_day == Some(0))
            .unwrap();
        assert!(html.contains(&fmt_num(csect_day0.statistic.unwrap())));
        assert!(html.contains("PF:XNYS:2024-06-26:IDX"));
        assert!(html.contains("too_few_estimation_returns"));
        assert!(
            html.contains("1 price row(s) on dates that are not XNYS sessions, first 2024-06-29")
        );
        for section in [
            "id=\"summary\"",
            "id=\"charts\"",
            "id=\"tests\"",
            "id=\"aggregate\"",
            "id=\"day0\"",
            "id=\"exclusions\"",
            "id=\"configuration\"",
        ] {
            assert!(html.contains(section), "{section}");
        }
    }

    #[test]
    fn markdown_links_svgs_and_has_tables() {
        let Some(tables) = golden() else { return };
        let r = render_report(&tables, &config(), "b_panel");
        for (name, _) in &r.svgs {
            assert!(r.markdown.contains(&format!("]({name})")), "{name}");
        }
        assert!(r
            .markdown
            .contains("| test | day -1 | day 0 | day 1 | day 2 | day 3 |"));
        assert!(r
            .markdown
            .contains("| E9 | S4 | estimation | too_few_estimation_returns | M=9 < min_est=30 |"));
        // p-values of stars: every *** cell has p < 0.01.
        let mut starred = 0;
        assert!(
            !r.markdown.contains("***"),
            "stars must be escaped in Markdown"
        );
        for line in r.markdown.lines().filter(|l| l.contains("\\*\\*\\*")) {
            for cell in line.split('|').filter(|c| c.contains("\\*\\*\\* (")) {
                let p: f64 = cell
                    .split("\\*\\*\\* (")
                    .nth(1)
                    .unwrap()
                    .trim()
                    .trim_end_matches(')')
                    .parse()
                    .unwrap();
                assert!(p < 0.01, "{cell}");
                starred += 1;
            }
        }
        assert!(
            starred >= 5,
            "expected several p < 0.01 cells, found {starred}"
        );
    }

    #[test]
    fn report_is_deterministic_and_written() {
        let Some(tables) = golden() else { return };
        let a = render_report(&tables, &config(), "b_panel");
        let b = render_report(&tables.clone(), &config(), "b_panel");
        assert_eq!(a, b);
        let dir = tempfile::tempdir().unwrap();
        write_report(&dir.path().join("rep"), &a).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("rep/report.html")).unwrap(),
            a.html
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("rep/fig01_caar_all.svg")).unwrap(),
            a.svgs[0].1
        );
    }

    /// A plausible day-0 table for the golden panel: day 0 = the date of relative day 0 in
    /// `abnormal_returns`, status from `exclusions` (sample data for the visual check only).
    fn sample_day0(dir: &Path, tables: &StudyTables) -> Vec<crate::tables::Day0Row> {
        let text = std::fs::read_to_string(dir.join("events.csv")).expect("events.csv");
        let mut out = Vec::new();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let (event_id, security, date, time) = (f[0], f[1], f[2], f[3]);
            let day0 = tables
                .abnormal_returns
                .iter()
                .find(|r| r.event_id == event_id && r.security == security && r.rel_day == 0)
                .and_then(|r| r.date);
            let announced = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
            let status = tables
                .exclusions
                .iter()
                .find(|x| {
                    x.event_id == event_id
                        && matches!(x.stage, Stage::Input | Stage::Day0 | Stage::Estimation)
                })
                .map(|x| x.reason.clone())
                .unwrap_or_else(|| "ok".to_string());
            let local_time = match time {
                "" => "12:00",
                "before_open" => "09:30",
                "after_close" => "16:00",
                t => t,
            };
            let (h, m) = local_time.split_once(':').expect("time");
            let utc_hour: u32 = h.parse::<u32>().expect("hour") + 4; // EDT, summer dates only
            out.push(crate::tables::Day0Row {
                event_id: event_id.to_string(),
                security: security.to_string(),
                exchange: "XNYS".to_string(),
                event_instant_utc: format!("{date}T{utc_hour:02}:{m}Z"),
                event_instant_local: format!("{date} {local_time}"),
                day0,
                shift_days: day0.map(|d| (d - announced).num_days()),
                shift_sessions: day0.map(|_| 0), // every shift in this panel crosses no session
                status,
            });
        }
        out
    }

    #[test]
    fn day0_table_and_chunks() {
        let mut t = StudyTables::default();
        t.day0.push(crate::tables::Day0Row {
            event_id: "E4".into(),
            security: "S4".into(),
            exchange: "XNYS".into(),
            event_instant_utc: "2024-07-06T16:00Z".into(),
            event_instant_local: "2024-07-06 12:00".into(),
            day0: chrono::NaiveDate::from_ymd_opt(2024, 7, 8),
            shift_days: Some(2),
            shift_sessions: Some(0),
            status: "ok".into(),
        });
        let r = render_report(&t, &serde_json::json!({}), "t");
        assert!(r.markdown.contains(
            "| E4 | S4 | XNYS | 2024-07-06T16:00Z | 2024-07-06 12:00 | 2024-07-08 | 2 | 0 | ok |"
        ));
        let sizes = |n: usize, max: usize| {
            balanced_chunks(&vec![0u8; n], max)
                .iter()
                .map(|c| c.len())
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(7, 8), [7]);
        assert_eq!(sizes(9, 8), [5, 4]);
        assert_eq!(sizes(26, 8), [7, 7, 7, 5]);
        assert!(sizes(0, 8).is_empty());
    }

    /// Synthetic tables of a big study: `pairs` event–security pairs, one window "-1:1" (every
    /// 7th CAR NA), a model fit and a day-0 row per pair, one exclusion per pair spread over
    /// stages and reasons, and `clusters` same-date portfolios with day-0 and window tests.
    fn big_tables(pairs: usize, clusters: usize) -> StudyTables {
        use crate::tables::{Day0Row, ExclusionRow, ModelFitRow};
        let mut t = StudyTables::default();
        for k in 0..pairs {
            let (event_id, security) = (format!("E{k:05}"), format!("S{:04}", k % 977));
            // A deterministic, spread-out CAR in about ±10 %, with outliers every 1,000th pair.
            let car = ((k as f64 * 0.618_033_988_75).fract() - 0.5) * 0.2
                + if k % 1000 == 3 { 2.0 } else { 0.0 };
            t.cars.push(CarRow {
                event_id: event_id.clone(),
                security: security.clone(),
                group: "all".into(),
                window: "-1:1".into(),
                car: (k % 7 != 0).then_some(car),
                car_se: Some(0.01),
                car_t: None,
                car_p: None,
                scar: None,
                bhar: None,
                n_days: 3,
            });
            t.model_fits.push(ModelFitRow {
                event_id: event_id.clone(),
                security: security.clone(),
                group: "all".into(),
                model: "market_model".into(),
                n_est: 200 + (k % 41) as u32,
                df: 198,
                sigma: Some(0.02),
                alpha: Some(0.0),
                beta: Some(1.0 + (k % 10) as f64 / 10.0),
                r2: Some(0.3),
                extras: Vec::new(),
            });
            t.day0.push(Day0Row {
                event_id: event_id.clone(),
                security: security.clone(),
                exchange: "XNYS".into(),
                event_instant_utc: "2024-07-06T16:00Z".into(),
                event_instant_local: "2024-07-06 12:00".into(),
                day0: chrono::NaiveDate::from_ymd_opt(2024, 7, 8),
                shift_days: Some(2),
                shift_sessions: Some(0),
                status: if k % 100 == 0 {
                    "max_shift_exceeded"
                } else {
                    "ok"
                }
                .into(),
            });
            let (stage, reason) = match k % 4 {
                0 => (Stage::EventDay, "missing_return"),
                1 => (Stage::Car, "incomplete_window"),
                2 => (Stage::EventDay, "missing_return"),
                _ => (Stage::Input, "unknown_security"),
            };
            t.exclusions.push(ExclusionRow {
                event_id,
                security,
                stage,
                reason: reason.into(),
                detail: "synthetic".into(),
                order: k as i64,
            });
        }
        for c in 0..clusters {
            t.cars.push(CarRow {
                event_id: format!("PF:XNYS:{c:05}:IDX"),
                security: PORTFOLIO.into(),
                group: "all".into(),
                window: "-1:1".into(),
                car: Some(5.0),
                car_se: Some(0.01),
                car_t: None,
                car_p: None,
                scar: None,
                bhar: None,
                n_days: 3,
            });
            for (scope, rel_day, window) in [("day", Some(0), None), ("car", None, Some("-1:1"))] {
                t.tests.push(TestRow {
                    group: "all".into(),
                    scope: scope.into(),
                    window: window.map(String::from),
                    rel_day,
                    test: "portfolio_t".into(),
                    statistic: Some(if c % 2 == 0 { 2.5 } else { -0.5 }),
                    p_value: Some(if c % 2 == 0 { 0.01 } else { 0.6 }),
                    df: None,
                    n: 5,
                    cluster: Some(format!("PF:XNYS:{c:05}:IDX")),
                });
            }
        }
        t
    }

    /// The counts written in the `<title>` of every histogram bin of an SVG.
    fn bin_counts(svg: &str) -> Vec<usize> {
        svg.split("<rect class=\"bin\"")
            .skip(1)
            .map(|rest| {
                let title = rest
                    .split("<title>")
                    .nth(1)
                    .unwrap()
                    .split("</title>")
                    .next()
                    .unwrap();
                title.rsplit(": ").next().unwrap().parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn big_study_report_is_bounded_and_says_what_it_left_out() {
        let tables = big_tables(5_000, 300);
        let r = render_report(&tables, &config(), "big");
        assert!(r.html.len() < 1_000_000, "HTML {} bytes", r.html.len());
        assert!(
            r.markdown.len() < 500_000,
            "Markdown {} bytes",
            r.markdown.len()
        );
        for (name, svg) in &r.svgs {
            assert!(svg.len() < 50_000, "{name}: {} bytes", svg.len());
            assert_well_formed(svg);
        }
        // The CAR chart is a histogram whose bins count every complete CAR.
        let (name, car_svg) = r.svgs.last().unwrap();
        assert_eq!(name, "fig01_car_-1_1.svg");
        assert!(!car_svg.contains("<rect class=\"bar\""));
        // Pairs only: the 300 same-date portfolio CARs (all +5) are left out and said so.
        let complete = tables
            .cars
            .iter()
            .filter(|c| c.car.is_some() && c.security != PORTFOLIO)
            .count();
        assert_eq!(complete, 5_000 - 5_000usize.div_ceil(7));
        assert!(car_svg.contains("300 same-date portfolio CAR(s) not included"));
        let counts = bin_counts(car_svg);
        assert_eq!(counts.len(), svg::HIST_BINS);
        assert_eq!(counts.iter().sum::<usize>(), complete);
        assert_eq!(car_svg.matches("<line class=\"zero\"").count(), 1);
        assert_eq!(car_svg.matches("<line class=\"mean\"").count(), 1);
        assert!(car_svg.contains(&format!("n = {}, mean", svg::fmt_count(complete))));
        assert!(car_svg.contains(&format!(
            "{} NA (incomplete window)",
            svg::fmt_count(5_000 - complete)
        )));
        // The four complete outliers at about +2 lie above the 99.5 % quantile: counted in the
        // last bin, whose title says how many values above the range it holds.
        let outliers = tables
            .cars
            .iter()
            .filter(|c| c.car.is_some_and(|v| v > 1.0) && c.security != PORTFOLIO)
            .count();
        assert_eq!(outliers, 4);
        assert!(counts[svg::HIST_BINS - 1] >= outliers);
        let last_title = car_svg.rsplit("<rect class=\"bin\"").next().unwrap();
        let above: usize = last_title
            .split(" above: ")
            .next()
            .unwrap()
            .rsplit(" and ")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(above >= outliers && above <= counts[svg::HIST_BINS - 1]);
        assert!(car_svg.contains("are counted in the edge bins"));
        // Truncated tables say how many rows they show and where the rest is.
        for (what, table) in [
            ("model fits", "model_fits"),
            ("day-0 mappings", "day0_mapping"),
            ("exclusion rows", "exclusions"),
        ] {
            let note = format!(
                "Showing the first 200 of 5,000 {what} (in the table's order); the full table is in {table}.csv"
            );
            assert!(r.markdown.contains(&note), "{note}");
            assert!(r.html.contains(&xml_escape(&note)), "{note}");
        }
        assert!(r
            .markdown
            .contains("| E00199 | S0199 | all | market_model |"));
        assert!(!r
            .markdown
            .contains("| E00200 | S0200 | all | market_model |"));
        // Exclusions by stage and reason, in stage order, counted independently.
        let count = |stage: Stage, reason: &str| {
            tables
                .exclusions
                .iter()
                .filter(|x| x.stage == stage && x.reason == reason)
                .count()
        };
        assert_eq!(count(Stage::EventDay, "missing_return"), 2_500);
        let counts_table = format!(
            "| stage | reason | rows |\n| --- | --- | ---: |\n| input | unknown_security | {} |\n| event_day | missing_return | {} |\n| car | incomplete_window | {} |\n",
            count(Stage::Input, "unknown_security"),
            count(Stage::EventDay, "missing_return"),
            count(Stage::Car, "incomplete_window")
        );
        assert!(r.markdown.contains(&counts_table), "{counts_table}");
        assert!(r.markdown.contains("| status max_shift_exceeded | 50 |"));
        assert!(r.markdown.contains("| status ok | 4950 |"));
        // Portfolio tests: a count table over all 300 portfolios, then the first 50 listed.
        assert!(r
            .markdown
            .contains("| p < 0.05, statistic > 0 | 150 | 150 |"));
        assert!(r.markdown.contains("| p < 0.05, statistic < 0 | 0 | 0 |"));
        assert!(r
            .markdown
            .contains("Showing the first 50 of 300 portfolios"));
        assert!(r.markdown.contains("| PF:XNYS:00049:IDX |"));
        assert!(!r.markdown.contains("| PF:XNYS:00050:IDX |"));
        // Model-fit distribution: n_est cycles through 200..=240.
        assert!(r.markdown.contains("| n_est | 5000 | 200 |"), "n_est row");
    }

    #[test]
    fn car_chart_switches_to_histogram_above_the_limit() {
        let at_limit = big_tables(CAR_CHART_MAX_PAIRS, 0);
        let r = render_report(&at_limit, &config(), "t");
        let car = &r.svgs.last().unwrap().1;
        let complete = at_limit.cars.iter().filter(|c| c.car.is_some()).count();
        assert_eq!(car.matches("<rect class=\"bar\"").count(), complete);
        assert!(!car.contains("class=\"bin\""));
        assert!(!r.markdown.contains("Showing the first"));
        let above = big_tables(CAR_CHART_MAX_PAIRS + 1, 0);
        let r = render_report(&above, &config(), "t");
        let car = &r.svgs.last().unwrap().1;
        assert_eq!(car.matches("<rect class=\"bar\"").count(), 0);
        assert_eq!(
            bin_counts(car).iter().sum::<usize>(),
            above.cars.iter().filter(|c| c.car.is_some()).count()
        );
        assert_well_formed(&r.svgs.last().unwrap().1);
        assert!(r
            .markdown
            .contains("![Distribution of CAR, window -1:1, over 61 event–security pairs"));
    }

    /// Writes the report of the golden b_panel outputs to `<temp dir>/evreport` for visual inspection.
    #[test]
    #[ignore]
    fn write_sample_report() {
        let Some(shared) = crate::shared_data::shared_dir() else {
            return;
        };
        let dir = shared.join("golden/spec/b_panel");
        let mut tables = read_csv_tables(&dir).expect("golden tables");
        tables.day0 = sample_day0(&dir, &tables);
        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).expect("run.json"))
                .expect("json");
        let report = render_report(&tables, &config, "Event study — golden b_panel");
        write_report(&std::env::temp_dir().join("evreport"), &report).expect("write report");
    }
}

/// The CSV summaries kept in a committed export (small tables only).
pub const EXPORT_TABLES: &[&str] = &[
    "aggregate.csv",
    "cars.csv",
    "model_fits.csv",
    "exclusions.csv",
    "day0_mapping.csv",
];

/// Write a compact export of a study: the report (Markdown, HTML, SVGs) and the small CSV
/// summaries of [`EXPORT_TABLES`]. Returns the file names written. Deterministic.
pub fn export_files(
    tables: &StudyTables,
    run_info: &serde_json::Value,
    title: &str,
) -> Vec<(String, Vec<u8>)> {
    let report = render_report(tables, run_info, title);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("report.md".to_string(), report.markdown.into_bytes()),
        ("report.html".to_string(), report.html.into_bytes()),
    ];
    for (name, svg) in report.svgs {
        files.push((name, svg.into_bytes()));
    }
    for (name, text) in crate::output::csv_files(tables) {
        if EXPORT_TABLES.contains(&name) {
            files.push((name.to_string(), text.into_bytes()));
        }
    }
    files
}

/// Write [`export_files`] into `dir` (atomically, file by file).
pub fn write_export(
    dir: &Path,
    tables: &StudyTables,
    run_info: &serde_json::Value,
    title: &str,
) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::io(dir, e))?;
    let files = export_files(tables, run_info, title);
    for (name, bytes) in &files {
        crate::output::write_atomic(&dir.join(name), bytes)?;
    }
    Ok(files.into_iter().map(|(n, _)| n).collect())
}
