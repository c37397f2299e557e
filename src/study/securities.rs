//! The securities of a study: `[[securities]]` entries and the securities file, looked up by
//! ticker.

use super::config::SecuritySpec;
use crate::calendar::{exchange_for_ticker, split_csv_records, CsvRecord};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// Read the securities file (`ticker, exchange[, benchmark, group, name]`).
pub fn read_securities_file(path: &Path) -> Result<Vec<SecuritySpec>> {
    let file = path.display().to_string();
    let text = crate::data::sniff::read_text_file(path)?;
    let records = split_csv_records(&text, &file)?;
    let Some(header) = records.first() else {
        return Err(Error::file(file, "file is empty (no header, no rows)"));
    };
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let find = |n: &str| names.iter().position(|x| x == n);
    let Some(ti) = find("ticker").or_else(|| find("security")) else {
        return Err(Error::MissingColumn {
            file,
            column: "ticker".into(),
            present: names.join(", "),
        });
    };
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &records[1..] {
        let Some(ticker) = field(r, Some(ti)) else {
            return Err(Error::cell(&file, r.row, &names[ti], "empty ticker"));
        };
        if let Some(first) = seen.insert(ticker.clone(), r.row) {
            return Err(Error::cell(
                &file,
                r.row,
                &names[ti],
                format!("security '{ticker}' is listed twice (also on row {first}); keep one row"),
            ));
        }
        out.push(SecuritySpec {
            ticker,
            exchange: field(r, find("exchange")),
            benchmark: field(r, find("benchmark")),
            group: field(r, find("group")),
            name: field(r, find("name")),
        });
    }
    Ok(out)
}

/// A record's field `i`, trimmed; `None` when absent or empty.
fn field(r: &CsvRecord, i: Option<usize>) -> Option<String> {
    i.and_then(|i| r.fields.get(i))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `[[securities]]` entries (1-based) that list a ticker already listed, as an error naming
/// both entries; a ticker both in `[[securities]]` and in the securities file `file` too.
pub(crate) fn check_unique_securities(
    entries: &[SecuritySpec],
    from_file: &[SecuritySpec],
    file: &str,
) -> Result<()> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (k, s) in entries.iter().enumerate() {
        if let Some(first) = seen.insert(s.ticker.as_str(), k + 1) {
            return Err(Error::config(format!(
                "[[securities]] entries {first} and {} both list '{}'; keep one",
                k + 1,
                s.ticker
            )));
        }
    }
    if let Some(s) = from_file
        .iter()
        .find(|s| seen.contains_key(s.ticker.as_str()))
    {
        return Err(Error::config(format!(
            "security '{}' is listed both in [[securities]] (entry {}) and in {file}; keep one",
            s.ticker,
            seen[s.ticker.as_str()]
        )));
    }
    Ok(())
}

/// The study's securities with the default benchmark.
pub(crate) struct SecurityTable {
    /// In configuration order: `[[securities]]` entries, then the securities file's rows.
    pub list: Vec<SecuritySpec>,
    /// Position in `list` by ticker; a ticker listed twice takes its last entry.
    by_ticker: HashMap<String, usize>,
    /// Default benchmark ticker (`market`).
    pub market: Option<String>,
}

impl SecurityTable {
    /// The table of `list` with the default benchmark `market`.
    pub fn new(list: Vec<SecuritySpec>, market: Option<String>) -> SecurityTable {
        let by_ticker = list
            .iter()
            .enumerate()
            .map(|(i, s)| (s.ticker.clone(), i))
            .collect();
        SecurityTable {
            list,
            by_ticker,
            market,
        }
    }

    /// The entry of `ticker`, if listed.
    pub fn get(&self, ticker: &str) -> Option<&SecuritySpec> {
        self.by_ticker.get(ticker).map(|&i| &self.list[i])
    }

    /// The benchmark of `ticker`: its own, else the default.
    pub fn benchmark_of(&self, ticker: &str) -> Option<String> {
        self.get(ticker)
            .and_then(|s| s.benchmark.clone())
            .or_else(|| self.market.clone())
    }

    /// The exchange of `ticker`: as listed, else from the ticker's suffix.
    pub fn exchange_of(&self, ticker: &str) -> Option<String> {
        self.get(ticker)
            .and_then(|s| s.exchange.clone())
            .or_else(|| exchange_for_ticker(ticker).map(str::to_string))
    }

    /// True when neither a default nor any listed security names a benchmark.
    pub fn has_no_benchmark(&self) -> bool {
        self.market.is_none() && self.list.iter().all(|s| s.benchmark.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn securities_file_columns_by_name_and_lookups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("securities.csv");
        let text =
            "\u{feff}name,security,benchmark,exchange\nAcme, 600000.SS ,,XSHG\nBeta,BIDU,SPY,\n";
        std::fs::write(&path, text).unwrap();
        let list = read_securities_file(&path).unwrap();
        assert_eq!(list[0].ticker, "600000.SS");
        assert_eq!(list[0].name.as_deref(), Some("Acme"));
        assert_eq!(list[0].benchmark, None, "an empty cell is absent");
        let table = SecurityTable::new(list, Some("000300.SS".into()));
        assert_eq!(
            table.benchmark_of("600000.SS").as_deref(),
            Some("000300.SS")
        );
        assert_eq!(table.benchmark_of("BIDU").as_deref(), Some("SPY"));
        assert_eq!(
            table.exchange_of("BIDU").as_deref(),
            Some("XNYS"),
            "from the ticker"
        );
        assert_eq!(table.exchange_of("0700.HK").as_deref(), Some("XHKG"));
        assert!(!table.has_no_benchmark());

        std::fs::write(&path, "ticker,exchange\n,XSHG\n").unwrap();
        let err = read_securities_file(&path).unwrap_err().to_string();
        assert!(err.contains("empty ticker"), "{err}");
        std::fs::write(&path, "symbol,exchange\nA,XSHG\n").unwrap();
        let err = read_securities_file(&path).unwrap_err().to_string();
        assert!(err.contains("ticker") && err.contains("symbol"), "{err}");
    }
}
