//! The rank-test U of each event's event-period days (methodology §9.3), kept as integers:
//! twice the midrank of each day's AR, and one 1/(n + 1) per event.
//!
//! U = K/(n + 1) − 1/2 with K a midrank (a multiple of 1/2) and n the event's residuals and
//! usable event ARs. Keeping 2K in 16 bits (32 when 2(M + |H|) does not fit) and 1/(n + 1)
//! once per event gives back every U bit for bit, made with the same two operations the pass
//! makes it with, in a quarter of the memory of one f64 per event and day.

/// The doubled midranks of the event-period days of a run of events, `|H|` per event (0
/// where the day has no usable AR), and 1/(n + 1) of each event.
pub(super) struct EventRanks {
    nh: usize,
    doubled: Doubled,
    inv_n: Vec<f64>,
}

/// Twice the midranks, in the narrowest integer that holds 2(M + |H|).
enum Doubled {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl EventRanks {
    /// Room for `n_events` events of `nh` event-period days whose rankings hold at most
    /// `most` values (the estimation window and the event period).
    pub fn with_capacity(n_events: usize, nh: usize, most: usize) -> Self {
        let cells = n_events * nh;
        let doubled = if 2 * most <= u16::MAX as usize {
            Doubled::Narrow(Vec::with_capacity(cells))
        } else {
            Doubled::Wide(Vec::with_capacity(cells))
        };
        EventRanks {
            nh,
            doubled,
            inv_n: Vec::with_capacity(n_events),
        }
    }

    /// Starts the next event, ranked among `inv_n` = 1/(n + 1) values' worth; every day
    /// without a usable AR until [`EventRanks::set`]. Returns the event's index.
    pub fn push_event(&mut self, inv_n: f64) -> usize {
        let n = self.inv_n.len();
        self.inv_n.push(inv_n);
        let len = (n + 1) * self.nh;
        match &mut self.doubled {
            Doubled::Narrow(v) => v.resize(len, 0),
            Doubled::Wide(v) => v.resize(len, 0),
        }
        n
    }

    /// Day `k` of event `j` has the midrank `doubled / 2` (`doubled` ≥ 2: a midrank is at
    /// least 1; it fits, by the `most` of [`EventRanks::with_capacity`]).
    pub fn set(&mut self, j: usize, k: usize, doubled: usize) {
        let at = j * self.nh + k;
        match &mut self.doubled {
            Doubled::Narrow(v) => v[at] = doubled as u16,
            Doubled::Wide(v) => v[at] = doubled as u32,
        }
    }

    /// 2K of day `k` of event `j` (0: no usable AR).
    fn doubled(&self, j: usize, k: usize) -> u32 {
        let at = j * self.nh + k;
        match &self.doubled {
            Doubled::Narrow(v) => v[at] as u32,
            Doubled::Wide(v) => v[at],
        }
    }

    /// U = K/(n + 1) − 1/2 of day `k` of event `j` (NaN where the day has no usable AR).
    ///
    /// # Formula
    /// ```text
    /// U = (2K / 2) · (1/(n + 1)) − 1/2
    /// ```
    pub fn u(&self, j: usize, k: usize) -> f64 {
        match self.doubled(j, k) {
            0 => f64::NAN,
            d => midrank_u(d as f64 / 2.0, self.inv_n[j]),
        }
    }
}

/// U of midrank `rank` in a ranking whose 1/(n + 1) is `inv_n` (§9.3): the one expression
/// the pass and [`EventRanks::u`] both use, so that both give the same bits.
pub(super) fn midrank_u(rank: f64, inv_n: f64) -> f64 {
    rank * inv_n - 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u_is_the_midrank_over_n_plus_one_minus_a_half() {
        // n = 7, days 0, 1 and 2 with midranks 1, 7 and 3.5: U = 1/8 − 1/2, 7/8 − 1/2, 3.5/8 − 1/2
        let mut r = EventRanks::with_capacity(1, 3, 300);
        let j = r.push_event(1.0 / 8.0);
        r.set(j, 0, 2);
        r.set(j, 2, 7);
        r.set(j, 1, 14);
        assert_eq!(r.u(j, 0), -0.375);
        assert_eq!(r.u(j, 1), 0.375);
        assert_eq!(r.u(j, 2), -0.0625);
    }

    #[test]
    fn days_without_a_usable_ar_are_nan() {
        let mut r = EventRanks::with_capacity(2, 2, 300);
        r.push_event(0.25);
        let j = r.push_event(0.2);
        r.set(j, 1, 4);
        assert!(r.u(0, 0).is_nan() && r.u(0, 1).is_nan() && r.u(1, 0).is_nan());
        assert!((r.u(1, 1) - (2.0 * 0.2 - 0.5)).abs() < 1e-15);
    }

    #[test]
    fn long_rankings_are_kept_wide_with_the_same_bits() {
        // 2·40,000 does not fit in 16 bits
        let inv = 1.0 / 40_001.0;
        let mut wide = EventRanks::with_capacity(1, 1, 40_000);
        assert!(matches!(wide.doubled, Doubled::Wide(_)));
        let j = wide.push_event(inv);
        wide.set(j, 0, 79_999);
        assert_eq!(wide.u(j, 0).to_bits(), (39_999.5_f64 * inv - 0.5).to_bits());
        let mut narrow = EventRanks::with_capacity(1, 1, 300);
        assert!(matches!(narrow.doubled, Doubled::Narrow(_)));
        let j = narrow.push_event(1.0 / 301.0);
        narrow.set(j, 0, 599);
        assert_eq!(
            narrow.u(j, 0).to_bits(),
            (299.5_f64 * (1.0 / 301.0) - 0.5).to_bits()
        );
    }
}
