//! The study file parser and its validation on arbitrary text: Ok or Err, never a panic.
#![no_main]

use evstudy::study::StudyConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cfg) = StudyConfig::from_toml_str(text) {
        let _ = cfg.validate();
        let _ = cfg.model_kind();
    }
});
