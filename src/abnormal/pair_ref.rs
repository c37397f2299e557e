//! A reference to one analysed pair's results: a held [`PairResult`] or a slot of the column
//! store of many pairs ([`PairBatch`]), 24 bytes where its [`PairView`] is 256. The test
//! battery keeps one per event and makes the view when it reads the pair.

use super::{ModelFit, PairBatch, PairResult, PairView};

/// One analysed pair's results, by reference; [`PairRef::view`] reads them.
///
/// # Examples
/// ```
/// use evstudy::abnormal::{Engine, EngineConfig, PairRef, Window};
/// use evstudy::model::ModelKind;
/// use evstudy::returns::{AlignedSeries, ReturnKind};
/// let series = AlignedSeries {
///     ret: vec![0.06, 0.08, 0.10, 0.12, 0.16],
///     bench: vec![0.05, 0.05, 0.07, 0.03, 0.05].into(),
///     span: vec![1; 5],
///     ..Default::default()
/// };
/// let engine = Engine::new(&EngineConfig {
///     model: ModelKind::MarketModel,
///     returns: ReturnKind::Simple,
///     estimation: Window { start: -3, end: -1 },
///     windows: vec![Window { start: 0, end: 1 }],
///     min_estimation_returns: 3,
///     dimson_lags: 1,
///     trade_to_trade: false,
/// });
/// let res = engine.analyse(&series, 3).unwrap();
/// let pair = PairRef::from(&res);
/// assert_eq!(pair.view().ar, &res.ar[..]);
/// assert_eq!(std::mem::size_of::<PairRef>(), 24);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PairRef<'a>(Inner<'a>);

#[derive(Debug, Clone, Copy)]
enum Inner<'a> {
    Held(&'a PairResult),
    /// A slot of the store, with its fit (read once: the outcomes are large and far apart).
    Slot(&'a PairBatch, &'a ModelFit, usize),
}

impl<'a> PairRef<'a> {
    /// Pair `i` of `batch` when it was analysed (`None` for an excluded pair).
    pub fn slot(batch: &'a PairBatch, i: usize) -> Option<Self> {
        let fit = batch.get(i).ok()?.fit;
        Some(PairRef(Inner::Slot(batch, fit, i)))
    }

    /// The pair's results, as the tests and the tables read them.
    pub fn view(&self) -> PairView<'a> {
        match self.0 {
            Inner::Held(r) => r.view(),
            Inner::Slot(batch, fit, i) => batch.view_with(i, fit),
        }
    }
}

impl<'a> From<&'a PairResult> for PairRef<'a> {
    fn from(result: &'a PairResult) -> Self {
        PairRef(Inner::Held(result))
    }
}
