//! The storage of the column store while the batch is computed: the arrays are allocated
//! unwritten, and each pair's part is handed out once, initialised to "missing" just before
//! the pair is computed into it (one pass over memory, while those cache lines are hot).
//! All of the engine's `unsafe` storage handling is in this file.

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use crate::abnormal::market_days::MarketCoefs;
use crate::abnormal::slot::PairSlot;
use crate::abnormal::{ModelFit, PackedWindow, PairExclusion, WindowResult};

/// A pair's fit, or its exclusion.
pub(super) type Outcome = Result<ModelFit, PairExclusion>;

/// The sizes of one pair's part of the store.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    /// L: estimation residuals (0 when they are recomputed when read).
    pub est_len: usize,
    /// |H|: per-day values.
    pub days: usize,
    /// Whether the returns, SARs and p-values are made when read (the store has none).
    pub made_days: bool,
    /// Whether the expected returns, AR standard errors and spans are made when read from
    /// each pair's market-model coefficients (the store has the coefficients instead).
    pub made_market: bool,
    /// Configured windows.
    pub windows: usize,
}

impl Shape {
    /// Per-pair width of the columns that may be made when read (ret, sar, ar_p).
    pub fn held_made_days(&self) -> usize {
        if self.made_days {
            0
        } else {
            self.days
        }
    }

    /// Per-pair width of the columns made from the market-model coefficients (expected_ret,
    /// ar_se, span).
    pub fn held_market_days(&self) -> usize {
        if self.made_market {
            0
        } else {
            self.days
        }
    }

    /// Per-pair number of kept coefficient sets (1 when the columns are made from them).
    pub fn coef_sets(&self) -> usize {
        usize::from(self.made_market)
    }
}

/// The arrays of the column store, and each pair's outcome.
pub(super) struct Columns<F, U, W, O, C> {
    pub outcomes: Vec<O>,
    pub est_resid: Vec<F>,
    pub ret: Vec<F>,
    pub expected_ret: Vec<F>,
    pub ar: Vec<F>,
    pub sar: Vec<F>,
    pub ar_se: Vec<F>,
    pub ar_p: Vec<F>,
    pub span: Vec<U>,
    pub windows: Vec<W>,
    pub coefs: Vec<C>,
}

/// The column store before it is written.
pub(super) type Unwritten = Columns<
    MaybeUninit<f64>,
    MaybeUninit<u32>,
    MaybeUninit<PackedWindow>,
    MaybeUninit<Outcome>,
    MaybeUninit<MarketCoefs>,
>;

/// The column store once written.
pub(super) type Written = Columns<f64, u32, PackedWindow, Outcome, MarketCoefs>;

impl Unwritten {
    /// Storage for `n` pairs, not yet written (no pass over the memory).
    pub fn new(n: usize, shape: Shape) -> Self {
        let d = n * shape.days;
        let made = n * shape.held_made_days();
        let market = n * shape.held_market_days();
        Columns {
            outcomes: unwritten(n),
            est_resid: unwritten(n * shape.est_len),
            ret: unwritten(made),
            expected_ret: unwritten(market),
            ar: unwritten(d),
            sar: unwritten(made),
            ar_se: unwritten(market),
            ar_p: unwritten(made),
            span: unwritten(market),
            windows: unwritten(n * shape.windows),
            coefs: unwritten(n * shape.coef_sets()),
        }
    }

    /// The arrays as initialised values.
    ///
    /// # Safety
    /// Every element of every array must have been written.
    pub unsafe fn assume_written(self) -> Written {
        // SAFETY: the caller guarantees every element is initialised.
        unsafe {
            Columns {
                outcomes: assume_written(self.outcomes),
                est_resid: assume_written(self.est_resid),
                ret: assume_written(self.ret),
                expected_ret: assume_written(self.expected_ret),
                ar: assume_written(self.ar),
                sar: assume_written(self.sar),
                ar_se: assume_written(self.ar_se),
                ar_p: assume_written(self.ar_p),
                span: assume_written(self.span),
                windows: assume_written(self.windows),
                coefs: assume_written(self.coefs),
            }
        }
    }
}

/// The unwritten store seen by many tasks at once; each takes the parts of its own pairs.
pub(super) struct SharedStore<'a> {
    n: usize,
    shape: Shape,
    outcomes: *mut MaybeUninit<Outcome>,
    est_resid: *mut MaybeUninit<f64>,
    ret: *mut MaybeUninit<f64>,
    expected_ret: *mut MaybeUninit<f64>,
    ar: *mut MaybeUninit<f64>,
    sar: *mut MaybeUninit<f64>,
    ar_se: *mut MaybeUninit<f64>,
    ar_p: *mut MaybeUninit<f64>,
    span: *mut MaybeUninit<u32>,
    windows: *mut MaybeUninit<PackedWindow>,
    coefs: *mut MaybeUninit<MarketCoefs>,
    _store: PhantomData<&'a mut Unwritten>,
}

// SAFETY: the store is only reached through `pair`, whose contract gives every pair's part
// to one task at most; the element types are plain values (Send).
unsafe impl Sync for SharedStore<'_> {}

impl<'a> SharedStore<'a> {
    /// The store of `n` pairs of `shape`, borrowed for as long as the tasks run.
    pub fn new(store: &'a mut Unwritten, n: usize, shape: Shape) -> Self {
        SharedStore {
            n,
            shape,
            outcomes: store.outcomes.as_mut_ptr(),
            est_resid: store.est_resid.as_mut_ptr(),
            ret: store.ret.as_mut_ptr(),
            expected_ret: store.expected_ret.as_mut_ptr(),
            ar: store.ar.as_mut_ptr(),
            sar: store.sar.as_mut_ptr(),
            ar_se: store.ar_se.as_mut_ptr(),
            ar_p: store.ar_p.as_mut_ptr(),
            span: store.span.as_mut_ptr(),
            windows: store.windows.as_mut_ptr(),
            coefs: store.coefs.as_mut_ptr(),
            _store: PhantomData,
        }
    }

    /// The part of pair `i`, not yet initialised.
    ///
    /// # Safety
    /// Each `i` may be taken once only (no two live parts of the same pair).
    ///
    /// # Panics
    /// When `i >= n`.
    pub unsafe fn pair(&self, i: usize) -> PairUnwritten<'_> {
        assert!(i < self.n, "pair {i} outside a store of {}", self.n);
        let (l, d, w) = (self.shape.est_len, self.shape.days, self.shape.windows);
        let dm = self.shape.held_made_days();
        let (dk, c) = (self.shape.held_market_days(), self.shape.coef_sets());
        // SAFETY: i < n, so every range lies within its array (allocated for n pairs); the
        // caller guarantees the ranges of pair i are handed out once, so they alias nothing.
        unsafe {
            PairUnwritten {
                outcome: &mut *self.outcomes.add(i),
                est_resid: part(self.est_resid, i, l),
                ret: part(self.ret, i, dm),
                expected_ret: part(self.expected_ret, i, dk),
                ar: part(self.ar, i, d),
                sar: part(self.sar, i, dm),
                ar_se: part(self.ar_se, i, dk),
                ar_p: part(self.ar_p, i, dm),
                span: part(self.span, i, dk),
                windows: part(self.windows, i, w),
                coefs: part(self.coefs, i, c),
            }
        }
    }
}

/// Elements i·len .. (i + 1)·len of the array at `base`.
///
/// # Safety
/// The range must lie within the array, and no other reference to it may be alive.
unsafe fn part<'s, T>(base: *mut T, i: usize, len: usize) -> &'s mut [T] {
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts_mut(base.add(i * len), len) }
}

/// The storage of one pair before it is initialised.
pub(super) struct PairUnwritten<'a> {
    outcome: &'a mut MaybeUninit<Outcome>,
    est_resid: &'a mut [MaybeUninit<f64>],
    ret: &'a mut [MaybeUninit<f64>],
    expected_ret: &'a mut [MaybeUninit<f64>],
    ar: &'a mut [MaybeUninit<f64>],
    sar: &'a mut [MaybeUninit<f64>],
    ar_se: &'a mut [MaybeUninit<f64>],
    ar_p: &'a mut [MaybeUninit<f64>],
    span: &'a mut [MaybeUninit<u32>],
    windows: &'a mut [MaybeUninit<PackedWindow>],
    coefs: &'a mut [MaybeUninit<MarketCoefs>],
}

impl<'a> PairUnwritten<'a> {
    /// Every element set to "missing" (NaN, span 0, an outcome to be replaced), then split
    /// into the outcome, the residuals and the event-period slot whose exclusions go to
    /// `exclusions` and whose window results go to `windows` (set to `missing`), to be packed
    /// into the store's part by [`PairWindows::pack`] once the pair is computed.
    pub fn initialise<'s>(
        self,
        (missing, windows): (&[WindowResult], &'s mut [WindowResult]),
        exclusions: &'s mut Vec<PairExclusion>,
    ) -> (
        &'s mut Outcome,
        &'s mut [f64],
        PairSlot<'s>,
        PairWindows<'a>,
    )
    where
        'a: 's,
    {
        let outcome = self.outcome.write(Err(PairExclusion {
            stage: crate::tables::Stage::Input,
            reason: crate::vocab::ExclusionReason::UnknownSecurity,
            detail: String::new(),
            order: 0,
        }));
        windows.copy_from_slice(missing);
        let slot = PairSlot {
            ret: init_part_with(self.ret, |_| f64::NAN),
            expected_ret: init_part_with(self.expected_ret, |_| f64::NAN),
            ar: init_part_with(self.ar, |_| f64::NAN),
            sar: init_part_with(self.sar, |_| f64::NAN),
            ar_se: init_part_with(self.ar_se, |_| f64::NAN),
            ar_p: init_part_with(self.ar_p, |_| f64::NAN),
            span: init_part_with(self.span, |_| 0),
            windows,
            exclusions,
            coefs: init_part_with(self.coefs, |_| MarketCoefs::MISSING).first_mut(),
        };
        let est_resid = init_part_with(self.est_resid, |_| f64::NAN);
        (outcome, est_resid, slot, PairWindows(self.windows))
    }
}

/// The store's part for one pair's window results, written once the pair is computed.
pub(super) struct PairWindows<'a>(&'a mut [MaybeUninit<PackedWindow>]);

impl PairWindows<'_> {
    /// Writes the packed form of `results` (one per configured window).
    pub fn pack(self, results: &[WindowResult]) {
        assert_eq!(self.0.len(), results.len(), "one result per window");
        for (slot, w) in self.0.iter_mut().zip(results) {
            slot.write(PackedWindow::pack(w));
        }
    }
}

/// `len` elements of storage, not yet written (no pass over the memory).
fn unwritten<T>(len: usize) -> Vec<MaybeUninit<T>> {
    let mut v = Vec::with_capacity(len);
    // SAFETY: MaybeUninit<T> needs no initialisation, and the capacity is `len`.
    unsafe { v.set_len(len) };
    v
}

/// Write `value(i)` to element i of `part` and view the part as initialised.
fn init_part_with<T>(part: &mut [MaybeUninit<T>], value: impl Fn(usize) -> T) -> &mut [T] {
    for (i, x) in part.iter_mut().enumerate() {
        x.write(value(i));
    }
    // SAFETY: every element was written just above; MaybeUninit<T> has the layout of T.
    unsafe { &mut *(part as *mut [MaybeUninit<T>] as *mut [T]) }
}

/// The vector as initialised values.
///
/// # Safety
/// Every element of `v` must have been written.
unsafe fn assume_written<T>(v: Vec<MaybeUninit<T>>) -> Vec<T> {
    let mut v = std::mem::ManuallyDrop::new(v);
    // SAFETY: same allocation, length and capacity; MaybeUninit<T> has the layout of T, and
    // the caller guarantees every element is initialised.
    unsafe { Vec::from_raw_parts(v.as_mut_ptr() as *mut T, v.len(), v.capacity()) }
}
