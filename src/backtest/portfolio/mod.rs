//! The daily portfolio of a set of positions (methodology §16): weights, costs, hedges,
//! equity and drawdown.
