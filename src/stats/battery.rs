//! The test battery of one group (methodology §7, §8, §9, §12): every `tests` row (scope
//! `day` for each day of H, `car` and `bhar` for each window) and every `aggregate` row.
//!
//! The inputs come from `sets.rs` (the test sets D_t and C_W) and `rank_pass.rs` (the single
//! pass over the events for the rank, GRANK and CDA inputs); this file runs them, computes each
//! test of [`TestKind::BATTERY`] on each test set and emits the rows in §12 order.

use super::correlation::rbar;
use super::kind::{Metric, Scope, TestKind};
use super::nonparametric::{gsign_z, rank_z_day_of, rank_z_window_of, sign_z, wilcoxon_z, DayU};
use super::parametric::{
    adj_bmp_t, adj_patell_z, bmp_t, cda_t, csect_t, patell_z, skew_adj_t, CdaScale,
};
use super::rank_pass::{rank_pass, PassSetup, PassSums};
use super::rows::{At, RowLabels};
use super::sets::{day_sets, window_set, DateClusters, TestSet};
use super::{StatsConfig, StatsEvent, TestStat};
use crate::abnormal::Window;
use crate::tables::{AggregateRow, TestRow};
use rayon::prelude::*;
use std::ops::Range;

/// Day sets D_t collected in one scan over a group's events by [`Battery::rows`]: 2 sets of
/// 24 bytes per member at a time (24 MB for 500,000 events), 13 scans instead of |H| = 26.
/// (4 at a time saved no more time and held 50–60 MB more at 500,000 events.)
const DAY_SETS_PER_SCAN: usize = 2;

/// Group-level nuisance quantities, computed once over the analysis set (§7.2).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDiagnostics {
    /// Number of events of the analysis set A.
    pub n_events: usize,
    /// r̄ over same-date pairs (§7.3).
    pub rbar: f64,
    /// Number of same-date pairs in r̄.
    pub n_pairs_used: usize,
    /// S_CDA (§8.2); None if fewer than 2 estimation days have residuals.
    pub s_cda: Option<f64>,
    /// M̃ − 1.
    pub df_cda: Option<usize>,
    /// S_V of the rank test (§9.3).
    pub s_rank: Option<f64>,
    /// T: days of the ranking period with at least one U.
    pub n_rank_days: usize,
}

/// Everything the battery produces for one group.
#[derive(Debug, Clone)]
pub struct GroupBattery {
    /// `tests` rows in §12 order: day rows (each day of H, the 12 tests of
    /// [`TestKind::BATTERY`]), car rows (each window, the same 12 tests), bhar rows (each
    /// window, [`TestKind::BHAR`]). No portfolio rows.
    pub tests: Vec<TestRow>,
    /// `aggregate` rows: `ar` per day, `car` per window, `bhar` per window.
    pub aggregate: Vec<AggregateRow>,
    /// r̄, S_CDA, S_V and friends.
    pub diagnostics: GroupDiagnostics,
}

/// The whole test battery and the aggregate rows of one group (§5.5, §7–§9, §12).
///
/// `events` is the group's analysis set A (events that passed day-0 mapping and estimation).
/// Group-level quantities (r̄, S_CDA, S_V) are computed once over A; the test sets are D_t
/// (usable AR on day t; span 1 in trade-to-trade mode) and C_W (complete window W).
///
/// Cost: one pass over the events, parallel in chunks: one sort of each event's estimation
/// residuals (a bucket sort, O(L_est) on residual-like data, O(L_est·log L_est) at worst),
/// reused by the rank test (merged with the |H| event-period ARs) and by GRANK (binary search of
/// each test set's SCAR*, then only the shorter side of the split is written): per event
/// O(L_est + S·(log L_est + L_est/2)) at worst for S = |H| + windows test sets, typically about
/// S·L_est/4 writes. The base GRANK U are summed once per event and folded into the test sets
/// once per chunk and distinct set membership. Then O(N log N) per test set (Wilcoxon sort,
/// median by selection), test sets in parallel. r̄ over same-date clusters only, beside the
/// pass: O(Σ_c G_c·n_c·L_est) with G_c distinct date patterns in cluster c, O(Σ_c n_c²·L_est) at
/// worst (see [`super::rbar`]).
///
/// # Formula
/// See the statistic functions: [`csect_t`], [`cda_t`], [`patell_z`], [`adj_patell_z`],
/// [`bmp_t`], [`adj_bmp_t`], [`skew_adj_t`], [`sign_z`], [`gsign_z`],
/// [`rank_z_day`](super::rank_z_day), [`rank_z_window`](super::rank_z_window),
/// [`grank_t`](super::grank_t), [`wilcoxon_z`].
///
/// # Examples
/// ```
/// use evstudy::abnormal::{ModelFit, PairResult, Window, WindowResult};
/// use evstudy::stats::{group_battery, StatsConfig, StatsEvent};
/// let cfg = StatsConfig { estimation: Window { start: -4, end: -1 },
///     windows: vec![Window { start: 0, end: 0 }], rbar_min_common_dates: 30,
///     wilcoxon_exact: false, trade_to_trade: false };
/// let pair = |ar: f64| PairResult {
///     fit: ModelFit { model_name: "constant_mean".into(), n_est: 4, k: 1, df: 3, sigma: 0.01,
///         alpha: None, beta: None, r2: None, extras: vec![] },
///     est_resid: vec![0.01, -0.01, 0.005, -0.005], event_period: Window { start: 0, end: 0 },
///     ret: vec![ar], expected_ret: vec![0.0], ar: vec![ar], sar: vec![ar / 0.01],
///     ar_se: vec![0.01], ar_p: vec![0.5], span: vec![1],
///     windows: vec![WindowResult { window: Window { start: 0, end: 0 }, complete: true,
///         car: Some(ar), car_se: Some(0.01), car_t: Some(ar / 0.01), car_p: None,
///         scar: Some(ar / 0.01), bhar: Some(ar), n_days: 1 }],
///     exclusions: vec![] };
/// let (a, b) = (pair(0.02), pair(0.04));
/// let day0 = chrono::NaiveDate::from_ymd_opt(2024, 6, 26).unwrap();
/// let dates = [None; 4];
/// let ev = |r| StatsEvent { event_id: "E", security: "S", day0, est_dates: &dates, pair: r };
/// let out = group_battery("all", &[ev((&a).into()), ev((&b).into())], &cfg);
/// assert_eq!(out.tests.len(), 12 + 12 + 2);
/// assert_eq!(out.tests[0].test, "csect_t");
/// // csect t of 0.02, 0.04: mean 0.03, sd √2·0.01 → t = 3
/// assert!((out.tests[0].statistic.unwrap() - 3.0).abs() < 1e-12);
/// assert_eq!(out.aggregate[0].mean, Some(0.03));
/// ```
pub fn group_battery(group: &str, events: &[StatsEvent], cfg: &StatsConfig) -> GroupBattery {
    let h = cfg.event_period();
    // r̄ needs none of the test sets: it runs beside the setup and the pass
    let ((setup, pass), rb) = rayon::join(
        || {
            let setup = PassSetup::new(cfg, h, events);
            let pass = rank_pass(events, &setup);
            (setup, pass)
        },
        || rbar(events, cfg.rbar_min_common_dates),
    );
    let rank_scale = pass.rank_scale();
    let battery = Battery {
        labels: RowLabels {
            group,
            cluster: None,
        },
        events,
        cfg,
        h,
        setup: &setup,
        pass: &pass,
        clusters: DateClusters::new(events),
        cda_scale: pass.cda_scale(),
        s_v: rank_scale.map_or(f64::NAN, |v| v.s_v),
        rbar: rb.rbar,
    };
    let (tests, aggregate) = battery.rows();
    GroupBattery {
        tests,
        aggregate,
        diagnostics: GroupDiagnostics {
            n_events: events.len(),
            rbar: rb.rbar,
            n_pairs_used: rb.n_pairs,
            s_cda: battery.cda_scale.map(|c| c.s_cda),
            df_cda: battery.cda_scale.map(|c| c.df),
            s_rank: rank_scale.map(|v| v.s_v),
            n_rank_days: rank_scale.map_or(0, |v| v.n_days),
        },
    }
}

/// The per-set inputs of the tests beyond x and s: the rank statistics from the pass and the
/// values that depend on the members.
struct SetInputs {
    /// L: 1 for a day, the window length for a window (§8.2).
    window_len: usize,
    /// ν_i of each member (§8.3).
    nu: Vec<f64>,
    /// p̂_i of each member (§9.2).
    p_hat: Vec<f64>,
    /// Same-date partners m of the set (§7.3).
    m: f64,
    rank: Option<TestStat>,
    grank: Option<TestStat>,
}

/// The rows of one event window.
struct WindowRows {
    /// The battery on C_W.
    car_tests: Vec<TestRow>,
    /// The BHAR tests.
    bhar_tests: Vec<TestRow>,
    /// The `car` aggregate row.
    car: AggregateRow,
    /// The `bhar` aggregate row.
    bhar: AggregateRow,
}

/// The group quantities every test set shares, and the row labels of the group.
struct Battery<'a> {
    labels: RowLabels<'a>,
    events: &'a [StatsEvent<'a>],
    cfg: &'a StatsConfig,
    h: Window,
    setup: &'a PassSetup<'a>,
    pass: &'a PassSums,
    clusters: DateClusters,
    cda_scale: Option<CdaScale>,
    /// S_V of the rank test (NaN when undefined).
    s_v: f64,
    rbar: f64,
}

impl Battery<'_> {
    /// Every `tests` and `aggregate` row of the group, in §12 order. The test sets are
    /// independent: the day sets are collected [`DAY_SETS_PER_SCAN`] at a time in one scan
    /// over the events, tested and dropped in their own task (in parallel, so only a few
    /// sets are held at once), and the rows are emitted in order.
    fn rows(&self) -> (Vec<TestRow>, Vec<AggregateRow>) {
        let (nh, nw) = (self.h.len(), self.cfg.windows.len());
        let scans: Vec<Range<usize>> = (0..nh)
            .step_by(DAY_SETS_PER_SCAN)
            .map(|k| k..(k + DAY_SETS_PER_SCAN).min(nh))
            .collect();
        let day_out: Vec<(Vec<TestRow>, AggregateRow)> = scans
            .into_par_iter()
            .flat_map_iter(|ks| {
                let sets = day_sets(self.events, self.cfg, self.h, ks.clone());
                let rows: Vec<_> = ks
                    .into_par_iter()
                    .zip(&sets)
                    .map(|(k, set)| self.day_rows(k, set))
                    .collect();
                rows
            })
            .collect();
        let win_out: Vec<WindowRows> = (0..nw)
            .into_par_iter()
            .map(|w| {
                let (set, bhar) = window_set(self.events, w);
                self.all_window_rows(w, &set, &bhar)
            })
            .collect();
        let per_window = TestKind::BATTERY.len() + TestKind::BHAR.len();
        let mut tests = Vec::with_capacity(nh * TestKind::BATTERY.len() + nw * per_window);
        let mut aggregate = Vec::with_capacity(nh + 2 * nw);
        for (rows, agg) in day_out {
            tests.extend(rows);
            aggregate.push(agg);
        }
        let mut bhar_aggregate = Vec::with_capacity(nw);
        let mut bhar_tests = Vec::new();
        for out in win_out {
            tests.extend(out.car_tests);
            bhar_tests.extend(out.bhar_tests);
            aggregate.push(out.car);
            bhar_aggregate.push(out.bhar);
        }
        tests.extend(bhar_tests);
        aggregate.extend(bhar_aggregate);
        (tests, aggregate)
    }

    /// The rows of window `w`: its tests on C_W, its BHAR tests, and its `car` and `bhar`
    /// aggregate rows.
    fn all_window_rows(&self, w: usize, set: &TestSet, bhar: &[f64]) -> WindowRows {
        let at = At::Window(self.cfg.windows[w].label());
        let bhar_tests = Scope::Bhar
            .battery_tests()
            .iter()
            .map(|&kind| {
                let stat = bhar_stat(kind, bhar);
                let n = bhar.len() as u32;
                self.labels.test_row(Scope::Bhar, &at, kind, stat, n)
            })
            .collect();
        WindowRows {
            car_tests: self.window_rows(w, set),
            bhar_tests,
            car: self.labels.aggregate_row(Metric::Car, &at, &set.x),
            bhar: self.labels.aggregate_row(Metric::Bhar, &at, bhar),
        }
    }

    /// The tests of D_t for day `k` of H, and its `ar` aggregate row.
    fn day_rows(&self, k: usize, set: &TestSet) -> (Vec<TestRow>, AggregateRow) {
        let at = At::Day(self.h.start + k as i32);
        let u = self.pass.day_u(&set.members, self.h.len(), k);
        let rank = rank_z_day_of(u, self.s_v);
        let grank = self.pass.grank(self.setup, k, set.members.len());
        let rows = self.set_rows(set, Scope::Day, &at, 1, rank, grank);
        (rows, self.labels.aggregate_row(Metric::Ar, &at, &set.x))
    }

    /// The tests of C_W for window `w`.
    fn window_rows(&self, w: usize, set: &TestSet) -> Vec<TestRow> {
        let (win, nh) = (self.cfg.windows[w], self.h.len());
        let u_days: Vec<DayU> = (win.start..=win.end)
            .filter_map(|t| {
                let k = usize::try_from(t - self.h.start).ok().filter(|k| *k < nh)?;
                Some(self.pass.day_u(&set.members, nh, k))
            })
            .collect();
        let rank = if set.members.is_empty() {
            None
        } else {
            rank_z_window_of(&u_days, set.members.len(), self.s_v)
        };
        let grank = self.pass.grank(self.setup, nh + w, set.members.len());
        let at = At::Window(win.label());
        self.set_rows(set, Scope::Car, &at, win.len(), rank, grank)
    }

    /// One row per test of the scope (`day` or `car`: [`TestKind::BATTERY`]) on one test set.
    fn set_rows(
        &self,
        set: &TestSet,
        scope: Scope,
        at: &At,
        window_len: usize,
        rank: Option<TestStat>,
        grank: Option<TestStat>,
    ) -> Vec<TestRow> {
        let of_members = |f: &dyn Fn(usize) -> f64| set.members.iter().map(|&i| f(i)).collect();
        let inputs = SetInputs {
            window_len,
            nu: of_members(&|i| self.events[i].view().fit.df as f64),
            p_hat: of_members(&|i| self.pass.p_hat(i)),
            m: self.clusters.partners_m(&set.members),
            rank,
            grank,
        };
        scope
            .battery_tests()
            .iter()
            .map(|&kind| {
                let stat = self.stat(kind, set, &inputs);
                self.labels
                    .test_row(scope, at, kind, stat, set.members.len() as u32)
            })
            .collect()
    }

    /// Test `kind` on one test set (§8, §9); None is NA.
    fn stat(&self, kind: TestKind, set: &TestSet, inputs: &SetInputs) -> Option<TestStat> {
        let (x, s, nu, m) = (&set.x, &set.s, &inputs.nu, inputs.m);
        match kind {
            TestKind::CsectT => csect_t(x),
            TestKind::CdaT => self.cda_scale.and_then(|c| cda_t(x, inputs.window_len, c)),
            TestKind::PatellZ => patell_z(s, nu),
            TestKind::AdjPatellZ => adj_patell_z(s, nu, m, self.rbar),
            TestKind::BmpT => bmp_t(s),
            TestKind::AdjBmpT => adj_bmp_t(s, m, self.rbar),
            TestKind::SkewAdjT => skew_adj_t(x),
            TestKind::SignZ => sign_z(x),
            TestKind::GsignZ => {
                if inputs.p_hat.iter().all(|p| p.is_finite()) {
                    gsign_z(x, &inputs.p_hat)
                } else {
                    None
                }
            }
            TestKind::RankZ => inputs.rank,
            TestKind::GrankT => inputs.grank,
            TestKind::WilcoxonZ => wilcoxon_z(x, self.cfg.wilcoxon_exact).map(|w| w.test),
            // a test of a same-date cluster's portfolio (§10), and the bootstrap test run
            // only with `[bootstrap]` (§8.8): not part of the battery
            TestKind::PortfolioT | TestKind::WildBootT => None,
        }
    }
}

/// The tests of the `bhar` scope ([`TestKind::BHAR`]) on the BHARs of one window (§8.1,
/// §8.7); None for the other tests.
fn bhar_stat(kind: TestKind, bhar: &[f64]) -> Option<TestStat> {
    match kind {
        TestKind::CsectT => csect_t(bhar),
        TestKind::SkewAdjT => skew_adj_t(bhar),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{cfg, dates, events, pair};
    use super::super::{grank_t, sd};
    use super::*;
    use crate::abnormal::PairResult;
    use approx::assert_relative_eq;
    use chrono::NaiveDate;

    fn run(
        results: &[PairResult],
        dates: &[Option<NaiveDate>],
        day0s: &[NaiveDate],
        cfg: &StatsConfig,
    ) -> GroupBattery {
        let events = events(results, dates, day0s);
        group_battery("g", &events, cfg)
    }

    fn stat(b: &GroupBattery, scope: &str, test: &str) -> Option<f64> {
        b.tests
            .iter()
            .find(|r| r.scope == scope && r.test == test && r.rel_day.unwrap_or(0) == 0)
            .and_then(|r| r.statistic)
    }

    #[test]
    fn one_event_gives_na_not_panics() {
        let d = dates();
        let day0 = [NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()];
        let b = run(&[pair(1, [0.02, 0.01], 38)], &d, &day0, &cfg());
        assert_eq!(b.tests.len(), 2 * 12 + 12 + 2);
        for t in ["csect_t", "bmp_t", "adj_bmp_t", "skew_adj_t", "grank_t"] {
            assert_eq!(stat(&b, "day", t), None, "{t}");
        }
        // defined with one event: Patell, sign, rank, CDA, Wilcoxon
        assert_relative_eq!(
            stat(&b, "day", "patell_z").unwrap(),
            2.0 / (38.0f64 / 36.0).sqrt(),
            max_relative = 1e-12
        );
        assert_relative_eq!(stat(&b, "day", "sign_z").unwrap(), 1.0);
        assert!(stat(&b, "day", "cda_t").is_some());
        assert!(stat(&b, "day", "rank_z").is_some());
        assert_eq!(b.diagnostics.rbar, 0.0);
        assert_eq!(b.diagnostics.n_pairs_used, 0);
        assert_eq!(b.aggregate[0].sd, None);
        assert_eq!(b.tests[0].n, 1);
    }

    #[test]
    fn two_same_date_events_use_rbar() {
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let rs = [pair(1, [0.02, 0.01], 38), pair(2, [0.03, -0.01], 38)];
        let b = run(&rs, &d, &[day0, day0], &cfg());
        let super::super::CommonCorrelation { n_common, r } =
            super::super::correlation::pair_correlation(&rs[0].est_resid, &rs[1].est_resid, 30);
        assert_eq!(n_common, 40);
        assert_relative_eq!(b.diagnostics.rbar, r.unwrap(), max_relative = 1e-12);
        // m = 1 for two events on one date
        let z = stat(&b, "day", "patell_z").unwrap();
        assert_relative_eq!(
            stat(&b, "day", "adj_patell_z").unwrap(),
            z / (1.0 + r.unwrap()).sqrt(),
            max_relative = 1e-12
        );
        // adj_bmp: 1 − r̄·1/1 in the numerator
        match stat(&b, "day", "adj_bmp_t") {
            Some(v) => assert_relative_eq!(
                v,
                stat(&b, "day", "bmp_t").unwrap()
                    * ((1.0 - r.unwrap()) / (1.0 + r.unwrap())).sqrt(),
                max_relative = 1e-12
            ),
            None => assert!(r.unwrap() >= 1.0),
        }
        // staggered dates: no adjustment
        let other = NaiveDate::from_ymd_opt(2024, 3, 4).unwrap();
        let b2 = run(&rs, &d, &[day0, other], &cfg());
        assert_eq!(b2.diagnostics.n_pairs_used, 0);
        assert_eq!(
            stat(&b2, "day", "adj_patell_z"),
            stat(&b2, "day", "patell_z")
        );
    }

    #[test]
    fn all_zero_ars() {
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let rs: Vec<PairResult> = (0..4).map(|k| pair(k, [0.0, 0.0], 38)).collect();
        let days: Vec<NaiveDate> = (0..4).map(|k| day0 + chrono::Days::new(k)).collect();
        let b = run(&rs, &d, &days, &cfg());
        assert_eq!(stat(&b, "day", "csect_t"), None); // sd 0
        assert_eq!(stat(&b, "day", "skew_adj_t"), None);
        assert_eq!(stat(&b, "day", "wilcoxon_z"), None); // n′ = 0
        assert_relative_eq!(stat(&b, "day", "patell_z").unwrap(), 0.0);
        assert_relative_eq!(stat(&b, "day", "sign_z").unwrap(), -2.0); // zeros are not positive
        assert_relative_eq!(stat(&b, "day", "cda_t").unwrap(), 0.0);
        assert_eq!(b.aggregate[0].share_positive, Some(0.0));
    }

    #[test]
    fn small_df_makes_patell_na() {
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let rs = [pair(1, [0.02, 0.01], 2), pair(2, [0.03, -0.01], 38)];
        let b = run(&rs, &d, &[day0, day0 + chrono::Days::new(1)], &cfg());
        assert_eq!(stat(&b, "day", "patell_z"), None);
        assert_eq!(stat(&b, "day", "adj_patell_z"), None);
        assert!(stat(&b, "day", "csect_t").is_some());
    }

    #[test]
    fn grank_matches_direct_route() {
        // GRANK of the window by the slow route: grank_u per event, then grank_t
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let mut rs: Vec<PairResult> = (0..5)
            .map(|k| pair(k + 10, [0.01 * k as f64 - 0.01, 0.004], 38))
            .collect();
        rs[2].est_resid[3] = f64::NAN;
        rs[4].est_resid[7] = rs[4].est_resid[8]; // a tie
        let days: Vec<NaiveDate> = (0..5).map(|k| day0 + chrono::Days::new(k)).collect();
        let b = run(&rs, &d, &days, &cfg());
        let scar: Vec<f64> = rs.iter().map(|r| r.windows[0].scar.unwrap()).collect();
        let s = sd(&scar).unwrap();
        let mut sums = vec![0.0; 40];
        let mut cnt = vec![0usize; 40];
        let mut u0 = 0.0;
        for (r, sc) in rs.iter().zip(&scar) {
            let gsar: Vec<f64> = r.est_resid.iter().map(|e| e / r.fit.sigma).collect();
            let super::super::GrankU { u, u0: z } =
                super::super::nonparametric::grank_u(&gsar, sc / s);
            for (k, v) in u.iter().enumerate() {
                if !v.is_nan() {
                    sums[k] += v;
                    cnt[k] += 1;
                }
            }
            u0 += z;
        }
        let ubar: Vec<f64> = sums
            .iter()
            .zip(&cnt)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
            .collect();
        let expected = grank_t(&ubar, &cnt, u0 / 5.0, 5).unwrap();
        assert_relative_eq!(
            stat(&b, "car", "grank_t").unwrap(),
            expected.statistic,
            max_relative = 1e-12
        );
    }

    #[test]
    fn trade_to_trade_drops_multi_day_ars() {
        let d = dates();
        let day0 = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let mut rs = vec![
            pair(1, [0.02, 0.01], 38),
            pair(2, [0.03, -0.01], 38),
            pair(3, [0.01, 0.02], 38),
        ];
        rs[1].span[0] = 2;
        let mut c = cfg();
        c.trade_to_trade = true;
        let days: Vec<NaiveDate> = (0..3).map(|k| day0 + chrono::Days::new(k)).collect();
        let b = run(&rs, &d, &days, &c);
        let row = b
            .tests
            .iter()
            .find(|r| r.scope == "day" && r.rel_day == Some(0))
            .unwrap();
        assert_eq!(row.n, 2);
        assert_eq!(b.aggregate[0].n, 2);
        // window rows still use all three complete windows
        assert_eq!(b.tests.iter().find(|r| r.scope == "car").unwrap().n, 3);
    }
}
