//! The model-fit section: the fits and, in big studies, their distribution.

use super::push_truncated_preamble;
use crate::output::model_fit_extra_columns;
use crate::report::document::{section_heading, Block, Cell, Table};
use crate::report::format::fmt_count;
use crate::report::format::{fmt_opt, fmt_pct};
use crate::report::svg::quantile_sorted;
use crate::report::TABLE_MAX_ROWS;
use crate::tables::StudyTables;

/// The first `limit` model fits as a table.
fn model_fit_table(tables: &StudyTables, limit: usize) -> Table {
    let extras = model_fit_extra_columns(&tables.model_fits);
    let mut header: Vec<String> = [
        "event",
        "security",
        "group",
        "model",
        "n_est",
        "df",
        "sigma (%)",
        "alpha (%)",
        "beta",
        "R²",
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
                Cell::num(fmt_pct(r.sigma)),
                Cell::num(fmt_pct(r.alpha)),
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

/// Quartiles and extremes of the main model-fit statistics over every fit.
fn model_fit_distribution(tables: &StudyTables) -> Table {
    let fits = &tables.model_fits;
    let columns: [(&str, Vec<f64>); 5] = [
        ("n_est", fits.iter().map(|r| f64::from(r.n_est)).collect()),
        ("sigma (%)", fits.iter().filter_map(|r| r.sigma).collect()),
        ("alpha (%)", fits.iter().filter_map(|r| r.alpha).collect()),
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
                let q = quantile_sorted(&values, p);
                line.push(Cell::num(match q {
                    // Whole counts (n_est) read as integers.
                    Some(v) if name == "n_est" && v.fract() == 0.0 => format!("{v:.0}"),
                    Some(v) if name == "n_est" => format!("{v:.1}"),
                    _ if name.ends_with("(%)") => fmt_pct(q),
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

/// The model-fit section: the first [`TABLE_MAX_ROWS`] fits, after their distribution when
/// there are more.
pub(crate) fn model_fit_section(tables: &StudyTables) -> Vec<Block> {
    let mut blocks = vec![section_heading("Model fits", "models")];
    push_truncated_preamble(
        &mut blocks,
        tables.model_fits.len(),
        Some(format!(
            "Distribution over all {} model fits (quartiles by linear interpolation):",
            fmt_count(tables.model_fits.len())
        )),
        || model_fit_distribution(tables),
        "model fits",
        "model_fits",
    );
    blocks.push(Block::Table(model_fit_table(tables, TABLE_MAX_ROWS)));
    blocks
}
