//! One module per command: its arguments (clap generates the usage from them) and a `run`
//! that calls the library.

pub mod backtest;
pub mod demo;
pub mod events;
mod folder;
pub mod merge;
pub mod report;
pub mod run;
pub mod simulate;
pub mod validate;
