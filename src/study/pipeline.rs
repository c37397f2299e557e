//! The study pipeline: inputs → calendars → aligned series → day 0 → engine → tests → tables.

use super::config::{CalendarMode, SecuritySpec, StudyConfig};
use crate::abnormal::{Engine, EngineConfig, PairExclusion, PairJob, PairResult, PairView, Window};
use crate::calendar::{
    builtin_exchange, exchange_for_ticker, expand_scope, filter_verified, map_day0, read_events,
    split_csv_records, HolidayTable, SessionCalendar,
};
use crate::data::{read_all, read_factors, FactorTable, PriceSeries, ValueKind};
use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::returns::{
    align_to_sessions, compound_over_spans, daily_returns, span_returns_from_closes,
    trade_to_trade_returns, AlignedSeries,
};
use crate::stats::{group_battery, portfolio_test_rows, GroupDiagnostics, StatsConfig, StatsEvent};
use crate::tables::*;
use chrono::{NaiveDate, NaiveTime};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One calendar of the study with the securities on it.
struct CalendarEntry {
    calendar: SessionCalendar,
    /// Zone of the exchange (None for a data calendar).
    tz: Option<chrono_tz::Tz>,
}

/// A security's inputs on its calendar.
struct SecurityData {
    calendar: usize,
    series: AlignedSeries,
    /// Daily returns (for portfolios, which always use daily returns, §10) when they differ
    /// from the model's returns (trade-to-trade mode); `None`: the model's returns are daily.
    daily: Option<Vec<f64>>,
    benchmark: Option<String>,
}

/// An event–security pair on its way through the pipeline.
struct Pair {
    event: usize,
    security: String,
    group: String,
    /// Index into `securities` (set once the security is known).
    sec: usize,
    day0: Option<(usize, NaiveDate)>,
    /// Index of the analysed pair in the engine's [`PairBatch`].
    result: Option<usize>,
}

/// What a run produces besides the tables.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Pairs from the event file after scope expansion.
    pub pairs_total: usize,
    /// Pairs analysed (passed day 0 and estimation).
    pub pairs_analysed: usize,
    /// Per group label: r̄, S_CDA, S_V and friends.
    pub diagnostics: Vec<(String, GroupDiagnostics)>,
    /// Input files with size and SHA-256.
    pub inputs: Vec<(String, u64, String)>,
    /// Wall time of each phase in seconds (not written to run.json: outputs stay
    /// deterministic).
    pub timings: Vec<(&'static str, f64)>,
}

fn needs_benchmark(kind: ModelKind) -> bool {
    matches!(
        kind,
        ModelKind::MarketAdjusted
            | ModelKind::MarketModel
            | ModelKind::ScholesWilliams
            | ModelKind::Dimson
    )
}

fn input_exclusion(security: &str, event_id: &str, reason: &str, detail: String) -> ExclusionRow {
    ExclusionRow {
        event_id: event_id.to_string(),
        security: security.to_string(),
        stage: Stage::Input,
        reason: reason.to_string(),
        detail,
        order: 0,
    }
}

fn pair_exclusion(event_id: &str, security: &str, e: &PairExclusion) -> ExclusionRow {
    ExclusionRow {
        event_id: event_id.to_string(),
        security: security.to_string(),
        stage: e.stage,
        reason: e.reason.clone(),
        detail: e.detail.clone(),
        order: e.order,
    }
}

fn opt(x: f64) -> Option<f64> {
    if x.is_finite() {
        Some(x)
    } else {
        None
    }
}

/// Read the securities file (`ticker, exchange[, benchmark, group, name]`).
pub fn read_securities_file(path: &Path) -> Result<Vec<SecuritySpec>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let records = split_csv_records(&text, &file)?;
    let Some(header) = records.first() else {
        return Err(Error::file(file, "file is empty (no header, no rows)"));
    };
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let find = |n: &str| names.iter().position(|x| x == n);
    let Some(ti) = find("ticker").or_else(|| find("security")) else {
        return Err(Error::MissingColumn {
            file,
            column: "ticker".into(),
            present: names.join(", "),
        });
    };
    let get = |r: &crate::calendar::CsvRecord, i: Option<usize>| {
        i.and_then(|i| r.fields.get(i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut out = Vec::new();
    for r in &records[1..] {
        let Some(ticker) = get(r, Some(ti)) else {
            return Err(Error::cell(&file, r.row, &names[ti], "empty ticker"));
        };
        out.push(SecuritySpec {
            ticker,
            exchange: get(r, find("exchange")),
            benchmark: get(r, find("benchmark")),
            group: get(r, find("group")),
            name: get(r, find("name")),
        });
    }
    Ok(out)
}

/// SHA-256 of a file, hex.
/// Size and SHA-256 of an input file (for `run.json`), read in 1 MiB blocks.
fn file_digest(path: &Path) -> Option<(u64, String)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut block).ok()?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
        size += n as u64;
    }
    Some((
        size,
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    ))
}

/// Run the whole study. Errors stop the run; everything else is an exclusion row.
pub fn run_study(cfg: &StudyConfig) -> Result<(StudyTables, RunSummary)> {
    run_study_with_series(cfg).map(|(t, s, _)| (t, s))
}

/// [`run_study`], also returning the aligned series of every security that entered the
/// analysis (for placebo simulations on the real panel, `evstudy simulate --config`).
pub fn run_study_with_series(
    cfg: &StudyConfig,
) -> Result<(StudyTables, RunSummary, Vec<AlignedSeries>)> {
    let (est, windows) = cfg.validate()?;
    let kind = cfg.model_kind()?;
    let default_time = NaiveTime::parse_from_str(&cfg.default_event_time, "%H:%M")
        .map_err(|_| Error::config("default_event_time must be HH:MM"))?;
    let mut summary = RunSummary::default();
    let mut clock = std::time::Instant::now();
    let mut lap = |summary: &mut RunSummary, name: &'static str| {
        let now = std::time::Instant::now();
        summary.timings.push((name, (now - clock).as_secs_f64()));
        clock = now;
    };

    // ---- inputs ----
    // The input digests for run.json are computed while the prices are read.
    let digest_paths: Vec<PathBuf> = cfg
        .prices
        .iter()
        .map(|s| s.path.clone())
        .chain(cfg.factors.iter().map(|f| f.path.clone()))
        .chain(cfg.events.clone())
        .chain(cfg.securities_file.clone())
        .collect();
    let (panel, digests) = rayon::join(
        || read_all(&cfg.prices, cfg.prefer.as_deref()),
        || {
            digest_paths
                .iter()
                .filter_map(|p| {
                    file_digest(p).map(|(size, hash)| (p.display().to_string(), size, hash))
                })
                .collect::<Vec<_>>()
        },
    );
    let panel = panel?;
    if cfg.trade_to_trade && panel.series.values().any(|s| s.kind == ValueKind::Return) {
        return Err(Error::config(
            "trade_to_trade needs prices, not a returns column",
        ));
    }
    let factors: Option<FactorTable> = match (&cfg.factors, kind) {
        (Some(f), ModelKind::Factor) => Some(read_factors(f)?),
        _ => None,
    };
    let holidays = if cfg.holidays == "builtin" {
        HolidayTable::builtin()
    } else {
        HolidayTable::from_csv(Path::new(&cfg.holidays))?
    };
    let events_path = cfg
        .events
        .as_ref()
        .ok_or_else(|| Error::config("no event file"))?;
    let all_events = read_events(events_path)?;
    let mut spec_list = cfg.securities.clone();
    if let Some(p) = &cfg.securities_file {
        spec_list.extend(read_securities_file(p)?);
    }
    let specs: BTreeMap<String, SecuritySpec> = spec_list
        .iter()
        .map(|s| (s.ticker.clone(), s.clone()))
        .collect();
    summary.inputs.extend(digests);
    let benchmark_of = |ticker: &str| -> Option<String> {
        specs
            .get(ticker)
            .and_then(|s| s.benchmark.clone())
            .or_else(|| cfg.market.clone())
    };
    if needs_benchmark(kind)
        && cfg.market.is_none()
        && spec_list.iter().all(|s| s.benchmark.is_none())
    {
        return Err(Error::config(format!(
            "model {} needs a benchmark: set market = \"TICKER\"",
            cfg.model
        )));
    }

    let mut tables = StudyTables::default();

    lap(&mut summary, "load");
    // ---- events → pairs ----
    let (events, unverified) = filter_verified(all_events, cfg.include_unverified);
    let benchmarks: BTreeSet<String> = cfg
        .market
        .iter()
        .cloned()
        .chain(spec_list.iter().filter_map(|s| s.benchmark.clone()))
        .collect();
    let all_securities: Vec<String> = if !spec_list.is_empty() {
        spec_list
            .iter()
            .map(|s| s.ticker.clone())
            .filter(|t| !benchmarks.contains(t))
            .collect()
    } else {
        panel
            .series
            .keys()
            .filter(|t| !benchmarks.contains(*t))
            .cloned()
            .collect()
    };
    let mut groups = cfg.groups.clone();
    for s in &spec_list {
        if let Some(g) = &s.group {
            groups.entry(g.clone()).or_default().push(s.ticker.clone());
        }
    }
    for ev in &unverified {
        for t in expand_scope(&ev.scope, &groups, &all_securities) {
            tables.exclusions.push(input_exclusion(
                &t,
                &ev.event_id,
                "unverified_event",
                "event marked verified = no; set include_unverified = true to keep it".into(),
            ));
        }
    }
    let mut pairs: Vec<Pair> = Vec::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for (ei, ev) in events.iter().enumerate() {
        let scope = expand_scope(&ev.scope, &groups, &all_securities);
        if scope.is_empty() {
            tables.exclusions.push(input_exclusion(
                "",
                &ev.event_id,
                "empty_scope",
                format!("row {}: the event names no security", ev.row),
            ));
        }
        for t in scope {
            if !seen.insert((ev.event_id.clone(), t.clone())) {
                tables.exclusions.push(input_exclusion(
                    &t,
                    &ev.event_id,
                    "duplicate_event",
                    format!("listed again on row {}", ev.row),
                ));
                continue;
            }
            pairs.push(Pair {
                event: ei,
                security: t,
                group: ev.group.clone().unwrap_or_else(|| "all".to_string()),
                sec: usize::MAX,
                day0: None,
                result: None,
            });
        }
    }
    summary.pairs_total = pairs.len()
        + tables
            .exclusions
            .iter()
            .filter(|e| e.reason == "unverified_event")
            .count();

    // ---- securities and calendars ----
    let exchange_of = |ticker: &str| -> Option<String> {
        specs
            .get(ticker)
            .and_then(|s| s.exchange.clone())
            .or_else(|| exchange_for_ticker(ticker).map(str::to_string))
    };
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for p in &mut pairs {
        let ev = &events[p.event];
        if !panel.series.contains_key(&p.security) {
            tables.exclusions.push(input_exclusion(
                &p.security,
                &ev.event_id,
                "unknown_security",
                "no prices for this security".into(),
            ));
            continue;
        }
        if needs_benchmark(kind) || cfg.calendar == CalendarMode::Data {
            match benchmark_of(&p.security) {
                Some(b) if panel.series.contains_key(&b) => {}
                Some(b) => {
                    tables.exclusions.push(input_exclusion(
                        &p.security,
                        &ev.event_id,
                        "unknown_benchmark",
                        format!("no prices for benchmark {b}"),
                    ));
                    continue;
                }
                None => {
                    tables.exclusions.push(input_exclusion(
                        &p.security,
                        &ev.event_id,
                        "unknown_benchmark",
                        "no benchmark configured".into(),
                    ));
                    continue;
                }
            }
        }
        if cfg.calendar == CalendarMode::Exchange {
            match exchange_of(&p.security) {
                Some(x) if builtin_exchange(&x).is_some() => {}
                other => {
                    tables.exclusions.push(input_exclusion(
                        &p.security,
                        &ev.event_id,
                        "unknown_exchange",
                        match other {
                            Some(x) => format!("exchange {x} has no calendar (known: XSHG, XSHE, XHKG, XNYS, XNAS)"),
                            None => "no exchange for this ticker: set it in the securities table".into(),
                        },
                    ));
                    continue;
                }
            }
        }
        wanted.insert(p.security.clone());
    }

    // Calendars: one per exchange (from the data of every series mapped to it), or one per
    // benchmark in data mode.
    let mut calendars: Vec<CalendarEntry> = Vec::new();
    let mut calendar_index: HashMap<String, usize> = HashMap::new();
    let mut calendar_of: HashMap<String, usize> = HashMap::new();
    match cfg.calendar {
        CalendarMode::Exchange => {
            let mut dates_by_exchange: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
            let mapped: BTreeSet<String> = wanted
                .iter()
                .cloned()
                .chain(spec_list.iter().map(|s| s.ticker.clone()))
                .collect();
            for t in &mapped {
                if let (Some(x), Some(s)) = (exchange_of(t), panel.series.get(t)) {
                    dates_by_exchange
                        .entry(x)
                        .or_default()
                        .extend(s.dates.iter().copied());
                }
            }
            for (x, mut dates) in dates_by_exchange {
                let Some(spec) = builtin_exchange(&x) else {
                    continue;
                };
                dates.sort_unstable();
                dates.dedup();
                let cal = SessionCalendar::for_exchange(&spec, &holidays, &dates);
                calendar_index.insert(x.clone(), calendars.len());
                calendars.push(CalendarEntry {
                    calendar: cal,
                    tz: Some(spec.tz),
                });
            }
            for t in &wanted {
                if let Some(i) = exchange_of(t).and_then(|x| calendar_index.get(&x).copied()) {
                    calendar_of.insert(t.clone(), i);
                }
            }
        }
        CalendarMode::Data => {
            for t in &wanted {
                let Some(b) = benchmark_of(t) else { continue };
                let i = match calendar_index.get(&b) {
                    Some(&i) => i,
                    None => {
                        let s = &panel.series[&b];
                        let dates: Vec<NaiveDate> = s
                            .dates
                            .iter()
                            .zip(&s.values)
                            .filter(|(_, v)| v.is_finite())
                            .map(|(d, _)| *d)
                            .collect();
                        calendar_index.insert(b.clone(), calendars.len());
                        calendars.push(CalendarEntry {
                            calendar: SessionCalendar::from_data_dates(&dates),
                            tz: None,
                        });
                        calendars.len() - 1
                    }
                };
                calendar_of.insert(t.clone(), i);
            }
        }
    }

    // ---- aligned series, one per security ----
    let mut securities: Vec<SecurityData> = Vec::new();
    let mut security_index: HashMap<String, usize> = HashMap::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let mut aligned_benchmarks: HashMap<(String, usize), (crate::returns::OnCalendar, Arc<[f64]>)> =
        HashMap::new();
    // One date column per calendar, shared by its securities.
    let calendar_dates: Vec<Arc<[NaiveDate]>> = calendars
        .iter()
        .map(|c| c.calendar.dates().into())
        .collect();
    for t in &wanted {
        let Some(&ci) = calendar_of.get(t) else {
            continue;
        };
        let cal = &calendars[ci].calendar;
        let sessions = cal.dates();
        let label = cal.label().to_string();
        let s = &panel.series[t];
        let bench = if needs_benchmark(kind) {
            benchmark_of(t)
        } else {
            None
        };
        let mut report_series = |series: &PriceSeries,
                                 tables: &mut StudyTables,
                                 on: &crate::returns::OnCalendar| {
            if !reported.insert(series.ticker.clone()) {
                return;
            }
            if on.off_calendar > 0 {
                tables.exclusions.push(input_exclusion(
                    &series.ticker,
                    "",
                    "off_calendar_prices",
                    format!(
                        "{} price row(s) on dates that are not {} sessions, first {}",
                        on.off_calendar,
                        label,
                        on.first_off_calendar
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ),
                ));
            }
            if series.issues.bad_price > 0 {
                tables.exclusions.push(input_exclusion(
                    &series.ticker,
                    "",
                    "bad_price",
                    format!(
                        "{} unusable price(s) (empty, not finite or ≤ 0) treated as missing, first {}",
                        series.issues.bad_price,
                        series.issues.first_bad_price.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ));
            }
            if let (true, Some((factor, date))) = (
                series.issues.price_jumps > 0,
                series.issues.largest_price_jump,
            ) {
                tables.exclusions.push(input_exclusion(
                    &series.ticker,
                    "",
                    "price_jump",
                    format!(
                        "{} close-to-close move(s) by a factor above {} (first {}, largest ×{:.3e} on {}): \
                         check units, split adjustment or a misplaced decimal point; prices kept as given",
                        series.issues.price_jumps,
                        crate::data::PRICE_JUMP_FACTOR,
                        series.issues.first_price_jump.map(|d| d.to_string()).unwrap_or_default(),
                        factor,
                        date
                    ),
                ));
            }
            if series.issues.suspended > 0 {
                tables.exclusions.push(input_exclusion(
                    &series.ticker,
                    "",
                    "suspended",
                    format!(
                        "{} suspended day(s) treated as missing prices, first {}",
                        series.issues.suspended,
                        series
                            .issues
                            .first_suspended
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ),
                ));
            }
        };
        let on = align_to_sessions(&s.dates, &s.values, sessions);
        report_series(s, &mut tables, &on);
        let is_returns = s.kind == ValueKind::Return;
        let daily = if is_returns {
            on.values.clone()
        } else {
            daily_returns(&on.values, cfg.returns)
        };
        let (ret, span, daily) = if cfg.trade_to_trade {
            let (ret, span) = trade_to_trade_returns(&on.values, cfg.returns);
            (ret, span, Some(daily))
        } else {
            // Daily returns: every span is 1, and the engine reads spans only in
            // trade-to-trade mode (see `AlignedSeries::span`).
            (daily, Vec::new(), None)
        };
        let mut series = AlignedSeries {
            security: t.clone(),
            dates: Arc::clone(&calendar_dates[ci]),
            ret,
            span,
            ..Default::default()
        };
        if let Some(b) = &bench {
            let bs = &panel.series[b];
            // One aligned benchmark per (benchmark, calendar), shared by its securities.
            let (bon, bdaily) = aligned_benchmarks
                .entry((b.clone(), ci))
                .or_insert_with(|| {
                    let bon = align_to_sessions(&bs.dates, &bs.values, sessions);
                    let bdaily: Arc<[f64]> = if bs.kind == ValueKind::Return {
                        bon.values.clone().into()
                    } else {
                        daily_returns(&bon.values, cfg.returns).into()
                    };
                    (bon, bdaily)
                });
            // The benchmark's own off-calendar rows are only meaningful on its own calendar.
            if exchange_of(b).map(|x| x == label).unwrap_or(false)
                || cfg.calendar == CalendarMode::Data
            {
                report_series(bs, &mut tables, bon);
            }
            series.bench = if cfg.trade_to_trade {
                span_returns_from_closes(&bon.values, &series.span, cfg.returns).into()
            } else {
                Arc::clone(bdaily)
            };
            series.bench_daily = Arc::clone(bdaily);
        }
        if let Some(f) = &factors {
            let pos: Vec<Option<usize>> = sessions.iter().map(|d| f.position(*d)).collect();
            let lookup = |col: &[f64]| -> Vec<f64> {
                pos.iter()
                    .map(|p| p.map(|i| col[i]).unwrap_or(f64::NAN))
                    .collect()
            };
            for (name, col) in f.names.iter().zip(&f.columns) {
                let daily_f = lookup(col);
                series.factors.push(if cfg.trade_to_trade {
                    compound_over_spans(&daily_f, &series.span, cfg.returns)
                } else {
                    daily_f
                });
                series.factor_names.push(name.clone());
            }
            if !f.rf.is_empty() {
                let daily_rf = lookup(&f.rf);
                series.rf = if cfg.trade_to_trade {
                    compound_over_spans(&daily_rf, &series.span, cfg.returns)
                } else {
                    daily_rf
                };
            }
        }
        security_index.insert(t.clone(), securities.len());
        securities.push(SecurityData {
            calendar: ci,
            series,
            daily,
            benchmark: bench,
        });
    }
    // The prices are no longer needed: later phases reuse their memory.
    drop(panel);

    lap(&mut summary, "calendars_and_returns");
    // ---- day 0 ----
    for p in &mut pairs {
        let Some(&si) = security_index.get(&p.security) else {
            continue;
        };
        p.sec = si;
        let ev = &events[p.event];
        let entry = &calendars[securities[si].calendar];
        let out = map_day0(
            &entry.calendar,
            ev.date,
            ev.time.as_deref(),
            ev.tz.as_deref(),
            entry.tz,
            default_time,
            cfg.max_shift_days,
        );
        tables
            .day0
            .push(out.to_row(&ev.event_id, &p.security, entry.calendar.label()));
        match out.day0() {
            Some(d) => p.day0 = Some((d.index, d.date)),
            None => {
                if let Some(x) = out.to_exclusion(&ev.event_id, &p.security) {
                    tables.exclusions.push(x);
                }
            }
        }
    }

    lap(&mut summary, "day0");
    // ---- engine ----
    let engine_cfg = EngineConfig {
        model: kind,
        returns: cfg.returns,
        estimation: est,
        windows: windows.clone(),
        min_estimation_returns: cfg.min_estimation_returns,
        dimson_lags: cfg.dimson_lags,
        trade_to_trade: cfg.trade_to_trade,
    };
    let h = engine_cfg.event_period();
    // Move the aligned series out (no copy); `securities[i]` keeps calendar, daily returns and
    // benchmark, `series_list[i]` the columns.
    let series_list: Vec<AlignedSeries> = securities
        .iter_mut()
        .map(|s| std::mem::take(&mut s.series))
        .collect();
    // A security's daily returns: its own column in trade-to-trade mode, else the model's.
    let daily_of = |s: usize| -> &[f64] {
        securities[s]
            .daily
            .as_deref()
            .unwrap_or(&series_list[s].ret)
    };
    let todo: Vec<usize> = (0..pairs.len())
        .filter(|&i| pairs[i].day0.is_some())
        .collect();
    let jobs: Vec<PairJob> = todo
        .iter()
        .map(|&i| PairJob {
            series: pairs[i].sec,
            day0: pairs[i].day0.map(|d| d.0).unwrap_or(0),
        })
        .collect();
    let batch = Engine::new(&engine_cfg).analyse_batch(&series_list, &jobs);
    for (slot, &i) in todo.iter().enumerate() {
        let p = &mut pairs[i];
        match batch.get(slot) {
            Ok(_) => p.result = Some(slot),
            Err(e) => {
                tables
                    .exclusions
                    .push(pair_exclusion(&events[p.event].event_id, &p.security, e))
            }
        }
    }
    summary.pairs_analysed = pairs.iter().filter(|p| p.result.is_some()).count();

    lap(&mut summary, "compute");
    // ---- per-pair tables ----
    // Sized once: a growing table of 10⁶ rows would hold its old and new buffers at once
    // (twice the final size in memory, all of it fresh pages). The same-date portfolios add
    // their rows later: each is a cluster of ≥ 2 pairs of one primary label, and a pair has
    // one primary label, so there are at most half as many as pairs (capacity that is never
    // written takes no memory).
    let with_portfolios = summary.pairs_analysed + summary.pairs_analysed / 2;
    tables.abnormal_returns.reserve(with_portfolios * h.len());
    tables.cars.reserve(with_portfolios * windows.len());
    tables.model_fits.reserve(with_portfolios);
    for p in &pairs {
        let Some(Ok(res)) = p.result.map(|slot| batch.get(slot)) else {
            continue;
        };
        let ev_id = &events[p.event].event_id;
        let cal = &calendars[securities[p.sec].calendar].calendar;
        let day0 = p.day0.map(|d| d.0).unwrap_or(0);
        push_pair_rows(&mut tables, ev_id, &p.security, &p.group, res, cal, day0);
    }

    lap(&mut summary, "pair_tables");
    // ---- tests per group label ----
    let stats_cfg = StatsConfig {
        estimation: est,
        windows: windows.clone(),
        rbar_min_common_dates: cfg.rbar_min_common_dates,
        wilcoxon_exact: cfg.wilcoxon_exact,
        trade_to_trade: cfg.trade_to_trade,
    };
    // Calendar dates of the estimation days, as slices of one padded vector per calendar
    // (None outside the calendar): no per-pair allocation.
    let pad = (est.start.unsigned_abs() as usize).max(est.end.unsigned_abs() as usize) + 1;
    let padded_dates: Vec<Vec<Option<NaiveDate>>> = calendars
        .iter()
        .map(|c| {
            let mut v = vec![None; pad];
            v.extend(c.calendar.dates().iter().map(|d| Some(*d)));
            v.extend(std::iter::repeat_n(None, pad));
            v
        })
        .collect();
    let est_dates: Vec<&[Option<NaiveDate>]> = pairs
        .iter()
        .map(|p| match (&p.result, p.day0) {
            (Some(_), Some((d0, _))) => {
                let v = &padded_dates[securities[p.sec].calendar];
                let a = (d0 + pad) as i64 + est.start as i64;
                let b = (d0 + pad) as i64 + est.end as i64;
                &v[a as usize..=b as usize]
            }
            _ => &[][..],
        })
        .collect();
    let mut labels: BTreeMap<String, (bool, Vec<usize>)> = BTreeMap::new();
    for (i, p) in pairs.iter().enumerate() {
        if p.result.is_none() {
            continue;
        }
        let ev = &events[p.event];
        for g in &cfg.aggregate_by {
            let (label, primary) = match g.as_str() {
                "group" => (p.group.clone(), true),
                "all" => ("all".to_string(), p.group == "all"),
                "category" => (
                    format!(
                        "category:{}",
                        if ev.category.is_empty() {
                            "none"
                        } else {
                            &ev.category
                        }
                    ),
                    false,
                ),
                "security_group" => (
                    format!(
                        "security_group:{}",
                        specs
                            .get(&p.security)
                            .and_then(|s| s.group.clone())
                            .unwrap_or_else(|| "none".into())
                    ),
                    false,
                ),
                _ => (format!("event:{}", ev.event_id), false),
            };
            let e = labels.entry(label).or_insert((false, Vec::new()));
            e.0 |= primary;
            // Pairs come in increasing order: a label seen twice for one pair (e.g. `group`
            // and `all` both giving `all`) is the last element.
            if e.1.last() != Some(&i) {
                e.1.push(i);
            }
        }
    }
    for (label, (primary, members)) in &labels {
        let stats_events: Vec<StatsEvent> = members
            .iter()
            .filter_map(|&i| {
                // Labels hold analysed pairs only.
                let p = &pairs[i];
                Some(StatsEvent {
                    event_id: &events[p.event].event_id,
                    security: &p.security,
                    day0: p.day0.map(|d| d.1).unwrap_or_default(),
                    est_dates: est_dates[i],
                    result: batch.get(p.result?).ok()?,
                })
            })
            .collect();
        let battery = group_battery(label, &stats_events, &stats_cfg);
        tables.tests.extend(battery.tests);
        tables.aggregate.extend(battery.aggregate);
        summary
            .diagnostics
            .push((label.clone(), battery.diagnostics));

        // ---- same-date portfolios (§10) ----
        let mut clusters: BTreeMap<(String, NaiveDate, String), BTreeSet<usize>> = BTreeMap::new();
        for &i in members {
            let p = &pairs[i];
            let sd = &securities[p.sec];
            let cal_label = calendars[sd.calendar].calendar.label().to_string();
            let bench = if kind == ModelKind::Factor {
                "factors".to_string()
            } else {
                sd.benchmark.clone().unwrap_or_else(|| "none".into())
            };
            let Some((_, d0)) = p.day0 else { continue };
            clusters
                .entry((cal_label, d0, bench))
                .or_default()
                .insert(p.sec);
        }
        let cluster_list: Vec<((String, NaiveDate, String), BTreeSet<usize>)> = clusters
            .into_iter()
            .filter(|(_, secs)| secs.len() >= 2)
            .collect();
        let lo_pad = cfg.dimson_lags as i64 + 1;
        let fitted: Vec<
            Option<(
                String,
                usize,
                usize,
                Result<(PairResult, Vec<u32>), PairExclusion>,
                u32,
            )>,
        > = cluster_list
            .par_iter()
            .map(|((cal_label, d0, bench), secs)| {
                let cluster_id = format!(
                    "PF:{}:{}:{}",
                    if cal_label.starts_with("DATA") {
                        "DATA"
                    } else {
                        cal_label
                    },
                    d0,
                    bench
                );
                let first = *secs.iter().next()?;
                let ci = securities[first].calendar;
                let cal = &calendars[ci].calendar;
                let day0 = cal.position(*d0)?;
                let n = cal.len();
                // Only the positions the engine reads (estimation window, event period, and the
                // leads/lags of Scholes–Williams and Dimson) are needed.
                let lo = (day0 as i64 + est.start as i64 - lo_pad).max(0) as usize;
                let hi = ((day0 as i64 + h.end as i64 + lo_pad).max(0) as usize)
                    .min(n.saturating_sub(1));
                // The portfolio series covers only positions lo..=hi (day 0 shifted to day0 − lo):
                // the engine reads nothing else, and nothing is copied for the rest.
                let hi = hi.max(lo).min(n.saturating_sub(1));
                let mut ret = vec![f64::NAN; hi - lo + 1];
                for j in lo..=hi {
                    let (mut sum, mut cnt) = (0.0, 0usize);
                    for &s in secs {
                        let x = daily_of(s)[j];
                        if x.is_finite() {
                            sum += x;
                            cnt += 1;
                        }
                    }
                    if cnt > 0 {
                        ret[j - lo] = sum / cnt as f64;
                    }
                }
                let proto = &series_list[first];
                let cut = |v: &[f64]| {
                    if v.is_empty() {
                        Vec::new()
                    } else {
                        v[lo..=hi].to_vec()
                    }
                };
                let bench_cut: Arc<[f64]> = cut(&proto.bench_daily).into();
                let span = ret
                    .iter()
                    .map(|r| if r.is_finite() { 1 } else { 0 })
                    .collect();
                let mut pf_series = AlignedSeries {
                    security: "PORTFOLIO".into(),
                    dates: proto.dates[lo..=hi].into(),
                    ret,
                    span,
                    bench: Arc::clone(&bench_cut),
                    bench_daily: bench_cut,
                    factors: if cfg.trade_to_trade {
                        Vec::new()
                    } else {
                        proto.factors.iter().map(|f| cut(f)).collect()
                    },
                    factor_names: proto.factor_names.clone(),
                    rf: if cfg.trade_to_trade {
                        Vec::new()
                    } else {
                        cut(&proto.rf)
                    },
                };
                if cfg.trade_to_trade && kind == ModelKind::Factor {
                    // Portfolios always use daily values (§10): rebuild daily factors.
                    if let Some(f) = &factors {
                        let pos: Vec<Option<usize>> =
                            pf_series.dates.iter().map(|d| f.position(*d)).collect();
                        pf_series.factors = f
                            .columns
                            .iter()
                            .map(|c| {
                                pos.iter()
                                    .map(|p| p.map(|i| c[i]).unwrap_or(f64::NAN))
                                    .collect()
                            })
                            .collect();
                        if !f.rf.is_empty() {
                            pf_series.rf = pos
                                .iter()
                                .map(|p| p.map(|i| f.rf[i]).unwrap_or(f64::NAN))
                                .collect();
                        }
                    }
                }
                let pf_cfg = EngineConfig {
                    trade_to_trade: false,
                    ..engine_cfg.clone()
                };
                let pf_engine = Engine::new(&pf_cfg);
                let outcome = pf_engine.analyse(&pf_series, day0 - lo).map(|res| {
                    let members_per_day: Vec<u32> = (h.start..=h.end)
                        .map(|t| {
                            position(day0, t)
                                .filter(|&j| j < n)
                                .map(|j| {
                                    secs.iter().filter(|&&s| daily_of(s)[j].is_finite()).count()
                                        as u32
                                })
                                .unwrap_or(0)
                        })
                        .collect();
                    (res, members_per_day)
                });
                Some((cluster_id, ci, day0, outcome, secs.len() as u32))
            })
            .collect();
        for (cluster_id, ci, day0, outcome, n_members) in fitted.into_iter().flatten() {
            let cal = &calendars[ci].calendar;
            match outcome {
                Ok((res, members_per_day)) => {
                    tables.tests.extend(portfolio_test_rows(
                        label,
                        &cluster_id,
                        &res,
                        &members_per_day,
                        n_members,
                        &stats_cfg,
                    ));
                    if *primary {
                        push_pair_rows(
                            &mut tables,
                            &cluster_id,
                            "PORTFOLIO",
                            label,
                            res.view(),
                            cal,
                            day0,
                        );
                    }
                }
                Err(e) => {
                    if *primary {
                        let mut x = pair_exclusion(&cluster_id, "PORTFOLIO", &e);
                        x.stage = Stage::Portfolio;
                        tables.exclusions.push(x);
                    }
                }
            }
        }
    }
    lap(&mut summary, "tests_and_portfolios");
    Ok((tables, summary, series_list))
}

/// Position day0 + t, if it is ≥ 0.
fn position(day0: usize, t: i32) -> Option<usize> {
    let j = day0 as i64 + t as i64;
    if j >= 0 {
        Some(j as usize)
    } else {
        None
    }
}

fn push_pair_rows(
    tables: &mut StudyTables,
    event_id: &str,
    security: &str,
    group: &str,
    res: PairView,
    cal: &SessionCalendar,
    day0: usize,
) {
    let h: Window = res.event_period;
    for (k, t) in (h.start..=h.end).enumerate() {
        let ar = res.ar[k];
        tables.abnormal_returns.push(AbnormalReturnRow {
            event_id: event_id.to_string(),
            security: security.to_string(),
            group: group.to_string(),
            rel_day: t,
            date: position(day0, t).and_then(|j| cal.date(j)),
            ret: opt(res.ret[k]),
            expected_ret: opt(res.expected_ret[k]),
            ar: opt(ar),
            sar: opt(res.sar[k]),
            ar_se: opt(res.ar_se[k]),
            ar_p: opt(res.ar_p[k]),
            span: if ar.is_finite() {
                Some(res.span[k])
            } else {
                None
            },
        });
    }
    for w in res.windows {
        tables.cars.push(CarRow {
            event_id: event_id.to_string(),
            security: security.to_string(),
            group: group.to_string(),
            window: w.window.label(),
            car: w.car,
            car_se: w.car_se,
            car_t: w.car_t,
            car_p: w.car_p,
            scar: w.scar,
            bhar: w.bhar,
            n_days: w.n_days,
        });
    }
    let f = &res.fit;
    tables.model_fits.push(ModelFitRow {
        event_id: event_id.to_string(),
        security: security.to_string(),
        group: group.to_string(),
        model: f.model_name.to_string(),
        n_est: f.n_est as u32,
        df: f.df as u32,
        sigma: opt(f.sigma),
        alpha: f.alpha,
        beta: f.beta,
        r2: f.r2,
        extras: f.extras.iter().map(|(n, v)| (n.clone(), opt(*v))).collect(),
    });
    for e in res.exclusions {
        tables
            .exclusions
            .push(pair_exclusion(event_id, security, e));
    }
}
