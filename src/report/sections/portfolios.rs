//! The same-date portfolio test tables of a group (`portfolio_t` per cluster).

use std::collections::HashMap;

use super::{distinct, distinct_keys};
use crate::report::document::{balanced_chunks, Block, Cell, Table};
use crate::report::format::fmt_count;
use crate::report::PORTFOLIO_MAX_CLUSTERS;
use crate::tables::TestRow;

/// Column key of a portfolio test table: (scope, day, window).
type PortfolioKey<'a> = (&'a str, Option<i32>, Option<&'a str>);

/// First test row of each (cluster, column).
type CellMap<'a> = HashMap<(&'a str, PortfolioKey<'a>), &'a TestRow>;

/// The portfolio test tables of one group: rows = same-date portfolios (clusters), columns =
/// days and windows. Above [`PORTFOLIO_MAX_CLUSTERS`] portfolios, a per-column count of the
/// portfolios significant at 5 % (by sign) comes first and only the first portfolios are listed.
pub(crate) fn portfolio_blocks(pf: &[&TestRow]) -> Vec<Block> {
    let keys: Vec<PortfolioKey> = distinct_keys(
        pf.iter()
            .map(|r| (r.scope.as_str(), r.rel_day, r.window.as_deref())),
    );
    let clusters = distinct(pf.iter().filter_map(|r| r.cluster.as_deref()));
    let mut by_cell: CellMap = HashMap::new();
    for r in pf {
        if let Some(cl) = r.cluster.as_deref() {
            by_cell
                .entry((cl, (r.scope.as_str(), r.rel_day, r.window.as_deref())))
                .or_insert(r);
        }
    }
    let mut blocks = Vec::new();
    let shown = clusters.len().min(PORTFOLIO_MAX_CLUSTERS);
    if clusters.len() > shown {
        blocks.extend(significance_blocks(&keys, &by_cell, clusters.len()));
        blocks.push(Block::Para(format!(
            "Showing the first {} of {} portfolios (in the table's order); every portfolio test is \
             in tests.csv (and tests.parquet when Parquet output is written), rows with a cluster.",
            fmt_count(shown),
            fmt_count(clusters.len())
        )));
    }
    for cols in balanced_chunks(&keys, 8) {
        let mut header = vec!["cluster".to_string()];
        header.extend(cols.iter().map(key_label));
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

/// The column heading of a key: `day d`, or `scope window`.
fn key_label((s, d, w): &PortfolioKey) -> String {
    match (d, w) {
        (Some(d), _) => format!("day {d}"),
        (None, Some(w)) => format!("{s} {w}"),
        _ => s.to_string(),
    }
}

/// Per column over every portfolio (first row per cluster and column): the number with a
/// statistic, and the numbers significant at 5 % with a positive and a negative statistic.
fn count_significant<'a>(by_cell: &CellMap<'a>) -> HashMap<PortfolioKey<'a>, [usize; 3]> {
    let mut tested: HashMap<PortfolioKey, [usize; 3]> = HashMap::new();
    for ((_, key), r) in by_cell {
        let e = tested.entry(*key).or_insert([0, 0, 0]);
        if r.statistic.is_some() {
            e[0] += 1;
        }
        if r.p_value.is_some_and(|p| p < 0.05) {
            match r.statistic {
                Some(t) if t > 0.0 => e[1] += 1,
                Some(t) if t < 0.0 => e[2] += 1,
                _ => {}
            }
        }
    }
    tested
}

/// The note and the tables counting significant portfolios per column.
fn significance_blocks(keys: &[PortfolioKey], by_cell: &CellMap, n_clusters: usize) -> Vec<Block> {
    let tested = count_significant(by_cell);
    let mut blocks = vec![Block::Para(format!(
        "{} same-date portfolios. Per day or window: the number of portfolios with a test \
         statistic, and how many are significant at 5 % (two-sided p < 0.05) with a positive \
         or a negative statistic. Under the null about 2.5 % of the portfolios fall on each side.",
        fmt_count(n_clusters)
    ))];
    for cols in balanced_chunks(keys, 8) {
        let mut header = vec!["portfolios".to_string()];
        header.extend(cols.iter().map(key_label));
        let mut body = Vec::new();
        for (name, pick) in [
            ("with a statistic", 0usize),
            ("p < 0.05, statistic > 0", 1),
            ("p < 0.05, statistic < 0", 2),
        ] {
            let mut line = vec![Cell::text(name)];
            for k in cols {
                let counts = tested.get(k).copied().unwrap_or([0, 0, 0]);
                line.push(Cell::num(counts[pick].to_string()));
            }
            body.push(line);
        }
        blocks.push(Block::Table(Table { header, rows: body }));
    }
    blocks
}
