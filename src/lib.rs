//! # evstudy — event studies in Rust
//!
//! An event study measures how a security's price reacted to an event beyond what it would
//! normally have done. evstudy reads columnar prices and an event calendar, maps every event to
//! day 0 on each security's own exchange, fits a normal-return model over an estimation window,
//! measures abnormal returns (AR, CAR, BHAR) in event windows, aggregates them (AAR, CAAR) and
//! tests them. The conventions, and the `§` sections cited throughout the code, are those of
//! `docs/methodology.md`; `docs/architecture.md` describes the layout.
//!
//! ## How data flows
//!
//! ```text
//! study.toml / flags ─► StudyFile ─► Design ─┬─► EngineConfig, StatsConfig
//!                                            │
//! prices, events ─► data ─► calendar (day 0) ─► returns (AlignedSeries)
//!                          ─► Engine (model fit, AR/CAR/BHAR per pair: PairResult)
//!                          ─► stats (tests, aggregates, same-date portfolios)
//!                          ─► StudyTables ─► output (CSV, Parquet, DataFrames), report
//! ```
//!
//! The supported types, re-exported here: [`Study`] runs a whole study from a [`StudyFile`]
//! (validated into a [`Design`]) and returns a [`StudyOutput`], whose [`StudyTables`] are the
//! output tables of §12; [`Engine`] analyses one event–security pair (or a batch) on an
//! [`AlignedSeries`] and returns a [`PairResult`]; every failure is an [`Error`] naming the
//! file, row and column, and every event left out is an exclusion row with its reason.
//!
//! # Examples
//!
//! ```no_run
//! use evstudy::Study;
//!
//! let study = Study::from_toml_file("datasets/demo/study.toml".as_ref())?;
//! let out = study.run()?;
//! for row in out.tables.aggregate.iter().filter(|r| r.metric == "car" && r.group == "all") {
//!     let window = row.window.as_deref().unwrap_or("");
//!     println!("CAAR[{window}] = {:+.4} (n = {})", row.mean.unwrap_or(f64::NAN), row.n);
//! }
//! out.dataframes()?; // the same tables as polars DataFrames
//! # Ok::<(), evstudy::Error>(())
//! ```
#![warn(missing_docs)]

pub mod abnormal;
pub mod backtest;
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

pub use abnormal::{Engine, PairResult};
pub use design::{Design, StudyFile};
pub use error::{Error, Result};
pub use returns::AlignedSeries;
pub use study::{Study, StudyOutput};
pub use tables::StudyTables;
