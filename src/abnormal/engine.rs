//! The engine's entry point: [`Engine`] analyses one pair or a batch of pairs.

use std::sync::Arc;

use super::batch::{analyse_batch, analyse_batch_shared, PairBatch};
use super::finish::analyse_pair_explicit;
use super::moments::analyse_pair_direct;
use super::prefix::{analyse_pair_fast, SecurityPrefix};
use super::{reference, EngineConfig, PairExclusion, PairResult};
use crate::returns::AlignedSeries;

/// One pair of a batch: which series of the batch, and the calendar position of day 0 on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PairJob {
    /// Index of the security's series in the batch's series list.
    pub series: usize,
    /// Position of day 0 on that series' calendar.
    pub day0: usize,
}

/// How the engine computes a pair. Studies use [`Route::Auto`]; the other routes exist to
/// benchmark and test the computations one by one. Every route gives the numbers of the
/// reference engine (to 1e-10 relative, tested); only [`Route::Auto`] is what `evstudy run`
/// writes, bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Route {
    /// The study's choice. One pair: the explicit-design fit with the optimised event period.
    /// A batch: per security, prefix sums when its events × L ≥ 3 × its sessions, else the
    /// estimation-window moments summed per pair; the explicit-design fit for models without
    /// a moment fit (Scholes–Williams, Dimson, trade-to-trade, more than 7 factors).
    #[default]
    Auto,
    /// The methodology-literal reference engine for every pair (the test oracle; slowest).
    Reference,
    /// The estimation-window moments summed per pair (O(L), no set-up).
    Direct,
    /// Prefix sums for every security with a pair (O(sessions) set-up per security, then O(1)
    /// per fit); for one pair the prefix is built on every call.
    Prefix,
}

/// The abnormal-return engine for one study design (methodology §3–§6).
///
/// # Examples
/// ```
/// use evstudy::abnormal::{Engine, EngineConfig, PairJob, Window};
/// use evstudy::model::ModelKind;
/// use evstudy::returns::{AlignedSeries, ReturnKind};
/// let series = AlignedSeries {
///     ret: vec![0.06, 0.08, 0.10, 0.12, 0.16],
///     bench: vec![0.05, 0.05, 0.07, 0.03, 0.05].into(),
///     span: vec![1; 5],
///     ..Default::default()
/// };
/// let engine = Engine::new(&EngineConfig {
///     model: ModelKind::ConstantMean,
///     returns: ReturnKind::Simple,
///     estimation: Window { start: -3, end: -1 },
///     windows: vec![Window { start: 0, end: 1 }],
///     min_estimation_returns: 3,
///     dimson_lags: 1,
///     trade_to_trade: false,
/// });
/// let jobs = [PairJob { series: 0, day0: 3 }, PairJob { series: 1, day0: 3 }];
/// let out = engine.analyse_batch(&[series], &jobs).to_results();
/// assert!((out[0].as_ref().unwrap().fit.alpha.unwrap() - 0.08).abs() < 1e-12);
/// assert_eq!(out[1].as_ref().unwrap_err().reason, "unknown_security");
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    cfg: EngineConfig,
    route: Route,
}

impl Engine {
    /// The engine of a study design, on the study's route ([`Route::Auto`]).
    pub fn new(cfg: &EngineConfig) -> Self {
        Engine::with_route(cfg, Route::Auto)
    }

    /// The engine of a study design on a chosen route (benchmarks and differential tests).
    pub fn with_route(cfg: &EngineConfig, route: Route) -> Self {
        Engine {
            cfg: cfg.clone(),
            route,
        }
    }

    /// The study design.
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// The route.
    pub fn route(&self) -> Route {
        self.route
    }

    /// Analyse one event–security pair (methodology §3–§6): build the estimation sample over
    /// positions day0 + L1 ..= day0 + L2 (positions outside the calendar are missing), fit the
    /// normal-return model by OLS (or the Scholes–Williams / Dimson estimators), then compute
    /// AR, expected return, SAR, its standard error and p-value on every day of the event
    /// period H, and CAR, Var(CAR), SCAR, its p-value and BHAR for every complete event
    /// window.
    ///
    /// `Err` is the `estimation`-stage exclusion of the pair (`too_few_estimation_returns`,
    /// `singular_design`, `zero_residual_variance`); the `event_day` and `car` losses of an
    /// analysed pair are in [`PairResult::exclusions`]. A fit with ν = M − k = 0 (possible
    /// only with `min_estimation_returns` ≤ k) is also reported as
    /// `too_few_estimation_returns`.
    ///
    /// References: MacKinlay (1997), JEL 35(1), 13–39; Campbell, Lo & MacKinlay (1997) ch. 4.
    ///
    /// # Formula
    /// AR_t = R_t − g_t′θ̂ (+ rf_t);  Var(AR_t) = σ̂²(d_t + g_t′(X′X)⁻¹g_t);
    /// CAR = Σ_{t∈W} AR_t;  Var(CAR) = σ̂²(Σd_t + G′(X′X)⁻¹G), G = Σ_{t∈W} g_t;
    /// SCAR = CAR/√Var(CAR), p = 2·S_ν(|SCAR|);  BHAR = Π(1+R_t) − Π(1+E\[R_t\]).
    ///
    /// # Examples
    /// ```
    /// use evstudy::abnormal::{Engine, EngineConfig, Window};
    /// use evstudy::model::ModelKind;
    /// use evstudy::returns::{AlignedSeries, ReturnKind};
    /// // methodology example a_tiny: estimation −3..−1, event 0..1
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
    /// assert!((res.fit.beta.unwrap() - 1.5).abs() < 1e-12);
    /// assert!((res.windows[0].car.unwrap() - 0.17).abs() < 1e-12);
    /// assert!((res.windows[0].car_se.unwrap().powi(2) - 0.0015).abs() < 1e-12);
    /// ```
    pub fn analyse(
        &self,
        series: &AlignedSeries,
        day0: usize,
    ) -> Result<PairResult, PairExclusion> {
        let cfg = &self.cfg;
        match self.route {
            Route::Auto => analyse_pair_explicit(series, day0, cfg),
            Route::Reference => reference::analyse_pair(series, day0, cfg),
            Route::Direct => analyse_pair_direct(series, day0, cfg),
            Route::Prefix => {
                analyse_pair_fast(series, &SecurityPrefix::new(series, cfg), day0, cfg)
            }
        }
    }

    /// Analyse many pairs in parallel (rayon) into one column store ([`PairBatch`], read pair
    /// by pair with [`PairBatch::get`]; [`PairBatch::to_results`] gives owned results). The
    /// results are in the order of `jobs`; a series index outside `series` gives an
    /// `input`-stage `unknown_security` exclusion. Same numbers as [`Engine::analyse`] per
    /// pair (to 1e-10 relative, tested); nothing is allocated per pair except exclusion
    /// records.
    ///
    /// # Formula
    /// As [`Engine::analyse`], per pair.
    ///
    /// # Examples
    /// ```
    /// use evstudy::abnormal::{Engine, EngineConfig, PairJob, Window};
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
    /// let jobs = [PairJob { series: 0, day0: 3 }, PairJob { series: 1, day0: 3 }];
    /// let batch = engine.analyse_batch(std::slice::from_ref(&series), &jobs);
    /// let one = engine.analyse(&series, 3).unwrap();
    /// let view = batch.get(0).unwrap();
    /// assert!((view.windows.get(0).unwrap().car.unwrap() - one.windows[0].car.unwrap()).abs() < 1e-14);
    /// assert_eq!(batch.get(1).unwrap_err().reason, "unknown_security");
    /// ```
    pub fn analyse_batch(&self, series: &[AlignedSeries], jobs: &[PairJob]) -> PairBatch {
        analyse_batch(series, jobs, &self.cfg, self.route)
    }

    /// [`Engine::analyse_batch`] over series shared with the batch: for the constant-mean,
    /// market-adjusted and market models in daily mode the store holds no estimation
    /// residuals (L values per pair, most of its memory) and each [`PairView`](super::PairView)
    /// recomputes them from the series and the fit when read ([`Residuals`](super::Residuals)),
    /// the same bits; other models keep them in the store.
    ///
    /// # Formula
    /// As [`Engine::analyse`], per pair; ε̂*_τ = R_τ − α̂ − β̂·R_mτ (market model).
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use evstudy::abnormal::{Engine, EngineConfig, PairJob, Window};
    /// use evstudy::model::ModelKind;
    /// use evstudy::returns::{AlignedSeries, ReturnKind};
    /// let series: Arc<[AlignedSeries]> = Arc::from(vec![AlignedSeries {
    ///     ret: vec![0.06, 0.08, 0.10, 0.12, 0.16],
    ///     bench: vec![0.05, 0.05, 0.07, 0.03, 0.05].into(),
    ///     span: vec![1; 5],
    ///     ..Default::default()
    /// }]);
    /// let engine = Engine::new(&EngineConfig {
    ///     model: ModelKind::MarketModel,
    ///     returns: ReturnKind::Simple,
    ///     estimation: Window { start: -3, end: -1 },
    ///     windows: vec![Window { start: 0, end: 1 }],
    ///     min_estimation_returns: 3,
    ///     dimson_lags: 1,
    ///     trade_to_trade: false,
    /// });
    /// let jobs = [PairJob { series: 0, day0: 3 }];
    /// let shared = engine.analyse_batch_shared(&series, &jobs);
    /// let held = engine.analyse_batch(&series, &jobs);
    /// let (a, b) = (shared.get(0).unwrap(), held.get(0).unwrap());
    /// assert_eq!(a.est_resid.to_vec(), b.est_resid.to_vec());
    /// let (alpha, beta) = (a.fit.alpha.unwrap(), a.fit.beta.unwrap());
    /// assert_eq!(a.est_resid.to_vec()[0], 0.06 - alpha - beta * 0.05);
    /// ```
    pub fn analyse_batch_shared(
        &self,
        series: &Arc<[AlignedSeries]>,
        jobs: &[PairJob],
    ) -> PairBatch {
        analyse_batch_shared(series, jobs, &self.cfg, self.route)
    }
}
