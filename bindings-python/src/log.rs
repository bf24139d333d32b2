//! The core's log records into Python's `logging`, and request observers as Python callables.
//!
//! Every client logs to `logging.getLogger("dintero_checkout")`. Whether a level is on is read
//! from that logger (`isEnabledFor`, which `logging` caches) each time a call enters the
//! native module, while the caller holds the GIL anyway, and kept in an atomic: the core asks
//! the atomic, so with the logger off a request never takes the GIL to log. A record is built
//! and the GIL taken only for a level that is on.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use dintero_checkout::{LogLevel, LogRecord, LogSink, LogValue, RequestEvent};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{json, to_py};

/// The Python logger's name.
pub const LOGGER_NAME: &str = "dintero_checkout";

/// Lowest level on: 0 debug, 1 info, 2 warn, 3 none.
const OFF: u8 = 3;

fn rank(level: LogLevel) -> u8 {
    match level {
        LogLevel::Debug => 0,
        LogLevel::Info => 1,
        LogLevel::Warn => 2,
    }
}

fn python_level(level: LogLevel) -> u8 {
    match level {
        LogLevel::Debug => 10,
        LogLevel::Info => 20,
        LogLevel::Warn => 30,
    }
}

/// Forwards the core's records to the `dintero_checkout` Python logger.
pub struct PyLogSink {
    logger: Py<PyAny>,
    lowest_on: AtomicU8,
}

impl PyLogSink {
    pub fn new(py: Python<'_>) -> PyResult<Arc<Self>> {
        let logger = py
            .import("logging")?
            .call_method1("getLogger", (LOGGER_NAME,))?
            .unbind();
        let sink = Arc::new(PyLogSink {
            logger,
            lowest_on: AtomicU8::new(OFF),
        });
        sink.refresh(py);
        Ok(sink)
    }

    /// Reads the logger's level again (the caller holds the GIL already).
    pub fn refresh(&self, py: Python<'_>) {
        let logger = self.logger.bind(py);
        let on = |level: LogLevel| {
            logger
                .call_method1("isEnabledFor", (python_level(level),))
                .and_then(|b| b.is_truthy())
                .unwrap_or(false)
        };
        let lowest = [LogLevel::Debug, LogLevel::Info, LogLevel::Warn]
            .into_iter()
            .find(|l| on(*l))
            .map_or(OFF, rank);
        self.lowest_on.store(lowest, Ordering::Relaxed);
    }

    fn emit(&self, py: Python<'_>, record: &LogRecord) -> PyResult<()> {
        let extra = PyDict::new(py);
        for field in &record.fields {
            match &field.value {
                LogValue::Int { value } => extra.set_item(&field.name, value)?,
                LogValue::Text { value } => extra.set_item(&field.name, value)?,
            }
        }
        extra.set_item("dintero_event", &record.event)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("extra", extra)?;
        self.logger.bind(py).call_method(
            "log",
            (python_level(record.level), &record.message),
            Some(&kwargs),
        )?;
        Ok(())
    }
}

impl LogSink for PyLogSink {
    fn enabled(&self, level: LogLevel) -> bool {
        rank(level) >= self.lowest_on.load(Ordering::Relaxed)
    }

    fn log(&self, record: LogRecord) {
        Python::attach(|py| {
            if let Err(e) = self.emit(py, &record) {
                e.write_unraisable(py, Some(self.logger.bind(py)));
            }
        });
    }
}

/// The core observer calling `callback` (the Python layer's wrapper, which builds the
/// `RequestEvent` model and catches what the merchant's function raises) with the event as
/// a dict.
pub fn observer(callback: Py<PyAny>) -> impl Fn(&RequestEvent) + Send + Sync + 'static {
    move |event: &RequestEvent| {
        let value = json(event);
        Python::attach(|py| {
            let called = to_py(py, &value).and_then(|d| callback.bind(py).call1((d,)));
            if let Err(e) = called {
                e.write_unraisable(py, Some(callback.bind(py)));
            }
        });
    }
}
