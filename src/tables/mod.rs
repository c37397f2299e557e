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

mod car_regression;
mod cell;
mod label;
mod metadata;
mod results;
mod rows;
mod source;
mod variance_ratio;
mod volume;

pub use car_regression::CarRegressionRow;
pub(crate) use cell::vocabulary_cell;
pub use cell::{Cell, CellReader, CellWriter, ColumnSink};
pub use label::Label;
pub(crate) use label::Labels;
pub use metadata::{EventRow, SecurityRow};
pub use results::{DifferenceRow, HeadlineRow};
pub(crate) use rows::table;
pub use rows::{
    AbnormalReturnRow, AggregateRow, CarRow, Day0Row, ExclusionRow, ModelFitRow, Stage, TestRow,
};
pub use source::{AbnormalReturnSource, ColumnValues, RowSource, TableRows};
pub use variance_ratio::VarianceRatioRow;
pub use volume::{
    VolumeAbnormalRow, VolumeAggregateRow, VolumeCarRow, VolumeMetric, VolumeTables, VolumeTestRow,
};

use crate::error::Result;

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
    /// [`Error::Cell`](crate::Error::Cell) naming file, row and column of a cell that does not parse.
    fn read_cells<R: CellReader>(r: &mut R) -> Result<Self>;
    /// Hands the fixed columns to a DataFrame builder, in column order.
    fn frame_columns<S: ColumnSink<Self>>(s: &mut S);
    /// Named numeric cells written after the fixed columns (the model's extra columns of
    /// `model_fits`); empty for the other tables.
    fn extra_cells(&self) -> &[(String, Option<f64>)] {
        &[]
    }
}

/// All tables of one study run.
#[derive(Debug, Clone, Default)]
pub struct StudyTables {
    /// Table `abnormal_returns`.
    pub abnormal_returns: Vec<AbnormalReturnRow>,
    /// Table `abnormal_returns` made on demand by the writers instead of held (a command-line
    /// run of many pairs); when set, `abnormal_returns` is empty and this is the table.
    pub abnormal_returns_made: Option<std::sync::Arc<dyn AbnormalReturnSource>>,
    /// Table `cars`.
    pub cars: Vec<CarRow>,
    /// Table `cars` made on demand by the writers instead of held (with
    /// `abnormal_returns_made`); when set, `cars` is empty and this is the table.
    pub cars_made: Option<std::sync::Arc<dyn RowSource<CarRow>>>,
    /// Table `model_fits`.
    pub model_fits: Vec<ModelFitRow>,
    /// Table `model_fits` made on demand by the writers instead of held (with `cars_made`);
    /// when set, `model_fits` is empty and this is the table.
    pub model_fits_made: Option<std::sync::Arc<dyn RowSource<ModelFitRow>>>,
    /// Table `aggregate`.
    pub aggregate: Vec<AggregateRow>,
    /// Table `tests`.
    pub tests: Vec<TestRow>,
    /// Table `exclusions`.
    pub exclusions: Vec<ExclusionRow>,
    /// The day-0 mapping table.
    pub day0: Vec<Day0Row>,
    /// The day-0 mapping table made on demand by the writers instead of held (with
    /// `abnormal_returns_made`); when set, `day0` is empty and this is the table.
    pub day0_made: Option<std::sync::Arc<dyn RowSource<Day0Row>>>,
    /// Table `headline`: one row per group × event window.
    pub headline: Vec<HeadlineRow>,
    /// Table `differences`: the declared pairs of groups; empty when none is declared.
    pub differences: Vec<DifferenceRow>,
    /// Table `events`: the events read.
    pub events: Vec<EventRow>,
    /// Table `securities`: the study's securities.
    pub securities: Vec<SecurityRow>,
    /// The abnormal-volume tables (§5.6); `None` when the study declares no `[volume]`.
    pub volume: Option<VolumeTables>,
    /// Table `car_regression`: the declared cross-sectional regressions; empty when none is
    /// declared.
    pub car_regression: Vec<CarRegressionRow>,
    /// Table `variance_ratio` (§7.7): one row per group × event window; empty unless the
    /// study sets `variance_ratio = true`.
    pub variance_ratio: Vec<VarianceRatioRow>,
}

impl StudyTables {
    /// The tables with every made table except `abnormal_returns` held: `cars`,
    /// `model_fits` and `day0_mapping` as rows (for readers of the rows, such as the report);
    /// `None` when none of them is made.
    pub fn with_made_rows_held(&self) -> Option<StudyTables> {
        let none_made = self.cars_made.is_none() && self.model_fits_made.is_none();
        if none_made && self.day0_made.is_none() {
            return None;
        }
        let mut held = self.clone();
        if let Some(made) = held.day0_made.take() {
            held.day0 = made.rows(0..made.len());
        }
        if let Some(made) = held.cars_made.take() {
            held.cars = made.rows(0..made.len());
        }
        if let Some(made) = held.model_fits_made.take() {
            held.model_fits = made.rows(0..made.len());
        }
        Some(held)
    }
}

/// Something done with each table of a [`TableSet`] in turn ([`TableSet::visit`]).
pub trait TableVisitor<'a> {
    /// Called once per table, with its rows.
    fn table<T: Table>(&mut self, rows: &'a [T]);
    /// Called instead of [`TableVisitor::table`] for a table whose rows are made on demand.
    fn made<T: Table>(&mut self, rows: &'a dyn RowSource<T>);
}

/// A set of output tables written together (a study's, a backtest's): the writers of
/// [`crate::output`] visit its tables in file order.
pub trait TableSet: Sync {
    /// Hands each table to `v`, in file order.
    fn visit<'a, V: TableVisitor<'a>>(&'a self, v: &mut V);
}

impl TableSet for StudyTables {
    /// Hands each table to `v`, in the file order of §12: `abnormal_returns`, `cars`,
    /// `model_fits`, `aggregate`, `tests`, `exclusions`, `day0_mapping`, `headline`,
    /// `differences` (when it has rows), `events`, `securities`, the `volume_*` tables (when
    /// `[volume]` is declared), `car_regression`, `variance_ratio` (each when it has rows).
    fn visit<'a, V: TableVisitor<'a>>(&'a self, v: &mut V) {
        match &self.abnormal_returns_made {
            Some(made) => v.made(made.as_ref() as &dyn RowSource<AbnormalReturnRow>),
            None => v.table(&self.abnormal_returns),
        }
        match &self.cars_made {
            Some(made) => v.made(made.as_ref()),
            None => v.table(&self.cars),
        }
        match &self.model_fits_made {
            Some(made) => v.made(made.as_ref()),
            None => v.table(&self.model_fits),
        }
        v.table(&self.aggregate);
        v.table(&self.tests);
        v.table(&self.exclusions);
        match &self.day0_made {
            Some(made) => v.made(made.as_ref()),
            None => v.table(&self.day0),
        }
        v.table(&self.headline);
        if !self.differences.is_empty() {
            v.table(&self.differences);
        }
        v.table(&self.events);
        v.table(&self.securities);
        if let Some(volume) = &self.volume {
            volume.visit(v);
        }
        if !self.car_regression.is_empty() {
            v.table(&self.car_regression);
        }
        if !self.variance_ratio.is_empty() {
            v.table(&self.variance_ratio);
        }
    }
}
