//! # evstudy — event studies in Rust
//!
//! Columnar price data and an event calendar feed an abnormal-return engine that fits a
//! normal-return model over an estimation window, measures abnormal returns (AR, CAR, BHAR) in
//! event windows, aggregates them (AAR, CAAR) and tests them with the standard statistics.
//! The conventions, and the `§` sections cited throughout the code, are those of
//! `docs/methodology.md`.
//!
//! Data flow: [`data`] (ingest) → [`calendar`] (events, day 0) → [`returns`] (aligned series)
//! → [`model`] → [`abnormal`] → [`stats`] → [`output`], [`report`]; [`study`] runs the whole
//! pipeline (the command line is the `evstudy-cli` crate).
#![warn(missing_docs)]

pub mod abnormal;
pub mod calendar;
pub mod data;
pub mod demo;
pub mod design;
pub mod error;
pub mod model;
pub mod output;
pub mod report;
pub mod returns;
/// Locating `../shared` in unit tests (the same file serves the integration tests).
#[cfg(test)]
#[path = "../tests/common/shared.rs"]
pub(crate) mod shared_data;
pub mod simulate;
pub mod stats;
pub mod study;
pub mod tables;
pub mod vocab;

pub use error::{Error, Result};
