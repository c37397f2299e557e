//! A study: configuration, the pipeline from inputs to tables.
