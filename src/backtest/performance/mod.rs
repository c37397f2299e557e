//! Performance metrics of a daily return series and its trades (methodology §16).
