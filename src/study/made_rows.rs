//! The per-pair tables (`abnormal_returns`, `cars`, `model_fits`) made from the engine's batch
//! when they are written, a range of rows at a time, instead of held as one struct per row
//! (13 M `abnormal_returns` rows at 500,000 pairs): the command line's runs write their
//! tables and drop them.
//!
//! The rows are those the held tables would have after sorting (§12: event_id, security, then
//! rel_day or window): each pair's (or same-date portfolio's) rows form a block — |H|
//! `abnormal_returns` rows, one `cars` row per window, one `model_fits` row — and the blocks
//! are sorted by (event_id, security). When two blocks share that key, the row order of the
//! sort would interleave them; such a run holds its rows as before ([`make_pair_tables`]
//! returns them).

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use super::rows::{ar_row, car_row, fit_row, ArBlock, ArValues};
use crate::abnormal::{DayColumn, PairBatch, PairView, Window};
use crate::tables::{
    AbnormalReturnRow, AbnormalReturnSource, CarRow, ColumnValues, Label, ModelFitRow, RowSource,
    StudyTables,
};

/// The block of one pair (made from the batch) or of one portfolio (held).
#[derive(Debug)]
enum Block {
    Pair(ArBlock),
    /// The portfolio's index among the held blocks.
    Held(usize),
}

/// The rows held for the same-date portfolios: |H| `abnormal_returns` rows, one `cars` row
/// per window and one `model_fits` row per portfolio, in the order the portfolios were added.
#[derive(Debug, Default)]
pub(crate) struct HeldRows {
    pub abnormal_returns: Vec<AbnormalReturnRow>,
    pub cars: Vec<CarRow>,
    pub model_fits: Vec<ModelFitRow>,
}

impl HeldRows {
    /// The held rows taken out of `tables` (the `cars` and `model_fits` rows only when they
    /// are made).
    pub fn take(tables: &mut StudyTables, cars_made: bool) -> HeldRows {
        HeldRows {
            abnormal_returns: std::mem::take(&mut tables.abnormal_returns),
            cars: if cars_made {
                std::mem::take(&mut tables.cars)
            } else {
                Vec::new()
            },
            model_fits: if cars_made {
                std::mem::take(&mut tables.model_fits)
            } else {
                Vec::new()
            },
        }
    }
}

/// The blocks in row order, the batch and the held rows, shared by the made tables.
#[derive(Debug)]
struct Blocks {
    batch: PairBatch,
    h: Window,
    n_windows: usize,
    blocks: Vec<Block>,
    held: HeldRows,
}

impl Blocks {
    /// The engine's view of the pair of block `b`.
    fn view(&self, b: &ArBlock) -> PairView<'_> {
        match self.batch.get(b.slot) {
            Ok(res) => res,
            // A block is made only for a pair with results (`push_all_pair_rows`).
            Err(_) => unreachable!("block of a pair without results"),
        }
    }

    fn ar(&self, r: usize) -> AbnormalReturnRow {
        let hl = self.h.len();
        let k = r % hl;
        match &self.blocks[r / hl] {
            Block::Held(i) => self.held.abnormal_returns[i * hl + k].clone(),
            Block::Pair(b) => ar_row(&b.ids, &self.view(b), &b.dates, b.day0, k),
        }
    }

    /// `abnormal_returns` rows `range` as columns, in the table's column order.
    fn ar_columns(&self, range: Range<usize>) -> Vec<ColumnValues<'_>> {
        let hl = self.h.len();
        let mut cols = ArColumns::with_capacity(range.len());
        let mut r = range.start;
        while r < range.end {
            let (k0, block) = (r % hl, &self.blocks[r / hl]);
            let k1 = hl.min(k0 + (range.end - r));
            match block {
                Block::Held(i) => {
                    for row in &self.held.abnormal_returns[i * hl + k0..i * hl + k1] {
                        cols.labels([&row.event_id, &row.security, &row.group], 1);
                        cols.values(ArValues::of_row(row));
                    }
                }
                Block::Pair(b) => {
                    let res = self.view(b);
                    cols.labels([&b.ids.event_id, &b.ids.security, &b.ids.group], k1 - k0);
                    cols.pair_values(&res, &b.dates, b.day0, k0..k1);
                }
            }
            r += k1 - k0;
        }
        cols.into_columns()
    }

    fn car(&self, r: usize) -> CarRow {
        let nw = self.n_windows;
        let w = r % nw;
        match &self.blocks[r / nw] {
            Block::Held(i) => self.held.cars[i * nw + w].clone(),
            Block::Pair(b) => car_row(&b.ids, &self.view(b), w),
        }
    }

    fn fit(&self, r: usize) -> ModelFitRow {
        match &self.blocks[r] {
            Block::Held(i) => self.held.model_fits[*i].clone(),
            Block::Pair(b) => fit_row(&b.ids, &self.view(b)),
        }
    }
}

/// The columns of some `abnormal_returns` rows, being filled.
struct ArColumns<'a> {
    /// event_id, security and group, as runs of one label.
    labels: [Vec<(&'a str, usize)>; 3],
    rel_day: Vec<i32>,
    date: Vec<Option<chrono::NaiveDate>>,
    /// ret, expected_ret, ar, sar, ar_se, ar_p (NaN where missing).
    values: [Vec<f64>; 6],
    span: Vec<Option<u32>>,
    /// One pair's ret, expected_ret, ar, sar, ar_se and ar_p, read all days at once.
    pair: [Vec<f64>; 6],
    /// That pair's spans.
    pair_span: Vec<u32>,
}

impl<'a> ArColumns<'a> {
    fn with_capacity(n: usize) -> Self {
        ArColumns {
            labels: std::array::from_fn(|_| Vec::new()),
            rel_day: Vec::with_capacity(n),
            date: Vec::with_capacity(n),
            values: std::array::from_fn(|_| Vec::with_capacity(n)),
            span: Vec::with_capacity(n),
            pair: std::array::from_fn(|_| Vec::new()),
            pair_span: Vec::new(),
        }
    }

    /// The cells of days `ks` of the pair `res` (day 0 at position `day0` of `dates`) after
    /// their labels.
    fn pair_values(
        &mut self,
        res: &PairView,
        dates: &[chrono::NaiveDate],
        day0: usize,
        ks: Range<usize>,
    ) {
        let columns = [
            res.ret,
            res.expected_ret,
            DayColumn::held(res.ar),
            res.sar,
            res.ar_se,
            res.ar_p,
        ];
        for (buf, col) in self.pair.iter_mut().zip(columns) {
            buf.clear();
            col.extend_into(buf);
        }
        self.pair_span.clear();
        res.span.extend_into(&mut self.pair_span);
        for k in ks {
            let cells = std::array::from_fn(|c| self.pair[c][k]);
            let h = res.event_period;
            let v = ArValues::from_cells(h, dates, day0, k, cells, self.pair_span[k]);
            self.values(v);
        }
    }

    /// The labels of the next `rows` rows.
    fn labels(&mut self, labels: [&'a Label; 3], rows: usize) {
        for (runs, label) in self.labels.iter_mut().zip(labels) {
            runs.push((label.as_str(), rows));
        }
    }

    /// The cells of the next row after its labels.
    fn values(&mut self, v: ArValues) {
        self.rel_day.push(v.rel_day);
        self.date.push(v.date);
        let cells = [v.ret, v.expected_ret, v.ar, v.sar, v.ar_se, v.ar_p];
        for (col, x) in self.values.iter_mut().zip(cells) {
            col.push(x);
        }
        self.span.push(v.span);
    }

    /// The columns in the order of [`AbnormalReturnRow`]'s.
    fn into_columns(self) -> Vec<ColumnValues<'a>> {
        let [event_id, security, group] = self.labels;
        let mut out = vec![
            ColumnValues::TextRuns(event_id),
            ColumnValues::TextRuns(security),
            ColumnValues::TextRuns(group),
            ColumnValues::I32(self.rel_day),
            ColumnValues::OptDate(self.date),
        ];
        out.extend(self.values.into_iter().map(ColumnValues::FiniteF64));
        out.push(ColumnValues::OptU32(self.span));
        out
    }
}

/// `abnormal_returns` made on demand.
#[derive(Debug)]
struct MadeAbnormalReturns(Arc<Blocks>);

/// `cars` made on demand.
#[derive(Debug)]
struct MadeCars(Arc<Blocks>);

/// `model_fits` made on demand.
#[derive(Debug)]
struct MadeModelFits(Arc<Blocks>);

impl RowSource<AbnormalReturnRow> for MadeAbnormalReturns {
    fn len(&self) -> usize {
        self.0.blocks.len() * self.0.h.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<AbnormalReturnRow> {
        range.into_par_iter().map(|r| self.0.ar(r)).collect()
    }

    fn columns(&self, range: Range<usize>) -> Option<Vec<ColumnValues<'_>>> {
        Some(self.0.ar_columns(range))
    }
}

impl AbnormalReturnSource for MadeAbnormalReturns {
    fn rel_days(&self) -> BTreeSet<i32> {
        if self.0.blocks.is_empty() {
            BTreeSet::new()
        } else {
            (self.0.h.start..=self.0.h.end).collect()
        }
    }

    fn groups(&self) -> BTreeSet<String> {
        let pairs = self.0.blocks.iter().filter_map(|b| match b {
            Block::Pair(p) => Some(p.ids.group.to_string()),
            Block::Held(_) => None,
        });
        let held = self
            .0
            .held
            .abnormal_returns
            .iter()
            .map(|r| r.group.to_string());
        pairs.chain(held).collect()
    }
}

impl RowSource<CarRow> for MadeCars {
    fn len(&self) -> usize {
        self.0.blocks.len() * self.0.n_windows
    }

    fn rows(&self, range: Range<usize>) -> Vec<CarRow> {
        range.into_par_iter().map(|r| self.0.car(r)).collect()
    }
}

impl RowSource<ModelFitRow> for MadeModelFits {
    fn len(&self) -> usize {
        self.0.blocks.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<ModelFitRow> {
        range.into_par_iter().map(|r| self.0.fit(r)).collect()
    }
}

/// What the pairs' rows are made of: the pairs' `blocks` (in pair order), the portfolios'
/// rows, the batch, the event period and the number of windows.
pub(crate) struct PairTableParts {
    pub blocks: Vec<ArBlock>,
    pub held: HeldRows,
    pub batch: PairBatch,
    pub h: Window,
    pub n_windows: usize,
    /// Whether `cars` and `model_fits` are made too (else only `abnormal_returns`, and their
    /// rows are in the tables).
    pub cars_made: bool,
}

/// The made tables set in `tables` (`abnormal_returns_made`, and `cars_made` and
/// `model_fits_made` when `parts.cars_made`); or, when two blocks share (event_id,
/// security), the portfolios' rows do not form whole blocks or a row has extra columns,
/// every row held in `tables` in the order the held tables have before sorting (the pairs',
/// then the portfolios').
pub(crate) fn make_pair_tables(parts: PairTableParts, tables: &mut StudyTables) {
    let PairTableParts {
        blocks,
        held,
        batch,
        h,
        n_windows,
        cars_made,
    } = parts;
    let keys = held_block_keys(&held, h, n_windows, cars_made);
    let unique = keys.as_ref().is_some_and(|keys| {
        let mut all: Vec<(&Label, &Label)> = blocks
            .iter()
            .map(|b| (&b.ids.event_id, &b.ids.security))
            .chain(keys.iter().map(|(e, s)| (e, s)))
            .collect();
        all.par_sort_unstable();
        all.windows(2).all(|w| w[0] != w[1])
    });
    let Some(keys) = keys.filter(|_| unique && !(cars_made && has_extras(&blocks, &held, &batch)))
    else {
        hold_all(blocks, held, &batch, h, n_windows, cars_made, tables);
        return;
    };
    // the pairs' blocks become the table's blocks in place (a block is as large as a pair's)
    let mut all: Vec<Block> = blocks.into_iter().map(Block::Pair).collect();
    all.extend((0..keys.len()).map(Block::Held));
    // Keys are unique: any sort gives the order of the stable sort of the rows, and blocks
    // already in order (the pairs of a large study, usually) are not moved.
    if !all.is_sorted_by(|a, b| block_key(a, &keys) <= block_key(b, &keys)) {
        all.par_sort_unstable_by(|a, b| block_key(a, &keys).cmp(&block_key(b, &keys)));
    }
    let shared = Arc::new(Blocks {
        batch,
        h,
        n_windows,
        blocks: all,
        held,
    });
    tables.abnormal_returns_made = Some(Arc::new(MadeAbnormalReturns(Arc::clone(&shared))));
    if cars_made {
        tables.cars_made = Some(Arc::new(MadeCars(Arc::clone(&shared))));
        tables.model_fits_made = Some(Arc::new(MadeModelFits(shared)));
    }
}

/// The (event_id, security) of block `b`, a held block's from `held_keys`.
fn block_key<'a>(b: &'a Block, held_keys: &'a [(Label, Label)]) -> (&'a Label, &'a Label) {
    match b {
        Block::Pair(p) => (&p.ids.event_id, &p.ids.security),
        Block::Held(i) => (&held_keys[*i].0, &held_keys[*i].1),
    }
}

/// Whether a `model_fits` or `cars` row would have extra columns (a factor or lagged model's
/// coefficients, the single-firm quantile cells): the made tables have none, so such rows are
/// held.
fn has_extras(blocks: &[ArBlock], held: &HeldRows, batch: &PairBatch) -> bool {
    let pair = |b: &ArBlock| batch.get(b.slot).is_ok_and(|v| !v.fit.extras.is_empty());
    blocks.par_iter().any(pair)
        || held.model_fits.iter().any(|f| !f.extras.is_empty())
        || held.cars.iter().any(|c| !c.extras.is_empty())
}

/// Every row of the pairs (made from the batch) and of the portfolios held in `tables`, the
/// pairs' first.
fn hold_all(
    blocks: Vec<ArBlock>,
    held: HeldRows,
    batch: &PairBatch,
    h: Window,
    n_windows: usize,
    cars_made: bool,
    tables: &mut StudyTables,
) {
    let view = |b: &ArBlock| batch.get(b.slot).ok();
    let hl = h.len();
    let ar = (0..blocks.len() * hl).into_par_iter().filter_map(|r| {
        let b = &blocks[r / hl];
        view(b).map(|res| ar_row(&b.ids, &res, &b.dates, b.day0, r % hl))
    });
    tables.abnormal_returns.par_extend(ar);
    tables.abnormal_returns.extend(held.abnormal_returns);
    if cars_made {
        let nw = n_windows;
        let cars = (0..blocks.len() * nw).into_par_iter().filter_map(|r| {
            let b = &blocks[r / nw];
            view(b).map(|res| car_row(&b.ids, &res, r % nw))
        });
        tables.cars.par_extend(cars);
        tables.cars.extend(held.cars);
        let fits = blocks
            .par_iter()
            .filter_map(|b| view(b).map(|res| fit_row(&b.ids, &res)));
        tables.model_fits.par_extend(fits);
        tables.model_fits.extend(held.model_fits);
    }
}

/// The (event_id, security) of each portfolio's block of held rows, when every block is
/// whole: |H| `abnormal_returns` rows of days h.start..=h.end in order, and (when `cars` and
/// `model_fits` are made) `n_windows` `cars` rows and one `model_fits` row of the same key;
/// `None` otherwise.
fn held_block_keys(
    held: &HeldRows,
    h: Window,
    n_windows: usize,
    cars_made: bool,
) -> Option<Vec<(Label, Label)>> {
    let hl = h.len();
    let ar = &held.abnormal_returns;
    if hl == 0 || ar.len() % hl != 0 {
        return None;
    }
    let n = ar.len() / hl;
    if cars_made && (held.cars.len() != n * n_windows || held.model_fits.len() != n) {
        return None;
    }
    (0..n)
        .map(|i| {
            let block = &ar[i * hl..(i + 1) * hl];
            let first = &block[0];
            let key = |e: &Label, s: &Label| *e == first.event_id && *s == first.security;
            let whole = block
                .iter()
                .enumerate()
                .all(|(k, r)| r.rel_day == h.start + k as i32 && key(&r.event_id, &r.security))
                && (!cars_made
                    || (held.cars[i * n_windows..(i + 1) * n_windows]
                        .iter()
                        .all(|c| key(&c.event_id, &c.security))
                        && key(&held.model_fits[i].event_id, &held.model_fits[i].security)));
            whole.then(|| (first.event_id.clone(), first.security.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abnormal::{Engine, EngineConfig};
    use crate::model::ModelKind;
    use crate::returns::ReturnKind;

    fn window(start: i32, end: i32) -> Window {
        Window { start, end }
    }

    /// An empty batch (no pair), for blocks of portfolios only.
    fn empty_batch() -> PairBatch {
        let cfg = EngineConfig {
            model: ModelKind::MarketModel,
            returns: ReturnKind::Simple,
            estimation: window(-30, -3),
            windows: vec![window(-1, 1)],
            min_estimation_returns: 10,
            dimson_lags: 1,
            trade_to_trade: false,
        };
        Engine::new(&cfg).analyse_batch(&[], &[])
    }

    fn row(event: &str, security: &str, rel_day: i32) -> AbnormalReturnRow {
        AbnormalReturnRow {
            event_id: event.into(),
            security: security.into(),
            group: "all".into(),
            rel_day,
            date: None,
            ret: Some(rel_day as f64),
            expected_ret: None,
            ar: None,
            sar: None,
            ar_se: None,
            ar_p: None,
            span: None,
        }
    }

    fn car(event: &str, window: &str) -> CarRow {
        CarRow {
            event_id: event.into(),
            security: "PORTFOLIO".into(),
            group: "all".into(),
            window: window.into(),
            car: Some(0.01),
            car_se: None,
            car_t: None,
            car_p: None,
            scar: None,
            bhar: None,
            n_days: 3,
            extras: Vec::new(),
        }
    }

    fn fit(event: &str) -> ModelFitRow {
        ModelFitRow {
            event_id: event.into(),
            security: "PORTFOLIO".into(),
            group: "all".into(),
            model: "market_model".into(),
            n_est: 20,
            df: 18,
            sigma: Some(0.01),
            alpha: None,
            beta: None,
            r2: None,
            extras: Vec::new(),
        }
    }

    /// The tables made of the portfolios' `held` rows alone.
    fn made_of(held: HeldRows, cars_made: bool) -> StudyTables {
        let mut tables = StudyTables::default();
        let parts = PairTableParts {
            blocks: Vec::new(),
            held,
            batch: empty_batch(),
            h: window(-1, 1),
            n_windows: 1,
            cars_made,
        };
        make_pair_tables(parts, &mut tables);
        tables
    }

    #[test]
    fn portfolio_blocks_are_sorted_by_event_and_security() {
        let events = ["PF:2", "PF:1"];
        let held = HeldRows {
            abnormal_returns: events
                .iter()
                .flat_map(|e| (-1..=1).map(move |t| row(e, "PORTFOLIO", t)))
                .collect(),
            cars: events.iter().map(|e| car(e, "-1:1")).collect(),
            model_fits: events.iter().map(|e| fit(e)).collect(),
        };
        let tables = made_of(held, true);
        let made = tables.abnormal_returns_made.unwrap();
        let rows = made.rows(0..made.len());
        let keys: Vec<(&str, i32)> = rows
            .iter()
            .map(|r| (r.event_id.as_str(), r.rel_day))
            .collect();
        assert_eq!(
            keys,
            [
                ("PF:1", -1),
                ("PF:1", 0),
                ("PF:1", 1),
                ("PF:2", -1),
                ("PF:2", 0),
                ("PF:2", 1)
            ]
        );
        assert_eq!(made.rel_days(), BTreeSet::from([-1, 0, 1]));
        let cars = tables.cars_made.unwrap();
        assert_eq!(cars.rows(0..2), [car("PF:1", "-1:1"), car("PF:2", "-1:1")]);
        let fits = tables.model_fits_made.unwrap();
        assert_eq!(fits.rows(1..2), [fit("PF:2")]);
        assert!(tables.cars.is_empty() && tables.model_fits.is_empty());
    }

    #[test]
    fn shared_keys_or_broken_blocks_keep_the_rows_held_in_their_order() {
        let h = window(-1, 1);
        // Two blocks with one (event_id, security): the rows come back as given.
        let twice: Vec<AbnormalReturnRow> = (0..2)
            .flat_map(|_| (-1..=1).map(|t| row("PF:1", "PORTFOLIO", t)))
            .collect();
        let held = HeldRows {
            abnormal_returns: twice.clone(),
            cars: vec![car("PF:1", "-1:1"); 2],
            model_fits: vec![fit("PF:1"); 2],
        };
        let tables = made_of(held, true);
        assert!(tables.abnormal_returns_made.is_none() && tables.cars_made.is_none());
        assert_eq!(tables.abnormal_returns, twice);
        assert_eq!(tables.cars, vec![car("PF:1", "-1:1"); 2]);
        assert_eq!(tables.model_fits, vec![fit("PF:1"); 2]);
        // A block whose days are not −1, 0, 1 in order.
        let broken = |ar: Vec<AbnormalReturnRow>| HeldRows {
            abnormal_returns: ar,
            ..HeldRows::default()
        };
        let days = vec![
            row("PF:1", "P", 0),
            row("PF:1", "P", -1),
            row("PF:1", "P", 1),
        ];
        assert!(held_block_keys(&broken(days.clone()), h, 1, false).is_none());
        assert!(held_block_keys(&broken(days[..2].to_vec()), h, 1, false).is_none());
        // Whole days, but no cars row for the block, or a cars row of another event.
        let whole: Vec<AbnormalReturnRow> = (-1..=1).map(|t| row("PF:1", "P", t)).collect();
        assert!(held_block_keys(&broken(whole.clone()), h, 1, false).is_some());
        assert!(held_block_keys(&broken(whole.clone()), h, 1, true).is_none());
        let other = HeldRows {
            abnormal_returns: whole,
            cars: vec![car("PF:9", "-1:1")],
            model_fits: vec![fit("PF:1")],
        };
        assert!(held_block_keys(&other, h, 1, true).is_none());
    }

    #[test]
    fn rows_with_extra_columns_are_held() {
        let mut with_extra = fit("PF:1");
        with_extra.extras = vec![("beta_smb".into(), Some(0.5))];
        let held = HeldRows {
            abnormal_returns: (-1..=1).map(|t| row("PF:1", "PORTFOLIO", t)).collect(),
            cars: vec![car("PF:1", "-1:1")],
            model_fits: vec![with_extra.clone()],
        };
        let tables = made_of(held, true);
        assert!(tables.model_fits_made.is_none());
        assert_eq!(tables.model_fits, [with_extra]);
    }
}
