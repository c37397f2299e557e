//! Long price tables (`date, ticker, value`) → [`PricePanel`].

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::panel::{flag_price_jumps, PricePanel, PriceSeries, ValueIssues};
use super::parse::parse_number;
use super::source::{PriceSource, ValueKind};
use super::table::{for_each_cell, parse_dates, parse_value, Cell, CellColumn, TextTable};
use crate::error::{Error, Result};

/// The row is a suspended day (trade status 0).
const OBS_SUSPENDED: u8 = 1;
/// The row's value is present but unusable (≤ 0 price, non-finite).
const OBS_BAD: u8 = 2;

fn source_rank(src: &PriceSource, source: Option<&str>) -> usize {
    match source {
        Some(s) => src
            .source_priority
            .iter()
            .position(|p| p == s)
            .unwrap_or(src.source_priority.len()),
        None => src.source_priority.len(),
    }
}

/// Marks a row left out by the `tickers` filter.
const NO_TICKER: u32 = u32::MAX;

/// Ticker ids of a long file: each distinct ticker (after trimming, renaming and the
/// `tickers` filter) gets the next id.
struct TickerIds<'a> {
    src: &'a PriceSource,
    keep: Option<std::collections::HashSet<&'a str>>,
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl<'a> TickerIds<'a> {
    fn new(src: &'a PriceSource) -> Self {
        TickerIds {
            src,
            keep: src
                .tickers
                .as_ref()
                .map(|v| v.iter().map(String::as_str).collect()),
            ids: HashMap::new(),
            names: Vec::new(),
        }
    }

    /// The id of the ticker cell of row `i` of `table`; `last` is the text cell above and its
    /// id (the same raw text takes the same id without being looked up).
    fn resolve(
        &mut self,
        table: &TextTable,
        i: usize,
        cell: Cell<'_>,
        last: Option<(&str, u32)>,
    ) -> Result<u32> {
        if let (Cell::Text(raw), Some((prev, id))) = (cell, last) {
            if raw == prev {
                return Ok(id);
            }
        }
        let text = cell.text();
        if text.is_empty() {
            return Err(Error::cell(
                &table.file,
                table.first_row + i,
                &self.src.ticker_col,
                "empty ticker",
            ));
        }
        let name = self
            .src
            .rename
            .get(text.as_ref())
            .map(String::as_str)
            .unwrap_or(&text);
        if matches!(&self.keep, Some(k) if !k.contains(name)) {
            return Ok(NO_TICKER);
        }
        Ok(match self.ids.get(name) {
            Some(id) => *id,
            None => {
                let id = self.names.len() as u32;
                self.names.push(name.to_string());
                self.ids.insert(name.to_string(), id);
                id
            }
        })
    }

    /// Ids of the first `n_rows` rows of a text column of `table` without nulls. A view
    /// (length, prefix, buffer, offset) equal to the one above is the same text, so the row
    /// takes the id above without looking at the text.
    fn by_views(
        &mut self,
        table: &TextTable,
        ca: &StringChunked,
        n_rows: usize,
    ) -> Result<Vec<u32>> {
        let mut by_row: Vec<u32> = Vec::with_capacity(n_rows);
        let mut last: Option<(&str, u32)> = None;
        for arr in ca.downcast_iter() {
            let mut last_view: Option<u128> = None;
            for (j, view) in arr.views().iter().enumerate() {
                let i = by_row.len();
                if i >= n_rows {
                    break;
                }
                if last_view == Some(view.as_u128()) {
                    by_row.push(by_row[i - 1]);
                    continue;
                }
                // SAFETY: j < arr.len(), as it indexes arr.views().
                let raw = unsafe { arr.value_unchecked(j) }.trim_end_matches('\r');
                let id = self.resolve(table, i, Cell::Text(raw), last)?;
                by_row.push(id);
                last = Some((raw, id));
                last_view = Some(view.as_u128());
            }
        }
        Ok(by_row)
    }

    /// Ids of the first `n_rows` rows of any column of `table`, cell by cell.
    fn by_cells(
        &mut self,
        table: &TextTable,
        column: &CellColumn,
        n_rows: usize,
    ) -> Result<Vec<u32>> {
        let mut by_row: Vec<u32> = Vec::with_capacity(n_rows);
        let mut last: Option<(&str, u32)> = None;
        for_each_cell(column, |i, cell| {
            if i < n_rows {
                let id = self.resolve(table, i, cell, last)?;
                by_row.push(id);
                last = match cell {
                    Cell::Text(raw) => Some((raw, id)),
                    _ => None,
                };
            }
            Ok(())
        })?;
        Ok(by_row)
    }
}

/// Ticker id of every row (`NO_TICKER` for rows the `tickers` filter leaves out) and the
/// ticker names by id. A ticker cell is trimmed, renamed and filtered only when it differs
/// from the cell above it (long files repeat each ticker on consecutive rows).
#[cfg(test)]
pub(super) fn ticker_ids_by_row(
    src: &PriceSource,
    table: &TextTable,
    n_rows: usize,
) -> Result<(Vec<u32>, Vec<String>)> {
    let mut ids = TickerIds::new(src);
    let by_row = ids.of_rows(table, n_rows)?;
    Ok((by_row, ids.names))
}

impl TickerIds<'_> {
    /// Ids of the first `n_rows` rows of `table` (a file, or one batch of a file: the ids
    /// of the tickers seen in earlier batches are kept).
    fn of_rows(&mut self, table: &TextTable, n_rows: usize) -> Result<Vec<u32>> {
        let tickers = table.column(&self.src.ticker_col)?;
        match tickers {
            CellColumn::Text(ca) if ca.null_count() == 0 => self.by_views(table, ca, n_rows),
            _ => self.by_cells(table, tickers, n_rows),
        }
    }
}

/// Per-row values and flags ([`OBS_SUSPENDED`] | [`OBS_BAD`]) of a long file; rows the
/// ticker filter leaves out are not parsed.
fn values_by_row(
    src: &PriceSource,
    table: &TextTable,
    ticker_by_row: &[u32],
) -> Result<(Vec<f64>, Vec<u8>)> {
    let n = ticker_by_row.len();
    let mut values = vec![f64::NAN; n];
    let mut flags = vec![0u8; n];
    if let Some(c) = &src.tradestatus_col {
        for_each_cell(table.column(c)?, |i, cell| {
            if i >= n || ticker_by_row[i] == NO_TICKER {
                return Ok(());
            }
            let x = parse_number(&cell.text(), false)
                .map_err(|m| Error::cell(&table.file, table.first_row + i, c, m))?;
            if x == 0.0 {
                flags[i] = OBS_SUSPENDED;
            }
            Ok(())
        })?;
    }
    let column = table.column(&src.price_col)?;
    let numbers_without_nulls = match column {
        CellColumn::Number(ca) if ca.null_count() == 0 => Some(ca),
        _ => None,
    };
    if let (Some(ca), false, None) = (numbers_without_nulls, src.strict, &src.tradestatus_col) {
        // Fast route for numeric Parquet columns: no text, no per-cell errors possible.
        let mut i = 0;
        for arr in ca.downcast_iter() {
            for &x in arr.values().iter() {
                if i >= n {
                    break;
                }
                let usable = match src.value {
                    ValueKind::Price => x.is_finite() && x > 0.0,
                    ValueKind::Return => x.is_finite(),
                };
                if ticker_by_row[i] != NO_TICKER {
                    values[i] = if usable { x } else { f64::NAN };
                    flags[i] = if usable { 0 } else { OBS_BAD };
                }
                i += 1;
            }
        }
        return Ok((values, flags));
    }
    for_each_cell(column, |i, cell| {
        if i >= n || ticker_by_row[i] == NO_TICKER || flags[i] & OBS_SUSPENDED != 0 {
            return Ok(());
        }
        let (value, bad) =
            parse_value(src, &table.file, table.first_row + i, &src.price_col, cell)?;
        values[i] = value;
        if bad {
            flags[i] = OBS_BAD;
        }
        Ok(())
    })?;
    Ok((values, flags))
}

/// Per-row rank of the row's source in `source_priority` (empty without `source_col`).
fn source_ranks_by_row(src: &PriceSource, table: &TextTable, n: usize) -> Result<Vec<u16>> {
    let Some(c) = &src.source_col else {
        return Ok(Vec::new());
    };
    let mut ranks = Vec::with_capacity(n);
    for_each_cell(table.column(c)?, |i, cell| {
        if i < n {
            let text = cell.text();
            ranks.push(source_rank(src, Some(&text)).min(u16::MAX as usize) as u16);
        }
        Ok(())
    })?;
    Ok(ranks)
}

/// Releases the column of input role `role` (an index into `roles`) unless another role
/// names the same column.
fn release_role(table: &mut TextTable, roles: &[Option<&str>], role: usize) {
    if let Some(name) = roles[role] {
        if !roles
            .iter()
            .enumerate()
            .any(|(r, n)| r != role && *n == Some(name))
        {
            table.release(name);
        }
    }
}

/// Row indices fit in `u32`: a longer file (`n_rows` from row `first_row`) is an error.
fn check_row_limit(file: &str, first_row: usize, n_rows: usize) -> Result<()> {
    if first_row + n_rows > u32::MAX as usize {
        return Err(Error::file(
            file,
            format!(
                "{} rows: a long price file is limited to {} rows; split it into several files",
                n_rows,
                u32::MAX as usize - first_row
            ),
        ));
    }
    Ok(())
}

/// The rows of each ticker, the tickers in name order: bucket `b` is
/// `rows[starts[b]..starts[b + 1]]`, the ticker of name rank `b` is `names[by_name[b]]`.
struct Buckets {
    by_name: Vec<u32>,
    starts: Vec<usize>,
    rows: Vec<u32>,
}

/// Buckets the rows by ticker in name order (a stable counting sort, O(n)); rows left out
/// by the ticker filter are dropped.
fn bucket_rows(ticker_by_row: &[u32], names: &[String]) -> Buckets {
    let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
    by_name.sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
    let mut name_rank = vec![0u32; names.len()];
    for (r, &id) in by_name.iter().enumerate() {
        name_rank[id as usize] = r as u32;
    }
    let mut starts = vec![0usize; names.len() + 1];
    for &t in ticker_by_row {
        if t != NO_TICKER {
            starts[name_rank[t as usize] as usize + 1] += 1;
        }
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    // Row indices fit in u32 (checked by `check_row_limit`).
    let mut rows = vec![0u32; starts[names.len()]];
    let mut next = starts.clone();
    for (i, &t) in ticker_by_row.iter().enumerate() {
        if t != NO_TICKER {
            let b = name_rank[t as usize] as usize;
            rows[next[b]] = i as u32;
            next[b] += 1;
        }
    }
    Buckets {
        by_name,
        starts,
        rows,
    }
}

/// The parsed columns of a long file, by row.
struct LongRows<'a> {
    src: &'a PriceSource,
    /// The file, as named in messages.
    file: &'a str,
    /// Row number of row index 0.
    first_row: usize,
    dates: &'a [NaiveDate],
    values: &'a [f64],
    flags: &'a [u8],
    /// Source rank of each row (empty without `source_col`).
    ranks: &'a [u16],
}

impl LongRows<'_> {
    fn rank_at(&self, i: usize) -> u16 {
        self.ranks.get(i).copied().unwrap_or(0)
    }

    /// The series of ticker `name` from its rows `bucket`, sorted by (date, source rank, row)
    /// unless already in that order (the usual case for files sorted by ticker or by date).
    /// Of two rows on the same date the one with the preferred source is kept; without a
    /// preference they are an error naming both rows.
    fn series(&self, name: &str, bucket: &mut [u32]) -> Result<PriceSeries> {
        let key = |&a: &u32| (self.dates[a as usize], self.rank_at(a as usize), a);
        if !bucket.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            bucket.sort_unstable_by_key(key);
        }
        let mut s = PriceSeries {
            ticker: name.to_string(),
            dates: Vec::with_capacity(bucket.len()),
            values: Vec::with_capacity(bucket.len()),
            kind: self.src.value,
            file: self.file.to_string(),
            issues: ValueIssues::default(),
        };
        let mut prev: Option<usize> = None;
        for &i in bucket.iter() {
            let i = i as usize;
            let date = self.dates[i];
            if let Some(p) = prev.filter(|&p| self.dates[p] == date) {
                if self.src.source_col.is_some() && self.rank_at(p) < self.rank_at(i) {
                    continue; // lower-priority source for the same day: the preferred row wins
                }
                return Err(self.duplicate(name, date, p, i));
            }
            s.dates.push(date);
            s.values.push(self.values[i]);
            if self.flags[i] & OBS_SUSPENDED != 0 {
                s.issues.suspended += 1;
                s.issues.first_suspended.get_or_insert(date);
            } else if self.flags[i] & OBS_BAD != 0 {
                s.issues.bad_price += 1;
                s.issues.first_bad_price.get_or_insert(date);
            }
            if self.src.value == ValueKind::Return && self.values[i] <= -1.0 {
                s.issues.note_low_return(date, self.first_row + i);
            }
            prev = Some(i);
        }
        flag_price_jumps(&mut s);
        Ok(s)
    }

    /// The error of rows `p` and `i` with the same (date, ticker).
    fn duplicate(&self, name: &str, date: NaiveDate, p: usize, i: usize) -> Error {
        let src = self.src;
        Error::cell(
            self.file,
            self.first_row + i.max(p),
            &src.date_col,
            format!(
                "duplicate (date, ticker) = ({}, {}): also on row {}{}",
                date,
                name,
                self.first_row + i.min(p),
                if src.source_col.is_some() {
                    " with the same source priority"
                } else {
                    "; set source_col/source_priority to say which row wins"
                }
            ),
        )
    }
}

/// Reads a long table: dates, ticker ids, values and source ranks by row (each input column
/// released after its last use), then one series per ticker, built in parallel; the first
/// error in name order is reported.
pub(super) fn read_long(src: &PriceSource, table: TextTable) -> Result<PricePanel> {
    let mut columns = LongColumns::new(src, table.file.clone(), table.first_row, None);
    columns.add(table)?;
    columns.finish()
}

/// The parsed columns of a long file by row, gathered from the whole file at once or one
/// batch of rows at a time ([`LongColumns::add`]): the memory of the file's cells is that
/// of one batch, that of the parsed rows about 17 bytes per row.
pub(super) struct LongColumns<'a> {
    src: &'a PriceSource,
    /// The file, as named in messages.
    file: String,
    /// Row number of the first row.
    first_row: usize,
    dates: Vec<NaiveDate>,
    ticker_by_row: Vec<u32>,
    values: Vec<f64>,
    flags: Vec<u8>,
    /// Source rank of each row (empty without `source_col`).
    ranks: Vec<u16>,
    ids: TickerIds<'a>,
}

impl<'a> LongColumns<'a> {
    /// No rows yet of the file `file`, whose first row is numbered `first_row`; room for
    /// `rows` rows when the size is known before the batches come.
    pub fn new(src: &'a PriceSource, file: String, first_row: usize, rows: Option<usize>) -> Self {
        let n = rows.unwrap_or(0);
        LongColumns {
            src,
            file,
            first_row,
            dates: Vec::with_capacity(n),
            ticker_by_row: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
            ranks: Vec::with_capacity(if src.source_col.is_some() { n } else { 0 }),
            ids: TickerIds::new(src),
        }
    }

    /// Parses the next rows of the file, `table` (its `first_row` numbers them in the
    /// file), and releases each of its columns after its last use.
    ///
    /// # Errors
    /// The first bad cell of the batch, naming file, row and column.
    pub fn add(&mut self, mut table: TextTable) -> Result<()> {
        let src = self.src;
        // Each input column is released after its last use (the order below), unless another
        // role names the same column.
        let roles = [
            Some(src.date_col.as_str()),
            Some(src.ticker_col.as_str()),
            src.tradestatus_col.as_deref(),
            Some(src.price_col.as_str()),
            src.source_col.as_deref(),
        ];
        let dates = parse_dates(src, &table)?;
        release_role(&mut table, &roles, 0);
        let n = dates.len();
        check_row_limit(&self.file, self.first_row, self.dates.len() + n)?;
        let ticker_by_row = self.ids.of_rows(&table, n)?;
        release_role(&mut table, &roles, 1);
        let (values, flags) = values_by_row(src, &table, &ticker_by_row)?;
        release_role(&mut table, &roles, 2);
        release_role(&mut table, &roles, 3);
        let ranks = source_ranks_by_row(src, &table, ticker_by_row.len())?;
        append(&mut self.dates, dates);
        append(&mut self.ticker_by_row, ticker_by_row);
        append(&mut self.values, values);
        append(&mut self.flags, flags);
        append(&mut self.ranks, ranks);
        Ok(())
    }

    /// One series per ticker, built in parallel; the first error in name order.
    pub fn finish(self) -> Result<PricePanel> {
        let names = self.ids.names;
        let mut buckets = bucket_rows(&self.ticker_by_row, &names);
        drop(self.ticker_by_row);
        let rows = LongRows {
            src: self.src,
            file: &self.file,
            first_row: self.first_row,
            dates: &self.dates,
            values: &self.values,
            flags: &self.flags,
            ranks: &self.ranks,
        };
        let mut slices: Vec<(&str, &mut [u32])> = Vec::with_capacity(names.len());
        let mut rest: &mut [u32] = &mut buckets.rows;
        for b in 0..names.len() {
            let (head, tail) = rest.split_at_mut(buckets.starts[b + 1] - buckets.starts[b]);
            slices.push((&names[buckets.by_name[b] as usize], head));
            rest = tail;
        }
        use rayon::prelude::*;
        let built: Vec<Result<PriceSeries>> = slices
            .into_par_iter()
            .map(|(name, bucket)| rows.series(name, bucket))
            .collect();
        let mut panel = PricePanel::default();
        for s in built {
            let s = s?;
            panel.series.insert(s.ticker.clone(), s);
        }
        Ok(panel)
    }
}

/// Appends `part` to `all`: moved when `all` has no room reserved (the whole file at once),
/// copied into the room otherwise.
fn append<T>(all: &mut Vec<T>, part: Vec<T>) {
    if all.capacity() == 0 {
        *all = part;
    } else {
        all.extend(part);
    }
}
