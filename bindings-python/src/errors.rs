//! Core errors become `dintero_checkout.DinteroError` subclasses (defined in Python, in
//! `_errors.py`, where the kind → class table lives). Every fact about an error comes from
//! the core: kind, status, code, request id, reference, `is_transient`, `is_authentic_but_late`.

use dintero_checkout::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a core error. Never fails: if the Python side cannot build the
/// exception, the error that stopped it is returned instead.
pub fn to_pyerr(py: Python<'_>, error: &Error) -> PyErr {
    let factory = match FROM_NATIVE.import(py, "dintero_checkout._errors", "_from_native") {
        Ok(f) => f,
        Err(e) => return e,
    };
    let args = (
        error.kind().as_str(),
        error.message(),
        error.status(),
        error.code(),
        error.request_id(),
        error.reference(),
        error.outcome_unknown(),
        error.is_transient(),
        dintero_checkout::callbacks::is_authentic_but_late(error),
    );
    match factory.call1(args) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// An `invalid_input` error as a Python exception.
pub fn invalid_input(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_pyerr(py, &Error::invalid_input(message))
}

/// The stable kinds of the core, in order; the Python error table is checked against it.
#[pyfunction]
pub fn error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}
