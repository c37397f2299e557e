//! The price CSV reader on arbitrary bytes: any input must give Ok or an Err, never a panic.
//! The first byte picks the reading options (separator, decimal comma, wide layout, strict).
#![no_main]

use evstudy::data::{read_prices, PriceSource};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fn scratch_file() -> PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    dir.join(format!("evstudy-fuzz-prices-{}.csv", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let Some((&opts, body)) = data.split_first() else { return };
    let path = scratch_file();
    if std::fs::write(&path, body).is_err() {
        return;
    }
    let mut src = PriceSource::new(&path);
    src.decimal_comma = opts & 1 != 0;
    if opts & 2 != 0 {
        src = src.wide();
    }
    src.strict = opts & 4 != 0;
    if opts & 8 != 0 {
        src.separator = Some(';');
    }
    if opts & 16 != 0 {
        src.date_format = Some("%d/%m/%Y".into());
    }
    if let Ok(panel) = read_prices(&src) {
        // Every series: dates ascending and unique, one value per date.
        for s in panel.series.values() {
            assert_eq!(s.dates.len(), s.values.len());
            assert!(s.dates.windows(2).all(|w| w[0] < w[1]));
        }
    }
});
