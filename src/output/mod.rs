//! Writers for the output tables (methodology §12): CSV and Parquet, atomic and deterministic.
//!
//! OWNER: output/report helper.
