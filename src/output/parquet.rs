//! Parquet files of the output tables, written row group by row group.
//!
//! A table is never held as one DataFrame: each row group is built from its slice of rows,
//! encoded and compressed (several row groups at once, one per thread), written, and dropped,
//! so the memory of a write is a few row groups, not the table. The row groups are those
//! polars' `ParquetWriter::finish` makes of the whole table as one frame, and each is encoded
//! on its own with the same options, so the file's bytes are those of [`parquet_bytes`] of
//! the table's frame, at any thread count.
//!
//! [`parquet_bytes`]: super::parquet_bytes

use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;

use super::csv::extra_columns;
use super::frames::{made_frame, table_frame_with};
use super::write_atomic_with;
use crate::error::{Error, Result};
use crate::tables::{Table, TableRows};

/// Rows per row group that polars aims at when it writes one frame (`512 * 512`).
const ROW_GROUP_TARGET: usize = 512 * 512;

/// The row groups polars' writer cuts a one-chunk frame of `n` rows into: ⌊n / 512²⌋ groups
/// (at least one) of ⌊n / groups⌋ rows, the last taking the remainder; none when `n` is 0.
fn row_groups(n: usize) -> Vec<Range<usize>> {
    if n == 0 {
        return Vec::new();
    }
    let groups = (n / ROW_GROUP_TARGET).max(1);
    let size = n / groups;
    (0..groups)
        .map(|g| {
            let end = if g + 1 == groups { n } else { (g + 1) * size };
            g * size..end
        })
        .collect()
}

/// Writes `rows` as the Parquet file `path` (atomically: a temporary file renamed into
/// place): zstd compression, statistics on, no custom metadata.
///
/// # Errors
/// [`Error::Polars`] naming the file when polars fails to encode a row group;
/// [`Error::Io`] when the file cannot be written.
pub(super) fn write_parquet_table<T: Table>(path: &Path, rows: TableRows<T>) -> Result<()> {
    let mut failure: Option<Error> = None;
    let written = write_atomic_with(path, |file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        encode_table(&mut out, rows).map_err(|e| {
            let message = e.to_string();
            failure = Some(e);
            std::io::Error::other(message)
        })?;
        out.flush()
    });
    match (written, failure) {
        (Err(_), Some(e)) => Err(e),
        (written, _) => written,
    }
}

/// Encodes the row groups of `rows` into `out`, as many at a time as there are threads, the
/// next wave encoded while the last is written.
fn encode_table<T: Table, W: Write + Send>(out: W, rows: TableRows<T>) -> Result<()> {
    let polars_error = |e: PolarsError| Error::Polars {
        file: format!("{}.parquet", T::NAME),
        message: e.to_string(),
    };
    // Rows made on demand have no extra columns (only `model_fits` has them).
    let extras = match rows {
        TableRows::Held(rows) => extra_columns(rows),
        TableRows::Made(_) => Vec::new(),
    };
    let schema = table_frame_with::<T>(&[], &extras)?
        .schema()
        .as_ref()
        .clone();
    let writer = ParquetWriter::new(out)
        .with_compression(ParquetCompression::Zstd(None))
        .set_parallel(false)
        .batched(&schema)
        .map_err(polars_error)?;
    let groups = row_groups(rows.len());
    let wave = rayon::current_num_threads().max(2);
    let encode = |range: &Range<usize>| -> Result<Vec<RowGroupIterColumns<'static, PolarsError>>> {
        let frame = match rows {
            TableRows::Held(rows) => table_frame_with(&rows[range.clone()], &extras)?,
            TableRows::Made(src) => made_frame(src, range.clone())?,
        };
        writer
            .encode_and_compress(&frame)
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(polars_error)
    };
    // Each wave of row groups is encoded while the one before it is written, in order.
    let mut pending: Vec<RowGroupIterColumns<'static, PolarsError>> = Vec::new();
    for ranges in groups.chunks(wave) {
        let previous = std::mem::take(&mut pending);
        let (written, encoded) = rayon::join(
            || writer.write_row_groups(previous),
            || ranges.par_iter().map(encode).collect::<Result<Vec<_>>>(),
        );
        written.map_err(polars_error)?;
        pending = encoded?.into_iter().flatten().collect();
    }
    writer.write_row_groups(pending).map_err(polars_error)?;
    writer.finish().map_err(polars_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{parquet_bytes, to_dataframes};
    use crate::tables::{AbnormalReturnRow, StudyTables};

    #[test]
    fn row_groups_follow_polars_split() {
        assert!(row_groups(0).is_empty());
        assert_eq!(row_groups(10), vec![0..10]);
        assert_eq!(row_groups(262_144 * 2 - 1), vec![0..524_287]);
        // 3 groups of ⌊800,000 / 3⌋ = 266,666 rows, the last one 266,668.
        assert_eq!(
            row_groups(800_000),
            vec![0..266_666, 266_666..533_332, 533_332..800_000]
        );
    }

    /// Rows of one table big enough for several row groups, with NA cells.
    fn many_rows(n: usize) -> Vec<AbnormalReturnRow> {
        (0..n)
            .map(|i| AbnormalReturnRow {
                event_id: format!("E{}", i / 21).into(),
                security: format!("S{}", i % 7).into(),
                group: "all".into(),
                rel_day: (i % 21) as i32 - 10,
                date: chrono::NaiveDate::from_num_days_from_ce_opt(738_000 + (i % 900) as i32),
                ret: Some(i as f64 * 1e-6),
                expected_ret: (i % 13 != 0).then_some(0.5 - i as f64 * 1e-7),
                ar: Some((i as f64).sin() * 0.01),
                sar: Some((i as f64).cos()),
                ar_se: Some(0.02),
                ar_p: (i % 5 != 0).then_some(0.5),
                span: (i % 11 != 0).then_some(1),
            })
            .collect()
    }

    #[test]
    fn streamed_file_equals_the_frame_written_at_once() {
        let dir = std::env::temp_dir().join(format!("evstudy-pq-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for n in [0, 5, 600_000] {
            let tables = StudyTables {
                abnormal_returns: many_rows(n),
                ..Default::default()
            };
            let frames = to_dataframes(&tables).unwrap();
            let whole = parquet_bytes("abnormal_returns", &frames[0].1).unwrap();
            let path = dir.join("abnormal_returns.parquet");
            write_parquet_table(&path, TableRows::Held(&tables.abnormal_returns)).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), whole, "{n} rows");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
