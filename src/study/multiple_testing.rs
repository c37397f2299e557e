//! Adjusted p-values of the `tests` table (`[multiple_testing]`, §8.9), after every test row
//! of the run exists.

use super::RunSummary;
use crate::stats::{adjust_test_rows, MultipleTesting};
use crate::tables::TestRow;

/// Adds the declared adjusted p-value columns to `tests`; a family of one test is a note (and
/// a warning) of the run rather than an error, since it depends on which groups were analysed.
pub(crate) fn adjust_tests(tests: &mut [TestRow], mt: &MultipleTesting, summary: &mut RunSummary) {
    let notes = adjust_test_rows(tests, mt);
    summary.warnings.extend(notes.iter().cloned());
    summary.notes.extend(notes);
}
