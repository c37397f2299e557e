//! CSV form of the output tables (methodology §12): writing and reading back.
//!
//! Numbers are written with [`format_g17`](super::format_g17), NA is an empty field, dates are
//! `YYYY-MM-DD`, lines end with `\n`, and a field is quoted (RFC 4180, `"` doubled) only when
//! it contains a comma, a double quote or a line break.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use super::format::write_opt_g17;
use crate::error::{Error, Result};
use crate::tables::{
    AbnormalReturnRow, AggregateRow, CarRow, Day0Row, ExclusionRow, ModelFitRow, Stage,
    StudyTables, TestRow,
};

/// Columns of `abnormal_returns.csv`.
pub const ABNORMAL_RETURNS_COLUMNS: [&str; 12] = [
    "event_id",
    "security",
    "group",
    "rel_day",
    "date",
    "ret",
    "expected_ret",
    "ar",
    "sar",
    "ar_se",
    "ar_p",
    "span",
];
/// Columns of `cars.csv`.
pub const CARS_COLUMNS: [&str; 11] = [
    "event_id", "security", "group", "window", "car", "car_se", "car_t", "car_p", "scar", "bhar",
    "n_days",
];
/// Fixed columns of `model_fits.csv` (the model's extra columns follow, sorted by name).
pub const MODEL_FITS_COLUMNS: [&str; 10] = [
    "event_id", "security", "group", "model", "n_est", "df", "sigma", "alpha", "beta", "r2",
];
/// Columns of `aggregate.csv`.
pub const AGGREGATE_COLUMNS: [&str; 9] = [
    "group",
    "metric",
    "window",
    "rel_day",
    "n",
    "mean",
    "median",
    "share_positive",
    "sd",
];
/// Columns of `tests.csv`.
pub const TESTS_COLUMNS: [&str; 10] = [
    "group",
    "scope",
    "window",
    "rel_day",
    "test",
    "statistic",
    "p_value",
    "df",
    "n",
    "cluster",
];
/// Columns of `exclusions.csv`.
pub const EXCLUSIONS_COLUMNS: [&str; 5] = ["event_id", "security", "stage", "reason", "detail"];
/// Columns of `day0_mapping.csv`.
pub const DAY0_COLUMNS: [&str; 9] = [
    "event_id",
    "security",
    "exchange",
    "event_instant_utc",
    "event_instant_local",
    "day0",
    "shift_days",
    "shift_sessions",
    "status",
];

/// Appends one CSV field, quoted only when needed (RFC 4180).
fn push_field(out: &mut Vec<u8>, field: &str) {
    let bytes = field.as_bytes();
    if bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for &b in bytes {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(bytes);
    }
}

/// Appends one record and its line end.
fn push_record<S: AsRef<str>>(out: &mut Vec<u8>, fields: &[S]) {
    for (k, f) in fields.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        push_field(out, f.as_ref());
    }
    out.push(b'\n');
}

/// Appends the decimal form of an integer (no allocation).
fn push_int(out: &mut Vec<u8>, value: i64) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut v = value.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if value < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[pos..]);
}

/// Appends `YYYY-MM-DD` without going through chrono's strftime machinery (hot in large
/// tables); years outside 0..=9999 use chrono's `%Y-%m-%d`.
fn push_date(out: &mut Vec<u8>, d: NaiveDate) {
    use chrono::Datelike;
    let (y, m, dd) = (d.year(), d.month(), d.day());
    if (0..=9999).contains(&y) {
        let y = y as u32;
        let text = [
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (dd / 10) as u8,
            b'0' + (dd % 10) as u8,
        ];
        out.extend_from_slice(&text);
    } else {
        out.extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes());
    }
}

/// One CSV record being appended to a buffer: each field is written straight into the
/// buffer (no per-field `String`), commas between fields, `\n` at [`Line::end`].
struct Line<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Line<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Line { out, first: true }
    }
    /// The comma before every field but the first.
    fn sep(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out
    }
    fn text(&mut self, s: &str) -> &mut Self {
        push_field(self.sep(), s);
        self
    }
    fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        self.text(s.unwrap_or_default())
    }
    fn num(&mut self, x: Option<f64>) -> &mut Self {
        write_opt_g17(self.sep(), x);
        self
    }
    fn int(&mut self, v: impl Into<i64>) -> &mut Self {
        push_int(self.sep(), v.into());
        self
    }
    fn opt_int(&mut self, v: Option<impl Into<i64>>) -> &mut Self {
        let out = self.sep();
        if let Some(v) = v {
            push_int(out, v.into());
        }
        self
    }
    fn date(&mut self, d: Option<NaiveDate>) -> &mut Self {
        let out = self.sep();
        if let Some(d) = d {
            push_date(out, d);
        }
        self
    }
    fn end(&mut self) {
        self.out.push(b'\n');
    }
}

/// Rows per parallel chunk.
const CHUNK_ROWS: usize = 2048;

/// Chunks rendered per batch before the batch is handed to the sink: the text of one batch
/// (≈ 32 × 2048 rows, a few MB) is all a table holds in memory, whatever its length.
const BATCH_CHUNKS: usize = 32;

/// Where the CSV bytes of a file go, in consecutive pieces (a file, or a buffer).
pub(crate) type Sink<'a> = dyn FnMut(&[u8]) -> std::io::Result<()> + 'a;

/// The CSV bytes of a table handed to `sink` in order (header first): rows are formatted in
/// parallel chunks (rayon) a batch at a time, so the bytes are identical to a sequential
/// loop and a long table is never held in memory as text.
fn rows_in_parallel<T: Sync, H: AsRef<str>>(
    sink: &mut Sink,
    header: &[H],
    rows: &[T],
    write_row: impl Fn(&mut Vec<u8>, &T) + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut head = Vec::new();
    push_record(&mut head, header);
    sink(&head)?;
    let bytes_per_row = rows.first().map_or(0, |r| {
        let mut probe = Vec::new();
        write_row(&mut probe, r);
        probe.len() + probe.len() / 4 + 8
    });
    let mut parts: Vec<Vec<u8>> = Vec::with_capacity(BATCH_CHUNKS);
    for batch in rows.chunks(CHUNK_ROWS * BATCH_CHUNKS) {
        parts.clear();
        // `par_extend` of an indexed parallel iterator keeps the chunk order.
        parts.par_extend(batch.par_chunks(CHUNK_ROWS).map(|chunk| {
            let mut s = Vec::with_capacity(chunk.len() * bytes_per_row);
            for r in chunk {
                write_row(&mut s, r);
            }
            s
        }));
        for part in &parts {
            sink(part)?;
        }
    }
    Ok(())
}

/// The text a table renderer writes, as one string. The bytes are UTF-8 (only `&str` fields
/// and ASCII numbers are written); anything else would be replaced, never a panic.
fn render_text(render: impl FnOnce(&mut Sink) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    // Appending to a Vec cannot fail.
    let _ = render(&mut |bytes: &[u8]| {
        out.extend_from_slice(bytes);
        Ok(())
    });
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn abnormal_returns_rows(rows: &[AbnormalReturnRow], sink: &mut Sink) -> std::io::Result<()> {
    rows_in_parallel(sink, &ABNORMAL_RETURNS_COLUMNS, rows, |out, r| {
        Line::new(out)
            .text(&r.event_id)
            .text(&r.security)
            .text(&r.group)
            .int(r.rel_day)
            .date(r.date)
            .num(r.ret)
            .num(r.expected_ret)
            .num(r.ar)
            .num(r.sar)
            .num(r.ar_se)
            .num(r.ar_p)
            .opt_int(r.span)
            .end();
    })
}

/// `abnormal_returns.csv` text.
pub fn abnormal_returns_csv(rows: &[AbnormalReturnRow]) -> String {
    render_text(|sink| abnormal_returns_rows(rows, sink))
}

fn cars_rows(rows: &[CarRow], sink: &mut Sink) -> std::io::Result<()> {
    rows_in_parallel(sink, &CARS_COLUMNS, rows, |out, r| {
        Line::new(out)
            .text(&r.event_id)
            .text(&r.security)
            .text(&r.group)
            .text(&r.window)
            .num(r.car)
            .num(r.car_se)
            .num(r.car_t)
            .num(r.car_p)
            .num(r.scar)
            .num(r.bhar)
            .int(r.n_days)
            .end();
    })
}

/// `cars.csv` text.
pub fn cars_csv(rows: &[CarRow]) -> String {
    render_text(|sink| cars_rows(rows, sink))
}

/// The extra columns of `model_fits`: the union of the rows' extra names, sorted by name.
pub fn model_fit_extra_columns(rows: &[ModelFitRow]) -> Vec<String> {
    let names: BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.extras.iter().map(|(n, _)| &**n))
        .collect();
    names.into_iter().map(String::from).collect()
}

fn model_fits_rows(rows: &[ModelFitRow], sink: &mut Sink) -> std::io::Result<()> {
    let extras = model_fit_extra_columns(rows);
    let header: Vec<&str> = MODEL_FITS_COLUMNS
        .iter()
        .copied()
        .chain(extras.iter().map(String::as_str))
        .collect();
    rows_in_parallel(sink, &header, rows, |out, r| {
        let mut line = Line::new(out);
        line.text(&r.event_id)
            .text(&r.security)
            .text(&r.group)
            .text(&r.model)
            .int(r.n_est)
            .int(r.df)
            .num(r.sigma)
            .num(r.alpha)
            .num(r.beta)
            .num(r.r2);
        for name in &extras {
            let value = r
                .extras
                .iter()
                .find(|(n, _)| **n == **name)
                .and_then(|(_, v)| *v);
            line.num(value);
        }
        line.end();
    })
}

/// `model_fits.csv` text; the extra columns are [`model_fit_extra_columns`], empty where a row
/// has no such extra.
pub fn model_fits_csv(rows: &[ModelFitRow]) -> String {
    render_text(|sink| model_fits_rows(rows, sink))
}

fn aggregate_rows(rows: &[AggregateRow], sink: &mut Sink) -> std::io::Result<()> {
    rows_in_parallel(sink, &AGGREGATE_COLUMNS, rows, |out, r| {
        Line::new(out)
            .text(&r.group)
            .text(&r.metric)
            .opt_text(r.window.as_deref())
            .opt_int(r.rel_day)
            .int(r.n)
            .num(r.mean)
            .num(r.median)
            .num(r.share_positive)
            .num(r.sd)
            .end();
    })
}

/// `aggregate.csv` text.
pub fn aggregate_csv(rows: &[AggregateRow]) -> String {
    render_text(|sink| aggregate_rows(rows, sink))
}

fn tests_rows(rows: &[TestRow], sink: &mut Sink) -> std::io::Result<()> {
    rows_in_parallel(sink, &TESTS_COLUMNS, rows, |out, r| {
        Line::new(out)
            .text(&r.group)
            .text(&r.scope)
            .opt_text(r.window.as_deref())
            .opt_int(r.rel_day)
            .text(&r.test)
            .num(r.statistic)
            .num(r.p_value)
            .num(r.df)
            .int(r.n)
            .opt_text(r.cluster.as_deref())
            .end();
    })
}

/// `tests.csv` text (`df` with `%.17g`, so 44.0 is written `44`).
pub fn tests_csv(rows: &[TestRow]) -> String {
    render_text(|sink| tests_rows(rows, sink))
}

fn exclusions_rows(rows: &[ExclusionRow], sink: &mut Sink) -> std::io::Result<()> {
    rows_in_parallel(sink, &EXCLUSIONS_COLUMNS, rows, |out, r| {
        Line::new(out)
            .text(&r.event_id)
            .text(&r.security)
            .text(r.stage.as_str())
            .text(&r.reason)
            .text(&r.detail)
            .end();
    })
}

/// `exclusions.csv` text (the `order` sort key is not written).
pub fn exclusions_csv(rows: &[ExclusionRow]) -> String {
    render_text(|sink| exclusions_rows(rows, sink))
}

fn day0_rows(rows: &[Day0Row], sink: &mut Sink) -> std::io::Result<()> {
    rows_in_parallel(sink, &DAY0_COLUMNS, rows, |out, r| {
        Line::new(out)
            .text(&r.event_id)
            .text(&r.security)
            .text(&r.exchange)
            .text(&r.event_instant_utc)
            .text(&r.event_instant_local)
            .date(r.day0)
            .opt_int(r.shift_days)
            .opt_int(r.shift_sessions)
            .text(&r.status)
            .end();
    })
}

/// `day0_mapping.csv` text.
pub fn day0_csv(rows: &[Day0Row]) -> String {
    render_text(|sink| day0_rows(rows, sink))
}

// ---------------------------------------------------------------------------------------------
// Reading back

/// Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, doubled
/// quotes and line breaks). A trailing `\r` before `\n` is dropped.
fn parse_records(text: &str, file: &str) -> Result<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut field_started_quoted = false;
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                _ => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c)
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !field_started_quoted => {
                in_quotes = true;
                field_started_quoted = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                field_started_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                field_started_quoted = false;
                records.push(std::mem::take(&mut record));
                line += 1;
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(Error::file(
            file,
            format!("unterminated quoted field (line {line})"),
        ));
    }
    if !field.is_empty() || !record.is_empty() || field_started_quoted {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// A parsed CSV table with named columns.
struct CsvTable {
    file: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl CsvTable {
    fn read(path: &Path) -> Result<CsvTable> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut records = parse_records(&text, &file)?;
        if records.is_empty() {
            return Err(Error::file(&file, "empty file (expected a header row)"));
        }
        let header = records.remove(0);
        for (k, r) in records.iter().enumerate() {
            if r.len() != header.len() {
                return Err(Error::file(
                    &file,
                    format!(
                        "row {}: {} fields, the header has {}",
                        k + 2,
                        r.len(),
                        header.len()
                    ),
                ));
            }
        }
        Ok(CsvTable {
            file,
            header,
            rows: records,
        })
    }

    /// Index of a required column.
    fn col(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                file: self.file.clone(),
                column: name.to_string(),
                present: self.header.join(", "),
            })
    }

    /// Column indices of `names`, in order.
    fn cols<const N: usize>(&self, names: &[&str; N]) -> Result<[usize; N]> {
        let mut out = [0usize; N];
        for (k, n) in names.iter().enumerate() {
            out[k] = self.col(n)?;
        }
        Ok(out)
    }
}

/// Typed access to the fields of one row, with errors that name file, row and column.
struct Fields<'a> {
    table: &'a CsvTable,
    row: usize,
}

impl Fields<'_> {
    fn raw(&self, col: usize) -> &str {
        &self.table.rows[self.row][col]
    }
    fn err(&self, col: usize, message: String) -> Error {
        Error::cell(
            &self.table.file,
            self.row + 2,
            &self.table.header[col],
            message,
        )
    }
    fn string(&self, col: usize) -> String {
        self.raw(col).to_string()
    }
    fn opt_string(&self, col: usize) -> Option<String> {
        Some(self.raw(col))
            .filter(|s| !s.is_empty())
            .map(String::from)
    }
    fn opt_f64(&self, col: usize) -> Result<Option<f64>> {
        let s = self.raw(col);
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<f64>()
            .map(Some)
            .map_err(|_| self.err(col, format!("'{s}' is not a number")))
    }
    fn opt_int<T: std::str::FromStr>(&self, col: usize) -> Result<Option<T>> {
        let s = self.raw(col);
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<T>()
            .map(Some)
            .map_err(|_| self.err(col, format!("'{s}' is not an integer in range")))
    }
    fn int<T: std::str::FromStr>(&self, col: usize) -> Result<T> {
        self.opt_int(col)?
            .ok_or_else(|| self.err(col, "empty; an integer is required".to_string()))
    }
    fn opt_date(&self, col: usize) -> Result<Option<NaiveDate>> {
        let s = self.raw(col);
        if s.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| self.err(col, format!("'{s}' is not a date YYYY-MM-DD")))
    }
}

fn each_row<T>(table: &CsvTable, mut f: impl FnMut(&Fields) -> Result<T>) -> Result<Vec<T>> {
    (0..table.rows.len())
        .map(|row| f(&Fields { table, row }))
        .collect()
}

fn parse_stage(s: &str) -> Option<Stage> {
    [
        Stage::Input,
        Stage::Day0,
        Stage::Estimation,
        Stage::EventDay,
        Stage::Car,
        Stage::Portfolio,
    ]
    .into_iter()
    .find(|st| st.as_str() == s)
}

fn read_abnormal_returns(t: &CsvTable) -> Result<Vec<AbnormalReturnRow>> {
    let c = t.cols(&ABNORMAL_RETURNS_COLUMNS)?;
    each_row(t, |f| {
        Ok(AbnormalReturnRow {
            event_id: f.string(c[0]),
            security: f.string(c[1]),
            group: f.string(c[2]),
            rel_day: f.int(c[3])?,
            date: f.opt_date(c[4])?,
            ret: f.opt_f64(c[5])?,
            expected_ret: f.opt_f64(c[6])?,
            ar: f.opt_f64(c[7])?,
            sar: f.opt_f64(c[8])?,
            ar_se: f.opt_f64(c[9])?,
            ar_p: f.opt_f64(c[10])?,
            span: f.opt_int(c[11])?,
        })
    })
}

fn read_cars(t: &CsvTable) -> Result<Vec<CarRow>> {
    let c = t.cols(&CARS_COLUMNS)?;
    each_row(t, |f| {
        Ok(CarRow {
            event_id: f.string(c[0]),
            security: f.string(c[1]),
            group: f.string(c[2]),
            window: f.string(c[3]),
            car: f.opt_f64(c[4])?,
            car_se: f.opt_f64(c[5])?,
            car_t: f.opt_f64(c[6])?,
            car_p: f.opt_f64(c[7])?,
            scar: f.opt_f64(c[8])?,
            bhar: f.opt_f64(c[9])?,
            n_days: f.int(c[10])?,
        })
    })
}

fn read_model_fits(t: &CsvTable) -> Result<Vec<ModelFitRow>> {
    let c = t.cols(&MODEL_FITS_COLUMNS)?;
    let extra_cols: Vec<usize> = (0..t.header.len()).filter(|k| !c.contains(k)).collect();
    let mut extra_sorted = extra_cols.clone();
    extra_sorted.sort_by(|&a, &b| t.header[a].as_bytes().cmp(t.header[b].as_bytes()));
    each_row(t, |f| {
        let extras = extra_sorted
            .iter()
            .map(|&k| Ok((t.header[k].clone(), f.opt_f64(k)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(ModelFitRow {
            event_id: f.string(c[0]),
            security: f.string(c[1]),
            group: f.string(c[2]),
            model: f.string(c[3]),
            n_est: f.int(c[4])?,
            df: f.int(c[5])?,
            sigma: f.opt_f64(c[6])?,
            alpha: f.opt_f64(c[7])?,
            beta: f.opt_f64(c[8])?,
            r2: f.opt_f64(c[9])?,
            extras,
        })
    })
}

fn read_aggregate(t: &CsvTable) -> Result<Vec<AggregateRow>> {
    let c = t.cols(&AGGREGATE_COLUMNS)?;
    each_row(t, |f| {
        Ok(AggregateRow {
            group: f.string(c[0]),
            metric: f.string(c[1]),
            window: f.opt_string(c[2]),
            rel_day: f.opt_int(c[3])?,
            n: f.int(c[4])?,
            mean: f.opt_f64(c[5])?,
            median: f.opt_f64(c[6])?,
            share_positive: f.opt_f64(c[7])?,
            sd: f.opt_f64(c[8])?,
        })
    })
}

fn read_tests(t: &CsvTable) -> Result<Vec<TestRow>> {
    let c = t.cols(&TESTS_COLUMNS)?;
    each_row(t, |f| {
        Ok(TestRow {
            group: f.string(c[0]),
            scope: f.string(c[1]),
            window: f.opt_string(c[2]),
            rel_day: f.opt_int(c[3])?,
            test: f.string(c[4]),
            statistic: f.opt_f64(c[5])?,
            p_value: f.opt_f64(c[6])?,
            df: f.opt_f64(c[7])?,
            n: f.int(c[8])?,
            cluster: f.opt_string(c[9]),
        })
    })
}

fn read_exclusions(t: &CsvTable) -> Result<Vec<ExclusionRow>> {
    let c = t.cols(&EXCLUSIONS_COLUMNS)?;
    each_row(t, |f| {
        let stage_text = f.raw(c[2]);
        let stage = parse_stage(stage_text).ok_or_else(|| {
            f.err(c[2], format!("unknown stage '{stage_text}' (input, day0, estimation, event_day, car, portfolio)"))
        })?;
        Ok(ExclusionRow {
            event_id: f.string(c[0]),
            security: f.string(c[1]),
            stage,
            reason: f.string(c[3]),
            detail: f.string(c[4]),
            // The file is already in §12 order; the row index keeps that order on a re-sort.
            order: f.row as i64,
        })
    })
}

fn read_day0(t: &CsvTable) -> Result<Vec<Day0Row>> {
    let c = t.cols(&DAY0_COLUMNS)?;
    each_row(t, |f| {
        Ok(Day0Row {
            event_id: f.string(c[0]),
            security: f.string(c[1]),
            exchange: f.string(c[2]),
            event_instant_utc: f.string(c[3]),
            event_instant_local: f.string(c[4]),
            day0: f.opt_date(c[5])?,
            shift_days: f.opt_int(c[6])?,
            shift_sessions: f.opt_int(c[7])?,
            status: f.string(c[8]),
        })
    })
}

/// Reads the CSV outputs of a study run from `dir` back into [`StudyTables`].
///
/// The six tables of §12 (`abnormal_returns.csv`, `cars.csv`, `model_fits.csv`,
/// `aggregate.csv`, `tests.csv`, `exclusions.csv`) are required; `day0_mapping.csv` is read
/// when present (else the day-0 table is empty). Columns are found by name. In `model_fits`
/// every column beyond the fixed ten becomes an extra of every row (NA where empty).
/// `exclusions.order` is set to the row index, so re-sorting keeps the file's order.
///
/// # Errors
/// A missing file or column, a malformed CSV, or a cell that does not parse (the error names
/// the file, the 1-based row with the header as row 1, and the column).
pub fn read_csv_tables(dir: &Path) -> Result<StudyTables> {
    let mut cache: HashMap<&str, CsvTable> = HashMap::new();
    for name in [
        "abnormal_returns",
        "cars",
        "model_fits",
        "aggregate",
        "tests",
        "exclusions",
    ] {
        let path = dir.join(format!("{name}.csv"));
        if !path.is_file() {
            return Err(Error::file(
                path.display().to_string(),
                "missing: not a study output folder written with the CSV format",
            ));
        }
        cache.insert(name, CsvTable::read(&path)?);
    }
    let day0_path = dir.join("day0_mapping.csv");
    let day0 = if day0_path.is_file() {
        read_day0(&CsvTable::read(&day0_path)?)?
    } else {
        Vec::new()
    };
    Ok(StudyTables {
        abnormal_returns: read_abnormal_returns(&cache["abnormal_returns"])?,
        cars: read_cars(&cache["cars"])?,
        model_fits: read_model_fits(&cache["model_fits"])?,
        aggregate: read_aggregate(&cache["aggregate"])?,
        tests: read_tests(&cache["tests"])?,
        exclusions: read_exclusions(&cache["exclusions"])?,
        day0,
    })
}

/// The CSV files of a study as `(file name, text)`, in a fixed order.
pub fn csv_files(tables: &StudyTables) -> Vec<(&'static str, String)> {
    csv_renderers(tables)
        .into_iter()
        .map(|(name, render)| (name, render_text(render)))
        .collect()
}

/// Renders one table's CSV bytes into a sink.
pub(crate) type Renderer<'a> = Box<dyn Fn(&mut Sink) -> std::io::Result<()> + Send + Sync + 'a>;

/// The CSV files of a study as `(file name, renderer)`, in the order of [`csv_files`]: each
/// renderer hands its file's bytes to a sink a batch of rows at a time (rows formatted in
/// parallel chunks), so a caller can write files without holding their text.
pub(crate) fn csv_renderers(tables: &StudyTables) -> Vec<(&'static str, Renderer<'_>)> {
    vec![
        (
            "abnormal_returns.csv",
            renderer(&tables.abnormal_returns, abnormal_returns_rows),
        ),
        ("cars.csv", renderer(&tables.cars, cars_rows)),
        (
            "model_fits.csv",
            renderer(&tables.model_fits, model_fits_rows),
        ),
        ("aggregate.csv", renderer(&tables.aggregate, aggregate_rows)),
        ("tests.csv", renderer(&tables.tests, tests_rows)),
        (
            "exclusions.csv",
            renderer(&tables.exclusions, exclusions_rows),
        ),
        ("day0_mapping.csv", renderer(&tables.day0, day0_rows)),
    ]
}

/// The renderer of one table's rows.
fn renderer<T: Sync>(
    rows: &[T],
    render: fn(&[T], &mut Sink) -> std::io::Result<()>,
) -> Renderer<'_> {
    Box::new(move |sink: &mut Sink| render(rows, sink))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sort_tables;

    #[test]
    fn streamed_batches_equal_row_by_row_text() {
        // More rows than one batch, a partial last chunk: the streamed file is the header
        // followed by each row rendered on its own, in order, whatever the piece sizes.
        let n = CHUNK_ROWS * BATCH_CHUNKS * 2 + 777;
        let rows: Vec<AbnormalReturnRow> = (0..n)
            .map(|i| AbnormalReturnRow {
                event_id: format!("E{}", i / 26),
                security: if i % 3 == 0 { "A,B".into() } else { "S".into() },
                group: "all".into(),
                rel_day: (i % 26) as i32 - 5,
                date: NaiveDate::from_ymd_opt(2020, 1, 1)
                    .map(|d| d + chrono::Days::new((i % 400) as u64)),
                ret: Some(i as f64 * 1e-5 - 0.3),
                expected_ret: (i % 7 != 0).then_some(0.001 * (i % 13) as f64),
                ar: Some(-(i as f64) / 3.0),
                sar: None,
                ar_se: Some(0.02),
                ar_p: Some(1.0 / (1 + i) as f64),
                span: Some(1),
            })
            .collect();
        let mut pieces = 0usize;
        let mut streamed = Vec::new();
        abnormal_returns_rows(&rows, &mut |b: &[u8]| {
            pieces += 1;
            streamed.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        let header_len = abnormal_returns_csv(&[]).len();
        let mut by_row = abnormal_returns_csv(&[]).into_bytes();
        for r in &rows {
            let one = abnormal_returns_csv(std::slice::from_ref(r));
            by_row.extend_from_slice(&one.as_bytes()[header_len..]);
        }
        assert!(pieces > BATCH_CHUNKS * 2, "{pieces} pieces");
        assert_eq!(streamed, by_row);
    }

    #[test]
    fn quoting_only_when_needed() {
        let mut bytes = Vec::new();
        push_record(&mut bytes, &["a", "b,c", "say \"hi\"", "x\ny", ""]);
        let out = String::from_utf8(bytes).unwrap();
        assert_eq!(out, "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\n");
        let back = parse_records(&out, "t").unwrap();
        assert_eq!(back, vec![vec!["a", "b,c", "say \"hi\"", "x\ny", ""]]);
    }

    #[test]
    fn parse_handles_crlf_and_unterminated() {
        assert_eq!(
            parse_records("a,b\r\n1,\r\n", "t").unwrap(),
            vec![vec!["a", "b"], vec!["1", ""]]
        );
        assert!(parse_records("a,\"b\n", "t").is_err());
    }

    #[test]
    fn golden_b_panel_round_trips_byte_for_byte() {
        let Some(shared) = crate::shared_data::shared_dir() else {
            return;
        };
        let dir = shared.join("golden/spec/b_panel");
        let mut tables = read_csv_tables(&dir).expect("golden tables parse");
        assert_eq!(tables.abnormal_returns.len(), 50);
        assert_eq!(tables.tests.len(), 102);
        assert_eq!(tables.exclusions.len(), 7);
        // Shuffle (reverse) and re-sort: §12 order must reproduce the golden row order.
        tables.abnormal_returns.reverse();
        tables.cars.reverse();
        tables.model_fits.reverse();
        tables.aggregate.reverse();
        tables.tests.reverse();
        tables.exclusions.reverse();
        sort_tables(&mut tables, &["-1:1".to_string(), "0:3".to_string()]);
        for (name, text) in csv_files(&tables) {
            if name == "day0_mapping.csv" {
                continue;
            }
            let golden = std::fs::read_to_string(dir.join(name)).unwrap();
            assert_eq!(text, golden, "{name} differs from the golden file");
        }
    }

    #[test]
    fn model_fit_extras_union_sorted() {
        let row = |extras: Vec<(&str, Option<f64>)>| ModelFitRow {
            event_id: "E".into(),
            security: "S".into(),
            group: "g".into(),
            model: "ff3".into(),
            n_est: 3,
            df: 1,
            sigma: Some(0.5),
            alpha: None,
            beta: Some(1.0),
            r2: None,
            extras: extras
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
        };
        let rows = vec![
            row(vec![("beta_smb", Some(0.25))]),
            row(vec![("beta_hml", Some(-1.0)), ("beta_smb", None)]),
        ];
        let text = model_fits_csv(&rows);
        assert_eq!(
            text,
            "event_id,security,group,model,n_est,df,sigma,alpha,beta,r2,beta_hml,beta_smb\n\
             E,S,g,ff3,3,1,0.5,,1,,,0.25\n\
             E,S,g,ff3,3,1,0.5,,1,,-1,\n"
        );
    }

    #[test]
    fn bad_cell_error_names_file_row_column() {
        let dir = tempfile::tempdir().unwrap();
        let tables = StudyTables::default();
        for (name, text) in csv_files(&tables) {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        std::fs::write(
            dir.path().join("cars.csv"),
            format!("{}\nE1,S1,all,-1:1,abc,,,,,,3\n", CARS_COLUMNS.join(",")),
        )
        .unwrap();
        let err = read_csv_tables(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("cars.csv") && err.contains("row 2") && err.contains("'car'"),
            "{err}"
        );
    }
}
