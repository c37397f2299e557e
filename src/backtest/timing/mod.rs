//! When a trade can fill (methodology §16): entry and exit price points from the event
//! instant, the exchange's sessions and the fillability of each bar.
