//! The `abnormal_returns` table made from the engine's batch when it is written, a range of
//! rows at a time, instead of held as one struct per pair and day (13 M rows at 500,000
//! pairs): the command line's runs write their tables and drop them.
//!
//! The rows are those the held table would have after sorting (§12: event_id, security,
//! rel_day): each pair's (or portfolio's) |H| rows form a block, blocks sorted by
//! (event_id, security). When two blocks share that key, the row order of the sort would
//! interleave them; such a run holds its rows as before ([`make_abnormal_returns`] returns
//! them).

use std::collections::BTreeSet;
use std::ops::Range;

use rayon::prelude::*;

use super::rows::{ar_row, ArBlock};
use crate::abnormal::{PairBatch, Window};
use crate::tables::{AbnormalReturnRow, AbnormalReturnSource, Label, RowSource};

/// The |H| rows of one pair (made from the batch) or of one portfolio (held).
#[derive(Debug)]
enum Block {
    Pair(ArBlock),
    /// Index of the block's first row in [`MadeAbnormalReturns::held`].
    Held(usize),
}

/// `abnormal_returns` made on demand from the engine's batch and the portfolios' rows.
#[derive(Debug)]
pub(crate) struct MadeAbnormalReturns {
    batch: PairBatch,
    h: Window,
    /// The blocks in row order.
    blocks: Vec<Block>,
    /// The rows of the same-date portfolios.
    held: Vec<AbnormalReturnRow>,
}

impl MadeAbnormalReturns {
    /// Row `r` of the table.
    fn row(&self, r: usize) -> AbnormalReturnRow {
        let hl = self.h.len();
        let k = r % hl;
        match &self.blocks[r / hl] {
            Block::Held(start) => self.held[start + k].clone(),
            Block::Pair(b) => pair_row(&self.batch, b, k),
        }
    }
}

impl RowSource<AbnormalReturnRow> for MadeAbnormalReturns {
    fn len(&self) -> usize {
        self.blocks.len() * self.h.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<AbnormalReturnRow> {
        range.into_par_iter().map(|r| self.row(r)).collect()
    }
}

impl AbnormalReturnSource for MadeAbnormalReturns {
    fn rel_days(&self) -> BTreeSet<i32> {
        if self.blocks.is_empty() {
            BTreeSet::new()
        } else {
            (self.h.start..=self.h.end).collect()
        }
    }

    fn groups(&self) -> BTreeSet<String> {
        let pairs = self.blocks.iter().filter_map(|b| match b {
            Block::Pair(p) => Some(p.ids.group.to_string()),
            Block::Held(_) => None,
        });
        let held = self.held.iter().map(|r| r.group.to_string());
        pairs.chain(held).collect()
    }
}

/// The table made from the pairs' `blocks` (in pair order), the portfolios' rows `held` (in
/// the order they were added) and the batch; or, when two blocks share (event_id, security)
/// or the portfolios' rows do not form whole blocks, the rows themselves in the order the
/// held table has before sorting (the pairs', then the portfolios').
pub(crate) fn make_abnormal_returns(
    blocks: Vec<ArBlock>,
    held: Vec<AbnormalReturnRow>,
    batch: PairBatch,
    h: Window,
) -> Result<MadeAbnormalReturns, Vec<AbnormalReturnRow>> {
    let hl = h.len();
    let held_keys = held_block_keys(&held, h);
    let mut keyed: Vec<((Label, Label), Block)> = Vec::with_capacity(blocks.len());
    let unique = held_keys.as_ref().is_some_and(|keys| {
        let mut all: Vec<(&Label, &Label)> = blocks
            .iter()
            .map(|b| (&b.ids.event_id, &b.ids.security))
            .chain(keys.iter().map(|(e, s)| (e, s)))
            .collect();
        all.par_sort_unstable();
        all.windows(2).all(|w| w[0] != w[1])
    });
    let Some(held_keys) = held_keys.filter(|_| unique) else {
        let mut rows: Vec<AbnormalReturnRow> = Vec::with_capacity(blocks.len() * hl + held.len());
        let pairs = (0..blocks.len() * hl)
            .into_par_iter()
            .map(|r| pair_row(&batch, &blocks[r / hl], r % hl));
        rows.par_extend(pairs);
        rows.extend(held);
        return Err(rows);
    };
    for b in blocks {
        keyed.push((
            (b.ids.event_id.clone(), b.ids.security.clone()),
            Block::Pair(b),
        ));
    }
    for (i, key) in held_keys.into_iter().enumerate() {
        keyed.push((key, Block::Held(i * hl)));
    }
    // Keys are unique: any sort gives the order of the stable sort of the rows.
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(MadeAbnormalReturns {
        batch,
        h,
        blocks: keyed.into_iter().map(|(_, b)| b).collect(),
        held,
    })
}

/// Row `k` of the event period of the analysed pair of block `b`.
fn pair_row(batch: &PairBatch, b: &ArBlock, k: usize) -> AbnormalReturnRow {
    match batch.get(b.slot) {
        Ok(res) => ar_row(&b.ids, &res, &b.dates, b.day0, k),
        // A block is made only for a pair with results (`push_all_pair_rows`).
        Err(_) => unreachable!("abnormal-return block of a pair without results"),
    }
}

/// The (event_id, security) of each block of |H| rows of `held`, when every block is one
/// portfolio's days h.start..=h.end in order; `None` otherwise.
fn held_block_keys(held: &[AbnormalReturnRow], h: Window) -> Option<Vec<(Label, Label)>> {
    let hl = h.len();
    if hl == 0 || held.len() % hl != 0 {
        return None;
    }
    held.chunks(hl)
        .map(|block| {
            let first = &block[0];
            let whole = block.iter().enumerate().all(|(k, r)| {
                r.rel_day == h.start + k as i32
                    && r.event_id == first.event_id
                    && r.security == first.security
            });
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

    #[test]
    fn portfolio_blocks_are_sorted_by_event_and_security() {
        let h = window(-1, 1);
        let held: Vec<AbnormalReturnRow> = ["PF:2", "PF:1"]
            .iter()
            .flat_map(|e| (-1..=1).map(move |t| row(e, "PORTFOLIO", t)))
            .collect();
        let made = make_abnormal_returns(Vec::new(), held, empty_batch(), h).unwrap();
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
    }

    #[test]
    fn shared_keys_or_broken_blocks_keep_the_rows_held_in_their_order() {
        let h = window(-1, 1);
        // Two blocks with one (event_id, security): the rows come back as given.
        let twice: Vec<AbnormalReturnRow> = (0..2)
            .flat_map(|_| (-1..=1).map(|t| row("PF:1", "PORTFOLIO", t)))
            .collect();
        let back = make_abnormal_returns(Vec::new(), twice.clone(), empty_batch(), h);
        assert_eq!(back.unwrap_err(), twice);
        // A block whose days are not −1, 0, 1 in order.
        let broken = vec![
            row("PF:1", "P", 0),
            row("PF:1", "P", -1),
            row("PF:1", "P", 1),
        ];
        assert!(held_block_keys(&broken, h).is_none());
        assert!(held_block_keys(&broken[..2], h).is_none());
    }
}
