//! The event-calendar readers (CSV and TOML) on arbitrary text: Ok or Err, never a panic.
#![no_main]

use evstudy::calendar::{read_events_csv_str, read_events_toml_str};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(events) = read_events_csv_str(text, "events.csv") {
        assert!(!events.is_empty());
        assert!(events.iter().all(|e| !e.event_id.is_empty() && e.row >= 2));
    }
    let _ = read_events_toml_str(text, "events.toml");
});
