//! The study configuration: the raw study file of [`crate::design`], under the name the
//! study API uses.

pub use crate::design::{parse_window, CalendarMode, SecuritySpec, MODEL_NAMES};

/// The study file as written ([`crate::design::StudyFile`]); [`crate::design::Design`] is its
/// checked form.
pub type StudyConfig = crate::design::StudyFile;
