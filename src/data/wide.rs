//! Wide price tables (`date` + one column per ticker) → [`PricePanel`].

use super::panel::{flag_price_jumps, PricePanel, PriceSeries, ValueIssues};
use super::source::{PriceSource, ValueKind};
use super::table::{date_order_unique, parse_dates, parse_value, Cell, TextTable};
use crate::error::{Error, Result};

pub(super) fn read_wide(src: &PriceSource, table: &TextTable) -> Result<PricePanel> {
    let dates = parse_dates(src, table)?;
    // Duplicate dates in a wide file.
    let order = date_order_unique(table, &src.date_col, &dates)?;
    check_repeated_columns(table)?;
    let mut panel = PricePanel::default();
    for (ci, name) in table.names.iter().enumerate() {
        if name == &src.date_col || name.is_empty() {
            continue;
        }
        let ticker = src
            .rename
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.clone());
        if let Some(k) = &src.tickers {
            if !k.contains(&ticker) {
                continue;
            }
        }
        let col = &table.columns[ci];
        let mut s = PriceSeries {
            ticker: ticker.clone(),
            dates: Vec::with_capacity(dates.len()),
            values: Vec::with_capacity(dates.len()),
            kind: src.value,
            file: table.file.clone(),
            issues: ValueIssues::default(),
        };
        for &i in &order {
            let cell = col.get(i);
            if matches!(cell, Cell::Null) || cell.text().is_empty() {
                continue; // in a wide file an empty cell is an absent row
            }
            let (v, bad) = parse_value(src, &table.file, table.first_row + i, name, cell)?;
            s.dates.push(dates[i]);
            s.values.push(v);
            if bad {
                s.issues.bad_price += 1;
                s.issues.first_bad_price.get_or_insert(dates[i]);
            }
            if src.value == ValueKind::Return && v <= -1.0 {
                s.issues.note_low_return(dates[i], table.first_row + i);
            }
        }
        flag_price_jumps(&mut s);
        if panel.series.insert(ticker.clone(), s).is_some() {
            return Err(Error::file(
                table.file.clone(),
                format!("ticker '{ticker}' appears in two columns"),
            ));
        }
    }
    Ok(panel)
}

/// A ticker column repeated in the header (polars renames the second `AAA` to
/// `AAA_duplicated_0`) is an error naming both columns: which one holds the prices is
/// ambiguous.
fn check_repeated_columns(table: &TextTable) -> Result<()> {
    for (k, name) in table.names.iter().enumerate() {
        let Some((base, n)) = name.rsplit_once("_duplicated_") else {
            continue;
        };
        if !n.bytes().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if let Some(first) = table.names.iter().position(|x| x == base) {
            return Err(Error::cell(
                &table.file,
                1,
                base,
                format!(
                    "ticker column '{base}' appears twice in the header (columns {} and {}); keep one",
                    first + 1,
                    k + 1
                ),
            ));
        }
    }
    Ok(())
}
