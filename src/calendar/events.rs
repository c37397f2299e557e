//! Event calendar files (CSV or TOML), scopes and the `verified` filter.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;

use super::event_checks::{
    check_event_time, check_event_zone, check_look_alike_columns, check_same_event_twice,
    missing_column_hint,
};
use super::holidays::parse_iso_date;
use crate::data::records::{split_csv_records, CsvRecord, Header};
use crate::error::{Error, Result};
use crate::tables::{Label, Labels};

/// One row of an event calendar.
///
/// `date` is the event's local calendar date in `tz` (not a trading day); `time` and `tz` are
/// checked when the file is read (an unreadable time or zone is an error naming the row) and
/// kept as written for [`map_day0`](super::map_day0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// Event id (column `event_id` or `id`).
    pub event_id: Label,
    /// Local date of the announcement.
    pub date: NaiveDate,
    /// `HH:MM`, a keyword (`before_open`, `intraday`, `after_close`, `evening`, `weekend`) or
    /// `None` (date only).
    pub time: Option<Label>,
    /// IANA zone of the announcement; `None` → each security's exchange zone.
    pub tz: Option<Label>,
    /// Category (free text, e.g. `export_control`); empty when absent.
    pub category: Label,
    /// Securities, group names or `all` (see [`expand_scope`]); empty when the file has no
    /// scope column or the cell is empty.
    pub scope: Vec<Label>,
    /// Analysis group of the event, if given.
    pub group: Option<Label>,
    /// Title; empty when absent.
    pub title: Label,
    /// Source; empty when absent.
    pub source: Label,
    /// `yes`, `partly`, `no` or `None`; `no` rows are left out unless opted in
    /// ([`filter_verified`]).
    pub verified: Option<Label>,
    /// 1-based row in the file (CSV: line where the record starts, header = 1; TOML: line of
    /// the event's `[[event]]` header).
    pub row: usize,
}

impl EventRecord {
    /// True when `verified` is `no` (case-insensitive): such rows are left out by default.
    pub fn is_unverified(&self) -> bool {
        self.verified
            .as_deref()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("no"))
    }
}

/// Reads an event calendar: TOML when the file name ends in `.toml`, CSV otherwise.
///
/// **CSV** (RFC 4180: quoted fields, doubled quotes, CRLF and a BOM are handled): a header
/// row, then one event per row. Columns, found by name: `event_id` (or `id`) and `date`
/// (`YYYY-MM-DD`) are required; optional `time`, `tz`, `category`, `group`, `title`,
/// `source`, `verified`, and the scope from `scope` (`;`-separated list), else `security`,
/// else `ticker` (one value). Other columns are ignored.
///
/// **TOML**: one `[[event]]` table per event with the same keys (`id` or `event_id`, `date` as
/// a string or a TOML date, `scope` as a string list or a `;`-separated string, or `security`
/// / `ticker`).
///
/// # Errors
/// Naming the file, the 1-based row (header = row 1; for TOML the line of the `[[event]]`
/// header) and the column: unreadable or empty file, no event rows, missing `event_id`/`id`
/// or `date` column (with the present column it most likely is, e.g. `datetime`), a column
/// that looks like an absent optional one (`timezone` for `tz`, `symbol` for `ticker`), a row
/// with a different number of fields than the header, an empty id, an empty, unparsable or
/// impossible date (`2025-02-30`), an event time that is neither `HH:MM` nor a keyword (`4pm`:
/// the message suggests `16:00`), a time zone that is not an IANA place name (`New York`,
/// `EST`: the message suggests `America/New_York`), invalid TOML.
///
/// # Examples
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("events.csv");
/// std::fs::write(&path, "id,date,time,tz,scope\nE1,2024-06-26,after_close,America/New_York,NVDA;AMD\n").unwrap();
/// let ev = evstudy::calendar::read_events(&path).unwrap();
/// assert_eq!(ev[0].scope, vec!["NVDA", "AMD"]);
/// assert_eq!(ev[0].row, 2);
/// ```
pub fn read_events(path: &Path) -> Result<Vec<EventRecord>> {
    let text = crate::data::sniff::read_text_file(path)?;
    let file = path.display().to_string();
    let is_toml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_toml {
        read_events_toml_str(&text, &file)
    } else {
        read_events_csv_str(&text, &file)
    }
}

fn empty_to_none(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The label of `s` trimmed, `None` when empty (one allocation per distinct text).
fn opt_label(s: &str, labels: &mut Labels) -> Option<Label> {
    let t = s.trim();
    (!t.is_empty()).then(|| labels.get(t))
}

fn split_scope(s: &str, labels: &mut Labels) -> Vec<Label> {
    s.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| labels.get(t))
        .collect()
}

fn parse_event_date(value: &str, file: &str, row: usize, column: &str) -> Result<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::cell(
            file,
            row,
            column,
            "empty date; expected YYYY-MM-DD",
        ));
    }
    let date = parse_iso_date(v).ok_or_else(|| {
        Error::cell(
            file,
            row,
            column,
            format!("'{v}' is not a valid date YYYY-MM-DD"),
        )
    })?;
    crate::data::check_date_range(date).map_err(|m| Error::cell(file, row, column, m))?;
    Ok(date)
}

/// Parses event-calendar CSV text; `file` names the source in errors. See [`read_events`].
///
/// # Errors
/// As [`read_events`].
pub fn read_events_csv_str(text: &str, file: &str) -> Result<Vec<EventRecord>> {
    let records = split_csv_records(text, file)?;
    let Some((head, rows)) = records.split_first() else {
        return Err(Error::file(
            file,
            "empty file: expected a header row with event_id (or id) and date",
        ));
    };
    let header = Header::new(&head.fields, file)?;
    let columns = EventColumns::find(&header, file)?;
    if rows.is_empty() {
        return Err(Error::file(
            file,
            "no events: the file has a header but no rows",
        ));
    }
    // the texts that repeat (a ticker, a category, an empty cell) shared by their events
    let mut labels = Labels::default();
    let events = rows
        .iter()
        .map(|rec| {
            check_field_count(&header, rec, file)?;
            columns.event(rec, file, &mut labels)
        })
        .collect::<Result<Vec<_>>>()?;
    check_same_event_twice(&events, file)?;
    Ok(events)
}

/// A row with another number of fields than the header is an error naming the first missing
/// column (or the first extra field).
fn check_field_count(header: &Header, rec: &CsvRecord, file: &str) -> Result<()> {
    let n = header.names.len();
    if rec.fields.len() == n {
        return Ok(());
    }
    let column = if rec.fields.len() < n {
        header.names[rec.fields.len()].clone()
    } else {
        format!("field {}", n + 1)
    };
    Err(Error::cell(
        file,
        rec.row,
        column,
        format!("row has {} fields but the header has {n}", rec.fields.len()),
    ))
}

/// The positions of the columns of an event-calendar CSV file.
struct EventColumns {
    /// The id column's name (`event_id` or `id`) and position.
    id: (&'static str, usize),
    date: usize,
    /// The scope column's name (`scope`, `security` or `ticker`) and position.
    scope: Option<(&'static str, usize)>,
    time: Option<usize>,
    tz: Option<usize>,
    category: Option<usize>,
    group: Option<usize>,
    title: Option<usize>,
    source: Option<usize>,
    verified: Option<usize>,
}

impl EventColumns {
    /// Finds the columns by name; the id and the date are required.
    fn find(header: &Header, file: &str) -> Result<EventColumns> {
        let missing = |column: &str| Error::MissingColumn {
            file: file.to_string(),
            column: column.to_string(),
            present: header.present(),
        };
        let hinted = |column: &str, wanted: &str| {
            let hint = missing_column_hint(wanted, &header.names);
            if hint.is_empty() {
                missing(column)
            } else {
                Error::file(
                    file,
                    format!(
                        "missing column '{column}' (columns present: {}){hint}",
                        header.present()
                    ),
                )
            }
        };
        let id = match (header.find("event_id"), header.find("id")) {
            (Some(c), _) => ("event_id", c),
            (None, Some(c)) => ("id", c),
            (None, None) => return Err(hinted("event_id (or id)", "event_id")),
        };
        let date = header.find("date").ok_or_else(|| hinted("date", "date"))?;
        check_look_alike_columns(&header.names, file, 1)?;
        Ok(EventColumns {
            id,
            date,
            scope: ["scope", "security", "ticker"]
                .into_iter()
                .find_map(|n| header.find(n).map(|c| (n, c))),
            time: header.find("time"),
            tz: header.find("tz"),
            category: header.find("category"),
            group: header.find("group"),
            title: header.find("title"),
            source: header.find("source"),
            verified: header.find("verified"),
        })
    }

    /// The event of one record (whose field count matches the header).
    fn event(&self, rec: &CsvRecord, file: &str, labels: &mut Labels) -> Result<EventRecord> {
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.fields.get(c))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let event_id = get(Some(self.id.1));
        if event_id.is_empty() {
            return Err(Error::cell(file, rec.row, self.id.0, "empty event id"));
        }
        let date = parse_event_date(get(Some(self.date)), file, rec.row, "date")?;
        check_event_time(get(self.time), file, rec.row, "time")?;
        check_event_zone(get(self.tz), file, rec.row, "tz")?;
        let scope = match self.scope {
            Some(("scope", c)) => split_scope(get(Some(c)), labels),
            Some((_, c)) => opt_label(get(Some(c)), labels).into_iter().collect(),
            None => Vec::new(),
        };
        Ok(EventRecord {
            event_id: Label::from(event_id),
            date,
            time: opt_label(get(self.time), labels),
            tz: opt_label(get(self.tz), labels),
            category: labels.get(get(self.category)),
            scope,
            group: opt_label(get(self.group), labels),
            title: labels.get(get(self.title)),
            source: labels.get(get(self.source)),
            verified: opt_label(get(self.verified), labels),
            row: rec.row,
        })
    }
}

/// Parses an event calendar in TOML (`[[event]]` tables); `file` names the source in errors.
/// See [`read_events`].
///
/// # Errors
/// As [`read_events`]; invalid TOML is an [`Error::File`] carrying the TOML parser's message
/// (with its line and column).
///
/// # Examples
/// ```
/// let text = r#"
/// [[event]]
/// id = "MR02"
/// date = 2025-01-20
/// tz = "Asia/Shanghai"
/// scope = ["688256.SS", "NVDA"]
///
/// [[event]]
/// event_id = "E4"
/// date = "2024-07-06"
/// security = "S4"
/// "#;
/// let ev = evstudy::calendar::read_events_toml_str(text, "events.toml").unwrap();
/// assert_eq!(ev.len(), 2);
/// assert_eq!(ev[0].scope, vec!["688256.SS", "NVDA"]);
/// assert_eq!(ev[1].scope, vec!["S4"]);
/// assert_eq!((ev[0].row, ev[1].row), (2, 8));
/// ```
pub fn read_events_toml_str(text: &str, file: &str) -> Result<Vec<EventRecord>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let events = toml_event_tables(text, file)?;
    let header_lines = event_header_lines(text);
    let records = events
        .iter()
        .enumerate()
        .map(|(k, value)| {
            // The line of the [[event]] header, or the table's 1-based index when events are
            // written as an inline array.
            let row = if header_lines.len() == events.len() {
                header_lines[k]
            } else {
                k + 1
            };
            let Some(table) = value.as_table() else {
                return Err(Error::cell(
                    file,
                    row,
                    "event",
                    "each event must be a table",
                ));
            };
            TomlEvent { table, file, row }.event()
        })
        .collect::<Result<Vec<_>>>()?;
    check_same_event_twice(&records, file)?;
    Ok(records)
}

/// The `event` array of a TOML event calendar: the file must parse and hold at least one
/// `[[event]]` table.
pub(crate) fn toml_event_tables(text: &str, file: &str) -> Result<Vec<toml::Value>> {
    if text.trim().is_empty() {
        return Err(Error::file(
            file,
            "empty file: expected [[event]] tables with id and date",
        ));
    }
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Error::file(file, format!("invalid TOML: {e}")))?;
    let Some(events) = table.remove("event") else {
        return Err(Error::file(file, "no [[event]] tables"));
    };
    let toml::Value::Array(events) = events else {
        return Err(Error::file(
            file,
            "'event' must be an array of tables ([[event]])",
        ));
    };
    if events.is_empty() {
        return Err(Error::file(file, "no [[event]] tables"));
    }
    Ok(events)
}

/// Line numbers of the `[[event]]` headers, in order.
pub(crate) fn event_header_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.split('#').next().unwrap_or("").trim();
            t.strip_prefix("[[")
                .and_then(|r| r.strip_suffix("]]"))
                .is_some_and(|inner| inner.trim() == "event")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// One `[[event]]` table and where it is, for errors.
struct TomlEvent<'a> {
    table: &'a toml::Table,
    file: &'a str,
    row: usize,
}

impl TomlEvent<'_> {
    fn error(&self, key: &str, message: impl Into<String>) -> Error {
        Error::cell(self.file, self.row, key, message)
    }

    /// The value of `key` as text (a TOML date as written); empty is `None`.
    fn string(&self, key: &str) -> Result<Option<String>> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(empty_to_none(s)),
            Some(toml::Value::Datetime(d)) => Ok(Some(d.to_string())),
            Some(other) => {
                Err(self.error(key, format!("expected a string, got {}", other.type_str())))
            }
        }
    }

    fn event_id(&self) -> Result<String> {
        match (self.string("event_id")?, self.string("id")?) {
            (Some(v), _) | (None, Some(v)) => Ok(v),
            (None, None) => {
                let key = if self.table.contains_key("event_id") {
                    "event_id"
                } else {
                    "id"
                };
                Err(self.error(key, "missing or empty event id (key id or event_id)"))
            }
        }
    }

    fn date(&self) -> Result<NaiveDate> {
        match self.string("date")? {
            Some(s) => parse_event_date(&s, self.file, self.row, "date"),
            None => Err(self.error("date", "missing or empty date; expected YYYY-MM-DD")),
        }
    }

    /// `scope` (a list of strings or a `;`-separated string), else `security`, else `ticker`.
    fn scope(&self) -> Result<Vec<String>> {
        let (security, ticker) = (self.string("security")?, self.string("ticker")?);
        Ok(match (self.table.get("scope"), security, ticker) {
            (Some(toml::Value::Array(items)), _, _) => {
                let mut v = Vec::with_capacity(items.len());
                for item in items {
                    let Some(s) = item.as_str() else {
                        return Err(self.error("scope", "scope items must be strings"));
                    };
                    v.extend(empty_to_none(s));
                }
                v
            }
            (Some(toml::Value::String(s)), _, _) => split_scope(s, &mut Labels::default())
                .iter()
                .map(|l| l.to_string())
                .collect(),
            (Some(other), _, _) => {
                return Err(self.error(
                    "scope",
                    format!("expected a list of strings, got {}", other.type_str()),
                ))
            }
            (None, Some(sec), _) => vec![sec],
            (None, None, Some(tic)) => vec![tic],
            (None, None, None) => Vec::new(),
        })
    }

    fn event(&self) -> Result<EventRecord> {
        let event_id = self.event_id()?;
        let date = self.date()?;
        let scope = self.scope()?.iter().map(Label::from).collect();
        let keys: Vec<String> = self.table.keys().cloned().collect();
        check_look_alike_columns(&keys, self.file, self.row)?;
        let (time, tz) = (self.string("time")?, self.string("tz")?);
        check_event_time(time.as_deref().unwrap_or(""), self.file, self.row, "time")?;
        check_event_zone(tz.as_deref().unwrap_or(""), self.file, self.row, "tz")?;
        let label = |s: Option<String>| Label::from(s.unwrap_or_default());
        let opt = |s: Option<String>| s.map(Label::from);
        Ok(EventRecord {
            event_id: Label::from(event_id),
            date,
            time: opt(time),
            tz: opt(tz),
            category: label(self.string("category")?),
            scope,
            group: opt(self.string("group")?),
            title: label(self.string("title")?),
            source: label(self.string("source")?),
            verified: opt(self.string("verified")?),
            row: self.row,
        })
    }
}

/// Splits events into (kept, left out) by the `verified` column: rows with `verified = no`
/// are left out unless `include_unverified` is true; `yes`, `partly` and empty are kept.
///
/// # Examples
/// ```
/// use evstudy::calendar::{filter_verified, read_events_csv_str};
/// let ev = read_events_csv_str("id,date,verified\nA,2024-01-02,yes\nB,2024-01-03,no\nC,2024-01-04,\n", "e.csv").unwrap();
/// let (kept, left_out) = filter_verified(ev.clone(), false);
/// assert_eq!(kept.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["A", "C"]);
/// assert_eq!(left_out[0].event_id, "B");
/// assert_eq!(filter_verified(ev, true).0.len(), 3);
/// ```
pub fn filter_verified(
    events: Vec<EventRecord>,
    include_unverified: bool,
) -> (Vec<EventRecord>, Vec<EventRecord>) {
    if include_unverified {
        return (events, Vec::new());
    }
    events.into_iter().partition(|e| !e.is_unverified())
}

/// Expands an event's scope into securities: `all` (case-insensitive) → every security in
/// `all_securities`; a key of `groups` → its members; anything else → a ticker, kept as is
/// (an unknown ticker later becomes an `unknown_security` exclusion). Order of first
/// appearance, duplicates removed. Group names take precedence over tickers; groups are not
/// expanded recursively. An empty scope gives an empty list.
///
/// # Examples
/// ```
/// use std::collections::BTreeMap;
/// use evstudy::calendar::expand_scope;
/// let groups = BTreeMap::from([("us_chips".to_string(), vec!["NVDA".to_string(), "AMD".to_string()])]);
/// let all = vec!["NVDA".to_string(), "AMD".to_string(), "0700.HK".to_string()];
/// let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
/// assert_eq!(expand_scope(&s(&["us_chips", "NVDA", "BIDU"]), &groups, &all), s(&["NVDA", "AMD", "BIDU"]));
/// assert_eq!(expand_scope(&s(&["all"]), &groups, &all), all);
/// ```
pub fn expand_scope<S: AsRef<str>>(
    scope: &[S],
    groups: &BTreeMap<String, Vec<String>>,
    all_securities: &[String],
) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut push = |s: &str| {
        if seen.insert(s.to_string()) {
            out.push(s.to_string());
        }
    };
    for item in scope {
        let item = item.as_ref();
        if item.eq_ignore_ascii_case("all") {
            all_securities.iter().for_each(|s| push(s));
        } else if let Some(members) = groups.get(item) {
            members.iter().for_each(|s| push(s));
        } else {
            push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn err_csv(text: &str) -> Error {
        read_events_csv_str(text, "ev.csv").unwrap_err()
    }

    #[test]
    fn shipped_china_ai_chips_calendar() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/events/china_ai_chips.csv");
        let ev = read_events(&path).unwrap();
        assert_eq!(ev.len(), 73);
        // Counts from events.md: verified no 24, partly 7, yes 42.
        let count = |v: &str| {
            ev.iter()
                .filter(|e| e.verified.as_deref() == Some(v))
                .count()
        };
        assert_eq!((count("no"), count("partly"), count("yes")), (24, 7, 42));
        // Categories: company_notice 4, confounder 3, countermeasure 9, earnings 35, export_control 14, model_release 8.
        let cat = |c: &str| ev.iter().filter(|e| e.category == c).count();
        assert_eq!(
            [
                cat("company_notice"),
                cat("confounder"),
                cat("countermeasure"),
                cat("earnings"),
                cat("export_control"),
                cat("model_release")
            ],
            [4, 3, 9, 35, 14, 8]
        );
        let (kept, left_out) = filter_verified(ev.clone(), false);
        assert_eq!((kept.len(), left_out.len()), (49, 24));
        let ec01 = ev.iter().find(|e| e.event_id == "EC01").unwrap();
        assert_eq!(ec01.date, d(2022, 10, 7));
        assert_eq!(ec01.time, None);
        assert_eq!(ec01.tz.as_deref(), Some("America/New_York"));
        assert_eq!(ec01.scope.len(), 13);
        assert_eq!(ec01.scope[2], "^SOX");
        // A quoted source with a comma inside.
        assert!(ec01
            .source
            .contains("(FR doc 2022-21658, published 2022-10-13)"));
        assert_eq!(ec01.row, 3);
        let ec03a = ev.iter().find(|e| e.event_id == "EC03a").unwrap();
        assert_eq!(ec03a.time.as_deref(), Some("17:27"));
        // Same as the shared copy, when present.
        if let Some(dir) = crate::shared_data::shared_dir() {
            let shared = read_events(&dir.join("events/events.csv")).unwrap();
            assert_eq!(shared.len(), ev.len());
            for (a, b) in shared.iter().zip(&ev) {
                assert_eq!(
                    (&a.event_id, a.date, &a.scope, &a.verified),
                    (&b.event_id, b.date, &b.scope, &b.verified)
                );
            }
        }
    }

    #[test]
    fn golden_panel_events_with_security_and_group() {
        let Some(dir) = crate::shared_data::shared_dir() else {
            return;
        };
        let ev = read_events(&dir.join("golden/spec/b_panel/events.csv")).unwrap();
        assert_eq!(ev.len(), 11);
        assert_eq!(ev[4].event_id, "E5");
        assert_eq!(ev[4].scope, vec!["S5"]);
        assert_eq!(ev[4].time.as_deref(), Some("before_open"));
        assert_eq!(ev[4].tz, None);
        assert_eq!(ev[4].group.as_deref(), Some("all"));
        // d_day0 has no scope column: empty scope.
        let ev = read_events(&dir.join("golden/spec/d_day0/events.csv")).unwrap();
        assert_eq!(ev.len(), 18);
        assert!(ev.iter().all(|e| e.scope.is_empty()));
        assert_eq!(ev[17].date, d(2027, 1, 4));
    }

    #[test]
    fn csv_aliases_quoting_bom_crlf() {
        let text = "\u{feff}event_id,date,ticker,title,verified\r\nX1,2024-01-02,NVDA,\"a, \"\"b\"\"\",no\r\n";
        let ev = read_events_csv_str(text, "ev.csv").unwrap();
        assert_eq!(ev[0].scope, vec!["NVDA"]);
        assert_eq!(ev[0].title, "a, \"b\"");
        assert!(ev[0].is_unverified());
        assert_eq!(ev[0].category, "");
    }

    #[test]
    fn csv_errors_name_file_row_column() {
        assert_eq!(
            err_csv("").to_string(),
            "ev.csv: empty file: expected a header row with event_id (or id) and date"
        );
        assert!(err_csv("\u{feff}\r\n").to_string().contains("empty file"));
        match err_csv("name,date\nA,2024-01-02\n") {
            Error::MissingColumn {
                file,
                column,
                present,
            } => {
                assert_eq!(
                    (file.as_str(), column.as_str(), present.as_str()),
                    ("ev.csv", "event_id (or id)", "name, date")
                );
            }
            e => panic!("unexpected {e}"),
        }
        match err_csv("id,day\nA,2024-01-02\n") {
            Error::MissingColumn { column, .. } => assert_eq!(column, "date"),
            e => panic!("unexpected {e}"),
        }
        let e = err_csv("id,date\nA,2024-01-02\nB,2025-02-30\n");
        assert_eq!(
            e.to_string(),
            "ev.csv: row 3, column 'date': '2025-02-30' is not a valid date YYYY-MM-DD"
        );
        match err_csv("id,date\nA,02/01/2024\n") {
            Error::Cell { row, column, .. } => assert_eq!((row, column.as_str()), (2, "date")),
            e => panic!("unexpected {e}"),
        }
        // A quoted note spanning two lines shifts the row of the next record.
        let e = err_csv("id,date,title\nA,2024-01-02,\"two\nlines\"\nB,,x\n");
        assert_eq!(
            e.to_string(),
            "ev.csv: row 4, column 'date': empty date; expected YYYY-MM-DD"
        );
        let e = err_csv("event_id,date\n,2024-01-02\n");
        assert_eq!(
            e.to_string(),
            "ev.csv: row 2, column 'event_id': empty event id"
        );
        let e = err_csv("id,date,tz\nA,2024-01-02\n");
        assert_eq!(
            e.to_string(),
            "ev.csv: row 2, column 'tz': row has 2 fields but the header has 3"
        );
        let e = err_csv("id,date\nA,2024-01-02,extra\n");
        assert!(
            e.to_string().starts_with("ev.csv: row 2, column 'field 3'"),
            "{e}"
        );
        assert!(err_csv("id,date\n").to_string().contains("no events"));
        let e = err_csv("id,date,id\nA,2024-01-02,B\n");
        assert!(
            e.to_string().starts_with("ev.csv: row 1, column 'id'"),
            "{e}"
        );
        // read_events names the path and reports I/O errors.
        let missing = Path::new("/nonexistent/ev.csv");
        assert!(matches!(read_events(missing), Err(Error::Io { .. })));
    }

    #[test]
    fn toml_example_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.toml");
        let text = "# example\n[[event]]\nid = \"ER16\"\ndate = 2025-02-26\ntime = \"after_close\"\ntz = \"America/New_York\"\ncategory = \"earnings\"\nscope = \"NVDA;AMD;^SOX\"\ntitle = \"Nvidia Q4 FY2025\"\nverified = \"yes\"\n\n[[event]]\nevent_id = \"G1\"\ndate = \"2024-06-26\"\nscope = [\"all\"]\ngroup = \"policy\"\n";
        std::fs::write(&path, text).unwrap();
        let ev = read_events(&path).unwrap();
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].event_id, "ER16");
        assert_eq!(ev[0].date, d(2025, 2, 26));
        assert_eq!(ev[0].scope, vec!["NVDA", "AMD", "^SOX"]);
        assert_eq!(ev[0].time.as_deref(), Some("after_close"));
        assert_eq!(ev[0].row, 2);
        assert_eq!(ev[1].row, 12);
        assert_eq!(ev[1].group.as_deref(), Some("policy"));
        assert_eq!(ev[1].scope, vec!["all"]);

        let bad_date = "[[event]]\nid = \"A\"\ndate = \"2024-01-02\"\n\n[[event]]\nid = \"B\"\ndate = \"2025-02-30\"\n";
        let e = read_events_toml_str(bad_date, "e.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "e.toml: row 5, column 'date': '2025-02-30' is not a valid date YYYY-MM-DD"
        );
        let e = read_events_toml_str("[[event]]\ndate = \"2024-01-02\"\n", "e.toml").unwrap_err();
        assert!(
            e.to_string().starts_with("e.toml: row 1, column 'id'"),
            "{e}"
        );
        let e = read_events_toml_str("[[event]]\nid = \"A\"\ndate = 5\n", "e.toml").unwrap_err();
        assert!(
            e.to_string().starts_with("e.toml: row 1, column 'date'"),
            "{e}"
        );
        assert!(read_events_toml_str("", "e.toml")
            .unwrap_err()
            .to_string()
            .contains("empty file"));
        assert!(read_events_toml_str("x = 1\n", "e.toml")
            .unwrap_err()
            .to_string()
            .contains("no [[event]]"));
        assert!(read_events_toml_str("[[event]\n", "e.toml")
            .unwrap_err()
            .to_string()
            .contains("invalid TOML"));
    }

    #[test]
    fn shipped_toml_example() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/events/example.toml");
        let ev = read_events(&path).unwrap();
        assert_eq!(
            ev.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(),
            ["EC01", "MR02", "ER16"]
        );
        assert_eq!(ev.iter().map(|e| e.row).collect::<Vec<_>>(), [3, 13, 23]);
        assert_eq!(ev[0].date, d(2022, 10, 7));
        assert_eq!(ev[1].date, d(2025, 1, 20));
        assert_eq!(ev[1].scope, vec!["688256.SS", "0981.HK", "NVDA"]);
        assert_eq!(ev[2].scope, vec!["NVDA"]);
        assert_eq!(ev[2].time.as_deref(), Some("after_close"));
        assert_eq!(ev[2].source, "");
    }

    #[test]
    fn scope_expansion() {
        let groups = BTreeMap::from([
            (
                "cn".to_string(),
                vec!["688256.SS".to_string(), "0981.HK".to_string()],
            ),
            ("us".to_string(), vec!["NVDA".to_string()]),
        ]);
        let all: Vec<String> = ["NVDA", "688256.SS", "0981.HK", "BABA"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            expand_scope(&s(&["cn", "us", "NVDA"]), &groups, &all),
            s(&["688256.SS", "0981.HK", "NVDA"])
        );
        assert_eq!(
            expand_scope(&s(&["BABA", "ALL"]), &groups, &all),
            s(&["BABA", "NVDA", "688256.SS", "0981.HK"])
        );
        assert!(expand_scope::<String>(&[], &groups, &all).is_empty());
    }
}
