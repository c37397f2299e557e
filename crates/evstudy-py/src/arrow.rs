//! Tables across the language boundary through the Arrow C stream interface
//! (`__arrow_c_stream__`, a PyCapsule named `arrow_array_stream`), so the extension is tied to
//! no version of the caller's polars or pyarrow.

use polars::prelude::{CompatLevel, DataFrame, IntoColumn, PlSmallStr, Series};
use polars_arrow::array::{Array, StructArray};
use polars_arrow::datatypes::{ArrowDataType, Field};
use polars_arrow::ffi::{export_iterator, ArrowArrayStream, ArrowArrayStreamReader};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CStr;

const STREAM: &CStr = c"arrow_array_stream";

/// One output table, handed to Python as an Arrow C stream (`pl.DataFrame(table)`,
/// `pa.table(table)`).
#[pyclass(frozen, module = "evstudy._evstudy")]
pub struct ArrowTable {
    /// The table's name (its file stem).
    #[pyo3(get)]
    name: String,
    frame: DataFrame,
}

impl ArrowTable {
    pub(crate) fn new(name: &str, frame: DataFrame) -> ArrowTable {
        ArrowTable {
            name: name.to_string(),
            frame,
        }
    }
}

#[pymethods]
impl ArrowTable {
    /// The table as an Arrow C stream of record batches (the PyCapsule protocol).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        // The schema is ours to choose; a requested one is a hint the protocol allows to ignore.
        let _ = requested_schema;
        PyCapsule::new_with_value(py, export_frame(&self.frame), STREAM)
    }

    /// Number of rows.
    fn __len__(&self) -> usize {
        self.frame.height()
    }
}

/// The frame as a stream of struct arrays, one per chunk.
fn export_frame(df: &DataFrame) -> ArrowArrayStream {
    let level = CompatLevel::newest();
    let fields: Vec<Field> = df
        .columns()
        .iter()
        .map(|c| c.field().to_arrow(level))
        .collect();
    let dtype = ArrowDataType::Struct(fields.clone());
    let mut df = df.clone();
    df.rechunk_mut_par();
    let batches: Vec<_> = df
        .iter_chunks(level, true)
        .map(|batch| {
            let (_, arrays) = batch.into_schema_and_arrays();
            let len = arrays.first().map_or(0, |a| a.len());
            StructArray::try_new(dtype.clone(), len, arrays, None).map(|a| a.boxed())
        })
        .collect();
    let field = Field::new(PlSmallStr::EMPTY, dtype, false);
    export_iterator(Box::new(batches.into_iter()), field)
}

/// Reads an object with `__arrow_c_stream__` into a DataFrame; `what` names it in errors.
pub(crate) fn import_frame(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<DataFrame> {
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        crate::user_error(format!(
            "{what}: __arrow_c_stream__ did not return a capsule"
        ))
    })?;
    let ptr = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: the capsule holds an ArrowArrayStream (its name says so, and the name was
    // checked); moving it out and leaving a released one behind is the protocol's way of
    // taking ownership.
    let stream = unsafe {
        std::ptr::replace(
            ptr.cast::<ArrowArrayStream>().as_ptr(),
            ArrowArrayStream::empty(),
        )
    };
    read_stream(Box::new(stream)).map_err(|e| crate::user_error(format!("{what}: {e}")))
}

/// The chunks of a stream of struct arrays, stacked into one frame.
fn read_stream(stream: Box<ArrowArrayStream>) -> polars::prelude::PolarsResult<DataFrame> {
    // SAFETY: the stream was produced by a conforming Arrow producer.
    let mut reader = unsafe { ArrowArrayStreamReader::try_new(stream)? };
    let mut frame: Option<DataFrame> = None;
    // SAFETY: as above; each array is owned once imported.
    while let Some(array) = unsafe { reader.next() } {
        let chunk = struct_to_frame(array?)?;
        match &mut frame {
            None => frame = Some(chunk),
            Some(f) => {
                f.vstack_mut_owned(chunk)?;
            }
        }
    }
    match frame {
        Some(f) => Ok(f),
        None => empty_frame(reader.field()),
    }
}

fn struct_to_frame(array: Box<dyn Array>) -> polars::prelude::PolarsResult<DataFrame> {
    let Some(s) = array.as_any().downcast_ref::<StructArray>() else {
        polars::prelude::polars_bail!(ComputeError: "the stream's arrays are not record batches");
    };
    let columns = s
        .fields()
        .iter()
        .zip(s.values())
        .map(|(f, a)| Series::from_arrow(f.name.clone(), a.clone()).map(IntoColumn::into_column))
        .collect::<polars::prelude::PolarsResult<Vec<_>>>()?;
    DataFrame::new_infer_height(columns)
}

fn empty_frame(field: &Field) -> polars::prelude::PolarsResult<DataFrame> {
    let ArrowDataType::Struct(fields) = &field.dtype else {
        polars::prelude::polars_bail!(ComputeError: "the stream's schema is not a record batch");
    };
    let columns = fields
        .iter()
        .map(|f| {
            Series::from_arrow(
                f.name.clone(),
                polars_arrow::array::new_empty_array(f.dtype.clone()),
            )
            .map(IntoColumn::into_column)
        })
        .collect::<polars::prelude::PolarsResult<Vec<_>>>()?;
    DataFrame::new_infer_height(columns)
}
