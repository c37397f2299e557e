//! A study: configuration and the pipeline from inputs to tables.

mod config;

pub use config::{parse_window, CalendarMode, SecuritySpec, StudyConfig, MODEL_NAMES};
