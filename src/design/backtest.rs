//! The `[backtest]` table of a study file (methodology §16): [`BacktestFile`] holds it as
//! written, [`BacktestDesign::from_file`] parses every value once into its type and checks it
//! against the rest of the study (model, windows, price columns). Errors name the study file
//! and the key: `study.toml: [backtest] hold: must be ≥ 1, got 0`.

use super::{defaults, Design, ModelName, StudyFile};
use crate::abnormal::Window;
use crate::backtest::{Direction, PricePoint};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `direction` as written: one side for every trade, `signal`, or a side per event category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DirectionFile {
    /// `long`, `short` or `signal`.
    Name(String),
    /// `[backtest.direction]`: event category → `long` / `short`.
    ByCategory(BTreeMap<String, String>),
}

/// `cost_bps` as written: one number, or a table by exchange code with a `default`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CostFile {
    /// Basis points per side on every exchange.
    Flat(f64),
    /// `[backtest.cost_bps]`: exchange code → basis points, plus `default`.
    ByExchange(BTreeMap<String, f64>),
}

/// `placebo` as written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceboFile {
    /// Placebo calendars K (0 = none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendars: Option<i64>,
    /// Seed of the random calendars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// The `[backtest]` table as written; every key is optional (defaults in
/// [`defaults`](super::defaults)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestFile {
    /// `first_tradable`, `open:K` or `close:K` (K relative to day 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// Price points a `first_tradable` entry may use: `open`, `close` or `either`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// Delay from the event instant to the first order: `15m`, `0s`, `1h`, `1h30m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
    /// When a date-only event is known: `after_close` or `before_open`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_only: Option<String>,
    /// An unfillable entry: `next` (move forward) or `exclude`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unfillable: Option<String>,
    /// Sessions an entry may move forward with `unfillable = "next"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay: Option<i64>,
    /// Holding period in sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<i64>,
    /// Exit at the end of this study event window (`a:b`) instead of after `hold` sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_window: Option<String>,
    /// Exit price point: `open` or `close`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_point: Option<String>,
    /// `long`, `short`, `signal`, or a table by event category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<DirectionFile>,
    /// Window of the pre-entry CAR that signs a `signal` trade (`a:b`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal_window: Option<String>,
    /// `momentum` (side = sign of the signal) or `reversal` (the opposite side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// `equal`, `notional` or `inverse_vol`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighting: Option<String>,
    /// Share of equity per trade with `weighting = "notional"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notional: Option<f64>,
    /// `none` or `beta`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hedge: Option<String>,
    /// Transaction cost in basis points per side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_bps: Option<CostFile>,
    /// Borrow cost of shorts in basis points per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub borrow_bps: Option<f64>,
    /// A-share daily limits in percent by board: `main`, `star`, `chinext`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_pct: Option<BTreeMap<String, f64>>,
    /// Days with fewer open positions leave the alpha regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_positions: Option<i64>,
    /// Placebo calendars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placebo: Option<PlaceboFile>,
    /// Trade only the securities of these `[groups]` (default: every analysed security).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// Output folder (default `<study out>/backtest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
}

/// Where a trade enters (§16.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryRule {
    /// The first fillable point at or after the event instant plus the latency, among
    /// `points` (`None` = open or close, whichever comes first).
    FirstTradable {
        /// Open only, close only, or either (`None`).
        points: Option<PricePoint>,
    },
    /// A fixed point: the `point` of the session `rel_day` sessions after day 0.
    Fixed {
        /// Open or close.
        point: PricePoint,
        /// Session relative to day 0.
        rel_day: i32,
    },
}

impl EntryRule {
    /// True when the rule may enter at an open.
    pub fn may_use_open(&self) -> bool {
        match *self {
            EntryRule::FirstTradable { points } => points != Some(PricePoint::Close),
            EntryRule::Fixed { point, .. } => point == PricePoint::Open,
        }
    }
}

/// When a date-only event is taken to be known (§16.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOnly {
    /// After the close: the event's `time` reads as the `after_close` keyword (18:00, §2.3).
    AfterClose,
    /// Before the open: the `before_open` keyword (08:00, §2.3).
    BeforeOpen,
}

impl DateOnly {
    /// The event-time keyword (§2.3) that stands for this rule.
    pub fn keyword(self) -> &'static str {
        match self {
            DateOnly::AfterClose => "after_close",
            DateOnly::BeforeOpen => "before_open",
        }
    }
}

/// What happens to an entry whose price point cannot fill (§16.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfillable {
    /// Move to the next fillable point, at most `max_delay` sessions later.
    Next {
        /// Sessions the entry may move forward.
        max_delay: usize,
    },
    /// Exclude the trade.
    Exclude,
}

/// When a trade exits (§16.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitRule {
    /// `sessions` sessions after the entry session.
    Hold {
        /// H ≥ 1.
        sessions: usize,
    },
    /// On the last session of a study event window.
    WindowEnd {
        /// The window.
        window: Window,
    },
}

/// How a signal's sign becomes a side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// Long after a positive pre-entry CAR.
    Momentum,
    /// Short after a positive pre-entry CAR.
    Reversal,
}

/// The side of each trade (§16.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectionRule {
    /// Every trade on one side.
    Fixed(Direction),
    /// A side per event category; other categories do not trade.
    ByCategory(BTreeMap<String, Direction>),
    /// The sign of the CAR over `window` (before entry), kept or flipped.
    Signal {
        /// The signal window, relative to day 0.
        window: Window,
        /// Momentum or reversal.
        kind: SignalKind,
    },
}

/// Position sizes (§16.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weighting {
    /// Equal weights across open positions, rebalanced daily.
    Equal,
    /// A fixed share of equity per trade, bought and held.
    Notional(f64),
    /// Weights ∝ 1/σ̂ of the estimation window, rebalanced daily.
    InverseVol,
}

/// Transaction costs per side, by exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    /// Basis points for exchanges not listed.
    pub default_bps: f64,
    /// Basis points by exchange code.
    pub by_exchange: BTreeMap<String, f64>,
}

impl Costs {
    /// Basis points per side on `exchange`.
    pub fn bps(&self, exchange: &str) -> f64 {
        self.by_exchange
            .get(exchange)
            .copied()
            .unwrap_or(self.default_bps)
    }
}

/// A-share daily price limits as fractions (0.10 = ±10 %).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitRules {
    /// Main boards.
    pub main: f64,
    /// STAR market (codes 688…).
    pub star: f64,
    /// ChiNext (codes 300…, 301…).
    pub chinext: f64,
    /// Tolerance of the limit test (fraction of the previous close).
    pub tolerance: f64,
}

/// Placebo calendars (§16.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceboDesign {
    /// K (0 = none).
    pub calendars: u32,
    /// Seed.
    pub seed: u64,
}

/// The checked `[backtest]` settings. Built only by [`BacktestDesign::from_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestDesign {
    /// Entry rule.
    pub entry: EntryRule,
    /// Delay between the event instant and the first order.
    pub latency: chrono::Duration,
    /// When date-only events are known.
    pub date_only: DateOnly,
    /// What an unfillable entry does.
    pub unfillable: Unfillable,
    /// Exit rule.
    pub exit: ExitRule,
    /// Exit price point.
    pub exit_point: PricePoint,
    /// Side of each trade.
    pub direction: DirectionRule,
    /// Position sizes.
    pub weighting: Weighting,
    /// Beta hedge against the security's benchmark.
    pub hedge: bool,
    /// Transaction costs per side.
    pub costs: Costs,
    /// Borrow cost of shorts, basis points per year.
    pub borrow_bps: f64,
    /// A-share limits.
    pub limits: LimitRules,
    /// Minimum open positions of a day in the alpha regression.
    pub min_positions: u32,
    /// Placebo calendars.
    pub placebo: PlaceboDesign,
    /// The tickers that may trade (`None`: all), from `[backtest] groups`.
    pub tradable: Option<std::collections::BTreeSet<String>>,
    /// Output folder, if set.
    pub out: Option<PathBuf>,
}

/// An error about `[backtest] key`.
fn bad(key: &str, message: impl std::fmt::Display) -> Error {
    Error::config(format!("[backtest] {key}: {message}"))
}

/// `value` looked up among `names`, or an error listing them.
fn pick<T: Copy>(key: &str, value: &str, names: &[(&str, T)]) -> Result<T> {
    names
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(value.trim()))
        .map(|&(_, t)| t)
        .ok_or_else(|| {
            let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
            bad(
                key,
                format!("unknown value '{value}'; use one of {}", list.join(", ")),
            )
        })
}

const POINTS: [(&str, PricePoint); 2] = [("open", PricePoint::Open), ("close", PricePoint::Close)];
const SIDES: [(&str, Direction); 2] = [("long", Direction::Long), ("short", Direction::Short)];

/// Reads a duration written as a sequence of `<integer><unit>` with units `s`, `m`, `h`
/// (`15m`, `0s`, `1h30m`).
///
/// # Examples
/// ```
/// use evstudy::design::parse_latency;
/// assert_eq!(parse_latency("1h30m").unwrap().num_minutes(), 90);
/// assert_eq!(parse_latency("0s").unwrap().num_seconds(), 0);
/// assert!(parse_latency("soon").is_err());
/// ```
///
/// # Errors
/// Anything else, with a message that quotes the text.
pub fn parse_latency(text: &str) -> std::result::Result<chrono::Duration, String> {
    let t = text.trim();
    let fail = || format!("'{text}' is not a duration such as 15m, 0s, 1h or 1h30m");
    if t.is_empty() {
        return Err(fail());
    }
    let mut seconds: i64 = 0;
    let mut digits = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(fail()),
        };
        let n: i64 = digits.parse().map_err(|_| fail())?;
        seconds = n
            .checked_mul(unit)
            .and_then(|s| seconds.checked_add(s))
            .filter(|&s| s <= 7 * 24 * 3600)
            .ok_or_else(fail)?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(fail());
    }
    Ok(chrono::Duration::seconds(seconds))
}

/// An integer setting within `[min, max]`.
fn bounded(key: &str, value: Option<i64>, default: i64, min: i64, max: i64) -> Result<i64> {
    let v = value.unwrap_or(default);
    if v < min {
        return Err(bad(key, format!("must be ≥ {min}, got {v}")));
    }
    if v > max {
        return Err(bad(key, format!("must be ≤ {max}, got {v}")));
    }
    Ok(v)
}

/// A non-negative finite number.
fn non_negative(key: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(bad(key, format!("must be a finite number ≥ 0, got {v}")))
    }
}

impl BacktestDesign {
    /// Check the `[backtest]` table of `file` (the defaults when it has none) against the
    /// rest of the study. Errors name the study file when it was read from one.
    ///
    /// # Errors
    /// The first violated rule: an unknown value, `hold` < 1, a latency that is not a
    /// duration, an exit window that is not a study window, a signal window outside the
    /// study's event period, a beta hedge with a model without a benchmark beta, trading at
    /// the open without an `open_col` in every price source, and the study's own errors.
    ///
    /// # Examples
    /// ```
    /// use evstudy::design::{BacktestDesign, ExitRule, StudyFile};
    /// let file = StudyFile::from_toml_str(
    ///     "events = \"e.csv\"\nmarket = \"IDX\"\n[[prices]]\npath = \"p.csv\"\n[backtest]\nentry = \"close:0\"\nhold = 3\n",
    /// )?;
    /// let bt = BacktestDesign::from_file(&file)?;
    /// assert_eq!(bt.exit, ExitRule::Hold { sessions: 3 });
    /// # Ok::<(), evstudy::Error>(())
    /// ```
    pub fn from_file(file: &StudyFile) -> Result<BacktestDesign> {
        let design = Design::from_file(file)?;
        let raw = file.backtest.clone().unwrap_or_default();
        build(&raw, &design).map_err(|e| in_study(file, e))
    }

    /// True when the backtest trades at an open (entry or exit).
    pub fn uses_open(&self) -> bool {
        self.entry.may_use_open() || self.exit_point == PricePoint::Open
    }

    /// The categories traded by a category map, checked against the categories of the event
    /// file: a category of the map that no event has is an error naming it and listing the
    /// file's categories.
    ///
    /// # Errors
    /// As above, naming the study file and `[backtest] direction`.
    pub fn check_categories<'a>(
        &self,
        study: &StudyFile,
        categories: impl IntoIterator<Item = &'a str>,
    ) -> Result<()> {
        let events_file = study
            .events
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let DirectionRule::ByCategory(map) = &self.direction else {
            return Ok(());
        };
        let known: std::collections::BTreeSet<&str> = categories.into_iter().collect();
        match map.keys().find(|c| !known.contains(c.as_str())) {
            None => Ok(()),
            Some(c) => Err(in_study(
                study,
                bad(
                    "direction",
                    format!(
                        "unknown event category '{c}'; the categories in {events_file} are {}",
                        known.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                ),
            )),
        }
    }
}

/// A configuration error of `file`, naming the study file when it was read from one.
fn in_study(file: &StudyFile, e: Error) -> Error {
    match (e, &file.source) {
        (Error::Config(m), Some(src)) => Error::file(src.display().to_string(), m),
        (e, _) => e,
    }
}

fn build(raw: &BacktestFile, design: &Design) -> Result<BacktestDesign> {
    let entry = entry_rule(raw, design)?;
    let latency_text = raw.latency.as_deref().unwrap_or(defaults::BACKTEST_LATENCY);
    let latency = parse_latency(latency_text).map_err(|m| bad("latency", m))?;
    let date_only = pick(
        "date_only",
        raw.date_only
            .as_deref()
            .unwrap_or(defaults::BACKTEST_DATE_ONLY),
        &[
            ("after_close", DateOnly::AfterClose),
            ("before_open", DateOnly::BeforeOpen),
        ],
    )?;
    let max_delay = bounded(
        "max_delay",
        raw.max_delay,
        defaults::BACKTEST_MAX_DELAY,
        0,
        250,
    )? as usize;
    let unfillable = pick(
        "unfillable",
        raw.unfillable
            .as_deref()
            .unwrap_or(defaults::BACKTEST_UNFILLABLE),
        &[
            ("next", Unfillable::Next { max_delay }),
            ("exclude", Unfillable::Exclude),
        ],
    )?;
    let exit = exit_rule(raw, design)?;
    let exit_point = pick(
        "exit_point",
        raw.exit_point
            .as_deref()
            .unwrap_or(defaults::BACKTEST_EXIT_POINT),
        &POINTS,
    )?;
    let bt = BacktestDesign {
        entry,
        latency,
        date_only,
        unfillable,
        exit,
        exit_point,
        direction: direction_rule(raw, design)?,
        weighting: weighting(raw)?,
        hedge: hedge(raw, design)?,
        costs: costs(raw)?,
        borrow_bps: non_negative("borrow_bps", raw.borrow_bps.unwrap_or(0.0))?,
        limits: limits(raw)?,
        min_positions: bounded(
            "min_positions",
            raw.min_positions,
            defaults::BACKTEST_MIN_POSITIONS,
            1,
            i64::from(u32::MAX),
        )? as u32,
        placebo: placebo(raw)?,
        tradable: tradable(raw, design)?,
        out: raw.out.clone(),
    };
    check_open_columns(&bt, design)?;
    Ok(bt)
}

/// The entry rule. Without an `entry_point`, a `first_tradable` entry may use opens when
/// every price source has an `open_col`, and closes only otherwise (an explicit `open` or
/// `either` without opens is an error, see [`check_open_columns`]).
fn entry_rule(raw: &BacktestFile, design: &Design) -> Result<EntryRule> {
    let text = raw.entry.as_deref().unwrap_or(defaults::BACKTEST_ENTRY);
    let has_opens = design.inputs.prices.iter().all(|s| s.open_col.is_some());
    let points_text = raw.entry_point.as_deref().unwrap_or(if has_opens {
        defaults::BACKTEST_ENTRY_POINT
    } else {
        "close"
    });
    if text.trim().eq_ignore_ascii_case("first_tradable") {
        let points = pick(
            "entry_point",
            points_text,
            &[
                ("either", None),
                ("open", Some(PricePoint::Open)),
                ("close", Some(PricePoint::Close)),
            ],
        )?;
        return Ok(EntryRule::FirstTradable { points });
    }
    if raw.entry_point.is_some() {
        return Err(bad(
            "entry_point",
            format!(
                "applies to entry = \"first_tradable\" only; entry '{text}' names its own point"
            ),
        ));
    }
    let fail = || {
        bad(
            "entry",
            format!("'{text}' is neither first_tradable nor open:K / close:K (K = session relative to day 0)"),
        )
    };
    let (point, k) = text.trim().split_once(':').ok_or_else(fail)?;
    let point = POINTS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(point.trim()))
        .map(|&(_, p)| p)
        .ok_or_else(fail)?;
    let rel_day: i32 = k.trim().parse().map_err(|_| fail())?;
    Ok(EntryRule::Fixed { point, rel_day })
}

fn exit_rule(raw: &BacktestFile, design: &Design) -> Result<ExitRule> {
    let Some(text) = &raw.exit_window else {
        let h = bounded("hold", raw.hold, defaults::BACKTEST_HOLD, 1, 10_000)?;
        return Ok(ExitRule::Hold {
            sessions: h as usize,
        });
    };
    if raw.hold.is_some() {
        return Err(bad(
            "exit_window",
            "set either hold or exit_window, not both",
        ));
    }
    let window: Window = text.parse().map_err(|e: Error| bad("exit_window", e))?;
    let windows = &design.analysis.windows.event;
    if !windows.contains(&window) {
        let labels: Vec<String> = windows.iter().map(Window::label).collect();
        return Err(bad(
            "exit_window",
            format!(
                "'{text}' is not one of the study's event_windows ({})",
                labels.join(", ")
            ),
        ));
    }
    Ok(ExitRule::WindowEnd { window })
}

fn direction_rule(raw: &BacktestFile, design: &Design) -> Result<DirectionRule> {
    let rule = match &raw.direction {
        None => DirectionRule::Fixed(Direction::Long),
        Some(DirectionFile::ByCategory(map)) => {
            let mut sides = BTreeMap::new();
            for (category, side) in map {
                let key = format!("direction.{category}");
                sides.insert(category.clone(), pick(&key, side, &SIDES)?);
            }
            DirectionRule::ByCategory(sides)
        }
        Some(DirectionFile::Name(name)) if name.trim().eq_ignore_ascii_case("signal") => {
            signal_rule(raw, design)?
        }
        Some(DirectionFile::Name(name)) => DirectionRule::Fixed(pick(
            "direction",
            name,
            &[
                ("long", Direction::Long),
                ("short", Direction::Short),
                ("signal", Direction::Long),
            ],
        )?),
    };
    let is_signal = matches!(rule, DirectionRule::Signal { .. });
    if !is_signal && (raw.signal.is_some() || raw.signal_window.is_some()) {
        return Err(bad(
            if raw.signal.is_some() {
                "signal"
            } else {
                "signal_window"
            },
            "applies to direction = \"signal\" only",
        ));
    }
    Ok(rule)
}

fn signal_rule(raw: &BacktestFile, design: &Design) -> Result<DirectionRule> {
    let text = raw.signal_window.as_deref().ok_or_else(|| {
        bad(
            "signal_window",
            "direction = \"signal\" needs a signal_window such as \"-5:-1\"",
        )
    })?;
    let window: Window = text.parse().map_err(|e: Error| bad("signal_window", e))?;
    let period = design.engine_config().event_period();
    if window.start < period.start || window.end > period.end {
        return Err(bad(
            "signal_window",
            format!(
                "'{text}' lies outside the study's event period {} (the span of its event_windows), where abnormal returns exist",
                period.label()
            ),
        ));
    }
    let kind = pick(
        "signal",
        raw.signal.as_deref().unwrap_or("momentum"),
        &[
            ("momentum", SignalKind::Momentum),
            ("reversal", SignalKind::Reversal),
        ],
    )?;
    Ok(DirectionRule::Signal { window, kind })
}

fn weighting(raw: &BacktestFile) -> Result<Weighting> {
    let w = pick(
        "weighting",
        raw.weighting.as_deref().unwrap_or("equal"),
        &[
            ("equal", Weighting::Equal),
            ("notional", Weighting::Notional(defaults::BACKTEST_NOTIONAL)),
            ("inverse_vol", Weighting::InverseVol),
        ],
    )?;
    match (w, raw.notional) {
        (Weighting::Notional(_), Some(n)) if n.is_finite() && n > 0.0 && n <= 1.0 => {
            Ok(Weighting::Notional(n))
        }
        (Weighting::Notional(_), Some(n)) => Err(bad(
            "notional",
            format!("must be a share of equity in (0, 1], got {n}"),
        )),
        (_, Some(_)) => Err(bad("notional", "applies to weighting = \"notional\" only")),
        (w, None) => Ok(w),
    }
}

fn hedge(raw: &BacktestFile, design: &Design) -> Result<bool> {
    let beta = pick(
        "hedge",
        raw.hedge.as_deref().unwrap_or("none"),
        &[("none", false), ("beta", true)],
    )?;
    let name = design.analysis.model.name;
    if beta && !matches!(name, ModelName::MarketModel | ModelName::ScholesWilliams) {
        return Err(bad(
            "hedge",
            format!(
                "a beta hedge needs the estimation-window beta on the security's benchmark, which model '{}' does not estimate; use model = \"market_model\" or \"scholes_williams\"",
                design.file.model
            ),
        ));
    }
    Ok(beta)
}

fn costs(raw: &BacktestFile) -> Result<Costs> {
    match &raw.cost_bps {
        None => Ok(Costs {
            default_bps: 0.0,
            by_exchange: BTreeMap::new(),
        }),
        Some(CostFile::Flat(v)) => Ok(Costs {
            default_bps: non_negative("cost_bps", *v)?,
            by_exchange: BTreeMap::new(),
        }),
        Some(CostFile::ByExchange(map)) => {
            let mut by_exchange = BTreeMap::new();
            for (code, v) in map {
                let v = non_negative(&format!("cost_bps.{code}"), *v)?;
                by_exchange.insert(code.to_ascii_uppercase(), v);
            }
            let default_bps = by_exchange.remove("DEFAULT").ok_or_else(|| {
                bad(
                    "cost_bps",
                    "a table of costs by exchange needs a `default` entry for the other exchanges",
                )
            })?;
            Ok(Costs {
                default_bps,
                by_exchange,
            })
        }
    }
}

fn limits(raw: &BacktestFile) -> Result<LimitRules> {
    let mut pct: BTreeMap<&str, f64> = defaults::BACKTEST_LIMIT_PCT.into_iter().collect();
    for (board, v) in raw.limit_pct.iter().flatten() {
        let key = format!("limit_pct.{board}");
        let slot = pct
            .get_mut(board.as_str())
            .ok_or_else(|| bad(&key, "unknown board; use main, star or chinext"))?;
        if !(v.is_finite() && *v > 0.0 && *v < 100.0) {
            return Err(bad(
                &key,
                format!("must be a percentage in (0, 100), got {v}"),
            ));
        }
        *slot = *v;
    }
    Ok(LimitRules {
        main: pct["main"] / 100.0,
        star: pct["star"] / 100.0,
        chinext: pct["chinext"] / 100.0,
        tolerance: defaults::BACKTEST_LIMIT_TOLERANCE,
    })
}

fn placebo(raw: &BacktestFile) -> Result<PlaceboDesign> {
    let p = raw.placebo.clone().unwrap_or_default();
    let calendars = bounded(
        "placebo.calendars",
        p.calendars,
        defaults::BACKTEST_PLACEBO_CALENDARS,
        0,
        100_000,
    )? as u32;
    Ok(PlaceboDesign {
        calendars,
        seed: p.seed.unwrap_or(defaults::SIMULATION_SEED),
    })
}

/// The union of the securities of `[backtest] groups`; each must be a `[groups]` entry.
fn tradable(
    raw: &BacktestFile,
    design: &Design,
) -> Result<Option<std::collections::BTreeSet<String>>> {
    let Some(names) = &raw.groups else {
        return Ok(None);
    };
    let known = &design.inputs.groups;
    let mut out = std::collections::BTreeSet::new();
    for name in names {
        let members = known.get(name).ok_or_else(|| {
            let list: Vec<&str> = known.keys().map(String::as_str).collect();
            bad(
                "groups",
                format!(
                    "unknown group '{name}'; the study's [groups] are {}",
                    list.join(", ")
                ),
            )
        })?;
        out.extend(members.iter().cloned());
    }
    Ok(Some(out))
}

/// Trading at an open needs an open column in every price source.
fn check_open_columns(bt: &BacktestDesign, design: &Design) -> Result<()> {
    if !bt.uses_open() {
        return Ok(());
    }
    let key = if bt.entry.may_use_open() {
        "entry_point"
    } else {
        "exit_point"
    };
    match design.inputs.prices.iter().find(|s| s.open_col.is_none()) {
        None => Ok(()),
        Some(src) => Err(bad(
            key,
            format!(
                "trading at the open needs opening prices, but price file {} has no open_col; set open_col in its [[prices]] entry, or trade at the close (entry_point = \"close\" / entry = \"close:K\", exit_point = \"close\")",
                src.path.display()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn study(backtest: &str) -> StudyFile {
        let mut f = StudyFile::from_toml_str(&format!(
            "events = \"e.csv\"\nmarket = \"IDX\"\n[[prices]]\npath = \"p.csv\"\nopen_col = \"open\"\n[backtest]\n{backtest}"
        ))
        .unwrap();
        f.source = Some(PathBuf::from("study.toml"));
        f
    }

    fn err(backtest: &str) -> String {
        BacktestDesign::from_file(&study(backtest))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn defaults() {
        let bt = BacktestDesign::from_file(&study("")).unwrap();
        assert_eq!(bt.entry, EntryRule::FirstTradable { points: None });
        assert_eq!(bt.latency, chrono::Duration::minutes(15));
        assert_eq!(bt.date_only, DateOnly::AfterClose);
        assert_eq!(bt.unfillable, Unfillable::Next { max_delay: 5 });
        assert_eq!(bt.exit, ExitRule::Hold { sessions: 5 });
        assert_eq!(bt.exit_point, PricePoint::Close);
        assert_eq!(bt.direction, DirectionRule::Fixed(Direction::Long));
        assert_eq!(bt.weighting, Weighting::Equal);
        assert!(!bt.hedge);
        assert_eq!(bt.limits.star, 0.2);
        assert_eq!(bt.placebo.calendars, 0);
        assert_eq!(bt.tradable, None);
    }

    #[test]
    fn groups_must_exist() {
        let mut f = study("groups = [\"chips\"]\n");
        f.groups
            .insert("chips".into(), vec!["A".into(), "B".into()]);
        let bt = BacktestDesign::from_file(&f).unwrap();
        assert_eq!(bt.tradable.unwrap().len(), 2);
        assert!(err("groups = [\"chips\"]\n").contains("[backtest] groups: unknown group 'chips'"));
    }

    #[test]
    fn hold_below_one_names_file_and_key() {
        assert_eq!(
            err("hold = 0\n"),
            "study.toml: [backtest] hold: must be ≥ 1, got 0"
        );
        assert!(err("hold = -3\n").contains("[backtest] hold: must be ≥ 1, got -3"));
    }

    #[test]
    fn latency_must_be_a_duration() {
        let e = err("latency = \"soon\"\n");
        assert!(
            e.starts_with("study.toml: [backtest] latency: 'soon' is not a duration"),
            "{e}"
        );
        assert_eq!(parse_latency("0s"), Ok(chrono::Duration::zero()));
        assert_eq!(parse_latency("1h"), Ok(chrono::Duration::hours(1)));
        assert!(parse_latency("15").is_err());
        assert!(parse_latency("m").is_err());
    }

    #[test]
    fn open_entry_without_open_column() {
        let mut f = study("entry = \"open:1\"\n");
        f.prices[0].open_col = None;
        let e = BacktestDesign::from_file(&f).unwrap_err().to_string();
        assert!(
            e.starts_with("study.toml: [backtest] entry_point: trading at the open needs opening prices, but price file p.csv has no open_col"),
            "{e}"
        );
        f.backtest = Some(BacktestFile {
            entry: Some("close:0".into()),
            ..Default::default()
        });
        assert!(BacktestDesign::from_file(&f).is_ok());
        // Without an entry_point, a study without opens enters at closes.
        f.backtest = None;
        let bt = BacktestDesign::from_file(&f).unwrap();
        assert_eq!(
            bt.entry,
            EntryRule::FirstTradable {
                points: Some(PricePoint::Close)
            }
        );
        f.backtest = Some(BacktestFile {
            entry_point: Some("either".into()),
            ..Default::default()
        });
        assert!(BacktestDesign::from_file(&f).is_err());
    }

    #[test]
    fn fixed_entries_and_exit_windows() {
        let bt = BacktestDesign::from_file(&study(
            "entry = \"open:-1\"\nexit_window = \"0:20\"\nexit_point = \"open\"\n",
        ))
        .unwrap();
        assert_eq!(
            bt.entry,
            EntryRule::Fixed {
                point: PricePoint::Open,
                rel_day: -1
            }
        );
        assert_eq!(
            bt.exit,
            ExitRule::WindowEnd {
                window: Window { start: 0, end: 20 }
            }
        );
        assert!(err("exit_window = \"0:3\"\n").contains("not one of the study's event_windows"));
        assert!(err("entry = \"noon:1\"\n").contains("[backtest] entry: 'noon:1'"));
    }

    #[test]
    fn directions() {
        let bt = BacktestDesign::from_file(&study(
            "[backtest.direction]\nexport_control = \"long\"\nmodel_release = \"short\"\n",
        ))
        .unwrap();
        let f = study("");
        let e = bt
            .check_categories(&f, ["export_control", "policy"])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "study.toml: [backtest] direction: unknown event category 'model_release'; the categories in e.csv are export_control, policy");
        assert!(bt
            .check_categories(&f, ["export_control", "model_release"])
            .is_ok());
        let bt = BacktestDesign::from_file(&study(
            "direction = \"signal\"\nsignal_window = \"-5:-1\"\nsignal = \"reversal\"\n",
        ))
        .unwrap();
        assert_eq!(
            bt.direction,
            DirectionRule::Signal {
                window: Window { start: -5, end: -1 },
                kind: SignalKind::Reversal
            }
        );
        assert!(err("direction = \"signal\"\nsignal_window = \"-30:-1\"\n")
            .contains("outside the study's event period -5:20"));
        assert!(err("direction = \"sideways\"\n").contains("unknown value 'sideways'"));
        assert!(err("[backtest.direction]\nx = \"up\"\n").contains("[backtest] direction.x"));
    }

    #[test]
    fn costs_hedge_and_limits() {
        let bt = BacktestDesign::from_file(&study(
            "hedge = \"beta\"\n[backtest.cost_bps]\ndefault = 10\nXSHG = 15\n[backtest.limit_pct]\nmain = 5\n",
        ))
        .unwrap();
        assert!(bt.hedge);
        assert_eq!((bt.costs.bps("XSHG"), bt.costs.bps("XNYS")), (15.0, 10.0));
        assert_eq!(bt.limits.main, 0.05);
        assert!(err("[backtest.cost_bps]\nXSHG = 15\n").contains("needs a `default` entry"));
        assert!(err("[backtest.limit_pct]\nbse = 30\n").contains("limit_pct.bse: unknown board"));
        let mut f = study("hedge = \"beta\"\n");
        f.model = "market_adjusted".into();
        let e = BacktestDesign::from_file(&f).unwrap_err().to_string();
        assert!(e.contains("[backtest] hedge: a beta hedge needs"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = StudyFile::from_toml_str("[backtest]\nholding = 5\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("holding"), "{e}");
    }
}
