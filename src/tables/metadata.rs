//! The study's events and securities as tables, so every per-pair table joins to its event's
//! title, date and category and to its security's name and group (§12).

use chrono::NaiveDate;

use super::rows::table;
use super::{Cell, CellReader, CellWriter, ColumnSink, Label, Table};
use crate::error::Result;

table! {
    /// One row of `events`: one event of the events file that the study read (left-out
    /// unverified rows included, with `n_analysed = 0`). Joins to the per-pair tables on
    /// `event_id`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct EventRow in "events" {
        /// Event id.
        pub event_id: Label,
        /// Local date of the announcement.
        pub date: Option<NaiveDate>,
        /// `HH:MM`, a time keyword or empty (date only).
        pub time: Label,
        /// IANA zone of the announcement; empty → each security's exchange zone.
        pub tz: Label,
        /// Category; empty when absent.
        pub category: Label,
        /// The event's `group` (`all` when absent), as in the per-pair tables.
        pub group: Label,
        /// Title; empty when absent.
        pub title: Label,
        /// Event–security pairs in the event's scope.
        pub n_pairs: u32,
        /// Pairs analysed (with a model fit); the others are in `exclusions`.
        pub n_analysed: u32,
    }
}

table! {
    /// One row of `securities`: one security of the study. Joins to the per-pair tables on
    /// `security`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SecurityRow in "securities" {
        /// Ticker.
        pub security: String,
        /// Display name; empty when absent.
        pub name: String,
        /// Exchange code (calendar label).
        pub exchange: String,
        /// Benchmark ticker; empty when none.
        pub benchmark: String,
        /// Security group (`[[securities]] group`); empty when none.
        pub security_group: String,
    }
}
