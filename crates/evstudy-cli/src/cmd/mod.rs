//! One module per command: its usage text, its arguments and a `run` that calls the library.

pub mod demo;
pub mod events;
pub mod report;
pub mod run;
pub mod simulate;
pub mod validate;
