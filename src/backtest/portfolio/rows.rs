//! The `bt_daily` and `bt_path` rows of a [`Simulation`].

use super::Simulation;
use crate::backtest::tables::{DailyRow, PathRow};

/// A finite value, or `None` (an empty cell).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Simulation {
    /// One `bt_daily` row per portfolio day.
    pub fn daily_rows(&self) -> Vec<DailyRow> {
        let d = &self.days;
        (0..d.dates.len())
            .map(|t| DailyRow {
                date: Some(d.dates[t]),
                gross_return: finite(d.gross[t]),
                net_return: finite(d.net[t]),
                benchmark_return: finite(d.benchmark[t]),
                positions: d.positions[t],
                gross_exposure: finite(d.gross_exposure[t]),
                net_exposure: finite(d.net_exposure[t]),
                equity_gross: finite(d.equity_gross[t]),
                equity_net: finite(d.equity_net[t]),
                drawdown: finite(d.drawdown[t]),
            })
            .collect()
    }

    /// One `bt_path` row per relative day of [`Simulation::path`].
    pub fn path_rows(&self) -> Vec<PathRow> {
        self.path
            .iter()
            .map(|p| PathRow {
                rel_day: p.rel_day,
                n: p.n,
                mean_cum_return: finite(p.mean_cum_return),
            })
            .collect()
    }
}
