//! The `wild_boot_t` rows of one group label (`[bootstrap]`, §8.8): the members' ARs and CARs
//! with their day-0 dates as clusters.

use super::battery::{stats_events, BatteryInputs};
use super::groups::GroupLabel;
use crate::stats::{wild_bootstrap_rows, BootstrapSettings};
use crate::tables::TestRow;

/// The wild cluster bootstrap rows of the members of `group`, day by day of H and window by
/// window, on the test sets of the battery (§7.2).
pub(crate) fn bootstrap_group(
    group: &GroupLabel,
    inputs: &BatteryInputs,
    settings: &BootstrapSettings,
) -> Vec<TestRow> {
    let events = stats_events(group, inputs);
    wild_bootstrap_rows(&group.label, &events, inputs.stats, settings)
}
