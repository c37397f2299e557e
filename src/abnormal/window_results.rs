//! The window results of one pair, borrowed: held as [`WindowResult`]s (a
//! [`PairResult`](super::PairResult)), or packed in the column store of a batch. The store
//! keeps each window's six optional values as plain numbers with one bit each saying which
//! are present, and the window itself once per batch: 56 bytes a window instead of 112, the
//! values read back bit for bit.

use std::fmt;

use super::{Window, WindowResult};

/// One window's results as the column store keeps them (the window is the batch's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PackedWindow {
    /// car, car_se, car_t, car_p, scar, bhar; 0 where absent.
    values: [f64; 6],
    n_days: u32,
    /// Bit k: value k is present; bit [`COMPLETE`]: the window is complete.
    flags: u8,
}

/// The flag bit of a complete window.
const COMPLETE: u8 = 1 << 6;

impl PackedWindow {
    /// The packed form of `w` (its window left out).
    pub fn pack(w: &WindowResult) -> Self {
        let present = [w.car, w.car_se, w.car_t, w.car_p, w.scar, w.bhar];
        let mut values = [0.0; 6];
        let mut flags = if w.complete { COMPLETE } else { 0 };
        for (k, v) in present.iter().enumerate() {
            if let Some(x) = v {
                values[k] = *x;
                flags |= 1 << k;
            }
        }
        PackedWindow {
            values,
            n_days: w.n_days,
            flags,
        }
    }

    /// The result of `window` that [`PackedWindow::pack`] packed.
    #[inline]
    pub fn unpack(&self, window: Window) -> WindowResult {
        let value = |k: usize| (self.flags & (1 << k) != 0).then_some(self.values[k]);
        WindowResult {
            window,
            complete: self.flags & COMPLETE != 0,
            car: value(0),
            car_se: value(1),
            car_t: value(2),
            car_p: value(3),
            scar: value(4),
            bhar: value(5),
            n_days: self.n_days,
        }
    }
}

/// The results of a pair's windows, one per configured window in configuration order:
/// a slice of [`WindowResult`]s, or the packed results of a batch's column store.
///
/// # Examples
/// ```
/// use evstudy::abnormal::{Window, WindowResult, WindowResults};
/// let held = [WindowResult::missing(Window { start: -1, end: 1 })];
/// let w = WindowResults::held(&held);
/// assert_eq!(w.len(), 1);
/// assert_eq!(w.get(0), Some(held[0]));
/// assert_eq!(w.get(1), None);
/// assert_eq!(w.to_vec(), held);
/// ```
#[derive(Clone, Copy)]
pub struct WindowResults<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    Held(&'a [WindowResult]),
    Packed {
        packed: &'a [PackedWindow],
        windows: &'a [Window],
    },
}

impl<'a> WindowResults<'a> {
    /// Results held in memory.
    pub fn held(results: &'a [WindowResult]) -> Self {
        WindowResults(Repr::Held(results))
    }

    /// The packed results of `windows` (the same length).
    pub(super) fn packed(packed: &'a [PackedWindow], windows: &'a [Window]) -> Self {
        debug_assert_eq!(packed.len(), windows.len());
        WindowResults(Repr::Packed { packed, windows })
    }

    /// Number of windows.
    pub fn len(&self) -> usize {
        match self.0 {
            Repr::Held(r) => r.len(),
            Repr::Packed { packed, .. } => packed.len(),
        }
    }

    /// Whether there is no window.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The result of window `i` (configuration order), `None` past the end.
    #[inline]
    pub fn get(&self, i: usize) -> Option<WindowResult> {
        match self.0 {
            Repr::Held(r) => r.get(i).copied(),
            Repr::Packed { packed, windows } => Some(packed.get(i)?.unpack(windows[i])),
        }
    }

    /// The results window by window.
    pub fn iter(&self) -> WindowIter<'a> {
        WindowIter {
            results: *self,
            next: 0,
        }
    }

    /// The results as owned values.
    pub fn to_vec(&self) -> Vec<WindowResult> {
        self.iter().collect()
    }
}

impl<'a> IntoIterator for WindowResults<'a> {
    type Item = WindowResult;
    type IntoIter = WindowIter<'a>;

    fn into_iter(self) -> WindowIter<'a> {
        self.iter()
    }
}

/// The results of [`WindowResults`], window by window.
#[derive(Clone)]
pub struct WindowIter<'a> {
    results: WindowResults<'a>,
    next: usize,
}

impl Iterator for WindowIter<'_> {
    type Item = WindowResult;

    fn next(&mut self) -> Option<WindowResult> {
        let w = self.results.get(self.next)?;
        self.next += 1;
        Some(w)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.results.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for WindowIter<'_> {}

impl fmt::Debug for WindowResults<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of present values, a NaN and a negative zero among them, reads
    /// back bit for bit.
    #[test]
    fn packed_results_read_back_bit_for_bit() {
        let window = Window { start: -5, end: 20 };
        let values = [0.012, -0.0, f64::NAN, 0.31, -2.5, 1e-300];
        for mask in 0..64u32 {
            for complete in [false, true] {
                let v = |k: usize| (mask & (1 << k) != 0).then_some(values[k]);
                let w = WindowResult {
                    window,
                    complete,
                    car: v(0),
                    car_se: v(1),
                    car_t: v(2),
                    car_p: v(3),
                    scar: v(4),
                    bhar: v(5),
                    n_days: mask,
                };
                let back = PackedWindow::pack(&w).unpack(window);
                assert_eq!(format!("{back:?}"), format!("{w:?}"));
                let bits = |w: &WindowResult| {
                    [w.car, w.car_se, w.car_t, w.car_p, w.scar, w.bhar].map(|x| x.map(f64::to_bits))
                };
                assert_eq!(bits(&back), bits(&w));
                assert_eq!((back.complete, back.n_days), (complete, mask));
            }
        }
    }

    #[test]
    fn packed_and_held_results_read_alike() {
        let windows = [Window { start: -1, end: 1 }, Window { start: 0, end: 5 }];
        let mut held: Vec<WindowResult> =
            windows.iter().map(|w| WindowResult::missing(*w)).collect();
        held[1].car = Some(0.03);
        held[1].complete = true;
        let packed: Vec<PackedWindow> = held.iter().map(PackedWindow::pack).collect();
        let (a, b) = (
            WindowResults::held(&held),
            WindowResults::packed(&packed, &windows),
        );
        assert_eq!((a.len(), b.len()), (2, 2));
        assert_eq!(a.to_vec(), b.to_vec());
        assert_eq!(b.get(1).and_then(|w| w.car), Some(0.03));
        assert_eq!(b.get(2), None);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(std::mem::size_of::<PackedWindow>(), 56);
    }
}
