//! CSV form of the output tables (methodology §12): writing.
//!
//! Numbers are written with [`format_g17`](super::format_g17), NA is an empty field, dates are
//! `YYYY-MM-DD`, lines end with `\n`, and a field is quoted (RFC 4180, `"` doubled) only when
//! it contains a comma, a double quote or a line break.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::format::write_opt_g17;
use crate::tables::{
    AbnormalReturnRow, CarRow, CellWriter, Day0Row, ModelFitRow, RowSource, Table, TableRows,
    TableSet, TableVisitor, TestRow,
};

/// Appends one CSV field, quoted only when needed (RFC 4180): when it holds a comma, a double
/// quote or a line break, it is written between double quotes with each `"` doubled.
///
/// # Examples
///
/// ```
/// let mut out = Vec::new();
/// evstudy::output::push_csv_field(&mut out, "say \"hi\", twice");
/// out.push(b',');
/// evstudy::output::push_csv_field(&mut out, "plain");
/// assert_eq!(out, b"\"say \"\"hi\"\", twice\",plain");
/// ```
pub fn push_csv_field(out: &mut Vec<u8>, field: &str) {
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
        push_csv_field(out, f.as_ref());
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
    fn end(&mut self) {
        self.out.push(b'\n');
    }
}

impl CellWriter for Line<'_> {
    fn text(&mut self, s: &str) {
        push_csv_field(self.sep(), s);
    }
    fn opt_text(&mut self, s: Option<&str>) {
        self.text(s.unwrap_or_default())
    }
    fn num(&mut self, x: Option<f64>) {
        write_opt_g17(self.sep(), x);
    }
    fn int(&mut self, v: i64) {
        push_int(self.sep(), v);
    }
    fn opt_int(&mut self, v: Option<i64>) {
        let out = self.sep();
        if let Some(v) = v {
            push_int(out, v);
        }
    }
    fn date(&mut self, d: Option<NaiveDate>) {
        let out = self.sep();
        if let Some(d) = d {
            push_date(out, d);
        }
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
    rows: TableRows<T>,
    write_row: impl Fn(&mut Vec<u8>, &T) + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut head = Vec::new();
    push_record(&mut head, header);
    sink(&head)?;
    let n = rows.len();
    let bytes_per_row = if n == 0 {
        0
    } else {
        rows.with_chunk(0..1, |first| {
            let mut probe = Vec::new();
            write_row(&mut probe, &first[0]);
            probe.len() + probe.len() / 4 + 8
        })
    };
    let mut parts: Vec<Vec<u8>> = Vec::with_capacity(BATCH_CHUNKS);
    let per_batch = CHUNK_ROWS * BATCH_CHUNKS;
    for start in (0..n).step_by(per_batch) {
        parts.clear();
        rows.with_chunk(start..(start + per_batch).min(n), |batch| {
            // `par_extend` of an indexed parallel iterator keeps the chunk order.
            parts.par_extend(batch.par_chunks(CHUNK_ROWS).map(|chunk| {
                let mut s = Vec::with_capacity(chunk.len() * bytes_per_row);
                for r in chunk {
                    write_row(&mut s, r);
                }
                s
            }));
        });
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

/// The extra columns of a table: the union of the rows' [`Table::extra_cells`] names, sorted
/// by name (empty for every table but `model_fits`).
pub(super) fn extra_columns<T: Table>(rows: &[T]) -> Vec<String> {
    let names: BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.extra_cells().iter().map(|(n, _)| &**n))
        .collect();
    names.into_iter().map(String::from).collect()
}

/// The extra columns of `model_fits`: the union of the rows' extra names, sorted by name.
pub fn model_fit_extra_columns(rows: &[ModelFitRow]) -> Vec<String> {
    extra_columns(rows)
}

/// Hands the CSV bytes of a table to `sink`: the header (the fixed columns, then the extra
/// columns), then one line per row, the extra cells empty where a row has no such extra.
fn table_rows<T: Table>(rows: TableRows<T>, sink: &mut Sink) -> std::io::Result<()> {
    // Rows made on demand have no extra columns (only `model_fits` has them).
    let extras = match rows {
        TableRows::Held(rows) => extra_columns(rows),
        TableRows::Made(_) => Vec::new(),
    };
    let header: Vec<&str> = T::COLUMNS
        .iter()
        .copied()
        .chain(extras.iter().map(String::as_str))
        .collect();
    rows_in_parallel(sink, &header, rows, |out, r| {
        let mut line = Line::new(out);
        r.write_cells(&mut line);
        for name in &extras {
            let value = r
                .extra_cells()
                .iter()
                .find(|(n, _)| **n == **name)
                .and_then(|(_, v)| *v);
            line.num(value);
        }
        line.end();
    })
}

/// The CSV text of a table (header and rows, `\n` line ends).
///
/// # Examples
///
/// ```
/// use evstudy::output::table_csv;
/// use evstudy::tables::{ExclusionRow, Stage};
/// use evstudy::vocab::ExclusionReason;
/// let row = ExclusionRow {
///     event_id: "E1".into(),
///     security: "AAA".into(),
///     stage: Stage::Day0,
///     reason: ExclusionReason::NoSession,
///     detail: "a, b".into(),
///     order: 0,
/// };
/// assert_eq!(table_csv(&[row]),
///            "event_id,security,stage,reason,detail\nE1,AAA,day0,no_session,\"a, b\"\n");
/// ```
pub fn table_csv<T: Table>(rows: &[T]) -> String {
    render_text(|sink| table_rows(TableRows::Held(rows), sink))
}

/// `abnormal_returns.csv` text ([`table_csv`]).
pub fn abnormal_returns_csv(rows: &[AbnormalReturnRow]) -> String {
    table_csv(rows)
}

/// `cars.csv` text ([`table_csv`]).
pub fn cars_csv(rows: &[CarRow]) -> String {
    table_csv(rows)
}

/// `model_fits.csv` text ([`table_csv`]); the extra columns are [`model_fit_extra_columns`],
/// empty where a row has no such extra.
pub fn model_fits_csv(rows: &[ModelFitRow]) -> String {
    table_csv(rows)
}

/// `tests.csv` text ([`table_csv`]; `df` with `%.17g`, so 44.0 is written `44`).
pub fn tests_csv(rows: &[TestRow]) -> String {
    table_csv(rows)
}

/// `day0_mapping.csv` text ([`table_csv`]).
pub fn day0_csv(rows: &[Day0Row]) -> String {
    table_csv(rows)
}

/// The CSV files of a table set as `(file name, text)`, in a fixed order.
pub fn csv_files<S: TableSet>(tables: &S) -> Vec<(&'static str, String)> {
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
pub(crate) fn csv_renderers<S: TableSet>(tables: &S) -> Vec<(&'static str, Renderer<'_>)> {
    struct Renderers<'a>(Vec<(&'static str, Renderer<'a>)>);
    impl<'a> TableVisitor<'a> for Renderers<'a> {
        fn table<T: Table>(&mut self, rows: &'a [T]) {
            let render: Renderer<'a> =
                Box::new(move |sink: &mut Sink| table_rows(TableRows::Held(rows), sink));
            self.0.push((T::CSV_FILE, render));
        }
        fn made<T: Table>(&mut self, rows: &'a dyn RowSource<T>) {
            let render: Renderer<'a> =
                Box::new(move |sink: &mut Sink| table_rows(TableRows::Made(rows), sink));
            self.0.push((T::CSV_FILE, render));
        }
    }
    let mut renderers = Renderers(Vec::with_capacity(7));
    tables.visit(&mut renderers);
    renderers.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{read_csv_tables, sort_tables};

    #[test]
    fn streamed_batches_equal_row_by_row_text() {
        // More rows than one batch, a partial last chunk: the streamed file is the header
        // followed by each row rendered on its own, in order, whatever the piece sizes.
        let n = CHUNK_ROWS * BATCH_CHUNKS * 2 + 777;
        let rows: Vec<AbnormalReturnRow> = (0..n)
            .map(|i| AbnormalReturnRow {
                event_id: format!("E{}", i / 26).into(),
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
        table_rows(TableRows::Held(&rows), &mut |b: &[u8]| {
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
        let back =
            crate::data::records::csv_records(&out, crate::data::records::Dialect::Strict).unwrap();
        assert_eq!(back[0].fields, vec!["a", "b,c", "say \"hi\"", "x\ny", ""]);
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
            // Not in the golden outputs (there `events.csv` and `securities.csv` are inputs).
            if [
                "day0_mapping.csv",
                "headline.csv",
                "events.csv",
                "securities.csv",
            ]
            .contains(&name)
            {
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
}
