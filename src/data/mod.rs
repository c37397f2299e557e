//! Price ingest: long or wide CSV/Parquet via polars (methodology §1.1).
