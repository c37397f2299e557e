//! The exchange holiday table: closed days and early closes (methodology §2.1–2.2).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveTime};

use crate::data::records::{split_csv_records, CsvRecord, Header};
use crate::error::{Error, Result};

/// The holiday table shipped with evstudy (`datasets/exchanges/holidays_2021_2026.csv`):
/// XSHG, XHKG and XNYS, 2021–2026.
pub const BUILTIN_HOLIDAYS_CSV: &str =
    include_str!("../../datasets/exchanges/holidays_2021_2026.csv");

/// What the holiday table says about one (exchange, date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayStatus {
    /// `closed`: a weekday without a session.
    Closed,
    /// `closed_adhoc`: an unscheduled closure (typhoon, rainstorm); treated as closed.
    ClosedAdhoc,
    /// `early_close`: a session that closes at the given local time.
    EarlyClose(NaiveTime),
}

impl HolidayStatus {
    /// True for `closed` and `closed_adhoc`.
    pub fn is_closed(self) -> bool {
        matches!(self, HolidayStatus::Closed | HolidayStatus::ClosedAdhoc)
    }
}

/// Exchange holiday table: rows `exchange,date,status,note` (methodology §2.2).
///
/// `status` is `closed`, `closed_adhoc` or `early_close`; for `early_close` the `note` holds
/// the local close time as `HH:MM` (e.g. `close 12:00 local`). The *covered years* of an
/// exchange are the calendar years with at least one row for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HolidayTable {
    entries: BTreeMap<(String, NaiveDate), HolidayStatus>,
    years: BTreeMap<String, BTreeSet<i32>>,
}

impl HolidayTable {
    /// The table shipped with evstudy ([`BUILTIN_HOLIDAYS_CSV`]).
    ///
    /// # Examples
    /// ```
    /// use evstudy::calendar::{HolidayTable, HolidayStatus};
    /// let t = HolidayTable::builtin();
    /// let d = chrono::NaiveDate::from_ymd_opt(2023, 9, 1).unwrap();
    /// assert_eq!(t.status("XHKG", d), Some(HolidayStatus::ClosedAdhoc));
    /// assert!(t.covers_year("XNYS", 2026));
    /// ```
    pub fn builtin() -> HolidayTable {
        // The embedded file is checked by the unit tests; an error here is a build defect.
        HolidayTable::from_csv_str(
            BUILTIN_HOLIDAYS_CSV,
            "datasets/exchanges/holidays_2021_2026.csv",
        )
        .unwrap_or_default()
    }

    /// Reads a holiday table from a CSV file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; otherwise as [`HolidayTable::from_csv_str`].
    pub fn from_csv(path: &Path) -> Result<HolidayTable> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        HolidayTable::from_csv_str(&text, &path.display().to_string())
    }

    /// Parses holiday-table CSV text; `file` names the source in error messages.
    ///
    /// Columns are found by name (`exchange`, `date`, `status`, optional `note`); other columns
    /// are ignored. Exchange codes are upper-cased.
    ///
    /// # Errors
    /// Naming file, 1-based row (header = row 1) and column: an empty file, a missing column,
    /// an empty exchange, a date that is not a valid `YYYY-MM-DD`, an unknown status, an
    /// `early_close` whose note has no `HH:MM` time, the same (exchange, date) listed twice.
    ///
    /// # Examples
    /// ```
    /// use evstudy::calendar::{HolidayTable, HolidayStatus};
    /// let t = HolidayTable::from_csv_str(
    ///     "exchange,date,status,note\nXNYS,2024-11-29,early_close,\"close 13:00 local\"\n",
    ///     "h.csv").unwrap();
    /// let d = chrono::NaiveDate::from_ymd_opt(2024, 11, 29).unwrap();
    /// assert_eq!(t.status("XNYS", d),
    ///            Some(HolidayStatus::EarlyClose(chrono::NaiveTime::from_hms_opt(13, 0, 0).unwrap())));
    /// assert!(HolidayTable::from_csv_str("exchange,date,status\nXNYS,2024-02-30,closed\n", "h.csv").is_err());
    /// ```
    pub fn from_csv_str(text: &str, file: &str) -> Result<HolidayTable> {
        let records = split_csv_records(text, file)?;
        let Some((head, rows)) = records.split_first() else {
            return Err(Error::file(
                file,
                "empty file; expected the header exchange,date,status,note",
            ));
        };
        let header = Header::new(&head.fields, file)?;
        let columns = HolidayColumns::find(&header, file)?;
        let mut table = HolidayTable::default();
        for rec in rows {
            let (exchange, date, status) = columns.entry(&header, rec, file)?;
            if table
                .entries
                .insert((exchange.clone(), date), status)
                .is_some()
            {
                return Err(Error::cell(
                    file,
                    rec.row,
                    "date",
                    format!("{exchange} {date} is listed twice"),
                ));
            }
            table.years.entry(exchange).or_default().insert(date.year());
        }
        Ok(table)
    }

    /// The table's entry for (exchange, date), if any.
    pub fn status(&self, exchange: &str, date: NaiveDate) -> Option<HolidayStatus> {
        self.entries.get(&(exchange.to_string(), date)).copied()
    }

    /// True when the table has at least one row for `exchange` in `year` (a covered year).
    pub fn covers_year(&self, exchange: &str, year: i32) -> bool {
        self.years.get(exchange).is_some_and(|y| y.contains(&year))
    }

    /// The covered years of `exchange`, ascending (empty when the table has no row for it).
    pub fn covered_years(&self, exchange: &str) -> Vec<i32> {
        self.years
            .get(exchange)
            .map(|y| y.iter().copied().collect())
            .unwrap_or_default()
    }

    /// True when the table has at least one row for `exchange`.
    pub fn has_exchange(&self, exchange: &str) -> bool {
        self.years.contains_key(exchange)
    }

    /// The exchanges that have rows, ascending.
    pub fn exchanges(&self) -> Vec<String> {
        self.years.keys().cloned().collect()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Parses a strict ISO date `YYYY-MM-DD` (four-digit year, two-digit month and day).
pub(crate) fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !b
        .iter()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parses `H:MM` or `HH:MM` (24 h) exactly.
pub(crate) fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty()
        || h.len() > 2
        || m.len() != 2
        || !h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// The first `H:MM`/`HH:MM` token in free text such as `close 12:00 local`.
fn find_hhmm(note: &str) -> Option<NaiveTime> {
    note.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .find_map(parse_hhmm)
}

/// The positions of the columns of a holiday-table CSV file.
struct HolidayColumns {
    exchange: usize,
    date: usize,
    status: usize,
    note: Option<usize>,
}

impl HolidayColumns {
    /// Finds the columns by name; `note` is optional.
    fn find(header: &Header, file: &str) -> Result<HolidayColumns> {
        let col = |name: &str| {
            header.find(name).ok_or_else(|| Error::MissingColumn {
                file: file.to_string(),
                column: name.to_string(),
                present: header.present(),
            })
        };
        Ok(HolidayColumns {
            exchange: col("exchange")?,
            date: col("date")?,
            status: col("status")?,
            note: header.find("note"),
        })
    }

    /// The (exchange, date, status) of one record.
    fn entry(
        &self,
        header: &Header,
        rec: &CsvRecord,
        file: &str,
    ) -> Result<(String, NaiveDate, HolidayStatus)> {
        let get = |c: usize| rec.fields.get(c).map(|s| s.trim()).unwrap_or("");
        if rec.fields.len() > header.names.len() {
            return Err(Error::cell(
                file,
                rec.row,
                header.names.last().cloned().unwrap_or_default(),
                format!(
                    "row has {} fields but the header has {}",
                    rec.fields.len(),
                    header.names.len()
                ),
            ));
        }
        let exchange = get(self.exchange).to_ascii_uppercase();
        if exchange.is_empty() {
            return Err(Error::cell(
                file,
                rec.row,
                "exchange",
                "empty exchange code",
            ));
        }
        let date = parse_iso_date(get(self.date)).ok_or_else(|| {
            Error::cell(
                file,
                rec.row,
                "date",
                format!("'{}' is not a valid date YYYY-MM-DD", get(self.date)),
            )
        })?;
        let status = parse_status(get(self.status), self.note.map(get).unwrap_or(""))
            .map_err(|(column, message)| Error::cell(file, rec.row, column, message))?;
        Ok((exchange, date, status))
    }
}

/// The status of a holiday row; an `early_close` takes its local close time from the note.
/// The error names the column at fault and says why.
fn parse_status(
    status: &str,
    note: &str,
) -> std::result::Result<HolidayStatus, (&'static str, String)> {
    match status {
        "closed" => Ok(HolidayStatus::Closed),
        "closed_adhoc" => Ok(HolidayStatus::ClosedAdhoc),
        "early_close" => find_hhmm(note)
            .map(HolidayStatus::EarlyClose)
            .ok_or_else(|| {
                (
                    "note",
                    format!("early_close needs a local close time HH:MM in the note, got '{note}'"),
                )
            }),
        other => Err((
            "status",
            format!("unknown status '{other}' (expected closed, closed_adhoc or early_close)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn builtin_matches_shared_file_and_counts() {
        let t = HolidayTable::builtin();
        // 285 data rows: XHKG 103, XNYS 71, XSHG 111 (counted independently with `cut | uniq -c`).
        assert_eq!(t.len(), 285);
        assert_eq!(t.exchanges(), vec!["XHKG", "XNYS", "XSHG"]);
        assert_eq!(
            t.covered_years("XSHG"),
            vec![2021, 2022, 2023, 2024, 2025, 2026]
        );
        assert_eq!(t.status("XNYS", d(2025, 1, 9)), Some(HolidayStatus::Closed));
        assert_eq!(
            t.status("XHKG", d(2024, 12, 24)),
            Some(HolidayStatus::EarlyClose(
                NaiveTime::from_hms_opt(12, 0, 0).unwrap()
            ))
        );
        assert_eq!(
            t.status("XNYS", d(2024, 12, 24)),
            Some(HolidayStatus::EarlyClose(
                NaiveTime::from_hms_opt(13, 0, 0).unwrap()
            ))
        );
        assert_eq!(t.status("XNYS", d(2024, 12, 23)), None);
        if let Some(dir) = crate::shared_data::shared_dir() {
            let shared =
                HolidayTable::from_csv(&dir.join("datasets-raw/exchange_holidays_2021_2026.csv"))
                    .unwrap();
            assert_eq!(shared, t);
        }
    }

    #[test]
    fn quoted_note_with_commas_bom_crlf() {
        let text = "\u{feff}exchange,date,status,note\r\nXHKG,2023-09-01,closed_adhoc,\"typhoon, signal 8; \"\"T8\"\"\"\r\nXHKG,2024-02-09,early_close,close 12:00 local\r\n";
        let t = HolidayTable::from_csv_str(text, "h.csv").unwrap();
        assert_eq!(
            t.status("XHKG", d(2023, 9, 1)),
            Some(HolidayStatus::ClosedAdhoc)
        );
        assert!(t.status("XHKG", d(2023, 9, 1)).unwrap().is_closed());
        assert_eq!(
            t.status("XHKG", d(2024, 2, 9)),
            Some(HolidayStatus::EarlyClose(
                NaiveTime::from_hms_opt(12, 0, 0).unwrap()
            ))
        );
        assert_eq!(t.covered_years("XHKG"), vec![2023, 2024]);
    }

    fn err(text: &str) -> String {
        HolidayTable::from_csv_str(text, "h.csv")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_file_row_column() {
        assert!(err("").contains("h.csv: empty file"));
        let e = err("exchange,status\nXNYS,closed\n");
        assert!(e.contains("missing column 'date'"), "{e}");
        let e = err("exchange,date,status\nXNYS,2024-01-01,closed\nXNYS,2024-02-30,closed\n");
        assert_eq!(
            e,
            "h.csv: row 3, column 'date': '2024-02-30' is not a valid date YYYY-MM-DD"
        );
        let e = err("exchange,date,status\nXNYS,2024-01-01,shut\n");
        assert!(e.starts_with("h.csv: row 2, column 'status'"), "{e}");
        let e = err("exchange,date,status,note\nXNYS,2024-11-29,early_close,early\n");
        assert!(e.starts_with("h.csv: row 2, column 'note'"), "{e}");
        let e = err("exchange,date,status\nXNYS,2024-01-01,closed\nXNYS,2024-01-01,closed\n");
        assert!(e.starts_with("h.csv: row 3, column 'date'"), "{e}");
        let e = err("exchange,date,status\n,2024-01-01,closed\n");
        assert!(e.starts_with("h.csv: row 2, column 'exchange'"), "{e}");
    }

    #[test]
    fn time_and_date_parsers() {
        assert_eq!(parse_hhmm("9:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(parse_hhmm("12:0"), None);
        assert_eq!(parse_iso_date("2024-2-01"), None);
        assert_eq!(parse_iso_date("2024-02-29"), Some(d(2024, 2, 29)));
        assert_eq!(parse_iso_date("2025-02-29"), None);
    }
}
