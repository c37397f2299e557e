//! Placebo inference for a backtest (methodology §16.6): the strategy's statistics against
//! their distribution over random event calendars.
