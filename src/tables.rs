//! The output tables of a study (methodology §12) as plain Rust rows, each defined once.
//!
//! These structs are the contract between the engine (`abnormal`, `stats`), the writers
//! (`output`) and the report (`report`). Optional numbers are `None` when the methodology says
//! the field is empty (NA). Column names and order follow §12 exactly.
//!
//! Each row type is declared once, with the `table!` macro of this module: the declaration
//! gives the struct and its [`Table`] implementation, that is the table's name, its column
//! names (the field names, in field order) and a cell-by-cell visit of a row. The CSV writer,
//! the CSV reader and the DataFrame builder of [`crate::output`] are generic over [`Table`],
//! so a new column is one new field. How a cell is written, read and typed follows from the
//! field's type ([`Cell`]).

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// Receives the cells of a row in column order (the CSV writer implements it).
pub trait CellWriter {
    /// A text cell.
    fn text(&mut self, value: &str);
    /// A text cell, empty when `None`.
    fn opt_text(&mut self, value: Option<&str>);
    /// An integer cell.
    fn int(&mut self, value: i64);
    /// An integer cell, empty when `None`.
    fn opt_int(&mut self, value: Option<i64>);
    /// A number cell, empty (NA) when `None`.
    fn num(&mut self, value: Option<f64>);
    /// A date cell (`YYYY-MM-DD`), empty when `None`.
    fn date(&mut self, value: Option<NaiveDate>);
}

/// Gives the cells of one row in column order (the CSV reader implements it).
pub trait CellReader {
    /// The text of the next fixed column of the row.
    fn next_text(&mut self) -> &str;
    /// An error about the cell last given by [`CellReader::next_text`], naming the file, the
    /// row and the column.
    fn cell_error(&self, message: String) -> Error;
    /// The position of the row in its file (0 for the first data row): a sort key that keeps
    /// the file's order.
    fn row_order(&mut self) -> Result<i64>;
    /// The numeric cells of the columns beyond the fixed ones, sorted by column name.
    fn extra_columns(&mut self) -> Result<Vec<(String, Option<f64>)>>;
}

/// Collects the typed columns of a table (the DataFrame builder implements it). Each method
/// takes the column name and the function that reads the cell from a row.
pub trait ColumnSink<R> {
    /// A text column.
    fn text(&mut self, name: &'static str, get: impl Fn(&R) -> &str + Send + Sync + 'static);
    /// A nullable text column.
    fn opt_text(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<&str> + Send + Sync + 'static,
    );
    /// An `Int32` column.
    fn i32(&mut self, name: &'static str, get: impl Fn(&R) -> i32 + Send + Sync + 'static);
    /// A nullable `Int32` column.
    fn opt_i32(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<i32> + Send + Sync + 'static,
    );
    /// A `UInt32` column.
    fn u32(&mut self, name: &'static str, get: impl Fn(&R) -> u32 + Send + Sync + 'static);
    /// A nullable `UInt32` column.
    fn opt_u32(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<u32> + Send + Sync + 'static,
    );
    /// A nullable `Int64` column.
    fn opt_i64(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<i64> + Send + Sync + 'static,
    );
    /// A nullable `Float64` column.
    fn opt_f64(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<f64> + Send + Sync + 'static,
    );
    /// A nullable `Date` column.
    fn opt_date(
        &mut self,
        name: &'static str,
        get: impl Fn(&R) -> Option<NaiveDate> + Send + Sync + 'static,
    );
}

/// The type of a column's cells: how it is written, read back and typed in a DataFrame.
pub trait Cell: Sized + 'static {
    /// Hands the cell to a writer.
    fn write<W: CellWriter>(&self, w: &mut W);
    /// Reads the next cell of a row.
    ///
    /// # Errors
    /// [`Error::Cell`] naming file, row and column when the text does not parse.
    fn read<R: CellReader>(r: &mut R) -> Result<Self>;
    /// Hands the column `name`, read from each row by `get`, to a DataFrame builder.
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self);
}

/// A table of rows of one type, written and read column by column.
pub trait Table: Sized + Send + Sync + 'static {
    /// The table's name: its DataFrame name and the stem of its files.
    const NAME: &'static str;
    /// The CSV file name, `<NAME>.csv`.
    const CSV_FILE: &'static str;
    /// The fixed columns, in order.
    const COLUMNS: &'static [&'static str];
    /// Hands the fixed cells of the row to `w`, in column order.
    fn write_cells<W: CellWriter>(&self, w: &mut W);
    /// Reads a row from `r`.
    ///
    /// # Errors
    /// [`Error::Cell`] naming file, row and column of a cell that does not parse.
    fn read_cells<R: CellReader>(r: &mut R) -> Result<Self>;
    /// Hands the fixed columns to a DataFrame builder, in column order.
    fn frame_columns<S: ColumnSink<Self>>(s: &mut S);
    /// Named numeric cells written after the fixed columns (the model's extra columns of
    /// `model_fits`); empty for the other tables.
    fn extra_cells(&self) -> &[(String, Option<f64>)] {
        &[]
    }
}

/// Parses the text of an optional cell (empty is `None`), with `what` naming the expected
/// kind of value in the error.
fn parse_opt<T: std::str::FromStr, R: CellReader>(r: &mut R, what: &str) -> Result<Option<T>> {
    let s = r.next_text();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<T>() {
        Ok(v) => Ok(Some(v)),
        Err(_) => {
            let message = format!("'{s}' {what}");
            Err(r.cell_error(message))
        }
    }
}

/// Parses a required integer cell.
fn parse_int<T: std::str::FromStr, R: CellReader>(r: &mut R) -> Result<T> {
    parse_opt(r, INT)?.ok_or_else(|| r.cell_error("empty; an integer is required".to_string()))
}

/// The error text of an integer cell that does not parse.
const INT: &str = "is not an integer in range";

impl Cell for String {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.text(self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        Ok(r.next_text().to_string())
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.text(name, move |r| get(r).as_str())
    }
}

impl Cell for Option<String> {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.opt_text(self.as_deref())
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        Ok(Some(r.next_text())
            .filter(|s| !s.is_empty())
            .map(String::from))
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.opt_text(name, move |r| get(r).as_deref())
    }
}

/// [`Cell`] for an integer type and its `Option`, typed in a DataFrame by the given
/// [`ColumnSink`] methods.
macro_rules! int_cells {
    ($t:ty, $plain:ident, $opt:ident) => {
        impl Cell for $t {
            fn write<W: CellWriter>(&self, w: &mut W) {
                w.int(i64::from(*self))
            }
            fn read<R: CellReader>(r: &mut R) -> Result<Self> {
                parse_int(r)
            }
            fn column<R: 'static, S: ColumnSink<R>>(
                s: &mut S,
                name: &'static str,
                get: fn(&R) -> &Self,
            ) {
                s.$plain(name, move |r| *get(r))
            }
        }
        impl Cell for Option<$t> {
            fn write<W: CellWriter>(&self, w: &mut W) {
                w.opt_int(self.map(i64::from))
            }
            fn read<R: CellReader>(r: &mut R) -> Result<Self> {
                parse_opt(r, INT)
            }
            fn column<R: 'static, S: ColumnSink<R>>(
                s: &mut S,
                name: &'static str,
                get: fn(&R) -> &Self,
            ) {
                s.$opt(name, move |r| *get(r))
            }
        }
    };
}
int_cells!(i32, i32, opt_i32);
int_cells!(u32, u32, opt_u32);

impl Cell for Option<i64> {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.opt_int(*self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        parse_opt(r, INT)
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.opt_i64(name, move |r| *get(r))
    }
}

impl Cell for Option<f64> {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.num(*self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        parse_opt(r, "is not a number")
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.opt_f64(name, move |r| *get(r))
    }
}

impl Cell for Option<NaiveDate> {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.date(*self)
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        let s = r.next_text();
        if s.is_empty() {
            return Ok(None);
        }
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Ok(Some(d)),
            Err(_) => {
                let message = format!("'{s}' is not a date YYYY-MM-DD");
                Err(r.cell_error(message))
            }
        }
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.opt_date(name, move |r| *get(r))
    }
}

impl Cell for Stage {
    fn write<W: CellWriter>(&self, w: &mut W) {
        w.text(self.as_str())
    }
    fn read<R: CellReader>(r: &mut R) -> Result<Self> {
        let s = r.next_text();
        match Stage::ALL.into_iter().find(|st| st.as_str() == s) {
            Some(stage) => Ok(stage),
            None => {
                let message = format!(
                    "unknown stage '{s}' (input, day0, estimation, event_day, car, portfolio)"
                );
                Err(r.cell_error(message))
            }
        }
    }
    fn column<R: 'static, S: ColumnSink<R>>(s: &mut S, name: &'static str, get: fn(&R) -> &Self) {
        s.text(name, move |r| get(r).as_str())
    }
}

/// Declares a row type and its [`Table`] implementation: one declaration per output table.
///
/// `columns` are the written columns (column name = field name, in order; the cell type is
/// the field type's [`Cell`]); `others` are fields that are not columns, each filled on
/// reading by the named [`CellReader`] method; `extra cells FIELD` names the field holding the
/// named cells written after the fixed columns.
macro_rules! table {
    (
        $(#[$meta:meta])*
        pub struct $row:ident in $name:literal {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
        $( others {
            $( $(#[$ometa:meta])* pub $ofield:ident : $oty:ty = $oread:ident, )*
        } )?
        $( extra cells $extra:ident; )?
    ) => {
        $(#[$meta])*
        pub struct $row {
            $( $(#[$fmeta])* pub $field: $ty, )*
            $($( $(#[$ometa])* pub $ofield: $oty, )*)?
        }

        impl Table for $row {
            const NAME: &'static str = $name;
            const CSV_FILE: &'static str = concat!($name, ".csv");
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            fn write_cells<W: CellWriter>(&self, w: &mut W) {
                $( Cell::write(&self.$field, w); )*
            }
            fn read_cells<R: CellReader>(r: &mut R) -> Result<Self> {
                Ok($row {
                    $($( $ofield: r.$oread()?, )*)?
                    $( $field: <$ty as Cell>::read(r)?, )*
                })
            }
            fn frame_columns<S: ColumnSink<Self>>(s: &mut S) {
                $( <$ty as Cell>::column(s, stringify!($field), |r: &Self| &r.$field); )*
            }
            $( fn extra_cells(&self) -> &[(String, Option<f64>)] {
                &self.$extra
            } )?
        }
    };
}

table! {
    /// One row of `abnormal_returns`: an event and one day of the event period H.
    #[derive(Debug, Clone, PartialEq)]
    pub struct AbnormalReturnRow in "abnormal_returns" {
        /// Event id (a cluster id `PF:…` for portfolio pseudo-events).
        pub event_id: String,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: String,
        /// Group label of the event (default `all`).
        pub group: String,
        /// Relative trading day t (0 = day 0).
        pub rel_day: i32,
        /// Session date of this relative day (None when the position is outside the calendar).
        pub date: Option<NaiveDate>,
        /// Security return R_t (span return in trade-to-trade mode).
        pub ret: Option<f64>,
        /// Normal (expected) return E[R_t] from the fitted model.
        pub expected_ret: Option<f64>,
        /// Abnormal return AR_t = R_t − E[R_t].
        pub ar: Option<f64>,
        /// Standardized abnormal return SAR_t = AR_t / ar_se_t.
        pub sar: Option<f64>,
        /// Standard error of AR_t with the forecast-error correction (§5.2).
        pub ar_se: Option<f64>,
        /// Two-sided p-value of the single-day t test (ν df).
        pub ar_p: Option<f64>,
        /// d_t; None when `ar` is NA.
        pub span: Option<u32>,
    }
}

table! {
    /// One row of `cars`: an event and one event window.
    #[derive(Debug, Clone, PartialEq)]
    pub struct CarRow in "cars" {
        /// Event id (a cluster id `PF:…` for portfolio pseudo-events).
        pub event_id: String,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: String,
        /// Group label of the event (default `all`).
        pub group: String,
        /// Written `a:b`.
        pub window: String,
        /// Cumulative abnormal return CAR(W) = Σ AR_t.
        pub car: Option<f64>,
        /// √Var(CAR) with the exact variance (§5.3).
        pub car_se: Option<f64>,
        /// Single-event CAR t = SCAR.
        pub car_t: Option<f64>,
        /// Two-sided p-value of car_t (ν df).
        pub car_p: Option<f64>,
        /// Standardized CAR = CAR / car_se.
        pub scar: Option<f64>,
        /// Buy-and-hold abnormal return (§5.4).
        pub bhar: Option<f64>,
        /// Days of the window with an AR.
        pub n_days: u32,
    }
}

table! {
    /// One row of `model_fits`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct ModelFitRow in "model_fits" {
        /// Event id (a cluster id `PF:…` for portfolio pseudo-events).
        pub event_id: String,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: String,
        /// Group label of the event (default `all`).
        pub group: String,
        /// Model name (`market_model`, `ff3`, …; `_t2t` suffix in trade-to-trade mode).
        pub model: String,
        /// Estimation observations M.
        pub n_est: u32,
        /// Degrees of freedom.
        pub df: u32,
        /// σ̂ of the estimation residuals.
        pub sigma: Option<f64>,
        /// Intercept (μ̂ for the constant-mean model).
        pub alpha: Option<f64>,
        /// Slope of the first non-constant regressor.
        pub beta: Option<f64>,
        /// R² of the estimation regression.
        pub r2: Option<f64>,
    }
    others {
        /// Model-specific extra columns (`beta_<factor>`, `beta_lag1`, …, `rho_m`), sorted by name.
        pub extras: Vec<(String, Option<f64>)> = extra_columns,
    }
    extra cells extras;
}

table! {
    /// One row of `aggregate`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct AggregateRow in "aggregate" {
        /// Group label of the event (default `all`).
        pub group: String,
        /// `ar`, `car` or `bhar`.
        pub metric: String,
        /// Set for `car`/`bhar` (written `a:b`).
        pub window: Option<String>,
        /// Set for `ar`.
        pub rel_day: Option<i32>,
        /// Number of events in the test set.
        pub n: u32,
        /// Mean (AAR, CAAR or mean BHAR).
        pub mean: Option<f64>,
        /// Median.
        pub median: Option<f64>,
        /// Share of values > 0 (zeros are not positive).
        pub share_positive: Option<f64>,
        /// Cross-sectional standard deviation (divisor n − 1).
        pub sd: Option<f64>,
    }
}

table! {
    /// One row of `tests`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct TestRow in "tests" {
        /// Group label of the event (default `all`).
        pub group: String,
        /// `day`, `car` or `bhar`.
        pub scope: String,
        /// Event window written `a:b`.
        pub window: Option<String>,
        /// Relative trading day t (0 = day 0).
        pub rel_day: Option<i32>,
        /// Test name, e.g. `csect_t`, `patell_z`, `portfolio_t`.
        pub test: String,
        /// Test statistic.
        pub statistic: Option<f64>,
        /// Two-sided p-value.
        pub p_value: Option<f64>,
        /// Set for t-distributed statistics only.
        pub df: Option<f64>,
        /// Number of events in the test set.
        pub n: u32,
        /// Cluster id for `portfolio_t` rows (e.g. `PF:XNYS:2024-06-26:IDX`), else None.
        pub cluster: Option<String>,
    }
}

/// Exclusion stages in their sort order (§11, §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Reading inputs, securities and benchmarks.
    Input,
    /// Mapping the event to day 0.
    Day0,
    /// Fitting the normal-return model.
    Estimation,
    /// A day of the event period.
    EventDay,
    /// An event window.
    Car,
    /// A same-date portfolio.
    Portfolio,
}

impl Stage {
    /// Every stage, in sort order.
    pub const ALL: [Stage; 6] = [
        Stage::Input,
        Stage::Day0,
        Stage::Estimation,
        Stage::EventDay,
        Stage::Car,
        Stage::Portfolio,
    ];

    /// The name written to the `stage` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Input => "input",
            Stage::Day0 => "day0",
            Stage::Estimation => "estimation",
            Stage::EventDay => "event_day",
            Stage::Car => "car",
            Stage::Portfolio => "portfolio",
        }
    }
}

table! {
    /// One row of `exclusions`: something that was left out, and why (§11).
    #[derive(Debug, Clone, PartialEq)]
    pub struct ExclusionRow in "exclusions" {
        /// Empty for series-level input rows (`off_calendar_prices`, `bad_price`).
        pub event_id: String,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: String,
        /// Pipeline stage where the event (or part of it) was lost.
        pub stage: Stage,
        /// Machine-readable reason, e.g. `too_few_estimation_returns`.
        pub reason: String,
        /// Human-readable detail.
        pub detail: String,
    }
    others {
        /// Secondary sort key inside a stage: rel_day for `event_day`, window index for `car`.
        pub order: i64 = row_order,
    }
}

table! {
    /// One row of the day-0 mapping table (`evstudy events`, report).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Day0Row in "day0_mapping" {
        /// Event id (a cluster id `PF:…` for portfolio pseudo-events).
        pub event_id: String,
        /// Security ticker (`PORTFOLIO` for portfolio pseudo-events).
        pub security: String,
        /// Calendar label (exchange code or `DATA`).
        pub exchange: String,
        /// Event instant in UTC, `YYYY-MM-DDTHH:MMZ`; empty if the event time is bad.
        pub event_instant_utc: String,
        /// Event instant in the exchange's local time, `YYYY-MM-DD HH:MM`.
        pub event_instant_local: String,
        /// The day-0 mapping table.
        pub day0: Option<NaiveDate>,
        /// Calendar days from the event date to day 0.
        pub shift_days: Option<i64>,
        /// Shift in sessions: number of sessions of the calendar strictly between the event's
        /// local date and day 0 (0 when day 0 is the event date).
        pub shift_sessions: Option<i64>,
        /// `ok` or the exclusion reason.
        pub status: String,
    }
}

/// All tables of one study run.
#[derive(Debug, Clone, Default)]
pub struct StudyTables {
    /// Table `abnormal_returns`.
    pub abnormal_returns: Vec<AbnormalReturnRow>,
    /// Table `cars`.
    pub cars: Vec<CarRow>,
    /// Table `model_fits`.
    pub model_fits: Vec<ModelFitRow>,
    /// Table `aggregate`.
    pub aggregate: Vec<AggregateRow>,
    /// Table `tests`.
    pub tests: Vec<TestRow>,
    /// Table `exclusions`.
    pub exclusions: Vec<ExclusionRow>,
    /// The day-0 mapping table.
    pub day0: Vec<Day0Row>,
}

/// Something done with each table of a [`StudyTables`] in turn ([`StudyTables::visit`]).
pub trait TableVisitor<'a> {
    /// Called once per table, with its rows.
    fn table<T: Table>(&mut self, rows: &'a [T]);
}

impl StudyTables {
    /// Hands each table to `v`, in the file order of §12: `abnormal_returns`, `cars`,
    /// `model_fits`, `aggregate`, `tests`, `exclusions`, `day0_mapping`.
    pub fn visit<'a, V: TableVisitor<'a>>(&'a self, v: &mut V) {
        v.table(&self.abnormal_returns);
        v.table(&self.cars);
        v.table(&self.model_fits);
        v.table(&self.aggregate);
        v.table(&self.tests);
        v.table(&self.exclusions);
        v.table(&self.day0);
    }
}
